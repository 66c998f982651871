"""Daily alignment: each statement's day 0 session on the asset's trading calendar.

Rule (leaderlens METHODS section 1): day 0 is the first session whose close is strictly after
the statement's instant. A statement during a session belongs to it; one after the close, on a
weekend or on a holiday belongs to the next session; one exactly at the close belongs to the
next session. Early closes (XNYS 13:00 ET on the day after Thanksgiving) and lunch breaks
(XHKG) come from the real exchange calendar. This is the usual treatment of announcements made
outside trading hours (MacKinlay 1997, "Event studies in economics and finance", J. Econ.
Lit. 35(1), section 4; Campbell, Lo & MacKinlay 1997, ch. 4).

When the caller also passes the session dates that actually have bars, each day 0 is looked up
in them, and a day 0 the data lack is reported with a reason instead of being moved silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from leaderlens.align.calendars import (
    HOW_LABELS,
    TradingCalendar,
    get_calendar,
    locate_sessions,
)
from leaderlens.align.times import (
    NS_PER_DAY,
    NS_PER_HOUR,
    as_datetime64,
    frozen,
    session_days,
    utc_index,
    utc_nanoseconds,
)

_NAT = np.iinfo(np.int64).min

BAR_REASONS = ("", "no bar", "before data", "after data", "outside calendar")
"""Why a day 0 has no bar in the data: present (""), a gap in the data on a day the calendar
says was a session ("no bar"), before the first or after the last bar, or no day 0 at all."""


@dataclass(frozen=True)
class DailyAlignment:
    """Day 0 of N statements on one calendar.

    Attributes
    ----------
    calendar: the calendar's name (``"XNYS"``, ``"XHKG"``, ``"24/7"``).
    instants: ``datetime64[ns]`` UTC, shape (N,): the statements' instants, in input order.
    day0: ``datetime64[D]``, shape (N,): the day 0 session date (the UTC date on 24/7);
        ``NaT`` when the instant is outside the calendar's range.
    day0_open, day0_close: ``datetime64[ns]`` UTC, shape (N,): day 0's open and close.
    how: ``str``, shape (N,): one of ``HOW_LABELS`` ("during session", "lunch break",
        "before open", "after close", "weekend", "holiday", "24/7 UTC day",
        "outside calendar").
    gap_hours: ``float64``, shape (N,): hours from the statement to day 0's close (> 0); NaN
        outside the calendar.
    early_close: ``bool``, shape (N,): day 0 closed early.
    session_index: ``int64``, shape (N,): day 0's position in ``calendar.sessions``; -1 on 24/7
        and outside the calendar.
    bar_index: ``int64``, shape (N,), or None when no data sessions were given: day 0's
        position in the given session dates, -1 when the data lack it.
    bar_reason: ``str``, shape (N,), or None: ``""`` when day 0 has a bar, else one of
        ``BAR_REASONS``.
    off_calendar: ``datetime64[D]``, or None: given session dates inside the calendar's range on
        which the calendar says the exchange was closed (a data or calendar problem to check).
    """

    calendar: str
    instants: np.ndarray
    day0: np.ndarray
    day0_open: np.ndarray
    day0_close: np.ndarray
    how: np.ndarray
    gap_hours: np.ndarray
    early_close: np.ndarray
    session_index: np.ndarray
    bar_index: np.ndarray | None = None
    bar_reason: np.ndarray | None = None
    off_calendar: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.instants.size)

    def to_frame(self) -> pd.DataFrame:
        """One row per statement, in input order; instants tz-aware UTC, day 0 as a date label."""
        frame = pd.DataFrame(
            {
                "instant": utc_index(self.instants.view(np.int64)),
                "day0": pd.DatetimeIndex(self.day0.astype("datetime64[s]")),
                "how": self.how,
                "gap_hours": self.gap_hours,
                "early_close": self.early_close,
                "day0_open": utc_index(self.day0_open.view(np.int64)),
                "day0_close": utc_index(self.day0_close.view(np.int64)),
            }
        )
        if self.bar_index is not None and self.bar_reason is not None:
            frame["bar_index"] = self.bar_index
            frame["bar_reason"] = self.bar_reason
        return frame

    def summary(self) -> str:
        """How many statements were aligned which way, and how many lack a bar."""
        labels, counts = np.unique(self.how, return_counts=True)
        lines = [f"Daily alignment on {self.calendar}: {len(self)} statements"]
        lines += [f"  {label:<17} {count:>8}" for label, count in zip(labels, counts, strict=True)]
        if self.bar_reason is not None:
            missing = self.bar_reason[self.bar_reason != ""]
            if missing.size:
                reasons, rcounts = np.unique(missing, return_counts=True)
                detail = ", ".join(f"{r}: {c}" for r, c in zip(reasons, rcounts, strict=True))
                lines.append(f"  without a bar in the data: {missing.size} ({detail})")
        if self.off_calendar is not None and self.off_calendar.size:
            lines.append(
                f"  data dates the calendar says were closed: {self.off_calendar.size} "
                f"(first {self.off_calendar[0]})"
            )
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return self.to_frame().to_html(max_rows=20, escape=True)


def align_daily(
    instants: Any,
    calendar: TradingCalendar | str,
    sessions: Any | None = None,
) -> DailyAlignment:
    """Align statements to their day 0 session.

    Parameters
    ----------
    instants: the statements' times, tz-aware (any zone; converted to UTC) or NumPy
        ``datetime64`` (read as UTC); Series, DatetimeIndex, array or list.
    calendar: a :class:`TradingCalendar` or a calendar name for :func:`get_calendar`.
    sessions: optional dates that actually have bars (strictly increasing; ``datetime64``,
        date strings, or midnight-labelled timestamps). When given, ``bar_index`` says where
        day 0 sits in them and ``bar_reason`` why it is missing.

    Vectorised: one ``np.searchsorted`` over the session closes for all statements.
    """
    cal = calendar if isinstance(calendar, TradingCalendar) else get_calendar(calendar)
    t = utc_nanoseconds(instants, field="instants")
    where = locate_sessions(cal, t)
    if cal.is_24_7:
        day_start = where.utc_day * NS_PER_DAY
        open_ns, close_ns = day_start, day_start + NS_PER_DAY
        day0 = where.utc_day.astype("datetime64[D]")
        early = np.zeros(t.size, dtype=bool)
        inside = np.ones(t.size, dtype=bool)
    else:
        inside = where.session >= 0
        at = np.where(inside, where.session, 0)
        open_ns = np.where(inside, cal.opens.view(np.int64)[at], _NAT)
        close_ns = np.where(inside, cal.closes.view(np.int64)[at], _NAT)
        day0 = np.where(inside, cal.sessions[at], np.datetime64("NaT", "D"))
        early = inside & cal.early_close[at]
    gap = np.where(inside, (close_ns - t) / NS_PER_HOUR, np.nan)

    bar_index = bar_reason = off_calendar = None
    if sessions is not None:
        data_days = session_days(sessions, field="sessions")
        bar_index, bar_reason = _bars_for_days(data_days, day0, inside)
        off_calendar = frozen(_off_calendar(cal, data_days))
        bar_index, bar_reason = frozen(bar_index), frozen(bar_reason)
    return DailyAlignment(
        calendar=cal.name,
        instants=frozen(as_datetime64(t).copy()),
        day0=frozen(day0),
        day0_open=frozen(as_datetime64(open_ns)),
        day0_close=frozen(as_datetime64(close_ns)),
        how=frozen(np.asarray(HOW_LABELS)[where.how]),
        gap_hours=frozen(gap),
        early_close=frozen(early),
        session_index=frozen(where.session),
        bar_index=bar_index,
        bar_reason=bar_reason,
        off_calendar=off_calendar,
    )


def _bars_for_days(
    data_days: np.ndarray, day0: np.ndarray, inside: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Position of each day 0 in the data's dates (-1 when absent) and the reason."""
    if data_days.size == 0:
        reason = np.where(inside, "no bar", "outside calendar")
        return np.full(day0.size, -1, dtype=np.int64), reason
    key = np.where(inside, day0, data_days[0])
    pos = np.searchsorted(data_days, key)
    found = (
        inside & (pos < data_days.size) & (data_days[np.minimum(pos, data_days.size - 1)] == key)
    )
    codes = np.where(found, 0, 1)
    codes = np.where(~found & (key < data_days[0]), 2, codes)
    codes = np.where(~found & (key > data_days[-1]), 3, codes)
    codes = np.where(inside, codes, 4)
    return np.where(found, pos, -1).astype(np.int64), np.asarray(BAR_REASONS)[codes]


def _off_calendar(cal: TradingCalendar, data_days: np.ndarray) -> np.ndarray:
    """Data dates within the calendar's range that are not sessions of the calendar."""
    if cal.is_24_7 or data_days.size == 0:
        return np.empty(0, dtype="datetime64[D]")
    within = (data_days >= cal.sessions[0]) & (data_days <= cal.sessions[-1])
    return np.setdiff1d(data_days[within], cal.sessions, assume_unique=True)
