"""Atomic, idempotent loads of canonical frames into workspace tables.

A load is one transaction: the owner rows (leader, brand, asset), the data rows and the load
record go in together or not at all, so a killed process or a refused row leaves the workspace
exactly as it was. Rows are matched on their natural key (owner columns + key columns): a row
already stored with the same values is *unchanged* (so re-loading a file adds nothing); one with
other values is a *conflict*, refused by default (``on_conflict="error"``), kept as stored
(``"keep"``) or overwritten (``"replace"``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from leaderlens.errors import BadInputError, ConflictError, check_choice
from leaderlens.options import ON_CONFLICT
from leaderlens.readers.base import COLUMNS, LineMap
from leaderlens.store.sql import first_row

# Two floating-point values of one key are the same when they differ by at most this share of
# the larger: two Yahoo files of one stock disagree by a few parts in 10^8 (float32 rounding,
# 10.859999656677246 against 10.86), which is not a conflict.
DEFAULT_RTOL = 1e-6


@dataclass(frozen=True)
class Table:
    """Where one kind of rows lives: owner columns, key columns within the owner, values;
    ``texts`` when the rows carry free text (see :func:`unordered_inserts`)."""

    name: str
    owner: tuple[str, ...]
    key: tuple[str, ...]
    values: tuple[str, ...]
    texts: bool = False

    @property
    def data_columns(self) -> tuple[str, ...]:
        return self.key + self.values


def _table(name: str, owner: tuple[str, ...], kind: str, key: tuple[str, ...]) -> Table:
    values = tuple(c for c in COLUMNS[kind] if c not in key)
    return Table(name, owner, key, values, texts="text" in values)


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
    rtol: float = DEFAULT_RTOL,
) -> Upsert:
    """Merge ``frame`` (canonical columns; index = input-row positions) into ``table``.
    Floating-point values within ``rtol`` (relative to the larger) of the stored ones are the
    same.

    Must run inside the caller's transaction. Raises :class:`ConflictError` naming the file,
    line and first differing field when ``on_conflict="error"`` meets a conflict.

    ``frame`` has unique keys (every reader guarantees it, refusing a key repeated with other
    values). When the owner has no stored rows yet nothing can conflict, so the rows go in
    straight from the incoming table, without the conflict join and the anti-join. Otherwise
    the incoming Arrow table is joined as it is (no staging copy): the owner is a filter on
    the stored rows.
    """
    check_choice("on_conflict", on_conflict, ON_CONFLICT)
    if not (isinstance(rtol, float | int) and 0 <= rtol < 1):
        raise BadInputError(f"the conflict tolerance must be in [0, 1); got {rtol!r}", field="rtol")
    floats = {c for c in table.values if c in frame and pd.api.types.is_float_dtype(frame[c])}
    con.register("__incoming", _incoming(frame, table))
    try:
        if not _owner_has_rows(con, table, owner):
            added = _insert(con, table, "__incoming", owner, load_id)
            return Upsert(added=added, replaced=0, unchanged=0, kept=0)
        same = Sameness(floats, float(rtol))
        return _merge(con, table, owner, on_conflict, source, lines, load_id, same)
    finally:
        con.unregister("__incoming")


def _incoming(frame: pd.DataFrame, table: Table) -> pa.Table:
    """The data columns and the input-row positions (``__pos``) as an Arrow table.

    DuckDB scans an Arrow table without converting it (about twice as fast as scanning the
    pandas frame), and building it copies no column of numbers.
    """
    data = pa.Table.from_pandas(frame.loc[:, list(table.data_columns)], preserve_index=False)
    return data.append_column("__pos", pa.array(np.asarray(frame.index, dtype=np.int64)))


def _owner_has_rows(con: duckdb.DuckDBPyConnection, table: Table, owner: Sequence[object]) -> bool:
    where = " AND ".join(f"{c} IS NOT DISTINCT FROM ?" for c in table.owner)
    return (
        first_row(con, f"SELECT 1 FROM {table.name} WHERE {where} LIMIT 1", list(owner)) is not None
    )


def _insert(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    rows: str,
    owner: Sequence[object],
    load_id: int,
    *,
    unless_stored: str = "",
    unless_params: Sequence[object] = (),
) -> int:
    """Insert ``rows`` (a table or view with the data columns) for ``owner``; the number
    inserted, as the insert itself reports it. ``unless_stored`` (an anti-join, with its own
    ``unless_params``) leaves out rows already stored."""
    columns = ", ".join(table.owner + table.data_columns)
    owners = ", ".join("?::VARCHAR" for _ in table.owner)
    data = ", ".join("s." + c for c in table.data_columns)
    row = first_row(
        con,
        f"""INSERT INTO {table.name} ({columns}, load_id)
            SELECT {owners}, {data}, ? FROM {rows} s {unless_stored}""",
        [*owner, load_id, *unless_params],
    )
    return int(row[0]) if row else 0


def _merge(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    owner: Sequence[object],
    on_conflict: str,
    source: str,
    lines: LineMap | None,
    load_id: int,
    same: Sameness,
) -> Upsert:
    """The rows of ``__incoming`` against the owner's stored rows: unchanged, conflicting, new.

    ``match`` pairs an incoming row with the stored row of the same owner and key; its
    parameters are the owner's values (``IS NOT DISTINCT FROM``, as a missing owner part
    matches a missing one).
    """
    match = " AND ".join(
        [f"s.{c} = t.{c}" for c in table.key]
        + [f"t.{c} IS NOT DISTINCT FROM ?::VARCHAR" for c in table.owner]
    )
    params = list(owner)
    differs = " OR ".join(same.differs(c) for c in table.values) or "FALSE"
    counts = first_row(
        con,
        f"""SELECT count(*) FILTER (WHERE {differs}),
                   count(*) FILTER (WHERE NOT ({differs}))
            FROM __incoming s JOIN {table.name} t ON {match}""",
        params,
    )
    n_conflicts, n_unchanged = (int(counts[0]), int(counts[1])) if counts else (0, 0)
    if n_conflicts and on_conflict == "error":
        _raise_conflict(con, table, match, params, differs, n_conflicts, source, lines, same)
    replaced = 0
    if n_conflicts and on_conflict == "replace":
        con.execute(
            f"""DELETE FROM {table.name} t USING __incoming s WHERE {match} AND ({differs})""",
            params,
        )
        replaced = n_conflicts
    inserted = _insert(
        con,
        table,
        "__incoming",
        owner,
        load_id,
        unless_stored=f"ANTI JOIN {table.name} t ON {match}",
        unless_params=params,
    )
    return Upsert(
        added=inserted - replaced,
        replaced=replaced,
        unchanged=n_unchanged,
        kept=n_conflicts if on_conflict == "keep" else 0,
    )


def _raise_conflict(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    match: str,
    params: Sequence[object],
    differs: str,
    n: int,
    source: str,
    lines: LineMap | None,
    same: Sameness,
) -> None:
    cols = ", ".join(f"s.{c} AS new_{c}, t.{c} AS old_{c}" for c in table.values)
    keys = ", ".join(f"s.{c}" for c in table.key)
    row = con.execute(
        f"""SELECT s.__pos, {keys}, {cols} FROM __incoming s JOIN {table.name} t ON {match}
            WHERE {differs} ORDER BY s.__pos LIMIT 1""",
        list(params),
    ).df()
    first = row.iloc[0]
    field = next(c for c in table.values if not same.same(c, first[f"new_{c}"], first[f"old_{c}"]))
    key_text = ", ".join(f"{c}={_plain(first[c])}" for c in table.key)
    more = f" ({n - 1} more such rows)" if n > 1 else ""
    beyond = f" (beyond the relative tolerance {same.rtol:g})" if field in same.floats else ""
    raise ConflictError(
        f"{key_text} is already stored with {field}={_plain(first[f'old_{field}'])!r}, this "
        f"file has {_plain(first[f'new_{field}'])!r}{beyond}{more}; pass --on-conflict replace "
        f"to overwrite or keep to leave stored rows as they are",
        file=source,
        line=lines.line(int(first["__pos"])) if lines is not None else None,
        field=field,
    )


@dataclass(frozen=True)
class Sameness:
    """When an incoming value equals the stored one: exactly, or within ``rtol`` of the larger
    for the floating-point columns ``floats``."""

    floats: set[str]
    rtol: float

    def differs(self, c: str) -> str:
        """SQL: the incoming (``s``) and stored (``t``) values of column ``c`` differ."""
        if c not in self.floats:
            return f"s.{c} IS DISTINCT FROM t.{c}"
        near = f"abs(s.{c} - t.{c}) <= {self.rtol!r} * greatest(abs(s.{c}), abs(t.{c}))"
        return f"NOT coalesce(s.{c} IS NOT DISTINCT FROM t.{c} OR {near}, FALSE)"

    def same(self, c: str, a: Any, b: Any) -> bool:
        """Python's side of :meth:`differs`, for the message naming the differing field."""
        if pd.isna(a) and pd.isna(b):
            return True
        if c in self.floats and not (pd.isna(a) or pd.isna(b)):
            return math.isclose(float(a), float(b), rel_tol=self.rtol)
        return bool(a == b)


def _plain(value: object) -> object:
    """A NumPy scalar as the plain Python value (its repr without ``np.float64(...)``)."""
    return value.item() if isinstance(value, np.generic) else value


@contextmanager
def unordered_inserts(con: duckdb.DuckDBPyConnection, table: Table) -> Iterator[None]:
    """For a table of texts, let DuckDB store inserted rows in the order its threads finish
    them, not the input's.

    Every read of the workspace says its order (``ORDER BY``), so nothing depends on the
    order rows lie in the file. Keeping the input's order, DuckDB's threads write a load of
    texts twice: a million statements cost 1.1 s to commit and close instead of 0.6 s, and
    left a file of 44 MB instead of 23 MB. Bars gain nothing (ten million loaded as fast or
    slower), so other tables keep the order. The setting is global to the database, so the
    caller's value is put back; use this outside the load's transaction (a failed
    transaction refuses ``SET`` until it is rolled back).
    """
    if not table.texts:
        yield
        return
    row = first_row(con, "SELECT current_setting('preserve_insertion_order')")
    before = bool(row[0]) if row else True
    con.execute("SET preserve_insertion_order = false")
    try:
        yield
    finally:
        con.execute(f"SET preserve_insertion_order = {str(before).lower()}")


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
