"""The event-day regression on a workspace (:mod:`leaderlens.study.event_days`).

Each statement is aligned to its day-0 session (METHODS section 1), on the same session grid as
the event study and the activity regression; group g's indicator is 1 on the sessions that are
day 0 of at least one of the leader's group-g statements (a same-session cluster counts for
every group among its statements).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from leaderlens.errors import BadInputError, MissingDataError
from leaderlens.study.activity_study import day0_positions, session_series, sessions_between
from leaderlens.study.event_days import EventDayRegression, event_day_regression
from leaderlens.study.settings import window_pair

if TYPE_CHECKING:
    from leaderlens.store.workspace import Workspace


def event_day_study(
    ws: Workspace,
    *,
    leader: str,
    asset: str,
    by: str | None = None,
    window: tuple[int, int] = (-1, 1),
    benchmark: str | None = None,
    start: str | None = None,
    end: str | None = None,
    returns: str = "simple",
    maxlags: int | None = None,
) -> EventDayRegression:
    """The leader's effect on ``asset`` by event-day regression over the whole sample.

    ``by`` names a statement column to split by (``channel``, ``language``, ``is_reply``, ...;
    None: one group ``all``). Sessions are those of the asset's calendar between its first and
    last bar, restricted to [start, end) when given; statements are all of the leader's.
    """
    t1, t2 = window_pair("window", window)
    ts, r, m, calendars = session_series(ws, asset, benchmark, returns)
    found = ws.statements(leader)
    if found.empty:
        raise MissingDataError(f"leader {leader!r} has no statements", field="leader")
    if by is not None and by not in found.columns:
        raise BadInputError(
            f"cannot group by {by!r}; statements have {', '.join(found.columns)}", field="by"
        )
    pos, hit = day0_positions(found["ts"], asset, calendars, ts)
    labels = found[by].astype(str).to_numpy() if by is not None else np.full(len(found), "all")
    names, codes = np.unique(labels[hit], return_inverse=True)
    days = np.zeros((names.size, ts.size))
    days[codes, pos[hit]] = 1.0  # once per (group, session), however many statements
    keep = sessions_between(ts, start, end)
    return event_day_regression(
        r[keep],
        m[keep],
        {str(g): days[i, keep] for i, g in enumerate(names)},
        window=(t1, t2),
        maxlags=maxlags,
    )
