"""The negative-effect radar over Elon Musk's tweets (2010-2022) and TSLA daily prices against
SPY: the most value-destroying entries' CARs checked against a market model fitted here on
the price files themselves."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from market_witness import market_model_car, paired_returns

import leaderlens as ll


def test_musk_radar_on_tsla(shared_data: Path, tmp_path: Path) -> None:
    prices = shared_data / "prices_daily_2010_2022_tsla_spy_doge"
    tweets = shared_data / "musk_tweets_2010_2022" / "ElonTweets.csv.gz"
    with ll.Workspace.open(tmp_path / "musk.duckdb") as ws:
        ws.ingest_statements(tweets, leader="musk")
        ws.ingest_prices(prices / "SPY.csv", asset="SPY", calendar="XNYS")
        ws.ingest_prices(prices / "TSLA.csv", asset="TSLA", calendar="XNYS", benchmark="SPY")
        radar = ll.negative_radar(ws, "musk", "TSLA")
        said = ws.statements("musk")
    print("\n" + radar.summary(top=5))
    r, m = paired_returns(prices / "TSLA.csv", prices / "SPY.csv")
    top = radar.value.head(5)
    assert (top["car"] < 0).all() and top["car"].is_monotonic_increasing
    for row in top.itertuples(index=False):
        car, t = market_model_car(r, m, row.day0, (0, 0), (-250, -11))
        assert row.car == pytest.approx(car, rel=1e-8), row.day0
        assert row.car_t == pytest.approx(t, rel=1e-8), row.day0
        # day 0: the first NYSE session whose close follows the tweet (16:00 New York time)
        first = pd.Timestamp(min(said.set_index("statement_id").loc[list(row.statement_ids), "ts"]))
        close = pd.Timestamp(row.day0 + " 16:00", tz="America/New_York")
        assert first < close
    # no studied event falls below the fifth CAR shown
    assert radar.value["car"].iloc[5:].min() >= top["car"].iloc[-1]
    # controversy: replies per like straight from the tweets table, among the tweets with at
    # least a tenth of the median engagement (likes + replies)
    engagement = said["likes"].fillna(0) + said["replies"].fillna(0)
    engaged = said[engagement >= 0.1 * engagement.median()]
    ratio = (engaged["replies"] / engaged["likes"].where(engaged["likes"] > 0)).dropna()
    assert radar.controversy["replies_per_like"].iloc[0] == pytest.approx(ratio.max())
    assert radar.controversy["engaged"].iloc[0]
    # attributions carry their coincidence risk (posting rate, market-wide flag, topic)
    assert {"expected_by_chance", "market_wide", "about_company"} <= set(radar.value.columns)
    spy = r.index.get_indexer(pd.Index(radar.value["day0"]))
    np.testing.assert_allclose(radar.value["market_move"], m.iloc[spy].to_numpy(), rtol=1e-9)
    wide = radar.value["market_wide"].to_numpy()
    np.testing.assert_array_equal(wide, np.abs(m.iloc[spy]).to_numpy() >= radar.value["car"].abs())
    assert np.isfinite(radar.value["car_p"].head(5)).all()
