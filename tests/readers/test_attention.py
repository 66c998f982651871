"""Attention reader: Google Trends exports and pytrends tables, generic series, bad input.

Fixtures are written here in the layout of a trends.google.com ``multiTimeline.csv`` export;
expected values are read off them by hand or with ``csv``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from leaderlens.errors import BadInputError
from leaderlens.readers.attention import ATTENTION_FORMATS, read_attention

EXPORT = (
    "Category: All categories\n"
    "\n"
    "Week,Xiaomi: (Worldwide)\n"
    "2024-03-10,41\n"
    "2024-03-17,44\n"
    "2024-03-24,100\n"
    "2024-03-31,<1\n"
)
TWO_TERMS = (
    "Category: All categories\n"
    "\n"
    "Month,Iphone: (Worldwide),iPod: (Worldwide)\n"
    "2007-01,20,<1\n"
    "2007-02,9,30\n"
)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def day(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def test_raw_export(tmp_path: Path) -> None:
    read = read_attention(write(tmp_path / "multiTimeline.csv", EXPORT))
    assert ATTENTION_FORMATS == ("google-trends", "generic")
    assert read.kind == "attention" and read.format == "google-trends" and read.freq == "1w"
    assert read.frame["ts"].tolist() == [
        day(d) for d in ("2024-03-10", "2024-03-17", "2024-03-24", "2024-03-31")
    ]
    assert read.frame["value"].tolist() == [41.0, 44.0, 100.0, 0.5]
    assert str(read.frame["value"].dtype) == "float64"
    assert "requester's time zone" in read.time_zone
    assert any("'<1'" in n and "0.5" in n for n in read.notes)
    assert any("Category: All categories" in n for n in read.notes)
    assert any("Sunday" in n for n in read.notes)
    # lines count the banner and the blank line: the first point is on line 4
    assert [read.lines.line(p) for p in read.frame.index] == [4, 5, 6, 7]  # type: ignore[union-attr]


def test_two_terms_need_column(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", TWO_TERMS)
    with pytest.raises(BadInputError) as excinfo:
        read_attention(path)
    err = excinfo.value
    assert (err.field, err.line) == ("column", 3)
    assert "'Iphone: (Worldwide)'" in err.message and "'iPod: (Worldwide)'" in err.message
    ipod = read_attention(path, column="ipod")  # the term, any case
    assert ipod.frame["value"].tolist() == [0.5, 30.0] and ipod.freq == "1mo"
    assert read_attention(path, column="Iphone: (Worldwide)").frame["value"].tolist() == [20.0, 9.0]
    with pytest.raises(BadInputError) as excinfo:
        read_attention(path, column="iPad")
    assert excinfo.value.field == "column" and "'iPod: (Worldwide)'" in str(excinfo.value)


def test_pytrends_table_and_frame(tmp_path: Path) -> None:
    text = "date,tesla,isPartial\n2021-01-01,50,False\n2021-01-02,60,False\n2021-01-03,55,True\n"
    read = read_attention(write(tmp_path / "p.csv", text))
    assert read.format == "google-trends" and read.freq == "1d"
    assert read.frame["value"].tolist() == [50.0, 60.0, 55.0]
    assert any("isPartial" in n for n in read.notes)
    # pytrends.interest_over_time() returns this frame: a DatetimeIndex named 'date'
    frame = pd.DataFrame(
        {"tesla": [50, 60, 55], "isPartial": [False, False, True]},
        index=pd.DatetimeIndex(["2021-01-01", "2021-01-02", "2021-01-03"], name="date"),
    )
    before = frame.copy(deep=True)
    from_frame = read_attention(frame)
    pd.testing.assert_frame_equal(
        from_frame.frame.reset_index(drop=True), read.frame.reset_index(drop=True)
    )
    pd.testing.assert_frame_equal(frame, before)


def test_generic_hourly_instants(tmp_path: Path) -> None:
    text = (
        "time,mentions\n"
        "2021-05-09T00:00:00-04:00,10\n"
        "2021-05-09T01:00:00-04:00,25\n"
        "2021-05-09T02:00:00-04:00,7\n"
    )
    read = read_attention(write(tmp_path / "h.csv", text))
    assert read.format == "generic" and read.freq == "1h"
    assert read.frame["ts"].tolist() == [
        day("2021-05-09 04:00"),
        day("2021-05-09 05:00"),
        day("2021-05-09 06:00"),
    ]
    naive = write(tmp_path / "n.csv", "time,mentions\n2021-05-09 00:00,10\n2021-05-09 01:00,25\n")
    with pytest.raises(BadInputError) as excinfo:
        read_attention(naive)
    assert (excinfo.value.line, excinfo.value.field) == (2, "ts")
    assert read_attention(naive, tz="America/New_York").frame["ts"].iloc[0] == day(
        "2021-05-09 04:00"
    )


def test_generic_value_column_choice(tmp_path: Path) -> None:
    path = write(tmp_path / "g.csv", "MONTH,SEARCH,CLOSE\n2010-06-01,3,4.7\n2010-07-01,3,3.9\n")
    with pytest.raises(BadInputError) as excinfo:
        read_attention(path)
    assert excinfo.value.field == "column" and "'SEARCH', 'CLOSE'" in str(excinfo.value)
    read = read_attention(path, column="search")
    assert read.frame["value"].tolist() == [3.0, 3.0] and read.freq == "1mo"
    assert read.time_zone.startswith("dates are bucket labels")


@pytest.mark.parametrize(
    ("row", "field", "words"),
    [
        ("2024-04-07,-5", "value", "negative value"),
        ("2024-04-07,lots", "value", "unparseable value 'lots'"),
        ("2024-04-3x,5", "ts", "unparseable"),
        ("2024-03-24,99", "ts", "week repeated with different values"),
    ],
)
def test_bad_rows(tmp_path: Path, row: str, field: str, words: str) -> None:
    path = write(tmp_path / "b.csv", EXPORT + row + "\n")
    with pytest.raises(BadInputError) as excinfo:
        read_attention(path)
    err = excinfo.value
    assert (err.file, err.line, err.field) == (str(path), 8, field)
    assert f"{path}:8: field {field!r}" in str(err) and words in err.message
    read = read_attention(path, on_bad_rows="skip")
    assert [(r.line, r.field) for r in read.rejects] == [(8, field)]
    assert len(read.frame) == 4


def test_identical_repeat_dropped_and_empty_values_left_out(tmp_path: Path) -> None:
    read = read_attention(write(tmp_path / "r.csv", EXPORT + "2024-03-24,100\n"))
    assert len(read.frame) == 4 and any("identical" in n for n in read.notes)
    text = "date,v\n2021-01-01,\n2021-01-02,4\n2021-01-03,5\n"
    read = read_attention(write(tmp_path / "e.csv", text))
    assert read.frame["value"].tolist() == [4.0, 5.0] and not read.rejects
    assert any("1 rows without a value" in n or "1 row" in n for n in read.notes)


def test_no_time_column_and_odd_spacing(tmp_path: Path) -> None:
    with pytest.raises(BadInputError) as excinfo:
        read_attention(write(tmp_path / "x.csv", "a,b\nfoo,1\nbar,2\n"))
    assert excinfo.value.field == "ts"
    with pytest.raises(BadInputError, match="hours apart"):
        read_attention(
            write(tmp_path / "q.csv", "date,v\n2021-01-01,1\n2021-01-03,2\n2021-01-05,2\n")
        )
    with pytest.raises(BadInputError) as excinfo:
        read_attention(write(tmp_path / "o.csv", EXPORT), format="trends")
    assert excinfo.value.field == "format"


def test_hourly_export_in_utc_unless_tz_given(tmp_path: Path) -> None:
    text = (
        "Category: All categories\n"
        "\n"
        "Time,Tesla: (United States)\n"
        "2024-01-01T10,50\n"
        "2024-01-01T11,60\n"
    )
    path = write(tmp_path / "hourly.csv", text)
    read = read_attention(path)
    assert read.freq == "1h" and "requester's time zone" in read.time_zone
    assert read.frame["ts"].tolist() == [day("2024-01-01 10:00"), day("2024-01-01 11:00")]
    # 10:00 in New York (EST, UTC-5) is 15:00 UTC
    shifted = read_attention(path, tz="America/New_York")
    assert shifted.frame["ts"].tolist() == [day("2024-01-01 15:00"), day("2024-01-01 16:00")]


def test_polars_frame_generic(tmp_path: Path) -> None:
    polars = pytest.importorskip("polars")
    frame = polars.DataFrame({"day": ["2021-02-03", "2021-02-04"], "searches": [10.75, 36.98]})
    read = read_attention(frame)
    assert read.source == "<DataFrame>" and read.format == "generic" and read.freq == "1d"
    assert read.frame["value"].tolist() == [10.75, 36.98]
    assert read.frame["ts"].tolist() == [day("2021-02-03"), day("2021-02-04")]
