"""Atomic, idempotent loads of canonical frames into workspace tables.

A load is one transaction: the owner rows (leader, brand, asset), the data rows and the load
record go in together or not at all, so a killed process or a refused row leaves the workspace
exactly as it was. Rows are matched on their natural key (owner columns + key columns): a row
already stored with the same values is *unchanged* (so re-loading a file adds nothing); one with
other values is a *conflict*, refused by default (``on_conflict="error"``), kept as stored
(``"keep"``) or overwritten (``"replace"``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import duckdb
import numpy as np
import pandas as pd

from leaderlens.errors import ConflictError, check_choice
from leaderlens.readers.base import COLUMNS, LineMap
from leaderlens.store.sql import first_row

OnConflict = Literal["error", "keep", "replace"]
ON_CONFLICT: tuple[str, ...] = ("error", "keep", "replace")


@dataclass(frozen=True)
class Table:
    """Where one kind of rows lives: owner columns, key columns within the owner, values."""

    name: str
    owner: tuple[str, ...]
    key: tuple[str, ...]
    values: tuple[str, ...]

    @property
    def data_columns(self) -> tuple[str, ...]:
        return self.key + self.values


def _table(name: str, owner: tuple[str, ...], kind: str, key: tuple[str, ...]) -> Table:
    values = tuple(c for c in COLUMNS[kind] if c not in key)
    return Table(name, owner, key, values)


TABLES: dict[str, Table] = {
    "prices": _table("bars", ("asset_id", "freq"), "prices", ("ts",)),
    "statements": _table("statements", ("leader_id",), "statements", ("statement_id",)),
    "brand_posts": _table("brand_posts", ("brand_id",), "brand_posts", ("statement_id",)),
    "attention": _table(
        "attention", ("subject_kind", "subject_id", "metric", "freq"), "attention", ("ts",)
    ),
    "mentions": _table("mentions", ("brand_id",), "mentions", ("mention_id",)),
}


@dataclass(frozen=True)
class Upsert:
    """Row counts of one load: ``added`` new keys, ``replaced`` conflicts overwritten,
    ``unchanged`` keys already stored with the same values, ``kept`` conflicts left as stored."""

    added: int
    replaced: int
    unchanged: int
    kept: int


def upsert(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    owner: Sequence[object],
    frame: pd.DataFrame,
    *,
    on_conflict: str,
    source: str,
    lines: LineMap | None,
    load_id: int,
) -> Upsert:
    """Merge ``frame`` (canonical columns; index = input-row positions) into ``table``.

    Must run inside the caller's transaction. Raises :class:`ConflictError` naming the file,
    line and first differing field when ``on_conflict="error"`` meets a conflict.
    """
    check_choice("on_conflict", on_conflict, ON_CONFLICT)
    staged = frame.loc[:, list(table.data_columns)].copy()
    staged["__pos"] = np.asarray(frame.index, dtype=np.int64)
    con.register("__incoming", staged)
    try:
        owner_select = ", ".join(f"?::VARCHAR AS {c}" for c in table.owner)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE __staged AS SELECT {owner_select}, * FROM __incoming",
            list(owner),
        )
    finally:
        con.unregister("__incoming")
    match = " AND ".join(f"s.{c} = t.{c}" for c in table.owner + table.key)
    differs = " OR ".join(f"s.{c} IS DISTINCT FROM t.{c}" for c in table.values) or "FALSE"
    counts = first_row(
        con,
        f"""SELECT count(*) FILTER (WHERE {differs}),
                   count(*) FILTER (WHERE NOT ({differs}))
            FROM __staged s JOIN {table.name} t ON {match}""",
    )
    n_conflicts, n_unchanged = (int(counts[0]), int(counts[1])) if counts else (0, 0)
    if n_conflicts and on_conflict == "error":
        _raise_conflict(con, table, match, differs, n_conflicts, source, lines)
    replaced = 0
    if n_conflicts and on_conflict == "replace":
        con.execute(
            f"""DELETE FROM {table.name} t USING __staged s WHERE {match} AND ({differs})"""
        )
        replaced = n_conflicts
    columns = ", ".join(table.owner + table.data_columns)
    before = _count(con, table.name)
    con.execute(
        f"""INSERT INTO {table.name} ({columns}, load_id)
            SELECT {", ".join("s." + c for c in table.owner + table.data_columns)}, ?
            FROM __staged s ANTI JOIN {table.name} t ON {match}""",
        [load_id],
    )
    inserted = _count(con, table.name) - before
    con.execute("DROP TABLE __staged")
    return Upsert(
        added=inserted - replaced,
        replaced=replaced,
        unchanged=n_unchanged,
        kept=n_conflicts if on_conflict == "keep" else 0,
    )


def _count(con: duckdb.DuckDBPyConnection, name: str) -> int:
    row = first_row(con, f"SELECT count(*) FROM {name}")
    return int(row[0]) if row else 0


def _raise_conflict(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    match: str,
    differs: str,
    n: int,
    source: str,
    lines: LineMap | None,
) -> None:
    cols = ", ".join(f"s.{c} AS new_{c}, t.{c} AS old_{c}" for c in table.values)
    keys = ", ".join(f"s.{c}" for c in table.key)
    row = con.execute(
        f"""SELECT s.__pos, {keys}, {cols} FROM __staged s JOIN {table.name} t ON {match}
            WHERE {differs} ORDER BY s.__pos LIMIT 1"""
    ).df()
    first = row.iloc[0]
    field = next(c for c in table.values if not _same(first[f"new_{c}"], first[f"old_{c}"]))
    key_text = ", ".join(f"{c}={first[c]}" for c in table.key)
    more = f" ({n - 1} more such rows)" if n > 1 else ""
    raise ConflictError(
        f"{key_text} is already stored with {field}={first[f'old_{field}']!r}, this file has "
        f"{first[f'new_{field}']!r}{more}; pass --on-conflict replace to overwrite or keep to "
        f"leave stored rows as they are",
        file=source,
        line=lines.line(int(first["__pos"])) if lines is not None else None,
        field=field,
    )


def _same(a: object, b: object) -> bool:
    if pd.isna(a) and pd.isna(b):
        return True
    return bool(a == b)


def in_transaction(con: duckdb.DuckDBPyConnection, work: Callable[[], Upsert]) -> Upsert:
    """Run ``work`` in one transaction: all of it is stored, or none of it."""
    con.execute("BEGIN TRANSACTION")
    try:
        result = work()
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
    return result
