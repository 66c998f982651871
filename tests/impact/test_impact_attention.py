"""Brand attention as series and donors: log(1 + value) on UTC days, both methods."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import leaderlens as ll

LAUNCH = "2024-03-28T12:00+08:00"


def test_attention_series_with_brand_donors(tmp_path: Path) -> None:
    rng = np.random.default_rng(9)
    days = pd.date_range("2023-10-01", periods=200, freq="D", tz="UTC")
    common = np.cumsum(rng.normal(scale=0.05, size=days.size))
    path = tmp_path / "ws.duckdb"
    with ll.Workspace.open(path) as ws:
        for i, brand in enumerate(("xiaomi", "nio", "byd", "li")):
            level = np.exp(4 + common + rng.normal(scale=0.03, size=days.size) + 0.1 * i)
            if brand == "xiaomi":
                level[days >= pd.Timestamp("2024-03-28", tz="UTC")] *= np.exp(0.5)  # planted
            file = tmp_path / f"{brand}.csv"
            pd.DataFrame({"time": days.strftime("%Y-%m-%dT00:00Z"), "value": level}).to_csv(
                file, index=False
            )
            ws.add_brand(brand, name=brand)
            ws.ingest_attention(file, metric="mentions", brand=brand)
    controls = ["nio:mentions", "byd:mentions", "li:mentions"]
    with ll.Workspace.open(path, read_only=True) as ws:
        bsts = ll.impact(ws, LAUNCH, series="xiaomi:mentions", controls=controls, niter=300)
        synth = ll.impact(
            ws, LAUNCH, series="xiaomi:mentions", controls=controls, method="synthetic"
        )
    for result in (bsts, synth):
        assert result.values == "log(1 + value)"
        (moment,) = result.moments
        assert moment.how == "UTC day -> 2024-03-28"
        assert abs(moment.effect.effect[0] - 0.5) < 0.1  # the planted log lift
    assert bsts.moments[0].effect.effect_lower[0] > 0.3
    assert synth.moments[0].effect.p == 1 / 4  # the treated brand ranks first of 4 units
    assert (
        synth.controls_table["weight"].sum() == 1.0
        or abs(synth.controls_table["weight"].sum() - 1) < 1e-12
    )
