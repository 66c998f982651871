"""The fast paths (Arrow's CSV parser for text tables, Arrow time and number casts, Arrow
regex) give exactly what the careful paths give, and leave every file they cannot settle to
them."""

from __future__ import annotations

import codecs
import gzip
import re
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from leaderlens.errors import BadInputError
from leaderlens.readers import base, price_times, tables
from leaderlens.readers import statements as statements_reader
from leaderlens.readers.prices import read_prices
from leaderlens.readers.statements import read_statements

PLAIN = (
    "timestamp,open,high,low,close,volume\n"
    "2021-03-01T00:00:00+00:00,10.1,10.5,9.9,10.25,1200\n"
    "2021-03-01T01:00:00+00:00,10.25,10.75,10.0,10.5,\n"
    "2021-03-01T02:00:00+00:00,null,10.9,10.2,10.7,900\n"
    "2021-03-01T03:00:00+00:00,10.7,11.0,10.6,0.1e2,1e3\n"
)


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def slow(monkeypatch: pytest.MonkeyPatch) -> None:
    """Switch every fast path off: what remains is the careful path."""
    monkeypatch.setattr(statements_reader, "arrow_instants", lambda *a, **k: None)
    monkeypatch.setattr(price_times, "_arrow_one_offset", lambda *a, **k: None)
    monkeypatch.setattr(base, "_arrow_numbers", lambda *a, **k: None)
    monkeypatch.setattr(tables, "_arrow_text_frame", lambda *a, **k: None)


def same_result(read: object, path: Path, monkeypatch: pytest.MonkeyPatch, **kw: object) -> None:
    fast = read(path, **kw)  # type: ignore[operator]
    with monkeypatch.context() as m:
        slow(m)
        careful = read(path, **kw)  # type: ignore[operator]
    pd.testing.assert_frame_equal(fast.frame, careful.frame, check_exact=True)
    assert (fast.notes, fast.time_zone, fast.freq) == (
        careful.notes,
        careful.time_zone,
        careful.freq,
    )
    assert fast.rejects == careful.rejects


@pytest.mark.parametrize(
    "text",
    [
        PLAIN,
        PLAIN.replace("+00:00", "+05:30"),
        PLAIN.replace("+00:00", "Z"),
        PLAIN.replace("+00:00", ""),  # naive: needs tz
        PLAIN.replace(",1200\n", ",1200\n\n"),  # a blank line
        PLAIN.replace("volume", "Volume").replace("timestamp", "Date"),  # generic layout
        "Date,Open,High,Low,Close,Adj Close,Volume\n"
        "2021-03-01,10,11,9,10.5,10.4,100\n2021-03-02,10.5,11,10,10.75,10.7,NA\n"
        "2021-03-03,10.75,12,10.5,11.5,11.4,300\n",  # yahoo daily
    ],
)
def test_price_files_read_the_same_fast_and_careful(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    path = write(tmp_path / "p.csv", text)
    same_result(read_prices, path, monkeypatch, tz="UTC")


def test_fast_price_values_equal_the_text(tmp_path: Path) -> None:
    read = read_prices(write(tmp_path / "p.csv", PLAIN.replace("+00:00", "+05:30")))
    rows = [line.split(",") for line in PLAIN.splitlines()[1:]]
    expected_ts = [
        datetime.fromisoformat(r[0].replace("+00:00", "+05:30")).astimezone(UTC) for r in rows
    ]
    assert list(read.frame["ts"]) == [pd.Timestamp(t) for t in expected_ts]
    # Witness: Python's own float(); "null" and blanks are missing values.
    close = [float(r[4]) for r in rows]
    np.testing.assert_array_equal(read.frame["close"].to_numpy(), close)
    assert np.isnan(read.frame["open"].iloc[2]) and np.isnan(read.frame["volume"].iloc[1])
    assert "+05:30" in read.time_zone or "offset" in read.time_zone


def test_mixed_offsets_fall_back_and_convert_each_row(tmp_path: Path) -> None:
    text = (
        "timestamp,close\n2021-03-27T23:00:00+01:00,1\n2021-03-28T00:00:00+01:00,2\n"
        "2021-03-28T01:00:00+01:00,3\n2021-03-28T03:00:00+02:00,4\n"
    )
    read = read_prices(write(tmp_path / "p.csv", text))
    expected = [
        pd.Timestamp(datetime.fromisoformat(line.split(",")[0]).astimezone(UTC))
        for line in text.splitlines()[1:]
    ]
    assert list(read.frame["ts"]) == expected


def test_daily_dates_with_an_offset_keep_the_local_date(tmp_path: Path) -> None:
    text = "Date,Close\n" + "".join(f"2021-03-0{d}T00:00:00-05:00,{d}\n" for d in range(1, 6))
    read = read_prices(write(tmp_path / "p.csv", text))
    assert read.freq == "1d"
    assert [t.day for t in read.frame["ts"]] == [1, 2, 3, 4, 5]
    assert "-05:00" in read.time_zone


@pytest.mark.parametrize(
    ("text", "line", "field"),
    [
        (PLAIN + "2021-03-01T04:00:00+00:00,10.7,11.0,10.6\n", 6, "close"),  # short row
        (PLAIN + "2021-03-01T04:00:00+00:00,1,2,3,4,5,6\n", 6, "volume"),  # long row
        (PLAIN.replace("1200\n", "1200\n\n") + "2021-03-01T04:00:00+00:00,1,2,1,-4,5\n", 7,
         "close"),  # a bad value after a blank line: true line numbers
        (PLAIN + "2021-03-01T04:00:00+00:00,1,2,1,abc,5\n", 6, "close"),
        (PLAIN + "2021-13-01T04:00:00+00:00,1,2,1,3,5\n", 6, "timestamp"),
    ],
)  # fmt: skip
def test_a_bad_row_names_its_true_line(tmp_path: Path, text: str, line: int, field: str) -> None:
    with pytest.raises(BadInputError) as info:
        read_prices(write(tmp_path / "p.csv", text))
    assert (info.value.line, info.value.field) == (line, field)


def test_gzip_and_byte_order_mark_files_read_like_plain_ones(tmp_path: Path) -> None:
    plain = read_prices(write(tmp_path / "p.csv", PLAIN))
    zipped = tmp_path / "z.csv"
    zipped.write_bytes(gzip.compress(PLAIN.encode()))
    marked = tmp_path / "b.csv"
    marked.write_bytes(codecs.BOM_UTF8 + PLAIN.encode())
    for other in (read_prices(zipped), read_prices(marked)):
        pd.testing.assert_frame_equal(other.frame, plain.frame, check_exact=True)


def test_a_file_that_is_not_utf8_is_refused_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(PLAIN.encode() + b"2021-03-01T04:00:00+00:00,1,2,1,3,\xff\n")
    with pytest.raises(BadInputError) as info:
        read_prices(path)
    assert info.value.line == 6


@pytest.mark.parametrize(
    "value",
    [
        "2021-01-01T00:00:00Z", "2021-01-01T00:00:00+05:30", "2021-01-01T00:00:00-0800",
        "2021-01-01 00:00 UTC", "2021-01-01 00:00 GMT  ", "2021-01-01T00:00:00+01:00\n",
        "2021-01-01T00:00:00", "2021-01-01", "", "Z", "+0100", "abc", "2021-01-01T00:00:00+1",
    ],
)  # fmt: skip
def test_offsets_are_found_as_python_finds_them(value: str) -> None:
    pattern = re.compile(r"(?:[zZ]|[+-]\d{2}:?\d{2}|UTC|GMT)\s*$")
    values = pd.Series([value, None], dtype="string")
    assert base.has_offset(values).tolist() == [pattern.search(value) is not None, False]


@pytest.mark.parametrize(
    "values",
    [["1", "2.5", "1e3", "-0", "123456789012345678"], ["1", " 2"], ["1", ""], ["1", "null"],
     ["1", "x"], ["0.1", "1,5"]],
)  # fmt: skip
def test_text_numbers_parse_the_same_fast_and_careful(
    values: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    column = pd.Series(values, dtype="str")
    fast, fast_bad = base.numbers(column)
    with monkeypatch.context() as m:
        m.setattr(base, "_arrow_numbers", lambda *a, **k: None)
        careful, careful_bad = base.numbers(column)
    np.testing.assert_array_equal(fast, careful)
    np.testing.assert_array_equal(fast_bad, careful_bad)
    for v, parsed, bad in zip(values, fast, fast_bad, strict=True):
        try:  # witness: Python's float() of the stripped text
            assert parsed == float(v.strip()) and not bad
        except ValueError:
            assert np.isnan(parsed)


STATEMENTS = (
    "id,time,text,likes,reposts\n"
    '1,2021-05-01T10:00:00Z,"hello, world",5,0\n'
    '2,2021-05-01T11:00:00+02:00,"two\nlines",,3\n'
    "3,2021-05-02T00:00:00Z,NA,7,1\n"
    '4,2021-05-03T00:00:00Z,"""quoted""",8,2\n'
)


@pytest.mark.parametrize(
    "text",
    [
        STATEMENTS,
        STATEMENTS.replace("id,time", "id,id"),  # repeated names: left to pandas
        STATEMENTS + "5,2021-05-04T00:00:00Z,short\n",  # a short row: left to pandas
        STATEMENTS.replace(",", "\t"),
    ],
)
def test_statement_files_read_the_same_fast_and_careful(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    path = write(tmp_path / "s.csv", text)
    try:
        fast = read_statements(path, on_bad_rows="skip")
    except BadInputError as exc:
        with monkeypatch.context() as m, pytest.raises(BadInputError) as careful:
            slow(m)
            read_statements(path, on_bad_rows="skip")
        assert (str(exc), exc.line) == (str(careful.value), careful.value.line)
        return
    with monkeypatch.context() as m:
        slow(m)
        careful = read_statements(path, on_bad_rows="skip")
    pd.testing.assert_frame_equal(fast.frame, careful.frame, check_exact=True)
    assert (fast.notes, fast.rejects) == (careful.notes, careful.rejects)


def test_statement_text_is_kept_exactly(tmp_path: Path) -> None:
    read = read_statements(write(tmp_path / "s.csv", STATEMENTS))
    # Witness: the csv module's reading of the same text.
    import csv
    import io

    records = list(csv.DictReader(io.StringIO(STATEMENTS)))
    by_id = dict(zip(read.frame["statement_id"], read.frame["text"], strict=True))
    assert by_id == {r["id"]: r["text"] for r in records}
    assert read.frame.set_index("statement_id")["likes"].isna().to_dict()["2"]


def test_plain_files_do_take_the_fast_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """So that the comparisons above compare two different paths."""
    taken: list[str] = []

    def spy(module: object, name: str) -> None:
        real = getattr(module, name)

        def wrapper(*args: object, **kwargs: object) -> object:
            out = real(*args, **kwargs)
            if out is not None:
                taken.append(name)
            return out

        monkeypatch.setattr(module, name, wrapper)

    for module, name in [
        (statements_reader, "arrow_instants"),
        (price_times, "_arrow_one_offset"),
        (base, "_arrow_numbers"),
        (tables, "_arrow_text_frame"),
    ]:
        spy(module, name)
    read_prices(write(tmp_path / "p.csv", PLAIN))
    assert taken == ["_arrow_one_offset"]
    taken.clear()
    read_statements(write(tmp_path / "s.csv", STATEMENTS.replace(",,3", ",0,3")))
    assert taken[0] == "_arrow_text_frame" and "_arrow_numbers" in taken
    assert "arrow_instants" in taken


@pytest.mark.parametrize(
    "times",
    [
        ["2021-05-01T10:00:00Z", "2021-05-01T11:00:00+02:00", "2021-05-01 12:00:00-0530"],
        ["2021-05-01T10:00:00.123456+01:00", "2021-05-01T10:00Z", "2021-05-01T10:00:00Z"],
        ["2021-05-01T10:00:00+01", "2021-05-01T11:00:00Z", "2021-05-01T12:00:00Z"],  # +HH
        [" 2021-05-01T10:00:00Z", "2021-05-01T11:00:00Z", "2021-05-01T12:00:00Z"],  # padded
        ["2021-05-01T10:00:00", "2021-05-01T11:00:00Z", "2021-05-01T12:00:00Z"],  # one naive
        ["2021-05-01T10:00:00 UTC", "2021-05-01T11:00:00Z", "2021-05-01T12:00:00Z"],
        ["2021-02-30T10:00:00Z", "2021-05-01T11:00:00Z", "2021-05-01T12:00:00Z"],  # no such day
        ["1620000000", "1620003600", "1620007200"],  # epochs
    ],
)
def test_statement_times_read_the_same_fast_and_careful(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, times: list[str]
) -> None:
    rows = "".join(f"{i},{t},text {i}\n" for i, t in enumerate(times))
    path = write(tmp_path / "s.csv", "id,time,text\n" + rows)
    fast = read_statements(path, on_bad_rows="skip")
    with monkeypatch.context() as m:
        slow(m)
        careful = read_statements(path, on_bad_rows="skip")
    pd.testing.assert_frame_equal(fast.frame, careful.frame, check_exact=True)
    assert (fast.notes, fast.rejects, fast.time_zone) == (
        careful.notes,
        careful.rejects,
        careful.time_zone,
    )


def test_fast_statement_times_equal_python_s_reading() -> None:
    values = ["2021-05-01T10:00:00Z", "2021-05-01T11:00:00+02:00", "2021-05-01 12:00:00.5-0530"]
    fast = base.arrow_instants(pd.Series(values, dtype="str"))
    assert fast is not None
    # Witness: datetime.fromisoformat (Python 3.11 reads these layouts) converted to UTC.
    expected = [pd.Timestamp(datetime.fromisoformat(v).astimezone(UTC)) for v in values]
    assert list(fast) == expected
    assert base.arrow_instants(pd.Series(["2021-05-01T10:00:00", "x"], dtype="str")) is None
