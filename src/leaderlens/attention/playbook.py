"""The playbook: which channels, topics and sentiment bands of a leader's statements add the
most brand attention per statement, ranked with confidence intervals.

Each category of statement is one group of the joint distributed-lag regression of
:mod:`leaderlens.attention.lagged` (the brand's own posts are a further group, the yardstick),
so categories posted on the same days are told apart rather than credited with each other's
lift. A statement with several topics counts in each of its topics. Sentiment bands come from
the text annotations (``negative``, ``neutral``, ``positive``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from leaderlens.attention.lagged import LaggedLifts
from leaderlens.study.fdr import Discoveries, discoveries, with_q_values


@dataclass(frozen=True)
class Playbook:
    """Lift per category of statement, best first.

    Fields
    ------
    by: ``channel``, ``topic`` or ``sentiment``; metric: the attention series.
    lifts: the regression (groups: categories, then ``brand posts`` when present).
    level: confidence level of the intervals.
    market: when an asset was given, the event study's CAAR per category (columns category,
        market_n, market_caar, market_ci_low, market_ci_high, market_p), else None. Topics
        there are each statement's first topic (an event study counts a statement once).
    asset: that asset.
    """

    by: str
    metric: str
    lifts: LaggedLifts
    level: float = 0.95
    market: pd.DataFrame | None = None
    asset: str | None = None

    def to_frame(self) -> pd.DataFrame:
        """One row per category: posts, cumulative lift per post with CI, rank, verdict
        (``adds attention``, ``no measurable effect``, ``costs attention``, from the test of
        :meth:`LaggedLifts.t_stat` at ``1 - level``), with Benjamini-Hochberg and -Yekutieli
        q-values over the categories (``q_value_bh``, ``q_value_by``; ``market_q_bh``,
        ``market_q_by`` for the market's p-values)."""
        frame = self.lifts.to_frame().rename(columns={"group": self.by})
        ci = self.lifts.ci(self.level)
        frame["ci_low"], frame["ci_high"] = ci[:, 0], ci[:, 1]
        significant = frame["p_value"] < 1.0 - self.level
        frame["verdict"] = np.select(
            [
                significant & (frame["cumulative_lift"] > 0),
                significant & (frame["cumulative_lift"] < 0),
            ],
            ["adds attention", "costs attention"],
            "no measurable effect",
        )
        if self.market is not None:
            frame = frame.merge(
                self.market.rename(columns={"category": self.by}), on=self.by, how="left"
            )
        frame = with_q_values(frame, ("p_value", "market_p"))
        frame = frame.sort_values("cumulative_lift", ascending=False).reset_index(drop=True)
        frame.insert(0, "rank", np.arange(1, len(frame) + 1))
        return frame

    @property
    def discoveries(self) -> Discoveries:
        """Categories whose lift has p <= 1 - level, and the Benjamini-Hochberg discoveries at
        that false discovery rate."""
        return discoveries(self.lifts.to_frame()["p_value"], 1.0 - self.level, "bh")

    def summary(self) -> str:
        lines = [
            f"playbook by {self.by} ({self.metric}): cumulative lift per post in log points "
            f"over {self.lifts.horizon + 1} buckets, {self.level:.0%} CI",
            f"  lift tests: {self.discoveries.summary()}",
        ]
        for row in self.to_frame().itertuples():
            market = ""
            if self.market is not None and pd.notna(getattr(row, "market_caar", np.nan)):
                market = (
                    f"; {self.asset} CAAR {row.market_caar:.2%} ({row.market_ci_low:.2%} to "
                    f"{row.market_ci_high:.2%}, {int(row.market_n)} events)"
                )
            lines.append(
                f"  {row.rank}. {getattr(row, self.by)}: {row.cumulative_lift:.3f} "
                f"({row.ci_low:.3f} to {row.ci_high:.3f}), {row.n_posts} posts - "
                f"{row.verdict}{market}"
            )
        return "\n".join(lines)


def market_by_category(groups: pd.DataFrame, level: float) -> pd.DataFrame:
    """Per-category CAAR with a t confidence interval from an event study's group table
    (columns group, n, caar, sd, p_value): caar +/- t(n-1) sd / sqrt(n)."""
    from scipy import stats

    half = (
        stats.t.ppf(0.5 + level / 2, np.maximum(groups["n"] - 1, 1))
        * groups["sd"]
        / np.sqrt(groups["n"])
    )
    return pd.DataFrame(
        {
            "category": groups["group"].astype(str),
            "market_n": groups["n"],
            "market_caar": groups["caar"],
            "market_ci_low": groups["caar"] - half,
            "market_ci_high": groups["caar"] + half,
            "market_p": groups["p_value"],
        }
    )
