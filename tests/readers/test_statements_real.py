"""The statement reader on real data: @elonmusk tweets 2010-2022 (17,602 rows).

Witness: the raw file read independently here with the standard library (``gzip`` + ``csv``,
``datetime.fromisoformat``, ``html.unescape``) and the key events listed in the folder's
PROVENANCE.md.
"""

from __future__ import annotations

import csv
import gzip
import html
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from leaderlens.readers.statements import read_statements

FILE = "musk_tweets_2010_2022/ElonTweets.csv.gz"

# From PROVENANCE.md, "Spot-checked key events (UTC)".
KEY_EVENTS = {
    "Am considering taking Tesla private at $420. Funding secured.": "2018-08-07 16:48:13",
    "Tesla stock price is too high imo": "2020-05-01 15:11:26",
    "Dogecoin is the people\u2019s crypto": "2021-02-04 08:15:26",  # typographic apostrophe
    "You can now buy a Tesla with Bitcoin": "2021-03-24 07:02:40",
}


@pytest.fixture(scope="module")
def path(shared_data: Path) -> Path:
    return shared_data / FILE


@pytest.fixture(scope="module")
def raw(path: Path) -> list[dict[str, str]]:
    """The file's records as the csv module sees them."""
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def read(path: Path):
    return read_statements(path)  # no options at all: everything is detected


def test_all_rows_with_zero_options(read, raw) -> None:
    assert len(raw) == 17_602
    assert len(read.frame) == 17_602 and not read.rejects
    assert read.format == "csv" and read.kind == "statements"
    assert read.frame["statement_id"].is_unique
    assert read.frame["channel"].eq("x").all()
    assert read.frame["ts"].is_monotonic_increasing


def test_times_and_texts_match_the_raw_file(read, raw) -> None:
    by_id = read.frame.set_index("statement_id")
    expected_ts = pd.Series(
        [pd.Timestamp(datetime.fromisoformat(r["Datetime"]).astimezone(UTC)) for r in raw],
        index=[r["Tweet Id"] for r in raw],
    )
    got = by_id.loc[expected_ts.index, "ts"]
    assert (got.to_numpy() == expected_ts.astype("datetime64[us, UTC]").to_numpy()).all()
    texts = by_id.loc[[r["Tweet Id"] for r in raw], "text"].tolist()
    assert texts == [html.unescape(r["Text"]) for r in raw]
    for name, column in (
        ("likes", "like count"),
        ("reposts", "retweet count"),
        ("replies", "reply count"),
    ):
        assert by_id.loc[[r["Tweet Id"] for r in raw], name].tolist() == [
            int(r[column]) for r in raw
        ]
    assert by_id.loc[[r["Tweet Id"] for r in raw], "language"].tolist() == [
        r["language"] for r in raw
    ]


def test_key_events_at_their_provenance_times(read) -> None:
    frame = read.frame
    for text, when in KEY_EVENTS.items():
        hit = frame[frame["text"] == text]
        assert len(hit) == 1, text
        assert hit["ts"].iloc[0] == pd.Timestamp(when, tz="UTC")


def test_html_entities_unescaped_and_embedded_newlines_kept(read, raw) -> None:
    with_amp = [r for r in raw if "&amp;" in r["Text"]]
    assert with_amp
    by_id = read.frame.set_index("statement_id")
    for r in with_amp[:50]:
        got = by_id.loc[r["Tweet Id"], "text"]
        assert "&amp;" not in got or "&amp;amp;" in r["Text"]
        assert got == r["Text"].replace("&amp;", "&").replace("&gt;", ">").replace("&lt;", "<")
    multi = [r for r in raw if "\n" in r["Text"]]
    assert multi and all("\n" in by_id.loc[r["Tweet Id"], "text"] for r in multi)


def test_replies_from_leading_at(read, raw) -> None:
    n_at = sum(r["Text"].lstrip().startswith("@") for r in raw)
    assert n_at == 12_925  # PROVENANCE.md
    assert int(read.frame["is_reply"].sum()) == n_at


def test_snowflake_times_agree_with_datetime(raw) -> None:
    # The same tweets without their time column: times come from the ids. PROVENANCE.md:
    # the 17,273 ids above 3e17 decode to Datetime within 1 s (millisecond truncation).
    frame = pd.DataFrame(
        {"Tweet Id": [int(r["Tweet Id"]) for r in raw], "Text": [r["Text"] for r in raw]}
    )
    snow = read_statements(frame, on_bad_rows="skip")
    assert "snowflake" in snow.time_zone
    got = snow.frame.set_index("statement_id")["ts"]
    recent = [r for r in raw if int(r["Tweet Id"]) > 3e17]
    assert len(recent) == 17_273
    for r in recent:
        shown = datetime.fromisoformat(r["Datetime"])
        decoded = got.loc[r["Tweet Id"]].to_pydatetime()
        assert abs(decoded - shown) < timedelta(seconds=1)
    # the one id from before the snowflake scheme (June 2010) carries no time
    assert [rej.field for rej in snow.rejects] == ["tweet_id"]


def test_lines_name_the_true_line(read, path: Path) -> None:
    # Texts hold newlines, so record numbers and line numbers differ; find the line of one
    # tweet by searching the raw text.
    text = gzip.decompress(path.read_bytes()).decode("utf-8")
    tweet = "1026872652290379776"  # "Funding secured"
    offset = text.index(f",{tweet},")
    line = text.count("\n", 0, offset) + 1
    row = read.frame.index[read.frame["statement_id"] == tweet][0]
    assert read.lines.line(row) == line
    assert line > int(row) + 2  # earlier quoted newlines push it below its record number
