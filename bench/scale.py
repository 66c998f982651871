"""Scale: the event study and mention aggregation on the embedded engine and on Spark.

Bars are generated as Parquet by DuckDB (``COPY ... FROM range``): assets of 3,280 hourly bars
each, 100 events per asset 30 bars apart, estimation window [-250, -11] and event window
[-10, +10], so each event's windows cover 261 bars (1,000,000 events: 10,000 assets, 32.8 M
bars, 261 M event-time panel rows gathered inside the engine, never on the driver). Each size
runs through ``parquet_event_study`` on DuckDB and on Spark local mode (per-event statistics,
and the whole battery with its in-engine rank pass), printing seconds and rows per second.
Then 1,000,000,000 synthetic mentions are generated inside Spark and aggregated by hour.
Attention lifts (``lifts_on``): daily series of 1,570 days with 100 posts each, 15 days apart,
weekly baseline over [-60, -8], window [0, 7], 10,000 events by default, on both engines.

    python bench/scale.py                              # 10k, 100k, 1M events; 1e9 mentions
    python bench/scale.py --sizes 10000 --mentions 1e7 --no-battery
    python bench/scale.py --sizes --mentions 0 --lifts 10000 100000   # lifts only
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import duckdb

from leaderlens.attention.engine_lifts import lifts_on
from leaderlens.engines.base import get_engine
from leaderlens.study.scale import parquet_event_study

PER_ASSET = 100
SPACING = 30
ESTIMATION = (-250, -11)
WINDOW = (-10, 10)
FIRST = 260
BARS_PER_ASSET = FIRST + PER_ASSET * SPACING + 20
PANEL = WINDOW[1] - ESTIMATION[0] + 1


def generate(folder: Path, n_events: int) -> tuple[Path, Path]:
    """Bars (ret given) and events as Parquet, written by DuckDB from ``range``."""
    n_assets = max(1, n_events // PER_ASSET)
    bars, events = folder / f"bars_{n_events}", folder / f"events_{n_events}.parquet"
    if bars.exists():
        return bars, events
    bars.mkdir()
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'; SELECT setseed(0.42)")
    con.execute(
        f"""COPY (
            SELECT CASE WHEN a < 0 THEN 'MKT' ELSE 'A' || a END AS asset,
                   TIMESTAMPTZ '2000-01-03 00:00:00+00' + k * INTERVAL 1 HOUR AS ts,
                   (random() - 0.5) * 0.02 AS ret
            FROM range(-1, {n_assets}) r(a), range({BARS_PER_ASSET}) b(k))
        TO '{bars}' (FORMAT PARQUET, PER_THREAD_OUTPUT true)"""
    )
    con.execute(
        f"""COPY (
            SELECT 'A' || a AS asset,
                   TIMESTAMPTZ '2000-01-03 00:00:00+00'
                       + ({FIRST} + e * {SPACING}) * INTERVAL 1 HOUR - INTERVAL 20 MINUTE AS time
            FROM range({n_assets}) r(a), range({PER_ASSET}) x(e))
        TO '{events}' (FORMAT PARQUET)"""
    )
    con.close()
    return bars, events


def timed(label: str, n_events: int, run: object) -> float:
    start = time.perf_counter()
    result = run()  # type: ignore[operator]
    seconds = time.perf_counter() - start
    studied = int(result.events_frame()["excluded"].eq("").sum())
    print(
        f"{label:<34} {n_events:>10,} events {seconds:>9.1f} s "
        f"{n_events * PANEL / seconds:>14,.0f} panel rows/s  ({studied:,} studied)",
        flush=True,
    )
    return seconds


def mentions(n: int, spark_engine: object) -> None:
    """n synthetic mentions over one year, aggregated by hour (count and leader mentions)."""
    sql = f"""SELECT hour, COUNT(*) AS mentions, SUM(leader) AS with_leader FROM (
                SELECT CAST(FLOOR(((id * 7919) % 31536000) / 3600) AS BIGINT) AS hour,
                       CASE WHEN id % 5 = 0 THEN 1 ELSE 0 END AS leader
                FROM range(0, {n}) r(id)) x
              GROUP BY hour"""
    for name, engine in (("spark", spark_engine), ("duckdb", get_engine("duckdb"))):
        start = time.perf_counter()
        got = engine.query(sql.replace("r(id)", "r") if name == "spark" else sql)  # type: ignore[attr-defined]
        seconds = time.perf_counter() - start
        total = int(got["mentions"].sum())
        print(
            f"mentions by hour on {name:<13} {total:>14,} rows {seconds:>9.1f} s "
            f"{total / seconds:>14,.0f} rows/s ({len(got['hour'])} hours)",
            flush=True,
        )


LIFT_SPACING, LIFT_DAYS = 15, 60 + PER_ASSET * 15 + 10


def lift_files(folder: Path, n_events: int) -> tuple[Path, Path]:
    """Daily attention series (Poisson-like counts) and their posts as Parquet, by DuckDB."""
    n_series = max(1, n_events // PER_ASSET)
    attention, posts = folder / f"attention_{n_events}", folder / f"posts_{n_events}.parquet"
    attention.mkdir()
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'; SELECT setseed(0.17)")
    con.execute(
        f"""COPY (
            SELECT 'S' || s AS series,
                   TIMESTAMPTZ '2015-01-01 00:00:00+00' + d * INTERVAL 1 DAY AS ts,
                   CAST(FLOOR(50 + 20 * random()) AS DOUBLE) AS value
            FROM range({n_series}) r(s), range({LIFT_DAYS}) g(d))
        TO '{attention}' (FORMAT PARQUET, PER_THREAD_OUTPUT true)"""
    )
    con.execute(
        f"""COPY (
            SELECT 'S' || s AS series,
                   TIMESTAMPTZ '2015-01-01 09:30:00+00'
                       + (60 + e * {LIFT_SPACING}) * INTERVAL 1 DAY AS time
            FROM range({n_series}) r(s), range({PER_ASSET}) x(e))
        TO '{posts}' (FORMAT PARQUET)"""
    )
    con.close()
    return attention, posts


def lifts(folder: Path, n_events: int, engines: dict[str, object]) -> None:
    """Attention lifts of ``n_events`` posts on each engine, in seconds."""
    attention, posts = lift_files(folder, n_events)
    for name, engine in engines.items():
        start = time.perf_counter()
        got = lifts_on(attention, posts, seasonal="weekly", engine=engine)  # type: ignore[arg-type]
        seconds = time.perf_counter() - start
        print(
            f"lifts on {name:<25} {n_events:>10,} events {seconds:>9.1f} s "
            f"({int(got.lifts.valid.sum()):,} valid)",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--lifts", type=int, nargs="*", default=[10_000])
    parser.add_argument("--mentions", type=float, default=1e9)
    parser.add_argument("--no-battery", action="store_true")
    parser.add_argument("--no-spark-above", type=int, default=10**9)
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()
    spark = None
    if args.mentions > 0:
        spark = get_engine("spark", master=args.master)
        mentions(int(args.mentions), spark)
    with tempfile.TemporaryDirectory(prefix="leaderlens_scale_") as tmp:
        folder = Path(tmp)
        times: dict[tuple[str, int], float] = {}
        for n in args.sizes:
            bars, events = generate(folder, n)
            for tests in ("per-event",) if args.no_battery else ("per-event", "all"):
                for name in ("duckdb", "spark"):
                    if name == "spark" and n > args.no_spark_above:
                        continue
                    if name == "spark" and spark is None:
                        spark = get_engine("spark", master=args.master)
                    engine = spark if name == "spark" else get_engine("duckdb")
                    times[(f"{name} {tests}", n)] = timed(
                        f"study on {name} ({tests})",
                        n,
                        lambda e=engine, t=tests, b=bars, v=events: parquet_event_study(
                            b,
                            v,
                            market="MKT",
                            estimation=ESTIMATION,
                            window=WINDOW,
                            tests=t,
                            n_bootstrap=0,
                            engine=e,
                        ),
                    )
        for tests in ("per-event", "all") if args.sizes else ():
            pays = [
                n
                for n in args.sizes
                if (f"spark {tests}", n) in times
                and times[(f"spark {tests}", n)] < times[(f"duckdb {tests}", n)]
            ]
            verdict = f"from {min(pays):,} events" if pays else "at none of the sizes run"
            print(f"spark pays ({tests}) {verdict} on this machine ({args.master})")
        for n in args.lifts:
            spark = spark or get_engine("spark", master=args.master)
            lifts(folder, n, {"duckdb": get_engine("duckdb"), f"spark {args.master}": spark})


if __name__ == "__main__":
    main()
