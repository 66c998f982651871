"""Size and power of the headline test on real returns (short in-suite version of
bench/size_power.py --real).

Witness: the nominal level. Pseudo-events on real TSLA, AAPL and QQQ returns (market model on
SPY): with no effect the headline's rejection rate at 5 % must lie within a binomial band
(3.5 standard errors of a proportion around 0.05); with a planted +1% day-0 effect it must
reject as often as BMP where no windows share days. Under a calendar burst the unadjusted BMP
over-rejects and the headline (Kolari-Pynnönen with the shared-day r) holds its size, while the
estimation-residual r makes the adjusted BMP powerless on one asset.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from leaderlens.errors import BadInputError
from leaderlens.study.design_simulation import HEADLINE, design_rejection_rates, draw_events

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from size_power import real_returns

SAMPLES = 600
BAND = 3.5 * np.sqrt(0.05 * 0.95 / SAMPLES)
BMP = "BMP (1991) t"
KP_ESTIMATION = "Kolari-Pynnonen (2010) adjusted BMP t"


@pytest.fixture(scope="module")
def real(shared_data: Path) -> tuple[pd.DataFrame, pd.Series]:
    return real_returns(shared_data)


@pytest.mark.parametrize("design", ["one asset", "many assets", "clustered"])
def test_the_headline_holds_its_size(real, design):
    assets, market = real
    frame = assets[["TSLA"]] if design == "one asset" else assets
    rates = design_rejection_rates(frame, market, design, SAMPLES, seed=21)
    assert abs(rates[HEADLINE] - 0.05) <= BAND, rates.to_dict()
    if design == "clustered":
        assert rates[BMP] > 0.05 + BAND  # shared days: the unadjusted test over-rejects


def test_the_headline_finds_a_planted_one_percent_on_one_asset(real):
    assets, market = real
    rates = design_rejection_rates(assets[["TSLA"]], market, "one asset", 150, effect=0.01, seed=22)
    # Windows rarely share days: the headline is BMP (or nearly), with BMP's power.
    assert rates[HEADLINE] >= rates[BMP] - 0.05 and rates[HEADLINE] > 0.2, rates.to_dict()
    assert rates[KP_ESTIMATION] < 0.05  # r of estimation residuals: nearly powerless


def test_draw_events_by_design():
    rng = np.random.default_rng(0)
    asset, k0 = draw_events(rng, "clustered", n_events=7, n_assets=3, first=10, last=100)
    assert asset.tolist() == [0, 1, 2, 0, 1, 2, 0]
    assert (np.diff(k0) >= 0).all() and k0[-1] - k0[0] == 2
    asset, k0 = draw_events(rng, "many assets", n_events=50, n_assets=3, first=10, last=100)
    assert len(set(zip(asset, k0, strict=True))) == 50 and k0.min() >= 10 and k0.max() <= 100
    with pytest.raises(BadInputError, match="design"):
        design_rejection_rates(pd.DataFrame({"a": [0.0]}), pd.Series([0.0]), "sparse", 1)  # type: ignore[arg-type]
