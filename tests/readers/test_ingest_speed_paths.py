"""The shortcuts taken for ingest speed give what the long ways give: ids in order need no
hash to be known unique, a CSV's own bytes are parsed without encoding the text again (and
without searching for newlines inside values when no value is quoted), typed counts are not
written out as text to be parsed back."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from leaderlens.readers import base, tables
from leaderlens.readers.price_quality import weekend_share
from leaderlens.readers.statements import read_statements

HEADER = "id,time,text,likes\n"


def rows(ids: list[int], texts: list[str] | None = None) -> str:
    texts = texts or [f"post {i}" for i in ids]
    return "".join(
        f"{i},2021-05-01T{k % 24:02d}:00:00Z,{t},{k}\n"
        for k, (i, t) in enumerate(zip(ids, texts, strict=True))
    )


@pytest.mark.parametrize(
    "ids",
    [
        [1, 2, 3, 10, 11],  # increasing as numbers, not as text ("10" < "2"): hashed
        [11, 12, 13, 14, 15],  # increasing as text
        [95, 94, 93, 92, 91],  # decreasing (newest first, as X archives list them)
        [13, 11, 15, 12, 14],  # no order
        [11, 12, 12, 13, 14],  # a repeated id
    ],
)
def test_ids_in_order_dedupe_as_the_hash_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ids: list[int]
) -> None:
    texts = [f"post {i}" for i in ids]
    path = tmp_path / "s.csv"
    path.write_text(HEADER + rows(ids, texts))
    fast = read_statements(path, on_bad_rows="skip")
    with monkeypatch.context() as m:
        m.setattr(base, "_strictly_ordered", lambda *a, **k: False)
        hashed = read_statements(path, on_bad_rows="skip")
    pd.testing.assert_frame_equal(fast.frame, hashed.frame, check_exact=True)
    assert (fast.notes, fast.rejects) == (hashed.notes, hashed.rejects)
    # Witness: the distinct ids of the file, each kept once.
    assert sorted(fast.frame["statement_id"]) == sorted(set(map(str, ids)))


def test_a_repeated_id_is_never_taken_for_order(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text(HEADER + rows([11, 12, 12, 13], ["a", "b", "other", "d"]))
    read = read_statements(path, on_bad_rows="skip")
    assert [(r.line, r.field) for r in read.rejects] == [(4, "statement_id")]
    assert list(read.frame["statement_id"]) == ["11", "12", "13"]


@pytest.mark.parametrize(
    "values",
    [
        pd.Series(["a", "b", "c"], dtype="string"),
        pd.Series(["c", "b", "a"], dtype="string"),
        pd.Series([1.0, 2.0, 3.0]),
        pd.Series(pd.date_range("2021-01-01", periods=3, freq="h", tz="UTC")),
    ],
)
def test_strict_order_means_no_repeats(values: pd.Series) -> None:
    assert base._strictly_ordered(values)
    assert not values.duplicated().any()  # witness: pandas' hash


@pytest.mark.parametrize(
    "values",
    [
        pd.Series(["a", "a", "b"], dtype="string"),
        pd.Series(["a", None, "b"], dtype="string"),
        pd.Series([1.0, np.nan, 3.0]),
        pd.Series([2, 1, 3]),
        pd.Series([0.0, -0.0]),  # equal numbers, and neither order is strict
    ],
)
def test_anything_else_is_left_to_the_hash(values: pd.Series) -> None:
    assert not base._strictly_ordered(values)


TEXTS = ["plain words", "café déjà vu", "a, quoted comma", 'say "hi"', "two\nlines", " pad "]


def csv_text(texts: list[str], newline: str = "\n") -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(["id", "time", "text"])
    for k, t in enumerate(texts):
        writer.writerow([100 + k, f"2021-05-01T{k:02d}:00:00Z", t])
    return out.getvalue()


@pytest.mark.parametrize(
    ("texts", "newline", "container"),
    [
        (TEXTS[:2], "\n", "plain"),  # no quote anywhere: Arrow reads without the quote search
        (TEXTS[:2], "\r\n", "plain"),
        (TEXTS, "\n", "plain"),  # quotes and a quoted newline
        (TEXTS, "\n", "gzip"),
        (TEXTS, "\n", "bom"),
        (TEXTS, "\n", "latin-1"),  # no UTF-8 bytes to hand Arrow: the text is encoded
    ],
)
def test_csv_fields_are_read_exactly_from_the_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, texts: list[str], newline: str, container: str
) -> None:
    text = csv_text(texts, newline)
    path = tmp_path / "s.csv"
    encoding = "latin-1" if container == "latin-1" else "utf-8"
    data = text.encode(encoding)
    if container == "gzip":
        data = gzip.compress(data)
    elif container == "bom":
        data = b"\xef\xbb\xbf" + data
    path.write_bytes(data)
    fast = read_statements(path, encoding=encoding)
    with monkeypatch.context() as m:
        m.setattr(tables, "_arrow_text_frame", lambda *a, **k: None)
        careful = read_statements(path, encoding=encoding)
    pd.testing.assert_frame_equal(fast.frame, careful.frame, check_exact=True)
    # Witness: the csv module's reading of the same text (texts are stored stripped of
    # nothing; ids are the file's).
    records = list(csv.DictReader(io.StringIO(text, newline="")))
    got = dict(zip(fast.frame["statement_id"], fast.frame["text"], strict=True))
    assert got == {r["id"]: r["text"] for r in records}


def test_a_bad_row_after_the_header_names_its_line_from_the_bytes(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("\n\n" + HEADER + rows([11, 12]) + "13,2021-05-01T03:00:00Z,x,-1\n")
    with pytest.raises(base.BadInputError) as info:
        read_statements(path)
    assert (info.value.line, info.value.field) == (6, "likes")


def test_typed_counts_read_as_their_text_reads(tmp_path: Path) -> None:
    likes = [5.0, np.nan, 2.5, -1.0, 7.0, float(2**40)]
    frame = pd.DataFrame(
        {
            "id": [str(100 + k) for k in range(len(likes))],
            "time": pd.date_range("2021-05-01", periods=len(likes), freq="h", tz="UTC"),
            "text": [f"t{k}" for k in range(len(likes))],
            "likes": likes,
            "reposts": np.arange(len(likes), dtype=np.int64),
        }
    )
    frame.to_parquet(tmp_path / "s.parquet")
    typed = read_statements(tmp_path / "s.parquet", on_bad_rows="skip")
    # Witness: the same values written as text (integral floats without ".0", missing blank).
    as_text = frame.assign(
        likes=["5", "", "2.5", "-1", "7", str(2**40)],
        time=frame["time"].dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    as_text.to_csv(tmp_path / "s.csv", index=False)
    text = read_statements(tmp_path / "s.csv", on_bad_rows="skip")
    pd.testing.assert_frame_equal(typed.frame, text.frame, check_exact=True)
    # Parquet rows are numbered from 1, CSV lines after the header line from 2.
    assert [(r.line, r.field, r.reason) for r in typed.rejects] == [
        (r.line - 1, r.field, r.reason) for r in text.rejects
    ]
    reasons = [r.reason for r in typed.rejects]
    assert reasons == ["likes is not a whole count", "negative likes count"]


def test_weekdays_from_integers_are_pandas_weekdays() -> None:
    times = pd.DatetimeIndex(
        ["1969-12-27 23:00", "1969-12-28 01:00", "1970-01-01", "2021-05-01 12:00",
         "2021-05-02", None, "2024-02-29 23:59:59.999999", "2024-03-02"],
        tz="UTC",
    ).as_unit("us")  # fmt: skip
    both, share = weekend_share(pd.Series(times))
    # Witness: pandas' own weekday of each time (NaN for the missing one).
    weekday = times.day_of_week.to_numpy()
    assert both == bool((weekday == 5).any() and (weekday == 6).any())
    assert share == pytest.approx(np.mean(weekday >= 5))
    assert share == pytest.approx(5 / 8)  # two Saturday-Sunday pairs and a Saturday
