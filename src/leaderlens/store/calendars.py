"""What the store needs to know of trading calendars: names, time zones, session counts.

The store only validates and describes; aligning instants to sessions is the align layer's job.
exchange_calendars emits deprecation warnings under pandas 3 while it builds a calendar; they
concern the library, not the user, and are silenced here only.
"""

from __future__ import annotations

import warnings
from functools import lru_cache

import numpy as np
import pandas as pd

from leaderlens.errors import BadInputError

ALWAYS_OPEN = "24/7"


@lru_cache(maxsize=64)
def calendar_time_zone(calendar: str) -> str:
    """The time zone of a trading calendar name (``24/7`` is UTC); unknown names refused."""
    if calendar == ALWAYS_OPEN:
        return "UTC"
    import exchange_calendars as xcals

    if calendar not in xcals.get_calendar_names(include_aliases=True):
        some = ", ".join(["24/7", "XNYS", "XNAS", "XHKG", "XSHG", "XLON", "XTKS"])
        raise BadInputError(
            f"unknown calendar {calendar!r}; use 24/7 or an exchange calendar name ({some}, ...)",
            field="calendar",
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return str(xcals.get_calendar(calendar).tz)


@lru_cache(maxsize=256)
def session_count(calendar: str, first: str, last: str) -> int | None:
    """Sessions of ``calendar`` from ``first`` to ``last`` (ISO dates), None if out of range."""
    import exchange_calendars as xcals

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:  # (a range the library does not cover raises a ValueError at either step)
            cal = xcals.get_calendar(calendar, start=first, end=last)
            return len(cal.sessions_in_range(first, last))
        except (ValueError, xcals.errors.CalendarError):
            return None


@lru_cache(maxsize=64)
def calendar_weekmask(calendar: str) -> str:
    """Trading weekdays Monday..Sunday as ``"1111100"`` (``24/7``: every day)."""
    if calendar == ALWAYS_OPEN:
        return "1111111"
    import exchange_calendars as xcals

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return str(xcals.get_calendar(calendar).weekmask)


def off_day_note(calendar: str, ts: pd.Series, daily: bool) -> str | None:
    """A note when bars fall on days the calendar never trades (weekends of an exchange), or
    None. Daily bars are dated by their label; intraday bars by the exchange's local date."""
    mask = calendar_weekmask(calendar)
    if mask == "1111111" or ts.empty:
        return None
    local = ts if daily else ts.dt.tz_convert(calendar_time_zone(calendar))
    days = local.dt.tz_localize(None).to_numpy(dtype="datetime64[D]")
    off = ~np.is_busday(days, weekmask=mask)
    if not off.any():
        return None
    return (
        f"{int(off.sum()):,} bar{'s fall' if off.sum() > 1 else ' falls'} on days {calendar} never "
        f"trades (weekends), the first at {ts[off].iloc[0]}: check the calendar or the "
        "file's time zone"
    )
