"""The official X (Twitter) archive: ``data/tweets.js`` and its ``tweets-partN.js`` siblings.

An archive file is a JavaScript assignment of one JSON array::

    window.YTD.tweets.part0 = [
      {
        "tweet" : {
          "id_str" : "1575581872913907712",
          "created_at" : "Thu Sep 29 20:22:46 +0000 2022",
          "full_text" : "Cybertruck will be waterproof enough ... lakes &amp; even seas",
          "favorite_count" : "124276",
          "retweet_count" : "9732",
          "in_reply_to_status_id_str" : "1575508000000000000",
          "lang" : "en",
          ...
        }
      },
      ...
    ]

Archives written before 2019 hold the tweet objects directly, without the ``"tweet"`` wrapper
(``window.YTD.tweet.part0 = [ {"id_str": ...}, ... ]``); both are read. Counts are strings, the
text is HTML-escaped (``&amp;``) as on the X web API, and ``created_at`` carries ``+0000``.
The archive holds no quote or view counts and no handle (that is in ``account.js``).

Reference: X Help Center, "How to download your X archive", and the ``README.txt`` shipped in
every archive, which documents ``tweets.js`` and the ``window.YTD`` wrapper.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from leaderlens.errors import BadInputError
from leaderlens.readers.records import RawTable, json_array_elements, records_table

_WRAPPER = re.compile(r"\A\s*window\.YTD\.[A-Za-z0-9_]+\.part\d+\s*=\s*")

# The archive fields a statement needs; the statement reader knows them by these names.
FIELDS: tuple[str, ...] = (
    "id_str",
    "created_at",
    "full_text",
    "favorite_count",
    "retweet_count",
    "in_reply_to_status_id_str",
    "lang",
)


_TWEET_KEYS = {"full_text", "text", "id_str", "id", "created_at"}


def is_x_archive(text: str) -> bool:
    """Whether ``text`` is an X archive data file (``window.YTD.<name>.partN = [``)."""
    return _WRAPPER.match(text[:200]) is not None


def read_x_archive_table(text: str, source: str) -> RawTable:
    """The tweets of an archive file as a :class:`RawTable` with the columns in :data:`FIELDS`.

    Each row's line is the line on which that tweet's object starts. A tweet object that is not
    a JSON object, or an element that is neither a tweet nor a ``{"tweet": {...}}`` wrapper, is
    a broken row.
    """
    head = _WRAPPER.match(text)
    if head is None:
        raise BadInputError(
            "not an X archive file: it does not start with 'window.YTD.<name>.part<N> = ['",
            file=source,
            line=1,
        )
    start = head.end()
    if not text.startswith("[", start):
        raise BadInputError(
            "not an X archive file: no JSON array after the 'window.YTD' assignment",
            file=source,
            line=text.count("\n", 0, start) + 1,
        )
    elements, lines = json_array_elements(text, start, source)
    records: list[dict[str, Any] | None] = []
    reasons: list[str | None] = []
    for element in elements:
        tweet = element.get("tweet", element) if isinstance(element, dict) else None
        if not isinstance(tweet, dict) or not _TWEET_KEYS & tweet.keys():
            records.append(None)
            reasons.append("not a tweet object (no full_text, text, id_str or created_at)")
            continue
        # Older archives have "text" instead of "full_text" and a numeric "id".
        if "full_text" not in tweet and "text" in tweet:
            tweet = {**tweet, "full_text": tweet["text"]}
        if "id_str" not in tweet and "id" in tweet:
            tweet = {**tweet, "id_str": tweet["id"]}
        records.append({name: tweet.get(name) for name in FIELDS})
        reasons.append(None)
    if records and all(r is None for r in records):
        raise BadInputError(
            f"no tweets in this archive file: {reasons[0]}", file=source, line=int(lines[0])
        )
    return records_table(
        records,
        np.asarray(lines, dtype=np.int64),
        reasons,
        source=source,
        format="x-archive",
        columns=FIELDS,
    )
