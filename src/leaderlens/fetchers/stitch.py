"""Stitching Google Trends windows into one consistently scaled daily series.

Google Trends scales every request on its own: within one request's window the busiest point is
100 and the others are proportions of it, rounded to integers (Google, "FAQ about Google
Trends data": "each data point is divided by the total searches of the geography and time range
it represents ... the resulting numbers are then scaled on a range of 0 to 100"). Daily points
are only served for windows of up to about nine months, so a longer daily series has to be
assembled from several windows whose scales differ.

Method (overlap chaining). Consecutive windows overlap by several days. A window is brought onto
the scale of the series built so far by one factor,

    factor = sum(reference over the overlap) / sum(window over the overlap),

the ratio of the sums over the days both hold (a ratio of sums rather than a mean of daily
ratios, so that days near zero, where Google's integer rounding is coarsest, carry little
weight). The window's days that the reference does not hold are multiplied by the factor and
added; days both hold keep the reference's value. The first window (or, when extending a stored
series, the stored values) sets the scale: 100 is the peak of that first window, and later
points can exceed 100. Because the scale never moves, a later fetch only appends points and never
rewrites stored ones.

Error: each factor carries the rounding error of the integer values in its overlap (up to 0.5
per point on the window's 0-100 scale); it compounds along the chain, so a long chain of windows
with little interest in their overlaps drifts. :class:`Chained` reports the factor and overlap
used for every window so that the drift can be judged; :func:`stitch_windows` is tested against
the real daily "dogecoin" series re-cut into overlapping integer-rounded windows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from leaderlens.errors import MissingDataError


@dataclass(frozen=True)
class Chained:
    """One window placed on the reference scale.

    ts: ``datetime64[us]`` days of the window, shape ``(n,)``, ascending.
    values: the window's values times ``factor``, shape ``(n,)``.
    new: which of the window's days the reference did not hold, shape ``(n,)`` bool.
    factor: the multiplier applied (1.0 for the first window).
    overlap: how many days the factor was computed from (0 for the first window).
    """

    ts: np.ndarray
    values: np.ndarray
    new: np.ndarray
    factor: float
    overlap: int


@dataclass(frozen=True)
class Stitched:
    """A series stitched from windows.

    ts: ``datetime64[us]`` days, shape ``(m,)``, ascending and unique.
    values: the stitched values on the first window's scale, shape ``(m,)``.
    factors: the factor of each window, shape ``(k,)`` (the first is 1).
    overlaps: the days each factor rests on, shape ``(k,)`` (the first is 0).
    """

    ts: np.ndarray
    values: np.ndarray
    factors: np.ndarray
    overlaps: np.ndarray


def chain_window(
    ref_ts: np.ndarray,
    ref_values: np.ndarray,
    ts: np.ndarray,
    values: np.ndarray,
    *,
    min_overlap: int = 7,
) -> Chained:
    """Place one window (``ts``, ``values``) on the scale of the reference series.

    With an empty reference the window is the reference itself (factor 1). Otherwise the window
    must share at least ``min_overlap`` days with the reference, with some interest in them;
    else :class:`~leaderlens.errors.MissingDataError` says so (no factor can be told).
    """
    ts = np.asarray(ts, dtype="datetime64[us]")
    values = np.asarray(values, dtype=np.float64)
    ref_ts = np.asarray(ref_ts, dtype="datetime64[us]")
    ref_values = np.asarray(ref_values, dtype=np.float64)
    held = np.isin(ts, ref_ts)
    if ref_ts.size == 0:
        return Chained(ts, values, ~held, 1.0, 0)
    overlap = int(held.sum())
    if overlap < min_overlap:
        raise MissingDataError(
            f"a window overlaps the series by {overlap} day{'s' if overlap != 1 else ''}, fewer "
            f"than the {min_overlap} needed to put it on the same scale",
            field="overlap",
        )
    order = np.argsort(ref_ts)
    at = order[np.searchsorted(ref_ts, ts[held], sorter=order)]
    denominator = float(values[held].sum())
    numerator = float(ref_values[at].sum())
    if denominator <= 0 or numerator <= 0:
        raise MissingDataError(
            f"no search interest in the {overlap} overlapping days, so the window cannot be "
            f"put on the series' scale; widen the overlap or fetch a period with interest",
            field="overlap",
        )
    factor = numerator / denominator
    return Chained(ts, values * factor, ~held, factor, overlap)


def stitch_windows(
    windows: Sequence[tuple[np.ndarray, np.ndarray]], *, min_overlap: int = 7
) -> Stitched:
    """Chain windows, in the order given, into one series on the first window's scale.

    Each window is ``(days, values)``; each after the first must overlap the days stitched so
    far (see :func:`chain_window`).
    """
    ts = np.empty(0, dtype="datetime64[us]")
    values = np.empty(0, dtype=np.float64)
    factors, overlaps = [], []
    for window_ts, window_values in windows:
        placed = chain_window(ts, values, window_ts, window_values, min_overlap=min_overlap)
        ts = np.concatenate([ts, placed.ts[placed.new]])
        values = np.concatenate([values, placed.values[placed.new]])
        factors.append(placed.factor)
        overlaps.append(placed.overlap)
    order = np.argsort(ts, kind="stable")
    return Stitched(
        ts[order], values[order], np.asarray(factors), np.asarray(overlaps, dtype=np.int64)
    )
