"""The activity regression on a workspace: for leaders who post on most trading days.

Each statement is aligned to its day-0 session (METHODS section 1); ``activity_t`` is the number
of statements aligned to session t (0 on silent sessions), optionally ``sentiment_t`` the mean
stored sentiment of those statements. The asset's and benchmark's returns come from the same
session grid as the event study (:mod:`leaderlens.study.series`), and
:func:`leaderlens.study.activity.activity_regression` fits
``R_t = a + b R_mt + c activity_t (+ d sentiment_t) + e_t`` with Newey-West errors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from leaderlens.align import TradingCalendar, get_calendar
from leaderlens.errors import BadInputError, MissingDataError, check_choice, unknown_asset
from leaderlens.study.activity import ActivityRegression, activity_regression
from leaderlens.study.eventize import daily_day0
from leaderlens.study.series import RETURN_TYPES, build_grid

if TYPE_CHECKING:
    from leaderlens.store.workspace import Workspace


def activity_study(
    ws: Workspace,
    *,
    leader: str,
    asset: str,
    benchmark: str | None = None,
    start: str | None = None,
    end: str | None = None,
    returns: str = "simple",
    sentiment: bool = False,
) -> ActivityRegression:
    """Regress the asset's daily returns on the market and the leader's posting activity.

    ``sentiment=True`` adds the day's mean sentiment (from ``leaderlens annotate``; days
    without statements get 0). Sessions are those of the asset's calendar between its first
    and last bar, restricted to [start, end) when given.
    """
    ts, r, m, calendars = session_series(ws, asset, benchmark, returns)
    statements = _statements(ws, leader, start, end, sentiment)
    pos, hit = day0_positions(statements["ts"], asset, calendars, ts)
    activity = np.bincount(pos[hit], minlength=ts.size).astype(float)
    keep = sessions_between(ts, start, end)
    mood = None
    if sentiment:
        total = np.bincount(
            pos[hit], weights=statements["sentiment"].to_numpy(float)[hit], minlength=ts.size
        )
        mood = np.divide(total, activity, out=np.zeros(ts.size), where=activity > 0)[keep]
    return activity_regression(r[keep], m[keep], activity[keep], mood)


def session_series(
    ws: Workspace, asset: str, benchmark: str | None, returns: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, TradingCalendar]]:
    """The asset's sessions (UTC ns), its returns and its benchmark's on them (the event
    study's grid, :mod:`leaderlens.study.series`), and the two calendars."""
    check_choice("returns", returns, RETURN_TYPES)
    meta = ws.assets().set_index("asset_id")
    if asset not in meta.index:
        raise unknown_asset(asset, meta.index)
    bench = benchmark or meta.loc[asset, "benchmark_id"]
    if not isinstance(bench, str) or bench not in meta.index:
        raise MissingDataError(
            f"asset {asset!r} needs a benchmark in the workspace (--benchmark)", asset=asset
        )
    calendars = {a: get_calendar(str(meta.loc[a, "calendar"])) for a in (asset, bench)}
    grid = build_grid(ws.bars_for([asset, bench], freq="1d"), calendars, "1d", returns)
    seg = grid.segment(grid.assets.index(asset))
    ts = grid.ts[seg]
    return ts, grid.r[seg], grid.values_at(grid.assets.index(bench), ts), calendars


def sessions_between(ts: np.ndarray, start: str | None, end: str | None) -> np.ndarray:
    """Which sessions lie in [start, end) (ISO instants with offset; None: unbounded)."""
    keep = np.ones(ts.size, dtype=bool)
    for bound, op in ((start, np.greater_equal), (end, np.less)):
        if bound is not None:
            keep &= op(ts, pd.Timestamp(bound).tz_convert("UTC").normalize().value)
    return keep


def day0_positions(
    times: pd.Series, asset: str, calendars: dict[str, TradingCalendar], ts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each statement's day-0 position on the sessions ``ts`` (METHODS section 1), and
    whether that session is in ``ts``."""
    day0, _, _ = daily_day0(pd.DataFrame({"time": times, "asset": asset}), calendars)
    pos = np.searchsorted(ts, day0)
    hit = (day0 >= 0) & (pos < ts.size) & (ts[np.minimum(pos, ts.size - 1)] == day0)
    return pos, hit


def _statements(
    ws: Workspace, leader: str, start: str | None, end: str | None, sentiment: bool
) -> pd.DataFrame:
    if sentiment:
        from leaderlens.text.annotate import annotated

        frame = annotated(ws, kind="statements", leader=leader)
        if frame["sentiment"].isna().all():
            raise MissingDataError(
                f"statements of {leader!r} have no sentiment yet: run leaderlens annotate",
                field="sentiment",
            )
        frame["sentiment"] = frame["sentiment"].fillna(0.0)
    else:
        frame = ws.statements(leader)
    if frame.empty:
        raise BadInputError(f"leader {leader!r} has no statements", field="leader")
    return frame
