"""Synthetic control on California's Proposition 99 (ADH 2010) and against scipy's NNLS."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import optimize

from leaderlens.counterfactual.synthetic import (
    placebo_in_space,
    placebo_in_time,
    simplex_weights,
    synthetic_control,
)
from leaderlens.errors import BadInputError

ADH_LAGS = (1975, 1980, 1988)  # the outcome predictors of ADH's published specification


@pytest.fixture(scope="module")
def prop99(shared_data: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    frame = pd.read_csv(
        shared_data / "synthetic_control_prop99" / "california_prop99.csv", index_col="Year"
    )
    units = frame[["California", *[c for c in frame if c != "California"]]].to_numpy()
    years = frame.index.to_numpy()
    return units, years, years <= 1988, years >= 1989


def nnls_simplex(target: np.ndarray, donors: np.ndarray) -> np.ndarray:
    """Independent witness: Lawson-Hanson NNLS with sum(w) = 1 as one heavily weighted row."""
    heavy = 1e6
    a = np.vstack([donors, np.full(donors.shape[1], heavy)])
    w, _ = optimize.nnls(a, np.append(target, heavy))
    return w


def test_outcome_fit_gap_and_nnls_witness(prop99: tuple) -> None:
    units, years, pre, post = prop99
    fit = synthetic_control(units[:, 0], units[:, 1:], pre, post)
    assert abs(fit.gap[years == 2000][0] - (-26)) <= 3  # ADH: about -26 packs in 2000
    assert fit.weights.min() >= 0 and fit.weights.sum() == pytest.approx(1, abs=1e-12)
    np.testing.assert_allclose(fit.weights, nnls_simplex(units[pre, 0], units[pre, 1:]), atol=1e-6)
    assert fit.pre_rmspe < 2.0 < fit.post_rmspe


def test_adh_predictors_rank_california_first(prop99: tuple) -> None:
    units, years, pre, post = prop99
    lags = units[np.isin(years, ADH_LAGS)]
    fit = synthetic_control(units[:, 0], units[:, 1:], pre, post, predictors=lags)
    assert abs(fit.gap[years == 2000][0] - (-26)) <= 3
    np.testing.assert_allclose(fit.weights, nnls_simplex(lags[:, 0], lags[:, 1:]), atol=1e-6)
    placebo = placebo_in_space(units, pre, post, predictors=lags)
    assert placebo.rank == 1 and placebo.p == pytest.approx(1 / 39)
    assert placebo.ratio[0] == pytest.approx(fit.ratio)


def test_placebo_in_time_shows_no_effect(prop99: tuple) -> None:
    units, years, pre, _ = prop99
    fake = int(np.flatnonzero(years == 1980)[0])
    fit = placebo_in_time(units[:, 0], units[:, 1:], pre, fake)
    real = synthetic_control(units[:, 0], units[:, 1:], pre, years >= 1989)
    assert np.abs(fit.gap[(years >= 1980) & pre]).max() < np.abs(real.gap[years >= 1989]).max() / 2
    with pytest.raises(BadInputError, match="placebo moment"):
        placebo_in_time(units[:, 0], units[:, 1:], pre, int(np.flatnonzero(years == 1995)[0]))


def test_weights_recover_a_planted_combination() -> None:
    rng = np.random.default_rng(5)
    donors = rng.normal(size=(40, 6)).cumsum(axis=0)
    planted = np.array([0.5, 0.3, 0.2, 0, 0, 0])
    w = simplex_weights(donors @ planted, donors)
    np.testing.assert_allclose(w, planted, atol=1e-9)


def test_fitted_v_never_worse_than_equal_v(prop99: tuple) -> None:
    units, years, pre, post = prop99
    lags = np.vstack([units[np.isin(years, ADH_LAGS)], units[pre].mean(axis=0)])
    equal = synthetic_control(units[:, 0], units[:, 1:], pre, post, predictors=lags)
    fitted = synthetic_control(units[:, 0], units[:, 1:], pre, post, lags, v="fitted")
    assert fitted.v is not None and fitted.v.sum() == pytest.approx(1)
    assert fitted.pre_rmspe <= equal.pre_rmspe + 1e-9
    with pytest.raises(BadInputError, match="v must be one of equal, fitted"):
        synthetic_control(units[:, 0], units[:, 1:], pre, post, lags, v="best")  # type: ignore[arg-type]
