"""Amplification factor: the attention a leader's statements add, per post, over what the
brand's own posts add in the same period (METHODS.md section 4).

Both lifts come from one joint distributed-lag regression (:mod:`leaderlens.attention.lagged`)
whose groups are the channels of each side (``leader:keynote``, ``brand:x``, ...), so
overlapping posts of either kind do not leak into the other's lift, and a rare channel with a
large lift (a launch keynote) is not drowned by a frequent one with a small lift: the mean lift
per post of a side is the post-weighted mean of its channels' lifts. The factor is the ratio of
the two means; its confidence interval is the percentile interval of the ratio over the
moving-block bootstrap draws (Efron & Tibshirani 1993, ch. 13; Kuensch 1989).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from leaderlens.attention.lagged import LaggedLifts


@dataclass(frozen=True)
class SideLift:
    """Mean lift per post of one side (leader statements or brand posts), in log points of
    ``log(1 + value)``: ``day0`` on the post's bucket, ``cumulative`` over ``[0, H]``, each with
    its HAC standard error; ``n_posts`` posts."""

    n_posts: int
    day0: float
    day0_se: float
    cumulative: float
    cumulative_se: float


@dataclass(frozen=True)
class AmplificationResult:
    """Leader vs. brand-channel lift.

    Fields
    ------
    leader, brand, metric: what was compared.
    factor: mean cumulative lift per leader statement / per brand post (> 1: the leader
        amplifies the brand more than its own channels).
    ci_low, ci_high: bootstrap percentile interval of ``factor`` at ``level``.
    level: confidence level.
    defined: False when the brand posts' own lift is not distinguishable from zero at
        ``level`` (the ratio is then not meaningful and the reading says so).
    leader_lift, brand_lift: the two sides' mean lifts.
    lifts: the regression behind them (one group per side and channel).
    """

    leader: str
    brand: str
    metric: str
    factor: float
    ci_low: float
    ci_high: float
    level: float
    defined: bool
    leader_lift: SideLift
    brand_lift: SideLift
    lifts: LaggedLifts

    def reading(self) -> str:
        """The result in plain words."""
        pct = f"{self.level:.0%}"
        if not self.defined:
            return (
                f"The brand's own posts add no attention to {self.brand} ({self.metric}) "
                f"distinguishable from zero, so no amplification factor is defined; statements "
                f"by {self.leader} add {self.leader_lift.cumulative:.3f} log points each."
            )
        return (
            f"Statements by {self.leader} add {self.factor:.1f} times the attention "
            f"({self.metric}) of {self.brand}'s own posts ({pct} CI "
            f"{self.ci_low:.1f}-{self.ci_high:.1f})."
        )

    def summary(self) -> str:
        """The reading and the lifts behind it."""
        lifts = self.lifts
        lines = [
            self.reading(),
            f"model: log(1 + {self.metric}) on post counts per side and channel, lags "
            f"0..{lifts.horizon} ({lifts.profile} profile, decay {lifts.decay:g}), "
            f"{lifts.seasonal} seasonality, Newey-West lags {lifts.hac_lags}, "
            f"{len(lifts.boot_cumulative)} block-bootstrap draws (block {lifts.block})",
        ]
        for name, side in (("leader", self.leader_lift), ("brand", self.brand_lift)):
            lines.append(
                f"  {name}: {side.n_posts} posts, cumulative lift {side.cumulative:.4f} "
                f"(se {side.cumulative_se:.4f}), day-0 {side.day0:.4f} (se {side.day0_se:.4f})"
            )
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        """One row: the factor and its interval, with the two sides' lifts."""
        row: dict[str, object] = {
            "leader": self.leader,
            "brand": self.brand,
            "metric": self.metric,
            "factor": self.factor,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "level": self.level,
            "defined": self.defined,
        }
        for name, side in (("leader", self.leader_lift), ("brand", self.brand_lift)):
            row |= {
                f"{name}_posts": side.n_posts,
                f"{name}_day0_lift": side.day0,
                f"{name}_cumulative_lift": side.cumulative,
                f"{name}_cumulative_se": side.cumulative_se,
            }
        return pd.DataFrame([row])


def amplification_factor(
    lifts: LaggedLifts,
    is_leader: np.ndarray,
    *,
    leader: str,
    brand: str,
    metric: str,
    level: float = 0.95,
) -> AmplificationResult:
    """The factor from a regression whose groups split into leader (``is_leader``, shape (G,))
    and brand groups; each side's lift is the post-weighted mean of its groups."""
    mask = np.asarray(is_leader, dtype=bool)
    sides = []
    draws = []
    for side in (mask, ~mask):
        posts = np.where(side, lifts.n_posts, 0.0)
        weights = posts / posts.sum()
        day0, day0_se, cum, cum_se, boot = lifts.combine(weights)
        sides.append(SideLift(int(posts.sum()), day0, day0_se, cum, cum_se))
        draws.append(boot)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = draws[0] / draws[1]
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(ratio, [tail, 1.0 - tail]) if len(ratio) else (np.nan, np.nan)
    z = float(np.sqrt(2.0) * _erfinv(level))
    defined = sides[1].cumulative - z * sides[1].cumulative_se > 0.0
    return AmplificationResult(
        leader=leader,
        brand=brand,
        metric=metric,
        factor=sides[0].cumulative / sides[1].cumulative,
        ci_low=float(low),
        ci_high=float(high),
        level=level,
        defined=bool(defined),
        leader_lift=sides[0],
        brand_lift=sides[1],
        lifts=lifts,
    )


def _erfinv(level: float) -> float:
    from scipy.special import erfinv

    return float(erfinv(level))
