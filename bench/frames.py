"""From the frames a user holds (or Parquet) to the event-study result, against yardsticks.

The shared peer harness's synthetic market-model study (``make_dataset``: 500 firms on 4,564
weekdays, estimation [-260, -11] = 250 bars, window [-1, +1]) is handed to
``parquet_event_study(..., engine="duckdb", tests="per-event")`` as long frames
(``asset, ts, ret``; the market is one more asset) and as Parquet files of the same frames,
and timed cold (a new engine each call) against, in the same run and on the same arrays:
the harness's statsmodels OLS loop (one regression per event) and a pure-NumPy running-sum
study (cumulative sums per firm, window sums by differences, MacKinlay's closed forms).
``--src`` runs leaderlens from other source folders too (a child process each), so that
versions compare within one run. CARs are checked against the statsmodels loop.

    PYTHONPATH=src python bench/frames.py --n 10000
    PYTHONPATH=src python bench/frames.py --n 10000 --src /path/to/old/src src
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from event_study import harness  # the peer harness's loader, beside this script

WINDOW, ESTIMATION = (-1, 1), (-260, -11)


def frames(returns: pd.DataFrame, market: pd.Series, events: pd.DataFrame) -> tuple[Any, Any]:
    """Long bars stamped at 21:00 UTC (the session's close) and events at noon of their day."""
    wide = returns.assign(MKT=market.to_numpy())
    dates = pd.DatetimeIndex(returns.index).tz_localize("UTC") + pd.Timedelta(hours=21)
    bars = pd.DataFrame(
        {
            "asset": np.repeat(wide.columns.astype(str), len(dates)),
            "ts": np.tile(dates, wide.shape[1]),
            "ret": wide.to_numpy().T.ravel(),
        }
    )
    ev = pd.DataFrame(
        {
            "asset": events["ticker"].astype(str),
            "time": pd.DatetimeIndex(events["event_date"]).tz_localize("UTC")
            + pd.Timedelta(hours=12),
            "label": events["event_id"].astype(str),
        }
    )
    return bars, ev


def running_sum_study(
    returns: pd.DataFrame, market: pd.Series, events: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """CAR and its t by running sums: the yardstick of what NumPy alone does on the arrays."""
    r, m = returns.to_numpy(), market.to_numpy()
    rc, mc = r - r.mean(0), (m - m.mean())[:, None]
    zero = np.zeros((1, r.shape[1]))
    cum = {
        name: np.vstack([zero, np.cumsum(np.broadcast_to(v, r.shape), axis=0)])
        for name, v in (("r", rc), ("m", mc), ("rr", rc * rc), ("mm", mc * mc), ("rm", rc * mc))
    }
    row = pd.Series(np.arange(len(returns)), index=returns.index).loc[events["event_date"]]
    k0 = row.to_numpy()
    col = pd.Series(np.arange(r.shape[1]), index=returns.columns).loc[events["ticker"]].to_numpy()
    lo, hi = k0 + ESTIMATION[0], k0 + ESTIMATION[1] + 1
    s = {name: c[hi, col] - c[lo, col] for name, c in cum.items()}
    n = ESTIMATION[1] - ESTIMATION[0] + 1
    sxx = s["mm"] - s["m"] ** 2 / n
    beta = (s["rm"] - s["r"] * s["m"] / n) / sxx
    ssr = s["rr"] - s["r"] ** 2 / n - beta**2 * sxx
    s2 = ssr / (n - 2)
    win = k0[:, None] + np.arange(WINDOW[0], WINDOW[1] + 1)
    mean_r, mean_m = s["r"] / n, s["m"] / n
    ar = rc[win, col[:, None]] - mean_r[:, None] - beta[:, None] * (mc[win, 0] - mean_m[:, None])
    length = win.shape[1]
    dm = (mc[win, 0] - mean_m[:, None]).sum(1)
    car = ar.sum(1)
    return car, car / np.sqrt(s2 * (length + length**2 / n + dm**2 / sxx))


def child(folder: Path, how: str) -> None:
    """Time leaderlens (imported from PYTHONPATH) on the saved frames; prints JSON."""
    import leaderlens as ll

    bars: Any = (
        pd.read_parquet(folder / "bars.parquet") if how == "frames" else folder / "bars.parquet"
    )
    ev: Any = (
        pd.read_parquet(folder / "events.parquet") if how == "frames" else folder / "events.parquet"
    )
    options: dict[str, Any] = dict(
        market="MKT", window=WINDOW, estimation=ESTIMATION, tests="per-event", engine="duckdb"
    )
    ll.parquet_event_study(bars, ev, **options)  # warm-up: imports (not timed)
    start = time.perf_counter()
    result = ll.parquet_event_study(bars, ev, **options)
    seconds = time.perf_counter() - start
    frame = result.events_frame()
    cars = dict(zip(frame["label"], frame["car"], strict=True))
    print(json.dumps({"secs": seconds, "car": cars}))


def time_leaderlens(src: str, folder: Path, how: str) -> tuple[float, dict[str, float]]:
    """Seconds and CARs by label of leaderlens from the source folder ``src``."""
    source = Path(src).resolve()
    if not (source / "leaderlens").is_dir():
        sys.exit(f"no leaderlens package in {source}")
    env = os.environ | {"PYTHONPATH": str(source)}
    cmd = [sys.executable, __file__, "_child", str(folder), how]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
    got = json.loads(done.stdout.strip().splitlines()[-1])
    return float(got["secs"]), got["car"]


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_child":
        child(Path(sys.argv[2]), sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    here = str(Path(__file__).resolve().parent.parent / "src")
    parser.add_argument("--src", nargs="*", default=[here], help="leaderlens source folders")
    args = parser.parse_args()
    pb = harness()
    returns, market, events, _ = pb.make_dataset(args.n, seed=7)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        bars, ev = frames(returns, market, events)
        bars.to_parquet(folder / "bars.parquet")
        ev.to_parquet(folder / "events.parquet")
        start = time.perf_counter()
        reference = pb.ref_statsmodels(returns, market, events, WINDOW)
        t_sm = time.perf_counter() - start
        start = time.perf_counter()
        car, _ = running_sum_study(returns, market, events)
        t_np = time.perf_counter() - start
        print(f"{args.n:,} events, {returns.shape[1]} firms, {len(returns):,} days")
        print(f"statsmodels loop          {t_sm:8.2f} s {args.n / t_sm:>10,.0f} events/s")
        print(
            f"NumPy running sums        {t_np:8.3f} s {args.n / t_np:>10,.0f} events/s "
            f"(max CAR diff vs statsmodels {np.max(np.abs(car - reference['car'])):.1e})"
        )
        ids = reference["event_id"].astype(str)
        for src in args.src:
            for how in ("frames", "parquet"):
                secs, cars = time_leaderlens(src, folder, how)
                # Versions that label events by asset id cannot be matched to the reference.
                found = np.array([cars.get(i, np.nan) for i in ids])
                gap = np.abs(found - reference["car"].to_numpy())
                diff = float(np.nanmax(gap)) if np.isfinite(gap).any() else float("nan")
                print(
                    f"leaderlens {how:<8} {src[-24:]:<24} {secs:8.2f} s "
                    f"{args.n / secs:>10,.0f} events/s  x statsmodels {t_sm / secs:5.2f}  "
                    f"x NumPy {t_np / secs:7.4f}  (max CAR diff {diff:.1e})",
                    flush=True,
                )


if __name__ == "__main__":
    main()
