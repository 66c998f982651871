"""The embedded engine: DuckDB, for the workspace's gather step and for Parquet studies.

DESIGN "Computing at scale": (1) *gather* joins every event to the bars of its estimation and
event windows by grid index, giving an event-time panel; the *finish* (models, abnormal values,
tests) runs in NumPy on the dense panels. The join is one relational query over two small
tables, so a distributed engine can run the same plan. :class:`DuckDBEngine` runs the shared
SQL of :mod:`leaderlens.engines.relational` on Parquet files or frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from leaderlens.errors import BadInputError, EngineError


@dataclass(frozen=True)
class Panels:
    """Values of N events at J relative bars (shape (N, J) each; NaN where absent).

    offsets: (J,) the relative bars, ascending. values: name -> (N, J) panel for each value
    column of the series table. ts: (N, J) grid instant (UTC ns) of each position, -1 where the
    grid has no such bar (used to align residuals of different events by calendar time).
    """

    offsets: np.ndarray
    values: dict[str, np.ndarray]
    ts: np.ndarray


def gather_panels(
    con: duckdb.DuckDBPyConnection,
    series: pd.DataFrame,
    events: pd.DataFrame,
    offsets: np.ndarray,
) -> Panels:
    """Join ``events`` (columns ``asset``, ``k0``; one row per event) to ``series`` (columns
    ``asset``, ``k``, ``ts`` and value columns) at ``k0 + offsets``.

    ``asset`` codes are integers; ``k`` is a bar's position on its asset's grid.
    """
    value_columns = [c for c in series.columns if c not in ("asset", "k", "ts")]
    n, j = len(events), len(offsets)
    ev = pd.DataFrame(
        {
            "i": np.arange(n, dtype=np.int64),
            "asset": events["asset"].to_numpy(np.int64),
            "k0": events["k0"].to_numpy(np.int64),
        }
    )
    off = pd.DataFrame({"j": np.arange(j, dtype=np.int64), "off": np.asarray(offsets, np.int64)})
    con.register("__series", series)
    con.register("__events", ev)
    con.register("__offsets", off)
    try:
        cols = ", ".join(f's."{c}"' for c in value_columns)
        got = con.execute(
            f"""WITH wanted AS (
                    SELECT e.i, o.j, e.asset, e.k0 + o.off AS k
                    FROM __events e CROSS JOIN __offsets o)
                SELECT w.i, w.j, s.ts, {cols}
                FROM wanted w JOIN __series s ON s.asset = w.asset AND s.k = w.k"""
        ).fetchnumpy()
    finally:
        for name in ("__series", "__events", "__offsets"):
            con.unregister(name)
    values = scatter(got, (n, j), tuple(value_columns))
    ts = np.full((n, j), -1, dtype=np.int64)
    ts[np.asarray(got["i"], np.int64), np.asarray(got["j"], np.int64)] = got["ts"]
    return Panels(offsets=np.asarray(offsets, np.int64), values=values, ts=ts)


def scatter(
    got: dict[str, np.ndarray], shape: tuple[int, int], columns: tuple[str, ...]
) -> dict[str, np.ndarray]:
    """Fetched long rows (``i`` event, ``j`` relative bar, one column per value) as dense
    (N, J) panels, NaN where no row came back."""
    at = (np.asarray(got["i"], dtype=np.int64), np.asarray(got["j"], dtype=np.int64))
    out = {}
    for name in columns:
        panel = np.full(shape, np.nan)
        panel[at] = as_floats(got[name])
        out[name] = panel
    return out


def as_floats(column: object) -> np.ndarray:
    """A fetched column as float64 with NULL (masked) values as NaN."""
    if isinstance(column, np.ma.MaskedArray):
        return np.asarray(np.ma.filled(column.astype(np.float64), np.nan))
    return np.asarray(column, dtype=np.float64)


class DuckDBEngine:
    """The shared SQL on an in-memory DuckDB that reads Parquet in place.

    Spark's spelling of the few functions whose names differ is defined as macros, so one SQL
    text serves both engines. Large queries spill to a temporary folder instead of failing
    when they outgrow memory.
    """

    name = "duckdb"

    def __init__(self, memory_limit: str | None = None) -> None:
        self.con = duckdb.connect()
        self.con.execute("SET TimeZone = 'UTC'")
        self.con.execute("SET preserve_insertion_order = false")
        if memory_limit is not None:
            self.con.execute(f"SET memory_limit = '{memory_limit}'")
        self.con.execute("CREATE MACRO unix_micros(t) AS epoch_us(t)")
        self.con.execute("CREATE MACRO regexp_like(s, p) AS regexp_matches(s, p)")

    def register(
        self, name: str, source: str | Path | pd.DataFrame, rename: dict[str, str] | None = None
    ) -> None:
        """``source``: a Parquet file, a folder of Parquet files, or a frame; ``rename`` maps
        column names to the names the queries use."""
        # A name registered before (a frame, or a view over files) is replaced, never read.
        self.con.execute(f"DROP VIEW IF EXISTS {name}")
        self.con.unregister(name)
        if isinstance(source, pd.DataFrame):
            self.con.register(name, source.rename(columns=rename or {}))
            return
        path = Path(source)
        if not path.exists():
            raise BadInputError(
                f"no Parquet file or folder at {str(path)!r} (the duckdb engine reads files; "
                "table names are for the spark engine)",
                file=str(path),
            )
        pattern = str(path / "**" / "*.parquet") if path.is_dir() else str(path)
        quoted = pattern.replace("'", "''")
        columns = "*"
        if rename:
            pairs = ", ".join(f'"{a}" AS {b}' for a, b in rename.items())
            columns = f"* RENAME ({pairs})"
        self.con.execute(
            f"CREATE OR REPLACE VIEW {name} AS SELECT {columns} FROM read_parquet('{quoted}')"
        )

    def query(self, sql: str) -> dict[str, np.ndarray]:
        try:
            got = self.con.execute(sql).fetchnumpy()
        except duckdb.Error as exc:
            raise EngineError(f"duckdb: {exc}") from exc
        return dict(got)

    def materialize(self, name: str, sql: str) -> None:
        try:
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")
        except duckdb.Error as exc:
            raise EngineError(f"duckdb: {exc}") from exc

    def columns(self, name: str) -> list[str]:
        """Column names of the relation ``name``."""
        return [str(r[0]) for r in self.con.execute(f"DESCRIBE {name}").fetchall()]

    def close(self) -> None:
        self.con.close()
