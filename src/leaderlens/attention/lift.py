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

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special, stats

from leaderlens.attention.lagged import SEASONALS
from leaderlens.errors import BadInputError, MissingDataError, check_choice


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


def _window_sums(values: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """``values[lo:hi].sum()`` for every (lo, hi) pair, from one running sum."""
    running = np.concatenate([[0.0], np.cumsum(values)])
    return running[hi] - running[np.minimum(lo, hi)]


def _gather(values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """``values[at]`` with NaN where ``at`` is off the grid."""
    inside = (at >= 0) & (at < len(values))
    return np.where(inside, values[np.clip(at, 0, len(values) - 1)], np.nan)


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
    check_choice("seasonal", seasonal, SEASONALS)
    t1, t2 = window
    e1, e2 = estimation
    if not (e1 <= e2 < t1 <= t2):
        raise BadInputError(
            f"need estimation {estimation} to end before the window {window} starts",
            field="estimation",
        )
    y = np.asarray(y, dtype=np.float64)
    idx = np.asarray(event_index, dtype=np.int64)
    if idx.size == 0:
        raise MissingDataError("no events inside the attention series", field="event_index")
    n = len(y)
    win_off = np.arange(t1, t2 + 1)
    # Buckets inside any event's window, by a difference array over the grid.
    marks = np.bincount(np.clip(idx + t1, 0, n), minlength=n + 1) - np.bincount(
        np.clip(idx + t2 + 1, 0, n), minlength=n + 1
    )
    busy = np.cumsum(marks)[:n] > 0
    # Estimation-window statistics as differences of running sums over the whole series (one
    # pass, whatever the number of events), on values centred on the series mean so that the
    # sums of squares keep their precision.
    z = np.where(busy, np.nan, y) if mask_events else y
    ok = np.isfinite(z)
    centre = float(np.mean(z[ok])) if ok.any() else 0.0
    w = np.where(ok, z - centre, 0.0)
    lo = np.clip(idx + e1, 0, n)
    hi = np.clip(idx + e2 + 1, 0, n)
    win_at = idx[:, None] + win_off[None, :]
    y_win = _gather(y, win_at)
    length = np.isfinite(y_win).sum(axis=1)
    if seasonal == "none":
        s0, s1, s2_ = (_window_sums(v, lo, hi) for v in (ok.astype(np.float64), w, w * w))
        n_est = s0.astype(np.int64)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_c = s1 / s0
        yhat = np.repeat((centre + mean_c)[:, None], len(win_off), axis=1)
        ssr = s2_ - s1 * mean_c
        k = np.ones(len(idx))
        var_factor = length + length**2 / np.maximum(n_est, 1)
    else:
        dow = labels.day_of_week.to_numpy()
        days = np.arange(7)
        on_day = ok[None, :] & (dow[None, :] == days[:, None])  # (7, n)
        t_d = np.stack([_window_sums(m.astype(np.float64), lo, hi) for m in on_day], axis=1)
        s1_d = np.stack([_window_sums(np.where(m, w, 0.0), lo, hi) for m in on_day], axis=1)
        s2_d = np.stack([_window_sums(np.where(m, w * w, 0.0), lo, hi) for m in on_day], axis=1)
        n_est = t_d.sum(axis=1).astype(np.int64)
        with np.errstate(invalid="ignore", divide="ignore"):
            means = centre + s1_d / t_d  # (m, 7); NaN for weekdays unseen
            ssr = np.nansum(np.where(t_d > 0, s2_d - s1_d * s1_d / t_d, 0.0), axis=1)
        dow_win = _gather(dow.astype(np.float64), win_at)
        day_win = np.nan_to_num(dow_win, nan=0).astype(np.int64)
        yhat = np.where(np.isfinite(y_win), np.take_along_axis(means, day_win, axis=1), np.nan)
        k = (t_d > 0).sum(axis=1).astype(np.float64)
        in_win = np.isfinite(y_win)[:, :, None] & (dow_win[:, :, None] == days)
        l_d = in_win.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            extra = np.where(t_d > 0, l_d**2 / np.maximum(t_d, 1), np.where(l_d > 0, np.inf, 0))
        var_factor = length + extra.sum(axis=1)
    dof = n_est - k
    with np.errstate(invalid="ignore", divide="ignore"):
        s2 = ssr / dof
        ar = y_win - yhat
        # Sums over the window's usable buckets (plain sums of zero-filled arrays: nansum
        # copies each input once more).
        used = np.isfinite(ar)
        car = np.where(used, ar, 0.0).sum(axis=1)
        base = np.where(used, yhat, 0.0).sum(axis=1)
        lift = car / base
        level = np.where(used, np.expm1(y_win), 0.0).sum(axis=1)
        level_base = np.where(used, np.expm1(yhat), 0.0).sum(axis=1)
        level_lift = level / level_base - 1.0
        car_se = np.sqrt(s2 * var_factor)
        t = car / car_se
    valid = (n_est >= min_estimation) & (length > 0) & np.isfinite(t) & (dof > 0)
    # special.stdtr is the t CDF ufunc behind stats.t, without its per-call overhead.
    p = np.where(valid, 2.0 * special.stdtr(np.maximum(dof, 1), -np.abs(t)), np.nan)
    # Another event's day 0 inside this event's window (after day 0 itself).
    order = np.sort(idx)
    nxt = np.searchsorted(order, idx + t1, side="right")
    later = np.where(
        nxt < len(order), order[np.minimum(nxt, len(order) - 1)], np.iinfo(np.int64).max
    )
    overlaps = later <= idx + t2

    def nan_unless(a: np.ndarray) -> np.ndarray:
        return np.where(valid, a, np.nan)

    return EventLifts(
        event_index=idx,
        ar=ar,
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
        overlaps=overlaps,
        window=window,
        estimation=estimation,
        seasonal=seasonal,
    )
