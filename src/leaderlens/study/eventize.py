"""From statements to events, shared by the dense and the running-sum paths.

Day 0 on daily calendars, the benchmark of each asset, clustering of statements that share an
event bar into one event (with overlap flags and estimation masks), and :class:`Computed`, the
hand-over from either path to the assembly of the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd

from leaderlens.align import align_daily, cluster_events, estimation_masks
from leaderlens.errors import MissingDataError
from leaderlens.study.abnormal import AbnormalReturns
from leaderlens.study.result import TestResult
from leaderlens.study.settings import StudySettings


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


def param_names(model: str, n_factors: int = 0) -> tuple[str, ...]:
    """Names of the normal model's parameters."""
    if model == "constant-mean":
        return ("mean",)
    if model in ("market", "market-adjusted"):
        return ("alpha", "beta")
    return ("alpha", *(f"b{i + 1}" for i in range(n_factors)))


def benchmarks(settings: StudySettings, meta: pd.DataFrame, assets: list[str]) -> dict[str, str]:
    """The benchmark of each event asset, for the models that need one."""
    if settings.model not in ("market", "market-adjusted"):
        return {}
    given = meta["benchmark_id"].reindex(assets)
    chosen = given if settings.benchmark is None else pd.Series(settings.benchmark, index=assets)
    lacking = chosen.isna() | (chosen.astype(str) == "")
    if lacking.any():
        asset = str(chosen.index[lacking.to_numpy()][0])
        raise MissingDataError(
            f"asset {asset!r} has no benchmark: give --benchmark or declare one with "
            f"'leaderlens add asset {asset} --benchmark ID'",
            asset=asset,
            field="benchmark",
        )
    unknown = ~chosen.isin(meta.index)
    if unknown.any():
        bench = str(chosen[unknown].iloc[0])
        raise MissingDataError(f"benchmark {bench!r} is not in the workspace", asset=bench)
    return {str(a): str(b) for a, b in chosen.items()}


def daily_day0(
    moments: pd.DataFrame, calendars: dict[str, Any]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Day 0 (UTC ns of the session date; -1 outside the calendar), how each statement was
    aligned and the hours to day 0's close, one :func:`align_daily` call per calendar."""
    n = len(moments)
    times = pd.DatetimeIndex(moments["time"]).tz_convert("UTC").as_unit("ns")
    names = pd.Series(moments["asset"].map(lambda a: calendars[a].name).to_numpy())
    day0 = np.full(n, -1, dtype=np.int64)
    how = np.full(n, "", dtype=object)
    gap = np.full(n, np.nan)
    for _, rows in names.groupby(names).groups.items():
        sel = np.asarray(rows, dtype=np.int64)
        al = align_daily(times[sel], calendars[moments["asset"].iloc[sel[0]]])
        days = np.asarray(al.day0)
        ok = ~np.isnat(days)
        day0[sel[ok]] = days[ok].astype("datetime64[ns]").view(np.int64)
        how[sel] = np.asarray(al.how)
        gap[sel] = np.asarray(al.gap_hours)
    return day0, how, gap


def data_reason(day0: np.ndarray, first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Why a day 0 has no bar: before or after the asset's data, or off its calendar."""
    return np.where(
        day0 < 0,
        "day 0 outside the calendar",
        np.where(
            day0 < first,
            "day 0 has no bar: before data",
            np.where(day0 > last, "day 0 has no bar: after data", "day 0 has no bar"),
        ),
    ).astype(object)


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
) -> pd.DataFrame:
    """Cluster statements sharing an event bar; keep the unaligned ones as excluded events.

    ``k0`` is each statement's day-0 position on one global index (distinct across assets),
    ``day0`` its day-0 instant (UTC ns; -1 when none), ``reason`` why it cannot be studied.
    """
    keys = moments["key"].to_numpy()
    usable = np.where(reason == "", k0, -1)
    clusters = cluster_events(keys, moments["time"], usable, window=settings.window)
    lone = np.flatnonzero(clusters.statement_event < 0)
    firsts = clusters.member_order[clusters.member_start[:-1]]
    grouped = keys[clusters.member_order].tolist()
    bounds = clusters.member_start.tolist()
    members = [grouped[a:b] for a, b in pairwise(bounds)]
    first = np.concatenate([firsts, lone])
    rows = pd.DataFrame(
        {
            "asset": moments["asset"].to_numpy()[first],
            "statement_ids": members + [[k] for k in keys[lone].tolist()],
            "label": moments["label"].to_numpy()[first],
            "time": moments["time"].to_numpy()[first],
            "k0": np.concatenate([clusters.event_bar, np.full(lone.size, -1)]),
            "n_statements": np.concatenate([clusters.count, np.ones(lone.size, dtype=np.int64)]),
            "overlaps": np.concatenate([clusters.overlaps, np.zeros(lone.size, dtype=bool)]),
            "aligned": how[first],
            "gap_hours": gap[first],
            "crosses_session": crosses[first],
            "excluded": reason[first],
        }
    )
    rows["day0"] = np.where(rows["k0"].to_numpy() >= 0, day0[first], -1)
    rows["moment"] = first  # the statement (row of ``moments``) that opens the event
    if settings.by is not None:
        rows[settings.by] = moments[settings.by].to_numpy()[first]
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
    return rows
