"""The radar's multiple-testing control: q-values over every event and discovery counts."""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import multipletests

from leaderlens.risk.radar import AlertRules, evaluate_alerts, negative_radar


def test_radar_q_values_and_discoveries_equal_multipletests(risk_ws) -> None:
    radar = negative_radar(risk_ws, "rex_vale", "VLTR", fdr_method="by")
    value = radar.value
    p = value["car_p"].to_numpy(float)
    for method in ("bh", "by"):
        want = multipletests(p, method=f"fdr_{method}")[1]
        np.testing.assert_allclose(value[f"car_q_{method}"], want, rtol=0, atol=1e-12)
    found = radar.discoveries
    assert found is not None and found.method == "by" and found.m == len(value)
    assert found.raw == (p <= 0.05).sum()
    assert found.discoveries == multipletests(p, 0.05, "fdr_by")[0].sum()
    assert "discoveries at FDR 0.05" in radar.summary()
    # an alert on the q-value fires on exactly the events whose CAR and BH q qualify
    strict = negative_radar(
        risk_ws, "rex_vale", "VLTR", rules=AlertRules(max_car=-0.02, max_car_q=0.05)
    )
    fired = strict.alerts[strict.alerts["source"] == "value"]
    expected = (strict.value["car"] <= -0.02) & (strict.value["car_q_bh"] <= 0.05)
    assert len(fired) == expected.sum()
    assert (fired["car_q_bh"] <= 0.05).all()


def test_q_value_rule_needs_the_column_and_names_itself() -> None:
    frame = pd.DataFrame({"car": [-0.1, -0.1], "car_p": [0.001, 0.04], "car_q_bh": [0.01, 0.2]})
    alerts = evaluate_alerts(frame, AlertRules(max_car=-0.05, max_car_q=0.05, max_sentiment=None))
    assert alerts["car_p"].tolist() == [0.001]
    assert alerts["reasons"][0] == ["CAR <= -0.05 with p <= 0.05 with q (BH) <= 0.05"]
