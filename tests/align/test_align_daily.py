"""Daily alignment of real statements against sessions computed independently from price files."""

from __future__ import annotations

import bisect
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from leaderlens.align import align_daily, get_calendar
from leaderlens.errors import BadInputError


@pytest.mark.parametrize(
    ("words", "day0", "how"),
    [
        (
            "Am considering taking Tesla private at $420. Funding secured.",
            "2018-08-07",
            "during session",
        ),
        ("Tesla stock price is too high imo", "2020-05-01", "during session"),
        ("Tesla &amp; Bitcoin", "2021-05-13", "after close"),
        ("To clarify speculation, Tesla has not sold any Bitcoin", "2021-05-17", "before open"),
        ("Tesla will resume allowing Bitcoin transactions", "2021-06-14", "weekend"),
        # Independence Day observed on Fri 2020-07-03: next session Monday.
        ("Someone is paying for hundreds of", "2020-07-06", "holiday"),
        # Thanksgiving 2021: next session is the early-close Friday.
        ("Happy Thanksgiving to all!", "2021-11-26", "holiday"),
        ("Merry Christmas &amp; goodwill to all!!", "2018-12-26", "holiday"),
        # 14:27 ET on 2021-11-26, after that day's 13:00 early close: next session Monday.
        ("@timetravelart Maybe drive an upright Falcon 9", "2021-11-29", "after close"),
        # 13:15 ET on Christmas Eve 2020, after the 13:00 early close.
        ("@ElonsWorld @Real_Futurist @lexfridman Yes", "2020-12-28", "after close"),
    ],
)
def test_named_musk_tweets_get_their_day0_session(
    tweet_at: Callable[[str], pd.Timestamp], words: str, day0: str, how: str
) -> None:
    result = align_daily(pd.Series([tweet_at(words)]), "XNYS")
    assert result.day0[0] == np.datetime64(day0)
    assert result.how[0] == how


def test_every_tweet_matches_sessions_from_tsla_dates_and_nyse_close_times(
    musk_tweets: pd.DataFrame,
    tsla_dates: list[date],
    nyse_close: Callable[[date], datetime],
) -> None:
    # Witness: day 0 = first TSLA trading date whose NYSE close (16:00 ET, 13:00 on published
    # early-close days) is strictly after the tweet, by bisect in plain Python.
    closes = [nyse_close(d) for d in tsla_dates]
    inside = musk_tweets[
        (musk_tweets["Datetime"] >= pd.Timestamp(closes[0]))
        & (musk_tweets["Datetime"] < pd.Timestamp(closes[-1]))
    ]
    instants = inside["Datetime"].dt.to_pydatetime()
    expected_pos = [bisect.bisect_right(closes, t) for t in instants]
    expected_day = np.array([tsla_dates[i] for i in expected_pos], dtype="datetime64[D]")
    expected_gap = np.array(
        [
            (closes[i] - t).total_seconds() / 3600
            for i, t in zip(expected_pos, instants, strict=True)
        ]
    )

    result = align_daily(inside["Datetime"], "XNYS", sessions=tsla_dates)
    np.testing.assert_array_equal(result.day0, expected_day)
    np.testing.assert_array_equal(result.bar_index, np.array(expected_pos))
    np.testing.assert_allclose(result.gap_hours, expected_gap, rtol=0, atol=1e-9)
    assert set(result.bar_reason) == {""}
    assert result.off_calendar is not None and result.off_calendar.size == 0
    assert len(inside) > 15_000


def test_gap_hours_and_early_close_flag_for_thanksgiving_2021(
    tweet_at: Callable[[str], pd.Timestamp],
) -> None:
    posted = tweet_at("Happy Thanksgiving to all!")  # 2021-11-25 19:56:37 UTC
    result = align_daily(pd.Series([posted]), "XNYS")
    close = pd.Timestamp("2021-11-26 13:00", tz="America/New_York")
    assert result.day0_close[0] == close.tz_convert("UTC").tz_localize(None).to_datetime64()
    assert result.gap_hours[0] == pytest.approx((close - posted).total_seconds() / 3600)
    assert result.early_close[0]


def test_statement_exactly_at_the_close_goes_to_the_next_session() -> None:
    at_close = pd.Timestamp("2021-05-13 16:00", tz="America/New_York")
    result = align_daily([at_close, at_close - pd.Timedelta("1s")], "XNYS")
    assert result.day0.tolist() == [date(2021, 5, 14), date(2021, 5, 13)]
    assert result.how.tolist() == ["after close", "during session"]


def test_tweets_before_the_price_file_starts_say_so(
    musk_tweets: pd.DataFrame, tsla_dates: list[date]
) -> None:
    early = musk_tweets[musk_tweets["Datetime"] < pd.Timestamp("2010-06-30", tz="UTC")]
    result = align_daily(early["Datetime"], "XNYS", sessions=tsla_dates)
    assert len(early) == 1
    assert result.bar_reason.tolist() == ["before data"]
    assert result.bar_index.tolist() == [-1]


def test_missing_session_in_the_data_is_no_bar_and_a_closed_day_is_off_calendar() -> None:
    data = ["2021-05-12", "2021-05-14", "2021-05-15"]  # 13th missing; 15th is a Saturday
    result = align_daily(
        pd.to_datetime(["2021-05-12 22:06:14", "2021-05-14 15:00:00"], utc=True), "XNYS", data
    )
    assert result.bar_index.tolist() == [-1, 1]
    assert result.bar_reason.tolist() == ["no bar", ""]
    assert result.off_calendar.tolist() == [date(2021, 5, 15)]
    assert "no bar: 1" in result.summary()


def test_xiaomi_su7_launch_evening_goes_to_the_first_session_after_easter(
    xiaomi_daily: pd.DataFrame,
) -> None:
    # SU7 launch event, Thu 2024-03-28 19:00 Beijing time: after the HKEX close; HKEX is shut
    # Fri 29 Mar - Mon 1 Apr for Easter, so day 0 is Tue 2024-04-02 (PROVENANCE: Close 16.28).
    launch = pd.Timestamp("2024-03-28 19:00", tz="Asia/Shanghai")
    days = xiaomi_daily["day"].tolist()
    result = align_daily(pd.Series([launch]), "XHKG", sessions=days)
    assert result.how[0] == "after close"
    assert result.day0[0] == np.datetime64("2024-04-02")
    expected = days.index(date(2024, 3, 28)) + 1  # the next trading day in the file
    assert result.bar_index[0] == expected
    assert xiaomi_daily["Close"].iloc[expected] == pytest.approx(16.28, abs=5e-3)
    hk_close = pd.Timestamp("2024-04-02 16:00", tz="Asia/Hong_Kong")
    assert result.gap_hours[0] == pytest.approx((hk_close - launch).total_seconds() / 3600)


def test_lunar_new_year_2024_holiday_half_day_and_lunch_break(
    xiaomi_daily: pd.DataFrame,
) -> None:
    hk = "Asia/Hong_Kong"
    instants = pd.Series(
        [
            pd.Timestamp("2024-02-12 10:00", tz=hk),  # Lunar New Year holiday (Mon)
            pd.Timestamp("2024-02-09 12:30", tz=hk),  # after the 12:00 close of the half day
            pd.Timestamp("2024-02-09 11:00", tz=hk),  # during the half day
            pd.Timestamp("2024-03-28 12:30", tz=hk),  # lunch break
            pd.Timestamp("2024-02-10 10:00", tz=hk),  # Saturday
        ]
    )
    days = xiaomi_daily["day"].tolist()
    result = align_daily(instants, "XHKG", sessions=days)
    after_new_year = days[days.index(date(2024, 2, 9)) + 1]
    assert after_new_year == date(2024, 2, 14)
    assert result.day0.tolist() == [
        after_new_year,
        after_new_year,
        date(2024, 2, 9),
        date(2024, 3, 28),
        after_new_year,
    ]
    assert result.how.tolist() == [
        "holiday",
        "after close",
        "during session",
        "lunch break",
        "weekend",
    ]
    assert result.early_close.tolist() == [False, False, True, False, False]
    assert set(result.bar_reason) == {""}


def test_a_session_without_a_bar_shows_as_no_bar(xiaomi_daily: pd.DataFrame) -> None:
    # 1810.HK has no bar on 2023-09-07 in this copy of its price file: the calendar's session
    # stays day 0 and the missing bar is named, not silently replaced by the next one.
    days = xiaomi_daily.loc[xiaomi_daily["day"] != date(2023, 9, 7), "day"]
    result = align_daily([pd.Timestamp("2023-09-07 10:00", tz="Asia/Hong_Kong")], "XHKG", days)
    assert result.day0[0] == np.datetime64("2023-09-07")
    assert result.bar_reason[0] == "no bar"


@pytest.mark.parametrize("closure", ["2023-09-01", "2023-09-08"])
def test_weather_closures_align_by_the_calendar_of_either_vintage(
    xiaomi_daily: pd.DataFrame, closure: str
) -> None:
    # HKEX cancelled trading on 2023-09-01 (typhoon) and 2023-09-08 (black rainstorm).
    # exchange_calendars 4.13.3 records both closures; 4.13.2 listed them as sessions. A
    # statement at 10:00 that day is day 0 of the calendar's session for that minute: with
    # the closure recorded, the next session, which has a bar; without it, the closed day,
    # whose missing bar is named.
    at = pd.Timestamp(f"{closure} 10:00", tz="Asia/Hong_Kong")
    cal = get_calendar("XHKG")
    recorded = np.datetime64(closure) not in cal.sessions
    result = align_daily([at], cal, xiaomi_daily["day"])
    following = cal.sessions[cal.sessions > np.datetime64(closure)][0]
    assert result.day0[0] == (following if recorded else np.datetime64(closure))
    assert result.bar_reason[0] == ("" if recorded else "no bar")


def test_crypto_daily_is_the_utc_day(
    tweet_at: Callable[[str], pd.Timestamp], shared_data: Path
) -> None:
    posted = tweet_at("Dogecoin is the people")  # 2021-02-04 08:15:26 UTC
    late = pd.Timestamp("2021-02-04 23:59:59", tz="UTC")
    doge_days = pd.read_csv(shared_data / "crypto_binance_ohlcv_doge_btc" / "DOGEUSDT_1d.csv")
    result = align_daily(
        [posted, late, late + timedelta(seconds=1)], "24/7", doge_days["timestamp"]
    )
    row = int(np.flatnonzero(doge_days["timestamp"] == "2021-02-04")[0])
    assert result.bar_index.tolist() == [row, row, row + 1]
    assert result.day0.tolist() == [date(2021, 2, 4), date(2021, 2, 4), date(2021, 2, 5)]
    assert set(result.how) == {"24/7 UTC day"}
    assert result.gap_hours[1] == pytest.approx(1 / 3600)


def test_outside_the_calendar_is_reported_not_guessed() -> None:
    result = align_daily([pd.Timestamp("1975-01-02 15:00", tz="UTC")], "XNYS", ["2021-01-04"])
    assert result.how[0] == "outside calendar"
    assert np.isnat(result.day0[0]) and np.isnan(result.gap_hours[0])
    assert result.bar_reason[0] == "outside calendar"


def test_input_is_not_mutated_and_results_are_read_only() -> None:
    instants = pd.Series(pd.to_datetime(["2021-05-12 22:06:14", "2021-05-13 15:00:00"], utc=True))
    before = instants.copy()
    result = align_daily(instants, get_calendar("XNYS"))
    pd.testing.assert_series_equal(instants, before)
    with pytest.raises(ValueError):
        result.day0[0] = np.datetime64("2000-01-01")
    frame = result.to_frame()
    assert frame["instant"].tolist() == before.tolist()
    assert "after close" in result.summary() and "<table" in result._repr_html_()


@pytest.mark.parametrize(
    ("instants", "sessions", "field"),
    [
        (pd.Series(pd.to_datetime(["2021-05-12 22:06"])), None, "instants"),  # naive
        (pd.Series(pd.to_datetime(["2021-05-12 22:06", None], utc=True)), None, "instants"),
        (["not a time"], None, "instants"),
        (pd.to_datetime(["2021-05-12"], utc=True), ["2021-05-14", "2021-05-13"], "sessions"),
        (pd.to_datetime(["2021-05-12"], utc=True), ["2021-05-13 15:30"], "sessions"),
    ],
)
def test_bad_input_names_the_field(instants: object, sessions: object, field: str) -> None:
    with pytest.raises(BadInputError) as info:
        align_daily(instants, "XNYS", sessions)
    assert info.value.field == field


def test_early_close_day_after_thanksgiving_2020() -> None:
    ny = "America/New_York"
    instants = [pd.Timestamp("2020-11-27 12:59:59", tz=ny), pd.Timestamp("2020-11-27 13:30", tz=ny)]
    result = align_daily(instants, "XNYS")
    assert result.day0.tolist() == [date(2020, 11, 27), date(2020, 11, 30)]
    assert result.how.tolist() == ["during session", "after close"]
    assert result.gap_hours[0] == pytest.approx(1 / 3600)


def test_session_labels_keep_their_wall_clock_date(shared_data: Path) -> None:
    # yfinance writes Hong Kong sessions as local midnight (+08:00); leaderlens readers write
    # 00:00 UTC labels. Both must mean the same dates.
    folder = shared_data / "xiaomi_1810hk_daily_2018_2025"
    raw = pd.read_csv(folder / "1810.HK_2020-01-02_2025-07-18.csv")["Date"]
    local_midnight = pd.to_datetime(raw)
    utc_labels = pd.to_datetime(raw.str[:10]).dt.tz_localize("UTC")
    launch = [pd.Timestamp("2024-03-28 19:00", tz="Asia/Shanghai")]
    a = align_daily(launch, "XHKG", sessions=local_midnight)
    b = align_daily(launch, "XHKG", sessions=utc_labels)
    assert (
        a.bar_index[0] == b.bar_index[0] == int(np.flatnonzero(raw.str.startswith("2024-04-02"))[0])
    )
