"""The X archive (``tweets.js``): both layouts, fields, and lines of bad tweets.

The fixture is written here in the archive's layout (``window.YTD.tweets.part0 = [...]``, two-
space indent, ``" : "`` separators, counts as strings); it is made up, not copied from any
archive. Expected values are derived from the fixture's dicts with the standard library.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from leaderlens.errors import BadInputError
from leaderlens.readers.statements import read_statements


def tweet(tid: str, created: str, text: str, likes: str, reposts: str, **extra: Any) -> dict:
    return {
        "edit_info": {
            "initial": {
                "editTweetIds": [tid],
                "editableUntil": "2023-01-01T00:00:00.000Z",
                "editsRemaining": "5",
                "isEditEligible": False,
            }
        },
        "retweeted": False,
        "source": (
            '<a href="http://twitter.com/download/iphone" rel="nofollow">Twitter for iPhone</a>'
        ),
        "entities": {"hashtags": [], "symbols": [], "user_mentions": [], "urls": []},
        "display_text_range": ["0", str(len(text))],
        "favorite_count": likes,
        "id_str": tid,
        "truncated": False,
        "retweet_count": reposts,
        "id": tid,
        "created_at": created,
        "favorited": False,
        "full_text": text,
        "lang": "en",
        **extra,
    }


TWEETS = [
    tweet(
        "1600000000000000001",
        "Tue Nov 22 10:00:00 +0000 2022",
        "Launch day &amp; more &gt; less",
        "120",
        "30",
    ),
    tweet(
        "1600000000000000002",
        "Tue Nov 22 11:30:15 +0000 2022",
        "@builder Exactly",
        "8",
        "0",
        in_reply_to_status_id_str="1599999999999999999",
        in_reply_to_status_id="1599999999999999999",
        in_reply_to_screen_name="builder",
        in_reply_to_user_id_str="42",
    ),
    tweet("1600000000000000003", "Wed Nov 23 00:00:01 +0000 2022", "Multi\nline\ntweet", "0", "1"),
]


def archive(elements: list[dict], name: str = "tweets", wrap: bool = True) -> str:
    body = [{"tweet": t} for t in elements] if wrap else elements
    return f"window.YTD.{name}.part0 = " + json.dumps(body, indent=2, separators=(",", " : "))


def element_lines(text: str) -> list[int]:
    """Lines on which the array's elements open (two-space indented ``{``)."""
    return [i + 1 for i, line in enumerate(text.split("\n")) if line == "  {"]


@pytest.mark.parametrize("wrap", [True, False])
def test_archive_fields(tmp_path: Path, wrap: bool) -> None:
    text = archive(TWEETS, "tweets" if wrap else "tweet", wrap)
    path = tmp_path / "tweets.js"
    path.write_text(text, encoding="utf-8")
    read = read_statements(path)
    assert read.format == "x-archive"
    f = read.frame.set_index("statement_id")
    assert list(f.index) == [t["id_str"] for t in TWEETS]
    for t in TWEETS:
        row = f.loc[t["id_str"]]
        created = datetime.strptime(t["created_at"], "%a %b %d %H:%M:%S %z %Y")
        assert row["ts"] == pd.Timestamp(created)
        assert row["likes"] == int(t["favorite_count"])
        assert row["reposts"] == int(t["retweet_count"])
        assert row["is_reply"] == ("in_reply_to_status_id_str" in t)
        assert row["channel"] == "x" and row["language"] == "en"
        assert row["url"] == f"https://x.com/i/status/{t['id_str']}"
        assert row["quotes"] is pd.NA and row["views"] is pd.NA
    assert f.loc["1600000000000000001", "text"] == "Launch day & more > less"
    assert f.loc["1600000000000000003", "text"] == "Multi\nline\ntweet"
    assert [read.lines.line(p) for p in read.frame.index] == element_lines(text)  # type: ignore[union-attr]


def test_oldest_layout_with_text_and_numeric_id(tmp_path: Path) -> None:
    old = {
        "id": 1234567890123456789,
        "created_at": "Mon Jan 07 12:00:00 +0000 2019",
        "text": "An old one",
        "favorite_count": "3",
        "retweet_count": "1",
    }
    path = tmp_path / "tweet.js"
    path.write_text(archive([old], "tweet", wrap=False), encoding="utf-8")
    f = read_statements(path).frame
    assert f["statement_id"].tolist() == ["1234567890123456789"]
    assert f["text"].tolist() == ["An old one"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"favorite_count": "-1"}, "likes"),
        ({"created_at": "sometime in 2022"}, "ts"),
        ({"full_text": "   "}, "text"),
        ({"id_str": "16e17"}, "tweet_id"),
    ],
)
def test_bad_tweet_named_by_the_line_its_object_starts(
    tmp_path: Path, change: dict, field: str
) -> None:
    tweets = [TWEETS[0], TWEETS[1], {**TWEETS[2], **change}]
    text = archive(tweets)
    path = tmp_path / "tweets.js"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BadInputError) as excinfo:
        read_statements(path)
    err = excinfo.value
    line = element_lines(text)[2]
    assert (err.file, err.line, err.field) == (str(path), line, field)
    assert f"{path}:{line}: field {field!r}" in str(err)
    read = read_statements(path, on_bad_rows="skip")
    assert len(read.frame) == 2 and [(r.line, r.field) for r in read.rejects] == [(line, field)]


def test_damaged_archive_refused_with_line(tmp_path: Path) -> None:
    text = archive(TWEETS)
    cut = text[: text.index('"full_text"', text.index("1600000000000000002"))]
    path = tmp_path / "tweets.js"
    path.write_text(cut, encoding="utf-8")
    with pytest.raises(BadInputError) as excinfo:
        read_statements(path)
    assert excinfo.value.file == str(path)
    assert excinfo.value.line == element_lines(text)[1]  # the object that was cut off
    path.write_text("var tweets = []", encoding="utf-8")
    with pytest.raises(BadInputError) as excinfo:
        read_statements(path, format="x-archive")
    assert excinfo.value.line == 1 and "window.YTD" in str(excinfo.value)


def test_columns_refused_for_archive(tmp_path: Path) -> None:
    path = tmp_path / "tweets.js"
    path.write_text(archive(TWEETS), encoding="utf-8")
    with pytest.raises(BadInputError) as excinfo:
        read_statements(path, columns={"text": "full_text"})
    assert excinfo.value.field == "columns"


def test_same_tweets_from_archive_and_csv_are_identical(tmp_path: Path) -> None:
    # A tweet loaded from the archive and from a CSV export must be the same row, or re-loads
    # from the other source would be conflicts in the workspace.
    js = tmp_path / "tweets.js"
    js.write_text(archive(TWEETS), encoding="utf-8")
    rows = ["tweet_id,created_at,text,likes,reposts,in_reply_to_status_id,lang"]
    for t in TWEETS:
        text = t["full_text"].replace('"', '""')
        rows.append(
            f'{t["id_str"]},{t["created_at"]},"{text}",{t["favorite_count"]},'
            f"{t['retweet_count']},{t.get('in_reply_to_status_id_str', '')},{t['lang']}"
        )
    path = tmp_path / "tweets.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    a = read_statements(js).frame.reset_index(drop=True)
    b = read_statements(path).frame.reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
