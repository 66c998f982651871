"""Real moments studied as events: day 0 and returns checked against the price files themselves.

Each expected value is computed here from the raw CSV with plain pandas (the previous row of a
Yahoo file is the previous session, since these files have no gaps on the dates used).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import leaderlens as ll

US_MOMENTS = [
    # (instant, expected day 0, how)
    ("2018-08-07T16:48:13Z", "2018-08-07", "during session"),  # "Funding secured"
    ("2021-05-12T22:06:14Z", "2021-05-13", "after close"),  # "Tesla & Bitcoin"
    ("2021-05-17T05:56:52Z", "2021-05-17", "before open"),  # "To clarify speculation"
    ("2021-06-13T17:42:54Z", "2021-06-14", "weekend"),  # resume Bitcoin, a Sunday
    ("2021-11-25T15:00:00Z", "2021-11-26", "holiday"),  # Thanksgiving
    ("2021-11-26T19:30:00Z", "2021-11-29", "after close"),  # after the 13:00 ET early close
]


def yahoo_returns(path: Path) -> pd.Series:
    raw = pd.read_csv(path)
    adj = pd.Series(raw["Adj Close"].to_numpy(float), index=raw["Date"])
    return adj / adj.shift(1) - 1


@pytest.fixture(scope="module")
def us(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> ll.EventStudyResult:
    folder = shared_data / "prices_daily_2010_2022_tsla_spy_doge"
    events = pd.DataFrame(
        {
            "time": pd.to_datetime([m[0] for m in US_MOMENTS], utc=True),
            "label": [m[1] for m in US_MOMENTS],
        }
    )
    with ll.Workspace.open(tmp_path_factory.mktemp("us") / "w.duckdb") as ws:
        ws.ingest_prices(folder / "SPY.csv", asset="SPY", calendar="XNYS")
        ws.ingest_prices(folder / "TSLA.csv", asset="TSLA", calendar="XNYS", benchmark="SPY")
        return ws.event_study(
            events=events,
            asset="TSLA",
            model="market-adjusted",
            window=(0, 1),
            n_bootstrap=0,
            n_placebo=0,
        )


def test_us_day0_follows_the_nyse_calendar(us: ll.EventStudyResult) -> None:
    frame = us.events_frame().sort_values("time")
    assert frame["day0"].tolist() == [m[1] for m in US_MOMENTS]
    assert frame["aligned"].tolist() == [m[2] for m in US_MOMENTS]
    # Hours from the statement to day 0's close: 16:00 ET = 20:00Z in August (EDT).
    first = frame.iloc[0]
    assert first["gap_hours"] == pytest.approx((20 * 3600 - (16 * 3600 + 48 * 60 + 13)) / 3600)


def test_us_raw_and_market_adjusted_returns_match_the_files(
    us: ll.EventStudyResult, shared_data: Path
) -> None:
    folder = shared_data / "prices_daily_2010_2022_tsla_spy_doge"
    tsla, spy = yahoo_returns(folder / "TSLA.csv"), yahoo_returns(folder / "SPY.csv")
    frame = us.events_frame().sort_values("time")
    for _, row in frame.iterrows():
        day = row["day0"]
        assert row["r[0]"] == pytest.approx(tsla[day], abs=1e-12)
        assert row["ar[0]"] == pytest.approx(tsla[day] - spy[day], abs=1e-12)
        following = tsla.index[tsla.index.get_loc(day) + 1]
        assert row["ar[1]"] == pytest.approx(tsla[following] - spy[following], abs=1e-12)


def test_hong_kong_holidays_move_day0(shared_data: Path, tmp_path: Path) -> None:
    xiaomi = shared_data / "xiaomi_1810hk_daily_2018_2025" / "1810.HK_2020-01-02_2025-07-18.csv"
    hsi = shared_data / "prices_daily_long_history_yahoo" / "HSI.csv.gz"
    events = pd.DataFrame(
        {
            "time": pd.to_datetime(
                [
                    "2024-03-28T22:00:00+08:00",
                    "2024-02-12T10:00:00+08:00",
                    "2024-02-09T14:00:00+08:00",
                ],
                utc=True,
            ),
            "label": [
                "SU7 launch (evening, before Easter)",
                "Lunar New Year holiday",
                "New Year's Eve half day, after the noon close",
            ],
        }
    )
    with ll.Workspace.open(tmp_path / "w.duckdb") as ws:
        ws.ingest_prices(hsi, asset="HSI", calendar="XHKG")
        ws.ingest_prices(xiaomi, asset="1810.HK", calendar="XHKG", benchmark="HSI")
        result = ws.event_study(
            events=events,
            asset="1810.HK",
            model="market-adjusted",
            window=(0, 0),
            estimation=(-120, -11),
            n_bootstrap=0,
            n_placebo=0,
        )
    frame = result.events_frame().set_index("label")
    assert frame.loc["SU7 launch (evening, before Easter)", "day0"] == "2024-04-02"
    # Both Lunar New Year moments land on the first session after it: one event, two statements.
    new_year = frame.loc["New Year's Eve half day, after the noon close"]
    assert new_year["day0"] == "2024-02-14"  # HKEX reopened on Wednesday 14 February
    assert new_year["n_statements"] == 2
    assert new_year["aligned"] == "after close"
    raw = pd.read_csv(xiaomi)  # Date carries +08:00; no adjusted close in this file
    close = pd.Series(raw["Close"].to_numpy(float), index=raw["Date"].str.slice(0, 10))
    r = close / close.shift(1) - 1
    hsi_raw = pd.read_csv(hsi)
    h = pd.Series(hsi_raw["Adj Close"].to_numpy(float), index=hsi_raw["Date"])
    rh = h / h.shift(1) - 1
    su7 = frame.loc["SU7 launch (evening, before Easter)"]
    assert su7["r[0]"] == pytest.approx(r["2024-04-02"], abs=1e-12)
    assert su7["r[0]"] == pytest.approx(16.28 / 14.94 - 1, abs=1e-3)  # PROVENANCE: 14.94 -> 16.28
    assert su7["ar[0]"] == pytest.approx(r["2024-04-02"] - rh["2024-04-02"], abs=1e-12)


def test_intraday_crypto_bars(shared_data: Path, tmp_path: Path) -> None:
    doge = shared_data / "crypto_binance_ohlcv_doge_btc" / "DOGEUSDT_1h.csv.gz"
    btc = (
        shared_data
        / "btc_hourly_binance_cryptodatadownload"
        / ("Binance_BTCUSDT_1h_2020-11_2021-10.csv.gz")
    )
    events = pd.DataFrame(
        {
            "time": pd.to_datetime(["2021-02-04T08:15:26Z", "2021-04-01T10:25:23Z"], utc=True),
            "label": ["Dogecoin is the people's crypto", "literal Dogecoin on the literal moon"],
        }
    )
    with ll.Workspace.open(tmp_path / "w.duckdb") as ws:
        ws.ingest_prices(btc, asset="BTC-USDT")
        ws.ingest_prices(doge, asset="DOGE-USDT", benchmark="BTC-USDT")
        result = ws.event_study(
            events=events,
            asset="DOGE-USDT",
            freq="1h",
            model="market-adjusted",
            window=(0, 2),
            estimation=(-200, -11),
            n_bootstrap=0,
            n_placebo=0,
        )
    frame = result.events_frame().set_index("label")
    row = frame.loc["Dogecoin is the people's crypto"]
    assert row["day0"] == "2021-02-04T08:00:00Z"
    assert row["aligned"] == "in bar"
    d = pd.read_csv(doge)
    dc = pd.Series(d["close"].to_numpy(float), index=pd.to_datetime(d["timestamp"], utc=True))
    b = pd.read_csv(btc, skiprows=1 if open_banner(btc) else 0)
    bc = pd.Series(b["close"].to_numpy(float), index=pd.to_datetime(b["date"], utc=True))
    bc = bc[~bc.index.duplicated()].sort_index()
    t0 = pd.Timestamp("2021-02-04T08:00Z")
    prev = t0 - pd.Timedelta(hours=1)
    r_doge = dc[t0] / dc[prev] - 1
    r_btc = bc[t0] / bc[prev] - 1
    assert row["r[0]"] == pytest.approx(r_doge, abs=1e-12)
    assert row["ar[0]"] == pytest.approx(r_doge - r_btc, abs=1e-12)
    assert np.isfinite(row["car"])


def open_banner(path: Path) -> bool:
    import gzip

    with gzip.open(path, "rt") as handle:
        return "cryptodatadownload" in handle.readline().lower()
