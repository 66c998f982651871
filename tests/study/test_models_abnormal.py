"""Normal-return models and abnormal values against one statsmodels OLS per event.

The loop over events lives in the test only: it is the independent witness of the batched
closed forms. Data have gaps (NaN in the estimation window), missing regressors, a large
offset (to expose floating-point cancellation) and invalid events of every kind.
"""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

from leaderlens.errors import BadInputError
from leaderlens.study.abnormal import abnormal_returns, average_path, buy_and_hold, cumulate
from leaderlens.study.models import fit_normal_model

N, T, L, P = 40, 120, 7, 2
FIRST_BAR = -3


def _panel(seed: int = 3, offset: float = 50.0):
    rng = np.random.default_rng(seed)
    F = offset + rng.normal(0, 0.01, (N, T + L, P))  # factor levels far from zero
    theta = rng.normal(0, 1, (N, P))
    R = 0.3 * offset + (F * theta[:, None, :]).sum(2) + rng.normal(0, 0.02, (N, T + L))
    R[:, :T][rng.random((N, T)) < 0.08] = np.nan  # scattered gaps in the estimation window
    R[0, :100] = np.nan  # too few bars
    F[1, 10:14, 0] = np.nan  # missing regressor values: those bars drop out
    F[2, :T, 1] = 7.0  # a constant factor: singular X'X
    R[3, T + 2] = np.nan  # a gap in the event window
    R[4, :T] = 1.0  # constant series: zero residual variance for constant mean
    return R[:, :T], F[:, :T], R[:, T:], F[:, T:]


def _statsmodels_event(y, X, y_evt, X_evt):
    """One OLS on regressors centred by the test (so the witness itself is well conditioned)."""
    ok = np.isfinite(y) & np.isfinite(X).all(1)
    centre = X[ok].mean(0)
    design = sm.add_constant(X[ok] - centre, has_constant="add")
    res = sm.OLS(y[ok], design).fit()
    ev_design = sm.add_constant(X_evt - centre, has_constant="add")
    pred = res.get_prediction(ev_design)
    ar = y_evt - pred.predicted_mean
    var_ar = pred.se_obs**2  # s^2 (1 + x'(X'X)^-1 x)
    xtx_inv = np.linalg.inv(design.T @ design)
    params = np.r_[res.params[0] - centre @ res.params[1:], res.params[1:]]
    return res, params, ar, var_ar, xtx_inv, ev_design


@pytest.mark.parametrize("k", [1, 2])
def test_factor_and_market_model_match_statsmodels_per_event(k):
    R, F, Re, Fe = _panel()
    model = "market" if k == 1 else "factor"
    X, Xe = (F[:, :, 0], Fe[:, :, 0]) if k == 1 else (F, Fe)
    fit = fit_normal_model(model, R, X, min_estimation=30)
    abn = abnormal_returns(fit, Re, Xe, first_bar=FIRST_BAR)
    assert not fit.valid[0] and "usable bars" in fit.reason[0]
    assert not abn.valid[3] and abn.reason[3].endswith("relative bar -1")
    if k == 2:
        assert not fit.valid[2] and "singular" in fit.reason[2]
    window = (-1, 2)
    cum = cumulate(abn, window)
    cols = slice(window[0] - FIRST_BAR, window[1] - FIRST_BAR + 1)
    checked = 0
    for i in np.flatnonzero(abn.valid):
        Xi = X[i].reshape(T, -1)
        Xei = Xe[i].reshape(L, -1)
        res, params, ar, var_ar, xtx_inv, ev_design = _statsmodels_event(R[i], Xi, Re[i], Xei)
        assert fit.n_obs[i] == res.nobs and fit.dof[i] == res.df_resid
        np.testing.assert_allclose(fit.params[i], params, rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(fit.s2[i], res.scale, rtol=1e-10)
        resid = fit.residuals[i][np.isfinite(fit.residuals[i])]
        np.testing.assert_allclose(resid, res.resid, rtol=0, atol=1e-10)
        np.testing.assert_allclose(abn.ar[i], ar, rtol=0, atol=1e-10)
        np.testing.assert_allclose(abn.var_ar[i], var_ar, rtol=1e-10)
        np.testing.assert_allclose(abn.t[i], ar / np.sqrt(var_ar), rtol=1e-9)
        ones = ev_design[cols].sum(0)
        var_car = res.scale * (cols.stop - cols.start + ones @ xtx_inv @ ones)
        np.testing.assert_allclose(cum.car[i], ar[cols].sum(), rtol=0, atol=1e-10)
        np.testing.assert_allclose(cum.var_car[i], var_car, rtol=1e-9)
        np.testing.assert_allclose(cum.t[i], ar[cols].sum() / np.sqrt(var_car), rtol=1e-8)
        checked += 1
    assert checked >= N - 5
    assert np.isnan(cum.car[~abn.valid]).all()


def test_market_model_closed_form_variance_matches_methods_formula():
    R, F, Re, Fe = _panel(seed=11, offset=0.0)
    fit = fit_normal_model("market", R, F[:, :, 0])
    abn = abnormal_returns(fit, Re, Fe[:, :, 0], first_bar=FIRST_BAR)
    cum = cumulate(abn)
    i = int(np.flatnonzero(abn.valid)[0])
    ok = np.isfinite(R[i]) & np.isfinite(F[i, :, 0])
    m = F[i, ok, 0]
    s_mm = ((m - m.mean()) ** 2).sum()
    c_t = 1 + 1 / ok.sum() + (Fe[i, :, 0] - m.mean()) ** 2 / s_mm
    np.testing.assert_allclose(abn.var_ar[i], fit.s2[i] * c_t, rtol=1e-12)
    var_car = fit.s2[i] * (L + L**2 / ok.sum() + (Fe[i, :, 0] - m.mean()).sum() ** 2 / s_mm)
    np.testing.assert_allclose(cum.var_car[i], var_car, rtol=1e-12)
    assert (abn.ar_p_values()[abn.valid] > 0).all()


def test_constant_mean_and_market_adjusted_match_plain_numpy():
    R, F, Re, Fe = _panel(seed=5)
    fit = fit_normal_model("constant_mean", R)
    abn = abnormal_returns(fit, Re)
    assert not fit.valid[4] and fit.reason[4] == "zero residual variance in the estimation window"
    for i in np.flatnonzero(abn.valid)[:10]:
        y = R[i][np.isfinite(R[i])]
        np.testing.assert_allclose(abn.ar[i], Re[i] - y.mean(), atol=1e-12)
        np.testing.assert_allclose(fit.s2[i], y.var(ddof=1), rtol=1e-10)
        np.testing.assert_allclose(abn.var_ar[i], y.var(ddof=1) * (1 + 1 / y.size), rtol=1e-10)
        assert fit.dof[i] == y.size - 1
    m, me = F[:, :, 0] - 49.8, Fe[:, :, 0] - 49.8
    r = R - 15.0
    fit = fit_normal_model("market_adjusted", r, m)
    abn = abnormal_returns(fit, Re - 15.0, me)
    for i in np.flatnonzero(abn.valid)[:10]:
        ok = np.isfinite(r[i]) & np.isfinite(m[i])
        d = r[i, ok] - m[i, ok]
        np.testing.assert_allclose(abn.ar[i], Re[i] - 15.0 - me[i], atol=1e-12)
        np.testing.assert_allclose(abn.var_ar[i], d.var(ddof=1), rtol=1e-10)
        np.testing.assert_allclose(cumulate(abn).var_car[i], L * d.var(ddof=1), rtol=1e-10)


def test_average_path_counts_events_per_bar():
    R, F, Re, Fe = _panel()
    abn = abnormal_returns(fit_normal_model("market", R, F[:, :, 0]), Re, Fe[:, :, 0])
    path = average_path(abn)
    ok = abn.valid
    np.testing.assert_array_equal(path.n, np.full(L, ok.sum()))
    np.testing.assert_allclose(path.aar, Re[ok].mean(0) - (Re - abn.ar)[ok].mean(0), atol=1e-12)
    np.testing.assert_allclose(path.caar, np.cumsum(abn.ar[ok].mean(0)), atol=1e-12)


def test_buy_and_hold_against_compounded_prices():
    rng = np.random.default_rng(2)
    r = rng.normal(0.001, 0.02, (5, 6))
    b = rng.normal(0.0005, 0.01, (5, 6))
    r[4, 3] = np.nan
    res = buy_and_hold(r, b, window=(0, 2), first_bar=-1)
    price = np.cumprod(1 + r, axis=1)
    bench = np.cumprod(1 + b, axis=1)
    want = price[:, 3] / price[:, 0] - bench[:, 3] / bench[:, 0]
    np.testing.assert_allclose(res.bhar[:4], want[:4], rtol=1e-12)
    assert not res.valid[4] and res.reason[4].endswith("relative bar 2")


def test_inputs_are_not_mutated_and_bad_inputs_are_named():
    R, F, Re, Fe = _panel()
    copies = [a.copy() for a in (R, F, Re, Fe)]
    abnormal_returns(fit_normal_model("factor", R, F), Re, Fe)
    for a, b in zip((R, F, Re, Fe), copies, strict=True):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(BadInputError, match="model must be one of"):
        fit_normal_model("capm", R, F)  # type: ignore[arg-type]
    with pytest.raises(BadInputError, match="min_estimation"):
        fit_normal_model("market", R, F[:, :, 0], min_estimation=3)
    with pytest.raises(BadInputError, match="needs X_est"):
        fit_normal_model("market", R)
    with pytest.raises(BadInputError, match="one market series"):
        fit_normal_model("market", R, F)
    fit = fit_normal_model("market", R, F[:, :, 0])
    abn = abnormal_returns(fit, Re, Fe[:, :, 0], first_bar=FIRST_BAR)
    with pytest.raises(BadInputError) as err:
        cumulate(abn, (-5, 0))
    assert err.value.field == "window"
