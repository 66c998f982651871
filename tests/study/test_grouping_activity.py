"""Group differences against scipy.stats; the activity regression against a hand-built
Newey-West sandwich (numpy only)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from leaderlens.errors import BadInputError, MissingDataError
from leaderlens.study.activity import activity_regression, newey_west_lags
from leaderlens.study.grouping import group_difference


def test_two_groups_welch_t_matches_scipy():
    rng = np.random.default_rng(0)
    x = np.r_[rng.normal(0, 1, 30), rng.normal(0.8, 2, 45), np.nan]
    labels = np.array(["keynote"] * 30 + ["x"] * 45 + ["x"])
    (res,) = group_difference(x, labels)
    ref = stats.ttest_ind(x[75 - 45 : 75], x[:30], equal_var=False)
    assert res.statistic == pytest.approx(ref.statistic, rel=1e-12)
    assert res.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    assert res.n == 75 and res.name == "Welch t (x - keynote)"


def test_three_groups_anova_and_kruskal_match_scipy():
    rng = np.random.default_rng(1)
    x = np.round(rng.normal(0, 1, 90), 1)  # ties for the Kruskal-Wallis correction
    labels = np.repeat([2, 0, 1], 30)
    x[labels == 1] += 0.5
    f, h = group_difference(x, labels)
    groups = [x[labels == g] for g in (0, 1, 2)]
    ref_f, ref_h = stats.f_oneway(*groups), stats.kruskal(*groups)
    assert f.statistic == pytest.approx(ref_f.statistic, rel=1e-10)
    assert f.p_value == pytest.approx(ref_f.pvalue, rel=1e-8)
    assert h.statistic == pytest.approx(ref_h.statistic, rel=1e-10)
    assert h.p_value == pytest.approx(ref_h.pvalue, rel=1e-8)
    assert f.distribution == "F(2, 87)" and h.distribution == "chi2(2)"
    with pytest.raises(BadInputError, match="at least 2 groups"):
        group_difference(x[:3], labels[:3])


def _newey_west(y, X, lags):
    beta = np.linalg.lstsq(X, y, rcond=None)[0]
    u = y - X @ beta
    g = X * u[:, None]
    s = g.T @ g
    for lag in range(1, lags + 1):
        w = 1 - lag / (lags + 1)
        gamma = g[lag:].T @ g[:-lag]
        s += w * (gamma + gamma.T)
    bread = np.linalg.inv(X.T @ X)
    return beta, np.sqrt(np.diag(bread @ s @ bread))


def test_activity_regression_matches_a_hand_built_newey_west():
    rng = np.random.default_rng(2)
    n = 500
    m = rng.normal(0, 0.01, n)
    act = rng.poisson(3, n).astype(float)
    sent = rng.normal(0, 1, n)
    e = np.convolve(rng.normal(0, 0.01, n + 3), np.ones(4) / 2, mode="valid")  # autocorrelated
    r = 0.0002 + 1.1 * m + 0.001 * act + e
    r[10] = np.nan
    res = activity_regression(r, m, act, sent)
    ok = np.isfinite(r)
    X = np.column_stack([np.ones(ok.sum()), m[ok], act[ok], sent[ok]])
    lags = newey_west_lags(int(ok.sum()))
    beta, se = _newey_west(r[ok], X, lags)
    assert res.names == ("const", "market", "activity", "sentiment")
    assert res.nobs == n - 1 and res.maxlags == lags == 5  # floor(4 * 4.99 ** (2 / 9))
    np.testing.assert_allclose(res.params, beta, rtol=1e-10)
    np.testing.assert_allclose(res.se, se, rtol=1e-10)
    test = res.test("activity")
    assert test.statistic == pytest.approx(beta[2] / se[2], rel=1e-10)
    assert test.p_value == pytest.approx(2 * stats.norm.sf(abs(beta[2] / se[2])), rel=1e-8)
    corrected = activity_regression(r, m, act, sent, small_sample=True)
    np.testing.assert_allclose(corrected.se, se * np.sqrt((n - 1) / (n - 1 - 4)), rtol=1e-10)
    with pytest.raises(BadInputError, match="name"):
        res.test("likes")
    with pytest.raises(MissingDataError):
        activity_regression(r[:4], m[:4], act[:4])
