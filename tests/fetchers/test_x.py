"""Posts from the X API v2 through tweepy, offline at its HTTP boundary (requests/``responses``).

User-timeline pages are built, in the API's JSON format, from the real Musk tweets in
../shared/data (``musk_tweets_2010_2022/ElonTweets.csv.gz``); the stored statements must equal
what the statements reader gives for the same tweets read from that file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest

from leaderlens import BadInputError, EngineError, Settings, read_statements
from leaderlens.fetchers.x import fetch_posts

responses = pytest.importorskip("responses")
requests = pytest.importorskip("requests")
pytest.importorskip("tweepy")

API = "https://api.twitter.com/2"
MUSK_ID = "44196397"
TOKEN = Settings(workspace=Path("unused"), x_bearer_token="AAAA-test-token")
Fail = Callable[[int], tuple[int, dict[str, str], str] | None]


@pytest.fixture(scope="module")
def tweets_file(shared_data: Path) -> Path:
    return shared_data / "musk_tweets_2010_2022" / "ElonTweets.csv.gz"


@pytest.fixture(scope="module")
def tweets(tweets_file: Path) -> pd.DataFrame:
    frame = pd.read_csv(tweets_file, dtype={"Tweet Id": str})
    frame["Datetime"] = pd.to_datetime(frame["Datetime"], utc=True)
    keep = (frame["Datetime"] >= "2021-02-01") & (frame["Datetime"] < "2021-02-08")
    return frame[keep].sort_values("Datetime", ascending=False).reset_index(drop=True)


def post(row: pd.Series) -> dict[str, Any]:
    """One tweet object as the v2 timeline returns it with the fields leaderlens asks for."""
    body: dict[str, Any] = {
        "id": row["Tweet Id"],
        "text": row["Text"],
        "created_at": row["Datetime"].strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "lang": row["language"],
        "edit_history_tweet_ids": [row["Tweet Id"]],
        "public_metrics": {
            "retweet_count": int(row["retweet count"]),
            "reply_count": int(row["reply count"]),
            "like_count": int(row["like count"]),
            "quote_count": 7,
            "impression_count": 0,
        },
    }
    if str(row["Text"]).startswith("@"):
        body["referenced_tweets"] = [{"type": "replied_to", "id": "1356000000000000000"}]
    return body


class XApi:
    """``/2/users/by/username/:name`` and ``/2/users/:id/tweets`` over a frame, newest first."""

    def __init__(self, mock: Any, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.calls: list[dict[str, str]] = []
        self.fail: Fail = lambda n: None
        mock.add_callback(responses.GET, re.compile(rf"{API}/users/by/username/\w+"), self._user)
        mock.add_callback(responses.GET, re.compile(rf"{API}/users/\d+/tweets.*"), self._timeline)

    def _user(self, request: Any) -> tuple[int, dict[str, str], str]:
        assert request.headers["Authorization"] == "Bearer AAAA-test-token"
        name = urlparse(request.url).path.rsplit("/", 1)[-1]
        if name.lower() != "elonmusk":
            error = {
                "value": name,
                "detail": f"Could not find user with username: [{name}].",
                "title": "Not Found Error",
                "resource_type": "user",
                "parameter": "username",
                "resource_id": name,
                "type": "https://api.twitter.com/2/problems/resource-not-found",
            }
            return 200, {}, json.dumps({"errors": [error]})
        user = {"id": MUSK_ID, "name": "Elon Musk", "username": "elonmusk"}
        return 200, {"content-type": "application/json"}, json.dumps({"data": user})

    def _timeline(self, request: Any) -> tuple[int, dict[str, str], str]:
        query = {k: v[0] for k, v in parse_qs(urlparse(request.url).query).items()}
        self.calls.append(query)
        failed = self.fail(len(self.calls))
        if failed is not None:
            return failed
        assert query["exclude"] == "retweets"
        rows = self.frame
        ids = rows["Tweet Id"].astype(int)
        if "since_id" in query:
            rows = rows[ids > int(query["since_id"])]
        if "until_id" in query:
            rows = rows[ids.loc[rows.index] < int(query["until_id"])]
        offset = int(query.get("pagination_token", "0") or 0)
        size = int(query["max_results"])
        page = rows.iloc[offset : offset + size]
        meta: dict[str, Any] = {"result_count": len(page)}
        if len(page):
            meta |= {"newest_id": page["Tweet Id"].iloc[0], "oldest_id": page["Tweet Id"].iloc[-1]}
        if offset + size < len(rows):
            meta["next_token"] = str(offset + size)
        body: dict[str, Any] = {"meta": meta}
        if len(page):
            body["data"] = [post(r) for _, r in page.iterrows()]
        return 200, {"content-type": "application/json"}, json.dumps(body)


@pytest.fixture
def mock() -> Iterator[Any]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rs:
        yield rs


COMPARED = ["statement_id", "ts", "channel", "text", "url", "language", "likes", "reposts",
            "replies", "is_reply"]  # fmt: skip


def from_file(tweets_file: Path, ids: pd.Series) -> pd.DataFrame:
    read = read_statements(tweets_file).frame
    return read[read["statement_id"].isin(ids)].sort_values("ts").reset_index(drop=True)


def test_timeline_pages_equal_the_file_reader(
    ws: Any, clock: Any, mock: Any, tweets: pd.DataFrame, tweets_file: Path
) -> None:
    api = XApi(mock, tweets)
    report = fetch_posts(ws, "@elonmusk", leader="musk", settings=TOKEN, page_size=25, clock=clock)
    stored = ws.statements("musk").sort_values("ts").reset_index(drop=True)
    want = from_file(tweets_file, tweets["Tweet Id"])
    assert len(stored) == len(tweets) > 50
    pd.testing.assert_frame_equal(stored[COMPARED], want[COMPARED], check_dtype=False)
    assert (stored["quotes"] == 7).all()  # fields the file lacks come from the pages
    assert (
        stored["text"].str.contains("&amp;").sum() == 0
    )  # HTML entities decoded as the reader does
    pages = -(-len(tweets) // 25)
    assert [c.get("pagination_token") for c in api.calls] == [None] + [
        str(25 * k) for k in range(1, pages)
    ]
    assert len(report.loads) == pages and report.rows_added == len(tweets)
    handles = ws.leaders().set_index("leader_id").loc["musk", "handles"]
    assert dict(handles) == {"x": "elonmusk"}


def test_interrupted_backfill_resumes_below_the_oldest_stored_post(
    ws: Any, clock: Any, mock: Any, tweets: pd.DataFrame, tweets_file: Path
) -> None:
    api = XApi(mock, tweets)

    def cut(n: int) -> tuple[int, dict[str, str], str] | None:
        if n == 3:
            raise requests.ConnectionError("connection reset")
        return None

    api.fail = cut
    with pytest.raises(EngineError, match=r"cannot reach the X API.*run the same command again"):
        fetch_posts(ws, "elonmusk", settings=TOKEN, page_size=20, clock=clock)
    assert len(ws.statements("elonmusk")) == 40  # two whole pages, the newest posts
    oldest = ws.statements("elonmusk")["statement_id"].astype(int).min()
    api.fail = lambda n: None
    api.calls.clear()
    fetch_posts(ws, "elonmusk", settings=TOKEN, page_size=20, clock=clock)
    assert api.calls[0]["until_id"] == str(oldest)
    assert "since_id" in api.calls[-1]  # and posts newer than the newest stored were asked for
    stored = ws.statements("elonmusk").sort_values("ts").reset_index(drop=True)
    want = from_file(tweets_file, tweets["Tweet Id"])
    pd.testing.assert_frame_equal(stored[COMPARED], want[COMPARED], check_dtype=False)


def test_new_posts_since_the_last_fetch_are_added(
    ws: Any, clock: Any, mock: Any, tweets: pd.DataFrame
) -> None:
    older = tweets.iloc[30:].reset_index(drop=True)  # what the timeline held at the first fetch
    api = XApi(mock, older)
    fetch_posts(ws, "elonmusk", settings=TOKEN, page_size=50, clock=clock)
    api.frame = tweets  # thirty posts later
    api.calls.clear()
    report = fetch_posts(ws, "elonmusk", settings=TOKEN, page_size=50, clock=clock)
    newest = older["Tweet Id"].astype(int).max()
    assert [c.get("since_id") for c in api.calls] == [None, str(newest)]
    assert report.rows_added == 30 and len(ws.statements("elonmusk")) == len(tweets)


def test_rate_limit_waits_until_the_reset_x_sends(
    ws: Any, clock: Any, mock: Any, tweets: pd.DataFrame
) -> None:
    api = XApi(mock, tweets.head(10))
    reset = int(clock.now()) + 120
    api.fail = lambda n: (
        (429, {"x-rate-limit-reset": str(reset)}, '{"title": "Too Many Requests"}')
        if n == 1
        else None
    )
    report = fetch_posts(ws, "elonmusk", settings=TOKEN, clock=clock)
    assert clock.sleeps == [121.0] and report.waited == 121.0
    assert report.rows_added == 10


def test_missing_and_refused_credentials(
    ws: Any, clock: Any, mock: Any, tweets: pd.DataFrame
) -> None:
    with pytest.raises(
        BadInputError, match="set the environment variable LEADERLENS_X_BEARER_TOKEN"
    ):
        fetch_posts(
            ws, "elonmusk", settings=Settings(workspace=Path("w"), x_bearer_token=None), clock=clock
        )
    refusal = {"title": "Unauthorized", "type": "about:blank", "status": 401}
    mock.add(responses.GET, f"{API}/users/by/username/elonmusk", status=401, json=refusal)
    with pytest.raises(BadInputError, match="refused the bearer token"):
        fetch_posts(ws, "elonmusk", settings=TOKEN, clock=clock)
    assert "AAAA-test-token" not in repr(TOKEN)


def test_token_is_read_from_the_environment_only() -> None:
    settings = Settings.from_env({"LEADERLENS_X_BEARER_TOKEN": "  secret  "})
    assert settings.x_bearer_token == "secret" and "secret" not in repr(settings)
    assert Settings.from_env({}).x_bearer_token is None


def test_unknown_user(ws: Any, clock: Any, mock: Any, tweets: pd.DataFrame) -> None:
    XApi(mock, tweets)
    with pytest.raises(BadInputError, match="X has no account @nosuchleader"):
        fetch_posts(ws, "nosuchleader", settings=TOKEN, clock=clock)


@pytest.mark.parametrize(
    "body",
    [
        '{"data": [{"id": "1357", "text": "hi", "created_at": "2021-02-0',
        '{"data": [{"id": "1357", "text": "no time"}], "meta": {}}',
    ],
    ids=["truncated", "no-created-at"],
)
def test_malformed_pages_are_refused(
    ws: Any, clock: Any, mock: Any, tweets: pd.DataFrame, body: str
) -> None:
    api = XApi(mock, tweets)
    api.fail = lambda n: (200, {"content-type": "application/json"}, body)
    with pytest.raises(EngineError, match="X API sent a response leaderlens cannot read"):
        fetch_posts(ws, "elonmusk", settings=TOKEN, clock=clock)
    assert ws.statements("elonmusk").empty
