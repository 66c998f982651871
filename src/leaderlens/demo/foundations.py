"""Foundations series of the demo world: product, team and innovation signals per brand, for
the foundations scorecard (:func:`leaderlens.risk.foundations.foundations_scorecard`).

Each series lives on ``y = log(1 + value)`` like the other attention series: a baseline with
weekly seasonality and AR(1) noise, a linear trend of ``trend`` log points a year, and
``leader_weight`` times the attention excess planted by the leader's own statements (the same
decaying lifts :mod:`leaderlens.demo.attention` plants). A brand whose pillars carry a large
leader weight leans on its leader: the pillar sags when the leader falls silent. Draws come
from their own random stream, so adding these series changes no other series of the world.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from leaderlens.demo import cast
from leaderlens.demo.attention import attention_frame, log_series, planted_excess
from leaderlens.demo.markets import Grid, bar_of

PILLARS: tuple[str, ...] = ("product", "team", "innovation")


@dataclass(frozen=True)
class PillarSeries:
    """One planted foundations series: ``brand``'s ``metric`` tagged ``pillar``; ``baseline``
    typical daily value, ``trend`` log points a year, ``leader_weight`` multiple of the
    leader's planted attention excess, ``kind`` ``interest`` (0-100) or ``count``."""

    brand_id: str
    pillar: str
    metric: str
    baseline: float
    trend: float
    leader_weight: float
    kind: str


# fmt: off
# Orbit stands on its own products (growing, no leader weight); Voltra leans on Rex Vale
# (shrinking, three times his attention excess); Keynote Co sits between.
SERIES: tuple[PillarSeries, ...] = (
    PillarSeries("orbit", "product", "product_search", 30.0, 0.25, 0.0, "interest"),
    PillarSeries("orbit", "team", "executive_mentions", 40.0, 0.10, 0.0, "count"),
    PillarSeries("orbit", "innovation", "innovation_news", 15.0, 0.20, 0.0, "count"),
    PillarSeries("keynote", "product", "product_search", 20.0, 0.05, 0.5, "interest"),
    PillarSeries("keynote", "team", "executive_mentions", 12.0, 0.0, 0.5, "count"),
    PillarSeries("keynote", "innovation", "innovation_news", 6.0, 0.0, 0.5, "count"),
    PillarSeries("voltra", "product", "product_search", 25.0, -0.15, 3.0, "interest"),
    PillarSeries("voltra", "team", "executive_mentions", 10.0, -0.10, 2.0, "count"),
    PillarSeries("voltra", "innovation", "innovation_news", 8.0, -0.05, 2.0, "count"),
)
# fmt: on
FOUNDATION_NOISE = (0.6, 0.08)  # AR(1) coefficient, innovation sd of log(1 + value)


def foundation_series(
    rng: np.random.Generator, posts: pd.DataFrame, days: Grid
) -> tuple[dict[tuple[str, str], pd.DataFrame], pd.DataFrame]:
    """The planted series per (brand, metric) and their ground truth (one row per series: the
    fields of :class:`PillarSeries`).

    ``posts`` are the world's posts (columns ``source``, ``brand``, ``micros``,
    ``planted_lift``); only the leaders' statements enter the leader excess.
    """
    leader_posts = posts[posts["source"] == "leader"]
    day = bar_of(days, leader_posts["micros"].to_numpy())
    lift = leader_posts["planted_lift"].to_numpy()
    years = (days.labels - days.labels[0]).days.to_numpy() / 365.25
    out: dict[tuple[str, str], pd.DataFrame] = {}
    for spec in SERIES:  # nine series
        mine = (leader_posts["brand"] == spec.brand_id).to_numpy()
        excess = planted_excess(
            day[mine], lift[mine], len(days), cast.ATTENTION_DECAY, cast.ATTENTION_HORIZON
        )
        y = log_series(
            rng,
            days.labels,
            spec.baseline,
            cast.WEEKLY_SEARCH,
            FOUNDATION_NOISE,
            spec.trend * years + spec.leader_weight * excess,
        )
        value = (
            np.clip(np.round(np.expm1(y)), 0.0, 100.0)
            if spec.kind == "interest"
            else rng.poisson(np.expm1(np.maximum(y, 0.0))).astype(np.float64)
        )
        out[(spec.brand_id, spec.metric)] = attention_frame(days.labels, value)
    truth = pd.DataFrame([asdict(s) for s in SERIES])
    return out, truth
