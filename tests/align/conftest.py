"""Real data for the align tests, read with plain pandas (never through leaderlens)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

NEW_YORK = ZoneInfo("America/New_York")
HONG_KONG = ZoneInfo("Asia/Hong_Kong")

# NYSE early closes (13:00 ET) 2010-2022 as published by NYSE in its holiday and trading-hours
# notices: the day after Thanksgiving, Christmas Eve when a weekday session, and July 3 when a
# weekday session before an Independence Day holiday.
NYSE_EARLY_CLOSES = frozenset(
    date.fromisoformat(d)
    for d in (
        "2010-11-26", "2011-11-25", "2012-07-03", "2012-11-23", "2012-12-24", "2013-07-03",
        "2013-11-29", "2013-12-24", "2014-07-03", "2014-11-28", "2014-12-24", "2015-11-27",
        "2015-12-24", "2016-11-25", "2017-07-03", "2017-11-24", "2018-07-03", "2018-11-23",
        "2018-12-24", "2019-07-03", "2019-11-29", "2019-12-24", "2020-11-27", "2020-12-24",
        "2021-11-26", "2022-11-25",
    )
)  # fmt: skip


def _nyse_close_utc(day: date) -> datetime:
    hour = 13 if day in NYSE_EARLY_CLOSES else 16
    return datetime.combine(day, time(hour), tzinfo=NEW_YORK).astimezone(ZoneInfo("UTC"))


@pytest.fixture(scope="session")
def nyse_close() -> Callable[[date], datetime]:
    """NYSE close of a session day in UTC: 16:00 New York time, 13:00 on early-close days."""
    return _nyse_close_utc


@pytest.fixture(scope="session")
def musk_tweets(shared_data: Path) -> pd.DataFrame:
    frame = pd.read_csv(
        shared_data / "musk_tweets_2010_2022" / "ElonTweets.csv.gz",
        usecols=["Datetime", "Tweet Id", "Text"],
    )
    frame["Datetime"] = pd.to_datetime(frame["Datetime"], utc=True)
    return frame


@pytest.fixture(scope="session")
def tsla_dates(shared_data: Path) -> list[date]:
    frame = pd.read_csv(shared_data / "prices_daily_2010_2022_tsla_spy_doge" / "TSLA.csv")
    return [date.fromisoformat(d) for d in frame["Date"]]


@pytest.fixture(scope="session")
def xiaomi_daily(shared_data: Path) -> pd.DataFrame:
    """1810.HK from IPO: file 1 up to 2019-12-31, file 2 after (as its PROVENANCE says)."""
    folder = shared_data / "xiaomi_1810hk_daily_2018_2025"
    first = pd.read_csv(folder / "1810.HK_2018-07-09_2020-10-09.csv")
    second = pd.read_csv(folder / "1810.HK_2020-01-02_2025-07-18.csv")
    first["day"] = pd.to_datetime(first["Date"]).dt.date
    second["day"] = [date.fromisoformat(s[:10]) for s in second["Date"]]
    first = first[first["day"] <= date(2019, 12, 31)]
    both = pd.concat([first[["day", "Close"]], second[["day", "Close"]]], ignore_index=True)
    return both


@pytest.fixture(scope="session")
def doge_hourly(shared_data: Path) -> pd.DataFrame:
    frame = pd.read_csv(shared_data / "crypto_binance_ohlcv_doge_btc" / "DOGEUSDT_1h.csv.gz")
    frame["timestamp"] = pd.to_datetime(frame["timestamp"]).dt.tz_localize("UTC")
    return frame


@pytest.fixture(scope="session")
def doge_minute_windows(shared_data: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    folder = shared_data / "musk_doge_tweets_minute_windows"
    bars = pd.read_csv(folder / "doge_usdt_1m_event_windows.csv.gz")
    bars["minute_utc"] = pd.to_datetime(bars["minute_utc"]).dt.tz_localize("UTC")
    check = pd.read_csv(folder / "event_time_check.csv")
    return bars, check


@pytest.fixture(scope="session")
def tweet_at(musk_tweets: pd.DataFrame) -> Callable[[str], pd.Timestamp]:
    """The instant of the one tweet whose text contains the given words."""

    def find(text: str) -> pd.Timestamp:
        hits = musk_tweets[musk_tweets["Text"].str.contains(text, regex=False)]
        assert len(hits) == 1, f"{text!r} matched {len(hits)} tweets"
        return hits["Datetime"].iloc[0]

    return find
