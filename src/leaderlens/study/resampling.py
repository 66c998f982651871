"""Resampling: bootstrap interval of the CAAR and placebo (pseudo-event) p-values.

* Bootstrap over events (Efron & Tibshirani 1993, ch. 13): resample the N CARs with
  replacement B times; the percentile interval of the resampled means is the interval. From
  the same draws, the symmetric bootstrap-t interval (Hall 1988; Efron & Tibshirani 1993,
  ch. 12.5): m +/- q se, q the ``level`` quantile of |t*|, t* = (m* - m) / se* the studentized
  resampled means and se = sd / sqrt(N). With fat-tailed CARs at N = 50 (t(3)) it excludes a
  true zero 3.9% of the time at 95%, where the percentile and the equal-tailed bootstrap-t
  intervals exclude it 7.3% and 7.4% (and scipy's BCa 12%; 2,000 samples, tests and
  docs/study.md).
* Placebo / permutation (METHODS section 3, test 14): pseudo-events drawn from bars without
  events give the distribution of the CAAR when nothing happened; the p-value is the share of
  placebo CAARs at least as far from zero as the observed one, (1 + #{|C*| >= |C|}) / (1 + B)
  (Davison & Hinkley 1997, eq. 4.11), two-sided.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from leaderlens.errors import BadInputError, MissingDataError
from leaderlens.study.models import FloatArray, IntArray
from leaderlens.study.result import TestResult

# Bootstrap draws per block: bounds memory at about 8 * _BLOCK_CELLS bytes of indices, small
# enough for the allocator to reuse the same memory block after block.
_BLOCK_CELLS = 250_000


@dataclass(frozen=True)
class BootstrapInterval:
    """Bootstrap intervals of the CAAR.

    Attributes:
        caar: the observed mean CAR; low, high: the percentile interval; level: its coverage;
        se: the sd of the bootstrap means; n_draws: B; n: number of events resampled;
        t_low, t_high: the symmetric bootstrap-t interval from the same draws (module
            docstring).
    """

    caar: float
    low: float
    high: float
    level: float
    se: float
    n_draws: int
    n: int
    t_low: float = float("nan")
    t_high: float = float("nan")


def bootstrap_caar(
    car: ArrayLike, *, n_draws: int = 2000, level: float = 0.95, seed: int | None = 0
) -> BootstrapInterval:
    """Percentile bootstrap interval of the mean of ``car`` (NaN values left out)."""
    x = np.asarray(car, dtype=np.float64)
    x = x[np.isfinite(x)]
    if x.size < 2:
        raise MissingDataError(f"the bootstrap needs at least 2 CARs; got {x.size}")
    if not 0 < level < 1:
        raise BadInputError(
            f"level must lie strictly between 0 and 1; got {level!r}", field="level"
        )
    if n_draws < 1:
        raise BadInputError(f"n_draws must be positive; got {n_draws!r}", field="n_draws")
    rng = np.random.default_rng(seed)
    block = max(1, _BLOCK_CELLS // x.size)
    # Blocks of draws bound the memory used; the draws come from one stream in order (the
    # same for any block size), while a second thread averages the previous block.
    parts = []
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending: deque[Future[np.ndarray]] = deque()
        for start in range(0, n_draws, block):
            idx = rng.integers(0, x.size, (min(block, n_draws - start), x.size))
            pending.append(pool.submit(_mean_and_sd, x, idx))
            if len(pending) > 2:
                parts.append(pending.popleft().result())
        parts += [f.result() for f in pending]
    means, sds = np.concatenate(parts, axis=1)
    alpha = (1.0 - level) / 2.0
    low, high = np.quantile(means, [alpha, 1.0 - alpha])
    se = x.std(ddof=1) / np.sqrt(x.size)
    with np.errstate(divide="ignore", invalid="ignore"):
        t_star = (means - x.mean()) / (sds / np.sqrt(x.size))
    t_star = t_star[np.isfinite(t_star)]  # a draw of one repeated value has no spread
    q = float(np.quantile(np.abs(t_star), level)) if t_star.size else float("nan")
    return BootstrapInterval(
        caar=float(x.mean()),
        low=float(low),
        high=float(high),
        level=level,
        se=float(means.std(ddof=1)),
        n_draws=n_draws,
        n=x.size,
        t_low=float(x.mean() - q * se),
        t_high=float(x.mean() + q * se),
    )


def _mean_and_sd(x: FloatArray, idx: IntArray) -> FloatArray:
    """(2, B) mean and sample sd of each resample."""
    draws = np.take(x, idx)
    return np.stack([draws.mean(axis=1), draws.std(axis=1, ddof=1)])


def placebo_test(
    observed: float,
    placebo: ArrayLike | Callable[[np.random.Generator], float],
    *,
    n_draws: int = 1000,
    seed: int | None = 0,
) -> TestResult:
    """Placebo p-value of an observed CAAR.

    Args:
        observed: the CAAR of the real events.
        placebo: the pseudo-event samples already computed, either as their CAARs (B,) or
            as their CARs (B, N_pseudo; the row means are the CAARs, NaN left out), e.g. one
            row per row of :func:`pseudo_event_bars` run through the study; or a callable
            that draws one pseudo-event sample from the generator it is given and returns its
            CAAR.
        n_draws: number of calls when ``placebo`` is a callable.
        seed: seed of the generator handed to the callable.
    """
    if callable(placebo):
        rng = np.random.default_rng(seed)
        draws = np.array([float(placebo(rng)) for _ in range(n_draws)])  # one study per draw
    else:
        draws = np.asarray(placebo, dtype=np.float64)
        if draws.ndim == 2:
            present = np.isfinite(draws)
            count = present.sum(axis=1)
            total = np.where(present, draws, 0.0).sum(axis=1)
            draws = np.divide(total, count, out=np.full(count.shape, np.nan), where=count > 0)
        elif draws.ndim != 1:
            raise BadInputError(
                f"placebo must be (B,) CAARs or (B, N) CARs; got shape {draws.shape}",
                field="placebo",
            )
    draws = draws[np.isfinite(draws)]
    if draws.size == 0:
        raise MissingDataError("no finite placebo CAAR to compare with")
    beyond = int((np.abs(draws) >= abs(observed)).sum())
    p = (1 + beyond) / (1 + draws.size)
    return TestResult(
        "placebo (pseudo-event) test",
        float(observed),
        float(p),
        f"placebo distribution (B={draws.size})",
        "the events' CAAR is drawn from the distribution of pseudo-event CAARs",
        draws.size,
    )


def pseudo_event_bars(
    n_bars: int,
    event_bars: ArrayLike,
    *,
    n_events: int,
    n_draws: int,
    window: tuple[int, int],
    estimation: int = 0,
    seed: int | None = 0,
) -> IntArray:
    """Draw pseudo-event bars (n_draws x n_events) from bars whose window holds no real event.

    A candidate bar b qualifies when [b + t1, b + t2] stays inside the series and leaves at
    least ``estimation`` bars before b + t1, and no real event's window overlaps it. Draws are
    without replacement within a sample.
    """
    t1, t2 = int(window[0]), int(window[1])
    if t1 > t2:
        raise BadInputError(f"window must have t1 <= t2; got {window!r}", field="window")
    events = np.asarray(event_bars, dtype=np.int64)
    # A bar is blocked when its window [b+t1, b+t2] meets an event window [e+t1, e+t2]:
    # |b - e| <= t2 - t1. Mark those bars with a difference array, no loop over events.
    reach = t2 - t1
    marks = np.zeros(n_bars + 1, dtype=np.int64)
    np.add.at(marks, np.clip(events - reach, 0, n_bars), 1)
    np.add.at(marks, np.clip(events + reach + 1, 0, n_bars), -1)
    blocked = np.cumsum(marks)[:n_bars] > 0
    bars = np.arange(n_bars)
    inside = (bars + t1 - estimation >= 0) & (bars + t2 < n_bars)
    candidates = bars[inside & ~blocked]
    if candidates.size < n_events:
        raise MissingDataError(
            f"only {candidates.size} bars are free of events for {n_events} pseudo-events"
        )
    rng = np.random.default_rng(seed)
    # Without replacement per sample: the first n_events of a random permutation, vectorised.
    keys = rng.random((n_draws, candidates.size))
    picks = np.argpartition(keys, n_events - 1, axis=1)[:, :n_events]
    return candidates[picks].astype(np.int64)


def placebo_caars(ar_series: ArrayLike, bars: ArrayLike, window: tuple[int, int]) -> FloatArray:
    """CAAR of each pseudo-event sample from one abnormal-value series.

    Args:
        ar_series: (n_bars,) abnormal values of one asset (e.g. model residuals over time).
        bars: (n_draws, n_events) pseudo-event bars from :func:`pseudo_event_bars`.
        window: (t1, t2) relative bars.
    """
    series = np.asarray(ar_series, dtype=np.float64)
    idx = np.asarray(bars, dtype=np.int64)
    csum = np.concatenate([[0.0], np.cumsum(np.nan_to_num(series))])
    car = csum[idx + window[1] + 1] - csum[idx + window[0]]
    return car.mean(axis=1)
