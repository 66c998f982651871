"""Trading calendars against independent session lists and published trading hours."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from leaderlens.align import calendar_names, get_calendar
from leaderlens.errors import BadInputError

UTC = ZoneInfo("UTC")
NEW_YORK = ZoneInfo("America/New_York")
HONG_KONG = ZoneInfo("Asia/Hong_Kong")


def _utc(day: date, clock: time, zone: ZoneInfo) -> np.datetime64:
    instant = datetime.combine(day, clock, tzinfo=zone).astimezone(UTC).replace(tzinfo=None)
    return np.datetime64(instant, "ns")


def test_xnys_sessions_equal_independent_open_dates_1980_2023(shared_data: Path) -> None:
    # fja05680/stock_market_calendar lists the days the US market was open (observed to 2023).
    listed = shared_data / "sp500_gspc_1927_2023_and_nyse_calendar" / "all_open_dates.txt"
    days = np.array(listed.read_text().split(), dtype="datetime64[D]")
    days = days[(days >= np.datetime64("1980-01-02")) & (days <= np.datetime64("2023-12-28"))]
    cal = get_calendar("XNYS")
    ours = cal.sessions[(cal.sessions >= days[0]) & (cal.sessions <= days[-1])]
    np.testing.assert_array_equal(ours, days)


def test_xnys_closes_are_16_00_new_york_except_published_early_closes(
    nyse_close: Callable[[date], datetime], tsla_dates: list[date]
) -> None:
    cal = get_calendar("XNYS")
    position = np.searchsorted(cal.sessions, np.array(tsla_dates, dtype="datetime64[D]"))
    expected = np.array(
        [np.datetime64(nyse_close(d).replace(tzinfo=None), "ns") for d in tsla_dates]
    )
    np.testing.assert_array_equal(cal.closes[position], expected)
    assert cal.early_close[position].sum() == 25  # 2010-11-26 .. 2021-11-26 in the TSLA range


def test_xnys_day_after_thanksgiving_2020_closes_at_13_00_new_york() -> None:
    cal = get_calendar("XNYS")
    i = int(np.searchsorted(cal.sessions, np.datetime64("2020-11-27")))
    assert cal.sessions[i] == np.datetime64("2020-11-27")
    assert cal.closes[i] == _utc(date(2020, 11, 27), time(13), NEW_YORK)
    assert cal.early_close[i]
    assert np.datetime64("2020-11-26") not in cal.sessions  # Thanksgiving


def test_xhkg_sessions_match_1810hk_trading_days(xiaomi_daily: pd.DataFrame) -> None:
    days = np.array(xiaomi_daily["day"].tolist(), dtype="datetime64[D]")
    cal = get_calendar("XHKG")
    ours = cal.sessions[(cal.sessions >= days[0]) & (cal.sessions <= days[-1])]
    # Every day 1810.HK traded is a session, and every session it did not trade is a day HKEX
    # cancelled trading for weather (typhoon Saola, 1 Sep 2023; black rainstorm, 8 Sep 2023).
    # exchange_calendars records those closures from 4.13.3 on and listed them as sessions
    # before: either vintage passes, a calendar that loses or invents any other day fails.
    assert np.isin(days, ours).all()
    extra = np.setdiff1d(ours, days)
    assert np.isin(extra, np.array(["2023-09-01", "2023-09-08"], "datetime64[D]")).all()
    assert ours.size == days.size + extra.size


def test_xhkg_lunch_break_and_half_day() -> None:
    cal = get_calendar("XHKG")
    i = int(np.searchsorted(cal.sessions, np.datetime64("2024-03-28")))
    assert cal.opens[i] == _utc(date(2024, 3, 28), time(9, 30), HONG_KONG)
    assert cal.break_starts[i] == _utc(date(2024, 3, 28), time(12), HONG_KONG)
    assert cal.break_ends[i] == _utc(date(2024, 3, 28), time(13), HONG_KONG)
    assert cal.closes[i] == _utc(date(2024, 3, 28), time(16), HONG_KONG)
    # Lunar New Year's Eve 2024 (Fri 9 Feb) was a half day: close 12:00, no lunch break.
    j = int(np.searchsorted(cal.sessions, np.datetime64("2024-02-09")))
    assert cal.closes[j] == _utc(date(2024, 2, 9), time(12), HONG_KONG)
    assert np.isnat(cal.break_starts[j])
    assert cal.early_close[j]
    assert cal.sessions[j + 1] == np.datetime64("2024-02-14")  # closed 12-13 Feb


def test_periods_split_sessions_at_the_lunch_break() -> None:
    cal = get_calendar("XHKG")
    periods = cal.periods
    i = int(np.searchsorted(cal.sessions, np.datetime64("2024-03-28")))
    rows = np.flatnonzero(periods.session == i)
    assert rows.size == 2
    assert periods.starts[rows[1]] == cal.break_ends[i].astype(np.int64)
    assert periods.ends[rows[0]] == cal.break_starts[i].astype(np.int64)
    assert np.all(periods.starts[1:] >= periods.ends[:-1])
    xnys = get_calendar("XNYS").periods
    assert xnys.starts.size == get_calendar("XNYS").sessions.size


def test_names_are_case_insensitive_aliases_resolve_and_instances_are_cached() -> None:
    assert get_calendar("xnys") is get_calendar("XNYS")
    assert get_calendar("NYSE") is get_calendar("XNYS")
    assert get_calendar("HKEX").name == "XHKG"
    assert "24/7" in calendar_names()


def test_unknown_calendar_names_the_argument_examples_and_value() -> None:
    with pytest.raises(BadInputError) as info:
        get_calendar("NASDAQQ")
    message = str(info.value)
    assert info.value.field == "calendar"
    assert "XNYS" in message and "24/7" in message and "'NASDAQQ'" in message


def test_always_open_calendar_is_24_7_utc() -> None:
    cal = get_calendar("24/7")
    assert cal.is_24_7 and cal.tz == "UTC" and cal.sessions.size == 0
    assert "24/7" in repr(cal)


def test_calendar_arrays_are_read_only() -> None:
    cal = get_calendar("XNYS")
    with pytest.raises(ValueError):
        cal.closes[0] = np.datetime64("2000-01-01")
    frame = cal.to_frame()
    assert list(frame.columns[:5]) == ["session", "open", "break_start", "break_end", "close"]
    assert str(frame["close"].dt.tz) == "UTC"
