"""Reading mentions: pieces of public conversation about a brand (for share of voice).

Canonical frame ``COLUMNS["mentions"]``: ``mention_id``, ``ts`` (UTC instant), ``text``,
``author``, ``engagement`` (float64, NaN when unknown) and ``platform``. Inputs are CSV/TSV,
JSON Lines (or a JSON array), Parquet or a DataFrame with at least a time and a text column.

``engagement`` is the file's engagement column when there is one, else the sum of whichever of
likes, reposts and replies it has (a blank count adds nothing; all blank gives NaN).
``mention_id`` is the file's id when given, else a stable hash of (time, author, text), so that
loading the same file again adds nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from leaderlens.errors import check_choice
from leaderlens.options import MENTION_FORMATS
from leaderlens.readers.base import (
    COLUMNS,
    KEYS,
    ON_BAD_ROWS,
    ReadResult,
    RowChecker,
    check_time_zone,
    dedupe,
    numbers,
)
from leaderlens.readers.fields import (
    as_text,
    blank,
    fail_values,
    instant_key,
    optional_text,
    parse_counts,
    parse_times,
    stable_ids,
)
from leaderlens.readers.records import fail_broken
from leaderlens.readers.tables import (
    load_table,
    missing_column,
    normalize_name,
    resolve_columns,
)

_PARTS: tuple[str, ...] = ("likes", "reposts", "replies")

ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("mention_id", "id", "tweet_id", "id_str", "post_id", "status_id"),
    "ts": (
        "ts", "time", "timestamp", "datetime", "date_time", "created_at", "created", "date",
        "posted_at", "published_at",
    ),
    "text": ("text", "full_text", "tweet", "content", "body", "message", "post"),
    "author": (
        "author", "username", "user", "user_name", "screen_name", "handle", "author_id",
        "user_id",
    ),
    "engagement": ("engagement", "engagements", "interactions", "total_engagement"),
    "likes": (
        "likes", "like_count", "likes_count", "favorite_count", "favourite_count", "favorites",
    ),
    "reposts": (
        "reposts", "repost_count", "retweets", "retweet_count", "retweets_count", "shares",
    ),
    "replies": ("replies", "reply_count", "replies_count"),
    "platform": ("platform", "network", "site"),
}  # fmt: skip
_TWEET_TEXT = ("tweet", "tweet_text")


def read_mentions(
    source: str | Path | Any,
    *,
    format: str | None = None,
    tz: str | None = None,
    columns: Mapping[str, str] | None = None,
    platform: str | None = None,
    on_bad_rows: str = "error",
    encoding: str = "utf-8",
) -> ReadResult:
    """Read mentions of a brand from a file or a DataFrame.

    Parameters
    ----------
    source: a path (CSV/TSV, JSON Lines, Parquet; gzip allowed) or a pandas / polars DataFrame.
    format: one of :data:`MENTION_FORMATS`; ``None`` detects it from the content.
    tz: IANA zone of times written without a UTC offset.
    columns: canonical name -> the file's column (keys: ``id, ts, text, author, engagement,
        likes, reposts, replies, platform``).
    platform: platform of rows whose file gives none (``x``, ``reddit``, ...); stored lower-case.
    on_bad_rows: ``"error"`` or ``"skip"`` (bad rows listed in ``rejects``).
    encoding: text encoding of the file.

    Returns
    -------
    ReadResult with ``frame`` columns ``COLUMNS["mentions"]``, sorted by ``ts``, one row per
    ``mention_id``; ``frame.index`` holds each row's input position (see ``lines``).
    """
    check_choice("on_bad_rows", on_bad_rows, ON_BAD_ROWS)
    if tz is not None:
        check_time_zone(tz)
    table = load_table(source, format=format, formats=MENTION_FORMATS, encoding=encoding)
    found = resolve_columns(table, ALIASES, columns, nested=("author", "engagement", *_PARTS))
    for needed in ("ts", "text"):
        if needed not in found:
            raise missing_column(table, needed, ALIASES[needed])
    frame, n = table.frame, table.n
    checker = RowChecker(table.source, n, table.lines, on_bad_rows)
    fail_broken(table, checker)
    notes: list[str] = []

    ts, time_zone = parse_times(frame[found["ts"]], tz=tz, field="ts", checker=checker)
    text = as_text(frame[found["text"]])
    checker.fail(blank(text), "text", "empty text")
    author = optional_text(frame[found["author"]]) if "author" in found else _na_text(n)
    engagement, engagement_note = _engagement(frame, found, checker)
    notes.append(engagement_note)
    platforms, platform_note = _platforms(frame, found, platform)
    if platform_note:
        notes.append(platform_note)

    if "id" in found:
        ids = optional_text(frame[found["id"]])
        missing = ids.isna().to_numpy()
        notes.append(f"mention ids from column {found['id']!r}")
    else:
        ids, missing = _na_text(n), np.ones(n, dtype=bool)
    if missing.any():
        hashed = stable_ids([instant_key(ts[missing]), author[missing], text[missing]], "m")
        ids[missing] = hashed.to_numpy()
        which = "mention ids" if missing.all() else f"{int(missing.sum()):,} mention ids"
        notes.append(
            f"{which} are a stable hash of time, author and text (re-loading the file adds nothing)"
        )

    out = pd.DataFrame(
        {
            "mention_id": ids,
            "ts": ts,
            "text": text,
            "author": author,
            "engagement": engagement,
            "platform": platforms,
        },
        columns=list(COLUMNS["mentions"]),
    )
    positions = np.flatnonzero(~checker.bad)
    kept, dup_note = dedupe(out.iloc[positions], KEYS["mentions"], checker, positions, "mention")
    _, rejects = checker.finish()  # raises under "error"; bad rows are not in ``kept``
    if dup_note:
        notes.append(dup_note)
    return ReadResult(
        kind="mentions",
        frame=kept.sort_values("ts", kind="stable"),
        source=table.source,
        format=table.format,
        time_zone=time_zone,
        rejects=rejects,
        notes=tuple(notes),
        lines=table.lines,
    )


def _na_text(n: int) -> pd.Series:
    return pd.Series(pd.array([pd.NA] * n, dtype="string"))


def _engagement(
    frame: pd.DataFrame, found: dict[str, str], checker: RowChecker
) -> tuple[np.ndarray, str]:
    """The engagement column, else likes + reposts + replies (those present); NaN if none."""
    n = len(frame)
    if "engagement" in found:
        text = as_text(frame[found["engagement"]])
        values, bad = numbers(text)
        fail_values(
            checker, bad, "engagement", text,
            lambda v: f"engagement {v!r} is not a number", "engagement is not a number",
        )  # fmt: skip
        finite = np.isfinite(values)
        checker.fail(~finite & ~np.isnan(values), "engagement", "engagement is not finite")
        checker.fail(finite & (values < 0), "engagement", "negative engagement")
        return np.where(finite, values, np.nan), f"engagement from column {found['engagement']!r}"
    parts = [c for c in _PARTS if c in found]
    if not parts:
        return np.full(n, np.nan), "no engagement in the file (left empty)"
    counts = np.column_stack(
        [
            parse_counts(frame[found[c]], field=c, checker=checker).to_numpy(
                dtype="float64", na_value=np.nan
            )
            for c in parts
        ]
    )
    none = np.isnan(counts).all(axis=1)
    total = np.where(none, np.nan, np.nansum(counts, axis=1))
    named = " + ".join(f"{c} ({found[c]!r})" for c in parts)
    return total, f"engagement = {named}"


def _platforms(
    frame: pd.DataFrame, found: dict[str, str], given: str | None
) -> tuple[pd.Series, str | None]:
    """Platform per row: the file's column, then ``platform``, then ``x`` for a tweet file."""
    n = len(frame)
    fill: str | None = given.strip().lower() if given else None
    note = None
    if fill is None and "platform" not in found and _looks_like_tweets(found):
        fill, note = "x", f"platform 'x' (the text column is {found['text']!r})"
    values = (
        optional_text(frame[found["platform"]]).str.lower() if "platform" in found else _na_text(n)
    )
    if fill is not None:
        values = values.fillna(fill)
    return values.astype("string"), note


def _looks_like_tweets(found: dict[str, str]) -> bool:
    return normalize_name(found["text"]) in _TWEET_TEXT
