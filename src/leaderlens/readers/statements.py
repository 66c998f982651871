"""Reading a leader's statements, or a brand's own posts, into the canonical frame.

Statements and brand posts share one shape (``COLUMNS["statements"]``): ``statement_id``, the
instant ``ts`` (UTC), ``channel``, ``text``, ``url``, ``language``, the engagement counts
``likes, reposts, replies, quotes, views`` (``Int64``) and ``is_reply`` (``boolean``).

Formats (:data:`STATEMENT_FORMATS`): CSV/TSV, JSON Lines (or a JSON array), Parquet, each with
columns found by common names or mapped with ``columns``, and the official X archive
(``tweets.js``, see :mod:`leaderlens.readers.x_archive`). A table with a tweet id column is read
as X content (channel ``x``; times may come from the id, replies from a leading ``@``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from leaderlens.errors import BadInputError, check_choice
from leaderlens.options import CHANNELS, ON_BAD_ROWS, STATEMENT_FORMATS
from leaderlens.readers.base import (
    ALL_AWARE_HOW,
    COLUMNS,
    KEYS,
    ReadResult,
    RowChecker,
    arrow_instants,
    check_time_zone,
    dedupe,
    fail_out_of_range,
)
from leaderlens.readers.fields import (
    as_text,
    blank,
    fail_values,
    instant_key,
    optional_text,
    parse_counts,
    parse_flags,
    parse_ids,
    parse_times,
    snowflake_instants,
    stable_ids,
    unescape_html,
)
from leaderlens.readers.records import RawTable, fail_broken
from leaderlens.readers.tables import load_table, missing_column, resolve_columns

COUNTS: tuple[str, ...] = ("likes", "reposts", "replies", "quotes", "views")
X_URL = "https://x.com/i/status/"  # + tweet id: resolves without knowing the handle

# Canonical field -> common column names (compared lower-case, spaces/dashes as "_"), in order
# of preference. ``id`` is the user's own statement id; ``tweet_id`` an X status id.
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("statement_id", "id", "post_id"),
    "tweet_id": ("tweet_id", "tweetid", "id_str", "status_id"),
    "ts": (
        "ts", "time", "timestamp", "datetime", "date_time", "created_at", "created", "date",
        "posted_at", "published_at",
    ),
    "text": ("text", "full_text", "tweet", "content", "body", "message", "post"),
    "channel": ("channel",),
    "url": ("url", "link", "permalink"),
    "language": ("language", "lang"),
    "likes": (
        "likes", "like_count", "likes_count", "favorite_count", "favourite_count", "favorites",
    ),
    "reposts": (
        "reposts", "repost_count", "retweets", "retweet_count", "retweets_count", "shares",
    ),
    "replies": ("replies", "reply_count", "replies_count"),
    "quotes": ("quotes", "quote_count", "quotes_count"),
    "views": ("views", "view_count", "views_count", "impressions", "impression_count"),
    "reply_to": (
        "reply_to", "in_reply_to_status_id_str", "in_reply_to_status_id", "in_reply_to",
        "in_reply_to_tweet_id", "replying_to",
    ),
    "is_reply": ("is_reply", "isreply", "reply"),
}  # fmt: skip
_CHANNEL_SYNONYMS = {"twitter": "x", "x.com": "x", "tweet": "x"}


def read_statements(
    source: str | Path | Any,
    *,
    format: str | None = None,
    tz: str | None = None,
    channel: str | None = None,
    columns: Mapping[str, str] | None = None,
    on_bad_rows: str = "error",
    encoding: str = "utf-8",
    kind: Literal["statements", "brand_posts"] = "statements",
) -> ReadResult:
    """Read statements (or brand posts, ``kind="brand_posts"``) from a file or a DataFrame.

    Parameters
    ----------
    source: a path (CSV/TSV, JSON Lines, Parquet, X archive ``tweets.js``; gzip allowed) or a
        pandas / polars DataFrame.
    format: one of :data:`STATEMENT_FORMATS`; ``None`` detects it from the content.
    tz: IANA zone of times written without a UTC offset (never overrides an offset).
    channel: channel of rows whose file gives none (one of ``base.CHANNELS``); by default
        ``x`` for X content and ``other`` otherwise.
    columns: canonical name -> the file's column, for names not recognised (keys:
        ``id, tweet_id, ts, text, channel, url, language, likes, reposts, replies, quotes,
        views, reply_to, is_reply``).
    on_bad_rows: ``"error"`` raises on the first bad row naming file, line and field;
        ``"skip"`` leaves bad rows out and lists them in ``rejects``.
    encoding: text encoding of the file.

    Returns
    -------
    ReadResult with ``frame`` columns ``COLUMNS["statements"]``, sorted by ``ts``, one row per
    ``statement_id``; ``frame.index`` holds each row's input position (see ``lines``).

    Raises
    ------
    BadInputError: a missing column, an unknown option, or a bad row under ``"error"``.
    """
    kind = check_choice("kind", kind, ("statements", "brand_posts"))  # type: ignore[assignment]
    check_choice("on_bad_rows", on_bad_rows, ON_BAD_ROWS)
    if channel is not None:
        check_choice("channel", channel, CHANNELS)
    if tz is not None:
        check_time_zone(tz)
    table = load_table(source, format=format, formats=STATEMENT_FORMATS, encoding=encoding)
    if table.format == "x-archive" and columns:
        raise BadInputError(
            "columns does not apply to an X archive, whose fields are fixed", field="columns"
        )
    found = resolve_columns(table, ALIASES, columns, nested=COUNTS)
    return _read(table, found, tz=tz, channel=channel, on_bad_rows=on_bad_rows, kind=kind)


def _read(
    table: RawTable,
    found: dict[str, str],
    *,
    tz: str | None,
    channel: str | None,
    on_bad_rows: str,
    kind: Literal["statements", "brand_posts"],
) -> ReadResult:
    frame, n = table.frame, table.n
    is_x = table.format == "x-archive" or "tweet_id" in found
    if "text" not in found:
        raise missing_column(table, "text", ALIASES["text"])
    checker = RowChecker(table.source, n, table.lines, on_bad_rows)
    fail_broken(table, checker)
    notes: list[str] = []

    tweet_ids = (
        parse_ids(frame[found["tweet_id"]], field="tweet_id", checker=checker)
        if "tweet_id" in found
        else None
    )
    fast_ts = arrow_instants(frame[found["ts"]]) if "ts" in found else None
    if fast_ts is not None:  # the usual export: every time ISO 8601 with its offset
        ts, time_zone = fast_ts, ALL_AWARE_HOW
        fail_out_of_range(checker, ts, "ts")
    elif "ts" in found:
        ts, time_zone = parse_times(frame[found["ts"]], tz=tz, field="ts", checker=checker)
    elif tweet_ids is not None:
        ts, time_zone = _snowflake_times(tweet_ids, checker)
    else:
        raise missing_column(table, "ts", ALIASES["ts"], " and no tweet id to take it from")

    raw_text = as_text(frame[found["text"]])
    checker.fail(blank(raw_text), "text", "empty text")
    text, unescaped = unescape_html(raw_text)
    if unescaped:
        notes.append(
            f"HTML entities decoded in {unescaped:,} text{'s' if unescaped != 1 else ''} "
            f"(&amp; -> &)"
        )

    counts = {
        c: parse_counts(frame[found[c]], field=c, checker=checker)
        if c in found
        else pd.Series(pd.arrays.IntegerArray(np.zeros(n, np.int64), np.ones(n, dtype=bool)))
        for c in COUNTS
    }
    channels = _channels(frame, found, checker, channel, "x" if is_x else "other")
    if is_x and table.format != "x-archive" and channel is None and "channel" not in found:
        notes.append(f"channel 'x': the tweet id column {found['tweet_id']!r} marks X content")

    ids, id_note = _statement_ids(frame, found, tweet_ids, ts, raw_text)
    notes.append(id_note)
    url = optional_text(frame[found["url"]]) if "url" in found else _na_text(n)
    if is_x and tweet_ids is not None:
        derive = url.isna().to_numpy() & tweet_ids.notna().to_numpy()
        if derive.any():
            url[derive] = (X_URL + as_text(tweet_ids))[derive]
            notes.append(f"{int(derive.sum()):,} urls built from tweet ids ({X_URL}<id>)")
    language = optional_text(frame[found["language"]]) if "language" in found else _na_text(n)
    is_reply, reply_note = _replies(frame, found, checker, raw_text, channels)
    notes.append(reply_note)

    out = pd.DataFrame(
        {
            "statement_id": ids,
            "ts": ts,
            "channel": channels,
            "text": text,
            "url": url,
            "language": language,
            **counts,
            "is_reply": is_reply,
        },
        columns=list(COLUMNS["statements"]),
    )
    good = ~checker.bad
    positions = np.flatnonzero(good)
    # Taking rows copies every column (the texts too): only when some row failed.
    checked = out if good.all() else out.iloc[positions]
    kept, dup_note = dedupe(checked, KEYS[kind], checker, positions, "statement id")
    _, rejects = checker.finish()  # raises under "error"; bad rows are not in ``kept``
    if dup_note:
        notes.append(dup_note)
    in_order = kept["ts"].is_monotonic_increasing  # an export in time order needs no sort
    return ReadResult(
        kind=kind,
        frame=kept if in_order else kept.sort_values("ts", kind="stable"),
        source=table.source,
        format=table.format,
        time_zone=time_zone,
        rejects=rejects,
        notes=tuple(notes),
        lines=table.lines,
    )


def _snowflake_times(tweet_ids: pd.Series, checker: RowChecker) -> tuple[pd.Series, str]:
    """Times from the tweet ids when the table has no time column."""
    ts, no_time = snowflake_instants(tweet_ids)
    fail_values(
        checker, no_time & tweet_ids.notna().to_numpy(), "tweet_id", as_text(tweet_ids),
        lambda v: f"tweet id {v} predates X snowflake ids (Nov 2010): it carries no time",
        "tweet id predates X snowflake ids (Nov 2010): it carries no time",
    )  # fmt: skip
    checker.fail(tweet_ids.isna().to_numpy(), "tweet_id", "no time column and no tweet id")
    return ts, (
        "no time column: times decoded from the tweet ids (X snowflake ids, "
        "ms = (id >> 22) + 1288834974657), UTC, to the millisecond"
    )


def _na_text(n: int) -> pd.Series:
    return pd.Series(pd.NA, index=pd.RangeIndex(n), dtype="string")


def _channels(
    frame: pd.DataFrame,
    found: dict[str, str],
    checker: RowChecker,
    given: str | None,
    default: str,
) -> pd.Series:
    """The channel column's values (blanks take ``given`` or ``default``); others fail."""
    fill = given or default
    n = len(frame)
    if "channel" not in found:
        return pd.Series(fill, index=pd.RangeIndex(n), dtype="string")
    values = as_text(frame[found["channel"]]).str.strip().str.lower()
    values = values.replace(_CHANNEL_SYNONYMS)
    values = values.mask(values == "").fillna(fill)
    unknown = ~values.isin(CHANNELS).to_numpy(dtype=bool)
    fail_values(
        checker, unknown, "channel", values,
        lambda v: f"unknown channel {v!r}; channels are {', '.join(CHANNELS)}",
        f"unknown channel; channels are {', '.join(CHANNELS)}",
    )  # fmt: skip
    return values


def _statement_ids(
    frame: pd.DataFrame,
    found: dict[str, str],
    tweet_ids: pd.Series | None,
    ts: pd.Series,
    text: pd.Series,
) -> tuple[pd.Series, str]:
    """Given ids, else tweet ids, else a stable hash of (time, text); and a note saying so."""
    n = len(frame)
    ids = optional_text(frame[found["id"]]) if "id" in found else _na_text(n)
    sources = []
    if "id" in found:
        sources.append(f"column {found['id']!r}")
    if tweet_ids is not None:
        ids = ids.fillna(as_text(tweet_ids))
        sources.append("the tweet ids")
    missing = ids.isna().to_numpy()
    if missing.any():
        hashed = stable_ids([instant_key(ts[missing]), text[missing]], "h")
        ids[missing] = hashed.to_numpy()
        sources.append(f"a hash of time and text for {int(missing.sum()):,} rows")
    return ids.astype("string"), "statement ids from " + ", then ".join(sources)


def _replies(
    frame: pd.DataFrame,
    found: dict[str, str],
    checker: RowChecker,
    text: pd.Series,
    channels: pd.Series,
) -> tuple[pd.Series, str]:
    """``is_reply`` from a yes/no column, a reply-to column, or (X only) a leading ``@``."""
    if "is_reply" in found:
        flags = parse_flags(frame[found["is_reply"]], field="is_reply", checker=checker)
        return flags, f"is_reply from column {found['is_reply']!r}"
    if "reply_to" in found:
        target = as_text(frame[found["reply_to"]]).str.strip()
        none = target.str.lower().isin(["0", "none", "null", "nan"]).to_numpy(dtype=bool)
        replying = ~blank(target) & ~none
        return (
            pd.Series(pd.array(replying, dtype="boolean")),
            f"is_reply from column {found['reply_to']!r} (a reply-to id present)",
        )
    on_x = (channels == "x").to_numpy(dtype=bool)
    if not on_x.any():
        return pd.Series(pd.NA, index=pd.RangeIndex(len(text)), dtype="boolean"), (
            "is_reply unknown (no reply-to field)"
        )
    at = text.str.lstrip().str.startswith("@").fillna(False).to_numpy(dtype=bool)
    flags = pd.Series(pd.array(at, dtype="boolean")).mask(~on_x)
    return flags, (
        "is_reply inferred for X rows from text starting with '@' (no reply-to field); "
        "unknown for other channels"
    )
