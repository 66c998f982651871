"""Event-by-event abnormal attention against direct computations (pandas, statsmodels OLS with
day-of-week dummies) and its size when nothing is planted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from leaderlens.attention.lift import event_lifts, two_sided_p
from leaderlens.errors import BadInputError, MissingDataError

LABELS = pd.date_range("2023-01-02", periods=400, freq="D", tz="UTC")


def test_constant_mean_matches_pandas() -> None:
    rng = np.random.default_rng(5)
    y = 2.0 + rng.normal(0, 0.1, 400)
    y[200:203] += [0.5, 0.25, 0.125]
    y[50] = np.nan  # a missing bucket inside an estimation window
    res = event_lifts(y, LABELS, np.array([100, 200]), window=(0, 2), estimation=(-60, -5))
    s = pd.Series(y)
    for i, t0 in enumerate([100, 200]):
        est = s.iloc[t0 - 60 : t0 - 4].dropna()
        mu, s2, t = est.mean(), est.var(ddof=1), len(est)
        win = s.iloc[t0 : t0 + 3]
        car = (win - mu).sum()
        assert res.car[i] == pytest.approx(car, rel=1e-12)
        assert res.lift[i] == pytest.approx(car / (3 * mu), rel=1e-12)
        level = np.expm1(win).sum() / (3 * np.expm1(mu)) - 1
        assert res.level_lift[i] == pytest.approx(level, rel=1e-12)
        se = np.sqrt(s2 * (3 + 9 / t))
        assert res.car_se[i] == pytest.approx(se, rel=1e-12)
        assert res.p_value[i] == pytest.approx(2 * stats.t.sf(abs(car / se), t - 1), rel=1e-9)
    assert res.n_estimation.tolist() == [55, 56]
    assert res.p_value[1] < 0.05


def test_weekly_baseline_matches_statsmodels_prediction() -> None:
    rng = np.random.default_rng(9)
    dow = LABELS.day_of_week.to_numpy()
    y = 3.0 + np.array([0.1, 0.1, 0.05, 0, 0, -0.2, -0.15])[dow] + rng.normal(0, 0.05, 400)
    t0 = 250
    res = event_lifts(
        y, LABELS, np.array([t0]), window=(0, 9), estimation=(-70, -11), seasonal="weekly"
    )
    est = np.arange(t0 - 70, t0 - 10)
    win = np.arange(t0, t0 + 10)

    def dummies(at: np.ndarray) -> np.ndarray:
        return np.column_stack([np.ones(len(at)), (dow[at][:, None] == np.arange(1, 7))])

    fit = sm.OLS(y[est], dummies(est)).fit()
    x_w = dummies(win)
    yhat = x_w @ fit.params
    var_car = (
        fit.scale
        * np.ones(10)
        @ (np.eye(10) + x_w @ fit.normalized_cov_params @ x_w.T)
        @ np.ones(10)
    )
    np.testing.assert_allclose(res.yhat[0], yhat, rtol=1e-12)
    assert res.car[0] == pytest.approx(np.sum(y[win] - yhat), rel=1e-9)
    assert res.car_se[0] == pytest.approx(np.sqrt(var_car), rel=1e-9)
    assert res.dof[0] == 60 - 7


def test_masking_and_overlap_flags() -> None:
    y = np.full(400, 1.0) + np.random.default_rng(1).normal(0, 0.1, 400)
    res = event_lifts(y, LABELS, np.array([150, 155, 300]), window=(0, 7), estimation=(-40, -8))
    assert res.overlaps.tolist() == [True, False, False]
    # Event 155's estimation window [115, 147] holds no other event window: nothing masked;
    # event 300 is clean as well.
    assert res.n_estimation.tolist() == [33, 33, 33]
    res = event_lifts(y, LABELS, np.array([150, 170]), window=(0, 7), estimation=(-40, -8))
    # 170's estimation window [130, 162] loses 150..157 to the first event's window.
    assert res.n_estimation.tolist() == [33, 33 - 8]


def test_size_under_the_null() -> None:
    """AR-free noise, no lift: single-event CAR tests reject at the nominal 5% (2,000 events
    on 40 series; binomial sd 0.5%) and the cross-sectional test as well."""
    rng = np.random.default_rng(77)
    single, mean_p = [], []
    for _ in range(40):  # independent series
        y = 2.0 + rng.normal(0, 0.1, 4000)
        events = np.arange(100, 4000 - 10, 78)
        res = event_lifts(
            y, LABELS[:1].union(pd.date_range(LABELS[0], periods=4000, freq="D")), events
        )
        single.append(res.p_value[res.valid])
        mean_p.append(res.mean_test()["p_value"])
    rate = float(np.mean(np.concatenate(single) < 0.05))
    assert 0.035 <= rate <= 0.065, rate
    assert np.mean(np.array(mean_p) < 0.05) <= 0.15


def test_bad_windows_are_refused() -> None:
    with pytest.raises(BadInputError, match="estimation"):
        event_lifts(np.zeros(100), LABELS[:100], np.array([50]), estimation=(-5, 2))
    with pytest.raises(MissingDataError):
        event_lifts(np.zeros(100), LABELS[:100], np.array([], dtype=np.int64))


def test_flat_estimation_window_has_no_t() -> None:
    """Search interest reported as the same value for weeks: the estimation window's residual
    sum of squares is exactly zero, so the event gets no t (not a t of 1e7 from rounding)."""
    rng = np.random.default_rng(3)
    y = np.log1p(rng.integers(20, 80, 400).astype(float))
    y[40:100] = np.log1p(0.0)  # flat weeks before the first event
    res = event_lifts(y, LABELS, np.array([100, 300]), window=(0, 2), estimation=(-60, -8))
    assert not res.valid[0] and np.isnan(res.t[0])
    assert res.valid[1] and abs(res.t[1]) < 10


def test_overlaps_count_other_events_only_when_the_window_starts_before_day_0() -> None:
    y = 1.0 + np.random.default_rng(2).normal(0, 0.1, 400)
    events = np.array([100, 103, 200])
    res = event_lifts(y, LABELS, events, window=(-2, 5), estimation=(-60, -8))
    # Direct count: another event's day 0 in (t0, t0 + 5].
    direct = [any(t0 < o <= t0 + 5 for o in events if o != t0) for t0 in events]
    assert res.overlaps.tolist() == direct == [True, False, False]


def test_p_values_of_many_events_match_scipy() -> None:
    """Past 20,000 events the p-values are computed in two halves on two threads."""
    rng = np.random.default_rng(8)
    t = rng.standard_t(5, 50_001) * 3
    dof = rng.integers(3, 200, t.size)
    np.testing.assert_allclose(two_sided_p(dof, t), 2 * stats.t.sf(np.abs(t), dof), rtol=1e-12)
