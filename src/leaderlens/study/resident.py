"""The workspace's cached daily series, held in memory while the workspace is open.

The running sums of :mod:`leaderlens.study.running` live in the workspace (table
``series_cache``), and the gather step is an equality join of events to them on (series,
position). Once a series has been read from that table by an open workspace (one query for
all the series a study needs), its columns are kept here as NumPy arrays, all series end to
end, so that the same join is one array index: row = start of the series + position. Nothing
is recomputed: the arrays hold exactly the stored values.

An entry is keyed on the series id with the asset, its benchmark and what the cache's meta
table says of the series (:class:`~leaderlens.study.running.CachedSeries`: the load stamp of
both price series, the centring means, the extent), so a new load of either price series
replaces it exactly as it replaces the cached rows. Studies whose series would exceed
:data:`MAX_ROWS` rows are not held; they join in the engine instead.

Besides the stored columns, :attr:`ResidentSeries.day_code` numbers every distinct bar instant
(ascending), shared by all series: the calendar position of a bar for the Kolari-Pynnönen
cross-correlation, and with the series' order a sorted key for looking instants up.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np

# Rows held in memory per open workspace (9 columns of 8 bytes: about 0.9 GB at most).
MAX_ROWS = 12_000_000
# Events gathered at a time (their row numbers are a temporary of this many rows).
_EVENTS_PER_BLOCK = 4096
SUMS = ("cn", "cr", "cm", "crr", "cmm", "crm")
COLUMNS = ("ts", "r", "m", *SUMS)

_HELD: weakref.WeakKeyDictionary[Any, ResidentSeries] = weakref.WeakKeyDictionary()


@dataclass
class ResidentSeries:
    """Cached series of one open workspace, end to end (K rows in all).

    Attributes:
        keys: series id -> the cache key its rows were stored under.
        start, n_rows: series id -> first row and number of rows in the arrays.
        meta: the cache's meta table as last read by this workspace (see
            :func:`leaderlens.study.running.cached`).
        columns: name -> (K,) the stored column (``ts`` int64 UTC ns, the rest as stored);
            the running sums are views of one (K, 6) block, so that an event's sums at one
            position are read together.
    """

    keys: dict[int, Any] = field(default_factory=dict)
    start: dict[int, int] = field(default_factory=dict)
    n_rows: dict[int, int] = field(default_factory=dict)
    columns: dict[str, np.ndarray] = field(default_factory=dict)
    sums: np.ndarray = field(default_factory=lambda: np.empty((0, len(SUMS))))
    meta: Any = None  # what the cache's meta table said when last read (running.py)
    _codes: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    @property
    def size(self) -> int:
        return int(self.columns["ts"].size) if self.columns else 0

    def holds(self, series_id: int, key: Any) -> bool:
        return self.keys.get(series_id) == key

    def replace(
        self, parts: dict[int, tuple[Any, dict[str, np.ndarray]]], keep: set[int] | None = None
    ) -> None:
        """Put (or replace) whole series: series id -> (key, columns); of the others, hold on
        to those in ``keep`` (None: all)."""
        kept = [s for s in self.keys if s not in parts and (keep is None or s in keep)]
        old = self.columns
        pieces: dict[str, list[np.ndarray]] = {c: [] for c in COLUMNS}
        keys, start, n_rows = {}, {}, {}
        at = 0
        for sid in kept:
            lo, n = self.start[sid], self.n_rows[sid]
            for c in COLUMNS:
                pieces[c].append(old[c][lo : lo + n])
            keys[sid], start[sid], n_rows[sid] = self.keys[sid], at, n
            at += n
        for sid, (key, cols) in parts.items():
            n = int(cols["ts"].size)
            for c in COLUMNS:
                pieces[c].append(np.asarray(cols[c], dtype=np.int64 if c == "ts" else None))
            keys[sid], start[sid], n_rows[sid] = key, at, n
            at += n
        self.columns = {
            c: np.concatenate(p) if p else np.empty(0, np.int64 if c == "ts" else np.float64)
            for c, p in pieces.items()
            if c not in SUMS
        }
        self.sums = np.column_stack(
            [np.concatenate(pieces[c]) if pieces[c] else np.empty(0) for c in SUMS]
        )
        self.columns |= {c: self.sums[:, j] for j, c in enumerate(SUMS)}
        self.keys, self.start, self.n_rows = keys, start, n_rows
        self._codes = None

    def day_code(self) -> np.ndarray:
        """(K,) the rank of each row's instant among all distinct instants held."""
        return self._index()[0]

    def _index(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Day codes, the distinct instants, and the ascending key (series order, code)."""
        if self._codes is None:
            distinct, code = np.unique(self.columns["ts"], return_inverse=True)
            code = code.astype(np.int32)  # a calendar position per bar: half the memory
            order = np.repeat(np.arange(len(self.n_rows)), list(self.n_rows.values()))
            self._codes = (code, distinct, order * (distinct.size + 1) + code)
        return self._codes

    def locate(self, series_id: np.ndarray, instants: np.ndarray) -> np.ndarray:
        """Position of each instant in its series (-1 where the series lacks it), for all
        series at once: rows are stored by series, instants ascending within a series, so
        (series order, instant rank) is one ascending key."""
        _, distinct, key = self._index()
        if distinct.size == 0:
            return np.full(instants.size, -1, dtype=np.int64)
        ordinal = np.zeros(max(self.start) + 1, dtype=np.int64)
        ordinal[list(self.start)] = np.arange(len(self.start))
        q = np.minimum(np.searchsorted(distinct, instants), distinct.size - 1)
        wanted = ordinal[series_id] * (distinct.size + 1) + q
        pos = np.minimum(np.searchsorted(key, wanted), key.size - 1)
        hit = (distinct[q] == instants) & (key[pos] == wanted)
        return np.where(hit, pos - self.first_rows(series_id), -1)

    def gather(
        self,
        series_id: np.ndarray,
        n_rows: np.ndarray,
        k0: np.ndarray,
        offsets: np.ndarray,
        columns: tuple[str, ...],
    ) -> dict[str, np.ndarray]:
        """Columns of each event's series at positions ``k0 + offsets``: the equality join
        on (series, position) as one index. Returns name -> (N, J); NaN where the position
        is outside the series or k0 < 0 (``ts`` and ``day_code``: -1)."""
        n, j = k0.size, offsets.size
        first = self.first_rows(series_id)
        with_sums = set(SUMS) <= set(columns)  # the sums block, read together
        sources = {
            name: self.day_code() if name == "day_code" else self.columns[name]
            for name in columns
            if not (with_sums and name in SUMS)
        }
        out = {name: np.empty((n, j), dtype=source.dtype) for name, source in sources.items()}
        sums = np.empty((n, j, len(SUMS))) if with_sums else None
        # Blocks of events: the row numbers of a block are small, the panels filled in place.
        for lo in range(0, n, _EVENTS_PER_BLOCK):
            hi = min(lo + _EVENTS_PER_BLOCK, n)
            rows = k0[lo:hi, None] + offsets[None, :]
            inside = (k0[lo:hi, None] >= 0) & (rows >= 0) & (rows < n_rows[lo:hi, None])
            rows += first[lo:hi, None]
            everywhere = bool(inside.all())
            if not everywhere:
                rows[~inside] = 0
            for name, source in sources.items():
                np.take(source, rows, out=out[name][lo:hi])
                if not everywhere:
                    out[name][lo:hi][~inside] = -1 if source.dtype.kind == "i" else np.nan
            if sums is not None:
                np.take(self.sums, rows, axis=0, out=sums[lo:hi])
                if not everywhere:
                    sums[lo:hi][~inside] = np.nan
        if sums is not None:
            out |= {c: sums[..., i] for i, c in enumerate(SUMS)}
        return out

    def first_rows(self, series_id: np.ndarray) -> np.ndarray:
        """Row of each series' first bar."""
        lookup = np.zeros(max(self.start, default=0) + 1, dtype=np.int64)
        lookup[list(self.start)] = list(self.start.values())
        return lookup[series_id]

    def series(self, series_id: int, columns: tuple[str, ...]) -> dict[str, np.ndarray]:
        """Whole columns of one series, in position order (views)."""
        lo, n = self.start[series_id], self.n_rows[series_id]
        return {c: self.columns[c][lo : lo + n] for c in columns}


def resident(con: duckdb.DuckDBPyConnection) -> ResidentSeries:
    """The series held for this workspace connection (empty at first)."""
    held = _HELD.get(con)
    if held is None:
        held = _HELD[con] = ResidentSeries()
    return held


def release(con: duckdb.DuckDBPyConnection) -> None:
    """Let go of the series held for this connection (when its workspace closes)."""
    _HELD.pop(con, None)


def ensure(
    con: duckdb.DuckDBPyConnection, wanted: dict[int, tuple[Any, int]]
) -> ResidentSeries | None:
    """The resident series holding every wanted series (id -> (key, rows)), reading the
    missing or outdated ones from ``series_cache`` in one query; None when they are too many
    rows to hold (:data:`MAX_ROWS`)."""
    total = sum(n for _, n in wanted.values())
    if total > MAX_ROWS:
        return None
    held = resident(con)
    missing = sorted(s for s, (key, _) in wanted.items() if not held.holds(s, key))
    if not missing:
        return held
    keep = set(wanted) if held.size + sum(wanted[s][1] for s in missing) > MAX_ROWS else None
    got = con.execute(
        f"""SELECT series_id, {", ".join(COLUMNS)} FROM series_cache
            WHERE series_id IN (SELECT unnest(?::INTEGER[])) ORDER BY series_id, k""",
        [missing],
    ).fetchnumpy()
    sid = np.asarray(got["series_id"], dtype=np.int64)
    bounds = np.searchsorted(sid, np.asarray(missing, dtype=np.int64))
    ends = np.append(bounds[1:], sid.size)
    cols = {c: _plain(got[c], c) for c in COLUMNS}
    held.replace(
        {
            s: (wanted[s][0], {c: cols[c][a:b] for c in COLUMNS})
            for s, a, b in zip(missing, bounds.tolist(), ends.tolist(), strict=True)
        },
        keep,
    )
    return held


def _plain(column: Any, name: str) -> np.ndarray:
    """A fetched column as a plain array: NULL values as NaN (ts as int64)."""
    if name == "ts":
        return np.asarray(column, dtype=np.int64)
    if isinstance(column, np.ma.MaskedArray):
        return np.asarray(np.ma.filled(column.astype(np.float64), np.nan))
    return np.asarray(column, dtype=np.float64)
