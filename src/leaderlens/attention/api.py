"""Brand attention analyses on a workspace: each function reads what it needs and returns a
finished results object (see the modules it calls for the methods)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from leaderlens.attention.amplification import AmplificationResult, amplification_factor
from leaderlens.attention.grid import (
    DEFAULTS,
    FREQS,
    GRAIN,
    PER_DAY,
    UNIT,
    AttentionSeries,
    attention_series,
    bucket_index,
    check_seasonal,
    counts_per_bucket,
    unit_of,
)
from leaderlens.attention.lagged import lagged_lifts
from leaderlens.attention.leadlag import LeadLag, lead_lag
from leaderlens.attention.lift import EventLifts, event_lifts
from leaderlens.attention.playbook import Playbook, market_by_category
from leaderlens.attention.share import ShareOfVoice, net_sentiment, share_of_voice
from leaderlens.attention.spikes import Spikes, detect_spikes
from leaderlens.errors import BadInputError, MissingDataError, check_choice
from leaderlens.options import PLAYBOOK_BY, SOURCES


def _brand_row(ws: Any, brand: str) -> pd.Series:
    brands = ws.brands()
    row = brands[brands["brand_id"] == brand]
    if row.empty:
        raise MissingDataError(f"no brand {brand!r} in the workspace", field="brand")
    return row.iloc[0]


def _leader_of(ws: Any, brand: str, leader: str | None) -> str:
    if leader is not None:
        return leader
    ids = list(_brand_row(ws, brand)["leader_ids"] or [])
    if len(ids) != 1:
        raise BadInputError(
            f"brand {brand!r} has leaders {ids}; name one with leader=", field="leader"
        )
    return str(ids[0])


def load_series(ws: Any, brand: str, metric: str) -> AttentionSeries:
    """The brand's attention series ``metric`` on its own grid (``1h``, ``1d``, ``1w`` or
    ``1mo``)."""
    frame = ws.attention(metric, brand=brand)
    if frame.empty:
        raise MissingDataError(
            f"no {metric!r} attention series for brand {brand!r}", field="metric"
        )
    freqs = frame["freq"].dropna().unique().tolist()
    freq = str(freqs[0]) if freqs else "1d"
    if len(freqs) > 1 or freq not in FREQS:
        raise BadInputError(
            f"{metric!r} of {brand!r} is stored at {', '.join(map(str, freqs))}; the attention "
            f"analyses need one grain, one of {', '.join(FREQS)}",
            field="metric",
        )
    return attention_series(frame, freq, name=f"{brand} {metric}")


def leader_terms(ws: Any, leader: str) -> list[str]:
    """Query terms naming a leader: the name and every handle (also without its ``@``)."""
    leaders = ws.leaders()
    row = leaders[leaders["leader_id"] == leader]
    if row.empty:
        raise MissingDataError(f"no leader {leader!r} in the workspace", field="leader")
    handles = row.iloc[0]["handles"]
    if isinstance(handles, Mapping):
        values = list(handles.values())
    elif handles is None or pd.api.types.is_scalar(handles):
        values = []  # a leader declared without handles: None or pd.NA
    else:  # DuckDB MAP as key/value lists
        values = list(dict(zip(handles["key"], handles["value"], strict=True)).values())
    terms = [str(row.iloc[0]["name"])]
    for handle in values:
        terms += [str(handle), str(handle).lstrip("@")]
    return list(dict.fromkeys(t for t in terms if t))


@dataclass(frozen=True)
class LiftResult:
    """Abnormal attention around one kind of post (METHODS.md section 4).

    Fields: brand, metric, source (statements or brand_posts), owner (leader or brand id),
    post_ids (one tuple of ids per event; posts in one bucket are one event), lifts (per
    event), mean (the cross-sectional mean test, see :meth:`EventLifts.mean_test`).
    """

    brand: str
    metric: str
    source: str
    owner: str
    post_ids: tuple[tuple[str, ...], ...]
    lifts: EventLifts
    mean: dict[str, float]
    labels: pd.DatetimeIndex

    def summary(self) -> str:
        m, ev = self.mean, self.lifts
        return "\n".join(
            [
                f"attention lift of {self.brand} ({self.metric}, log(1 + value), "
                f"{ev.seasonal} baseline over {ev.estimation}, window {ev.window}, in "
                f"{unit_of(self.labels)}) after "
                f"{self.source} of {self.owner}: {m['n_events']} events",
                f"  mean CAR {m['mean_car']:.4f} log points (95% CI {m['car_ci_low']:.4f} to "
                f"{m['car_ci_high']:.4f}), t = {m['t']:.2f}, p = {m['p_value']:.3g} "
                "(cross-sectional t, H0: no lift)",
                f"  mean Lift {m['mean_lift']:.4f} (modelled scale), level lift "
                f"{m['mean_level_lift']:.1%} (series units); {m['overlapping']} events overlap "
                "another's window",
            ]
        )

    def to_frame(self) -> pd.DataFrame:
        frame = self.lifts.to_frame()
        frame.insert(0, "day0", self.labels[self.lifts.event_index])
        frame.insert(0, "post_ids", [",".join(p) for p in self.post_ids])
        return frame


def _posts(ws: Any, source: str, owner: str) -> pd.DataFrame:
    frame = ws.statements(owner) if source == "statements" else ws.brand_posts(owner)
    if frame.empty:
        raise MissingDataError(f"no {source} of {owner!r}", field="source")
    return frame


def attention_lift(
    ws: Any,
    brand: str,
    *,
    metric: str = "mentions",
    source: str = "statements",
    leader: str | None = None,
    window: tuple[int, int] | None = None,
    estimation: tuple[int, int] | None = None,
    seasonal: str | None = None,
    mask_events: bool = True,
) -> LiftResult:
    """Event-by-event lift of the brand's attention after the leader's statements (or the
    brand's own posts); windows in buckets of the series, defaults per grain
    (:data:`leaderlens.attention.grid.DEFAULTS`: days (0, 7) after (-60, -8); weeks (0, 2)
    after (-52, -4); months (0, 1) after (-36, -3))."""
    check_choice("source", source, SOURCES)
    series = load_series(ws, brand, metric)
    grain = DEFAULTS[series.freq]
    window = window if window is not None else (0, grain.horizon)
    estimation = estimation if estimation is not None else grain.estimation
    seasonal = seasonal if seasonal is not None else grain.seasonal
    check_seasonal(seasonal, series)
    owner = _leader_of(ws, brand, leader) if source == "statements" else brand
    posts = _posts(ws, source, owner)
    at = bucket_index(series.labels, posts["ts"])
    inside = at >= 0
    grouped = pd.Series(posts["statement_id"].to_numpy()[inside]).groupby(at[inside])
    buckets = np.asarray(grouped.size().index, dtype=np.int64)
    ids = tuple(tuple(map(str, v)) for v in grouped.agg(list))
    lifts = event_lifts(
        series.y,
        series.labels,
        buckets,
        window=window,
        estimation=estimation,
        seasonal=seasonal,
        mask_events=mask_events,
    )
    if lifts.valid.sum() < 2:
        raise MissingDataError(
            f"{int(lifts.valid.sum())} of {len(buckets)} events keep 20 clean estimation "
            f"buckets ({UNIT[series.freq]}) in {estimation}: posts are too dense for "
            "event-by-event lifts on this grain; use amplification or playbook (joint model)",
            field="estimation",
        )
    return LiftResult(brand, metric, source, owner, ids, lifts, lifts.mean_test(), series.labels)


def _lag_defaults(
    series: AttentionSeries, horizon: int | None, seasonal: str | None
) -> tuple[int, str]:
    """The lag model's horizon and baseline: as given, else the grain's defaults."""
    grain = DEFAULTS[series.freq]
    chosen = seasonal if seasonal is not None else grain.seasonal
    check_seasonal(chosen, series)
    return (horizon if horizon is not None else grain.horizon), chosen


def _counts(series: AttentionSeries, frames: list[tuple[str, pd.DataFrame]]) -> np.ndarray:
    ts = pd.concat([f["ts"] for _, f in frames], ignore_index=True)
    group = np.concatenate([np.full(len(f), name, dtype=object) for name, f in frames])
    return counts_per_bucket(series.labels, ts, group, [name for name, _ in frames])


def amplification(
    ws: Any,
    brand: str,
    *,
    leader: str | None = None,
    metric: str = "mentions",
    horizon: int | None = None,
    seasonal: str | None = None,
    n_boot: int = 499,
    level: float = 0.95,
    seed: int = 0,
) -> AmplificationResult:
    """Amplification factor of the leader over the brand's own posts (joint lag model);
    ``horizon`` in buckets of the series (default per grain: 7 days, 2 weeks, 1 month)."""
    leader = _leader_of(ws, brand, leader)
    series = load_series(ws, brand, metric)
    horizon, seasonal = _lag_defaults(series, horizon, seasonal)
    frames = []
    for side, posts in (
        ("leader", _posts(ws, "statements", leader)),
        ("brand", _posts(ws, "brand_posts", brand)),
    ):
        frames += [(f"{side}:{c}", part) for c, part in posts.groupby("channel", sort=True)]
    counts = _counts(series, frames)
    names = [name for name, _ in frames]
    seen = counts[horizon:][np.isfinite(series.y[horizon:])].sum(axis=0) > 0
    counts, names = counts[:, seen], [n for n, s in zip(names, seen, strict=True) if s]
    lifts = lagged_lifts(
        series.y,
        counts,
        series.labels,
        names,
        horizon=horizon,
        seasonal=seasonal,
        n_boot=n_boot,
        seed=seed,
    )
    is_leader = np.array([n.startswith("leader:") for n in names])
    if is_leader.all() or not is_leader.any():
        raise MissingDataError(
            f"need both leader statements and brand posts inside the {metric!r} series",
            field="brand",
        )
    return amplification_factor(
        lifts, is_leader, leader=leader, brand=brand, metric=metric, level=level
    )


def _annotated_statements(ws: Any, leader: str) -> pd.DataFrame:
    from leaderlens.text.annotate import annotated

    frame = annotated(ws, "statements", leader=leader)
    if len(frame) and not frame["annotation_current"].all():
        raise MissingDataError(
            f"statements of {leader!r} are not annotated (or changed since); run "
            f"`leaderlens annotate --leader {leader}` first",
            field="statements",
        )
    return frame


def playbook(
    ws: Any,
    brand: str,
    *,
    by: str = "channel",
    leader: str | None = None,
    metric: str = "mentions",
    horizon: int | None = None,
    seasonal: str | None = None,
    n_boot: int = 199,
    level: float = 0.95,
    asset: str | None = None,
    window: tuple[int, int] = (-1, 1),
) -> Playbook:
    """Lift per channel, topic or sentiment band of the leader's statements, brand posts as
    the yardstick; topic and sentiment need annotations. With ``asset``, also the market
    CAAR per category from an event study of the same statements over ``window``."""
    check_choice("by", by, PLAYBOOK_BY)
    leader = _leader_of(ws, brand, leader)
    series = load_series(ws, brand, metric)
    horizon, seasonal = _lag_defaults(series, horizon, seasonal)
    if by == "channel":
        posts = _posts(ws, "statements", leader).assign(category=lambda f: f["channel"])
    elif by == "topic":
        posts = _annotated_statements(ws, leader)
        posts = posts.assign(category=posts["topics"].map(lambda t: t or ["(none)"]))
        posts = posts.explode("category")
    else:
        posts = _annotated_statements(ws, leader)
        posts = posts.assign(category=posts["sentiment_label"].fillna("neutral"))
    categories = sorted(posts["category"].astype(str).unique())
    frames = [(c, posts[posts["category"].astype(str) == c]) for c in categories]
    brand_posts = ws.brand_posts(brand)
    if len(brand_posts):
        frames.append(("brand posts", brand_posts))
    counts = _counts(series, frames)
    names = [name for name, _ in frames]
    seen = counts[horizon:][np.isfinite(series.y[horizon:])].sum(axis=0) > 0
    counts, names = counts[:, seen], [n for n, s in zip(names, seen, strict=True) if s]
    lifts = lagged_lifts(
        series.y, counts, series.labels, names, horizon=horizon, seasonal=seasonal, n_boot=n_boot
    )
    market = None
    if asset is not None:
        study_by = {"channel": "channel", "topic": "topic", "sentiment": "sentiment_label"}[by]
        study = ws.event_study(
            leader=leader, asset=asset, by=study_by, window=window, tests="per-event"
        )
        if study.groups is not None and len(study.groups.table):
            market = market_by_category(study.groups.table, level)
    return Playbook(by=by, metric=metric, lifts=lifts, level=level, market=market, asset=asset)


def _mean_or_na(values: pd.Series) -> str:
    """The mean of the defined buckets, or why there is none."""
    defined = values.dropna()
    return f"{defined.mean():.2f}" if len(defined) else "n/a (no positive or negative mention)"


@dataclass(frozen=True)
class BrandVoice:
    """Share of voice with the net sentiment of the conversation (all, and naming the leader);
    ``sentiment`` is None when the mentions are not annotated."""

    share: ShareOfVoice
    sentiment: pd.DataFrame | None

    def summary(self) -> str:
        text = self.share.summary()
        if self.sentiment is not None:
            s = self.sentiment
            text += (
                f"\nnet sentiment (neutral excluded): all mentions "
                f"{_mean_or_na(s['net_sentiment'])}, naming the leader "
                f"{_mean_or_na(s['leader_net_sentiment'])} (mean over buckets)"
            )
        return text

    def to_frame(self) -> pd.DataFrame:
        frame = self.share.to_frame()
        if self.sentiment is not None:
            frame = frame.merge(self.sentiment, on="ts", how="left")
        return frame


def brand_share_of_voice(
    ws: Any,
    brand: str,
    *,
    leader: str | None = None,
    freq: str = "1d",
    terms: list[str] | None = None,
) -> BrandVoice:
    """Leader share of the brand's mentions; net sentiment when annotations are current."""
    leader = _leader_of(ws, brand, leader)
    query = terms if terms is not None else leader_terms(ws, leader)
    mentions = ws.mentions(brand)
    if mentions.empty:
        raise MissingDataError(f"no mentions of brand {brand!r}", field="brand")
    share = share_of_voice(mentions, query, freq=freq)
    from leaderlens.text.annotate import annotated

    notes = annotated(ws, "mentions", brand=brand)
    sentiment = None
    if len(notes) and notes["annotation_current"].all():
        from leaderlens.attention.share import names_any

        named = names_any(notes["text"], query)
        overall = net_sentiment(notes["ts"], notes["sentiment_label"], freq=freq)
        mine = net_sentiment(notes["ts"], notes["sentiment_label"], freq=freq, subset=named)
        sentiment = overall[["ts", "net_sentiment"]].merge(
            mine[["ts", "net_sentiment"]].rename(columns={"net_sentiment": "leader_net_sentiment"}),
            on="ts",
            how="left",
        )
    return BrandVoice(share=share, sentiment=sentiment)


def brand_spikes(
    ws: Any, brand: str, *, metric: str = "mentions", k: float = 2.0, leader: str | None = None
) -> Spikes:
    """Spikes of the brand's attention series, attributed to the leader's statements and the
    brand's posts. Needs daily or hourly buckets: the rule compares a day with the week
    before it."""
    series = load_series(ws, brand, metric)
    if series.freq not in PER_DAY:
        raise BadInputError(
            f"spikes need daily or hourly attention (the rule compares the last 24 hours with "
            f"the 7 days before); {series.name!r} is {GRAIN[series.freq]}: use "
            "lead-lag or amplification on this grain",
            field="metric",
        )
    leader = _leader_of(ws, brand, leader)
    st, bp = ws.statements(leader), ws.brand_posts(brand)
    posts = pd.DataFrame(
        {
            "ts": pd.concat([st["ts"], bp["ts"]], ignore_index=True),
            "post_id": pd.concat([st["statement_id"], bp["statement_id"]], ignore_index=True),
            "kind": ["statement"] * len(st) + ["brand_post"] * len(bp),
        }
    )
    return detect_spikes(series, posts, k=k)


def brand_lead_lag(
    ws: Any,
    brand: str,
    *,
    leader: str | None = None,
    metric: str = "mentions",
    maxlags: int = 14,
    horizon: int = 14,
) -> LeadLag:
    """Lead-lag of the leader's statement count and ``log(1 + attention)`` per bucket."""
    leader = _leader_of(ws, brand, leader)
    series = load_series(ws, brand, metric)
    counts = _counts(series, [("leader", _posts(ws, "statements", leader))])[:, 0]
    ok = np.isfinite(series.y)
    if not ok.all():
        first, last = np.flatnonzero(ok)[[0, -1]]
        if not ok[first : last + 1].all():
            raise MissingDataError(f"{metric!r} of {brand!r} has gaps; lead-lag needs none")
        counts, y = counts[first : last + 1], series.y[first : last + 1]
    else:
        y = series.y
    return lead_lag(
        counts,
        y,
        maxlags=maxlags,
        horizon=horizon,
        names=(f"{leader} statements per {UNIT[series.freq][:-1]}", f"log(1 + {metric})"),
    )
