"""Predicted ranges from neighbours, and how well predictions match what happened.

A prediction is a similarity-weighted quantile of the neighbours' realised values (a
nearest-neighbour conditional quantile; Hastie, Tibshirani & Friedman 2009, *The Elements of
Statistical Learning*, section 2.3.2, with quantiles instead of the mean). Weighted quantiles
use the midpoint ("Hazen") plotting positions: the sorted values ``x_(1..k)`` with weights
``w`` sit at ``p_i = (W_i - w_i / 2) / W`` (``W_i`` the running sum), and a quantile is read by
linear interpolation between them (clamped at the ends). With equal weights this is
``numpy.quantile(..., method="hazen")`` (Hyndman & Fan 1996, definition 5).

Scores: Spearman rank correlation of the predicted median with the realised value (with its
two-sided p-value from scipy), the share of realised values inside the predicted interval
(coverage; 0.8 for an honest 80 % interval), and the mean absolute error of the median.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

from leaderlens.errors import BadInputError

PROBS: tuple[float, float, float] = (0.1, 0.5, 0.9)


def weighted_quantiles(
    values: npt.NDArray[np.floating],
    weights: npt.NDArray[np.floating],
    probs: Sequence[float] = PROBS,
) -> npt.NDArray[np.float64]:
    """Row-wise weighted quantiles: ``values`` and ``weights`` (m, k), NaN values ignored;
    returns (m, len(probs)), NaN for rows without a value. Rows whose weights sum to zero get
    equal weights. See the module docstring for the definition."""
    x = np.asarray(values, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    if x.shape != w.shape or x.ndim != 2:
        raise BadInputError(f"values {x.shape} and weights {w.shape} must be equal (m, k)")
    p = np.asarray(probs, dtype=np.float64)
    if np.any((p < 0) | (p > 1)):
        raise BadInputError(f"probs must lie in [0, 1]; got {list(probs)}", field="probs")
    ok = np.isfinite(x) & np.isfinite(w)
    w = np.where(ok, np.clip(w, 0.0, None), 0.0)
    zero = w.sum(axis=1) <= 0
    w = np.where(zero[:, None] & ok, 1.0, w)
    order = np.argsort(np.where(ok, x, np.inf), axis=1, kind="stable")
    xs = np.take_along_axis(np.where(ok, x, np.nan), order, axis=1)
    ws = np.take_along_axis(w, order, axis=1)
    total = ws.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        pos = (np.cumsum(ws, axis=1) - ws / 2.0) / total
    # values without weight (missing) sit beyond every probability
    pos = np.where(ws > 0, pos, np.inf)
    count = ok.sum(axis=1)
    out = np.full((x.shape[0], p.size), np.nan)
    rows = np.arange(x.shape[0])
    for j, q in enumerate(p):  # a handful of probabilities; rows are vectorised
        above = (pos < q).sum(axis=1)  # index of the first position at or beyond q
        hi = np.clip(above, 0, np.maximum(count - 1, 0))
        lo = np.clip(above - 1, 0, np.maximum(count - 1, 0))
        p_lo, p_hi = pos[rows, lo], pos[rows, hi]
        x_lo, x_hi = xs[rows, lo], xs[rows, hi]
        with np.errstate(invalid="ignore", divide="ignore"):
            frac = np.where(p_hi > p_lo, (q - p_lo) / (p_hi - p_lo), 0.0)
        frac = np.clip(frac, 0.0, 1.0)
        out[:, j] = np.where(count > 0, x_lo + frac * (x_hi - x_lo), np.nan)
    return out


@dataclass(frozen=True)
class Score:
    """How predictions compare with realised values (n predictions with both).

    spearman: rank correlation of the median with the realised value; spearman_p: its two-sided
    p-value (H0: no rank correlation; scipy's t approximation); coverage: share of realised
    values within [low, high]; mae: mean absolute error of the median; level: the interval's
    nominal coverage.
    """

    n: int
    spearman: float
    spearman_p: float
    coverage: float
    mae: float
    level: float

    def to_dict(self) -> dict[str, float | int | None]:
        return {k: _finite(v) for k, v in self.__dict__.items()}


def _finite(value: float | int) -> float | int | None:
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def score_predictions(
    realised: npt.NDArray[np.floating],
    low: npt.NDArray[np.floating],
    median: npt.NDArray[np.floating],
    high: npt.NDArray[np.floating],
    level: float = 0.8,
) -> Score:
    """Score predictions where all four arrays are finite (see :class:`Score`)."""
    y, lo, md, hi = (np.asarray(a, dtype=np.float64) for a in (realised, low, median, high))
    ok = np.isfinite(y) & np.isfinite(lo) & np.isfinite(md) & np.isfinite(hi)
    n = int(ok.sum())
    if n == 0:
        return Score(0, np.nan, np.nan, np.nan, np.nan, level)
    y, lo, md, hi = y[ok], lo[ok], md[ok], hi[ok]
    if n >= 3 and np.ptp(md) > 0 and np.ptp(y) > 0:
        rho, p = stats.spearmanr(md, y)
        rho, p = float(rho), float(p)
    else:  # a constant prediction has no rank correlation to speak of
        rho, p = np.nan, np.nan
    return Score(
        n=n,
        spearman=rho,
        spearman_p=p,
        coverage=float(np.mean((y >= lo) & (y <= hi))),
        mae=float(np.mean(np.abs(y - md))),
        level=level,
    )
