"""Lead-lag against a direct statsmodels computation on the same data."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.tsa.api import VAR
from statsmodels.tsa.stattools import ccf, grangercausalitytests

from leaderlens.attention.leadlag import cross_correlation, lead_lag
from leaderlens.errors import BadInputError, MissingDataError


def _pair(seed: int, n: int = 600) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.poisson(2.0, n).astype(float)
    y = np.zeros(n)
    for t in range(2, n):  # an AR recursion to simulate, not an estimator
        y[t] = 0.5 * y[t - 1] + 0.15 * x[t - 1] + 0.1 * x[t - 2] + rng.normal(0, 0.5)
    return x, y


@pytest.mark.parametrize("seed", [1, 2])
def test_granger_var_irf_match_statsmodels(seed: int) -> None:
    x, y = _pair(seed)
    res = lead_lag(x, y, maxlags=8, horizon=6)
    z = np.column_stack([x, y])
    assert res.lag_order == VAR(z).select_order(8).selected_orders["aic"]
    p = res.lag_order
    sm_xy = grangercausalitytests(np.column_stack([y, x]), [p])[p][0]["ssr_ftest"]
    sm_yx = grangercausalitytests(np.column_stack([x, y]), [p])[p][0]["ssr_ftest"]
    for ours, theirs in ((res.x_causes_y, sm_xy), (res.y_causes_x, sm_yx)):
        assert ours[0] == pytest.approx(theirs[0], rel=1e-9)
        assert ours[1] == pytest.approx(theirs[1], rel=1e-7, abs=1e-300)
        assert (ours[2], ours[3]) == (theirs[3], theirs[2])
    fit = VAR(z).fit(p)
    irf = fit.irf(6)
    np.testing.assert_allclose(res.irf, irf.irfs, atol=1e-10)
    np.testing.assert_allclose(res.orth_irf, irf.orth_irfs, atol=1e-10)
    assert res.x_causes_y[1] < 1e-6
    assert res.to_frame()["response"].iloc[1] > 0
    assert "Granger" in res.summary()


def test_cross_correlation_matches_statsmodels_ccf() -> None:
    x, y = _pair(3)
    ours = cross_correlation(x, y, 5).set_index("lag")["correlation"]
    # ccf(y, x)[k] = corr(y_{t+k}, x_t) with the full-sample mean and variance (biased
    # denominator); agreement is to about 1 / n, the difference of the two conventions.
    theirs = ccf(y, x, adjusted=False)[:6]
    np.testing.assert_allclose(ours.loc[0:5].to_numpy(), theirs, atol=0.02)
    assert ours.loc[1] == pytest.approx(np.corrcoef(x[:-1], y[1:])[0, 1], rel=1e-12)


def test_refuses_gaps_and_short_series() -> None:
    with pytest.raises(BadInputError):
        lead_lag(np.array([1.0, np.nan] * 100), np.ones(200))
    with pytest.raises(MissingDataError):
        lead_lag(np.ones(20), np.ones(20))
