"""read_prices on the real public price files in ../shared/data.

Witnesses are read here independently: with the :mod:`csv` module and ``float()`` (row counts,
every close, spot values), with the figures published in each folder's PROVENANCE.md, or by
comparing two files of the same series on different bases.
"""

from __future__ import annotations

import csv
import gzip
import io
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from leaderlens.errors import BadInputError
from leaderlens.readers.base import ReadResult
from leaderlens.readers.prices import missing_bars, read_prices

TSLA_EU = "tsla_daily_2010_2024/TSLA.csv"
TSLA_Y = "prices_daily_2010_2022_tsla_spy_doge/TSLA.csv"
SPY = "prices_daily_2010_2022_tsla_spy_doge/SPY.csv"
AAPL = "prices_daily_long_history_yahoo/AAPL.csv.gz"
HSI = "prices_daily_long_history_yahoo/HSI.csv.gz"
SPX = "prices_daily_long_history_yahoo/SPX.csv.gz"
GSPC = "sp500_gspc_1927_2023_and_nyse_calendar/GSPC.csv.gz"
IXIC = "nasdaq_composite_ixic_1971_2020/IXIC.csv.gz"
XIAOMI_1 = "xiaomi_1810hk_daily_2018_2025/1810.HK_2018-07-09_2020-10-09.csv"
XIAOMI_2 = "xiaomi_1810hk_daily_2018_2025/1810.HK_2020-01-02_2025-07-18.csv"
DOGE_1H = "crypto_binance_ohlcv_doge_btc/DOGEUSDT_1h.csv.gz"
CDD_1 = "btc_hourly_binance_cryptodatadownload/Binance_BTCUSDT_1h_2017-08_2021-06.csv.gz"
CDD_2 = "btc_hourly_binance_cryptodatadownload/Binance_BTCUSDT_1h_2020-11_2021-10.csv.gz"


def rows_of(path: Path, delimiter: str = ",", skip: int = 1) -> list[list[str]]:
    """The data records of a (gzipped) CSV, by the csv module."""
    raw = path.read_bytes()
    text = (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).decode("utf-8")
    return [r for r in csv.reader(io.StringIO(text), delimiter=delimiter) if r][skip:]


def by_day(result: ReadResult) -> pd.DataFrame:
    return result.frame.set_index(result.frame["ts"].dt.strftime("%Y-%m-%d"))


def day(text: str, fmt: str) -> str:
    return datetime.strptime(text, fmt).date().isoformat()


@pytest.fixture(scope="module")
def read(shared_data: Path):
    cache: dict[str, ReadResult] = {}

    def get(name: str) -> ReadResult:
        if name not in cache:
            cache[name] = read_prices(shared_data / name)
        return cache[name]

    return get


# ------------------------------------------------------------------------------------------
# Every close, row counts and formats of the daily files


@pytest.mark.parametrize(
    ("name", "fmt", "n", "date_fmt", "close_col", "skip", "delimiter"),
    [
        (TSLA_EU, "semicolon", 3532, "%d/%m/%Y", 4, 1, ";"),
        (TSLA_Y, "yahoo", 2995, "%Y-%m-%d", 4, 1, ","),
        (SPY, "yahoo", 3109, "%Y-%m-%d", 4, 1, ","),
        (AAPL, "yahoo", 10915, "%Y-%m-%d", 4, 1, ","),
        (GSPC, "yahoo", 24114, "%Y-%m-%d", 4, 1, ","),
        (HSI, "yahoo", 9280, "%Y-%m-%d", 4, 1, ","),
        (IXIC, "yahoo", 12566, "%m/%d/%Y", 4, 1, ","),
        (SPX, "yfinance", 24656, "%Y-%m-%d", 2, 3, ","),
        ("prices_daily_long_history_yahoo/NDX.csv.gz", "yfinance", 10181, "%Y-%m-%d", 2, 3, ","),
        ("prices_daily_long_history_yahoo/QQQ.csv.gz", "yfinance", 6675, "%Y-%m-%d", 2, 3, ","),
        (XIAOMI_1, "yahoo", 559, "%Y-%m-%d", 4, 1, ","),
        ("prices_daily_yfinance_2021_2026/1810.HK.csv", "yahoo", 1285, "%Y-%m-%d", 1, 1, ","),
        ("prices_daily_yfinance_2021_2026/BTC-USD.csv", "yahoo", 1911, "%Y-%m-%d", 1, 1, ","),
        ("prices_daily_2010_2022_tsla_spy_doge/DOGE-USD.csv", "yahoo", 1658, "%Y-%m-%d", 4, 1, ","),
        ("crypto_binance_ohlcv_doge_btc/BTCUSDT_1d.csv", "binance", 3065, "%Y-%m-%d", 4, 1, ","),
    ],
)
def test_daily_file_matches_an_independent_read(
    shared_data: Path,
    read,
    name: str,
    fmt: str,
    n: int,
    date_fmt: str,
    close_col: int,
    skip: int,
    delimiter: str,
) -> None:
    result = read(name)
    records = rows_of(shared_data / name, delimiter, skip)
    assert len(records) == n and len(result.frame) == n
    assert result.format == fmt and result.freq == "1d"
    assert str(result.frame["ts"].dtype) == "datetime64[us, UTC]"
    days = [day(r[0][:10], date_fmt) for r in records]
    closes = np.array([float(r[close_col].replace(",", ".")) for r in records])
    got = by_day(result)
    assert list(got.index) == sorted(days)
    np.testing.assert_allclose(got.loc[days, "close"].to_numpy(), closes, rtol=1e-12, atol=0)
    assert (result.frame["ts"].dt.hour == 0).all()


def test_tsla_on_both_split_bases(read) -> None:
    eu, yahoo = by_day(read(TSLA_EU)), by_day(read(TSLA_Y))
    common = eu.index.intersection(yahoo.index)
    assert len(common) == 2994  # PROVENANCE: 2,994 common days
    ratio = yahoo.loc[common, "close"] / eu.loc[common, "close"]
    np.testing.assert_allclose(ratio, 3.0, rtol=1e-6)  # 5:1-only basis vs 5:1 and 3:1
    # PROVENANCE spot values: "funding secured" day and the Twitter-deal day
    assert yahoo.loc["2018-08-07", "close"] == pytest.approx(75.914, abs=5e-4)
    assert eu.loc["2018-08-07", "close"] == pytest.approx(25.30, abs=5e-3)
    assert eu.loc["2022-04-25", "close"] == pytest.approx(332.67, abs=5e-3)
    # both files are adjusted for the 2020-08-31 5:1 split: no split suspected
    assert not any("split" in note for note in read(TSLA_EU).notes + read(TSLA_Y).notes)


def test_simple_returns_on_known_days(shared_data: Path, read) -> None:
    records = {day(r[0], "%d/%m/%Y"): r for r in rows_of(shared_data / TSLA_EU, ";")}
    close = {d: float(r[4].replace(",", ".")) for d, r in records.items()}
    got = by_day(read(TSLA_EU))["close"]
    # 2020-08-31, first session on the split-adjusted basis after the 5:1 split
    expected = close["2020-08-31"] / close["2020-08-28"] - 1
    assert got.pct_change().loc["2020-08-31"] == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(0.1257, abs=5e-4)
    # Xiaomi after the SU7 launch (PROVENANCE: 14.94 -> 16.28 across the Easter closure)
    xiaomi = by_day(read(XIAOMI_2))["close"]
    assert xiaomi.loc["2024-03-28"] == pytest.approx(14.94, abs=5e-6)
    assert xiaomi.pct_change().loc["2024-04-02"] == pytest.approx(16.28 / 14.94 - 1, abs=1e-6)


def test_aapl_spot_values_from_provenance(read) -> None:
    aapl = by_day(read(AAPL))
    assert aapl.loc["2011-08-24", "close"] == pytest.approx(13.435, abs=5e-4)
    assert aapl.loc["2011-08-24", "adj_close"] == pytest.approx(11.374, abs=5e-4)
    assert aapl.loc["2007-01-09", "close"] == pytest.approx(3.306, abs=5e-4)


def test_gspc_zero_opens_are_missing_not_refused(shared_data: Path, read) -> None:
    result = read(GSPC)
    zero_open = sum(1 for r in rows_of(shared_data / GSPC) if float(r[1]) == 0)
    assert zero_open == 5075
    assert int(result.frame["open"].isna().sum()) == zero_open
    assert any(note.startswith("5075 rows have Open 0") for note in result.notes)
    assert by_day(result).loc["2011-08-24", "close"] == pytest.approx(1177.60, abs=5e-3)


def test_xiaomi_offsets_keep_hong_kong_dates(shared_data: Path, read) -> None:
    result = read(XIAOMI_2)
    assert result.frame["ts"].iloc[0] == pd.Timestamp("2020-01-02", tz="UTC")
    assert "+08:00" in result.time_zone
    first, second = by_day(read(XIAOMI_1)), by_day(result)
    common = first.index.intersection(second.index)
    assert len(common) == 192  # PROVENANCE: 192 overlapping days agree within 5e-8
    np.testing.assert_allclose(first.loc[common, "close"], second.loc[common, "close"], rtol=5e-8)


def test_hsi_partial_last_row_is_flagged(read) -> None:
    notes = read(HSI).notes
    assert any("2024-08-05" in n and "partial bar" in n for n in notes)


def test_ixic_dates_are_month_first(read) -> None:
    result = read(IXIC)
    assert result.frame["ts"].iloc[0] == pd.Timestamp("1971-02-05", tz="UTC")
    assert any("month-first" in n for n in result.notes)


def test_yfinance_three_line_header_values(shared_data: Path, read) -> None:
    result = read(SPX)
    records = rows_of(shared_data / SPX, skip=3)
    last = records[-1]  # Price,Adj Close,Close,High,Low,Open,Volume
    row = result.frame.iloc[-1]
    assert [
        row["adj_close"],
        row["close"],
        row["high"],
        row["low"],
        row["open"],
        row["volume"],
    ] == [float(v) for v in last[1:]]


def test_crypto_daily_files_are_24_7_without_split_alarms(read) -> None:
    doge = read("prices_daily_2010_2022_tsla_spy_doge/DOGE-USD.csv")
    assert doge.calendar_hint == "24/7"
    assert not any(
        "split" in n for n in doge.notes
    )  # DOGE doubled on 2021-04-16; coins do not split
    assert read("crypto_binance_ohlcv_doge_btc/BTCUSDT_1d.csv").calendar_hint == "24/7"
    assert read(SPY).calendar_hint is None


# ------------------------------------------------------------------------------------------
# Intraday


def test_doge_hourly_missing_hours(shared_data: Path, read) -> None:
    result = read(DOGE_1H)
    stamps = pd.to_datetime([r[0] for r in rows_of(shared_data / DOGE_1H)], utc=True)
    assert len(result.frame) == len(stamps) == 57005
    assert result.format == "binance" and result.freq == "1h" and result.calendar_hint == "24/7"
    grid = pd.date_range(stamps.min(), stamps.max(), freq="h")
    absent = grid.difference(stamps)
    assert len(absent) == 44  # PROVENANCE: 44 missing DOGE hours
    count, gaps = missing_bars(result.frame["ts"], "1h")
    assert count == 44 and int(gaps["bars"].sum()) == 44
    assert set(pd.DatetimeIndex(gaps["start"])) <= set(absent)
    longest = gaps.loc[gaps["bars"].idxmax()]
    assert longest["start"].date() == date(2019, 8, 15)  # PROVENANCE: longest gap on 2019-08-15
    assert any(n.startswith("44 missing hours") for n in result.notes)
    np.testing.assert_array_equal(result.frame["ts"].to_numpy(), stamps.sort_values().to_numpy())


def test_doge_minute_bars_generic(read) -> None:
    result = read("doge_snl_night_minute_2021/dogecoin.csv")
    assert result.format == "generic" and result.freq == "1m" and len(result.frame) == 353
    assert result.frame["ts"].iloc[0] == pd.Timestamp("2021-05-09 00:17", tz="UTC")


def test_four_hour_bars_are_refused(shared_data: Path) -> None:
    with pytest.raises(BadInputError, match="4 h apart"):
        read_prices(shared_data / "crypto_binance_ohlcv_doge_btc/DOGEUSDT_4h.csv.gz")


def test_cryptodatadownload_duplicated_hours(shared_data: Path, read) -> None:
    result = read(CDD_1)
    records = rows_of(shared_data / CDD_1)
    assert len(records) == 36062
    unix = np.array([float(r[0]) for r in records])
    seconds = np.where(unix > 1e11, unix / 1000, unix).astype(np.int64)
    assert len(np.unique(seconds)) == 33413 == len(result.frame)
    assert result.format == "cryptodatadownload" and result.freq == "1h"
    assert any(n.startswith("2649 times (unix) appear twice") for n in result.notes)
    # the kept row of a repeated hour is the millisecond one
    ms_close = {int(u // 1000): float(r[6]) for u, r in zip(unix, records, strict=True) if u > 1e11}
    repeated = [s for s, k in zip(*np.unique(seconds, return_counts=True), strict=True) if k == 2]
    got = result.frame.set_index(result.frame["ts"].astype("int64") // 10**6)["close"]
    np.testing.assert_array_equal(got.loc[repeated].to_numpy(), [ms_close[s] for s in repeated])
    # PROVENANCE: 2021-01-01 00:00 open 28,923.63; 16 missing hours overall
    assert got.index.is_monotonic_increasing
    assert result.frame.set_index("ts").loc["2021-01-01 00:00+00:00", "open"] == 28923.63
    assert any(n.startswith("16 missing hours") for n in result.notes)


def test_cryptodatadownload_without_unix_column(shared_data: Path, read) -> None:
    result = read(CDD_2)
    records = rows_of(shared_data / CDD_2)
    assert len(records) == len(result.frame) == 8039
    newest = records[0]
    assert result.frame["ts"].iloc[-1] == pd.Timestamp(newest[0], tz="UTC")
    assert result.frame["close"].iloc[-1] == float(newest[5])
    assert any(n.startswith("18 missing hours") for n in result.notes)  # PROVENANCE: 18
