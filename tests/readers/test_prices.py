"""read_prices on small files written here: formats, checks, times, frequency, notes."""

from __future__ import annotations

import gzip
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from leaderlens.errors import BadInputError
from leaderlens.readers.base import COLUMNS
from leaderlens.readers.prices import PRICE_FORMATS, missing_bars, read_prices, suspected_splits

YAHOO = (
    "Date,Open,High,Low,Close,Adj Close,Volume\n"
    "2021-01-04,10.0,11.0,9.5,10.5,10.4,1000\n"
    "2021-01-05,10.5,12.0,10.0,11.5,11.4,2000\n"
    "2021-01-06,11.5,11.75,11.0,11.25,11.2,1500\n"
)


def write(tmp_path: Path, text: str, name: str = "prices.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def refused(path: Path | str, **kwargs: object) -> BadInputError:
    with pytest.raises(BadInputError) as info:
        read_prices(path, **kwargs)  # type: ignore[arg-type]
    return info.value


# ------------------------------------------------------------------------------------------
# Canonical result


def test_yahoo_daily_canonical_frame(tmp_path: Path) -> None:
    result = read_prices(write(tmp_path, YAHOO))
    frame = result.frame
    assert result.kind == "prices" and result.format == "yahoo" and result.freq == "1d"
    assert tuple(frame.columns) == COLUMNS["prices"]
    assert str(frame["ts"].dtype) == "datetime64[us, UTC]"
    assert all(frame[c].dtype == np.float64 for c in COLUMNS["prices"][1:])
    assert list(frame["ts"]) == list(
        pd.to_datetime(["2021-01-04", "2021-01-05", "2021-01-06"], utc=True)
    )
    assert frame["close"].tolist() == [10.5, 11.5, 11.25]
    assert frame["adj_close"].tolist() == [10.4, 11.4, 11.2]
    assert frame["volume"].tolist() == [1000, 2000, 1500]
    assert "label" in result.time_zone and result.calendar_hint is None
    assert result.rejects == ()


def test_no_adjusted_close_copies_close_and_says_so(tmp_path: Path) -> None:
    text = "Date,Close,High,Low,Open,Volume\n2021-01-04,10,11,9,10,5\n2021-01-05,11,12,10,10,6\n"
    result = read_prices(write(tmp_path, text))
    assert result.format == "yahoo"
    assert result.frame["adj_close"].tolist() == result.frame["close"].tolist() == [10, 11]
    assert any("adj_close = close" in n for n in result.notes)


def test_missing_columns_are_nan(tmp_path: Path) -> None:
    text = "time,price\n2021-01-04,10\n2021-01-05,11\n"
    frame = read_prices(write(tmp_path, text)).frame
    assert frame[["open", "high", "low", "volume"]].isna().all().all()
    assert frame["close"].tolist() == [10, 11]


def test_rows_come_back_sorted(tmp_path: Path) -> None:
    text = "Date,Open,High,Low,Close,Volume\n2021-01-06,1,2,1,2,1\n2021-01-04,1,2,1,1.5,1\n"
    frame = read_prices(write(tmp_path, text)).frame
    assert frame["close"].tolist() == [1.5, 2]
    assert frame["ts"].is_monotonic_increasing


# ------------------------------------------------------------------------------------------
# Format detection and forcing

SAMPLES = {
    "yahoo": YAHOO,
    "yfinance": (
        "Price,Adj Close,Close,High,Low,Open,Volume\nTicker,^SPX,^SPX,^SPX,^SPX,^SPX,^SPX\n"
        "Date,,,,,,\n2021-01-04,1,1,1.5,0.5,1,10\n2021-01-05,2,2,2.5,1.5,2,10\n"
    ),
    "semicolon": (
        "Date;Open;High;Low;Close;Volume\n4/1/2021;1,5;2,5;1;2;10\n5/1/2021;2;3;1,5;2,5;10\n"
    ),
    "binance": (
        "1609459200000,28923.63,29031.34,28690.17,28995.13,2311.811445,1609462799999,"
        "66768830.34,58389,1215.359,35103.9,0\n"
        "1609462800000,28995.13,29470.00,28960.35,29409.99,3713.33,1609466399999,"
        "108722731.1,81588,2006.6,58747.4,0\n"
    ),
    "cryptodatadownload": (
        "https://www.CryptoDataDownload.com\n"
        "unix,date,symbol,open,high,low,close,Volume BTC,Volume USDT,tradecount\n"
        "1609462800000,2021-01-01 01:00:00,BTC/USDT,28995.13,29470,28960.35,29409.99,3713,1,1\n"
        "1609459200000,2021-01-01 00:00:00,BTC/USDT,28923.63,29031.34,28690.17,28995.13,2311,1,1\n"
    ),
    "generic": "time,close\n2021-01-04T10:00:00Z,1\n2021-01-04T11:00:00Z,2\n",
}


@pytest.mark.parametrize("expected", sorted(SAMPLES))
def test_each_format_is_detected(tmp_path: Path, expected: str) -> None:
    result = read_prices(write(tmp_path, SAMPLES[expected]))
    assert result.format == expected
    assert len(result.frame) == (3 if expected == "yahoo" else 2)


BINANCE_OHLCV = (
    "timestamp,open,high,low,close,volume\n"
    "2021-01-01 00:00:00,1,2,1,2,5\n2021-01-01 01:00:00,2,3,2,3,5\n"
)


def test_binance_timestamp_layout_is_detected_and_utc(tmp_path: Path) -> None:
    text = BINANCE_OHLCV
    result = read_prices(write(tmp_path, text))
    assert result.format == "binance" and result.freq == "1h" and result.calendar_hint == "24/7"
    assert result.frame["ts"].iloc[1] == pd.Timestamp("2021-01-01 01:00", tz="UTC")
    assert "UTC" in result.time_zone and "binance" in result.time_zone


def test_binance_raw_klines_values(tmp_path: Path) -> None:
    result = read_prices(write(tmp_path, SAMPLES["binance"]))
    frame = result.frame
    assert frame["ts"].tolist() == list(
        pd.to_datetime([1609459200000, 1609462800000], unit="ms", utc=True)
    )
    assert frame["close"].tolist() == [28995.13, 29409.99]
    assert frame["volume"].tolist() == [2311.811445, 3713.33]
    assert result.freq == "1h" and result.calendar_hint == "24/7"


def test_format_can_be_forced(tmp_path: Path) -> None:
    result = read_prices(write(tmp_path, YAHOO), format="generic")
    assert result.format == "generic" and len(result.frame) == 3


def test_unknown_format_names_the_allowed_values(tmp_path: Path) -> None:
    error = refused(write(tmp_path, YAHOO), format="excel")
    assert error.field == "format"
    assert all(name in error.message for name in PRICE_FORMATS) and "'excel'" in error.message


@pytest.mark.parametrize(
    ("argument", "value"), [("freq", "4h"), ("on_bad_rows", "ignore"), ("tz", "Mars/Olympus")]
)
def test_closed_options_are_checked_at_the_door(tmp_path: Path, argument: str, value: str) -> None:
    error = refused(write(tmp_path, YAHOO), **{argument: value})
    assert error.field == argument


def test_forcing_a_format_that_does_not_fit_names_the_problem(tmp_path: Path) -> None:
    error = refused(write(tmp_path, "time,close\n2021-01-04,1\n"), format="yahoo")
    assert error.field == "time" and error.line == 1 and "'time'" in error.message


def test_yfinance_with_several_tickers_is_refused(tmp_path: Path) -> None:
    text = "Price,Close,Close\nTicker,AAPL,MSFT\nDate,,\n2021-01-04,1,2\n"
    error = refused(write(tmp_path, text))
    assert error.line == 2 and "AAPL" in error.message and "MSFT" in error.message


# ------------------------------------------------------------------------------------------
# Bad rows: file, line and field in every message; skip mode lists rejects


def bad_case(tmp_path: Path, text: str, line: int, field: str, **kwargs: object) -> None:
    path = write(tmp_path, text)
    error = refused(path, **kwargs)
    assert (error.file, error.line, error.field) == (str(path), line, field), str(error)
    assert f"{path}:{line}" in str(error)
    skipped = read_prices(path, on_bad_rows="skip", **kwargs)  # type: ignore[arg-type]
    assert [(r.line, r.field) for r in skipped.rejects] == [(line, field)]
    assert len(skipped.frame) == 2


HEADER = "Date,Open,High,Low,Close,Adj Close,Volume\n"
GOOD1 = "2021-01-04,10,11,9,10.5,10.5,100\n"
GOOD2 = "2021-01-06,10,11,9,10.5,10.5,100\n"


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ("2021-01-05,10,11,9,10.5\n", "Adj Close"),  # too few fields
        ("2021-01-05,10,11,9,10.5,10.5,100,7\n", "Volume"),  # too many fields
        ("2021-13-45,10,11,9,10.5,10.5,100\n", "Date"),  # unparseable time
        (",10,11,9,10.5,10.5,100\n", "Date"),  # missing time
        ("2021-01-05,10,11,9,ten,10.5,100\n", "Close"),  # unparseable number
        ("2021-01-05,10,11,9,,10.5,100\n", "Close"),  # missing close
        ("2021-01-05,10,11,9,0,10.5,100\n", "Close"),  # zero price
        ("2021-01-05,-1,11,9,10.5,10.5,100\n", "Open"),  # negative price
        ("2021-01-05,10,11,9,10.5,-2,100\n", "Adj Close"),  # negative adjusted close
        ("2021-01-05,10,11,9,10.5,10.5,-100\n", "Volume"),  # negative volume
        ("2021-01-05,10,8,9,10.5,10.5,100\n", "High"),  # high below low
        ("2021-01-04,10,11,9,12,12,100\n", "Date"),  # repeated date, other values
    ],
)
def test_bad_row_is_named_by_file_line_and_field(tmp_path: Path, row: str, field: str) -> None:
    bad_case(tmp_path, HEADER + GOOD1 + row + GOOD2, 3, field)


def test_the_first_value_is_quoted(tmp_path: Path) -> None:
    error = refused(write(tmp_path, HEADER + GOOD1 + "2021-01-05,10,11,9,ten,10.5,100\n"))
    assert "'ten'" in error.message


def test_more_bad_rows_are_counted_in_the_message(tmp_path: Path) -> None:
    rows = "".join(f"2021-01-{d:02d},10,11,9,0,1,1\n" for d in range(5, 9))
    error = refused(write(tmp_path, HEADER + GOOD1 + rows))
    assert error.line == 3 and "3 more bad rows" in error.message


def test_identical_repeats_are_dropped_with_a_note(tmp_path: Path) -> None:
    result = read_prices(write(tmp_path, HEADER + GOOD1 + GOOD1 + GOOD2))
    assert len(result.frame) == 2
    assert any("1 identical repeated row dropped" in n for n in result.notes)


def test_true_line_numbers_after_quoted_newlines_and_blank_lines(tmp_path: Path) -> None:
    text = (
        "time,close,comment\n"
        '2021-01-04,1,"two\nlines"\n'
        "\n"
        "2021-01-05,2,plain\n"
        "2021-01-06,oops,plain\n"
    )
    error = refused(write(tmp_path, text))
    assert (error.line, error.field) == (6, "close")


def test_short_row_in_a_quoted_file_is_found_on_its_line(tmp_path: Path) -> None:
    text = 'time,close,comment\n2021-01-04,1,"a\nb"\n2021-01-05,2\n2021-01-06,3,c\n'
    path = write(tmp_path, text)
    error = refused(path)
    assert (error.line, error.field) == (4, "comment")
    skipped = read_prices(path, on_bad_rows="skip")
    assert skipped.frame["close"].tolist() == [1, 3] and skipped.rejects[0].line == 4


def test_banner_line_counts(tmp_path: Path) -> None:
    text = SAMPLES["cryptodatadownload"].replace("29409.99", "x")
    error = refused(write(tmp_path, text))
    assert (error.line, error.field) == (3, "close")


def test_missing_close_column(tmp_path: Path) -> None:
    error = refused(write(tmp_path, "time,open\n2021-01-04,1\n"))
    assert (error.line, error.field) == (1, "close")


@pytest.mark.parametrize(
    ("content", "line"),
    [
        (b"", None),
        (b"   \n\n", None),
        (HEADER.encode(), 1),
        (b"Date,Close\n2021-01-04,1\n\xff\xfe,2\n", 3),
    ],
    ids=["empty", "blank", "header-only", "bad-utf8"],
)
def test_unreadable_files_are_refused_with_file_and_line(
    tmp_path: Path, content: bytes, line: int | None
) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(content)
    error = refused(path)
    assert error.file == str(path) and error.line == line


def test_missing_path_and_folder(tmp_path: Path) -> None:
    assert "no such file" in refused(tmp_path / "nope.csv").message
    assert "folder" in refused(tmp_path).message


def test_other_encodings_and_gzip(tmp_path: Path) -> None:
    text = "Date,Close,Note\n2021-01-04,1,café\n2021-01-05,2,x\n"
    path = write(tmp_path, text, encoding="latin-1")
    assert read_prices(path, encoding="latin-1").frame["close"].tolist() == [1, 2]
    zipped = tmp_path / "p.csv.gz"
    zipped.write_bytes(gzip.compress(YAHOO.encode()))
    assert len(read_prices(zipped).frame) == 3


def test_a_header_only_file_after_skips_is_refused(tmp_path: Path) -> None:
    error = refused(write(tmp_path, HEADER + "2021-01-05,10,11,9,0,1,1\n"), on_bad_rows="skip")
    assert "no usable rows" in error.message and error.line == 2


# ------------------------------------------------------------------------------------------
# Times


def test_naive_intraday_times_need_a_zone(tmp_path: Path) -> None:
    text = "time,close\n2021-03-01 10:00,1\n2021-03-01 11:00,2\n"
    path = write(tmp_path, text)
    error = refused(path)
    assert (error.line, error.field) == (2, "time") and "--tz" in error.message
    result = read_prices(path, tz="America/New_York")
    assert result.frame["ts"].tolist() == [
        pd.Timestamp("2021-03-01 15:00", tz="UTC"),
        pd.Timestamp("2021-03-01 16:00", tz="UTC"),
    ]
    assert "America/New_York" in result.time_zone


def test_local_times_follow_daylight_saving(tmp_path: Path) -> None:
    stamps = ["2021-03-12 09:00", "2021-03-12 10:00", "2021-03-15 09:00", "2021-03-15 10:00"]
    path = write(tmp_path, "time,close\n" + "".join(f"{s},1\n" for s in stamps))
    got = read_prices(path, tz="America/New_York").frame["ts"].tolist()
    zone = ZoneInfo("America/New_York")
    expected = [
        pd.Timestamp(datetime.fromisoformat(s).replace(tzinfo=zone)).tz_convert("UTC")
        for s in stamps
    ]
    assert got == expected  # 14:00 UTC before the change, 13:00 UTC after


def test_a_time_skipped_by_daylight_saving_is_refused(tmp_path: Path) -> None:
    text = "time,close\n2021-03-14 01:00,1\n2021-03-14 02:30,2\n2021-03-14 03:00,3\n"
    error = refused(write(tmp_path, text), tz="America/New_York")
    assert (error.line, error.field) == (3, "time") and "daylight" in error.message


def test_offsets_that_change_with_daylight_saving(tmp_path: Path) -> None:
    text = (
        "Datetime,Open,High,Low,Close,Adj Close,Volume\n"
        "2021-03-12 09:30:00-05:00,1,1,1,1,1,1\n2021-03-12 10:30:00-05:00,1,1,1,1,1,1\n"
        "2021-03-15 09:30:00-04:00,1,1,1,1,1,1\n"
    )
    result = read_prices(write(tmp_path, text), tz="Asia/Tokyo")
    assert result.frame["ts"].tolist() == list(
        pd.to_datetime(["2021-03-12 14:30", "2021-03-12 15:30", "2021-03-15 13:30"], utc=True)
    )
    assert result.freq == "1h" and any("--tz Asia/Tokyo not used" in n for n in result.notes)


def test_daily_bars_stamped_at_local_midnight_keep_the_local_date(tmp_path: Path) -> None:
    text = (
        "Date,Open,High,Low,Close,Volume,Dividends,Stock Splits\n"
        "2024-03-28 00:00:00+08:00,14,15,14,14.94,1,0,0\n"
        "2024-04-02 00:00:00+08:00,17,17,16,16.28,1,0,0\n"
    )
    result = read_prices(write(tmp_path, text))
    assert result.freq == "1d"
    assert result.frame["ts"].dt.strftime("%Y-%m-%d %H:%M").tolist() == [
        "2024-03-28 00:00",
        "2024-04-02 00:00",
    ]
    assert "+08:00" in result.time_zone
    assert any("Dividends, Stock Splits" in n for n in result.notes)


def test_binance_times_are_utc_by_format_and_tz_cannot_override(tmp_path: Path) -> None:
    text = BINANCE_OHLCV
    error = refused(write(tmp_path, text), tz="Europe/Berlin")
    assert error.field == "tz" and "generic" in error.message
    assert len(read_prices(write(tmp_path, text), tz="UTC").frame) == 2


def test_epoch_and_yyyymmdd_numbers(tmp_path: Path) -> None:
    epoch = read_prices(write(tmp_path, "timestamp,close\n1609459200,1\n1609462800,2\n", "a.csv"))
    assert epoch.frame["ts"].tolist() == list(
        pd.to_datetime(["2021-01-01 00:00", "2021-01-01 01:00"], utc=True)
    )
    ymd = read_prices(write(tmp_path, "date,close\n20210104,1\n20210105,2\n", "b.csv"))
    assert ymd.freq == "1d" and ymd.frame["ts"].iloc[0] == pd.Timestamp("2021-01-04", tz="UTC")


def test_date_and_time_columns_are_joined(tmp_path: Path) -> None:
    text = (
        "Date,Time,Open,High,Low,Close,Volume\n"
        "2021-01-04,09:30,1,1,1,1,1\n2021-01-04,09:31,1,1,1,2,1\n"
    )
    result = read_prices(write(tmp_path, text), tz="America/New_York")
    assert result.freq == "1m"
    assert result.frame["ts"].iloc[0] == pd.Timestamp("2021-01-04 14:30", tz="UTC")


# Slash dates: the order is proven by a number above 12, else the format's convention.


def test_us_dates_in_a_yahoo_file(tmp_path: Path) -> None:
    text = "Date,Open,High,Low,Close,Adj Close,Volume\n2/5/1971,1,1,1,1,1,0\n2/8/1971,1,1,1,1,1,0\n"
    result = read_prices(write(tmp_path, text))
    assert result.frame["ts"].dt.strftime("%Y-%m-%d").tolist() == ["1971-02-05", "1971-02-08"]
    assert any("month-first" in n for n in result.notes)


def test_semicolon_dates_are_day_first_by_convention(tmp_path: Path) -> None:
    result = read_prices(write(tmp_path, SAMPLES["semicolon"]))
    assert result.frame["ts"].dt.strftime("%Y-%m-%d").tolist() == ["2021-01-04", "2021-01-05"]
    assert result.frame["open"].tolist() == [1.5, 2.0]  # decimal comma
    assert any("day-first" in n and "convention" in n for n in result.notes)


def test_a_day_above_twelve_proves_the_order(tmp_path: Path) -> None:
    text = "Date,Close\n1/7/2010,1\n13/7/2010,2\n"
    result = read_prices(write(tmp_path, text))
    assert result.frame["ts"].dt.strftime("%Y-%m-%d").tolist() == ["2010-07-01", "2010-07-13"]
    assert any("'13/7/2010' proves it" in n for n in result.notes)


def test_a_column_proving_both_orders_is_refused_on_the_rarer_rows(tmp_path: Path) -> None:
    text = "Date,Close\n13/1/2010,1\n14/1/2010,2\n15/1/2010,3\n1/16/2010,4\n"
    error = refused(write(tmp_path, text))
    assert (error.line, error.field) == (5, "Date")


# ------------------------------------------------------------------------------------------
# Frequency


@pytest.mark.parametrize(("step", "freq"), [("1min", "1m"), ("1h", "1h")])
def test_intraday_frequency_is_detected(tmp_path: Path, step: str, freq: str) -> None:
    times = pd.date_range("2021-01-04 09:00", periods=6, freq=step, tz="UTC").delete(3)
    text = "time,close\n" + "".join(f"{t.isoformat()},1\n" for t in times)
    assert read_prices(write(tmp_path, text)).freq == freq


def test_other_spacings_are_refused(tmp_path: Path) -> None:
    times = pd.date_range("2021-01-04", periods=5, freq="4h", tz="UTC")
    text = "time,close\n" + "".join(f"{t.isoformat()},1\n" for t in times)
    error = refused(write(tmp_path, text))
    assert "4 h apart" in error.message
    weekly = "Date,Close\n2021-01-04,1\n2021-01-11,1\n2021-01-18,1\n"
    assert "7 days apart" in refused(write(tmp_path, weekly, "w.csv")).message


def test_a_freq_that_contradicts_the_data_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, YAHOO)
    assert refused(path, freq="1h").field == "freq"
    hourly = write(tmp_path, SAMPLES["generic"], "h.csv")
    assert refused(hourly, freq="1m").field == "freq"
    assert refused(hourly, freq="1d").field == "freq"
    assert read_prices(hourly, freq="1h").freq == "1h"


def test_a_single_intraday_bar_needs_freq(tmp_path: Path) -> None:
    path = write(tmp_path, "time,close\n2021-01-04T10:00:00Z,1\n")
    assert refused(path).field == "freq"
    assert read_prices(path, freq="1h").freq == "1h"


# ------------------------------------------------------------------------------------------
# Notes a careful user needs


def test_yahoo_null_rows_are_left_out_with_a_note(tmp_path: Path) -> None:
    text = HEADER + GOOD1 + "2021-01-05,null,null,null,null,null,null\n" + GOOD2
    result = read_prices(write(tmp_path, text))
    assert len(result.frame) == 2 and result.rejects == ()
    assert any("1 row with a time but no values" in n for n in result.notes)


def test_zero_open_beside_a_close_is_read_as_missing(tmp_path: Path) -> None:
    text = (
        HEADER + "1962-01-02,0,71.96,70.71,70.96,70.96,0\n1962-01-03,0,71.48,70.38,71.13,71.13,0\n"
    )
    result = read_prices(write(tmp_path, text))
    assert result.frame["open"].isna().all() and result.frame["close"].tolist() == [70.96, 71.13]
    assert any("2 rows have Open 0" in n for n in result.notes)


def test_crypto_calendar_hints(tmp_path: Path) -> None:
    days = pd.date_range("2021-01-01", periods=10, freq="D")
    text = "Date,Close\n" + "".join(f"{d:%Y-%m-%d},{i + 1}\n" for i, d in enumerate(days))
    weekend = read_prices(write(tmp_path, text, "coin.csv"))
    assert weekend.calendar_hint == "24/7" and any("Saturdays" in n for n in weekend.notes)
    by_name = read_prices(write(tmp_path, YAHOO, "ETH-USD.csv"))
    assert by_name.calendar_hint == "24/7"
    assert read_prices(write(tmp_path, YAHOO, "AAPL.csv")).calendar_hint is None


def test_missing_hours_are_reported_for_24_7_series(tmp_path: Path) -> None:
    times = pd.date_range("2021-01-01", periods=48, freq="h").delete([5, 6, 7, 20])
    text = "timestamp,open,high,low,close,volume\n" + "".join(
        f"{t:%Y-%m-%d %H:%M:%S},1,1,1,1,1\n" for t in times
    )
    result = read_prices(write(tmp_path, text))
    note = next(n for n in result.notes if "missing hours" in n)
    assert note.startswith("4 missing hours in 2 gaps")
    assert "3 hours from 2021-01-01 05:00 UTC to 2021-01-01 07:00 UTC" in note


def test_an_unadjusted_split_is_suspected(tmp_path: Path) -> None:
    closes = [300, 303, 306, 102.5, 103, 104]
    days = pd.bdate_range("2020-08-24", periods=len(closes))
    text = "Date,Close\n" + "".join(
        f"{d:%Y-%m-%d},{c}\n" for d, c in zip(days, closes, strict=True)
    )
    notes = read_prices(write(tmp_path, text)).notes
    split = next(n for n in notes if "split" in n)
    assert split.startswith("close 2020-08-27 / 2020-08-26 = 0.3350, close to 1/3")
    assert "3:1 split" in split


def test_a_partial_last_bar_is_flagged(tmp_path: Path) -> None:
    days = pd.bdate_range("2021-01-04", periods=25)
    volume = [1000] * 24 + [100]
    text = "Date,Close,Volume\n" + "".join(
        f"{d:%Y-%m-%d},1,{v}\n" for d, v in zip(days, volume, strict=True)
    )
    notes = read_prices(write(tmp_path, text)).notes
    assert any("partial bar" in n and "100" in n for n in notes)


def test_cryptodatadownload_repeats_keep_the_millisecond_row(tmp_path: Path) -> None:
    text = (
        "unix,date,symbol,open,high,low,close,Volume BTC,Volume USDT,tradecount\n"
        "1609466400000,2021-01-01 02:00:00,BTC/USDT,3,3,3,3,1.25,1,5\n"
        "1609462800000,2021-01-01 01:00:00,BTC/USDT,2,2,2,2,1.25,1,5\n"
        "1609462800.0,2021-01-01 01-AM,BTC/USDT,2,2,2,2.5,1.2,1,NULL\n"
        "1609459200.0,2021-01-01 12-AM,BTC/USDT,1,1,1,1,1.2,1,NULL\n"
    )
    result = read_prices(write(tmp_path, text))
    assert result.frame["close"].tolist() == [1, 2, 3]
    assert result.frame["ts"].iloc[0] == pd.Timestamp("2021-01-01 00:00", tz="UTC")
    note = next(n for n in result.notes if "appear twice" in n)
    assert note.startswith("1 time (unix) appear twice") and "close 1" in note
    assert any("newest-first" in n for n in result.notes)


# ------------------------------------------------------------------------------------------
# Frames and Parquet


def frame_input() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Datetime": pd.date_range("2021-01-04 14:30", periods=3, freq="min", tz="UTC"),
            "Open": [1.0, 2.0, 3.0],
            "Close": [1.5, 2.5, 3.5],
        }
    )


def test_pandas_frame_is_read_and_left_untouched() -> None:
    frame = frame_input()
    before = frame.copy()
    result = read_prices(frame)
    pd.testing.assert_frame_equal(frame, before)
    assert result.source == "<DataFrame>" and result.format == "generic" and result.freq == "1m"
    assert result.frame["close"].tolist() == [1.5, 2.5, 3.5]


def test_frame_with_datetime_index_and_ticker_columns() -> None:
    frame = frame_input().set_index("Datetime")
    frame.columns = pd.MultiIndex.from_product([["Open", "Close"], ["TSLA"]])
    assert read_prices(frame).frame["open"].tolist() == [1.0, 2.0, 3.0]


def test_frame_rows_are_named_in_messages() -> None:
    frame = frame_input()
    frame.loc[1, "Close"] = -1.0
    error = refused(frame)  # type: ignore[arg-type]
    assert (error.file, error.line, error.field) == ("<DataFrame>", 2, "Close")


def test_naive_frame_times_need_a_zone() -> None:
    frame = frame_input()
    frame["Datetime"] = frame["Datetime"].dt.tz_localize(None)
    assert refused(frame).field == "Datetime"  # type: ignore[arg-type]
    assert read_prices(frame, tz="UTC").frame["ts"].iloc[0] == pd.Timestamp(
        "2021-01-04 14:30", tz="UTC"
    )


def test_nullable_columns() -> None:
    frame = frame_input().astype({"Open": "Float64"})
    frame.loc[0, "Open"] = pd.NA
    assert np.isnan(read_prices(frame).frame["open"].iloc[0])


def test_polars_frame() -> None:
    pl = pytest.importorskip("polars")
    frame = pl.from_pandas(frame_input())
    assert read_prices(frame).frame["close"].tolist() == [1.5, 2.5, 3.5]


def test_parquet_file(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    path = tmp_path / "bars.parquet"
    frame_input().to_parquet(path)
    result = read_prices(path)
    assert result.format == "generic" and len(result.frame) == 3
    assert refused(path, format="yahoo").field == "format"


def test_a_result_frame_reads_back_unchanged(tmp_path: Path) -> None:
    first = read_prices(write(tmp_path, YAHOO))
    again = read_prices(first.frame)
    pd.testing.assert_frame_equal(first.frame, again.frame)


def test_binance_klines_with_a_header_line(tmp_path: Path) -> None:
    header = (
        "open_time,open,high,low,close,volume,close_time,quote_volume,count,"
        "taker_buy_volume,taker_buy_quote_volume,ignore\n"
    )
    rows = SAMPLES["binance"].splitlines(keepends=True)
    result = read_prices(write(tmp_path, header + "".join(rows)))
    assert result.format == "binance" and result.frame["close"].tolist() == [28995.13, 29409.99]
    bad = header + rows[0] + rows[1].replace("29409.99", "-1")
    error = refused(write(tmp_path, bad, "bad.csv"))
    assert (error.line, error.field) == (3, "close")


def test_frame_index_and_lines_name_each_row_in_the_file(tmp_path: Path) -> None:
    result = read_prices(write(tmp_path, SAMPLES["cryptodatadownload"]))
    # newest-first file: the oldest bar is the last data row, on line 4
    assert result.frame.index.tolist() == [1, 0]
    assert result.lines is not None
    assert [result.lines.line(int(p)) for p in result.frame.index] == [4, 3]


def test_aware_frame_times_at_local_midnight_are_dates() -> None:
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-03-28", "2024-04-02"]).tz_localize("Asia/Hong_Kong"),
            "close": [14.94, 16.28],
        }
    )
    result = read_prices(frame)
    assert result.freq == "1d"
    assert result.frame["ts"].tolist() == list(
        pd.to_datetime(["2024-03-28", "2024-04-02"], utc=True)
    )


def test_epoch_times_say_so(tmp_path: Path) -> None:
    result = read_prices(write(tmp_path, "timestamp,close\n1609459200000,1\n1609462800000,2\n"))
    assert "epoch" in result.time_zone


# ------------------------------------------------------------------------------------------
# missing_bars and suspected_splits as functions


def test_missing_bars_against_a_full_grid() -> None:
    grid = pd.date_range("2021-01-01", periods=30, freq="D", tz="UTC")
    present = grid.delete([3, 4, 10, 20, 21, 22])
    count, gaps = missing_bars(pd.Series(present[::-1]), "1d")  # order does not matter
    assert count == len(grid.difference(present)) == 6
    assert gaps["bars"].tolist() == [2, 1, 3]
    assert gaps["start"].tolist() == [grid[3], grid[10], grid[20]]
    assert gaps["end"].tolist() == [grid[4], grid[10], grid[22]]
    assert missing_bars(pd.Series(grid), "1d")[0] == 0
    with pytest.raises(BadInputError):
        missing_bars(pd.Series(grid), "4h")


def test_suspected_splits_planted() -> None:
    rng = np.random.default_rng(7)
    returns = rng.normal(0, 0.02, 300)
    returns[[150, 250]] = [0.004, -0.006]  # the split days' own moves, inside the 1% tolerance
    close = 100 * np.exp(np.cumsum(returns))
    close[150:] /= 3  # an unadjusted 3:1 split
    close[250:] *= 5  # an unadjusted 1:5 reverse split
    ts = pd.Series(pd.bdate_range("2020-01-01", periods=300, tz="UTC"))
    found = suspected_splits(ts, close)
    assert [(s.ts, s.factor) for s in found] == [(ts[150], 3.0), (ts[250], 0.2)]
    assert found[0].previous_ts == ts[149]
    assert found[0].ratio == pytest.approx(close[150] / close[149])
    assert "1:5 reverse split" in found[1].describe()


def test_a_three_for_two_split_needs_a_lower_threshold() -> None:
    close = np.array([30.0, 30.3, 20.3, 20.4])
    ts = pd.Series(pd.bdate_range("2021-01-04", periods=4, tz="UTC"))
    assert suspected_splits(ts, close) == []
    (found,) = suspected_splits(ts, close, min_jump=1.4)
    assert found.factor == 1.5 and "3:2 split" in found.describe()


def test_no_splits_in_an_ordinary_walk() -> None:
    rng = np.random.default_rng(3)
    close = 50 * np.exp(np.cumsum(rng.normal(0, 0.03, 5000)))
    ts = pd.Series(pd.bdate_range("2000-01-03", periods=5000, tz="UTC"))
    assert suspected_splits(ts, close) == []
