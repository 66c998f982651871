"""Leader-driven volatility against independent pandas / statsmodels / enumeration witnesses."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from leaderlens.errors import BadInputError, MissingDataError
from leaderlens.risk.volatility import leader_volatility, market_model_residuals, variance_share


def test_p_value_matches_exact_enumeration() -> None:
    rng = np.random.default_rng(1)
    e = rng.standard_t(4, 12)
    flag = np.zeros(12, dtype=bool)
    flag[[0, 3, 7]] = True
    sq = e**2
    observed = sq[flag].sum() / sq.sum()
    subsets = [sq[list(c)].sum() / sq.sum() for c in combinations(range(12), 3)]
    exact = np.mean(np.array(subsets) >= observed - 1e-15)
    res = variance_share(e, flag, n_permutations=40_000, seed=3)
    assert res.variance_share == pytest.approx(observed, rel=1e-12)
    assert res.bar_share == pytest.approx(3 / 12)
    # Monte Carlo p around the exact permutation p: 4 standard errors
    assert abs(res.p_value - exact) < 4 * np.sqrt(exact * (1 - exact) / 40_000) + 1e-4


def test_size_under_no_effect() -> None:
    rng = np.random.default_rng(11)
    reps, alpha = 300, 0.05
    p = np.array(
        [
            variance_share(
                rng.standard_t(5, 200), rng.random(200) < 0.2, n_permutations=199, seed=i
            ).p_value
            for i in range(reps)
        ]
    )
    rate = np.mean(p <= alpha)
    # exact test: size <= alpha; binomial 99.9% band around 0.05 for 300 draws
    assert rate <= alpha + 3.3 * np.sqrt(alpha * (1 - alpha) / reps)
    assert rate >= 0.01


def test_power_when_event_bars_are_volatile() -> None:
    rng = np.random.default_rng(5)
    flag = rng.random(300) < 0.1
    e = rng.normal(0, 1, 300) * np.where(flag, 3.0, 1.0)
    assert variance_share(e, flag, n_permutations=999).p_value < 0.01


def test_market_model_matches_statsmodels() -> None:
    rng = np.random.default_rng(2)
    m = rng.normal(0, 0.01, 250)
    r = 0.001 + 1.4 * m + rng.normal(0, 0.02, 250)
    r[[5, 40]] = np.nan
    fit = sm.OLS(r[np.isfinite(r)], sm.add_constant(m[np.isfinite(r)])).fit()
    mm = market_model_residuals(r, m)
    assert (mm.alpha, mm.beta) == pytest.approx(tuple(fit.params), rel=1e-10)
    np.testing.assert_allclose(mm.residuals[np.isfinite(r)], fit.resid, rtol=1e-9, atol=1e-14)
    assert np.isnan(mm.residuals[[5, 40]]).all()


def test_bad_input_is_refused() -> None:
    with pytest.raises(BadInputError):
        variance_share(np.ones(3), np.ones(4, dtype=bool))
    with pytest.raises(MissingDataError):
        variance_share(np.arange(5.0), np.zeros(5, dtype=bool))


def test_demo_share_against_pandas_witness(risk_ws) -> None:
    """Returns from the stored bars with pandas, day 0 from the demo's ground truth, OLS from
    statsmodels: the share must agree; the p-value within Monte Carlo error of a direct
    NumPy permutation with another generator."""
    bars = risk_ws.bars_for(["VLTR", "USX"]).pivot(
        index="ts", columns="asset_id", values="adj_close"
    )
    rets = bars.pct_change().iloc[1:]
    fit = sm.OLS(rets["VLTR"].to_numpy(), sm.add_constant(rets["USX"].to_numpy())).fit()
    resid = pd.Series(fit.resid, index=rets.index)
    truth = risk_ws.ground_truth("planted_events")
    mine = truth[(truth["leader"] == "rex_vale") & (truth["asset"] == "VLTR")]
    days = pd.DatetimeIndex(mine["day0"]).tz_convert("UTC").unique()
    flag = resid.index.isin(days)
    sq = resid.to_numpy() ** 2
    share = sq[flag].sum() / sq.sum()

    res = leader_volatility(risk_ws, "rex_vale", "VLTR", n_permutations=4000, seed=1)
    assert res.n_bars == len(resid) and res.n_event_bars == int(flag.sum())
    assert res.variance_share == pytest.approx(share, rel=1e-9)
    assert res.beta == pytest.approx(fit.params[1], rel=1e-9)

    rng = np.random.default_rng(99)
    m, b = int(flag.sum()), 4000
    draws = np.array([sq[rng.choice(sq.size, m, replace=False)].sum() for _ in range(b)])
    p = (1 + np.sum(draws >= sq[flag].sum() * (1 - 1e-12))) / (1 + b)
    assert abs(res.p_value - p) < 4 * np.sqrt(p * (1 - p) / b) + 1e-3
    assert "p = " in res.summary() and res.to_frame().shape == (1, 12)
