"""Event-study speed: leaderlens vs. the `eventstudy` package vs. a plain statsmodels loop.

One synthetic market-model study (the shared peer harness's generator: 10,000 events, 250-bar
estimation window [-260, -11], windows [-1, +1] and [-5, +5]) is loaded into a workspace once;
then each tool computes ARs, CARs and their t statistics on the same data and the script prints
events per second and the ratios. leaderlens is also timed with its full test battery, and at
100,000 events for the battery target. The peers run through ../shared/bench/peer_bench.py
(its `_child` mode times only the computation); `eventstudy` needs old NumPy / pandas, so it
runs in a separate environment created on first use in bench/.venv-peers.

    python bench/event_study.py                 # 10,000 events (+ 100,000 for the battery)
    python bench/event_study.py --n 2000 --no-large --no-peer-env
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd

import leaderlens as ll

HERE = Path(__file__).resolve().parent
HARNESS = HERE.parent.parent / "shared" / "bench" / "peer_bench.py"
PEER_ENV = HERE / ".venv-peers"
WINDOWS = [(-1, 1), (-5, 5)]


def harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location("peer_bench", HARNESS)
    if spec is None or spec.loader is None:
        sys.exit(f"peer harness not found at {HARNESS}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_workspace(path: Path, returns: pd.DataFrame, market: pd.Series) -> None:
    """Prices from the harness's returns, one asset per firm, on the weekday calendar the
    harness uses without pandas_market_calendars (24/5)."""
    dates = pd.DatetimeIndex(returns.index).strftime("%Y-%m-%d")
    with ll.Workspace.open(path) as ws:
        ws.ingest_prices(
            pd.DataFrame({"date": dates, "close": 100 * np.cumprod(1 + market.to_numpy())}),
            asset="MKT",
            calendar="24/5",
        )
        for ticker in returns.columns:
            close = 100 * np.cumprod(1 + returns[ticker].to_numpy())
            ws.ingest_prices(
                pd.DataFrame({"date": dates, "close": close}),
                asset=str(ticker),
                calendar="24/5",
                benchmark="MKT",
            )


def events_frame(events: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "time": pd.DatetimeIndex(events["event_date"]).tz_localize("UTC")
            + pd.Timedelta(hours=12),
            "label": events["event_id"].astype(str),
            "asset": events["ticker"].astype(str),
        }
    )


def save(path: Path, returns: pd.DataFrame, market: pd.Series, events: pd.DataFrame) -> None:
    """The harness's dataset file (its keys), with plain NumPy dtypes: pandas 3 keeps strings
    as objects, which the harness's loader refuses."""
    np.savez(
        path,
        R=returns.to_numpy(float),
        M=market.to_numpy(float),
        dates=pd.DatetimeIndex(returns.index).as_unit("ns").asi8,
        tick=np.asarray([str(c) for c in returns.columns], dtype="U"),
        ev_id=events["event_id"].to_numpy(np.int64),
        ev_tick=np.asarray(events["ticker"].astype(str).tolist(), dtype="U"),
        ev_date=pd.DatetimeIndex(events["event_date"]).as_unit("ns").asi8,
    )


def time_leaderlens(
    path: Path, events: pd.DataFrame, window: tuple[int, int], tests: str
) -> tuple[float, float, ll.EventStudyResult]:
    """Wall and CPU seconds of one ``ws.event_study(...)`` call, and its result. The CPU time
    (all threads of the process) says what the call costs when the machine is shared."""
    with ll.Workspace.open(path) as ws:
        # Warm-up (not timed): imports, calendars, and the running sums the workspace keeps for
        # each (asset, benchmark) pair, built once after new loads, like an index, and read
        # into memory by the first study of the open workspace.
        ws.event_study(events=events, window=window, n_bootstrap=0, n_placebo=0, tests=tests)
        start, cpu = time.perf_counter(), time.process_time()
        result = ws.event_study(
            events=events,
            window=window,
            estimation=(-260, -11),
            min_estimation=250,
            n_bootstrap=1000 if tests == "all" else 0,
            n_placebo=0,
            tests=tests,
        )
        return time.perf_counter() - start, time.process_time() - cpu, result


def peer_python(use_env: bool) -> Path | None:
    """The interpreter with `eventstudy` installed (created on first use), or None."""
    python = PEER_ENV / "bin" / "python"
    if python.exists():
        return python
    if not use_env:
        return None
    print("creating the peer environment (once) ...", flush=True)
    steps = [
        [sys.executable, "-m", "venv", str(PEER_ENV)],
        [
            str(python),
            "-m",
            "pip",
            "install",
            "-q",
            "numpy<2",
            "pandas<3",
            "scipy",
            "statsmodels",
            "setuptools<81",
            "wheel",
        ],
        [str(python), "-m", "pip", "install", "-q", "--no-build-isolation", "eventstudy"],
    ]
    for step in steps:
        if subprocess.run(step, capture_output=True).returncode != 0:
            print(f"  could not build the peer environment ({' '.join(step[:4])} ...)")
            return None
    return python


def time_peer(python: Path, peer: str, data: Path, window: tuple[int, int]) -> float | None:
    cmd = [
        str(python),
        str(HARNESS),
        "_child",
        "--peer",
        peer,
        "--data",
        str(data),
        "--window",
        str(window[0]),
        str(window[1]),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        print(f"  {peer} failed: {(done.stderr.strip().splitlines() or ['?'])[-1][:120]}")
        return None
    return float(json.loads(lines[-1])["secs"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--no-large", action="store_true")
    parser.add_argument("--no-peer-env", action="store_true", help="do not build bench/.venv-peers")
    args = parser.parse_args()
    pb = harness()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        returns, market, events, cal = pb.make_dataset(args.n, seed=7)
        data = folder / "data.npz"
        save(data, returns, market, events)
        ws_path = folder / "bench.duckdb"
        print(
            f"{args.n:,} events on {returns.shape[1]} firms, {cal} calendar; loading ...",
            flush=True,
        )
        start = time.perf_counter()
        load_workspace(ws_path, returns, market)
        print(f"  workspace loaded in {time.perf_counter() - start:.1f} s (not timed below)")
        ours = events_frame(events)
        peers = peer_python(not args.no_peer_env)
        rows = []
        for window in WINDOWS:
            t_ll, cpu_ll, result = time_leaderlens(ws_path, ours, window, "per-event")
            t_battery, cpu_battery, _ = time_leaderlens(ws_path, ours, window, "all")
            reference = pb.ref_statsmodels(returns, market, events.head(200), window)
            got = (
                result.events_frame()
                .set_index("label")
                .loc[reference["event_id"].astype(str), "car"]
            )
            diff = float(np.max(np.abs(got.to_numpy() - reference["car"].to_numpy())))
            t_sm = time_peer(Path(sys.executable), "ref_statsmodels", data, window)
            t_es = time_peer(peers, "eventstudy", data, window) if peers else None
            rows.append((window, t_ll, cpu_ll, t_battery, cpu_battery, t_sm, t_es, diff))
        print(
            "\n| window | leaderlens ev/s (per CPU s) | + battery ev/s (per CPU s) "
            "| statsmodels ev/s | eventstudy ev/s | x statsmodels | x eventstudy "
            "| max CAR diff vs statsmodels |"
        )
        print("|---|---|---|---|---|---|---|---|")
        n = args.n
        for window, t_ll, c_ll, t_b, c_b, t_sm, t_es, diff in rows:
            sm = f"{n / t_sm:,.0f}" if t_sm else "-"
            es = f"{n / t_es:,.0f}" if t_es else "unavailable"
            print(
                f"| {list(window)} | {n / t_ll:,.0f} ({n / c_ll:,.0f}) | {n / t_b:,.0f} "
                f"({n / c_b:,.0f}) | {sm} | {es} | "
                f"{(t_sm / t_ll) if t_sm else float('nan'):.0f} | "
                f"{(t_es / t_ll) if t_es else float('nan'):.0f} | {diff:.1e} |"
            )
        if not args.no_large:
            returns, market, events, _ = pb.make_dataset(args.large, seed=11)
            big = folder / "big.duckdb"
            print(f"\n{args.large:,} events: loading ...", flush=True)
            load_workspace(big, returns, market)
            many = events_frame(events)
            t_pe, c_pe, result = time_leaderlens(big, many, (-5, 5), "per-event")
            print(
                f"ARs, CARs and t for {result.n_studied:,} events: {t_pe:.2f} s, CPU {c_pe:.2f} s "
                f"({result.n_studied / t_pe:,.0f} events/s)"
            )
            t_b, c_b, result = time_leaderlens(big, many, (-5, 5), "all")
            print(f"full battery for {result.n_studied:,} events: {t_b:.2f} s, CPU {c_b:.2f} s")


if __name__ == "__main__":
    main()
