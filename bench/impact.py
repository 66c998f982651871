"""Counterfactual impact: coverage with planted effects, size under no effect, and speed.

(1) Coverage: ``--reps`` series drawn from the model itself (a local level plus a regression
on one random-walk control, noise s.d. ``--noise``), 3 moments each with its own planted lift
over a 10-bar window
(random sizes; the third moment is always 0). Reports the share of 95% intervals of the average
effect that cover the planted lift (target >= 93%), and how often the zero-effect moment is
called an effect: the interval excludes 0 (two-sided 5%, target about 5%) and, apart, R's
one-sided p < 0.05 (about 10% by construction: p is the smaller tail).
(2) Speed: CPU seconds of one fit with 1,000 draws on a 500-bar pre-period (+ 10-bar window)
and on the Volkswagen case of R's reference set (target <= 5 CPU-s).
(3) With ``--tfci PYTHON`` (a throwaway environment holding tfcausalimpact, never a
dependency), the same Volkswagen fit timed there with its default variational inference.

    python bench/impact.py                          # 400 replications, 1,000 draws
    python bench/impact.py --reps 100 --niter 500   # reduced
    python bench/impact.py --reps 0 --tfci /tmp/tfci-venv/bin/python
"""

from __future__ import annotations

import argparse
import subprocess
import time
from pathlib import Path

import numpy as np
import pandas as pd

import leaderlens as ll

MOMENTS = (300, 330, 360)
WINDOW = 10


def series(rng: np.random.Generator, noise: float, n: int = 380) -> tuple[pd.DataFrame, np.ndarray]:
    """A local level (s.d. 0.1) + 1.5 x control + noise (s.d. ``noise``), with three planted
    lifts of up to 3 noise s.d."""
    control = 20 + np.cumsum(rng.normal(size=n))
    level = np.cumsum(rng.normal(scale=0.1, size=n))
    y = level + 1.5 * control + rng.normal(scale=noise, size=n)
    lifts = np.append(rng.uniform(-3, 3, size=2) * noise, 0.0)
    for start, lift in zip(MOMENTS, lifts, strict=True):
        y[start : start + WINDOW] += lift
    return pd.DataFrame({"y": y, "control": control}), lifts


def coverage(reps: int, niter: int, noise: float) -> None:
    rng = np.random.default_rng(20240328)
    covered = total = null_interval = null_p = 0
    start = time.process_time()
    for rep in range(reps):
        frame, lifts = series(rng, noise)
        result = ll.impact(
            frame, list(MOMENTS), pre=(0, MOMENTS[0] - 1), horizon=WINDOW, niter=niter, seed=rep
        )
        for moment, lift in zip(result.moments, lifts, strict=True):
            e = moment.effect
            covered += e.effect_lower[0] <= lift <= e.effect_upper[0]
            total += 1
        zero = result.moments[2].effect
        null_interval += zero.significant
        null_p += zero.p < 0.05
    cpu = time.process_time() - start
    print(
        f"coverage: {reps} series x 3 moments, noise s.d. {noise:g}, {niter} draws each "
        f"({cpu:.0f} CPU-s)"
    )
    print(f"  95% intervals covering the planted effect: {covered}/{total} = {covered / total:.3f}")
    print(
        f"  zero effect, interval excludes 0: {null_interval}/{reps} = {null_interval / reps:.3f}"
    )
    print(f"  zero effect, one-sided p < 0.05: {null_p}/{reps} = {null_p / reps:.3f}")


def speed(shared: Path | None) -> None:
    rng = np.random.default_rng(1)
    n = 510
    control = np.cumsum(rng.normal(size=n))
    frame = pd.DataFrame({"y": control + rng.normal(size=n), "control": control})
    start = time.process_time()
    ll.impact(frame, 500, pre=(0, 499), horizon=10, niter=1000)
    print(
        f"speed: 500-bar pre-period, 1 control, 1,000 draws: "
        f"{time.process_time() - start:.2f} CPU-s"
    )
    if shared is None:
        return
    volks = volkswagen(shared)
    start = time.process_time()
    result = ll.impact(
        volks, "2015-09-20", pre=("2011-01-02", "2015-09-13"), post=("2015-09-20", "2017-03-19")
    )
    e = result.moments[0].effect
    lo, hi = e.relative_interval
    print(
        f"speed: Volkswagen (R reference, 246 + 79 weeks, 2 controls), 1,000 draws: "
        f"{time.process_time() - start:.2f} CPU-s; prediction {e.prediction[0]:.1f}, "
        f"relative effect {e.relative:.1%} [{lo:.1%}, {hi:.1%}], p {e.p:.4f} "
        f"(R: 171, -26% [-32%, -19%], 0.00106)"
    )


def volkswagen(shared: Path) -> pd.DataFrame:
    path = shared / "causalimpact_r_reference" / "volks_data.csv"
    return pd.read_csv(path, sep=" ", index_col="Date", parse_dates=True)


TFCI = """
import time, sys, pandas as pd
from causalimpact import CausalImpact
data = pd.read_csv(sys.argv[1], sep=" ", index_col="Date", parse_dates=True)
start = time.process_time()
ci = CausalImpact(data, ["2011-01-02", "2015-09-13"], ["2015-09-20", "2017-03-19"])
cpu = time.process_time() - start
s = ci.summary_data
print(f"{cpu:.1f} {s.loc['predicted', 'average']:.1f} {s.loc['rel_effect_lower', 'average']:.3f}"
      f" {s.loc['rel_effect_upper', 'average']:.3f} {ci.p_value:.4f}")
"""


def tfci(python: str, shared: Path) -> None:
    path = shared / "causalimpact_r_reference" / "volks_data.csv"
    done = subprocess.run([python, "-c", TFCI, str(path)], capture_output=True, text=True)
    if done.returncode != 0:
        print(f"tfcausalimpact failed: {done.stderr.strip().splitlines()[-1:]}")
        return
    cpu, pred, lo, hi, p = done.stdout.split()[-5:]
    print(
        f"tfcausalimpact (variational inference) on Volkswagen: {cpu} CPU-s; prediction {pred},"
        f" relative effect [{float(lo):.1%}, {float(hi):.1%}], p {p}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=400)
    parser.add_argument("--niter", type=int, default=1000)
    parser.add_argument("--noise", type=float, default=1.0, help="noise s.d. of the series")
    parser.add_argument("--shared", type=Path, default=Path(__file__).parents[2] / "shared/data")
    parser.add_argument("--tfci", help="python of a throwaway env holding tfcausalimpact")
    args = parser.parse_args()
    shared = args.shared if args.shared.is_dir() else None
    speed(shared)
    if args.tfci and shared is not None:
        tfci(args.tfci, shared)
    if args.reps:
        coverage(args.reps, args.niter, args.noise)


if __name__ == "__main__":
    main()
