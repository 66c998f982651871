"""Grouped exclusion reasons keep their numbers: thresholds as they are, counts as ranges."""

from __future__ import annotations

import numpy as np
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


def test_a_short_estimation_window_says_which_series_had_the_gaps() -> None:
    from leaderlens.study.models import fit_normal_model

    rng = np.random.default_rng(0)
    market = rng.normal(0, 0.01, (2, 100))
    returns = market + rng.normal(0, 0.01, (2, 100))
    returns[0, :10] = np.nan  # the asset misses 10 bars
    market[0, 10:60] = np.nan  # the benchmark misses 50 more where the asset has one
    fit = fit_normal_model("market", returns, market, min_estimation=60)
    assert fit.reason[0] == (
        "estimation window has 40 usable bars (< min_estimation 60): the asset lacks 10 bars; "
        "the benchmark or factors lack 50 bars where the asset has one"
    )
    assert fit.reason[1] == ""
