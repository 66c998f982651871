"""What the store needs to know of trading calendars: names, time zones, session counts.

The store only validates and describes; aligning instants to sessions is the align layer's job.
exchange_calendars emits deprecation warnings under pandas 3 while it builds a calendar; they
concern the library, not the user, and are silenced here only.
"""

from __future__ import annotations

import warnings
from functools import lru_cache

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
