"""Brand-attention speed: share of voice and hourly mention counts over synthetic mentions held
in Parquet, and event-by-event lifts for many statements, each beside a pandas yardstick.

Mentions (default 100 million, about 3 years of hours) are written once, in chunks, to Parquet
files under a temporary folder: ``ts`` (UTC), ``text`` (one of 40 short templates in English
and Chinese, half naming the leader, followed by a random number so that texts are distinct as
real conversation is), ``engagement``. leaderlens counts mentions per hour and
the leader's share (plain and engagement-weighted, query terms matched by RE2 in DuckDB) with
:func:`leaderlens.attention.scale.mention_buckets`; pandas reads the same files (text as
pandas' Arrow-backed strings) and does ``str.contains`` + ``groupby``. Peak
memory of each side is printed (resident set size, Linux). Lifts: ``event_lifts`` for 100,000
statements on one hourly series against a pandas groupby over the long event-time panel that
computes the same outputs (CAR, Lift, the CAR's standard error, t and p; checked equal).

    python bench/attention.py                  # 100 million mentions, 100,000 statements
    python bench/attention.py --mentions 5e6 --statements 2e4
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from scipy import stats

from leaderlens.attention.lift import event_lifts
from leaderlens.attention.scale import mention_buckets

TERMS = ["Rex Vale", "@rexvale", "林巍"]
TEMPLATES = [
    "Voltra V update looks great",
    "Anyone else waiting on Voltra support?",
    "Did you see what Rex Vale posted about Voltra?",
    "Rex Vale is the only reason I follow Voltra",
    "@rexvale please fix the app",
    "Voltra stock moving today, watching closely",
    "Orbit X5和别家比怎么样\uff1f求推荐",
    "因为林巍才关注Orbit的",
    "林巍又在直播讲Orbit X5了",
    "Orbit的售后有人用过吗\uff1f",
] * 4
TEMPLATES = [f"{t} #{i}" for i, t in enumerate(TEMPLATES)]
START_US = pd.Timestamp("2022-01-01", tz="UTC").value // 1000
SPAN_US = 3 * 365 * 24 * 3600 * 1_000_000


def rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def write_mentions(folder: Path, n: int, chunk: int = 10_000_000) -> list[Path]:
    rng = np.random.default_rng(1)
    paths = []
    words = pa.array(TEMPLATES)
    for i, start in enumerate(range(0, n, chunk)):  # chunks keep memory bounded
        size = min(chunk, n - start)
        ts = np.sort(START_US + rng.integers(0, SPAN_US, size))
        codes = pa.array(rng.integers(0, len(TEMPLATES), size).astype(np.int32))
        tails = pc.cast(pa.array(rng.integers(0, 10**9, size)), pa.string())
        text = pc.binary_join_element_wise(pc.take(words, codes), tails, " ")
        table = pa.table(
            {
                "ts": pa.array(ts, pa.timestamp("us", tz="UTC")),
                "text": text,
                "engagement": pa.array(np.round(np.exp(rng.normal(2.0, 1.2, size)))),
            }
        )
        path = folder / f"mentions_{i:03d}.parquet"
        pq.write_table(table, path, row_group_size=1_000_000)
        paths.append(path)
    return paths


def leaderlens_share(folder: Path) -> tuple[float, pd.DataFrame]:
    con = duckdb.connect()
    t = time.perf_counter()
    out = mention_buckets(con, f"read_parquet('{folder}/*.parquet')", TERMS, freq="1h")
    return time.perf_counter() - t, out


def pandas_share(paths: list[Path]) -> tuple[float, pd.DataFrame]:
    t = time.perf_counter()
    frame = pd.concat([pd.read_parquet(p) for p in paths], ignore_index=True)
    pattern = r"(?i)(?<![0-9A-Za-z_])(?:Rex Vale|@rexvale)(?![0-9A-Za-z_])|林巍"
    named = frame["text"].str.contains(pattern, regex=True).to_numpy(dtype=bool)
    frame = frame.assign(
        hour=frame["ts"].dt.floor("h"),
        named=named,
        leader_engagement=np.where(named, frame["engagement"].to_numpy(), 0.0),
    )
    out = frame.groupby("hour").agg(
        mentions=("named", "size"),
        leader_mentions=("named", "sum"),
        engagement=("engagement", "sum"),
        leader_engagement=("leader_engagement", "sum"),
    )
    return time.perf_counter() - t, out.reset_index()


def pandas_lifts(
    y: np.ndarray, events: np.ndarray, est_off: np.ndarray, win_off: np.ndarray
) -> pd.DataFrame:
    """The yardstick: the same per-event outputs (CAR, Lift, the CAR's standard error, t and
    two-sided p) by a pandas groupby over the long event-time panel."""
    n_events = len(events)
    est = pd.DataFrame(
        {
            "event": np.repeat(np.arange(n_events), len(est_off)),
            "y": y[(events[:, None] + est_off).ravel()],
        }
    )
    mu = est.groupby("event")["y"].agg(["mean", "var", "size"])
    win = pd.DataFrame(
        {
            "event": np.repeat(np.arange(n_events), len(win_off)),
            "y": y[(events[:, None] + win_off).ravel()],
        }
    )
    win["ar"] = win["y"] - mu["mean"].to_numpy()[win["event"].to_numpy()]
    out = pd.DataFrame({"car": win.groupby("event")["ar"].sum()})
    length, size = len(win_off), mu["size"].to_numpy()
    out["lift"] = out["car"] / (length * mu["mean"].to_numpy())
    out["car_se"] = np.sqrt(mu["var"].to_numpy() * (length + length**2 / size))
    out["t"] = out["car"] / out["car_se"]
    out["p_value"] = 2 * stats.t.sf(out["t"].abs(), size - 1)
    return out


def lifts_bench(n_events: int, repeat: int = 3) -> None:
    rng = np.random.default_rng(2)
    n = 24 * 365 * 12
    labels = pd.date_range("2014-01-01", periods=n, freq="h", tz="UTC")
    y = 5.0 + rng.normal(0, 0.2, n)
    events = np.sort(rng.choice(np.arange(200, n - 30), n_events, replace=False))
    ours, yard = [], []
    for _ in range(repeat):  # best of ``repeat``, each side warmed by its first run
        t = time.perf_counter()
        res = event_lifts(y, labels, events, window=(0, 6), estimation=(-72, -7), mask_events=False)
        ours.append(time.perf_counter() - t)
        t = time.perf_counter()
        theirs = pandas_lifts(y, events, np.arange(-72, -6), np.arange(0, 7))
        yard.append(time.perf_counter() - t)
    for column in ("car", "lift", "car_se", "t", "p_value"):
        np.testing.assert_allclose(getattr(res, column), theirs[column].to_numpy(), rtol=1e-9)
    print(
        f"lifts, {n_events:,} statements on {n:,} hourly buckets (best of {repeat}): "
        f"leaderlens {min(ours):.3f} s, pandas groupby (same outputs: CAR, Lift, SE, t, p) "
        f"{min(yard):.3f} s, ratio {min(yard) / min(ours):.1f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=float, default=1e8)
    parser.add_argument("--statements", type=float, default=1e5)
    parser.add_argument("--no-pandas", action="store_true", help="skip the pandas yardstick")
    parser.add_argument(
        "--pandas-rows",
        type=float,
        default=3e7,
        help="rows pandas reads (it holds everything in memory: 100 million rows peak at about "
        "22 GiB); its time is scaled linearly to the full size and labelled so",
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="attn_bench_"))
    try:
        n = int(args.mentions)
        t = time.perf_counter()
        paths = write_mentions(folder, n)
        print(f"wrote {n:,} mentions to Parquet in {time.perf_counter() - t:.1f} s")
        seconds, ours = leaderlens_share(folder)
        print(
            f"share of voice + hourly counts, leaderlens (DuckDB over Parquet): {seconds:.2f} s, "
            f"{len(ours):,} hours, share {ours['leader_mentions'].sum() / n:.3%}, "
            f"peak RSS so far {rss_gib():.1f} GiB"
        )
        if not args.no_pandas:
            chunks = max(1, min(len(paths), round(args.pandas_rows / 1e7)))
            rows = min(n, chunks * 10_000_000)
            yard, theirs = pandas_share(paths[:chunks])
            if chunks == len(paths):
                assert int(theirs["leader_mentions"].sum()) == int(ours["leader_mentions"].sum())
            scaled = yard * n / rows
            print(
                f"pandas (read + str.contains + groupby) on {rows:,} rows: {yard:.2f} s"
                + (f", scaled to {n:,}: {scaled:.1f} s" if rows < n else "")
                + f"; ratio {scaled / seconds:.1f}x, peak RSS {rss_gib():.1f} GiB"
            )
        lifts_bench(int(args.statements))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
