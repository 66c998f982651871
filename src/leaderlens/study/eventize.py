"""From statements to events, shared by the dense and the running-sum paths.

Day 0 on daily calendars, the benchmark of each asset, clustering of statements that share an
event bar into one event (with overlap flags and estimation masks), and :class:`Computed`, the
hand-over from either path to the assembly of the result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd

from leaderlens.align import align_daily, cluster_events, estimation_masks
from leaderlens.errors import MissingDataError, unknown_asset
from leaderlens.study.abnormal import AbnormalReturns
from leaderlens.study.result import TestResult
from leaderlens.study.settings import StudySettings


@dataclass(frozen=True)
class StatementMembers:
    """The statement ids of E events, flat: event e holds ``ids[start[e]:start[e + 1]]``.

    Kept as two arrays rather than E Python lists: the lists are built only when a table
    that shows them is asked for (:meth:`lists`).
    """

    ids: np.ndarray
    start: np.ndarray

    def lists(self) -> list[list[Any]]:
        """One list of ids per event."""
        flat = self.ids.tolist()
        bounds = self.start.tolist()
        return [flat[a:b] for a, b in pairwise(bounds)]


@dataclass(frozen=True)
class Computed:
    """Events and their abnormal values, ready to be assembled into a result.

    events: one row per event (asset, statement_ids, label, time, k0, day0, aligned, gap_hours,
        overlaps, crosses_session, excluded reason so far). studied: (S,) row numbers of the
        events that reached the model. abn: abnormal values of those S events. params: (S, K)
        model parameters named ``param_names``. returns, benchmark: (S, L) raw returns of the
        asset and of its benchmark in the event window (benchmark None without one).
        calendar_index: (S, T) calendar position of each estimation bar (None when the path
        keeps no estimation residuals). placebo: the placebo test when it was run.
        extra_tests: tests of the measure that join the battery (:mod:`~.measures`).
        members: the statement ids of each event when ``events`` leaves them out (column
        ``statement_ids`` otherwise).
        window_index: (S, L) calendar position of each event-window bar, numbered as
            ``calendar_index`` (None with it).
    """

    events: pd.DataFrame
    studied: np.ndarray
    abn: AbnormalReturns
    params: np.ndarray
    param_names: tuple[str, ...]
    returns: np.ndarray
    benchmark: np.ndarray | None
    calendar_index: np.ndarray | None
    placebo: TestResult | None
    extra_tests: tuple[TestResult, ...] = ()
    members: StatementMembers | None = None
    window_index: np.ndarray | None = None


def param_names(model: str, n_factors: int = 0) -> tuple[str, ...]:
    """Names of the normal model's parameters."""
    if model == "constant-mean":
        return ("mean",)
    if model in ("market", "market-adjusted"):
        return ("alpha", "beta")
    return ("alpha", *(f"b{i + 1}" for i in range(n_factors)))


def benchmarks(
    settings: StudySettings, declared: Mapping[str, str | None], assets: list[str]
) -> dict[str, str]:
    """The benchmark of each event asset, for the models that need one (``declared``: every
    workspace asset's declared benchmark, None or "" when it has none)."""
    if settings.model not in ("market", "market-adjusted"):
        return {}
    chosen = {
        a: settings.benchmark if settings.benchmark is not None else declared.get(a) for a in assets
    }
    for asset, bench in chosen.items():
        if bench is None or (isinstance(bench, float) and np.isnan(bench)) or str(bench) == "":
            raise MissingDataError(
                f"asset {asset!r} has no benchmark: give --benchmark or declare one with "
                f"'leaderlens add asset {asset} --benchmark ID'",
                asset=asset,
                field="benchmark",
            )
    for bench in chosen.values():
        if bench not in declared:
            raise unknown_asset(str(bench), declared)
    return {str(a): str(b) for a, b in chosen.items()}


def daily_day0(
    moments: pd.DataFrame, calendars: dict[str, Any]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Day 0 (UTC ns of the session date; -1 outside the calendar), how each statement was
    aligned and the hours to day 0's close, one :func:`align_daily` call per calendar."""
    n = len(moments)
    times = instants_ns(moments["time"])
    codes, assets = pd.factorize(moments["asset"])
    names, cal_of_asset = np.unique(
        np.array([calendars[a].name for a in assets], dtype=object), return_inverse=True
    )
    cal_of_event = cal_of_asset[codes]
    day0 = np.full(n, -1, dtype=np.int64)
    how = np.full(n, "", dtype=object)
    gap = np.full(n, np.nan)
    for c in range(names.size):  # one vectorised alignment per calendar
        sel = np.flatnonzero(cal_of_event == c) if names.size > 1 else np.arange(n)
        calendar = calendars[assets[int(np.flatnonzero(cal_of_asset == c)[0])]]
        al = align_daily(times[sel].view("datetime64[ns]"), calendar)
        days = al.day0.astype("datetime64[ns]").view(np.int64)
        day0[sel] = np.where(np.isnat(al.day0), -1, days)
        how[sel] = al.how
        gap[sel] = al.gap_hours
    return day0, how, gap


def instants_ns(times: pd.Series) -> np.ndarray:
    """A column of tz-aware instants as UTC nanoseconds (int64)."""
    return np.asarray(pd.DatetimeIndex(times).tz_convert("UTC").as_unit("ns").asi8)


DATA_REASONS = np.array(
    [
        "day 0 has no bar",
        "day 0 outside the calendar",
        "day 0 has no bar: before data",
        "day 0 has no bar: after data",
    ],
    dtype=object,
)


def data_reason(day0: np.ndarray, first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Why a day 0 has no bar: before or after the asset's data, or off its calendar."""
    code = np.where(day0 < 0, 1, np.where(day0 < first, 2, np.where(day0 > last, 3, 0)))
    return DATA_REASONS[code]


def events_table(
    settings: StudySettings,
    moments: pd.DataFrame,
    k0: np.ndarray,
    day0: np.ndarray,
    how: np.ndarray,
    gap: np.ndarray,
    reason: np.ndarray,
    crosses: np.ndarray,
    n_bars: int,
) -> tuple[pd.DataFrame, StatementMembers]:
    """Cluster statements sharing an event bar; keep the unaligned ones as excluded events.

    ``k0`` is each statement's day-0 position on one global index (distinct across assets),
    ``day0`` its day-0 instant (UTC ns; -1 when none), ``reason`` why it cannot be studied.
    Returns one row per event and the statement ids of each (in row order).
    """
    keys = moments["key"].to_numpy()
    usable = np.where(reason == "", k0, -1)
    # Positions stand in for the keys (unique by construction, and cheap to check).
    clusters = cluster_events(
        np.arange(keys.size),
        instants_ns(moments["time"]).view("datetime64[ns]"),
        usable,
        window=settings.window,
    )
    lone = np.flatnonzero(clusters.statement_event < 0)
    firsts = clusters.member_order[clusters.member_start[:-1]]
    first = np.concatenate([firsts, lone])
    members = StatementMembers(
        ids=keys[np.concatenate([clusters.member_order, lone])],
        start=np.concatenate(
            [clusters.member_start, clusters.member_start[-1] + np.arange(1, lone.size + 1)]
        ),
    )
    event_k0 = np.concatenate([clusters.event_bar, np.full(lone.size, -1)])
    rows = pd.DataFrame(
        {
            "asset": _text(moments["asset"], first),
            "label": _text(moments["label"], first),
            "time": moments["time"].array[first],
            "k0": event_k0,
            "n_statements": np.concatenate([clusters.count, np.ones(lone.size, dtype=np.int64)]),
            "overlaps": np.concatenate([clusters.overlaps, np.zeros(lone.size, dtype=bool)]),
            "aligned": how[first],
            "gap_hours": gap[first],
            "crosses_session": crosses[first],
            "excluded": reason[first],
            "day0": np.where(event_k0 >= 0, day0[first], -1),
            "moment": first,  # the statement (row of ``moments``) that opens the event
        }
    )
    if settings.by is not None:
        rows[settings.by] = cluster_labels(
            moments[settings.by], clusters.member_order, clusters.member_start, lone
        )
    if settings.mask_overlaps and clusters.event_bar.size:
        masks = estimation_masks(
            clusters,
            n_bars,
            minimum=settings.min_estimation,
            estimation=settings.estimation,
        )
        keep = np.ones((len(rows), masks.keep.shape[1]), dtype=bool)
        keep[: clusters.event_bar.size] = masks.keep
        rows["estimation_keep"] = list(keep)
    return rows, members


#: Joins the distinct values of a cluster's statements in its group label ("keynote+weibo").
JOIN = "+"


def cluster_labels(
    column: pd.Series, order: np.ndarray, start: np.ndarray, lone: np.ndarray
) -> np.ndarray:
    """Each event's group label from all its statements: their distinct values of ``column``,
    sorted and joined by :data:`JOIN` (events in cluster order, then the lone statements)."""
    counts = np.diff(start)
    values = column.astype(str).to_numpy()
    frame = pd.DataFrame(
        {
            "event": np.concatenate(
                [np.repeat(np.arange(counts.size), counts), counts.size + np.arange(lone.size)]
            ),
            "value": np.concatenate([values[order], values[lone]]),
        }
    ).drop_duplicates()
    joined = frame.sort_values(["event", "value"]).groupby("event")["value"].agg(JOIN.join)
    return joined.to_numpy(dtype=object)


def _text(column: pd.Series, rows: np.ndarray) -> Any:
    """Rows of a text column, kept in pandas' string storage (no round trip through Python
    objects when it is already stored as text)."""
    values = column.array[rows]
    return values if isinstance(column.dtype, pd.StringDtype) else pd.array(values, dtype="str")
