"""Share of voice and mention counts per bucket where the mentions live: in the workspace's
DuckDB or in Parquet files, without pulling the texts into Python.

The same matching rules as :mod:`leaderlens.attention.share` in RE2 syntax (DuckDB's regex
engine has no look-around): a Latin term must not touch a Latin letter, digit or underscore on
either side, ``(^|[^0-9A-Za-z_])term($|[^0-9A-Za-z_])``; a term with CJK characters matches as
a plain substring; all case-insensitive.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pandas as pd

from leaderlens.attention.share import _CJK
from leaderlens.errors import BadInputError

_TRUNC = {"1h": "hour", "1d": "day", "1w": "week"}
# Bucket keys by integer division of epoch microseconds: several times faster than
# date_trunc on TIMESTAMPTZ, and exact for UTC hours and days. Weeks start on Monday; the
# epoch (1970-01-01) was a Thursday, hence the 3-day shift.
_KEY = {
    "1h": "epoch_us(ts) // 3600000000 * 3600000000",
    "1d": "epoch_us(ts) // 86400000000 * 86400000000",
    "1w": "(epoch_us(ts) + 259200000000) // 604800000000 * 604800000000 - 259200000000",
}


def re2_pattern(terms: Iterable[str]) -> str:
    """One RE2 pattern for ``terms`` (see the module docstring)."""
    parts = []
    for term in dict.fromkeys(t.strip() for t in terms):
        if not term:
            continue
        body = re.escape(term)
        parts.append(body if _CJK.search(term) else f"(?:^|[^0-9A-Za-z_]){body}(?:$|[^0-9A-Za-z_])")
    if not parts:
        raise BadInputError("no query terms given", field="terms")
    return "(?i)(?:" + "|".join(parts) + ")"


def mention_buckets(
    con: Any, relation: str, terms: Iterable[str], *, freq: str = "1h", where: str = ""
) -> pd.DataFrame:
    """Per bucket: ``mentions``, ``leader_mentions``, ``engagement``, ``leader_engagement``,
    ``share`` and ``weighted_share`` over ``relation`` (a table name or ``read_parquet(...)``
    with columns ``ts``, ``text``, ``engagement``); ``where`` is an extra SQL filter written by
    leaderlens (never user text). Buckets are UTC (weeks start on Monday)."""
    if freq not in _TRUNC:
        raise BadInputError(f"freq must be one of {', '.join(_TRUNC)}; got {freq!r}", field="freq")
    pattern = re2_pattern(terms)
    out = con.execute(
        f"""
        WITH m AS (
            SELECT {_KEY[freq]} AS bucket,
                   coalesce(regexp_matches(text, ?), FALSE) AS named,
                   coalesce(engagement, 0) AS engagement
            FROM {relation} {("WHERE " + where) if where else ""}
        )
        SELECT make_timestamp(bucket) AS ts, count(*) AS mentions,
               count(*) FILTER (WHERE named) AS leader_mentions,
               sum(engagement) AS engagement,
               coalesce(sum(engagement) FILTER (WHERE named), 0) AS leader_engagement,
               leader_mentions / mentions AS share,
               leader_engagement / nullif(sum(engagement), 0) AS weighted_share
        FROM m GROUP BY bucket ORDER BY bucket
        """,
        [pattern],
    ).df()
    out["ts"] = pd.to_datetime(out["ts"]).dt.tz_localize("UTC")
    return out
