"""Mention reader: engagement, stable ids, bad rows, and the real TSLA mention file.

Witnesses: hand-written fixtures, and for the real file the raw lines read here with ``gzip``,
``csv`` and ``datetime.fromisoformat`` (its PROVENANCE.md says the last line is truncated).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from leaderlens.errors import BadInputError
from leaderlens.readers.base import COLUMNS
from leaderlens.readers.mentions import read_mentions

CSV_TEXT = (
    "created_at,user,text,likes,retweets,replies,platform\n"
    "2021-05-09T03:30:00Z,alice,SNL tonight $DOGE,10,2,1,\n"
    '2021-05-09T03:31:00Z,bob,"the hustle, really",,,,Reddit\n'
    "2021-05-09T03:32:00Z,carol,doge to the moon,5,,,\n"
)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_engagement_is_the_sum_of_the_counts(tmp_path: Path) -> None:
    read = read_mentions(write(tmp_path / "m.csv", CSV_TEXT), platform="X")
    f = read.frame
    assert list(f.columns) == list(COLUMNS["mentions"]) and read.kind == "mentions"
    assert f["author"].tolist() == ["alice", "bob", "carol"]
    assert f["engagement"].tolist()[0] == 13.0 and f["engagement"].tolist()[2] == 5.0
    assert np.isnan(f["engagement"].tolist()[1])  # no count at all: unknown, not zero
    assert f["platform"].tolist() == ["x", "reddit", "x"]  # column first, then the argument
    assert f["text"].tolist()[1] == "the hustle, really"
    assert f["ts"].tolist()[0] == pd.Timestamp("2021-05-09 03:30", tz="UTC")
    assert any("likes" in n and "reposts" in n and "replies" in n for n in read.notes)


def test_engagement_column_wins_and_is_checked(tmp_path: Path) -> None:
    text = "ts,text,engagement,likes\n2021-01-01T00:00Z,a,7.5,1\n2021-01-01T01:00Z,b,-2,1\n"
    path = write(tmp_path / "e.csv", text)
    with pytest.raises(BadInputError) as excinfo:
        read_mentions(path)
    assert (excinfo.value.line, excinfo.value.field) == (3, "engagement")
    read = read_mentions(path, on_bad_rows="skip")
    assert read.frame["engagement"].tolist() == [7.5]


def test_ids_are_stable_hashes_and_repeats_collapse(tmp_path: Path) -> None:
    repeated = CSV_TEXT + CSV_TEXT.splitlines()[1] + "\n"
    path = write(tmp_path / "m.csv", repeated)
    a, b = read_mentions(path), read_mentions(path)
    assert a.frame["mention_id"].tolist() == b.frame["mention_id"].tolist()
    assert a.frame["mention_id"].is_unique and len(a.frame) == 3
    assert any("identical repeated row dropped" in n for n in a.notes)
    # same time and text, another author: another mention
    other = CSV_TEXT.replace("alice", "dave")
    c = read_mentions(write(tmp_path / "o.csv", other))
    assert c.frame["mention_id"].iloc[0] != a.frame["mention_id"].iloc[0]
    assert c.frame["mention_id"].iloc[1] == a.frame["mention_id"].iloc[1]


def test_given_ids_and_conflicting_repeat(tmp_path: Path) -> None:
    rows = [
        {
            "id": "m1",
            "time": "2021-01-01T00:00:00+01:00",
            "content": "a",
            "author": "x1",
            "engagement": 3,
        },
        {
            "id": "m1",
            "time": "2021-01-01T00:00:00+01:00",
            "content": "a",
            "author": "x1",
            "engagement": 4,
        },
    ]
    path = write(tmp_path / "m.jsonl", "\n".join(json.dumps(r) for r in rows) + "\n")
    with pytest.raises(BadInputError) as excinfo:
        read_mentions(path)
    assert (excinfo.value.file, excinfo.value.line, excinfo.value.field) == (
        str(path),
        2,
        "mention_id",
    )
    read = read_mentions(path, on_bad_rows="skip")
    assert read.frame["mention_id"].tolist() == ["m1"]
    assert read.frame["ts"].tolist() == [pd.Timestamp("2020-12-31 23:00", tz="UTC")]


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ("not a time,eve,text,1,1,1,", "ts"),
        ("2021-05-09T03:33:00Z,eve,,1,1,1,", "text"),
        ("2021-05-09T03:33:00Z,eve,text,-1,1,1,", "likes"),
    ],
)
def test_bad_rows(tmp_path: Path, row: str, field: str) -> None:
    path = write(tmp_path / "m.csv", CSV_TEXT + row + "\n")
    with pytest.raises(BadInputError) as excinfo:
        read_mentions(path)
    err = excinfo.value
    assert (err.file, err.line, err.field) == (str(path), 5, field)
    assert f"{path}:5: field {field!r}" in str(err)


def test_missing_columns(tmp_path: Path) -> None:
    path = write(tmp_path / "m.csv", "when,what\n2021-01-01T00:00Z,hi\n")
    with pytest.raises(BadInputError) as excinfo:
        read_mentions(path)
    assert (excinfo.value.line, excinfo.value.field) == (1, "ts")
    read = read_mentions(path, columns={"ts": "when", "text": "what"})
    assert read.frame["text"].tolist() == ["hi"] and read.frame["author"].isna().all()
    with pytest.raises(BadInputError) as excinfo:
        read_mentions(path, columns={"time": "when"})
    assert excinfo.value.field == "time"


def test_frame_input_untouched(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime(["2021-01-01 10:00"]).tz_localize("Asia/Hong_Kong"),
            "tweet": ["小米 SU7"],
            "username": ["leijun_fan"],
        }
    )
    before = frame.copy(deep=True)
    read = read_mentions(frame)
    assert read.frame["ts"].tolist() == [pd.Timestamp("2021-01-01 02:00", tz="UTC")]
    assert read.frame["platform"].tolist() == ["x"]  # a 'tweet' text column: X content
    pd.testing.assert_frame_equal(frame, before)


# --------------------------------------------------------------------------------------------
# Real data: 30,340 tweets mentioning TSLA; the file ends with a truncated row.

FILE = "tsla_mention_tweets_2021_2022/stock_tweets_TSLA_preprocessed.csv.gz"


@pytest.fixture(scope="module")
def tsla(shared_data: Path) -> tuple[Path, str]:
    path = shared_data / FILE
    return path, gzip.decompress(path.read_bytes()).decode("utf-8")


def test_truncated_last_row_is_named(tsla: tuple[Path, str]) -> None:
    path, text = tsla
    lines = text.split("\n")
    last = max(i for i, line in enumerate(lines) if line.strip()) + 1  # 1-based
    assert lines[last - 1].startswith("2021-11-23 0,")  # the cut-off row, per PROVENANCE.md
    with pytest.raises(BadInputError) as excinfo:
        read_mentions(path)
    err = excinfo.value
    assert (err.file, err.line, err.field) == (str(path), last, "ts")
    assert "'2021-11-23 0'" in err.message


def test_real_file_in_skip_mode(tsla: tuple[Path, str]) -> None:
    path, text = tsla
    raw = list(csv.DictReader(io.StringIO(text)))
    good = raw[:-1]
    assert len(good) == 30_340
    read = read_mentions(path, on_bad_rows="skip")
    assert len(read.frame) == 30_340 and len(read.rejects) == 1
    want = sorted(datetime.fromisoformat(r["Date"]).astimezone(UTC) for r in good)
    got = read.frame["ts"].dt.to_pydatetime().tolist()
    assert got == want
    assert (got[0], got[-1]) == (
        datetime(2021, 11, 23, 2, 14, 3, tzinfo=UTC),
        datetime(2022, 9, 29, 23, 41, 16, tzinfo=UTC),
    )
    assert sorted(read.frame["text"]) == sorted(r["Tweet"] for r in good)
    assert read.frame["platform"].eq("x").all()
    again = read_mentions(path, on_bad_rows="skip")
    assert again.frame["mention_id"].tolist() == read.frame["mention_id"].tolist()


def test_polars_frame_with_bad_row_names_its_row() -> None:
    polars = pytest.importorskip("polars")
    frame = polars.DataFrame(
        {"time": ["2022-01-01T00:00:00Z", "2022-01-01T00:05:00Z"], "text": ["a", ""]}
    )
    with pytest.raises(BadInputError) as excinfo:
        read_mentions(frame)
    # a frame has no lines: the 1-based row number stands in
    assert (excinfo.value.file, excinfo.value.line, excinfo.value.field) == (
        "<DataFrame>",
        2,
        "text",
    )
