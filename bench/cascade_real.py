"""The Hawkes cascade on real data, time-ordered: TSLA mention tweets with Musk's tweets as
marks (held-out log-likelihood per mention against an inhomogeneous Poisson process and the
distributed-lag model; Musk's direct trigger for Tesla-topic vs other tweets), and daily
Google Trends "dogecoin" with his Dogecoin tweets (7-day forecasts, MAPE). The computations
live in ``tests/attention/cascade_real.py``, which the tests assert on.

    python bench/cascade_real.py            # needs ../shared/data beside the checkout
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "attention"))
import cascade_real  # noqa: E402


def main() -> None:
    shared = ROOT.parent / "shared" / "data"
    out = cascade_real.tsla(shared)
    fit = out["fit"]
    print(
        f"TSLA mentions: {out['n_train']:,} train / {out['n_test']:,} held out; log-likelihood "
        f"per held-out mention: Hawkes {out['hawkes']:.3f}, inhomogeneous Poisson "
        f"{out['poisson']:.3f}, distributed lag {out['lagged']:.3f}"
    )
    for k, name in enumerate(("Tesla-topic", "other")):
        size, low, high = fit.size(k)
        decay = fit.decay_hours(k)[0]
        print(
            f"  Musk {name} tweets: {size:.3f} mentions each directly (95% CI {low:.3f} to "
            f"{high:.3g}), decay {decay * 60:.1f} min"
        )
    n, low, high = fit.branching()
    print(f"  branching ratio {n:.3f} ({low:.3f} to {high:.3f})")
    doge = cascade_real.doge(shared)
    print(
        f"dogecoin Trends: {doge['n_forecasts']} day-ahead values from weekly 7-day forecasts; "
        f"MAPE bucketed Hawkes {doge['mape_hawkes']:.1%}, distributed lag "
        f"{doge['mape_lagged']:.1%}; n = {doge['fit'].branching()[0]:.3f}"
    )


if __name__ == "__main__":
    main()
