"""Hawkes attention cascade: speed and recovery on simulated streams.

1. Speed: one fit (maximum likelihood and the observed-information intervals) on 30,000
   mentions with three mark types; and the whole-brand decomposition of a year of hourly
   counts (8,760 buckets, three mark types, the bucketed likelihood; and the same year from
   exact mention times). CPU seconds of this
   process, with OpenBLAS held to one thread (set below before NumPy loads: on a loaded
   two-core machine its spinning threads burn CPU without speeding up these small products).
2. Recovery: ``--reps`` streams of about 30,000 mentions from the branching-construction
   simulator of ``tests/attention/hawkes_sim.py`` (independent of leaderlens), planted n drawn
   from [0.3, 0.8] and one to three mark types: the share of replications whose baseline,
   trigger sizes and n are within 10% of the planted values, and the coverage of the 95%
   intervals of the sizes and n.

    python bench/cascade.py                 # 200 replications
    python bench/cascade.py --reps 40       # a quicker look
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "attention"))
from hawkes_sim import DECAYS, START, simulate, world

from leaderlens.attention import censored, hawkes


def sample(rng: np.random.Generator, n: float, marks: int, target: int = 30_000) -> dict:
    """A stream of about ``target`` mentions: 40 days, sparse posts with big responses."""
    days = 40
    sizes = [40.0, 15.0, 60.0][:marks]
    per_day = [2.5, 5.0, 1.25][:marks]
    triggered = sum(s * c * days for s, c in zip(sizes, per_day, strict=True))
    level = np.log(max(target * (1 - n) - triggered, 2000.0) / (24 * days))
    return world(rng, days, level, n, sizes, per_day)


def layout(w: dict) -> hawkes.Layout:
    edges = np.r_[START, np.arange(np.floor(START) + 1, w["end"]), w["end"]]
    return hawkes.Layout(w["events"], tuple(w["posts"]), edges, hawkes.baseline_design(edges))


def speed(rng: np.random.Generator) -> None:
    w = sample(rng, 0.5, 3)
    lay = layout(w)
    t0 = time.process_time()
    fit = hawkes.fit_hawkes(lay)
    cpu = time.process_time() - t0
    print(
        f"fit on {len(w['events']):,} mentions, 3 mark types: {cpu:.2f} CPU s "
        f"(converged {fit.converged})"
    )
    # A year of hourly counts.
    end = START + 24 * 365
    posts = [np.sort(rng.uniform(START, end, c)) for c in (700, 1500, 300)]
    events, _ = simulate(
        rng,
        start=START,
        end=end,
        level=np.log(3.0),
        daily=0.5,
        weekly=0.3,
        trend=0.4,
        posts=posts,
        sizes=[20.0, 6.0, 30.0],
        decays=DECAYS,
        n=0.5,
        cascade_decay=0.5,
    )
    edges = np.arange(START, end + 0.5, 1.0)
    counts = np.histogram(events, bins=edges)[0].astype(np.float64)
    t0 = time.process_time()
    design = hawkes.baseline_design(edges)
    yearly = censored.fit_counts(counts, edges, posts, design)
    cpu = time.process_time() - t0
    print(
        f"decomposition of a year of hourly counts ({len(counts):,} buckets, "
        f"{len(events):,} mentions, 3 mark types): {cpu:.2f} CPU s; n = "
        f"{yearly.branching()[0]:.3f} (planted 0.5)"
    )
    lay = hawkes.Layout(events, tuple(posts), edges, design)
    t0 = time.process_time()
    exact = hawkes.fit_hawkes(lay)
    cpu = time.process_time() - t0
    print(
        f"the same year from exact mention times: {cpu:.2f} CPU s; n = {exact.branching()[0]:.3f}"
    )


def recovery(rng: np.random.Generator, reps: int) -> None:
    within, hits, total, close = 0, 0, 0, []
    for r in range(reps):  # one simulated world and one fit per replication
        n = float(rng.uniform(0.3, 0.8))
        marks = 1 + r % 3
        w = sample(rng, n, marks)
        fit = hawkes.fit_hawkes(layout(w))
        ok = abs(fit.branching()[0] / n - 1) <= 0.1
        close.append(ok)
        close.append(abs(fit.mass[0] / w["tally"]["baseline"] - 1) <= 0.1)
        ok &= close[-1]
        low, high = fit.branching()[1:]
        hits += low <= n <= high
        total += 1
        for k, size in enumerate(w["sizes"]):
            est, low, high = fit.size(k)
            close.append(abs(est / size - 1) <= 0.1)
            ok &= close[-1]
            hits += low <= size <= high
            total += 1
        within += ok
    print(
        f"{reps} replications (~30,000 mentions, n in [0.3, 0.8], 1-3 marks): "
        f"each estimate within 10% in {np.mean(close):.1%} of {len(close)}, all of a "
        f"replication's in {within / reps:.1%}; 95% interval "
        f"coverage {hits / total:.1%} of {total} intervals"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    speed(rng)
    recovery(rng, args.reps)


if __name__ == "__main__":
    main()
