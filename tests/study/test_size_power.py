"""Size and power of the battery by simulation (short in-suite version).

Witness: the nominal level. Under the null each test's rejection rate at 5 % must lie within a
binomial tolerance (3.5 standard errors of a proportion around 0.05 over the samples). With
calendar-clustered, cross-correlated abnormal values the unadjusted BMP must over-reject while
the Kolari-Pynnönen adjusted tests hold size; with a planted effect every test must reject.
The long version is bench/size_power.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from leaderlens.errors import BadInputError
from leaderlens.study.simulation import rejection_rates, simulate_study

SAMPLES = 400
TOLERANCE = 3.5 * np.sqrt(0.05 * 0.95 / SAMPLES)


def test_every_test_holds_its_size_under_the_null():
    rates = rejection_rates(SAMPLES, seed=11)
    # 16 tests, the centred rank shown once with the modified rank (no missing values)
    assert len(rates) == 15 and "Cowan (1992) cumulative rank" not in rates
    outside = rates[(rates - 0.05).abs() > TOLERANCE]
    assert outside.empty, outside.to_dict()


def test_clustering_breaks_bmp_and_kolari_pynnonen_repairs_it():
    rates = rejection_rates(SAMPLES, seed=12, clustered=True, rho=0.1)
    assert rates["BMP (1991) t"] > 0.15
    assert rates["Patell (1976) Z"] > 0.15
    for name in (
        "Kolari-Pynnonen (2010) adjusted BMP t",
        "Kolari-Pynnonen (2010) adjusted Patell Z",
    ):
        assert abs(rates[name] - 0.05) <= TOLERANCE, (name, rates[name])


def test_a_planted_effect_is_found_by_every_test():
    rates = rejection_rates(100, seed=13, effect=0.04)
    weak = rates[rates < 0.7]
    assert weak.empty, weak.to_dict()


def test_simulated_study_shapes_and_arguments():
    study = simulate_study(
        np.random.default_rng(0),
        n_events=5,
        n_estimation=50,
        window=(-2, 3),
        clustered=True,
        rho=0.2,
    )
    assert study.R_est.shape == (5, 50) and study.R_evt.shape == (5, 6)
    assert study.first_bar == -2 and (study.calendar_index == np.arange(50)).all()
    with pytest.raises(BadInputError, match="rho"):
        simulate_study(np.random.default_rng(0), rho=1.0)
