"""Leader share of voice and net sentiment of the brand conversation (METHODS.md section 4).

Share of voice in a bucket is the share of the brand's mentions that also name the leader,
plain (counts) and weighted by engagement. Query terms match case-insensitively; a term made of
Latin letters or digits must stand alone (not inside a longer Latin word: ``VOLT`` does not
match ``Voltra``), while a term containing Chinese, Japanese or Korean characters matches as a
plain substring, because those scripts do not separate words with spaces (``林巍`` inside
``因为林巍才关注`` counts). The boundary is an explicit ASCII class, not the regex ``\\b``,
which counts CJK characters as word characters and so fails on ``林巍说Orbit的``.

:func:`share_of_voice_on` computes the same share where the mentions lie (Parquet, a Spark
table) through an engine (:mod:`leaderlens.engines`): the match is one regular expression over
the lower-cased text that DuckDB (RE2) and Spark (Java) read alike, and only one row per bucket
comes back.

Net sentiment is ``(P - N) / (P + N)`` per bucket over texts labelled positive (P) and
negative (N); neutral texts are excluded from both terms (and counted separately).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from leaderlens.errors import BadInputError

if TYPE_CHECKING:
    from leaderlens.engines.base import Engine

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_FREQ = {"1d": "D", "1h": "h", "1w": "W-MON"}


def term_pattern(terms: Iterable[str]) -> re.Pattern[str]:
    """One case-insensitive pattern matching any of ``terms`` (see the module docstring)."""
    parts = []
    for term in dict.fromkeys(t.strip() for t in terms):
        if not term:
            continue
        body = re.escape(term)
        parts.append(body if _CJK.search(term) else rf"(?<![0-9A-Za-z_]){body}(?![0-9A-Za-z_])")
    if not parts:
        raise BadInputError("no query terms given", field="terms")
    return re.compile("|".join(parts), flags=re.IGNORECASE)


def sql_pattern(terms: Iterable[str]) -> str:
    """The terms as one regular expression over lower-cased text, same matches as
    :func:`term_pattern`, in the syntax RE2 and Java share: Latin terms between
    ``(^|[^0-9a-z_])`` and ``($|[^0-9a-z_])``, every other character literal as ``[c]``."""
    parts = []
    for term in dict.fromkeys(t.strip().lower() for t in terms):
        if not term:
            continue
        if any(c in term for c in "[]^\\"):
            raise BadInputError(
                f"query term {term!r}: the characters [ ] ^ \\ cannot be matched on an engine",
                field="terms",
            )
        body = "".join(c if c.isalnum() or c == " " else f"[{c}]" for c in term)
        parts.append(body if _CJK.search(term) else f"(^|[^0-9a-z_]){body}($|[^0-9a-z_])")
    if not parts:
        raise BadInputError("no query terms given", field="terms")
    return "|".join(f"({p})" for p in parts)


def names_any(texts: pd.Series, terms: Iterable[str]) -> np.ndarray:
    """Whether each text contains one of ``terms``; shape (n,) bool (missing text: False)."""
    pattern = term_pattern(terms)
    found = texts.astype("string").str.contains(pattern, regex=True)
    return found.fillna(False).to_numpy(dtype=bool)


def bucket_labels(ts: pd.Series, freq: str) -> pd.Series:
    """UTC bucket start of each instant (``1d`` days, ``1h`` hours, ``1w`` weeks from Monday)."""
    if freq not in _FREQ:
        raise BadInputError(f"freq must be one of {', '.join(_FREQ)}; got {freq!r}", field="freq")
    stamps = pd.to_datetime(ts, utc=True)
    if freq == "1w":
        day = stamps.dt.floor("D")
        return day - pd.to_timedelta(day.dt.day_of_week, unit="D")
    return stamps.dt.floor(_FREQ[freq])


@dataclass(frozen=True)
class ShareOfVoice:
    """Leader share of a brand's conversation.

    Fields
    ------
    per_bucket: frame per bucket: ``ts``, ``mentions``, ``leader_mentions``, ``share``,
        ``engagement``, ``leader_engagement``, ``weighted_share``.
    mentions, leader_mentions: totals; share: overall plain share.
    ci_low, ci_high: Wilson score interval of ``share`` (Wilson 1927) at ``level``.
    engagement, leader_engagement: totals; weighted_share: engagement-weighted share.
    terms: the leader query terms used; freq: bucket size.
    """

    per_bucket: pd.DataFrame
    mentions: int
    leader_mentions: int
    share: float
    ci_low: float
    ci_high: float
    level: float
    engagement: float
    leader_engagement: float
    weighted_share: float
    terms: tuple[str, ...]
    freq: str

    def summary(self) -> str:
        return (
            f"leader share of voice: {self.share:.1%} of {self.mentions:,} mentions name the "
            f"leader ({self.level:.0%} CI {self.ci_low:.1%}-{self.ci_high:.1%}); weighted by "
            f"engagement {self.weighted_share:.1%}; terms: {', '.join(self.terms)}"
        )

    def to_frame(self) -> pd.DataFrame:
        return self.per_bucket.copy()


def wilson(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial share k / n."""
    if n == 0:
        return float("nan"), float("nan")
    z = stats.norm.ppf(0.5 + level / 2.0)
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return float(centre - half), float(centre + half)


def share_of_voice(
    mentions: pd.DataFrame,
    leader_terms: Iterable[str],
    *,
    freq: str = "1d",
    level: float = 0.95,
) -> ShareOfVoice:
    """Share of ``mentions`` (columns ``ts``, ``text``, ``engagement``) naming the leader."""
    for column in ("ts", "text"):
        if column not in mentions.columns:
            raise BadInputError(f"mentions need a {column!r} column", field=column)
    terms = tuple(dict.fromkeys(t for t in leader_terms if t))
    named = names_any(mentions["text"], terms)
    engagement = (
        pd.to_numeric(mentions["engagement"], errors="coerce").fillna(0.0).to_numpy()
        if "engagement" in mentions.columns
        else np.zeros(len(mentions))
    )
    frame = pd.DataFrame(
        {
            "ts": bucket_labels(mentions["ts"], freq).to_numpy(),
            "mentions": 1,
            "leader_mentions": named.astype(np.int64),
            "engagement": engagement,
            "leader_engagement": np.where(named, engagement, 0.0),
        }
    )
    per = frame.groupby("ts", sort=True).sum().reset_index()
    with np.errstate(invalid="ignore", divide="ignore"):
        per["share"] = per["leader_mentions"] / per["mentions"]
        per["weighted_share"] = per["leader_engagement"] / per["engagement"]
    return voice_totals(
        per, int(named.sum()), len(named), float(engagement.sum()),
        float(engagement[named].sum()), level=level, terms=terms, freq=freq,
    )  # fmt: skip


def voice_totals(
    per: pd.DataFrame,
    k: int,
    n: int,
    total_eng: float,
    leader_eng: float,
    *,
    level: float,
    terms: tuple[str, ...],
    freq: str,
) -> ShareOfVoice:
    """The result from per-bucket counts and the totals: ``k`` of ``n`` mentions name the
    leader (Wilson interval at ``level``), carrying ``leader_eng`` of ``total_eng``."""
    low, high = wilson(k, n, level)
    return ShareOfVoice(
        per_bucket=per,
        mentions=n,
        leader_mentions=k,
        share=k / n if n else float("nan"),
        ci_low=low,
        ci_high=high,
        level=level,
        engagement=total_eng,
        leader_engagement=leader_eng,
        weighted_share=leader_eng / total_eng if total_eng > 0 else float("nan"),
        terms=terms,
        freq=freq,
    )


def net_sentiment(
    ts: pd.Series, label: pd.Series, *, freq: str = "1w", subset: np.ndarray | None = None
) -> pd.DataFrame:
    """Net sentiment ``(P - N) / (P + N)`` per bucket (neutral excluded, counted in
    ``neutral``); ``subset`` (bool, shape (n,)) restricts to some texts, e.g. those naming the
    leader. Columns ``ts``, ``positive``, ``negative``, ``neutral``, ``net_sentiment``."""
    labels = label.astype("string").str.lower().to_numpy(dtype=object)
    keep = np.ones(len(labels), dtype=bool) if subset is None else np.asarray(subset, dtype=bool)
    frame = pd.DataFrame(
        {
            "ts": bucket_labels(ts, freq).to_numpy()[keep],
            "positive": (labels == "positive")[keep].astype(np.int64),
            "negative": (labels == "negative")[keep].astype(np.int64),
            "neutral": (labels == "neutral")[keep].astype(np.int64),
        }
    )
    per = frame.groupby("ts", sort=True).sum().reset_index()
    polar = per["positive"] + per["negative"]
    per["net_sentiment"] = (per["positive"] - per["negative"]) / polar.where(polar > 0)
    return per


def share_of_voice_on(
    mentions: str | Path | pd.DataFrame,
    leader_terms: Iterable[str],
    *,
    freq: str = "1d",
    level: float = 0.95,
    engine: str | Engine = "duckdb",
    master: str | None = None,
) -> ShareOfVoice:
    """:func:`share_of_voice` of mentions read where they lie: a Parquet file or folder, a
    frame, or (Spark) a table name, with columns ``ts`` (UTC instant), ``text`` and optional
    ``engagement``. ``engine``: ``"duckdb"``, ``"spark"`` (``master``: Spark master URL) or an
    engine object. The per-bucket counts are also the hourly (``freq="1h"``) mention series."""
    from leaderlens.engines import relational as rel
    from leaderlens.engines.base import get_engine

    if freq not in _FREQ:
        raise BadInputError(f"freq must be one of {', '.join(_FREQ)}; got {freq!r}", field="freq")
    terms = tuple(dict.fromkeys(t for t in leader_terms if t))
    pattern = sql_pattern(terms)
    eng = get_engine(engine, master) if isinstance(engine, str) else engine
    eng.register(rel.MENTIONS, mentions)
    have = {c.lower() for c in eng.columns(rel.MENTIONS)}
    for column in ("ts", "text"):
        if column not in have:
            raise BadInputError(f"mentions need a {column!r} column", field=column)
    got = eng.query(rel.mentions_sql(pattern=pattern, freq=freq, engagement="engagement" in have))
    per = pd.DataFrame(
        {
            "ts": pd.to_datetime(np.asarray(got["bucket"], dtype=np.int64), unit="us", utc=True),
            "mentions": np.asarray(got["mentions"], dtype=np.int64),
            "leader_mentions": np.asarray(got["leader_mentions"], dtype=np.int64),
            "engagement": np.asarray(got["engagement"], dtype=np.float64),
            "leader_engagement": np.asarray(got["leader_engagement"], dtype=np.float64),
        }
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        per["share"] = per["leader_mentions"] / per["mentions"]
        per["weighted_share"] = per["leader_engagement"] / per["engagement"]
    return voice_totals(
        per, int(per["leader_mentions"].sum()), int(per["mentions"].sum()),
        float(per["engagement"].sum()), float(per["leader_engagement"].sum()),
        level=level, terms=terms, freq=freq,
    )  # fmt: skip
