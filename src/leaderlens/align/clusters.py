"""Events from statements: clustering by event bar, overlap flags and estimation-window masks.

Several statements aligned to the same event bar are one event (a cluster) that keeps every
statement id, its first instant and its size; counting each tweet of a burst as its own event
would repeat the same abnormal return. Events whose windows ``[t1, t2]`` overlap share abnormal
returns, which breaks the independence the cross-event tests assume (MacKinlay 1997, "Event
studies in economics and finance", J. Econ. Lit. 35(1), section 4, "clustering"), so they are
flagged. A leader who posts every day puts other events into each event's estimation window;
:func:`estimation_masks` says which estimation bars to drop for that reason and whether enough
remain (leaderlens METHODS section 1).

Bar positions are indices into one asset's bar series (``DailyAlignment.bar_index`` or
``IntradayAlignment.bar_index``), so windows are counted in bars, never in calendar time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from leaderlens.align.times import as_datetime64, frozen, utc_index, utc_nanoseconds
from leaderlens.errors import BadInputError


@dataclass(frozen=True)
class EventClusters:
    """E events formed from N statements.

    Attributes
    ----------
    window: ``(t1, t2)``, the event window in bars used for the overlap flags.
    event_bar: ``int64``, shape (E,): each event's bar position, strictly ascending.
    first_instant: ``datetime64[ns]`` UTC, shape (E,): the earliest statement of the event.
    count: ``int64``, shape (E,): statements in the event.
    statement_ids: shape (N,): the ids as given, input order.
    statement_event: ``int64``, shape (N,): event number of each statement (input order);
        -1 for statements without a bar (bar position -1), which belong to no event.
    member_order: ``int64``, shape (sum(count),): statement positions grouped by event, by
        instant within an event; event ``e`` owns the slice
        ``member_order[member_start[e] : member_start[e + 1]]``.
    member_start: ``int64``, shape (E + 1,): offsets into ``member_order``.
    overlaps: ``bool``, shape (E,): the event's window overlaps another event's window.
    n_overlapping: ``int64``, shape (E,): how many other events' windows it overlaps.
    overlap_pairs: ``int64``, shape (M, 2): every overlapping pair ``(i, j)`` with ``i < j``.
    """

    window: tuple[int, int]
    event_bar: np.ndarray
    first_instant: np.ndarray
    count: np.ndarray
    statement_ids: np.ndarray
    statement_event: np.ndarray
    member_order: np.ndarray
    member_start: np.ndarray
    overlaps: np.ndarray
    n_overlapping: np.ndarray
    overlap_pairs: np.ndarray

    def __len__(self) -> int:
        return int(self.event_bar.size)

    def members(self, event: int) -> np.ndarray:
        """Statement ids of one event, earliest first."""
        if not 0 <= event < len(self):
            raise BadInputError(
                f"event must be between 0 and {len(self) - 1}; got {event}", field="event"
            )
        rows = self.member_order[self.member_start[event] : self.member_start[event + 1]]
        return self.statement_ids[rows]

    @property
    def unaligned_ids(self) -> np.ndarray:
        """Ids of statements that had no bar and so belong to no event."""
        return self.statement_ids[self.statement_event < 0]

    def to_frame(self) -> pd.DataFrame:
        """One row per event: bar, first instant, size, its statement ids, overlap flags."""
        ids = self.statement_ids[self.member_order]
        return pd.DataFrame(
            {
                "event": np.arange(len(self)),
                "event_bar": self.event_bar,
                "first_instant": utc_index(self.first_instant.view(np.int64)),
                "count": self.count,
                "statement_ids": [list(part) for part in np.split(ids, self.member_start[1:-1])],
                "overlaps": self.overlaps,
                "n_overlapping": self.n_overlapping,
            }
        )

    def summary(self) -> str:
        """Events, statements per event and overlaps in one paragraph."""
        t1, t2 = self.window
        multi = int((self.count > 1).sum())
        return (
            f"{len(self)} events from {int(self.count.sum())} statements "
            f"({multi} events hold several statements; {self.unaligned_ids.size} statements "
            f"without a bar); window [{t1}, {t2}]: {int(self.overlaps.sum())} events overlap "
            f"another event's window ({self.overlap_pairs.shape[0]} pairs)"
        )

    def _repr_html_(self) -> str:
        return self.to_frame().to_html(max_rows=20, escape=True)


@dataclass(frozen=True)
class EstimationMasks:
    """Which estimation bars of each event are usable.

    Attributes
    ----------
    estimation, window: ``(e1, e2)`` and ``(t1, t2)`` in bars relative to the event bar.
    minimum: the fewest usable estimation bars an event needs.
    event_bar: ``int64``, shape (E,).
    offsets: ``int64``, shape (T,): ``e1 .. e2``.
    in_other_window: ``bool``, shape (E, T): the estimation bar lies in another event's window.
    outside_data: ``bool``, shape (E, T): the estimation bar is before the first or after the
        last bar of the series.
    keep: ``bool``, shape (E, T): neither of the above.
    remaining: ``int64``, shape (E,): usable estimation bars.
    enough: ``bool``, shape (E,): ``remaining >= minimum``.
    """

    estimation: tuple[int, int]
    window: tuple[int, int]
    minimum: int
    event_bar: np.ndarray
    offsets: np.ndarray
    in_other_window: np.ndarray
    outside_data: np.ndarray
    keep: np.ndarray
    remaining: np.ndarray
    enough: np.ndarray

    def to_frame(self) -> pd.DataFrame:
        """One row per event: usable estimation bars and why the others were dropped."""
        return pd.DataFrame(
            {
                "event": np.arange(self.event_bar.size),
                "event_bar": self.event_bar,
                "masked_by_other_events": self.in_other_window.sum(axis=1),
                "outside_data": self.outside_data.sum(axis=1),
                "remaining": self.remaining,
                "enough": self.enough,
            }
        )

    def summary(self) -> str:
        """How many events keep enough estimation bars."""
        e1, e2 = self.estimation
        return (
            f"estimation window [{e1}, {e2}] ({self.offsets.size} bars), minimum {self.minimum}: "
            f"{int(self.enough.sum())} of {self.event_bar.size} events keep enough bars; "
            f"median usable {float(np.median(self.remaining)) if self.remaining.size else 0:g}"
        )


def cluster_events(
    statement_ids: Any,
    instants: Any,
    bar_index: Any,
    *,
    window: tuple[int, int],
) -> EventClusters:
    """Group statements that share an event bar into events and flag overlapping windows.

    Parameters
    ----------
    statement_ids: one unique id per statement.
    instants: the statements' times (tz-aware, or NumPy ``datetime64`` read as UTC).
    bar_index: each statement's event bar position in the asset's series (``bar_index`` of a
        daily or intraday alignment); -1 for statements without a bar.
    window: ``(t1, t2)`` event window in bars; two events overlap when
        ``|bar_i - bar_j| <= t2 - t1``.
    """
    t1, t2 = _pair("window", window)
    ids = np.asarray(statement_ids)
    t = utc_nanoseconds(instants, field="instants")
    bars = _positions(bar_index, n=ids.size)
    if ids.ndim != 1 or t.size != ids.size:
        raise BadInputError(
            f"statement_ids, instants and bar_index must have one value per statement; got "
            f"{ids.size}, {t.size} and {bars.size}",
            field="statement_ids",
        )
    _check_unique(ids)

    aligned = np.flatnonzero(bars >= 0)
    order = aligned[np.lexsort((t[aligned], bars[aligned]))]
    sorted_bars = bars[order]
    new = np.ones(order.size, dtype=bool)
    new[1:] = sorted_bars[1:] != sorted_bars[:-1]
    starts = np.flatnonzero(new)
    event_bar = sorted_bars[starts]
    count = np.diff(np.append(starts, order.size))
    statement_event = np.full(ids.size, -1, dtype=np.int64)
    statement_event[order] = np.cumsum(new) - 1

    span = t2 - t1
    lo = np.searchsorted(event_bar, event_bar - span, side="left")
    hi = np.searchsorted(event_bar, event_bar + span, side="right")
    n_overlapping = hi - lo - 1
    return EventClusters(
        window=(t1, t2),
        event_bar=frozen(event_bar.astype(np.int64)),
        first_instant=frozen(as_datetime64(t[order[starts]])),
        count=frozen(count.astype(np.int64)),
        statement_ids=frozen(ids.copy()),
        statement_event=frozen(statement_event),
        member_order=frozen(order.astype(np.int64)),
        member_start=frozen(np.append(starts, order.size).astype(np.int64)),
        overlaps=frozen(n_overlapping > 0),
        n_overlapping=frozen(n_overlapping.astype(np.int64)),
        overlap_pairs=frozen(_later_partners(hi)),
    )


def estimation_masks(
    events: EventClusters,
    n_bars: int,
    *,
    minimum: int,
    estimation: tuple[int, int] = (-250, -11),
) -> EstimationMasks:
    """Mask each event's estimation bars that fall inside other events' windows.

    Parameters
    ----------
    events: the clustered events (their bars and window ``[t1, t2]``).
    n_bars: length of the bar series the positions index (bars outside ``0 .. n_bars - 1``
        do not exist).
    minimum: the fewest usable estimation bars an event needs (``enough``).
    estimation: ``(e1, e2)`` in bars relative to the event bar; must not intersect the event
        window (default ``(-250, -11)``, leaderlens METHODS section 2).

    Bar ``b`` of event ``i`` is masked when some other event ``j`` has
    ``bar_j + t1 <= b <= bar_j + t2``, counted for all (event, bar) pairs at once by two
    ``np.searchsorted`` calls over the sorted event bars. Memory is O(E x T).
    """
    e1, e2 = _pair("estimation", estimation)
    t1, t2 = events.window
    if not (e2 < t1 or e1 > t2):
        raise BadInputError(
            f"estimation window [{e1}, {e2}] must not intersect the event window [{t1}, {t2}]",
            field="estimation",
        )
    if not isinstance(n_bars, int | np.integer) or n_bars < 0:
        raise BadInputError(f"n_bars must be a count of bars >= 0; got {n_bars!r}", field="n_bars")
    if not isinstance(minimum, int | np.integer) or minimum < 0:
        raise BadInputError(f"minimum must be a count >= 0; got {minimum!r}", field="minimum")
    if events.event_bar.size and int(events.event_bar[-1]) >= n_bars:
        raise BadInputError(
            f"event bar {int(events.event_bar[-1])} is beyond the series of {n_bars} bars",
            field="n_bars",
        )
    offsets = np.arange(e1, e2 + 1, dtype=np.int64)
    bars = events.event_bar
    b = bars[:, None] + offsets[None, :]
    windows_covering = np.searchsorted(bars, b - t1, side="right") - np.searchsorted(
        bars, b - t2, side="left"
    )
    # The event's own window never covers its estimation bars (checked above), so any cover
    # comes from another event.
    in_other = windows_covering > 0
    outside = (b < 0) | (b >= n_bars)
    keep = ~in_other & ~outside
    remaining = keep.sum(axis=1).astype(np.int64)
    return EstimationMasks(
        estimation=(e1, e2),
        window=(t1, t2),
        minimum=int(minimum),
        event_bar=bars,
        offsets=frozen(offsets),
        in_other_window=frozen(in_other),
        outside_data=frozen(outside),
        keep=frozen(keep),
        remaining=frozen(remaining),
        enough=frozen(remaining >= minimum),
    )


def _pair(name: str, value: tuple[int, int]) -> tuple[int, int]:
    try:
        first, second = (int(v) for v in value)
    except (TypeError, ValueError) as exc:
        raise BadInputError(
            f"{name} must be two whole numbers of bars (start, end); got {value!r}", field=name
        ) from exc
    if first > second:
        raise BadInputError(f"{name} must have start <= end; got {value!r}", field=name)
    return first, second


def _positions(bar_index: Any, *, n: int) -> np.ndarray:
    bars = np.asarray(bar_index)
    if bars.ndim != 1 or not np.issubdtype(bars.dtype, np.integer):
        raise BadInputError(
            f"bar_index must be whole-number bar positions (-1 for none); got dtype {bars.dtype}",
            field="bar_index",
        )
    if bars.size != n:
        raise BadInputError(
            f"bar_index must have one value per statement ({n}); got {bars.size}",
            field="bar_index",
        )
    if bars.size and bars.min() < -1:
        raise BadInputError(
            f"bar_index must be >= 0, or -1 for no bar; got {int(bars.min())}", field="bar_index"
        )
    return bars.astype(np.int64)


def _check_unique(ids: np.ndarray) -> None:
    uniques, first, counts = np.unique(ids, return_index=True, return_counts=True)
    if uniques.size != ids.size:
        repeated = uniques[counts > 1][0]
        raise BadInputError(
            f"statement_ids must be unique; {repeated!r} appears "
            f"{int(counts[counts > 1][0])} times (first at position {int(first[counts > 1][0])})",
            field="statement_ids",
        )


def _later_partners(hi: np.ndarray) -> np.ndarray:
    """Pairs ``(i, j)``, ``i < j < hi[i]``: each event with the later events it overlaps."""
    n = hi.size
    first = np.arange(n, dtype=np.int64)
    k = hi - first - 1
    total = int(k.sum())
    if total == 0:
        return np.empty((0, 2), dtype=np.int64)
    i = np.repeat(first, k)
    group_start = np.repeat(np.cumsum(k) - k, k)
    j = i + 1 + (np.arange(total, dtype=np.int64) - group_start)
    return np.column_stack([i, j])
