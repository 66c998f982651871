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


@dataclass(frozen=True)
class Playbook:
    """Lift per category of statement, best first.

    Fields
    ------
    by: ``channel``, ``topic`` or ``sentiment``; metric: the attention series.
    lifts: the regression (groups: categories, then ``brand posts`` when present).
    level: confidence level of the intervals.
    """

    by: str
    metric: str
    lifts: LaggedLifts
    level: float = 0.95

    def to_frame(self) -> pd.DataFrame:
        """One row per category: posts, cumulative lift per post with CI, rank, verdict
        (``adds attention``, ``no measurable effect``, ``costs attention``, from the test of
        :meth:`LaggedLifts.t_stat` at ``1 - level``)."""
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
        frame = frame.sort_values("cumulative_lift", ascending=False).reset_index(drop=True)
        frame.insert(0, "rank", np.arange(1, len(frame) + 1))
        return frame

    def summary(self) -> str:
        lines = [
            f"playbook by {self.by} ({self.metric}): cumulative lift per post in log points "
            f"over {self.lifts.horizon + 1} buckets, {self.level:.0%} CI"
        ]
        for row in self.to_frame().itertuples():
            lines.append(
                f"  {row.rank}. {getattr(row, self.by)}: {row.cumulative_lift:.3f} "
                f"({row.ci_low:.3f} to {row.ci_high:.3f}), {row.n_posts} posts - {row.verdict}"
            )
        return "\n".join(lines)
