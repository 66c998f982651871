"""The pre-flight check and its backtest on real data: Musk's 2017 tweets against TSLA daily
prices (market model vs SPY), from ../shared/data.

Witnesses: the instant a CAR became known is the NYSE close (16:00 New York time, computed
here with zoneinfo) of the session after day 0; the realised CAR of a tweet is the market-model
CAR recomputed here with NumPy least squares from the raw price files; the backtest's coverage
is recomputed from its predictions. The figures are reported in the lead's note."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from leaderlens.preflight import preflight, preflight_backtest
from leaderlens.preflight.history import statement_history
from leaderlens.store.workspace import Workspace

PRICES = "prices_daily_2010_2022_tsla_spy_doge"
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture(scope="module")
def musk_ws(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    tweets = pd.read_csv(
        shared_data / "musk_tweets_2010_2022" / "ElonTweets.csv.gz",
        usecols=["Datetime", "Tweet Id", "Text"],
    )
    tweets["Datetime"] = pd.to_datetime(tweets["Datetime"], utc=True)
    year = tweets[(tweets["Datetime"] >= "2017-01-01") & (tweets["Datetime"] < "2018-01-01")]
    frame = pd.DataFrame(
        {
            "statement_id": year["Tweet Id"].astype(str),
            "ts": year["Datetime"],
            "channel": "x",
            "text": year["Text"],
        }
    )
    path = tmp_path_factory.mktemp("musk") / "w.duckdb"
    with Workspace.open(path) as ws:
        folder = shared_data / PRICES
        ws.ingest_prices(folder / "SPY.csv", asset="SPY", calendar="XNYS", freq="1d")
        ws.ingest_prices(
            folder / "TSLA.csv", asset="TSLA", calendar="XNYS", freq="1d", benchmark="SPY"
        )
        ws.ingest_statements(frame, leader="musk")
    return path


def _returns(shared_data: Path, name: str) -> pd.Series:
    raw = pd.read_csv(shared_data / PRICES / f"{name}.csv", parse_dates=["Date"])
    close = raw.set_index("Date")["Adj Close" if "Adj Close" in raw else "Close"]
    return close.pct_change()


def test_realised_cars_and_when_they_were_known(musk_ws: Path, shared_data: Path) -> None:
    with Workspace.open(musk_ws, read_only=True) as ws:
        history = statement_history(ws, "musk", asset="TSLA", window=(0, 1))
        study = ws.event_study(leader="musk", asset="TSLA", tests="per-event", window=(0, 1))
    events = study.events_frame().explode("statement_ids").set_index("statement_ids")
    frame = history.frame.dropna(subset=["car"]).set_index("statement_id")
    assert len(frame) > 800
    both = pd.concat(
        {"tsla": _returns(shared_data, "TSLA"), "spy": _returns(shared_data, "SPY")},
        axis=1,
        sort=True,
    ).dropna()
    tsla, spy, days = both["tsla"], both["spy"], both.index
    for sid in frame.sample(5, random_state=1).index:
        day0 = pd.Timestamp(events.loc[sid, "day0"])
        k = days.get_loc(day0)
        close = datetime.combine(days[k + 1].date(), time(16), tzinfo=NEW_YORK)
        assert frame.loc[sid, "car_end"] == pd.Timestamp(close).as_unit("ns").value
        est = slice(k - 250, k - 10)  # estimation [-250, -11]
        x, y = spy.iloc[est].to_numpy(), tsla.iloc[est].to_numpy()
        beta, alpha = np.polyfit(x, y, 1)
        win = slice(k, k + 2)
        car = float(np.sum(tsla.iloc[win].to_numpy() - alpha - beta * spy.iloc[win].to_numpy()))
        assert frame.loc[sid, "car"] == pytest.approx(car, abs=1e-10)


def test_backtest_and_check_on_real_tweets(musk_ws: Path) -> None:
    with Workspace.open(musk_ws, read_only=True) as ws:
        bt = preflight_backtest(ws, "musk", asset="TSLA", min_history=100)
        check = preflight(ws, "musk", "Model 3 production is going well", asset="TSLA")
    (car,) = bt.targets
    pred = car.predictions
    assert car.model.n == len(pred) > 500 and car.baseline.n == car.model.n
    inside = (pred["realised"] >= pred["low"]) & (pred["realised"] <= pred["high"])
    assert car.model.coverage == pytest.approx(inside.mean())
    assert 0.5 < car.model.coverage < 0.95 and 0.5 < car.baseline.coverage < 0.95
    print(bt.summary())  # the figures for the note (pytest -s)
    assert check.neighbours["text"].str.contains("Model 3", case=False).head(5).all()
    assert check.prediction["car"]["n"] == 25
