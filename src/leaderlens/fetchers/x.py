"""A leader's posts from the official X API v2 through tweepy (``leaderlens fetch posts``).

Endpoints (X API v2 reference): ``GET /2/users/by/username/:username`` finds the account;
``GET /2/users/:id/tweets`` (the user timeline) pages through its posts newest first, at most
100 per page, with ``pagination_token``, ``since_id``/``until_id`` and ``start_time``; it reaches
back only the latest 3,200 posts. Retweets are left out (``exclude=retweets``): they are not the
leader's own words; replies and quotes are kept.

The bearer token is read only from the environment (``LEADERLENS_X_BEARER_TOKEN``, through
:class:`~leaderlens.settings.Settings`), never from the command line or a file in a project.
Without network or credentials, the X archive reader (``leaderlens ingest statements
tweets.js``) remains the offline path.

Incremental and resumable. Older posts than the stored ones (``until_id`` = the oldest stored
id) are stored page by page as they arrive, so an interrupted first fetch keeps whole pages and
the next run continues below them. Posts newer than the stored ones (``since_id`` = the newest
stored id) arrive newest first: storing them page by page would leave a hole between the
stored posts and the oldest new page if the fetch stopped midway, and the next run (asking only
for posts newer than the newest stored) could not see it. So they are stored together once the
last of their pages has arrived.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from leaderlens.errors import BadInputError, EngineError
from leaderlens.fetchers.common import (
    Backoff,
    Clock,
    FetchReport,
    Progress,
    RateLimited,
    SystemClock,
    as_utc,
    require,
    utc_now,
    with_backoff,
)
from leaderlens.settings import X_BEARER_TOKEN_ENV, Settings
from leaderlens.store.sql import first_row

SOURCE = "x"
TWEET_FIELDS = ["created_at", "lang", "public_metrics", "referenced_tweets"]
PAGE = 100  # the timeline's largest page


def fetch_posts(
    ws: Any,
    handle: str,
    *,
    leader: str | None = None,
    start: str | pd.Timestamp | None = None,
    settings: Settings | None = None,
    client: Any = None,
    clock: Clock | None = None,
    backoff: Backoff | None = None,
    page_size: int = PAGE,
    progress: Progress | None = None,
) -> FetchReport:
    """Fetch the posts of the X account ``handle`` into the workspace as a leader's statements.

    Parameters
    ----------
    ws: an open :class:`~leaderlens.store.workspace.Workspace`.
    handle: the X username, with or without ``@``.
    leader: the leader id to store under (default: the handle); the handle is recorded.
    start: leave out posts before this time (default: as far back as the API reaches).
    settings: where the bearer token comes from (default: ``Settings.from_env()``).
    client: a ``tweepy.Client`` to use instead of a new one.
    clock, backoff: how time is read and waited, and the rate-limit bounds (the timeline's
        limits reset every 15 minutes; the reset time X sends is waited for when within bounds).
    page_size: posts per request, 5 to 100.
    progress: called after each page.
    """
    name = handle.strip().removeprefix("@")
    if not name or not name.replace("_", "").isalnum():
        raise BadInputError(f"{handle!r} is not an X username", field="handle")
    if not 5 <= page_size <= PAGE:
        raise BadInputError(f"page_size must be 5 to {PAGE}; got {page_size}", field="page_size")
    clock = clock or SystemClock()
    backoff = backoff or Backoff(max_wait=960.0)
    since_time = as_utc(start, "start")
    leader_id = leader or name
    tweepy = require("tweepy", "fetching posts from X")
    if client is None:
        token = (settings or Settings.from_env()).x_bearer_token
        if not token:
            raise BadInputError(
                f"the X API needs an app bearer token: set the environment variable "
                f"{X_BEARER_TOKEN_ENV} (never put it on the command line or in a file in the "
                f"project); without one, load an X archive with 'leaderlens ingest statements "
                f"tweets.js'",
                field=X_BEARER_TOKEN_ENV,
            )
        client = tweepy.Client(bearer_token=token, wait_on_rate_limit=False)
    waited: list[float] = []
    sent = [0]

    def call(method: str, **kwargs: Any) -> Any:
        sent[0] += 1
        return with_backoff(
            lambda: _request(tweepy, client, method, name, **kwargs),
            source="X API",
            classify=lambda exc: _rate_limited(tweepy, exc, clock),
            backoff=backoff,
            clock=clock,
            waited=waited,
        )

    user = call("get_user", username=name)
    if getattr(user, "data", None) is None:
        raise BadInputError(f"X has no account @{name}", field="handle")
    user_id = str(user.data.id)
    ws.add_leader(leader_id, handles={"x": name})
    oldest, newest = _stored_ids(ws, leader_id)
    base: dict[str, Any] = {
        "id": user_id,
        "max_results": page_size,
        "tweet_fields": TWEET_FIELDS,
        "exclude": ["retweets"],
    }
    if since_time is not None:
        base["start_time"] = since_time.to_pydatetime()
    loads = []

    # Older than anything stored (or everything, the first time): page by page.
    older = {**base, **({"until_id": str(oldest)} if oldest is not None else {})}
    for pages, frame in enumerate(_pages(call, older), start=1):
        if not frame.empty:
            loads.append(ws.ingest_statements(frame, leader=leader_id))
        if progress is not None:
            progress(f"X @{name}", pages, None)
    # Newer than the newest stored: all pages, then one load (see the module docstring).
    if newest is not None:
        newer = [f for f in _pages(call, {**base, "since_id": str(newest)}) if not f.empty]
        if newer:
            loads.append(
                ws.ingest_statements(pd.concat(newer, ignore_index=True), leader=leader_id)
            )
    return FetchReport(
        source=SOURCE,
        target=f"{leader_id} (@{name})",
        spans=((since_time or pd.Timestamp(0, tz="UTC"), utc_now(clock)),),
        requests=sent[0],
        loads=tuple(loads),
        waited=float(sum(waited)),
        notes=(
            "X API v2 user timeline: the latest 3,200 posts at most, retweets left out; "
            "engagement counts are as of this fetch",
        ),
    )


def _pages(call: Any, params: dict[str, Any]) -> Any:
    """Each page of the timeline as a statements frame, following ``next_token``."""
    token = None
    while True:
        response = call(
            "get_users_tweets", **params, **({"pagination_token": token} if token else {})
        )
        yield _frame(response)
        meta = getattr(response, "meta", None) or {}
        token = meta.get("next_token") if isinstance(meta, dict) else None
        if not token:
            return


def _request(tweepy: Any, client: Any, method: str, name: str, **kwargs: Any) -> Any:
    try:
        return getattr(client, method)(**kwargs)
    except tweepy.TooManyRequests:
        raise
    except tweepy.Unauthorized as exc:
        raise BadInputError(
            f"the X API refused the bearer token (401 Unauthorized): check {X_BEARER_TOKEN_ENV}",
            field=X_BEARER_TOKEN_ENV,
        ) from exc
    except tweepy.Forbidden as exc:
        raise BadInputError(
            f"the X API refused access (403 Forbidden: {_detail(exc)}); the app's access level "
            f"may not include user timelines",
            field=X_BEARER_TOKEN_ENV,
        ) from exc
    except (tweepy.NotFound, tweepy.BadRequest) as exc:
        raise BadInputError(f"the X API refused @{name}: {_detail(exc)}", field="handle") from exc
    except tweepy.TwitterServerError as exc:
        raise EngineError(f"the X API failed ({_detail(exc)}); try again later") from exc
    except tweepy.HTTPException as exc:
        raise EngineError(f"the X API refused the request: {_detail(exc)}") from exc
    except ValueError as exc:  # a body that is not JSON (requests' JSONDecodeError)
        raise _malformed(f"{type(exc).__name__}: {exc}") from exc
    except Exception as exc:
        if type(exc).__module__.startswith(("requests", "urllib3")) or isinstance(exc, OSError):
            raise EngineError(
                f"cannot reach the X API ({type(exc).__name__}: {exc}); check the network "
                f"connection and run the same command again (pages already fetched are stored)"
            ) from exc
        raise


def _detail(exc: Any) -> str:
    messages = getattr(exc, "api_messages", None) or []
    status = getattr(getattr(exc, "response", None), "status_code", "?")
    return f"HTTP {status}" + (f": {'; '.join(map(str, messages))}" if messages else "")


def _malformed(what: str) -> EngineError:
    return EngineError(
        f"the X API sent a response leaderlens cannot read ({what}); the API may have changed: "
        f"try again later or upgrade tweepy (pip install -U tweepy)"
    )


def _rate_limited(tweepy: Any, exc: Exception, clock: Clock) -> RateLimited | None:
    if not isinstance(exc, tweepy.TooManyRequests):
        return None
    reset = getattr(exc, "reset_time", None)
    # X sends the epoch second its window resets (x-rate-limit-reset); wait until just after.
    return RateLimited(max(float(reset) - clock.now() + 1.0, 0.0) if reset else None)


def _stored_ids(ws: Any, leader: str) -> tuple[int | None, int | None]:
    row = first_row(
        ws.connection,
        """SELECT min(TRY_CAST(statement_id AS HUGEINT)), max(TRY_CAST(statement_id AS HUGEINT))
           FROM statements WHERE leader_id = ? AND channel = 'x'""",
        [leader],
    )
    if row is None or row[0] is None:
        return None, None
    return int(row[0]), int(row[1])


def _frame(response: Any) -> pd.DataFrame:
    """One timeline page as a table the statements reader reads as X content."""
    tweets = getattr(response, "data", None) or []
    records = []
    for tweet in tweets:
        data = getattr(tweet, "data", None)
        if not isinstance(data, dict) or "id" not in data or "text" not in data:
            raise _malformed("a post without id or text")
        if not data.get("created_at"):
            raise _malformed(f"post {data['id']} has no created_at")
        metrics = data.get("public_metrics") or {}
        replied = [
            r.get("id")
            for r in data.get("referenced_tweets") or []
            if isinstance(r, dict) and r.get("type") == "replied_to"
        ]
        records.append(
            {
                "tweet_id": str(data["id"]),
                "created_at": str(data["created_at"]),
                "text": data["text"],
                "lang": data.get("lang"),
                "like_count": metrics.get("like_count"),
                "retweet_count": metrics.get("retweet_count"),
                "reply_count": metrics.get("reply_count"),
                "quote_count": metrics.get("quote_count"),
                "impression_count": metrics.get("impression_count"),
                "in_reply_to_tweet_id": str(replied[0]) if replied else "",
            }
        )
    return pd.DataFrame.from_records(
        records,
        columns=[
            "tweet_id", "created_at", "text", "lang", "like_count", "retweet_count",
            "reply_count", "quote_count", "impression_count", "in_reply_to_tweet_id",
        ],
    )  # fmt: skip
