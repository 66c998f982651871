"""Grouped exclusion reasons keep their numbers: thresholds as they are, counts as ranges."""

from __future__ import annotations

import pandas as pd

from leaderlens.study.study_result import grouped_reasons


def test_thresholds_stay_and_varying_counts_become_ranges() -> None:
    reasons = pd.Series(
        [
            "estimation window has 37 usable bars (< min_estimation 120)",
            "day 0 has no bar: before data",
            "estimation window has 98 usable bars (< min_estimation 120)",
            "estimation window has 5 usable bars (< min_estimation 120)",
            "estimation window has 7 usable bars (< min_estimation 60)",
        ]
    )
    assert grouped_reasons(reasons) == [
        ("estimation window has 5-98 usable bars (< min_estimation 60-120)", 4),
        ("day 0 has no bar: before data", 1),
    ]
    assert grouped_reasons(pd.Series([], dtype=object)) == []
