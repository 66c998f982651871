"""Small SQL helpers shared by the store's modules."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb


def first_row(
    con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] | None = None
) -> tuple[Any, ...] | None:
    """The first row of a query, or None. The whole result is consumed: DuckDB refuses other
    work on a connection (registering a frame, say) while a result is only partly fetched."""
    rows = con.execute(sql, list(params) if params is not None else []).fetchall()
    return tuple(rows[0]) if rows else None
