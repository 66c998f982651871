"""Attention reader on each Google Trends variant in the shared data.

Witness: each raw file read here with ``csv`` (and the facts its PROVENANCE.md states: row
counts, the 2021-05-09 dogecoin peak, the four repeated Tesla weeks).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from leaderlens.errors import BadInputError
from leaderlens.readers.attention import read_attention


def rows(path: Path, delimiter: str = ",", skip: int = 0) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        for _ in range(skip):
            next(handle)
        return list(csv.DictReader(handle, delimiter=delimiter))


def day(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def test_iphone_ipod_raw_export(shared_data: Path) -> None:
    path = shared_data / "google_trends_iphone_ipod_monthly_2004_2024/multiTimeline_iphone_ipod.csv"
    raw = rows(path, skip=2)  # banner line and blank line, as PROVENANCE.md says
    assert len(raw) == 251
    with pytest.raises(BadInputError) as excinfo:
        read_attention(path)
    assert excinfo.value.field == "column" and excinfo.value.line == 3
    assert "'Iphone: (Worldwide)'" in str(excinfo.value) and "'iPod: (Worldwide)'" in str(
        excinfo.value
    )
    for term, column in (("iPod", "iPod: (Worldwide)"), ("Iphone", "Iphone: (Worldwide)")):
        read = read_attention(path, column=term)
        assert read.format == "google-trends" and read.freq == "1mo" and len(read.frame) == 251
        want = [0.5 if r[column] == "<1" else float(r[column]) for r in raw]
        assert read.frame["value"].tolist() == want
        assert read.frame["ts"].tolist() == [day(r["Month"] + "-01") for r in raw]
        n_small = sum(r[column] == "<1" for r in raw)
        assert any(n.startswith(f"{n_small:,} values '<1'") for n in read.notes)


def test_tesla_weekly_repeated_weeks(shared_data: Path) -> None:
    path = shared_data / "google_trends_tesla_weekly_2014_2024/tesla_google_trends_weekly.csv"
    raw = rows(path)
    assert len(raw) == 576
    seen: dict[str, str] = {}
    repeats = []  # (line, date) of each later row of a repeated date; header is line 1
    for i, r in enumerate(raw):
        if r["date"] in seen:
            repeats.append((i + 2, r["date"], r["Tesla"] == seen[r["date"]]))
        seen.setdefault(r["date"], r["Tesla"])
    assert len(repeats) == 4 and not any(same for *_, same in repeats)  # all four conflict
    for fmt in (None, "google-trends"):
        with pytest.raises(BadInputError) as excinfo:
            read_attention(path, format=fmt)
        err = excinfo.value
        assert (err.line, err.field) == (repeats[0][0], "ts")
        assert "week repeated with different values" in err.message
    read = read_attention(path, on_bad_rows="skip")
    assert [r.line for r in read.rejects] == [line for line, *_ in repeats]
    assert len(read.frame) == 572 and read.freq == "1w"
    by_date = dict(zip(read.frame["ts"], read.frame["value"], strict=True))
    for date, value in seen.items():  # the first of each repeated week is kept
        assert by_date[day(date)] == float(value)
    assert any("Sunday" in n for n in read.notes)


def test_dogecoin_daily_rescaled_column(shared_data: Path) -> None:
    path = shared_data / "google_trends_dogecoin_daily_2017_2022/doge_google_trend.csv"
    raw = rows(path)
    assert len(raw) == 1557
    read = read_attention(path)
    assert read.format == "google-trends" and read.freq == "1d"
    with_value = [r for r in raw if r["dogecoin"].strip()]
    assert len(read.frame) == len(with_value) == 1553  # first 4 days lack the scaled value
    values = dict(zip(read.frame["ts"], read.frame["value"], strict=True))
    assert values[day("2021-05-09")] == 100.0 == read.frame["value"].max()  # SNL
    assert values[day("2021-02-04")] == 36.98 and values[day("2021-02-03")] == 10.75
    assert read.frame["value"].tolist() == [float(r["dogecoin"]) for r in with_value]
    assert any("'dogecoin'" in n and "rescaled" in n for n in read.notes)
    assert any("4 rows without a value" in n for n in read.notes)
    unscaled = read_attention(path, column="dogecoin_unscaled")
    assert len(unscaled.frame) == 1557
    assert unscaled.frame["value"].tolist() == [float(r["dogecoin_unscaled"]) for r in raw]


def test_tesla_monthly(shared_data: Path) -> None:
    path = (
        shared_data
        / "google_trends_tesla_monthly_2010_2020/TESLA_search_trend_vs_price_monthly.csv"
    )
    raw = rows(path)
    with pytest.raises(BadInputError) as excinfo:
        read_attention(path)
    assert excinfo.value.field == "column" and "'TSLA_WEB_SEARCH'" in str(excinfo.value)
    read = read_attention(path, column="TSLA_WEB_SEARCH", format="google-trends")
    assert len(read.frame) == len(raw) == 124 and read.freq == "1mo"
    assert read.frame["value"].tolist() == [float(r["TSLA_WEB_SEARCH"]) for r in raw]
    assert read.frame["ts"].iloc[0] == day("2010-06-01")


def test_btc_daily_tab_separated_with_index(shared_data: Path) -> None:
    path = shared_data / "btc_attention_sentiment_2021/google_trends_daily.csv"
    raw = rows(path, delimiter="\t")
    read = read_attention(path)
    assert read.format == "google-trends" and read.freq == "1d"
    assert len(read.frame) == len(raw) == 243
    assert read.frame["value"].tolist() == [float(r["bitcoin"]) for r in raw]
    assert read.frame["ts"].iloc[0] == day("2021-01-01")
    assert read.frame["ts"].iloc[-1] == day("2021-08-31")
    keywords = shared_data / "btc_attention_sentiment_2021/google_trends_daily_keywords.csv"
    with pytest.raises(BadInputError) as excinfo:
        read_attention(keywords)
    assert excinfo.value.field == "column" and "'buy btc'" in str(excinfo.value)
    btc = read_attention(keywords, column="btc usd", format="google-trends")
    assert btc.frame["value"].tolist() == [float(r["btc usd"]) for r in rows(keywords, "\t")]
