"""The dense path: event-time panels gathered from the workspace, for any model and test.

All assets' bars are laid on one global grid (:mod:`leaderlens.study.series`); statements are
aligned to it (daily: first session closing after the statement; intraday: the bar containing
it, with session-boundary checks) and clustered into events; one relational query gathers each
event's estimation and event windows (:func:`leaderlens.engines.duckdb_engine.gather_panels`);
the model, abnormal values and placebo draws are computed on the dense panels in NumPy.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from leaderlens.align import align_intraday
from leaderlens.align import get_calendar as _get_calendar
from leaderlens.engines.duckdb_engine import gather_panels
from leaderlens.errors import MissingDataError, unknown_asset
from leaderlens.study.abnormal import abnormal_returns, cumulate
from leaderlens.study.eventize import (
    Computed,
    StatementMembers,
    benchmarks,
    daily_day0,
    data_reason,
    events_table,
    param_names,
)
from leaderlens.study.measures import measure_grid
from leaderlens.study.models import fit_normal_model
from leaderlens.study.resampling import placebo_caars, placebo_test, pseudo_event_bars
from leaderlens.study.result import TestResult
from leaderlens.study.series import Grid, build_grid
from leaderlens.study.settings import StudySettings

if TYPE_CHECKING:
    from leaderlens.store.workspace import Workspace


@dataclass(frozen=True)
class StudyInput:
    """Events (one row per event, their statement ids in ``members``) and the global series
    table the gather step joins them to."""

    events: pd.DataFrame
    members: StatementMembers
    series: pd.DataFrame
    grid: Grid
    notes: tuple[str, ...]


def prepare(
    ws: Workspace, settings: StudySettings, moments: pd.DataFrame, factors: pd.DataFrame | None
) -> StudyInput:
    meta = ws.assets().set_index("asset_id")
    event_assets = sorted(moments["asset"].unique())
    for asset in event_assets:
        if asset not in meta.index:
            raise unknown_asset(asset, meta.index)
    benches = benchmarks(settings, meta["benchmark_id"].to_dict(), event_assets)
    needed = list(dict.fromkeys([*event_assets, *benches.values()]))
    calendars = {a: _get_calendar(str(meta.loc[a, "calendar"])) for a in needed}
    e1, e2 = settings.estimation
    t1, t2 = settings.window
    gap = abs(e1) + abs(t2) + (t2 - t1) + (e2 - e1) + 1  # no window reaches another asset
    bars = ws.bars_for(needed, freq=settings.freq)
    grid = build_grid(bars, calendars, settings.freq, settings.returns, gap)
    uses_market = settings.model in ("market", "market-adjusted")
    grid = measure_grid(
        grid, bars, settings, [*event_assets, *(benches.values() if uses_market else ())]
    )
    code = {a: i for i, a in enumerate(grid.assets)}
    series = pd.DataFrame({"asset": 0, "k": np.arange(grid.ts.size), "ts": grid.ts, "r": grid.r})
    notes = []
    if benches:
        m = np.full(grid.ts.size, np.nan)
        for asset, bench in benches.items():
            seg = grid.segment(code[asset])
            m[seg] = grid.values_at(code[bench], grid.ts[seg])
        series["m"] = m
        notes += [f"{a}: benchmark {b}" for a, b in benches.items()]
    if factors is not None:
        f_ts = pd.DatetimeIndex(factors["ts"]).as_unit("ns").asi8
        for name in (c for c in factors.columns if c not in ("ts", "RF")):
            series[f"f_{name}"] = _lookup(f_ts, factors[name].to_numpy(float), grid.ts)
        if "RF" in factors.columns:
            series["r"] = series["r"] - _lookup(f_ts, factors["RF"].to_numpy(float), grid.ts)
            notes.append("factor model on excess returns R - RF")
    events, members = _align(settings, grid, calendars, moments, code)
    return StudyInput(events=events, members=members, series=series, grid=grid, notes=tuple(notes))


def _lookup(keys: np.ndarray, values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """``values`` at the instants ``at`` where ``keys`` (ascending) has them, else NaN."""
    if keys.size == 0:
        return np.full(at.size, np.nan)
    pos = np.clip(np.searchsorted(keys, at), 0, keys.size - 1)
    return np.where(keys[pos] == at, values[pos], np.nan)


def _align(
    settings: StudySettings,
    grid: Grid,
    calendars: dict[str, Any],
    moments: pd.DataFrame,
    code: dict[str, int],
) -> tuple[pd.DataFrame, StatementMembers]:
    """One row per event (statements sharing a bar clustered), with why any is excluded."""
    n = len(moments)
    times = pd.DatetimeIndex(moments["time"]).tz_convert("UTC").as_unit("ns")
    codes = moments["asset"].map(code).to_numpy(np.int64)
    k0 = np.full(n, -1, dtype=np.int64)
    how = np.full(n, "", dtype=object)
    gap = np.full(n, np.nan)
    reason = np.full(n, "", dtype=object)
    crosses = np.zeros(n, dtype=bool)
    if settings.freq == "1d":
        day0, how, gap = daily_day0(moments, calendars)
        k0 = grid.positions(codes, day0)
        first = grid.ts[grid.start[codes]]
        last = grid.ts[grid.stop[codes] - 1]
        reason = np.where(k0 >= 0, "", data_reason(day0, first, last)).astype(object)
    else:
        for asset, rows in moments.groupby("asset").groups.items():
            sel = np.asarray(moments.index.get_indexer(rows), dtype=np.int64)
            seg = grid.segment(code[str(asset)])
            al_i = align_intraday(
                times[sel],
                pd.to_datetime(grid.ts[seg], utc=True),
                cast(Any, settings.freq),
                calendars[str(asset)],
                first_bar=cast(Any, settings.first_bar),
                window=settings.window,
            )
            bar = np.asarray(al_i.bar_index)
            k0[sel] = np.where(bar >= 0, bar + seg.start, -1)
            how[sel] = np.asarray(al_i.how)
            gap[sel] = -np.asarray(al_i.lag_seconds) / 3600.0
            reason[sel] = np.where(bar < 0, "day 0 has no bar: " + how[sel], "")
            crossing = (
                "window crosses a session boundary ("
                + np.asarray(al_i.boundary_kind).astype(object)
                + ")"
            )
            crosses[sel] = np.asarray(al_i.crosses_session)
            if settings.cross_sessions == "exclude":
                reason[sel] = np.where((reason[sel] == "") & crosses[sel], crossing, reason[sel])
    if settings.freq != "1d":
        day0 = np.where(k0 >= 0, grid.ts[np.maximum(k0, 0)], -1)
    return events_table(settings, moments, k0, day0, how, gap, reason, crosses, n_bars=grid.ts.size)


def gather_and_fit(ws: Workspace, settings: StudySettings, prepared: StudyInput) -> Computed:
    """The dense path on the grid: gather every studied event's windows, then fit."""
    events = prepared.events
    studied = np.flatnonzero((events["excluded"] == "").to_numpy() & (events["k0"] >= 0).to_numpy())
    chosen = events.iloc[studied]
    panels = gather_panels(
        ws.connection,
        prepared.series,
        pd.DataFrame({"asset": 0, "k0": chosen["k0"].to_numpy()}),
        window_offsets(settings),
    )
    series = None
    if chosen["asset"].nunique() == 1 and len(chosen):
        seg = prepared.grid.segment(prepared.grid.assets.index(str(chosen["asset"].iloc[0])))
        series = (prepared.series.iloc[seg].reset_index(drop=True), seg.start)
    computed = fit_panels(settings, events, studied, panels.values, panels.ts, series)
    return replace(computed, members=prepared.members)


def window_offsets(settings: StudySettings) -> np.ndarray:
    """Relative bars gathered per event: the estimation window, then the event window."""
    e1, e2 = settings.estimation
    t1, t2 = settings.window
    return np.concatenate([np.arange(e1, e2 + 1), np.arange(t1, t2 + 1)])


def fit_panels(
    settings: StudySettings,
    events: pd.DataFrame,
    studied: np.ndarray,
    values: dict[str, np.ndarray],
    ts: np.ndarray,
    series: tuple[pd.DataFrame, int] | None,
    *,
    calendar_index: np.ndarray | None = None,
) -> Computed:
    """Fit the model on gathered panels (``values``: name -> (S, J) over
    :func:`window_offsets`; ``ts``: (S, J) grid instants) and form abnormal values.

    ``series`` is the one studied asset's whole series table and the global position of its
    first bar, for the placebo test (None when several assets are studied).
    ``calendar_index``: (S, T + L) calendar position of each gathered bar when the gather
    already knows it (else numbered here from ``ts``, which is read for nothing else); the
    estimation part and the event-window part go to the result.
    """
    e1, e2 = settings.estimation
    t1 = settings.window[0]
    n_est = e2 - e1 + 1
    chosen = events.iloc[studied]
    r = values["r"]
    r_est, r_evt = r[:, :n_est], r[:, n_est:]
    if "estimation_keep" in events:
        r_est = r_est.copy()  # masked below; the gathered panel stays as it came
        keep = (
            np.stack(chosen["estimation_keep"].to_list())
            if len(chosen)
            else np.ones((0, n_est), bool)
        )
        r_est[~keep] = np.nan
    x_est, x_evt = _regressors(settings, values, n_est)
    fit = fit_normal_model(
        cast(Any, settings.model.replace("-", "_")),
        r_est,
        x_est,
        min_estimation=settings.min_estimation,
        convention=cast(Any, settings.convention),
    )
    abn = abnormal_returns(fit, r_evt, x_evt, first_bar=t1)
    placebo = None
    if settings.tests == "all" and series is not None and int(abn.valid.sum()) >= 2:
        observed = float(np.nanmean(cumulate(abn).car[abn.valid]))
        table, first = series
        local = chosen["k0"].to_numpy()[abn.valid] - first
        placebo = placebo_on_series(settings, table, local, observed)
    n_factors = 0 if x_est is None or x_est.ndim < 3 else x_est.shape[2]
    if calendar_index is None:
        known = ts >= 0
        calendar_index = np.full(ts.shape, -1, dtype=np.int64)
        calendar_index[known] = np.unique(ts[known], return_inverse=True)[1]
    return Computed(
        events=events,
        studied=studied,
        abn=abn,
        params=fit.params,
        param_names=param_names(settings.model, n_factors),
        returns=r_evt,
        benchmark=values["m"][:, n_est:] if "m" in values else None,
        calendar_index=calendar_index[:, :n_est],
        placebo=placebo,
        window_index=calendar_index[:, n_est:],
    )


def _regressors(
    settings: StudySettings, values: dict[str, np.ndarray], n_est: int
) -> tuple[np.ndarray | None, np.ndarray | None]:
    if settings.model == "constant-mean":
        return None, None
    if settings.model == "factor":
        names = sorted(k for k in values if k.startswith("f_"))
        stack = np.stack([values[k] for k in names], axis=2)
        return stack[:, :n_est], stack[:, n_est:]
    m = values["m"]
    return m[:, :n_est], m[:, n_est:]


def placebo_on_series(
    settings: StudySettings, table: pd.DataFrame, event_bars: np.ndarray, observed: float
) -> TestResult | None:
    """Placebo p-value from pseudo-events on bars free of real events (one asset studied).

    ``table`` holds the asset's series (``r``, and ``m`` or ``f_*`` columns) by position,
    ``event_bars`` the studied events' day-0 positions in it. The abnormal value of every bar
    is the return minus the full-sample fit of the same model (OLS over all bars of the asset),
    so each pseudo-event costs one cumulative-sum lookup.
    """
    if settings.n_placebo == 0 or len(event_bars) < 2:
        return None
    r = table["r"].to_numpy(float)
    if settings.model == "constant-mean":
        resid = r - np.nanmean(r)
    elif settings.model == "market-adjusted":
        resid = r - table["m"].to_numpy(float)
    else:
        cols = ["m"] if settings.model == "market" else [c for c in table if c.startswith("f_")]
        x = table[cols].to_numpy(float)
        ok = np.isfinite(r) & np.isfinite(x).all(axis=1)
        beta = np.linalg.lstsq(np.column_stack([np.ones(ok.sum()), x[ok]]), r[ok], rcond=None)[0]
        resid = r - np.column_stack([np.ones(len(r)), x]) @ beta
    resid = np.where(np.isfinite(resid), resid, 0.0)
    try:
        bars = pseudo_event_bars(
            resid.size,
            event_bars,
            n_events=len(event_bars),
            n_draws=settings.n_placebo,
            window=settings.window,
            estimation=-settings.estimation[0],
            seed=settings.seed,
        )
    except MissingDataError:
        return None
    return placebo_test(observed, placebo_caars(resid, bars, settings.window))
