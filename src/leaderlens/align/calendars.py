"""Trading calendars: the sessions, opens, closes and lunch breaks an asset trades in, in UTC.

Exchange calendars come from ``exchange_calendars`` (XNYS, XHKG, XLON, ... and their aliases,
e.g. ``NYSE``, ``HKEX``), built once per name from 1980 (or the calendar's earliest supported
date) to the library's default end (one year ahead), with early closes, late opens and lunch
breaks as the library records them. Ad-hoc closures the library does not know (HKEX weather
closures such as 2023-09-08) remain sessions; daily alignment reports them as "no bar" when
the price data lack them. ``"24/7"`` is the calendar of crypto assets: every UTC day
is a session from 00:00 to 24:00 UTC, computed arithmetically so it has no range.

:func:`locate_sessions` is the one place that decides, for many instants at once, which
session an instant belongs to and how (during the session, after the close, on a weekend,
...). Daily and intraday alignment both build on it.
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass
from typing import Final

import exchange_calendars as xcals
import numpy as np
import pandas as pd

from leaderlens.align.times import NS_PER_DAY, as_datetime64, frozen, local_days, utc_index
from leaderlens.errors import BadInputError, EngineError

ALWAYS_OPEN: Final = "24/7"
CALENDAR_START: Final = pd.Timestamp("1980-01-01")
_NAT: Final = np.iinfo(np.int64).min

# How an instant relates to the session it is aligned to. Codes index this tuple.
HOW_LABELS: Final = (
    "during session",
    "lunch break",
    "before open",
    "after close",
    "weekend",
    "holiday",
    "24/7 UTC day",
    "outside calendar",
)
DURING, LUNCH, BEFORE_OPEN, AFTER_CLOSE, WEEKEND, HOLIDAY, UTC_DAY, OUTSIDE = range(len(HOW_LABELS))


@dataclass(frozen=True)
class TradingCalendar:
    """One exchange's sessions in UTC (or the 24/7 calendar).

    Attributes
    ----------
    name: canonical name (``"XNYS"``, ``"XHKG"``, ``"24/7"``).
    tz: the exchange's IANA time zone (``"UTC"`` for 24/7).
    weekmask: trading weekdays Monday..Sunday as ``"1111100"``; days outside it are weekends.
    sessions: ``datetime64[D]``, shape (S,): session dates, ascending (empty for 24/7).
    opens, closes: ``datetime64[ns]`` UTC, shape (S,): first and end instant of each session;
        a session's close is exclusive (trading at 16:00:00 on XNYS is after the close).
    break_starts, break_ends: ``datetime64[ns]`` UTC, shape (S,): lunch break, ``NaT`` when the
        session has none (XHKG half days have none).
    early_close, late_open: ``bool``, shape (S,): the session closes early / opens late
        (XNYS 13:00 ET on the day after Thanksgiving; XHKG 12:00 on Lunar New Year's Eve).
    """

    name: str
    tz: str
    weekmask: str
    sessions: np.ndarray
    opens: np.ndarray
    closes: np.ndarray
    break_starts: np.ndarray
    break_ends: np.ndarray
    early_close: np.ndarray
    late_open: np.ndarray

    @property
    def is_24_7(self) -> bool:
        """True for the always-open calendar (no sessions, plain UTC days)."""
        return self.name == ALWAYS_OPEN

    @property
    def has_breaks(self) -> bool:
        """True when some session has a lunch break."""
        return bool(np.any(~np.isnat(self.break_starts)))

    @functools.cached_property
    def periods(self) -> TradingPeriods:
        """The continuous trading periods (a session, or its morning and afternoon)."""
        return trading_periods(self)

    def to_frame(self) -> pd.DataFrame:
        """One row per session: open, break start/end, close (tz-aware UTC) and flags."""
        return pd.DataFrame(
            {
                "session": self.sessions,
                "open": utc_index(self.opens.view(np.int64)),
                "break_start": utc_index(self.break_starts.view(np.int64)),
                "break_end": utc_index(self.break_ends.view(np.int64)),
                "close": utc_index(self.closes.view(np.int64)),
                "early_close": self.early_close,
                "late_open": self.late_open,
            }
        )

    def __repr__(self) -> str:
        if self.is_24_7:
            return "TradingCalendar('24/7': every UTC day, 00:00-24:00 UTC)"
        return (
            f"TradingCalendar({self.name!r}, tz={self.tz!r}, {self.sessions.size} sessions "
            f"{self.sessions[0]} .. {self.sessions[-1]}, early closes: "
            f"{int(self.early_close.sum())}, lunch breaks: {self.has_breaks})"
        )


@dataclass(frozen=True)
class TradingPeriods:
    """Continuous stretches of trading, ascending and disjoint (UTC nanoseconds).

    Attributes
    ----------
    starts, ends: ``int64``, shape (P,): start (inclusive) and end (exclusive) of each period.
    session: ``int64``, shape (P,): index of the period's session in the calendar.
    afternoon: ``bool``, shape (P,): the period starts at a lunch-break end.
    """

    starts: np.ndarray
    ends: np.ndarray
    session: np.ndarray
    afternoon: np.ndarray


def trading_periods(calendar: TradingCalendar) -> TradingPeriods:
    """Split every session at its lunch break (if any) into continuous trading periods."""
    opens = calendar.opens.view(np.int64)
    closes = calendar.closes.view(np.int64)
    b_start = calendar.break_starts.view(np.int64)
    b_end = calendar.break_ends.view(np.int64)
    has_break = b_start != _NAT
    n = opens.size
    # Morning and afternoon interleaved per session keeps the result sorted without a sort.
    starts = np.column_stack([opens, np.where(has_break, b_end, _NAT)]).ravel()
    ends = np.column_stack([np.where(has_break, b_start, closes), closes]).ravel()
    session = np.repeat(np.arange(n, dtype=np.int64), 2)
    afternoon = np.tile(np.array([False, True]), n)
    keep = starts != _NAT
    return TradingPeriods(
        starts=frozen(starts[keep]),
        ends=frozen(ends[keep]),
        session=frozen(session[keep]),
        afternoon=frozen(afternoon[keep]),
    )


def calendar_names() -> tuple[str, ...]:
    """Every name :func:`get_calendar` accepts (canonical names and aliases), sorted."""
    names = set(xcals.get_calendar_names(include_aliases=True)) | {ALWAYS_OPEN}
    return tuple(sorted(names))


def get_calendar(name: str) -> TradingCalendar:
    """The trading calendar called ``name`` (case-insensitive), built once and cached.

    ``"24/7"`` is the always-open calendar of crypto assets (UTC days). Any name
    ``exchange_calendars`` knows is accepted, aliases included (``"NYSE"`` -> ``"XNYS"``).
    An unknown name raises :class:`BadInputError` naming the argument ``calendar``.
    """
    if not isinstance(name, str):
        raise BadInputError(
            f"calendar must be a name such as 'XNYS'; got {name!r}", field="calendar"
        )
    canonical = _canonical(name.strip().upper())
    if canonical is None:
        examples = ", ".join(("XNYS", "XNAS", "XHKG", "XSHG", "XLON", "XTKS", ALWAYS_OPEN))
        raise BadInputError(
            f"calendar must be a known trading calendar (e.g. {examples}; "
            f"{len(calendar_names())} names in all, see calendar_names()); got {name!r}",
            field="calendar",
        )
    return _build_calendar(canonical)


_CANONICAL: dict[str, str] = {}


def _canonical(upper: str) -> str | None:
    """The canonical calendar name of an upper-cased name or alias (None: unknown). Known
    names are remembered: a study looks up the calendar of every asset it touches."""
    if upper in _CANONICAL:
        return _CANONICAL[upper]
    by_upper = {known.upper(): known for known in calendar_names()}
    known_name = by_upper.get(upper)
    if known_name is None:
        return None
    canonical = known_name if known_name == ALWAYS_OPEN else str(xcals.resolve_alias(known_name))
    _CANONICAL[upper] = canonical
    return canonical


@functools.cache
def _build_calendar(canonical: str) -> TradingCalendar:
    if canonical == ALWAYS_OPEN:
        empty_days = np.empty(0, dtype="datetime64[D]")
        empty_ns = np.empty(0, dtype="datetime64[ns]")
        no_flags = np.empty(0, dtype=bool)
        return TradingCalendar(
            name=ALWAYS_OPEN, tz="UTC", weekmask="1111111",
            sessions=frozen(empty_days), opens=frozen(empty_ns), closes=frozen(empty_ns.copy()),
            break_starts=frozen(empty_ns.copy()), break_ends=frozen(empty_ns.copy()),
            early_close=frozen(no_flags), late_open=frozen(no_flags.copy()),
        )  # fmt: skip
    cal = _exchange_calendar(canonical)
    sessions = cal.sessions
    return TradingCalendar(
        name=canonical,
        tz=str(cal.tz),
        weekmask=str(cal.weekmask),
        sessions=frozen(np.asarray(sessions.values.astype("datetime64[D]"))),
        opens=frozen(as_datetime64(np.asarray(cal.opens_nanos, dtype=np.int64))),
        closes=frozen(as_datetime64(np.asarray(cal.closes_nanos, dtype=np.int64))),
        break_starts=frozen(as_datetime64(np.asarray(cal.break_starts_nanos, dtype=np.int64))),
        break_ends=frozen(as_datetime64(np.asarray(cal.break_ends_nanos, dtype=np.int64))),
        early_close=frozen(np.asarray(sessions.isin(cal.early_closes))),
        late_open=frozen(np.asarray(sessions.isin(cal.late_opens))),
    )


def _exchange_calendar(canonical: str) -> xcals.ExchangeCalendar:
    """Build from 1980, or from the first date the calendar records holidays for."""
    with warnings.catch_warnings():
        # exchange_calendars still calls pandas APIs that pandas 3 deprecates; those warnings
        # say nothing about the user's data, so they are not passed on.
        warnings.simplefilter("ignore", DeprecationWarning)
        return _build_exchange_calendar(canonical)


def _build_exchange_calendar(canonical: str) -> xcals.ExchangeCalendar:
    try:
        try:
            return xcals.get_calendar(canonical, start=CALENDAR_START)
        except ValueError:
            # Calendars that record holidays only from later (XSHG 1991, XTKS 1997, ...).
            bound = xcals.get_calendar(canonical).bound_min()
            start = CALENDAR_START if bound is None else max(CALENDAR_START, pd.Timestamp(bound))
            return xcals.get_calendar(canonical, start=start)
    except Exception as exc:  # a calendar the installed exchange_calendars cannot build
        raise EngineError(
            f"exchange_calendars could not build the {canonical} calendar: {exc}"
        ) from exc


@dataclass(frozen=True)
class SessionLocation:
    """Where each instant falls on a calendar.

    Attributes
    ----------
    session: ``int64``, shape (N,): index of day 0, the first session whose close is strictly
        after the instant; -1 outside the calendar (before its first open, or at or after its
        last close) and on 24/7, which has no session list (see ``utc_day``).
    how: ``int8``, shape (N,): code into :data:`HOW_LABELS`.
    utc_day: ``int64``, shape (N,): days since the epoch of the instant's UTC date (the
        24/7 session); filled for every calendar.
    """

    session: np.ndarray
    how: np.ndarray
    utc_day: np.ndarray


def locate_sessions(calendar: TradingCalendar, instants: np.ndarray) -> SessionLocation:
    """Day 0 session and how each instant relates to it (``instants`` in UTC nanoseconds).

    Rule (leaderlens METHODS section 1; the convention of MacKinlay 1997, "Event studies in
    economics and finance", for announcements outside trading hours): day 0 is the first
    session whose close is strictly after the instant, so a statement at the close itself
    belongs to the next session. The relation is read in the exchange's own time zone:
    "before open" / "after close" when the instant's local date is day 0's open date / the
    previous session's close date, otherwise "weekend" or "holiday" by the weekmask.
    """
    utc_day = np.floor_divide(instants, NS_PER_DAY)
    n = instants.size
    if calendar.is_24_7:
        return SessionLocation(
            session=np.full(n, -1, dtype=np.int64),
            how=np.full(n, UTC_DAY, dtype=np.int8),
            utc_day=utc_day,
        )
    opens = calendar.opens.view(np.int64)
    closes = calendar.closes.view(np.int64)
    b_start = calendar.break_starts.view(np.int64)
    b_end = calendar.break_ends.view(np.int64)
    day0 = np.searchsorted(closes, instants, side="right")
    # Before the first open nothing is known about earlier sessions; after the last close
    # there is no day 0 to give.
    outside = (day0 >= closes.size) | (instants < opens[0])
    at = np.where(outside, 0, day0)
    before = np.maximum(at - 1, 0)

    local = local_days(instants, calendar.tz)
    open_day = local_days(opens[at], calendar.tz)
    prev_close_day = local_days(closes[before], calendar.tz)
    trading_weekday = np.is_busday(local, weekmask=calendar.weekmask)

    how = np.where(trading_weekday, HOLIDAY, WEEKEND).astype(np.int8)
    how[(local == open_day) & (instants < opens[at])] = BEFORE_OPEN
    how[(at > 0) & (local == prev_close_day) & (instants >= closes[before])] = AFTER_CLOSE
    how[instants >= opens[at]] = DURING
    in_break = (b_start[at] != _NAT) & (instants >= b_start[at]) & (instants < b_end[at])
    how[in_break] = LUNCH
    how[outside] = OUTSIDE
    return SessionLocation(
        session=np.where(outside, -1, day0).astype(np.int64), how=how, utc_day=utc_day
    )
