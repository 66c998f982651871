"""The distributed-lag lift regression: its HAC errors against statsmodels, recovery of planted
lifts, and the size of its test when nothing is planted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy.signal import lfilter

from leaderlens.attention.lagged import design, lagged_lifts
from leaderlens.errors import BadInputError, MissingDataError

LABELS = pd.date_range("2022-01-03", periods=900, freq="D", tz="UTC")


def _world(
    rng: np.random.Generator, lifts: tuple[float, float], decay: float = 0.5, n: int = 900
) -> tuple[np.ndarray, np.ndarray]:
    """AR(1) log attention with weekly season and geometric lifts of two posting groups."""
    counts = np.column_stack([rng.poisson(0.8, n), rng.poisson(0.3, n)]).astype(float)
    shocks = rng.normal(0.0, 0.08, n)
    noise = lfilter([1.0], [1.0, -0.6], shocks)
    season = np.array([0.03, 0.04, 0.04, 0.03, 0.0, -0.08, -0.06])[LABELS[:n].day_of_week]
    kernel = decay ** np.arange(8)
    excess = sum(lift * np.convolve(counts[:, g], kernel)[:n] for g, lift in enumerate(lifts))
    return 3.0 + season + noise + excess, counts


def test_hac_errors_match_statsmodels() -> None:
    rng = np.random.default_rng(3)
    y, counts = _world(rng, (0.05, 0.02))
    fit = lagged_lifts(
        y,
        counts,
        LABELS,
        ["a", "b"],
        horizon=4,
        profile="free",
        errors="hac",
        hac_lags=6,
        n_boot=0,
    )
    x, fixed = design(counts, LABELS, 4, "weekly")
    ols = sm.OLS(y[4:], x[4:]).fit(cov_type="HAC", cov_kwds={"maxlags": 6})
    np.testing.assert_allclose(fit.coef.ravel(), ols.params[fixed:], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(fit.coef_se.ravel(), ols.bse[fixed:], rtol=1e-8)
    cov = ols.cov_params()[fixed:, fixed:]
    np.testing.assert_allclose(fit.cumulative_se[0], np.sqrt(cov[:5, :5].sum()), rtol=1e-8)


def test_planted_geometric_lifts_are_recovered() -> None:
    rng = np.random.default_rng(11)
    y, counts = _world(rng, (0.06, 0.02))
    fit = lagged_lifts(y, counts, LABELS, ["leader", "brand"], horizon=7, n_boot=199)
    assert fit.decay == pytest.approx(0.5, abs=0.15)
    truth_cum = np.array([0.06, 0.02]) * np.sum(0.5 ** np.arange(8))
    ci = fit.ci()
    assert np.all((ci[:, 0] <= truth_cum) & (truth_cum <= ci[:, 1]))
    assert abs(fit.rho - 0.6) < 0.1
    frame = fit.to_frame()
    assert list(frame["group"]) == ["leader", "brand"]
    assert frame["p_value"].iloc[0] < 0.01  # the small group has less power: test only the first
    # Bootstrap draws centre on the estimate.
    assert np.median(fit.boot_cumulative[:, 0]) == pytest.approx(fit.cumulative[0], rel=0.2)


def test_size_under_the_null() -> None:
    """No lift planted: the 5% test rejects at about 5% (200 worlds, two groups each; binomial
    sd about 1.5%)."""
    rng = np.random.default_rng(2024)
    p_values = []
    for _ in range(200):  # independent simulated worlds
        y, counts = _world(rng, (0.0, 0.0), n=600)
        fit = lagged_lifts(y, counts, LABELS[:600], ["a", "b"], horizon=7, n_boot=0)
        p_values.append(fit.p_value())
    rate = float(np.mean(np.array(p_values) < 0.05))
    assert rate <= 0.085, rate


def test_bad_inputs_are_refused() -> None:
    y = np.zeros(50)
    with pytest.raises(BadInputError, match="seasonal"):
        lagged_lifts(y, np.zeros((50, 1)), LABELS[:50], ["a"], seasonal="monthly")
    with pytest.raises(BadInputError, match="shape"):
        lagged_lifts(y, np.zeros((50, 2)), LABELS[:50], ["a"])
    with pytest.raises(MissingDataError, match="no posts"):
        lagged_lifts(y, np.zeros((50, 1)), LABELS[:50], ["a"])
