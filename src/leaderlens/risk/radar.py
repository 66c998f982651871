"""Negative-effect radar: the statements that destroyed the most value, the most controversial
ones, and alert rules a team configures (METHODS section 5).

* Value destroyed: per-event cumulative abnormal return (CAR) and its t statistic from the event
  study (market model, MacKinlay 1997 eqs. 7-15), ranked from the most negative CAR; value at
  stake ``CAR x market capitalisation`` at the last date strictly before day 0, when a market
  capitalisation (a number, or a per-date series) is given.
* Controversy: replies per like (the "ratio" of social-media analysis: replies outrun approval
  when a post provokes), a politics / controversy topic, strongly negative sentiment.
* Alerts: :class:`AlertRules` evaluated row by row on any frame of statements or events.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from leaderlens.errors import BadInputError, MissingDataError
from leaderlens.risk.coincidence import attribution_columns
from leaderlens.risk.common import result_html
from leaderlens.study.fdr import Discoveries

CONTROVERSY_TOPICS: tuple[str, ...] = ("politics", "controversy")
#: Controversy lists rank statements with at least this share of the median engagement.
ENGAGEMENT_FLOOR = 0.1


@dataclass(frozen=True)
class AlertRules:
    """Thresholds a team configures; a row raises an alert when any rule it can be checked
    against fires. None switches a rule off.

    max_car: CAR at or below this (e.g. -0.05). max_car_p: ... and CAR p-value at or below this
    (only with max_car). max_car_q: ... and the CAR's Benjamini-Hochberg q-value over all the
    events studied at or below this (only with max_car; the false discovery rate of the alerts).
    max_value_at_stake: CAR x market cap at or below this (money).
    min_replies_per_like: replies per like at or above this. topics: any of these topics.
    max_sentiment: sentiment score at or below this (e.g. -0.5, strongly negative).
    """

    max_car: float | None = -0.05
    max_car_p: float | None = 0.05
    max_car_q: float | None = None
    max_value_at_stake: float | None = None
    min_replies_per_like: float | None = None
    topics: tuple[str, ...] = CONTROVERSY_TOPICS
    max_sentiment: float | None = -0.5

    def to_dict(self) -> dict[str, object]:
        return {**self.__dict__, "topics": list(self.topics)}


def replies_per_like(likes: np.ndarray, replies: np.ndarray) -> np.ndarray:
    """Replies divided by likes; NaN where likes are zero or either count is missing."""
    likes = np.asarray(likes, dtype=float)
    replies = np.asarray(replies, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(likes > 0, replies / likes, np.nan)


def value_at_stake(
    car: np.ndarray, day0: pd.Series, market_cap: float | pd.Series | None
) -> np.ndarray:
    """``CAR x market capitalisation before the event``: a constant cap, or a per-date series
    (index of dates) read at the last date strictly before day 0; NaN without a cap."""
    car = np.asarray(car, dtype=float)
    if market_cap is None:
        return np.full(car.size, np.nan)
    if isinstance(market_cap, int | float):
        cap = float(market_cap)
        if not np.isfinite(cap) or cap <= 0:
            raise BadInputError(
                f"market_cap must be a positive number; got {cap}", field="market_cap"
            )
        return car * cap
    series = pd.Series(market_cap).dropna().sort_index()
    keys = _utc_ns(pd.Series(series.index))
    when = _utc_ns(pd.Series(day0))
    pos = np.searchsorted(keys, when, side="left") - 1  # strictly before day 0
    before = np.where(pos >= 0, series.to_numpy(dtype=float)[np.maximum(pos, 0)], np.nan)
    return car * before


def _utc_ns(values: pd.Series) -> np.ndarray:
    idx = pd.DatetimeIndex(pd.to_datetime(values))
    idx = idx.tz_localize("UTC") if idx.tz is None else idx.tz_convert("UTC")
    return idx.as_unit("ns").asi8


def controversy_frame(
    statements: pd.DataFrame,
    *,
    topics: Sequence[str] = CONTROVERSY_TOPICS,
    negative: float = -0.5,
    min_engagement: float | None = None,
) -> pd.DataFrame:
    """One row per statement with ``replies_per_like``, ``controversial_topic``,
    ``strongly_negative`` (False when there is no ``topics`` / ``sentiment`` column) and
    ``engaged`` (likes + replies at least ``min_engagement``; default a tenth of the median of
    the leader's statements (ENGAGEMENT_FLOOR), so that a post with 23 likes and 115 replies
    does not top the list of a leader whose posts draw thousands),
    ranked by replies per like among the engaged statements, highest first, then the others
    (``controversy_rank`` NaN). The input is not modified."""
    for col in ("statement_id", "likes", "replies"):
        if col not in statements.columns:
            raise BadInputError(f"statements lack column {col!r}", field=col)
    out = statements.copy()
    out["replies_per_like"] = replies_per_like(out["likes"], out["replies"])
    wanted = set(topics)
    if "topics" in out.columns:
        out["controversial_topic"] = [
            bool(wanted.intersection(t)) if isinstance(t, list | tuple | np.ndarray) else False
            for t in out["topics"]
        ]
    else:
        out["controversial_topic"] = False
    if "sentiment" in out.columns:
        out["strongly_negative"] = out["sentiment"].astype(float).le(negative).to_numpy()
    else:
        out["strongly_negative"] = False
    engagement = out["likes"].astype(float).fillna(0) + out["replies"].astype(float).fillna(0)
    floor = (
        ENGAGEMENT_FLOOR * float(engagement.median())
        if min_engagement is None
        else float(min_engagement)
    )
    out["engaged"] = (engagement >= floor).to_numpy()
    ranked = out["replies_per_like"].where(out["engaged"])
    out["controversy_rank"] = ranked.rank(ascending=False, method="min")
    out["_key"] = ranked
    return (
        out.sort_values(["_key", "replies_per_like"], ascending=False, na_position="last")
        .drop(columns="_key")
        .reset_index(drop=True)
    )


def evaluate_alerts(frame: pd.DataFrame, rules: AlertRules) -> pd.DataFrame:
    """The rows of ``frame`` that raise an alert, with a column ``reasons`` (list of the rules
    that fired). Rules whose column is absent from ``frame`` are not checked."""
    fired: dict[str, np.ndarray] = {}
    n = len(frame)
    if rules.max_car is not None and "car" in frame.columns:
        hit = frame["car"].astype(float).le(rules.max_car).to_numpy()
        label = f"CAR <= {rules.max_car:g}"
        if rules.max_car_p is not None and "car_p" in frame.columns:
            hit = hit & frame["car_p"].astype(float).le(rules.max_car_p).to_numpy()
            label += f" with p <= {rules.max_car_p:g}"
        if rules.max_car_q is not None and "car_q_bh" in frame.columns:
            hit = hit & frame["car_q_bh"].astype(float).le(rules.max_car_q).to_numpy()
            label += f" with q (BH) <= {rules.max_car_q:g}"
        fired[label] = hit
    if rules.max_value_at_stake is not None and "value_at_stake" in frame.columns:
        fired[f"value at stake <= {rules.max_value_at_stake:,.0f}"] = (
            frame["value_at_stake"].astype(float).le(rules.max_value_at_stake).to_numpy()
        )
    if rules.min_replies_per_like is not None and "replies_per_like" in frame.columns:
        fired[f"replies per like >= {rules.min_replies_per_like:g}"] = (
            frame["replies_per_like"].astype(float).ge(rules.min_replies_per_like).to_numpy()
        )
    if rules.topics and "topics" in frame.columns:
        wanted = set(rules.topics)
        fired[f"topic in {', '.join(rules.topics)}"] = np.array(
            [
                bool(wanted.intersection(t)) if isinstance(t, list | tuple | np.ndarray) else False
                for t in frame["topics"]
            ],
            dtype=bool,
        )
    if rules.max_sentiment is not None and "sentiment" in frame.columns:
        fired[f"sentiment <= {rules.max_sentiment:g}"] = (
            frame["sentiment"].astype(float).le(rules.max_sentiment).to_numpy()
        )
    if not fired:
        return frame.iloc[0:0].assign(reasons=pd.Series(dtype=object))
    names = np.array(list(fired))
    hits = np.column_stack([fired[k] for k in names]) if n else np.zeros((0, names.size), bool)
    any_hit = hits.any(axis=1)
    out = frame.loc[any_hit].copy()
    out["reasons"] = [names[row].tolist() for row in hits[any_hit]]
    return out.reset_index(drop=True)


@dataclass(frozen=True)
class NegativeRadar:
    """Where the leader's voice hurts.

    Fields
    ------
    value: one row per studied event, most negative CAR first: asset, day0, statement_ids,
        label, car, car_t, car_p, car_q_bh and car_q_by (q-values over all events studied),
        value_at_stake (NaN without a market cap), controversial
        (any of its statements has a controversial topic or strongly negative sentiment),
        value_rank, and the attribution's coincidence risk
        (:data:`leaderlens.risk.coincidence.COLUMNS`: posting rate, share of silent sessions
        with a move as large, expected coincidences, market move, market-wide flag, whether a
        statement is about the company, attributable).
    controversy: one row per statement (see :func:`controversy_frame`), most replies per like
        first, with ``car`` of the event it belongs to.
    alerts: rows of ``value`` and ``controversy`` raising an alert (column ``source``).
    rules: the alert rules. window: event window of the CARs. annotated: whether sentiment
        and topics were available. leader, asset, notes.
    discoveries: events with CAR p <= the study's FDR rate and the discoveries at that rate
        (Benjamini-Hochberg / -Yekutieli): how many of the low p-values survive the
        multiple testing of every statement.
    """

    leader: str
    asset: str
    window: tuple[int, int]
    value: pd.DataFrame
    controversy: pd.DataFrame
    alerts: pd.DataFrame
    rules: AlertRules
    annotated: bool
    notes: tuple[str, ...] = field(default_factory=tuple)
    discoveries: Discoveries | None = None

    def summary(self, top: int = 5) -> str:
        lines = [
            f"negative-effect radar: {self.leader} on {self.asset}, CAR window "
            f"[{self.window[0]}, {self.window[1]}], market model, simple returns",
            f"{len(self.value):,} events studied; most value destroyed:",
        ]
        if self.discoveries is not None:
            lines.insert(1, f"CAR tests: {self.discoveries.summary()}")
        for row in self.value.head(top).itertuples():
            stake = (
                ""
                if np.isnan(row.value_at_stake)
                else f", value at stake {row.value_at_stake:,.0f}"
            )
            lines.append(
                f"  {row.value_rank:>3}. {row.day0} CAR {row.car:+.2%} (t {row.car_t:.2f}, "
                f"p {row.car_p:.3g}){stake}{_marks(row)}: {_short(row.label)}"
            )
        lines.append("most controversial (replies per like):")
        for row in self.controversy.head(top).itertuples():
            lines.append(f"  {row.replies_per_like:.3f}  {row.statement_id}: {_short(row.text)}")
        if not self.annotated:
            lines.append("  (not annotated: topic and sentiment rules were not checked)")
        lines.append(f"alerts: {len(self.alerts):,} (rules: {_rules_text(self.rules)})")
        for row in self.alerts.head(top).itertuples():
            what = row.day0 if row.source == "value" else row.statement_id
            lines.append(f"  {row.source} {what}: {'; '.join(row.reasons)}")
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        return self.value.copy()

    def _repr_html_(self) -> str:
        return result_html(self.summary(), self.to_frame())


def _marks(row: object) -> str:
    """The attribution caveats of a value row (:mod:`leaderlens.risk.coincidence`)."""
    marks = []
    if getattr(row, "market_wide", False):
        marks.append("market-wide")
    if not getattr(row, "about_company", True):
        marks.append("not about the company")
    expected = getattr(row, "expected_by_chance", np.nan)
    if np.isfinite(expected):
        marks.append(f"{expected:.1f} such coincidences expected")
    return f" [{', '.join(marks)}]" if marks else ""


def _rules_text(rules: AlertRules) -> str:
    return ", ".join(f"{k}={v}" for k, v in rules.to_dict().items() if v not in (None, []))


def _short(text: object, width: int = 70) -> str:
    s = " ".join(str(text).split())
    return s if len(s) <= width else s[: width - 1] + "…"


def rank_value(events: pd.DataFrame, market_cap: float | pd.Series | None = None) -> pd.DataFrame:
    """Studied events (finite CAR) ranked from the most negative CAR, with value at stake.
    ``events`` is an event study's ``events_frame()``; it is not modified."""
    for col in ("car", "car_t", "car_p", "day0", "statement_ids"):
        if col not in events.columns:
            raise BadInputError(f"events lack column {col!r}", field=col)
    out = events.loc[np.isfinite(events["car"].astype(float))].copy()
    out["value_at_stake"] = value_at_stake(out["car"].to_numpy(float), out["day0"], market_cap)
    out = out.sort_values(["car", "car_t"], kind="stable").reset_index(drop=True)
    out["value_rank"] = np.arange(1, len(out) + 1)
    return out


def negative_radar(
    ws: object,
    leader: str,
    asset: str,
    *,
    window: tuple[int, int] = (0, 0),
    market_cap: float | pd.Series | None = None,
    rules: AlertRules | None = None,
    **study: object,
) -> NegativeRadar:
    """The negative-effect radar of ``leader`` on ``asset``: per-event CARs from
    ``ws.event_study(leader=..., asset=..., tests="per-event", window=window, **study)``,
    controversy of each statement (sentiment and topics from :func:`leaderlens.annotated`
    when the statements are annotated) and the alerts of ``rules``."""
    from leaderlens.text.annotate import annotated as annotated_texts

    rules = rules if rules is not None else AlertRules()
    result = ws.event_study(  # type: ignore[attr-defined]
        leader=leader, asset=asset, tests="per-event", window=window, **study
    )
    events = result.events_frame()
    statements = annotated_texts(ws, "statements", leader=leader)
    if statements.empty:
        raise MissingDataError(f"leader {leader!r} has no statements", field="leader")
    is_annotated = bool(statements["annotation_current"].all())
    notes = []
    if not is_annotated:
        statements = statements.drop(columns=["sentiment", "topics"], errors="ignore")
        notes.append("statements are not (all) annotated: run 'leaderlens annotate' for topics")
    contro = controversy_frame(statements, topics=rules.topics, negative=_neg(rules))
    value = rank_value(events, market_cap)
    value = value.join(attribution_columns(ws, leader, asset, value, statements, window))  # type: ignore[arg-type]
    members = value[["statement_ids", "car", "car_p"]].explode("statement_ids")
    flags = contro.set_index("statement_id")
    flagged = flags["controversial_topic"] | flags["strongly_negative"]
    members["flag"] = members["statement_ids"].map(flagged).fillna(False).astype(bool)
    value["controversial"] = (
        members.groupby(level=0)["flag"].any().reindex(value.index, fill_value=False)
    )
    car_of = members.drop_duplicates("statement_ids").set_index("statement_ids")
    contro["car"] = contro["statement_id"].map(car_of["car"])
    alerts = pd.concat(
        [
            evaluate_alerts(value, _only(rules, "car")).assign(source="value"),
            evaluate_alerts(contro, _only(rules, "text")).assign(source="controversy"),
        ],
        ignore_index=True,
    )
    return NegativeRadar(
        leader=leader,
        asset=asset,
        window=(int(window[0]), int(window[1])),
        value=value,
        controversy=contro,
        alerts=alerts,
        rules=rules,
        annotated=is_annotated,
        notes=tuple(notes),
        discoveries=result.discoveries,
    )


def _neg(rules: AlertRules) -> float:
    return rules.max_sentiment if rules.max_sentiment is not None else -0.5


def _only(rules: AlertRules, kind: str) -> AlertRules:
    """The rules checked on events (money) or on statements (text), so that a statement is not
    alerted twice for the CAR of its event."""
    if kind == "car":
        return AlertRules(
            max_car=rules.max_car,
            max_car_p=rules.max_car_p,
            max_car_q=rules.max_car_q,
            max_value_at_stake=rules.max_value_at_stake,
            min_replies_per_like=None,
            topics=(),
            max_sentiment=None,
        )
    return AlertRules(
        max_car=None,
        max_car_p=None,
        max_car_q=None,
        max_value_at_stake=None,
        min_replies_per_like=rules.min_replies_per_like,
        topics=rules.topics,
        max_sentiment=rules.max_sentiment,
    )
