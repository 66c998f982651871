"""Size and power of the event-study test battery by simulation (long version).

    PYTHONPATH=src python bench/size_power.py --samples 1000 --events 30

Prints a markdown table of rejection rates at 5 % for every test in four designs: independent
events under the null (size), calendar-clustered events with cross-correlated abnormal values
(rho = 0.1) under the null (size under clustering: the unadjusted tests over-reject, the
Kolari-Pynnonen adjusted ones should not), and independent events with a planted day-0 effect
of 0.5 and 1 residual sd (power). With 1,000 samples a rate within 0.05 +- 0.014 is consistent
with exact size (2 standard errors).
"""

from __future__ import annotations

import argparse
import time

import pandas as pd

from leaderlens.study.simulation import rejection_rates


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--samples", type=int, default=1000)
    ap.add_argument("--events", type=int, default=30)
    ap.add_argument("--estimation", type=int, default=100)
    ap.add_argument("--rho", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=2024)
    args = ap.parse_args()
    common = {"n_events": args.events, "n_estimation": args.estimation, "seed": args.seed}
    designs = {
        "size (independent)": {},
        f"size (clustered, rho={args.rho})": {"clustered": True, "rho": args.rho},
        "power (effect 0.5 sd)": {"effect": 0.01},
        "power (effect 1 sd)": {"effect": 0.02},
    }
    t0 = time.perf_counter()
    table = pd.DataFrame(
        {name: rejection_rates(args.samples, **common, **kw) for name, kw in designs.items()}
    )
    print(
        f"# rejection rates at 5 %: {args.samples} samples x {args.events} events, "
        f"T = {args.estimation}, window [-1, +1], market model, normal errors (sd 0.02)\n"
    )
    print(table.to_markdown(floatfmt=".3f") if _has_tabulate() else table.round(3).to_string())
    print(f"\n({time.perf_counter() - t0:.1f} s)")


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    main()
