"""Whether the workspace holds the pre-flight tables (schema version 4): a workspace written by
an older leaderlens and opened read-only is not migrated, so it has none of them."""

from __future__ import annotations

from typing import Any

from leaderlens.store.sql import first_row


def has_table(ws: Any, name: str) -> bool:
    row = first_row(
        ws.connection,
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
        [name],
    )
    return bool(row and row[0])
