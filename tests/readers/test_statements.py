"""Statement and brand-post reader: formats, fields and every bad-input case.

Expected values are written out by hand from the fixtures below (or computed from them with
the standard library), never taken from the reader's own output.
"""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from leaderlens.errors import BadInputError
from leaderlens.readers.base import COLUMNS
from leaderlens.readers.statements import STATEMENT_FORMATS, read_statements

# Three statements; the second text spans three lines and holds entities and a comma.
CSV_TEXT = (
    "id,created,body,likes,reposts,channel\n"
    "a1,2024-03-28T10:00:00+08:00,Xiaomi SU7 launch tonight,100,20,livestream\n"
    'a2,2024-03-28 12:30:00Z,"Price: 215,900 yuan\n&amp; more\nsoon",250,,keynote\n'
    "a3,2024-03-29T01:15:30.250-04:00,@fan thanks!,7,1,\n"
)
CSV_MAP = {"ts": "created", "text": "body"}


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(datetime.fromisoformat(text).astimezone(UTC))


def bad(excinfo: pytest.ExceptionInfo[BadInputError], file: Path | str, line: int, field: str):
    """The error names file, line and field, in its attributes and in its message."""
    err = excinfo.value
    assert (err.file, err.line, err.field) == (str(file), line, field)
    assert f"{file}:{line}: field {field!r}" in str(err)
    return err


# --------------------------------------------------------------------------------------------
# Formats


def test_csv_with_mapping_reads_every_field(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", CSV_TEXT)
    read = read_statements(path, columns=CSV_MAP)
    f = read.frame.set_index("statement_id")
    assert list(read.frame.columns) == list(COLUMNS["statements"])
    assert read.kind == "statements" and read.format == "csv" and read.freq is None
    assert list(f.index) == ["a1", "a2", "a3"]  # sorted by time
    assert f.loc["a1", "ts"] == utc("2024-03-28T02:00:00+00:00")
    assert f.loc["a2", "ts"] == utc("2024-03-28T12:30:00+00:00")
    assert f.loc["a3", "ts"] == utc("2024-03-29T05:15:30.250000+00:00")
    assert f.loc["a2", "text"] == "Price: 215,900 yuan\n& more\nsoon"
    assert list(f["channel"]) == ["livestream", "keynote", "other"]
    assert f["likes"].tolist() == [100, 250, 7]
    assert f.loc["a2", "reposts"] is pd.NA
    assert str(read.frame["likes"].dtype) == "Int64"
    assert str(read.frame["ts"].dtype) == "datetime64[us, UTC]"
    assert f["is_reply"].isna().all()  # generic file without reply field: unknown
    # frame.index keeps input positions; lines maps them to the file (a2 starts on line 3)
    assert read.lines is not None
    assert [read.lines.line(p) for p in read.frame.index] == [2, 3, 6]


def test_channel_argument_fills_blank_channels_only(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", CSV_TEXT)
    read = read_statements(path, columns=CSV_MAP, channel="press")
    assert read.frame["channel"].tolist() == ["livestream", "keynote", "press"]


def test_jsonl_with_blank_lines_and_nested_counts(tmp_path: Path) -> None:
    rows = [
        {
            "id": "p1",
            "created_at": "2021-02-04T08:15:26.000Z",
            "text": "Dogecoin is the people's crypto",
            "public_metrics": {
                "like_count": 10,
                "retweet_count": 2,
                "reply_count": 1,
                "quote_count": 0,
            },
            "lang": "en",
            "url": "https://example.org/p1",
        },
        {
            "id": "p2",
            "created_at": "2021-03-24T07:02:40.000Z",
            "text": "You can now buy a Tesla with Bitcoin",
            "public_metrics": {
                "like_count": 5,
                "retweet_count": None,
                "reply_count": 0,
                "quote_count": 3,
            },
            "user": {"url": "https://example.org/profile", "id": "7"},  # the author's, not p2's
        },
    ]
    text = "\n" + json.dumps(rows[0]) + "\n\n" + json.dumps(rows[1]) + "\n"
    path = write(tmp_path / "s.jsonl", text)
    read = read_statements(path)
    f = read.frame.set_index("statement_id")
    assert read.format == "jsonl"
    assert f.loc["p1", "ts"] == pd.Timestamp("2021-02-04 08:15:26", tz="UTC")
    assert (f.loc["p1", "likes"], f.loc["p1", "reposts"], f.loc["p1", "quotes"]) == (10, 2, 0)
    assert f.loc["p2", "reposts"] is pd.NA and f.loc["p2", "quotes"] == 3
    assert f.loc["p1", "language"] == "en" and f.loc["p2", "language"] is pd.NA
    assert f.loc["p1", "url"] == "https://example.org/p1"
    assert f.loc["p2", "url"] is pd.NA
    assert [read.lines.line(p) for p in read.frame.index] == [2, 4]  # type: ignore[union-attr]


def test_json_array_elements_keep_their_lines(tmp_path: Path) -> None:
    rows = [
        {"id": f"q{i}", "time": f"2020-01-0{i}T00:00:00+00:00", "text": f"t{i}"} for i in (1, 2)
    ]
    path = write(tmp_path / "s.json", json.dumps(rows, indent=2))
    read = read_statements(path)
    assert read.format == "jsonl"
    assert read.frame["statement_id"].tolist() == ["q1", "q2"]
    starts = [
        i + 1 for i, line in enumerate(json.dumps(rows, indent=2).split("\n")) if line == "  {"
    ]
    assert [read.lines.line(p) for p in read.frame.index] == starts  # type: ignore[union-attr]


def test_parquet_pandas_and_polars_frames(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "Tweet Id": np.array([1026872652290379776, 1256239815256797184], dtype=np.int64),
            "Datetime": pd.to_datetime(["2018-08-07 16:48:13", "2020-05-01 15:11:26"], utc=True),
            "Text": [
                "Am considering taking Tesla private at $420. Funding secured.",
                "Tesla stock price is too high imo",
            ],
            "like count": [1.0, np.nan],
        }
    )
    before = frame.copy(deep=True)
    frame.to_parquet(tmp_path / "s.parquet")
    polars = pytest.importorskip("polars")
    for source, fmt in (
        (tmp_path / "s.parquet", "parquet"),
        (frame, "dataframe"),
        (polars.from_pandas(frame), "dataframe"),
    ):
        read = read_statements(source)
        assert read.format == fmt
        f = read.frame
        assert f["statement_id"].tolist() == ["1026872652290379776", "1256239815256797184"]
        assert f["ts"].tolist() == [
            pd.Timestamp("2018-08-07 16:48:13", tz="UTC"),
            pd.Timestamp("2020-05-01 15:11:26", tz="UTC"),
        ]
        assert f["likes"].iloc[0] == 1 and f["likes"].iloc[1] is pd.NA
        assert f["channel"].eq("x").all()  # a tweet id column marks X content
        assert f["url"].iloc[0] == "https://x.com/i/status/1026872652290379776"
    pd.testing.assert_frame_equal(frame, before)  # the caller's frame is untouched


def test_gzipped_csv_and_brand_posts_kind(tmp_path: Path) -> None:
    path = tmp_path / "posts.csv.gz"
    path.write_bytes(gzip.compress(CSV_TEXT.encode("utf-8")))
    read = read_statements(path, columns=CSV_MAP, kind="brand_posts")
    assert read.kind == "brand_posts" and len(read.frame) == 3


def test_snowflake_times_when_no_time_column(tmp_path: Path) -> None:
    # A real tweet id; its time from X's documented id layout in plain integer arithmetic,
    # and within a second of the time X shows for it (2018-08-07 16:48:13 UTC).
    tweet = 1026872652290379776
    ms = (tweet >> 22) + 1288834974657
    expected = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms)
    path = write(tmp_path / "ids.csv", f"tweet_id,text\n{tweet},Funding secured\n")
    read = read_statements(path)
    assert read.frame["ts"].iloc[0] == pd.Timestamp(expected)
    shown = pd.Timestamp("2018-08-07 16:48:13", tz="UTC")
    assert abs(read.frame["ts"].iloc[0] - shown) < pd.Timedelta(seconds=1)
    assert "snowflake" in read.time_zone
    path = write(tmp_path / "old.csv", "tweet_id,text\n15434727182,Please ignore prior tweets\n")
    with pytest.raises(BadInputError) as excinfo:
        read_statements(path)
    bad(excinfo, path, 2, "tweet_id")
    assert "predates" in str(excinfo.value)


def test_naive_times_need_tz(tmp_path: Path) -> None:
    path = write(tmp_path / "n.csv", "time,text\n2021-05-08 23:30:00,SNL tonight\n")
    with pytest.raises(BadInputError) as excinfo:
        read_statements(path)
    bad(excinfo, path, 2, "ts")
    assert "--tz" in str(excinfo.value)
    read = read_statements(path, tz="America/New_York")
    assert read.frame["ts"].iloc[0] == pd.Timestamp("2021-05-09 03:30:00", tz="UTC")
    assert "America/New_York" in read.time_zone


def test_hash_ids_are_stable_and_replies_from_at_sign(tmp_path: Path) -> None:
    text = "timestamp,tweet,tweet_id\n2022-01-01T00:00:00Z,@a hi,\n2022-01-02T00:00:00Z,hello,\n"
    path = write(tmp_path / "h.csv", text)
    first, second = read_statements(path), read_statements(path)
    ids = first.frame["statement_id"].tolist()
    assert ids == second.frame["statement_id"].tolist()
    assert len(set(ids)) == 2 and all(i.startswith("h") for i in ids)
    assert first.frame["is_reply"].tolist() == [True, False]
    assert any("'@'" in note for note in first.notes)


def test_reply_field_decides_is_reply(tmp_path: Path) -> None:
    text = (
        "id,ts,text,in_reply_to_status_id\n1,2022-01-01T00:00Z,@a yes,99\n2,2022-01-01T01:00Z,@b,\n"
    )
    read = read_statements(write(tmp_path / "r.csv", text), channel="x")
    assert read.frame["is_reply"].tolist() == [True, False]


def test_identical_repeats_dropped_with_note(tmp_path: Path) -> None:
    lines = CSV_TEXT.splitlines()
    path = write(tmp_path / "d.csv", "\n".join([*lines, lines[1]]) + "\n")
    read = read_statements(path, columns=CSV_MAP)
    assert len(read.frame) == 3
    assert any("1 identical repeated row dropped" in n for n in read.notes)


# --------------------------------------------------------------------------------------------
# Bad input: each names file, line and field


@pytest.mark.parametrize(
    ("row", "field", "words"),
    [
        ("a4,yesterday,text,1,1,x", "ts", "unparseable time 'yesterday'"),
        ("a4,,text,1,1,x", "ts", "empty time"),
        ("a4,2024-03-30T00:00:00Z,  ,1,1,x", "text", "empty text"),
        ("a4,2024-03-30T00:00:00Z,text,-3,1,x", "likes", "negative likes"),
        ("a4,2024-03-30T00:00:00Z,text,2.5,1,x", "likes", "not a whole count"),
        ("a4,2024-03-30T00:00:00Z,text,many,1,x", "likes", "'many' is not a number"),
        ("a4,2024-03-30T00:00:00Z,text,1,1,tiktok", "channel", "unknown channel 'tiktok'"),
        ("a1,2024-03-30T00:00:00Z,other text,1,1,x", "statement_id", "repeated"),
    ],
)
def test_bad_rows_name_file_line_and_field(
    tmp_path: Path, row: str, field: str, words: str
) -> None:
    # The bad row comes after the three-line quoted text, so it is on line 7, not line 5.
    path = write(tmp_path / "bad.csv", CSV_TEXT + row + "\n")
    with pytest.raises(BadInputError) as excinfo:
        read_statements(path, columns=CSV_MAP)
    err = bad(excinfo, path, 7, field)
    assert words in err.message
    skipped = read_statements(path, columns=CSV_MAP, on_bad_rows="skip")
    assert [(r.line, r.field) for r in skipped.rejects] == [(7, field)]
    assert skipped.frame["statement_id"].tolist() == ["a1", "a2", "a3"]
    assert skipped.rejects_frame()["line"].tolist() == [7]


def test_skip_lists_every_reject_in_line_order(tmp_path: Path) -> None:
    rows = [
        "b1,nonsense,x,1,1,x",
        "b2,2024-01-01T00:00:00Z,x,-1,1,x",
        "b3,2024-01-01T00:00Z,y,1,1,x",
    ]
    path = write(tmp_path / "bad.csv", CSV_TEXT + "\n".join(rows) + "\n")
    with pytest.raises(BadInputError) as excinfo:
        read_statements(path, columns=CSV_MAP)
    assert "1 more bad row" in str(excinfo.value)
    read = read_statements(path, columns=CSV_MAP, on_bad_rows="skip")
    assert [(r.line, r.field) for r in read.rejects] == [(7, "ts"), (8, "likes")]
    assert read.frame["statement_id"].tolist() == ["b3", "a1", "a2", "a3"]  # by time


def test_missing_columns_named(tmp_path: Path) -> None:
    path = write(tmp_path / "m.csv", "when,words\n2020-01-01T00:00Z,hi\n")
    with pytest.raises(BadInputError) as excinfo:
        read_statements(path)
    bad(excinfo, path, 1, "text")
    with pytest.raises(BadInputError) as excinfo:
        read_statements(path, columns={"text": "words"})
    err = bad(excinfo, path, 1, "ts")
    assert "'when'" in err.message  # says what the file has
    assert len(read_statements(path, columns={"text": "words", "ts": "WHEN"}).frame) == 1


def test_unknown_names_in_columns_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", CSV_TEXT)
    with pytest.raises(BadInputError) as excinfo:
        read_statements(path, columns={"tss": "created", "text": "body"})
    assert excinfo.value.field == "tss" and "unknown name 'tss'" in str(excinfo.value)
    with pytest.raises(BadInputError) as excinfo:
        read_statements(path, columns={"ts": "creation", "text": "body"})
    err = bad(excinfo, path, 1, "ts")
    assert "'creation'" in err.message


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"format": "xlsx"}, "format"),
        ({"kind": "posts"}, "kind"),
        ({"channel": "tiktok"}, "channel"),
        ({"on_bad_rows": "ignore"}, "on_bad_rows"),
        ({"tz": "Mars/Olympus"}, "tz"),
    ],
)
def test_closed_options_checked(tmp_path: Path, kwargs: dict, field: str) -> None:
    path = write(tmp_path / "s.csv", CSV_TEXT)
    with pytest.raises(BadInputError) as excinfo:
        read_statements(path, columns=CSV_MAP, **kwargs)
    assert excinfo.value.field == field


def test_broken_jsonl_line_is_a_bad_row(tmp_path: Path) -> None:
    good = json.dumps({"id": "j1", "ts": "2020-01-01T00:00:00Z", "text": "ok"})
    path = write(tmp_path / "b.jsonl", good + "\n" + '{"id": "j2", "ts": "2020-01-02' + "\n")
    with pytest.raises(BadInputError) as excinfo:
        read_statements(path)
    bad(excinfo, path, 2, "record")
    read = read_statements(path, on_bad_rows="skip")
    assert read.frame["statement_id"].tolist() == ["j1"] and read.rejects[0].line == 2


def test_float_tweet_ids_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path / "f.csv", "Tweet Id,Text,Datetime\n1.0268726522903798e+18,x,2020-01-01T00:00Z\n"
    )
    with pytest.raises(BadInputError) as excinfo:
        read_statements(path)
    bad(excinfo, path, 2, "tweet_id")


def test_missing_or_empty_files(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="no such file"):
        read_statements(tmp_path / "absent.csv")
    with pytest.raises(BadInputError, match="empty"):
        read_statements(write(tmp_path / "e.csv", ""))


def test_formats_constant() -> None:
    assert STATEMENT_FORMATS == ("csv", "jsonl", "parquet", "x-archive")


def test_explicit_format_must_match(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", CSV_TEXT)
    assert read_statements(path, format="csv", columns=CSV_MAP).format == "csv"
    with pytest.raises(BadInputError) as excinfo:
        read_statements(path, format="jsonl", columns=CSV_MAP)
    err = bad(excinfo, path, 1, "record")
    assert "not valid JSON" in err.message


def test_encoding_is_passed_through(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("id,ts,text\nc1,2015-02-01T00:00:00Z,Caf\u00e9 cr\u00e8me\n".encode("cp1252"))
    with pytest.raises(BadInputError) as excinfo:
        read_statements(path)
    assert (excinfo.value.file, excinfo.value.line) == (str(path), 2)
    read = read_statements(path, encoding="cp1252")
    assert read.frame["text"].tolist() == ["Caf\u00e9 cr\u00e8me"]


def test_format_refused_for_a_frame() -> None:
    frame = pd.DataFrame({"ts": ["2020-01-01T00:00Z"], "text": ["hi"]})
    with pytest.raises(BadInputError) as excinfo:
        read_statements(frame, format="csv")
    assert excinfo.value.field == "format"
    read = read_statements(frame)
    assert read.source == "<DataFrame>" and read.frame["channel"].tolist() == ["other"]
