"""An independent simulator of marked Hawkes streams (the branching construction, Hawkes &
Oakes 1974): immigrants from the baseline by thinning, then generation after generation of
Poisson-many children at exponential delays. It shares no code with leaderlens."""

from __future__ import annotations

import numpy as np

MONDAY = 72.0


def baseline_rate(
    t: np.ndarray, level: float, daily: float, weekly: float, trend: float, start: float, end: float
) -> np.ndarray:
    """exp(level + daily cos(hour of day) + weekly cos(hour of week) + linear trend)."""
    hod = 2 * np.pi * np.mod(t + MONDAY, 24.0) / 24.0
    how = 2 * np.pi * np.mod(t + MONDAY, 168.0) / 168.0
    frac = (t - start) / (end - start)
    return np.exp(level + daily * np.cos(hod) + weekly * np.sin(how) + trend * (frac - 0.5))


def simulate(
    rng: np.random.Generator,
    *,
    start: float,
    end: float,
    level: float,
    daily: float,
    weekly: float,
    trend: float,
    posts: list[np.ndarray],
    sizes: list[float],
    decays: list[float],
    n: float,
    cascade_decay: float,
) -> tuple[np.ndarray, dict[str, int]]:
    """Event times (hours) in [start, end) and how many came from each source."""
    # Piecewise-constant baseline per hour (the model's baseline is too), by exact sampling
    # of Poisson counts per hour and uniform times inside each hour.
    hours = np.arange(np.floor(start), np.ceil(end))
    lo = np.maximum(hours, start)
    hi = np.minimum(hours + 1, end)
    rate = baseline_rate(np.floor(lo) + 0.5, level, daily, weekly, trend, start, end)
    counts = rng.poisson(rate * (hi - lo))
    base = np.repeat(lo, counts) + rng.random(counts.sum()) * np.repeat(hi - lo, counts)
    tally = {"baseline": len(base)}
    generation = [base]
    for k, (times, size, decay) in enumerate(zip(posts, sizes, decays, strict=True)):
        kids = rng.poisson(size, len(times))
        child = np.repeat(times, kids) + rng.exponential(decay, kids.sum())
        child = child[(child >= start) & (child < end)]
        tally[f"mark{k}"] = len(child)
        generation.append(child)
    parents = np.concatenate(generation)
    out = [parents]
    endo = 0
    while len(parents):
        kids = rng.poisson(n, len(parents))
        child = np.repeat(parents, kids) + rng.exponential(cascade_decay, kids.sum())
        child = child[child < end]
        endo += len(child)
        out.append(child)
        parents = child
    tally["cascade"] = endo
    return np.sort(np.concatenate(out)), tally


START = 480_000.0  # hours since the epoch (2024-10-04)
DECAYS = [2.0, 0.5, 6.0]


def world(
    rng: np.random.Generator,
    days: float,
    level: float,
    n: float,
    sizes: list[float],
    per_day: list[float],
) -> dict:
    """A simulated stream from START: posts of each mark uniform over the window (and a day
    before), decays 2 h, 30 min and 6 h, cascade decay 15 min."""
    end = START + 24 * days
    posts = [np.sort(rng.uniform(START - 24, end, int(days * c))) for c in per_day]
    decays = DECAYS[: len(sizes)]
    events, tally = simulate(
        rng, start=START, end=end, level=level, daily=0.5, weekly=0.3, trend=0.4,
        posts=posts, sizes=sizes, decays=decays, n=n, cascade_decay=0.25,
    )  # fmt: skip
    return {"events": events, "posts": posts, "end": end, "tally": tally, "decays": decays,
            "sizes": sizes}  # fmt: skip
