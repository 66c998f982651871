"""Aligning statements to an asset's bars on real trading calendars.

- :func:`get_calendar`: exchange sessions in UTC (``exchange_calendars``) or the 24/7 calendar.
- :func:`align_daily`: day 0 session of each statement (first session closing after it).
- :func:`align_intraday`: day 0 bar of each statement; windows that cross session boundaries.
- :func:`cluster_events` and :func:`estimation_masks`: statements sharing a bar form one event;
  overlapping event windows are flagged and masked out of other events' estimation windows.
"""

from leaderlens.align.calendars import (
    HOW_LABELS,
    TradingCalendar,
    calendar_names,
    get_calendar,
)
from leaderlens.align.clusters import (
    EstimationMasks,
    EventClusters,
    cluster_events,
    estimation_masks,
)
from leaderlens.align.daily import BAR_REASONS, DailyAlignment, align_daily
from leaderlens.align.intraday import BOUNDARY_KINDS, IntradayAlignment, align_intraday

__all__ = [
    "BAR_REASONS",
    "BOUNDARY_KINDS",
    "HOW_LABELS",
    "DailyAlignment",
    "EstimationMasks",
    "EventClusters",
    "IntradayAlignment",
    "TradingCalendar",
    "align_daily",
    "align_intraday",
    "calendar_names",
    "cluster_events",
    "estimation_masks",
    "get_calendar",
]
