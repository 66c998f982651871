"""Abnormal attention around single posts: the event study on ``y = log(1 + value)``.

METHODS.md sections 2 and 4 (MacKinlay 1997; Campbell, Lo & MacKinlay 1997 ch. 4): for each
event bucket ``t0``, the baseline ``yhat`` comes from the estimation window
``[t0 + e1, t0 + e2]`` (default ``[-60, -8]`` buckets) by the constant-mean model, or with
day-of-week means (``weekly``; a regression on an intercept and six day dummies fits exactly
the per-weekday means). Over the event window ``[0, H]``::

    AR_t = y_t - yhat_t, CAR = sum AR_t
    Lift = sum (y - yhat) / sum yhat                 (METHODS.md; modelled scale)
    level_lift = sum (exp(y) - 1) / sum (exp(yhat) - 1) - 1   (extra attention in the
                                                               series' own units, as a share)

Prediction-error variance of CAR: constant mean ``s^2 (L + L^2 / T)``, ``s^2 = SSR / (T - 1)``;
weekly ``s^2 (L + sum_d L_d^2 / T_d)``, ``s^2 = SSR / (T - D)``, with ``L_d`` and ``T_d`` the
event and estimation buckets falling on weekday ``d`` and ``D`` the weekdays seen. The CAR
t statistic is referred to t(T - K). Buckets inside other events' windows are left out of the
estimation window (masking) and an event needs ``min_estimation`` clean buckets.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special, stats

from leaderlens.attention.lagged import SEASONALS
from leaderlens.errors import BadInputError, MissingDataError, check_choice

FLAT = 1e-12  # relative size under which a residual sum of squares is rounding noise


@dataclass(frozen=True)
class EventLifts:
    """Per-event abnormal attention (m events, L = H + 1 event buckets).

    Fields
    ------
    event_index: bucket of day 0 per event; shape (m,).
    ar: abnormal log attention; shape (m, L) (NaN where the series has no value).
    yhat: baseline; shape (m, L).
    car: sum of ``ar``; lift: METHODS Lift; level_lift: on the series' own units; shape (m,).
    car_se: square root of the prediction-error variance of ``car``; t: ``car / car_se``;
    dof: T - K per event; p_value: two-sided from t(dof); shape (m,).
    n_estimation: clean estimation buckets per event; valid: event has a result; shape (m,).
    overlaps: the event window holds another event's day 0; shape (m,).
    window, estimation: offsets used; seasonal: ``none`` or ``weekly``.
    """

    event_index: np.ndarray
    ar: np.ndarray
    yhat: np.ndarray
    car: np.ndarray
    lift: np.ndarray
    level_lift: np.ndarray
    car_se: np.ndarray
    t: np.ndarray
    dof: np.ndarray
    p_value: np.ndarray
    n_estimation: np.ndarray
    valid: np.ndarray
    overlaps: np.ndarray
    window: tuple[int, int]
    estimation: tuple[int, int]
    seasonal: str

    def mean_test(self, level: float = 0.95) -> dict[str, float]:
        """Mean CAR and Lift across valid events with the cross-sectional t test
        (Brown & Warner 1985; H0: mean CAR = 0, t(N - 1)) and t intervals."""
        ok = self.valid
        n = int(ok.sum())
        if n < 2:
            raise MissingDataError(f"{n} valid events; need at least 2 for a mean test")
        car, lift = self.car[ok], self.lift[ok]
        q = stats.t.ppf(0.5 + level / 2.0, n - 1)
        se_car = car.std(ddof=1) / np.sqrt(n)
        se_lift = lift.std(ddof=1) / np.sqrt(n)
        t = car.mean() / se_car
        return {
            "n_events": n,
            "mean_car": float(car.mean()),
            "car_ci_low": float(car.mean() - q * se_car),
            "car_ci_high": float(car.mean() + q * se_car),
            "mean_lift": float(lift.mean()),
            "lift_ci_low": float(lift.mean() - q * se_lift),
            "lift_ci_high": float(lift.mean() + q * se_lift),
            "mean_level_lift": float(np.mean(self.level_lift[ok])),
            "t": float(t),
            "p_value": float(2.0 * stats.t.sf(abs(t), n - 1)),
            "overlapping": int(self.overlaps[ok].sum()),
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per event."""
        return pd.DataFrame(
            {
                "event_index": self.event_index,
                "car": self.car,
                "lift": self.lift,
                "level_lift": self.level_lift,
                "car_se": self.car_se,
                "t": self.t,
                "p_value": self.p_value,
                "n_estimation": self.n_estimation,
                "valid": self.valid,
                "overlaps": self.overlaps,
            }
        )


@dataclass(frozen=True)
class LiftSums:
    """The reduced table of event lifts: what the gather and reduce steps bring back, one row
    per event, whichever engine computed it (:func:`lift_sums` here from running sums in NumPy;
    :mod:`leaderlens.engines.relational` in SQL at scale). :func:`finish_lifts` turns it into
    :class:`EventLifts`.

    Buckets fall in D classes (D = 1 for the constant mean; the seven weekdays for the weekly
    baseline); values are centred on ``centre`` (the mean of the usable series).

    Fields
    ------
    event_index: bucket of day 0 per event; shape (m,).
    centre: the centring constant of each event's series; ``e_centre`` the same for
        ``expm1(y)``; shape (m,).
    t_d, s1_d, s2_d: clean estimation buckets per class, sums of centred values and of their
        squares; shape (m, D).
    l_d, w_d, e_d: usable event-window buckets per class, sums of centred values and of centred
        ``expm1(y)``; shape (m, D).
    y_win: window values (NaN where missing); cls_win: their classes; shape (m, L).
    overlaps: another event's day 0 lies in this event's window (after day 0); shape (m,).
    """

    event_index: np.ndarray
    centre: np.ndarray
    e_centre: np.ndarray
    t_d: np.ndarray
    s1_d: np.ndarray
    s2_d: np.ndarray
    l_d: np.ndarray
    w_d: np.ndarray
    e_d: np.ndarray
    y_win: np.ndarray
    cls_win: np.ndarray
    overlaps: np.ndarray


def two_sided_p(dof: np.ndarray, t: np.ndarray) -> np.ndarray:
    """``2 P(T_dof > |t|)`` by special.stdtr (the t CDF ufunc behind stats.t, without its
    per-call overhead), in two halves on two threads when there are many (the ufunc releases
    the GIL)."""
    if len(t) < 20_000:
        return 2.0 * special.stdtr(dof, -np.abs(t))
    half = len(t) // 2
    with ThreadPoolExecutor(2) as pool:
        parts = pool.map(
            lambda s: 2.0 * special.stdtr(dof[s], -np.abs(t[s])),
            (slice(0, half), slice(half, None)),
        )
        return np.concatenate(list(parts))


def check_windows(window: tuple[int, int], estimation: tuple[int, int]) -> None:
    """The estimation window must end before the event window starts."""
    e1, e2 = estimation
    t1, t2 = window
    if not (e1 <= e2 < t1 <= t2):
        raise BadInputError(
            f"need estimation {estimation} to end before the window {window} starts",
            field="estimation",
        )


def lift_sums(
    y: np.ndarray,
    labels: pd.DatetimeIndex,
    event_index: np.ndarray,
    *,
    window: tuple[int, int] = (0, 7),
    estimation: tuple[int, int] = (-60, -8),
    seasonal: str = "none",
    mask_events: bool = True,
) -> LiftSums:
    """Gather and reduce on a series held in memory: every per-event sum is a difference of
    running sums over the grid (one pass, whatever the number of events)."""
    check_choice("seasonal", seasonal, SEASONALS)
    check_windows(window, estimation)
    (t1, t2), (e1, e2) = window, estimation
    y = np.asarray(y, dtype=np.float64)
    idx = np.asarray(event_index, dtype=np.int64)
    n = len(y)
    if idx.size == 0:
        raise MissingDataError("no events inside the attention series", field="event_index")
    if idx.min() < 0 or idx.max() >= n:
        raise BadInputError(f"event buckets must lie in [0, {n})", field="event_index")
    cls = labels.day_of_week.to_numpy() if seasonal == "weekly" else np.zeros(n, np.int64)
    n_cls = 7 if seasonal == "weekly" else 1
    # Buckets inside any event's window, by a difference array over the grid; then the number
    # of day 0s at or before each bucket, for the overlap marks.
    day0s = np.bincount(idx, minlength=n)
    marks = np.bincount(np.clip(idx + t1, 0, n), minlength=n + 1) - np.bincount(
        np.clip(idx + t2 + 1, 0, n), minlength=n + 1
    )
    busy = np.cumsum(marks)[:n] > 0
    finite = np.isfinite(y)
    ok = finite & ~busy if mask_events else finite
    centre = float(np.mean(y[ok])) if ok.any() else 0.0
    yc = np.where(finite, y - centre, 0.0)
    ey = np.where(finite, np.expm1(y), 0.0)
    e_centre = float(np.mean(ey[finite])) if finite.any() else 0.0
    ec = np.where(finite, ey - e_centre, 0.0)
    w = np.where(ok, yc, 0.0)
    okf, finf = ok.astype(np.float64), finite.astype(np.float64)
    quantities = [okf, w, w * w, finf, yc, ec]
    if n_cls == 1:
        columns = quantities
    else:
        columns = [q * (cls == d) for d in range(n_cls) for q in quantities]
    # One running sum per column, stored column by column so that each lookup is a 1-D take.
    running = np.zeros((len(columns), n + 1))
    np.cumsum(np.vstack(columns), axis=1, out=running[:, 1:])

    def between(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        lo, hi = np.clip(lo, 0, n), np.clip(hi, 0, n)
        lo = np.minimum(lo, hi)
        out = np.stack([col.take(hi) - col.take(lo) for col in running], axis=1)
        return out.reshape(len(idx), n_cls, 6)

    est = between(idx + e1, idx + e2 + 1)
    win = between(idx + t1, idx + t2 + 1)
    pad = max(abs(t1), abs(t2)) + 1
    at = idx[:, None] + np.arange(t1, t2 + 1)[None, :] + pad
    y_win = np.concatenate([np.full(pad, np.nan), y, np.full(pad, np.nan)]).take(at)
    if n_cls > 1:
        cls_win = np.concatenate([np.zeros(pad, np.int64), cls, np.zeros(pad, np.int64)]).take(at)
    else:
        cls_win = np.broadcast_to(np.zeros(1, np.int64), at.shape)
    seen0 = np.concatenate([[0], np.cumsum(day0s)])
    # Day 0s in [k0 + max(t1, 1), k0 + t2]: inside the window, after day 0 itself.
    after = np.clip(idx + max(t1, 1), 0, n)
    overlaps = (seen0[np.clip(idx + t2 + 1, 0, n)] - seen0[after]) > 0
    return LiftSums(
        event_index=idx,
        centre=np.full(len(idx), centre),
        e_centre=np.full(len(idx), e_centre),
        t_d=est[:, :, 0],
        s1_d=est[:, :, 1],
        s2_d=est[:, :, 2],
        l_d=win[:, :, 3],
        w_d=win[:, :, 4],
        e_d=win[:, :, 5],
        y_win=y_win,
        cls_win=cls_win,
        overlaps=overlaps,
    )


def finish_lifts(
    sums: LiftSums,
    *,
    window: tuple[int, int],
    estimation: tuple[int, int],
    seasonal: str,
    min_estimation: int = 20,
) -> EventLifts:
    """The NumPy finish on the reduced table (module docstring); the same for every engine."""
    t_d, s1_d, l_d = sums.t_d, sums.s1_d, sums.l_d
    seen = t_d > 0
    # Sums over the classes (a plain column when there is one class).
    total = (lambda a: a[:, 0]) if t_d.shape[1] == 1 else (lambda a: a.sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_c = s1_d / t_d  # (m, D); NaN for classes unseen in the estimation window
        ssr = total(np.where(seen, sums.s2_d - s1_d * mean_c, 0.0))
        # A flat estimation window (search interest reported as 0 for weeks) has SSR 0 and
        # no t; what is left of the subtraction is rounding noise of either sign, below
        # FLAT of the window's centred sum of squares.
        ssr = np.where(ssr <= FLAT * total(np.where(seen, sums.s2_d, 0.0)), 0.0, ssr)
        n_est = total(t_d).round().astype(np.int64)
        k = total(seen.astype(np.int64))
        length = total(l_d)
        means = sums.centre[:, None] + mean_c
        car = total(np.where(seen, sums.w_d - l_d * mean_c, 0.0))
        base = total(np.where(seen, l_d * means, 0.0))
        level = total(np.where(seen, sums.e_d + l_d * sums.e_centre[:, None], 0.0))
        level_base = total(np.where(seen, l_d * np.expm1(means), 0.0))
        extra = np.where(seen, l_d**2 / np.maximum(t_d, 1), np.where(l_d > 0, np.inf, 0.0))
        var_factor = length + total(extra)
        dof = n_est - k
        car_se = np.sqrt(ssr / dof * var_factor)
        t = car / car_se
        lift = car / base
        level_lift = level / level_base - 1.0
    if means.shape[1] == 1:
        yhat = np.broadcast_to(means, sums.y_win.shape)
    else:
        picked = np.take_along_axis(means, sums.cls_win, axis=1)
        yhat = np.where(np.isfinite(sums.y_win), picked, np.nan)
    valid = (n_est >= min_estimation) & (length > 0) & np.isfinite(t) & (dof > 0)
    p = np.where(valid, two_sided_p(np.maximum(dof, 1), t), np.nan)

    def nan_unless(a: np.ndarray) -> np.ndarray:
        return np.where(valid, a, np.nan)

    return EventLifts(
        event_index=sums.event_index,
        ar=sums.y_win - yhat,
        yhat=yhat,
        car=nan_unless(car),
        lift=nan_unless(lift),
        level_lift=nan_unless(level_lift),
        car_se=nan_unless(car_se),
        t=nan_unless(t),
        dof=dof,
        p_value=p,
        n_estimation=n_est,
        valid=valid,
        overlaps=sums.overlaps,
        window=window,
        estimation=estimation,
        seasonal=seasonal,
    )


def event_lifts(
    y: np.ndarray,
    labels: pd.DatetimeIndex,
    event_index: np.ndarray,
    *,
    window: tuple[int, int] = (0, 7),
    estimation: tuple[int, int] = (-60, -8),
    seasonal: str = "none",
    mask_events: bool = True,
    min_estimation: int = 20,
) -> EventLifts:
    """Abnormal attention of each event (bucket ``event_index``) on series ``y`` (shape (n,));
    see the module docstring. Events sharing a bucket should be clustered first (pass unique
    buckets)."""
    sums = lift_sums(
        y,
        labels,
        event_index,
        window=window,
        estimation=estimation,
        seasonal=seasonal,
        mask_events=mask_events,
    )
    return finish_lifts(
        sums,
        window=window,
        estimation=estimation,
        seasonal=seasonal,
        min_estimation=min_estimation,
    )
