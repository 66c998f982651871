"""One event and few events: ARs by bar with day 0 first, and bands from t quantiles.

Witnesses: scipy's t quantiles (t(T - K) for one event's prediction-error band, t(N - 1) for
the cross-sectional band) and the per-event AR t printed next to the values in the JSON.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import leaderlens as ll

MOMENTS = ["2022-10-03T20:00:00+00:00", "2023-03-01T20:00:00+00:00", "2023-11-29T20:06:45+00:00"]


def test_one_event_band_and_day0_first(demo_ws):
    one = pd.DataFrame({"time": MOMENTS[2:], "label": ["health"]})
    result = ll.event_study(demo_ws, events=one, asset="VLTR", n_placebo=0)
    band = result.caar_band()
    event = result.to_dict()["events"][0]
    car_t = float(event["car_t"])
    q = stats.t.ppf(0.975, event["n_estimation"] - 2)
    # the band's half-width over the whole window is q times the CAR's standard error
    assert band["high"].iloc[-1] - band["caar"].iloc[-1] == pytest.approx(
        q * abs(event["car"] / car_t), rel=1e-9
    )
    line = next(x for x in result.summary().splitlines() if "AR[0]" in x)
    assert line.index("AR[0]") < line.index("AR[1]") < line.index("AR[-1]")
    assert f"(t {event['ar_t']['0']:.2f})" in line
    fig = result.plot()
    assert any(trace.name == "95% band" for trace in fig.data)  # the band is drawn
    assert result.headline is not None and result.headline.name == "single-event CAR t"


def test_few_events_band_uses_t_quantiles(demo_ws):
    few = pd.DataFrame({"time": MOMENTS, "label": ["a", "b", "c"]})
    result = ll.event_study(demo_ws, events=few, asset="VLTR", n_placebo=0, n_bootstrap=0)
    band = result.caar_band()
    cum = np.cumsum(result.ar, axis=1)
    half = stats.t.ppf(0.975, 2) * cum.std(axis=0, ddof=1) / np.sqrt(3)
    np.testing.assert_allclose(band["high"] - band["caar"], half, rtol=1e-12)
