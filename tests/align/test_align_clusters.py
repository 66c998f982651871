"""Event clusters, overlap flags and estimation masks on a year of real tweets."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from leaderlens.align import align_daily, cluster_events, estimation_masks
from leaderlens.errors import BadInputError


@pytest.fixture(scope="module")
def tesla_tweets_2021(musk_tweets: pd.DataFrame) -> pd.DataFrame:
    year = musk_tweets[
        (musk_tweets["Datetime"].dt.year == 2021)
        & musk_tweets["Text"].str.contains("tesla", case=False, regex=False)
    ]
    return year.reset_index(drop=True)


def test_clusters_match_a_pandas_groupby_of_day0(
    tesla_tweets_2021: pd.DataFrame, tsla_dates: list[date]
) -> None:
    aligned = align_daily(tesla_tweets_2021["Datetime"], "XNYS", sessions=tsla_dates)
    events = cluster_events(
        tesla_tweets_2021["Tweet Id"],
        tesla_tweets_2021["Datetime"],
        aligned.bar_index,
        window=(-1, 1),
    )
    # Witness: group the tweets by their day 0 (plain pandas on the alignment's dates).
    frame = tesla_tweets_2021.assign(day0=aligned.day0)
    grouped = frame.groupby("day0").agg(
        count=("Tweet Id", "size"), first=("Datetime", "min"), ids=("Tweet Id", set)
    )
    assert len(events) == len(grouped) > 150
    np.testing.assert_array_equal(events.count, grouped["count"].to_numpy())
    np.testing.assert_array_equal(
        events.event_bar, [tsla_dates.index(d) for d in grouped.index.date]
    )
    assert list(events.to_frame()["first_instant"]) == list(grouped["first"])
    for e in (0, len(events) // 2, len(events) - 1):
        assert set(events.members(e)) == grouped["ids"].iloc[e]
    assert events.count.sum() == len(tesla_tweets_2021)
    assert events.unaligned_ids.size == 0


def test_overlap_flags_equal_brute_force_and_are_symmetric(
    tesla_tweets_2021: pd.DataFrame, tsla_dates: list[date]
) -> None:
    aligned = align_daily(tesla_tweets_2021["Datetime"], "XNYS", sessions=tsla_dates)
    window = (-2, 3)
    events = cluster_events(
        tesla_tweets_2021["Tweet Id"],
        tesla_tweets_2021["Datetime"],
        aligned.bar_index,
        window=window,
    )
    bars = events.event_bar.tolist()
    span = window[1] - window[0]
    brute = {
        (i, j)
        for i in range(len(bars))
        for j in range(i + 1, len(bars))
        if max(bars[i], bars[j]) + window[0] <= min(bars[i], bars[j]) + window[1]
    }
    assert {tuple(p) for p in events.overlap_pairs.tolist()} == brute
    partners = np.zeros(len(bars), dtype=int)
    for i, j in brute:
        partners[i] += 1
        partners[j] += 1
    np.testing.assert_array_equal(events.n_overlapping, partners)
    np.testing.assert_array_equal(events.overlaps, partners > 0)
    assert all(abs(bars[i] - bars[j]) <= span for i, j in brute)


def test_estimation_masks_equal_brute_force(
    tesla_tweets_2021: pd.DataFrame, tsla_dates: list[date]
) -> None:
    aligned = align_daily(tesla_tweets_2021["Datetime"], "XNYS", sessions=tsla_dates)
    events = cluster_events(
        tesla_tweets_2021["Tweet Id"],
        tesla_tweets_2021["Datetime"],
        aligned.bar_index,
        window=(-1, 1),
    )
    masks = estimation_masks(events, len(tsla_dates), minimum=100, estimation=(-250, -11))
    bars = events.event_bar.tolist()
    for e in range(0, len(bars), 17):
        covered = [
            any(o != e and bars[o] - 1 <= bars[e] + k <= bars[o] + 1 for o in range(len(bars)))
            for k in range(-250, -10)
        ]
        assert masks.in_other_window[e].tolist() == covered
        outside = [not 0 <= bars[e] + k < len(tsla_dates) for k in range(-250, -10)]
        assert masks.outside_data[e].tolist() == outside
        usable = sum(not (c or o) for c, o in zip(covered, outside, strict=True))
        assert masks.remaining[e] == usable
        assert masks.enough[e] == (usable >= 100)
    # The first 2021 events have no earlier events in this set; by December, a year of near-daily
    # Tesla tweets leaves few clean estimation days.
    assert masks.remaining[0] == 240
    assert masks.remaining[-1] < 100 and not masks.enough[-1]
    assert "events keep enough bars" in masks.summary()
    assert masks.to_frame()["remaining"].tolist() == masks.remaining.tolist()


def test_unaligned_statements_belong_to_no_event() -> None:
    t = pd.to_datetime(
        ["2021-05-12 22:06:14", "2021-05-13 10:00:00", "2021-05-14 10:00:00"], utc=True
    )
    events = cluster_events(["a", "b", "c"], t, np.array([5, -1, 5]), window=(0, 0))
    assert len(events) == 1
    assert events.members(0).tolist() == ["a", "c"]
    assert events.unaligned_ids.tolist() == ["b"]
    assert events.statement_event.tolist() == [0, -1, 0]
    assert "1 events from 2 statements" in events.summary()


@pytest.mark.parametrize(
    ("ids", "bars", "field"),
    [
        (["a", "a"], [1, 2], "statement_ids"),
        (["a", "b"], [1, -2], "bar_index"),
        (["a", "b"], [1.0, 2.0], "bar_index"),
        (["a", "b"], [1], "bar_index"),
    ],
)
def test_bad_cluster_input_names_the_field(ids: list[str], bars: list[float], field: str) -> None:
    t = pd.to_datetime(["2021-05-12 22:06:14", "2021-05-13 10:00:00"], utc=True)
    with pytest.raises(BadInputError) as info:
        cluster_events(ids, t, np.array(bars), window=(0, 1))
    assert info.value.field == field


def test_estimation_window_may_not_overlap_the_event_window() -> None:
    t = pd.to_datetime(["2021-05-12 22:06:14"], utc=True)
    events = cluster_events(["a"], t, np.array([300]), window=(-5, 5))
    with pytest.raises(BadInputError) as info:
        estimation_masks(events, 400, minimum=10, estimation=(-250, -5))
    assert info.value.field == "estimation"
    with pytest.raises(BadInputError):
        estimation_masks(events, 300, minimum=10)
    masks = estimation_masks(events, 400, minimum=240)
    assert masks.remaining.tolist() == [240] and masks.enough.tolist() == [True]
