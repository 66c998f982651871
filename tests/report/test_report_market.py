"""The report's market section: returns, volume and volatility of the largest moments, against
the event studies run directly through the public API with the same settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import leaderlens as ll
from leaderlens.report import gather_report, render_report, report_dict

WINDOW = (-1, 1)


@pytest.fixture(scope="module")
def ws(world_path: Path) -> Iterator[ll.Workspace]:
    with ll.Workspace.open(world_path, read_only=True) as workspace:
        yield workspace


def test_market_section_matches_direct_studies(ws: ll.Workspace) -> None:
    content = gather_report(ws, "lin_wei")
    market = content.market
    assert market is not None and len(market) == 10
    asset = content.asset["asset_id"]
    direct = {
        m: ll.event_study(ws, leader="lin_wei", asset=asset, measure=m, tests="per-event")
        .events_frame()
        .set_index("day0")
        for m in ("returns", "volume", "volatility")
    }
    rows = market.set_index("day0")
    length = WINDOW[1] - WINDOW[0] + 1
    np.testing.assert_allclose(rows["car"], direct["returns"].loc[rows.index, "car"], atol=1e-12)
    volume_car = direct["volume"].loc[rows.index, "car"].to_numpy(float)
    np.testing.assert_allclose(rows["volume_car"], volume_car, atol=1e-12)
    np.testing.assert_allclose(rows["volume_multiple"], np.exp(volume_car / length), rtol=1e-12)
    vol_car = direct["volatility"].loc[rows.index, "car"].to_numpy(float)
    np.testing.assert_allclose(rows["variance_ratio"], 1 + vol_car / length, rtol=1e-12)
    np.testing.assert_allclose(
        rows["volatility_p"], direct["volatility"].loc[rows.index, "car_p"], rtol=1e-12
    )
    studied = direct["returns"][direct["returns"]["excluded"] == ""]
    assert rows["car"].min() == studied["car"].min()
    assert rows["car"].max() == studied["car"].max()
    html = render_report(content)
    assert '<section id="market">' in html and 'id="market-table"' in html
    assert len(report_dict(content)["market"]) == 10
