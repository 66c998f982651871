"""Intraday alignment: each statement's day 0 bar, and what its event window runs into.

Rule (leaderlens METHODS section 1): day 0 is the bar that contains the instant, so the first
abnormal value is that bar; because a statement can land mid-bar, ``first_bar="next full"``
starts instead at the first bar that begins at or after the instant. A statement outside the
trading hours of an exchange-traded asset (before the open, after the close, on a weekend or
holiday, in the XHKG lunch break) goes to the first bar of the next trading period, and ``how``
says which case it was. Bars on either side of an overnight, weekend, holiday or lunch-break
gap are not neighbours in time, so an event window ``[t1, t2]`` (in bars around day 0) that
spans such a boundary is flagged per event, with the first boundary's offset and kind, never
crossed silently. Gaps inside a trading period (missing bars, or every gap on a 24/7 asset)
are counted per window. Intraday event studies of this kind: Barclay & Litzenberger (1988),
"Announcement effects of new equity issues and the use of intraday price data", J. Financial
Economics 21(1); the window-boundary caveat follows MacKinlay (1997), section 4.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Literal

import numpy as np
import pandas as pd

from leaderlens.align.calendars import (
    DURING,
    HOW_LABELS,
    OUTSIDE,
    TradingCalendar,
    get_calendar,
    locate_sessions,
)
from leaderlens.align.times import (
    NS_PER_DAY,
    NS_PER_SECOND,
    as_datetime64,
    frozen,
    sorted_bar_starts,
    utc_index,
    utc_nanoseconds,
)
from leaderlens.errors import BadInputError, check_choice
from leaderlens.options import FIRST_BARS, FirstBar

Freq = Literal["1m", "1h"]
FREQ_NS: Final = {"1m": 60 * NS_PER_SECOND, "1h": 3_600 * NS_PER_SECOND}

# Intraday ``how``: the first three describe statements in trading hours (or on 24/7 assets);
# the calendar labels "lunch break", "before open", ... say the statement moved to the first bar
# of the next trading period; "no bar" means the data lack the bar day 0 would be.
IN_BAR, NEXT_FULL, NEXT_PERIOD, NO_BAR = "in bar", "next full bar", "next period", "no bar"
BEFORE_DATA, AFTER_DATA = "before data", "after data"
BOUNDARY_KINDS: Final = (
    "", "overnight", "weekend", "holiday", "lunch break", "missing session", "outside hours",
)  # fmt: skip


@dataclass(frozen=True)
class IntradayAlignment:
    """Day 0 bar of N statements in one bar series, and their event windows' integrity.

    Attributes
    ----------
    calendar, freq, first_bar: what was used (``"XNYS"``, ``"1h"``, ``"containing"``).
    window: ``(t1, t2)``, the event window in bars around day 0 that was checked.
    instants: ``datetime64[ns]`` UTC, shape (N,), input order.
    bar_index: ``int64``, shape (N,): day 0's position in ``bar_starts``; -1 when there is none.
    bar_start: ``datetime64[ns]`` UTC, shape (N,): day 0's start (``NaT`` when none).
    how: ``str``, shape (N,): "in bar" (day 0 contains the instant), "next full bar" (the first
        bar starting after a mid-bar instant), "next period" (next-full mode, but the instant was
        in its period's last bar, so day 0 opens the next trading period), a calendar label for
        statements outside trading hours ("before open", "after close", "weekend", "holiday",
        "lunch break": day 0 is the next period's first bar), "no bar" (the data lack the bar
        day 0 would be: a gap), "before data" / "after data" (the instant is before the first
        bar or after the end of the last) or "outside calendar".
    session: ``datetime64[D]``, shape (N,): trading session of day 0 (its UTC date on 24/7).
    lag_seconds: ``float64``, shape (N,): instant minus day 0's start; positive when the
        statement landed inside day 0, negative when day 0 starts after it; NaN when none.
    crosses_session: ``bool``, shape (N,): bars ``day0+t1 .. day0+t2`` span more than one
        trading period (overnight, weekend, holiday, lunch break, or a bar outside hours).
    n_boundaries: ``int64``, shape (N,): how many period boundaries the window spans.
    boundary_offset: ``float64``, shape (N,): event time (bars from day 0) of the first bar
        after the first boundary in the window; NaN when the window stays in one period.
    boundary_kind: ``str``, shape (N,): that boundary's kind, one of ``BOUNDARY_KINDS``
        ("" when none; "missing session" when the data skip whole sessions there).
    missing_bars: ``int64``, shape (N,): bars absent from the data between consecutive window
        bars of the same trading period (all gaps on 24/7).
    window_in_data: ``bool``, shape (N,): every window position exists in the bar series.
    bars_outside_hours: number of bars in the series that overlap no trading period of the
        calendar (never chosen as day 0; they break any window that includes them).
    """

    calendar: str
    freq: str
    first_bar: str
    window: tuple[int, int]
    instants: np.ndarray
    bar_index: np.ndarray
    bar_start: np.ndarray
    how: np.ndarray
    session: np.ndarray
    lag_seconds: np.ndarray
    crosses_session: np.ndarray
    n_boundaries: np.ndarray
    boundary_offset: np.ndarray
    boundary_kind: np.ndarray
    missing_bars: np.ndarray
    window_in_data: np.ndarray
    bars_outside_hours: int

    def __len__(self) -> int:
        return int(self.instants.size)

    def to_frame(self) -> pd.DataFrame:
        """One row per statement, input order; instants tz-aware UTC."""
        return pd.DataFrame(
            {
                "instant": utc_index(self.instants.view(np.int64)),
                "bar_index": self.bar_index,
                "bar_start": utc_index(self.bar_start.view(np.int64)),
                "how": self.how,
                "session": pd.DatetimeIndex(self.session.astype("datetime64[s]")),
                "lag_seconds": self.lag_seconds,
                "crosses_session": self.crosses_session,
                "n_boundaries": self.n_boundaries,
                "boundary_offset": self.boundary_offset,
                "boundary_kind": self.boundary_kind,
                "missing_bars": self.missing_bars,
                "window_in_data": self.window_in_data,
            }
        )

    def summary(self) -> str:
        """Counts per ``how`` and of windows that cross a boundary, miss bars or leave the data."""
        labels, counts = np.unique(self.how, return_counts=True)
        t1, t2 = self.window
        lines = [
            f"Intraday alignment ({self.freq} bars, {self.calendar}, day 0 = {self.first_bar} "
            f"bar): {len(self)} statements"
        ]
        lines += [f"  {label:<17} {count:>8}" for label, count in zip(labels, counts, strict=True)]
        lines.append(
            f"  window [{t1}, {t2}]: crosses a session boundary {int(self.crosses_session.sum())}, "
            f"misses bars {int((self.missing_bars > 0).sum())}, "
            f"runs past the data {int((~self.window_in_data & (self.bar_index >= 0)).sum())}"
        )
        if self.bars_outside_hours:
            lines.append(f"  bars outside trading hours in the series: {self.bars_outside_hours}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return self.to_frame().to_html(max_rows=20, escape=True)


@dataclass(frozen=True)
class _BarPeriods:
    """Which trading period each bar lies in (-1: outside hours); 24/7 bars share period 0."""

    period: np.ndarray
    session: np.ndarray  # session index per bar (-1 outside hours; UTC day on 24/7)


def align_intraday(
    instants: Any,
    bar_starts: Any,
    freq: Freq,
    calendar: TradingCalendar | str,
    *,
    first_bar: FirstBar = "containing",
    window: tuple[int, int] = (0, 0),
) -> IntradayAlignment:
    """Align statements to intraday bars and check their event windows.

    Parameters
    ----------
    instants: the statements' times, tz-aware (converted to UTC) or NumPy ``datetime64`` (UTC).
    bar_starts: the bars' start instants in UTC, strictly increasing (one asset's series).
    freq: the bar length, ``"1m"`` or ``"1h"``.
    calendar: a :class:`TradingCalendar` or a name (``"XNYS"``, ``"XHKG"``, ``"24/7"``).
    first_bar: ``"containing"`` (day 0 is the bar containing the instant) or ``"next full"``
        (day 0 is the first bar starting at or after the instant).
    window: ``(t1, t2)`` bars around day 0 (``t1 <= t2``) whose integrity is checked.

    Every step is a ``np.searchsorted`` or prefix sum over all statements at once.
    """
    check_choice("freq", freq, FREQ_NS)
    check_choice("first_bar", first_bar, FIRST_BARS)
    t1, t2 = _check_window(window)
    cal = calendar if isinstance(calendar, TradingCalendar) else get_calendar(calendar)
    t = utc_nanoseconds(instants, field="instants")
    starts = sorted_bar_starts(bar_starts)
    if starts.size == 0:
        raise BadInputError(
            "bar_starts is empty: there are no bars to align to", field="bar_starts"
        )
    length = FREQ_NS[freq]
    bars = _bar_periods(cal, starts, length)

    if cal.is_24_7:
        day0, how = _day0_plain(t, starts, length, first_bar)
    else:
        day0, how = _day0_exchange(cal, t, starts, length, first_bar, bars)

    # A missing bar before the first or after the last bar is the series' range, not a gap.
    how = np.where((how == NO_BAR) & (t < starts[0]), BEFORE_DATA, how)
    how = np.where((how == NO_BAR) & (t >= starts[-1] + length), AFTER_DATA, how)
    found = day0 >= 0
    at = np.where(found, day0, 0)
    bar_start = np.where(found, starts[at], np.iinfo(np.int64).min)
    if cal.is_24_7:
        session = np.where(found, bars.session[at], np.iinfo(np.int64).min).astype("datetime64[D]")
    else:
        session = np.where(
            found, cal.sessions[np.maximum(bars.session[at], 0)], np.datetime64("NaT")
        )
    checked = _check_windows(cal, starts, length, bars, day0, t1, t2)
    return IntradayAlignment(
        calendar=cal.name,
        freq=freq,
        first_bar=first_bar,
        window=(t1, t2),
        instants=frozen(as_datetime64(t).copy()),
        bar_index=frozen(day0),
        bar_start=frozen(as_datetime64(bar_start)),
        how=frozen(how),
        session=frozen(session.astype("datetime64[D]")),
        lag_seconds=frozen(np.where(found, (t - bar_start) / NS_PER_SECOND, np.nan)),
        bars_outside_hours=int((bars.period < 0).sum()),
        **checked,
    )


def _check_window(window: tuple[int, int]) -> tuple[int, int]:
    try:
        t1, t2 = (int(v) for v in window)
    except (TypeError, ValueError) as exc:
        raise BadInputError(
            f"window must be two whole numbers of bars (t1, t2); got {window!r}", field="window"
        ) from exc
    if t1 > t2:
        raise BadInputError(f"window must have t1 <= t2; got {window!r}", field="window")
    return t1, t2


def _bar_periods(cal: TradingCalendar, starts: np.ndarray, length: int) -> _BarPeriods:
    """Assign each bar to the trading period its interval [start, start + length) overlaps.

    Overlap rather than containment accepts both common labels of a bar that starts at the open
    (09:30) and bars stamped on the hour that cover the open (09:00 for 09:30-10:00).
    """
    if cal.is_24_7:
        return _BarPeriods(
            period=np.zeros(starts.size, dtype=np.int64),
            session=np.floor_divide(starts, NS_PER_DAY),
        )
    periods = cal.periods
    p = np.searchsorted(periods.ends, starts, side="right")
    pc = np.minimum(p, periods.starts.size - 1)
    in_hours = (p < periods.starts.size) & (starts + length > periods.starts[pc])
    return _BarPeriods(
        period=np.where(in_hours, p, -1).astype(np.int64),
        session=np.where(in_hours, periods.session[pc], -1).astype(np.int64),
    )


def _day0_plain(
    t: np.ndarray, starts: np.ndarray, length: int, first_bar: str
) -> tuple[np.ndarray, np.ndarray]:
    """24/7 bars: the containing bar, or the next bar starting within one bar length."""
    n = starts.size
    if first_bar == "containing":
        c = np.searchsorted(starts, t, side="right") - 1
        cc = np.maximum(c, 0)
        ok = (c >= 0) & (t < starts[cc] + length)
        return np.where(ok, c, -1), np.where(ok, IN_BAR, NO_BAR)
    j = np.searchsorted(starts, t, side="left")
    jc = np.minimum(j, n - 1)
    ok = (j < n) & (starts[jc] < t + length)
    how = np.where(starts[jc] == t, IN_BAR, NEXT_FULL)
    return np.where(ok, j, -1), np.where(ok, how, NO_BAR)


def _day0_exchange(
    cal: TradingCalendar,
    t: np.ndarray,
    starts: np.ndarray,
    length: int,
    first_bar: str,
    bars: _BarPeriods,
) -> tuple[np.ndarray, np.ndarray]:
    """Exchange bars: in-hours statements by their bar, the others to the next period's first."""
    n = starts.size
    periods = cal.periods
    n_periods = periods.starts.size
    located = locate_sessions(cal, t)
    ip = np.searchsorted(periods.ends, t, side="right")
    ipc = np.minimum(ip, n_periods - 1)
    trading = (ip < n_periods) & (t >= periods.starts[ipc]) & (located.how == DURING)

    # Key 2p + 1 marks in-hours bars of period p; the key is non-decreasing along the series,
    # so "first bar of period p" is one searchsorted.
    key = np.where(bars.period >= 0, 2 * bars.period + 1, 2 * _next_period(periods.starts, starts))

    def first_bar_of(period: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        pc = np.minimum(period, n_periods - 1)
        j = np.searchsorted(key, 2 * period + 1, side="left")
        jc = np.minimum(j, n - 1)
        ok = (period < n_periods) & (j < n) & (key[jc] == 2 * period + 1)
        ok &= starts[jc] < periods.starts[pc] + length  # the period's first bar is present
        return np.where(ok, j, -1), ok

    day0 = np.full(t.size, -1, dtype=np.int64)
    how = np.asarray(HOW_LABELS, dtype=object)[located.how].astype(f"<U{_WIDTH}")
    # Outside trading hours (and in the lunch break): first bar of the next trading period.
    off = ~trading & (located.how != OUTSIDE)
    nxt, ok = first_bar_of(ip)
    day0[off & ok] = nxt[off & ok]
    how[off & ~ok] = NO_BAR
    if first_bar == "containing":
        c = np.searchsorted(starts, t, side="right") - 1
        cc = np.maximum(c, 0)
        ok = (c >= 0) & (key[cc] == 2 * ip + 1) & (t < starts[cc] + length)
        day0[trading & ok] = c[trading & ok]
        how[trading] = np.where(ok[trading], IN_BAR, NO_BAR)
        return day0, how
    j = np.searchsorted(starts, t, side="left")
    jc = np.minimum(j, n - 1)
    same = (j < n) & (key[jc] == 2 * ip + 1)
    ok_same = same & (starts[jc] < t + length)
    # No bar of this period starts at or after the instant, and the period ends within one bar:
    # the instant sat in the period's last bar, so the next full bar opens the next period.
    last_bar = ~same & (periods.ends[ipc] - t <= length)
    nxt, ok_next = first_bar_of(ip + 1)
    use_same, use_next = trading & ok_same, trading & last_bar & ok_next
    day0[use_same] = j[use_same]
    day0[use_next] = nxt[use_next]
    how[trading] = NO_BAR
    how[use_same] = np.where(starts[jc][use_same] == t[use_same], IN_BAR, NEXT_FULL)
    how[use_next] = NEXT_PERIOD
    return day0, how


_WIDTH = max(
    len(label)
    for label in (*HOW_LABELS, IN_BAR, NEXT_FULL, NEXT_PERIOD, NO_BAR, BEFORE_DATA, AFTER_DATA)
)


def _next_period(period_starts: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """For bars outside hours: index of the next period (so they sort before its bars)."""
    return np.searchsorted(period_starts, starts, side="right")


def _check_windows(
    cal: TradingCalendar,
    starts: np.ndarray,
    length: int,
    bars: _BarPeriods,
    day0: np.ndarray,
    t1: int,
    t2: int,
) -> dict[str, np.ndarray]:
    """Boundaries and gaps inside each window, by prefix sums over the bar series."""
    n = starts.size
    found = day0 >= 0
    lo_raw, hi_raw = day0 + t1, day0 + t2
    in_data = found & (lo_raw >= 0) & (hi_raw < n)
    lo = np.clip(lo_raw, 0, n - 1)
    hi = np.clip(hi_raw, 0, n - 1)

    pid = bars.period
    change = np.zeros(n, dtype=bool)
    change[1:] = pid[1:] != pid[:-1]
    gaps = np.zeros(n, dtype=np.int64)
    # Missing bars are counted only between neighbours of one period: the overnight gap is not
    # a run of missing bars.
    gaps[1:] = np.where(change[1:], 0, (np.diff(starts) - 1) // length)
    changes_upto = np.cumsum(change)
    gaps_upto = np.cumsum(gaps)
    n_boundaries = np.where(found, changes_upto[hi] - changes_upto[lo], 0)
    missing = np.where(found, gaps_upto[hi] - gaps_upto[lo], 0)

    crosses = n_boundaries > 0
    offset = np.full(day0.size, np.nan)
    kind = np.full(day0.size, "", dtype=f"<U{max(len(k) for k in BOUNDARY_KINDS)}")
    if crosses.any():
        change_at = np.flatnonzero(change)
        # First boundary after the window's first bar: the first change position > lo.
        k = change_at[np.searchsorted(change_at, lo[crosses], side="right")]
        offset[crosses] = k - day0[crosses]
        kind[crosses] = _boundary_kind(cal, bars, k)
    return {
        "crosses_session": frozen(crosses),
        "n_boundaries": frozen(n_boundaries.astype(np.int64)),
        "boundary_offset": frozen(offset),
        "boundary_kind": frozen(kind),
        "missing_bars": frozen(missing.astype(np.int64)),
        "window_in_data": frozen(in_data),
    }


def _boundary_kind(cal: TradingCalendar, bars: _BarPeriods, k: np.ndarray) -> np.ndarray:
    """Kind of the boundary between bar ``k - 1`` and bar ``k``."""
    codes = np.zeros(k.size, dtype=np.int8)
    if cal.is_24_7:
        return np.asarray(BOUNDARY_KINDS)[codes]
    before, after = bars.session[k - 1], bars.session[k]
    stray = (bars.period[k - 1] < 0) | (bars.period[k] < 0)
    d1 = cal.sessions[np.maximum(before, 0)]
    d2 = cal.sessions[np.maximum(after, 0)]
    # Weekdays of the weekmask strictly between the sessions that were not sessions: holidays.
    closed_weekdays = np.busday_count(d1 + 1, np.maximum(d2, d1 + 1), weekmask=cal.weekmask)
    one_day = np.timedelta64(1, "D")
    codes[:] = np.where(closed_weekdays > 0, 3, np.where(d2 - d1 > one_day, 2, 1))
    codes[after - before > 1] = 5
    codes[after == before] = 4
    codes[stray] = 6
    return np.asarray(BOUNDARY_KINDS)[codes]
