"""Ingest speed: leaderlens loading files into a workspace vs. pandas merely parsing them.

Generates synthetic hourly bars and statements (CSV and Parquet), then for each file times
(1) ``pandas.read_csv`` / ``pandas.read_parquet`` of the file, the yardstick, and
(2) ``Workspace.ingest_prices`` / ``ingest_statements`` of the same file into a new workspace
(reading, checking every row, and the atomic load) and closing the workspace (the checkpoint
DuckDB defers to the close is part of the load's cost), and prints rows per second and the
ratio. Target: leaderlens at no less than half the speed of pandas parsing (ratio >= 0.5).

Before timing, each of the three is run once untimed on a small copy of each file, so that no
timing carries one-time costs (imports, thread pools) that the first call of a process pays.

``--floor`` adds DuckDB's own load of the same file (``CREATE TABLE AS SELECT * FROM
read_csv(...)`` / ``read_parquet(...)`` into a new database file, one transaction, no checks,
no owner columns, closing the file included): the most any load into a DuckDB file can reach
on this machine, beside which leaderlens' ratio is read.

    python bench/ingest.py                       # 10 million bars, 1 million statements
    python bench/ingest.py --bars 1e6 --statements 1e5
    python bench/ingest.py --repeat 3            # best of 3 runs each (a busy machine)
    python bench/ingest.py --floor               # also DuckDB's own unchecked load
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

import leaderlens as ll


def write_bars(folder: Path, n: int) -> dict[str, Path]:
    rng = np.random.default_rng(1)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.002, n)))
    frame = pd.DataFrame(
        {
            "timestamp": pd.date_range("1990-01-01", periods=n, freq="h", tz="UTC"),
            "open": close * (1 + rng.normal(0, 1e-3, n)),
            "high": close * 1.01,
            "low": close * 0.99,
            "close": close,
            "volume": rng.integers(1, 10**6, n).astype(float),
        }
    )
    return _write(folder, "bars", frame)


def write_statements(folder: Path, n: int) -> dict[str, Path]:
    rng = np.random.default_rng(2)
    words = np.array(["launch", "car", "rocket", "coin", "thanks", "soon", "great", "we", "the"])
    text = pd.Series(rng.choice(words, (n, 8)).tolist()).str.join(" ")
    frame = pd.DataFrame(
        {
            "id": np.arange(10**15, 10**15 + n).astype(str),
            "time": pd.date_range("2010-01-01", periods=n, freq="37min", tz="UTC"),
            "text": text,
            "likes": rng.integers(0, 10**5, n),
            "reposts": rng.integers(0, 10**4, n),
            "replies": rng.integers(0, 10**4, n),
        }
    )
    return _write(folder, "statements", frame)


def _write(folder: Path, name: str, frame: pd.DataFrame) -> dict[str, Path]:
    paths = {"csv": folder / f"{name}.csv", "parquet": folder / f"{name}.parquet"}
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.register("frame", frame)
    # ISO 8601 with an explicit UTC offset, as users' exports carry.
    con.execute(
        f"COPY frame TO '{paths['csv']}' (HEADER, TIMESTAMPFORMAT '%Y-%m-%dT%H:%M:%S+00:00')"
    )
    con.close()
    frame.to_parquet(paths["parquet"], index=False)
    return paths


def timed(action: Callable[[], object], repeat: int = 1) -> float:
    """The best wall time of ``repeat`` runs (the least disturbed by other work)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def load_once(what: str, path: Path, ws_path: Path) -> float:
    """Seconds to load ``path`` into a new workspace and close it (opening not counted)."""
    ws_path.unlink(missing_ok=True)
    with ll.Workspace.open(ws_path) as ws:
        start = time.perf_counter()
        if what == "bars":
            ws.ingest_prices(path, asset="SYN", calendar="24/7")
        else:
            ws.ingest_statements(path, leader="syn")
    return time.perf_counter() - start


def duckdb_floor(path: Path, db_path: Path) -> float:
    """Seconds for DuckDB alone to load ``path`` into a new database file and close it (no
    checks)."""
    db_path.unlink(missing_ok=True)
    con = duckdb.connect(str(db_path))
    con.execute("SET TimeZone = 'UTC'")
    scan = "read_parquet" if path.suffix == ".parquet" else "read_csv"
    start = time.perf_counter()
    try:
        con.execute("BEGIN TRANSACTION")
        con.execute(f"CREATE TABLE rows AS SELECT * FROM {scan}(?)", [str(path)])
        con.execute("COMMIT")
    finally:
        con.close()
    elapsed = time.perf_counter() - start
    db_path.unlink(missing_ok=True)
    return elapsed


def warm_up(folder: Path, floor: bool) -> None:
    """Run every timed action once, untimed, on small files of the same kinds."""
    small = folder / "warm-up"
    small.mkdir()
    for what, paths in (
        ("bars", write_bars(small, 1_000)),
        ("statements", write_statements(small, 1_000)),
    ):
        for fmt, path in paths.items():
            (pd.read_csv if fmt == "csv" else pd.read_parquet)(path)
            load_once(what, path, small / "warm-up.duckdb")
            if floor:
                duckdb_floor(path, small / "floor.duckdb")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=float, default=10e6)
    parser.add_argument("--statements", type=float, default=1e6)
    parser.add_argument("--repeat", type=int, default=1, help="best of this many runs each")
    parser.add_argument("--floor", action="store_true", help="also time DuckDB's own load")
    args = parser.parse_args()
    n_bars, n_statements = int(args.bars), int(args.statements)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"writing {n_bars:,} hourly bars and {n_statements:,} statements ...", flush=True)
        files = {
            "bars": write_bars(folder, n_bars),
            "statements": write_statements(folder, n_statements),
        }
        rows = {"bars": n_bars, "statements": n_statements}
        warm_up(folder, args.floor)
        header = f"{'file':<20}{'pandas rows/s':>16}{'leaderlens rows/s':>20}{'ratio':>8}"
        print(header + (f"{'duckdb alone ratio':>20}" if args.floor else ""))
        for what, paths in files.items():
            for fmt, path in paths.items():
                parse = pd.read_csv if fmt == "csv" else pd.read_parquet
                t_pandas = timed(lambda p=path, f=parse: f(p), args.repeat)
                ws_path = folder / f"{what}-{fmt}.duckdb"
                t_ll = min(load_once(what, path, ws_path) for _ in range(args.repeat))
                n = rows[what]
                line = (
                    f"{what + '.' + fmt:<20}{n / t_pandas:>16,.0f}{n / t_ll:>20,.0f}"
                    f"{t_pandas / t_ll:>8.2f}"
                )
                if args.floor:
                    db = folder / "floor.duckdb"
                    t_floor = min(duckdb_floor(path, db) for _ in range(args.repeat))
                    line += f"{t_pandas / t_floor:>20.2f}"
                print(line, flush=True)
                ws_path.unlink()


if __name__ == "__main__":
    main()
