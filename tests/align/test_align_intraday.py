"""Intraday alignment on real Binance bars and on exchange bars built from published hours."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from leaderlens.align import align_intraday
from leaderlens.errors import BadInputError

NEW_YORK = ZoneInfo("America/New_York")
HONG_KONG = ZoneInfo("Asia/Hong_Kong")


def _hourly_bars(days: list[date], zone: ZoneInfo, sessions: dict[date, list[time]]) -> pd.Series:
    """Bar starts (UTC) at the given local times of each day: built without any calendar."""
    stamps = [datetime.combine(day, clock, tzinfo=zone) for day in days for clock in sessions[day]]
    return pd.Series(pd.DatetimeIndex(stamps).tz_convert("UTC"))


# NYSE regular hours 09:30-16:00 ET give hourly bars 09:30 .. 15:30 (the last one half an hour);
# the 13:00 early close gives 09:30 .. 12:30.
NYSE_FULL = [
    time(9, 30),
    time(10, 30),
    time(11, 30),
    time(12, 30),
    time(13, 30),
    time(14, 30),
    time(15, 30),
]
NYSE_EARLY = NYSE_FULL[:4]
# HKEX: 09:30-12:00 and 13:00-16:00 HKT.
HKEX_FULL = [time(9, 30), time(10, 30), time(11, 30), time(13), time(14), time(15)]


@pytest.fixture(scope="module")
def nyse_hourly() -> pd.Series:
    days = [
        date(2021, 5, 12),
        date(2021, 5, 13),
        date(2021, 5, 14),
        date(2021, 6, 11),
        date(2021, 6, 14),
        date(2021, 11, 24),
        date(2021, 11, 26),
        date(2021, 11, 29),
    ]
    hours = {d: NYSE_EARLY if d == date(2021, 11, 26) else NYSE_FULL for d in days}
    return _hourly_bars(days, NEW_YORK, hours)


def _utc(text: str, zone: ZoneInfo = NEW_YORK) -> pd.Timestamp:
    return pd.Timestamp(text, tz=zone).tz_convert("UTC")


def test_doge_hourly_peoples_crypto_tweet_lands_in_the_08_00_bar(
    tweet_at: Callable[[str], pd.Timestamp], doge_hourly: pd.DataFrame
) -> None:
    posted = tweet_at("Dogecoin is the people")  # 2021-02-04 08:15:26 UTC
    row = int(
        np.flatnonzero(doge_hourly["timestamp"] == pd.Timestamp("2021-02-04 08:00", tz="UTC"))[0]
    )
    contain = align_intraday([posted], doge_hourly["timestamp"], "1h", "24/7")
    assert contain.bar_index[0] == row and contain.how[0] == "in bar"
    assert contain.lag_seconds[0] == 15 * 60 + 26
    assert contain.session[0] == np.datetime64("2021-02-04")
    following = align_intraday(
        [posted], doge_hourly["timestamp"], "1h", "24/7", first_bar="next full"
    )
    assert following.bar_index[0] == row + 1 and following.how[0] == "next full bar"
    assert following.lag_seconds[0] == -(44 * 60 + 34)


def test_doge_hourly_missing_hours_are_no_bar_and_counted_in_windows(
    doge_hourly: pd.DataFrame,
) -> None:
    stamps = doge_hourly["timestamp"]
    every_hour = pd.date_range("2021-01-01", "2021-12-31 23:00", freq="h", tz="UTC")
    missing = every_hour.difference(pd.DatetimeIndex(stamps))
    assert len(missing) == 13  # as PROVENANCE says for 2021
    # One statement inside each missing hour, and one right after each gap with a window that
    # reaches back over it.
    inside = missing + pd.Timedelta(minutes=30)
    result = align_intraday(inside, stamps, "1h", "24/7")
    assert set(result.how) == {"no bar"} and (result.bar_index == -1).all()
    # Before DOGE was listed on Binance (first bar 2019-07-05 12:00) there is no series at all.
    listed = align_intraday([pd.Timestamp("2019-07-05 11:59", tz="UTC")], stamps, "1h", "24/7")
    assert listed.how.tolist() == ["before data"]

    after = pd.DatetimeIndex(
        [
            pd.Timestamp("2021-03-06 04:40:30", tz="UTC"),  # DOGE event 14
            pd.Timestamp("2021-08-13 07:10", tz="UTC"),
        ]
    )
    window = (-6, 2)
    aligned = align_intraday(after, stamps, "1h", "24/7", window=window)
    for i, posted in enumerate(after):
        slot = posted.floor("h")
        span = pd.date_range(slot - pd.Timedelta(hours=12), slot + pd.Timedelta(hours=2), freq="h")
        present = span[span.isin(stamps)]
        pos = present.get_loc(slot)
        window_bars = present[pos + window[0] : pos + window[1] + 1]
        expected_missing = len(pd.date_range(window_bars[0], window_bars[-1], freq="h")) - len(
            window_bars
        )
        assert aligned.missing_bars[i] == expected_missing > 0
        assert not aligned.crosses_session[i] and aligned.window_in_data[i]


def test_doge_minute_windows_are_centred_exactly_where_provenance_says(
    doge_minute_windows: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    bars, check = doge_minute_windows
    check = check[check["window_centered_on_tweet"] != "unverified"]
    tweets = pd.to_datetime(check["matched_datetime_utc"]).dt.tz_localize("UTC")
    result = align_intraday(tweets, bars["minute_utc"], "1m", "24/7", window=(-360, 360))
    centre = check["event_block"].to_numpy() * 721 + 360  # row of the claimed tweet minute
    centred = (check["window_centered_on_tweet"] == "yes").to_numpy()
    assert centred.sum() == 30 and (~centred).sum() == 9
    np.testing.assert_array_equal(result.bar_index[centred], centre[centred])
    assert set(result.how[centred]) == {"in bar"}
    assert result.window_in_data[centred].all() and (result.missing_bars[centred] == 0).all()
    np.testing.assert_array_equal(
        result.lag_seconds[centred], tweets[centred].dt.second.to_numpy().astype(float)
    )
    # The mis-centred windows: event 0's tweet (00:58:55) is in the minute 60 after the claimed
    # 23:58; the others (9-12 hours off) fall outside their 12-hour blocks altogether.
    assert not np.isin(result.bar_index[~centred], centre[~centred]).any()
    first = check["event_block"].to_numpy() == 0
    assert result.bar_index[first][0] == 360 + 60
    assert (result.bar_index[~centred & ~first] == -1).all()
    # Event 0's window runs past the end of its 12-hour block into the next block's minutes.
    assert result.missing_bars[first][0] > 0


def test_exchange_statements_outside_hours_go_to_the_next_sessions_first_bar(
    nyse_hourly: pd.Series,
) -> None:
    instants = [
        _utc("2021-05-12 18:06:14"),  # after close ("Tesla & Bitcoin", 22:06 UTC)
        _utc("2021-06-13 13:42:54"),  # Sunday
        _utc("2021-11-25 14:56:37"),  # Thanksgiving
        _utc("2021-11-26 13:30:00"),  # after the 13:00 early close
        _utc("2021-05-13 09:00:00"),  # before the open
    ]
    result = align_intraday(instants, nyse_hourly, "1h", "XNYS", window=(-2, 2))
    expected = [
        _utc("2021-05-13 09:30"),
        _utc("2021-06-14 09:30"),
        _utc("2021-11-26 09:30"),
        _utc("2021-11-29 09:30"),
        _utc("2021-05-13 09:30"),
    ]
    starts = nyse_hourly.to_numpy()
    np.testing.assert_array_equal(starts[result.bar_index], pd.DatetimeIndex(expected).to_numpy())
    assert result.how.tolist() == [
        "after close",
        "weekend",
        "holiday",
        "after close",
        "before open",
    ]
    # Day 0 opens a session, so a window reaching back two bars crosses the boundary at 0.
    assert result.crosses_session.all()
    assert result.boundary_offset.tolist() == [0.0] * 5
    assert result.boundary_kind.tolist() == [
        "overnight",
        "weekend",
        "holiday",
        "weekend",
        "overnight",
    ]


def test_exchange_in_session_containing_and_next_full_bar(nyse_hourly: pd.Series) -> None:
    instants = [
        _utc("2021-05-13 11:11:26"),
        _utc("2021-05-13 15:40:00"),
        _utc("2021-05-13 10:30:00"),
    ]
    starts = pd.DatetimeIndex(nyse_hourly)
    contain = align_intraday(instants, nyse_hourly, "1h", "XNYS", window=(0, 3))
    assert starts[contain.bar_index].tolist() == [
        _utc("2021-05-13 10:30"),
        _utc("2021-05-13 15:30"),
        _utc("2021-05-13 10:30"),
    ]
    assert contain.how.tolist() == ["in bar"] * 3
    # From the 10:30 bar, bars 10:30..13:30 stay in the session; from 15:30 they do not.
    assert contain.crosses_session.tolist() == [False, True, False]
    assert contain.boundary_offset[1] == 1.0 and contain.boundary_kind[1] == "overnight"

    following = align_intraday(instants, nyse_hourly, "1h", "XNYS", first_bar="next full")
    assert starts[following.bar_index].tolist() == [
        _utc("2021-05-13 11:30"),
        _utc("2021-05-14 09:30"),
        _utc("2021-05-13 10:30"),
    ]
    assert following.how.tolist() == ["next full bar", "next period", "in bar"]


def test_missing_exchange_bar_and_missing_session_are_reported(nyse_hourly: pd.Series) -> None:
    gappy = nyse_hourly[nyse_hourly != _utc("2021-05-13 11:30")]
    result = align_intraday(
        [_utc("2021-05-13 11:45:00"), _utc("2021-05-13 10:45:00")],
        gappy,
        "1h",
        "XNYS",
        window=(0, 2),
    )
    assert result.how.tolist() == ["no bar", "in bar"]
    assert result.missing_bars[1] == 1
    # 2021-06-11 is followed in the data by 2021-06-14, but 2021-05-14 by 2021-06-11: the data
    # skip whole sessions there.
    skip = align_intraday([_utc("2021-06-11 08:00:00")], nyse_hourly, "1h", "XNYS", window=(-1, 0))
    assert skip.boundary_kind[0] == "missing session"


def test_hkex_lunch_break_statement_and_window() -> None:
    days = [date(2024, 3, 27), date(2024, 3, 28), date(2024, 4, 2)]
    bars = _hourly_bars(days, HONG_KONG, dict.fromkeys(days, HKEX_FULL))
    hk = "Asia/Hong_Kong"
    instants = [
        pd.Timestamp("2024-03-28 12:30", tz=hk),
        pd.Timestamp("2024-03-28 11:45", tz=hk),
        pd.Timestamp("2024-03-28 19:00", tz=hk),
    ]
    contain = align_intraday(instants, bars, "1h", "XHKG", window=(-1, 1))
    starts = pd.DatetimeIndex(bars)
    assert starts[contain.bar_index].tolist() == [
        _utc("2024-03-28 13:00", HONG_KONG),
        _utc("2024-03-28 11:30", HONG_KONG),
        _utc("2024-04-02 09:30", HONG_KONG),
    ]
    assert contain.how.tolist() == ["lunch break", "in bar", "after close"]
    # Easter: Fri 29 Mar and Mon 1 Apr are weekdays without a session, so a holiday boundary.
    assert contain.boundary_kind.tolist() == ["lunch break", "lunch break", "holiday"]
    assert contain.boundary_offset.tolist() == [0.0, 1.0, 0.0]
    following = align_intraday(instants[1:2], bars, "1h", "XHKG", first_bar="next full")
    assert following.how[0] == "next period"
    assert starts[following.bar_index[0]] == _utc("2024-03-28 13:00", HONG_KONG)


def test_bars_outside_trading_hours_are_counted_and_break_windows(nyse_hourly: pd.Series) -> None:
    premarket = pd.concat([pd.Series([_utc("2021-05-13 08:00")]), nyse_hourly]).sort_values()
    result = align_intraday([_utc("2021-05-13 09:45:00")], premarket, "1h", "XNYS", window=(-1, 0))
    assert result.bars_outside_hours == 1
    assert result.boundary_kind[0] == "outside hours"
    assert pd.DatetimeIndex(premarket)[result.bar_index[0]] == _utc("2021-05-13 09:30")


def test_window_running_past_the_data(nyse_hourly: pd.Series) -> None:
    result = align_intraday(
        [_utc("2021-05-12 09:45:00")], nyse_hourly, "1h", "XNYS", window=(-3, 0)
    )
    assert not result.window_in_data[0]
    assert "runs past the data 1" in result.summary()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"freq": "5s"}, "freq"),
        ({"first_bar": "previous"}, "first_bar"),
        ({"window": (3, -3)}, "window"),
        ({"calendar": "MOON"}, "calendar"),
        ({"bar_starts": [_utc("2021-05-13 10:30"), _utc("2021-05-13 09:30")]}, "bar_starts"),
        ({"bar_starts": []}, "bar_starts"),
    ],
)
def test_bad_options_name_the_argument(kwargs: dict[str, object], field: str) -> None:
    args: dict[str, object] = {
        "instants": [_utc("2021-05-13 10:45")],
        "bar_starts": [_utc("2021-05-13 09:30"), _utc("2021-05-13 10:30")],
        "freq": "1h",
        "calendar": "XNYS",
    } | kwargs
    with pytest.raises(BadInputError) as info:
        align_intraday(**args)  # type: ignore[arg-type]
    assert info.value.field == field


def test_inputs_untouched_result_read_only_and_frames_in_utc(nyse_hourly: pd.Series) -> None:
    bars_before = nyse_hourly.copy()
    instants = pd.Series([_utc("2021-05-13 10:45")])
    instants_before = instants.copy()
    result = align_intraday(instants, nyse_hourly, "1h", "XNYS")
    pd.testing.assert_series_equal(nyse_hourly, bars_before)
    pd.testing.assert_series_equal(instants, instants_before)
    with pytest.raises(ValueError):
        result.bar_index[0] = 3
    frame = result.to_frame()
    assert str(frame["bar_start"].dt.tz) == "UTC" and frame["how"].tolist() == ["in bar"]
    assert timedelta(seconds=float(frame["lag_seconds"][0])) == timedelta(minutes=15)
