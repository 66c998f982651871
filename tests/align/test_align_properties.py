"""Exhaustive properties: the day 0 rule, the containing bar, partitions, overlaps and masks."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from leaderlens.align import (
    align_daily,
    align_intraday,
    cluster_events,
    estimation_masks,
    get_calendar,
)

SECOND = 1_000_000_000
START = int(pd.Timestamp("1990-01-01", tz="UTC").value)
END = int(pd.Timestamp("2026-06-30", tz="UTC").value)

instants_ns = st.lists(st.integers(START, END), min_size=1, max_size=60)
FAST = settings(max_examples=150, deadline=None)


def _utc(values: list[int]) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(np.array(values, dtype="datetime64[ns]")).tz_localize("UTC")


@FAST
@given(instants_ns, st.sampled_from(["XNYS", "XHKG", "XLON", "XTKS"]))
def test_day0_closes_after_the_instant_and_the_previous_session_at_or_before(
    values: list[int], name: str
) -> None:
    cal = get_calendar(name)
    result = align_daily(_utc(values), cal)
    t = np.array(values, dtype="datetime64[ns]")
    outside = (t < cal.opens[0]) | (t >= cal.closes[-1])  # XTKS starts in 1997
    np.testing.assert_array_equal(result.how == "outside calendar", outside)
    t, i, how = t[~outside], result.session_index[~outside], result.how[~outside]
    assert (i >= 0).all()
    assert (cal.closes[i] > t).all()
    previous = i > 0
    assert (cal.closes[i[previous] - 1] <= t[previous]).all()
    assert (result.day0[~outside] == cal.sessions[i]).all()
    during = np.isin(how, ["during session", "lunch break"])
    assert (cal.opens[i[during]] <= t[during]).all()
    assert (cal.opens[i[~during]] > t[~during]).all()
    assert (result.gap_hours[~outside] > 0).all()


@FAST
@given(instants_ns)
def test_24_7_day0_is_the_utc_date(values: list[int]) -> None:
    result = align_daily(_utc(values), "24/7")
    expected = np.array(values, dtype="datetime64[ns]").astype("datetime64[D]")
    np.testing.assert_array_equal(result.day0, expected)
    assert ((result.gap_hours > 0) & (result.gap_hours <= 24)).all()


@FAST
@given(
    st.integers(0, 50_000),
    st.lists(st.booleans(), min_size=5, max_size=300),
    st.lists(st.integers(-2 * 3600, 310 * 3600), min_size=1, max_size=40),
    st.tuples(st.integers(-5, 0), st.integers(0, 5)),
)
def test_24_7_containing_bar_holds_the_instant_and_gaps_are_no_bar(
    first_hour: int, present: list[bool], offsets_s: list[int], window: tuple[int, int]
) -> None:
    if not any(present):
        present = [True, *present[1:]]
    hours = np.flatnonzero(present) + first_hour
    base = START + first_hour * 3600 * SECOND
    starts = hours.astype(np.int64) * 3600 * SECOND + START
    t = base + np.array(offsets_s, dtype=np.int64) * SECOND
    result = align_intraday(_utc(t.tolist()), _utc(starts.tolist()), "1h", "24/7", window=window)
    slot = (t - START) // (3600 * SECOND)
    has_bar = np.isin(slot, hours)
    np.testing.assert_array_equal(result.bar_index >= 0, has_bar)
    found = result.bar_index >= 0
    start = starts[result.bar_index[found]]
    assert ((start <= t[found]) & (t[found] < start + 3600 * SECOND)).all()
    assert set(result.how[~found]) <= {"no bar", "before data", "after data"}
    np.testing.assert_array_equal(result.how == "before data", t < starts[0])
    np.testing.assert_array_equal(result.how == "after data", t >= starts[-1] + 3600 * SECOND)
    # Missing bars in a window = hours spanned minus bars present, by direct count.
    for i in np.flatnonzero(found & result.window_in_data):
        lo, hi = result.bar_index[i] + window[0], result.bar_index[i] + window[1]
        span = (starts[hi] - starts[lo]) // (3600 * SECOND) + 1
        assert result.missing_bars[i] == span - (hi - lo + 1)


@FAST
@given(st.lists(st.integers(-1, 40), min_size=1, max_size=80), st.integers(0, 6), st.integers(0, 6))
def test_clusters_partition_statements_and_overlaps_are_symmetric(
    bars: list[int], before: int, after: int
) -> None:
    n = len(bars)
    ids = np.array([f"s{i}" for i in range(n)])
    rng = np.random.default_rng(n)
    t = _utc((START + rng.integers(0, 10**6, n) * SECOND).tolist())
    window = (-before, after)
    events = cluster_events(ids, t, np.array(bars), window=window)
    # Partition: every aligned statement in exactly one event whose bar is its bar.
    seen = np.concatenate([events.members(e) for e in range(len(events))]) if len(events) else []
    assert sorted(seen) == sorted(ids[np.array(bars) >= 0].tolist())
    for e in range(len(events)):
        members = np.isin(ids, events.members(e))
        assert set(np.array(bars)[members]) == {int(events.event_bar[e])}
        assert events.first_instant[e] == t[members].min().tz_localize(None).to_datetime64()
    assert events.count.sum() == sum(b >= 0 for b in bars)
    # Overlaps: the relation is symmetric and equals the interval test.
    pairs = {tuple(p) for p in events.overlap_pairs.tolist()}
    b = events.event_bar
    for i in range(len(events)):
        for j in range(len(events)):
            if i != j:
                meets = max(b[i], b[j]) - before <= min(b[i], b[j]) + after
                assert ((min(i, j), max(i, j)) in pairs) == meets
    flagged = np.zeros(len(events), dtype=bool)
    for i, j in pairs:
        flagged[[i, j]] = True
    np.testing.assert_array_equal(events.overlaps, flagged)


@FAST
@given(
    st.lists(st.integers(0, 120), min_size=1, max_size=30, unique=True),
    st.integers(0, 3),
    st.integers(0, 3),
    st.integers(4, 30),
    st.integers(0, 25),
)
def test_masks_equal_the_definition(
    bars: list[int], before: int, after: int, depth: int, minimum: int
) -> None:
    n = len(bars)
    t = _utc((START + np.arange(n) * SECOND).tolist())
    events = cluster_events(np.arange(n), t, np.array(bars), window=(-before, after))
    estimation = (-before - depth, -before - 1)
    masks = estimation_masks(events, 121, minimum=minimum, estimation=estimation)
    b = events.event_bar
    for e in range(len(events)):
        for c, k in enumerate(range(estimation[0], estimation[1] + 1)):
            x = b[e] + k
            other = any(o != e and b[o] - before <= x <= b[o] + after for o in range(len(b)))
            assert masks.in_other_window[e, c] == other
            assert masks.outside_data[e, c] == (not 0 <= x < 121)
    np.testing.assert_array_equal(masks.remaining, masks.keep.sum(axis=1))
    np.testing.assert_array_equal(masks.enough, masks.remaining >= minimum)


HOUR = 3600 * SECOND


def _hourly_in_hours(name: str, first: str, last: str) -> tuple[np.ndarray, np.ndarray]:
    """Hourly bars from each trading period's start, cut at the period end, and the periods."""
    periods = get_calendar(name).periods
    lo = int(pd.Timestamp(first, tz="UTC").value)
    hi = int(pd.Timestamp(last, tz="UTC").value)
    keep = (periods.starts >= lo) & (periods.ends <= hi)
    starts, ends = periods.starts[keep], periods.ends[keep]
    per_period = -((starts - ends) // HOUR)  # ceil((end - start) / 1h)
    offsets = np.arange(per_period.sum()) - np.repeat(
        np.cumsum(per_period) - per_period, per_period
    )
    return np.repeat(starts, per_period) + offsets * HOUR, np.column_stack([starts, ends])


@FAST
@given(
    st.lists(
        st.integers(
            int(pd.Timestamp("2023-01-03", tz="UTC").value),
            int(pd.Timestamp("2024-12-20", tz="UTC").value),
        ),
        min_size=1,
        max_size=40,
    ),
    st.sampled_from(["XHKG", "XNYS"]),
    st.sampled_from(["containing", "next full"]),
)
def test_exchange_day0_is_the_containing_bar_or_the_next_periods_first_bar(
    values: list[int], name: str, first_bar: str
) -> None:
    starts, periods = _hourly_in_hours(name, "2023-01-01", "2025-01-01")
    t = np.array(values, dtype=np.int64)
    result = align_intraday(_utc(values), _utc(starts.tolist()), "1h", name, first_bar=first_bar)  # type: ignore[arg-type]
    assert (result.bar_index >= 0).all()
    start = starts[result.bar_index]
    in_hours = ((periods[:, 0][None, :] <= t[:, None]) & (t[:, None] < periods[:, 1][None, :])).any(
        axis=1
    )
    next_period_start = periods[
        np.searchsorted(periods[:, 0], t, side="left").clip(max=len(periods) - 1), 0
    ]
    if first_bar == "containing":
        held = in_hours
        assert ((start[held] <= t[held]) & (t[held] < start[held] + HOUR)).all()
        assert set(result.how[held]) <= {"in bar"}
    else:
        held = in_hours & (result.how != "next period")
        assert ((start[held] >= t[held]) & (start[held] - t[held] < HOUR)).all()
        moved = result.how == "next period"
        assert (start[moved] == next_period_start[moved]).all()
    # Outside trading hours: the first bar of the next trading period, labelled by the calendar.
    out = ~in_hours
    assert (start[out] == next_period_start[out]).all()
    assert set(result.how[out]) <= {
        "before open",
        "after close",
        "weekend",
        "holiday",
        "lunch break",
    }
