"""Time the event-study finish step on a large synthetic study.

    PYTHONPATH=src python bench/study_core.py --events 100000 --estimation 250 --window 11

Builds dense panels (N events x T estimation bars, N x L event bars; market model), then times
the fit, the abnormal values and the full test battery (every METHODS section 3 test on the
whole window, with the Kolari-Pynnonen r from calendar-aligned residuals and a bootstrap of the
CAAR). Prints seconds per step; panel construction is not timed.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from leaderlens.study.abnormal import abnormal_returns, cumulate
from leaderlens.study.battery import run_battery
from leaderlens.study.models import fit_normal_model


def make_panels(n: int, t: int, length: int, seed: int = 1):
    """Market-model panels with 2 % missing estimation bars, events spread over 20 years."""
    rng = np.random.default_rng(seed)
    n_days = 5000
    market = rng.normal(3e-4, 0.01, n_days)
    day0 = rng.integers(t + 1, n_days - length, n)
    cal_est = day0[:, None] + np.arange(-t - 1, -1)[None, :]
    cal_evt = day0[:, None] + np.arange(length)[None, :] - length // 2
    beta = rng.uniform(0.5, 1.5, n)[:, None]
    m_est, m_evt = market[cal_est], market[cal_evt]
    r_est = beta * m_est + rng.normal(0, 0.02, (n, t))
    r_evt = beta * m_evt + rng.normal(0, 0.02, (n, length))
    r_est[rng.random((n, t)) < 0.02] = np.nan
    return r_est, m_est, r_evt, m_evt, cal_est


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--estimation", type=int, default=250)
    ap.add_argument("--window", type=int, default=11)
    ap.add_argument("--bootstrap", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    r_est, m_est, r_evt, m_evt, cal = make_panels(args.events, args.estimation, args.window)
    half = args.window // 2
    best: dict[str, float] = {}
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        fit = fit_normal_model("market", r_est, m_est)
        t1 = time.perf_counter()
        abn = abnormal_returns(fit, r_evt, m_evt, first_bar=-half)
        cumulate(abn)
        t2 = time.perf_counter()
        battery = run_battery(abn, calendar_index=cal, n_bootstrap=args.bootstrap)
        t3 = time.perf_counter()
        for k, v in {
            "fit": t1 - t0,
            "abnormal + CAR": t2 - t1,
            "battery": t3 - t2,
            "total": t3 - t0,
        }.items():
            best[k] = min(best.get(k, np.inf), v)
    print(
        f"# finish step: N = {args.events} events, T = {args.estimation}, "
        f"L = {args.window}, {len(battery.results)} tests + bootstrap B = {args.bootstrap}"
    )
    print(f"| step | seconds (best of {args.repeat}) |\n|---|---|")
    for k, v in best.items():
        print(f"| {k} | {v:.2f} |")
    print()
    print(battery.summary())


if __name__ == "__main__":
    main()
