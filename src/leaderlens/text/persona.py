# ruff: noqa: RUF001  (Chinese punctuation and typographic quotes are data here)
"""Persona features of a leader per period: how close to the public the voice is.

Features (all computed with vectorised pandas operations over the leader's statements):

* ``reply_share``: share of statements that are replies to someone (``is_reply``);
* ``first_person_rate``: share using the first person singular (I, me, my, mine, myself, 我);
* ``emoji_rate`` / ``exclamation_rate``: share with an emoji / an exclamation mark, and
  ``informality`` their mean (informal register, cf. Biber's involved vs. informational
  production, *Variation across Speech and Writing*, 1988);
* ``product_experience_share``: share on the product topic *and* in the first person ("I drove
  the new car"): the "chief experience officer" voice;
* cadence: ``posts_per_active_day``, ``median_gap_hours`` and the hour-of-day profile in the
  leader's own time zone;
* controversy proxy (METHODS.md section 4): ``ratio`` = replies / likes summed over the period,
  ``strongly_negative_share`` (sentiment < -0.5) and ``politics_share``;
* ``mean_sentiment``, one ``topic_<name>`` share per topic and the channel mix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from leaderlens.errors import BadInputError, MissingDataError, check_choice
from leaderlens.options import PERSONA_BY as BY

STRONGLY_NEGATIVE = -0.5
_FIRST_PERSON = r"(?i)(?:\b(?:i|i'm|i’m|i've|i’ve|i'll|i’ll|i'd|i’d|me|my|mine|myself)\b|我)"
_EMOJI = "[\U0001f300-\U0001faff\u2600-\u27bf\U0001f1e6-\U0001f1ff]"
_EXCLAIM = "[!！]"
FEATURES: tuple[str, ...] = (
    "statements",
    "reply_share",
    "first_person_rate",
    "emoji_rate",
    "exclamation_rate",
    "informality",
    "product_experience_share",
    "posts_per_active_day",
    "median_gap_hours",
    "ratio",
    "strongly_negative_share",
    "politics_share",
    "mean_sentiment",
)


@dataclass(frozen=True)
class Persona:
    """Persona of one leader.

    features: one row per period (index ``period``), the columns of :data:`FEATURES` then
        ``topic_<name>`` shares.
    hours: one row per period, columns 0..23: share of statements per local hour.
    channels: one row per period, one column per channel: share of statements.
    """

    leader: str
    by: str
    tz: str
    features: pd.DataFrame
    hours: pd.DataFrame
    channels: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """Tidy wide frame: features, ``hour_HH`` shares and ``channel_<name>`` shares."""
        hours = self.hours.rename(columns=lambda h: f"hour_{int(h):02d}")
        channels = self.channels.add_prefix("channel_")
        out = pd.concat([self.features, hours, channels], axis=1)
        out.insert(0, "leader", self.leader)
        return out

    def summary(self) -> str:
        lines = [f"persona of {self.leader} (by {self.by}; hours in {self.tz})"]
        shown = self.features.copy()
        peak = self.hours.idxmax(axis=1)
        shown["peak_hour"] = peak
        lines.append(shown.T.to_string(float_format=lambda v: f"{v:.3f}"))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return self.to_frame().to_html(float_format=lambda v: f"{v:.3f}")


def _period(local: pd.Series, by: str) -> pd.Series:
    if by == "year":
        return local.dt.year.astype(str)
    if by == "quarter":
        return local.dt.tz_localize(None).dt.to_period("Q").astype(str)
    return pd.Series("all", index=local.index)


def persona_features(
    frame: pd.DataFrame, *, leader: str, by: str = "all", tz: str = "UTC"
) -> Persona:
    """Persona features from annotated statements.

    ``frame`` needs ``ts`` (UTC), ``text``, ``is_reply``, ``likes``, ``replies``, ``channel``,
    ``sentiment`` and ``topics`` (list per row), as :func:`leaderlens.text.annotate.annotated`
    returns. The caller's frame is not modified.
    """
    check_choice("by", by, BY)
    if frame.empty:
        raise MissingDataError(f"no statements for leader {leader!r}", field="leader")
    try:
        local = pd.to_datetime(frame["ts"], utc=True).dt.tz_convert(tz)
    except Exception as exc:
        raise BadInputError(f"unknown time zone {tz!r}", field="tz") from exc
    text = frame["text"].fillna("").astype(str)
    topics = frame["topics"].map(lambda t: set(t) if isinstance(t, list | np.ndarray) else set())
    names = sorted(set().union(*topics)) if len(topics) else []
    first = text.str.contains(_FIRST_PERSON, regex=True)
    emoji = text.str.contains(_EMOJI, regex=True)
    exclaim = text.str.contains(_EXCLAIM, regex=True)
    product = topics.map(lambda t: "product" in t)
    data = pd.DataFrame(
        {
            "period": _period(local, by),
            "ts": local,
            "day": local.dt.date,
            "hour": local.dt.hour,
            "channel": frame["channel"].fillna("unknown").astype(str),
            "reply": frame["is_reply"].astype("boolean").fillna(False).astype(float),
            "first": first.astype(float),
            "emoji": emoji.astype(float),
            "exclaim": exclaim.astype(float),
            "experience": (product & first).astype(float),
            "likes": pd.to_numeric(frame["likes"], errors="coerce"),
            "replies": pd.to_numeric(frame["replies"], errors="coerce"),
            "sentiment": pd.to_numeric(frame["sentiment"], errors="coerce"),
            "politics": topics.map(lambda t: "politics" in t).astype(float),
            **{f"topic_{n}": topics.map(lambda t, n=n: n in t).astype(float) for n in names},
        }
    ).sort_values("ts")
    grouped = data.groupby("period", sort=True)
    gaps = grouped["ts"].diff().dt.total_seconds() / 3600.0
    ratio_parts = data.assign(
        likes=data["likes"].where(data["likes"].notna() & data["replies"].notna()),
        replies=data["replies"].where(data["likes"].notna() & data["replies"].notna()),
    ).groupby("period")
    likes_sum = ratio_parts["likes"].sum(min_count=1)
    features = pd.DataFrame(
        {
            "statements": grouped.size().astype(float),
            "reply_share": grouped["reply"].mean(),
            "first_person_rate": grouped["first"].mean(),
            "emoji_rate": grouped["emoji"].mean(),
            "exclamation_rate": grouped["exclaim"].mean(),
            "product_experience_share": grouped["experience"].mean(),
            "posts_per_active_day": grouped.size() / grouped["day"].nunique(),
            "median_gap_hours": gaps.groupby(data["period"]).median(),
            "ratio": ratio_parts["replies"].sum(min_count=1) / likes_sum.where(likes_sum > 0),
            "strongly_negative_share": grouped["sentiment"].agg(
                lambda s: float(np.mean(s < STRONGLY_NEGATIVE)) if s.notna().any() else np.nan
            ),
            "politics_share": grouped["politics"].mean(),
            "mean_sentiment": grouped["sentiment"].mean(),
        }
    )
    features.insert(
        features.columns.get_loc("product_experience_share"),
        "informality",
        (features["emoji_rate"] + features["exclamation_rate"]) / 2.0,
    )
    for n in names:
        features[f"topic_{n}"] = grouped[f"topic_{n}"].mean()
    features.index.name = "period"
    hours = (
        pd.crosstab(data["period"], data["hour"], normalize="index")
        .reindex(columns=range(24), fill_value=0.0)
        .rename_axis(index="period", columns=None)
    )
    channels = pd.crosstab(data["period"], data["channel"], normalize="index").rename_axis(
        index="period", columns=None
    )
    return Persona(leader=leader, by=by, tz=tz, features=features, hours=hours, channels=channels)


def persona(ws: Any, leader: str, *, by: str = "all", tz: str = "UTC") -> Persona:
    """Persona of ``leader`` from the workspace's annotated statements (run annotate first).

    ``tz`` is the leader's own time zone for the hour-of-day profile (e.g.
    ``America/Los_Angeles``, ``Asia/Shanghai``).
    """
    from leaderlens.text.annotate import annotated

    check_choice("by", by, BY)
    frame = annotated(ws, "statements", leader=leader)
    if frame.empty:
        raise MissingDataError(f"no statements for leader {leader!r}", field="leader")
    if not frame["annotation_current"].all():
        stale = int((~frame["annotation_current"]).sum())
        raise MissingDataError(
            f"{stale:,} statements of {leader!r} are not annotated (or changed since): run "
            f"leaderlens annotate --leader {leader}",
            field="leader",
        )
    return persona_features(frame, leader=leader, by=by, tz=tz)


def compare_personas(
    ws: Any, leaders: Sequence[str], *, tz: str | Mapping[str, str] = "UTC"
) -> pd.DataFrame:
    """Leaders side by side over their whole history: one column per leader, one row per
    feature (plus the peak local hour). ``tz`` is one zone or a zone per leader."""
    if not leaders:
        raise BadInputError("give at least one leader", field="leader")
    columns = {}
    for leader in leaders:
        zone = tz if isinstance(tz, str) else tz.get(leader, "UTC")
        found = persona(ws, leader, by="all", tz=zone)
        row = found.features.iloc[0].copy()
        row["peak_hour"] = float(found.hours.iloc[0].idxmax())
        columns[leader] = row
    return pd.DataFrame(columns)
