"""The cross-correlation that event windows sharing calendar days imply (Kolari & Pynnönen
2010, applied where it belongs).

Kolari & Pynnönen (2010) correct the BMP and Patell statistics for the average correlation r
of the events' standardized abnormal values: Var(mean SCAR) = (1 + (N - 1) r) / N. Abnormal
values of different days are (close to) serially uncorrelated, so two events' CARs are
correlated only through the calendar days their event windows share. With windows of L bars,
shared_ij of them in common and a contemporaneous residual correlation rho_ij of the two
events' series,

    corr(CAR_i, CAR_j) = shared_ij / L * rho_ij,    r = sum_{i != j} of that / (N (N - 1)).

rho_ij is the correlation of the two events' estimation residuals over the bars both hold
(:func:`~leaderlens.study.tests_parametric.residual_cross_correlation`'s pair term): about 1
for two events of one asset, the assets' residual correlation for events of two assets.
Events whose windows share no day contribute 0, so one leader's events on one asset at
separate dates get r = 0 and the adjustment leaves BMP alone, while events that pile onto the
same days (calendar clustering) get the correlation their sharing implies.
r from the estimation residuals alone (every pair that shares estimation bars) is large for one
asset's events at any dates and makes the adjusted tests nearly powerless there
(docs/study.md, "Which test for which design").
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import sparse

from leaderlens.errors import BadInputError
from leaderlens.study.tests_parametric import unit_rows


def shared_window_correlation(
    residuals: ArrayLike, calendar_index: ArrayLike, window_index: ArrayLike
) -> float | None:
    """r implied by event windows that share calendar days (module docstring).

    Args:
        residuals: (N, T) estimation residuals, NaN where missing.
        calendar_index: (N, T) integer calendar position of each estimation bar.
        window_index: (N, L) integer calendar position of each event-window bar, on the same
            numbering (negative: no bar).

    Returns None with fewer than two events holding residuals. Computed without forming the
    N x N pairs: for each calendar day d the events whose window covers it, A_d, give
    sum_{i != j in A_d} rho_ij = ||sum_{i in A_d} z_i||^2 - |A_d| (unit-length z), one sparse
    product of the day-by-event incidence and the event-by-bar residuals.
    """
    e = np.asarray(residuals, dtype=np.float64)
    cal = np.asarray(calendar_index)
    win = np.asarray(window_index)
    if cal.shape != e.shape or win.ndim != 2 or win.shape[0] != e.shape[0]:
        raise BadInputError(
            f"calendar_index must have the residuals' shape {e.shape} and window_index one "
            f"row per event; got {cal.shape} and {win.shape}",
            field="window_index",
        )
    z, rows = unit_rows(e)
    n = int(rows.sum())
    if n < 2:
        return None
    length = win.shape[1]
    low = int(min(cal.min(initial=0), win.min(initial=0)))
    n_days = int(max(cal.max(initial=0), win.max(initial=0))) - low + 1
    # Event-window days of the events with residuals: the day-by-event incidence matrix.
    events, cols = np.nonzero((win >= 0) & rows[:, None])
    days = win[events, cols] - low
    incidence = sparse.csr_array((np.ones(days.size), (days, events)), shape=(n_days, e.shape[0]))
    z_rows, z_cols = np.nonzero(z)
    residual = sparse.csr_array(
        (z[z_rows, z_cols], (z_rows, cal[z_rows, z_cols] - low)), shape=(e.shape[0], n_days)
    )
    # Only days covered by two or more windows hold pairs (and an exact 0 without any).
    count = incidence.sum(axis=1)
    shared = incidence[count >= 2]
    summed = shared @ residual
    within = float((summed.multiply(summed)).sum()) - float(count[count >= 2].sum())
    return within / (length * n * (n - 1))


def effective_events(n: int, r: float) -> float:
    """N / (1 + (N - 1) r): how many independent events carry the information of N events
    with average correlation r (Kish's design effect). The shared-day adjusted BMP t is referred
    to t(N_eff - 1): its cross-sectional variance rests on N_eff independent pieces, and with
    t(N - 1) a calendar burst over-rejects (bench/size_power.py --real, "clustered")."""
    return float(n / (1.0 + (n - 1) * r)) if r > 0 else float(n)
