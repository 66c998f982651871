"""The event study: statements (or named moments) in, a finished :class:`EventStudyResult` out.

Steps (DESIGN "Computing at scale"): events are aligned to each asset's bar grid on its real
trading calendar (:mod:`leaderlens.align`); statements in one event bar form one event; the
*gather* joins events to their estimation and event windows on the workspace's engine
(:mod:`leaderlens.engines.duckdb_engine`); the *finish* fits the normal-return model, forms
abnormal values and runs the test battery in NumPy (:mod:`leaderlens.study`). Every event that
cannot be studied is kept in the result with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from leaderlens.align import align_daily, align_intraday, cluster_events, estimation_masks
from leaderlens.align import get_calendar as _get_calendar
from leaderlens.engines.duckdb_engine import gather_panels
from leaderlens.errors import BadInputError, MissingDataError, check_choice
from leaderlens.readers.events import read_events
from leaderlens.readers.factors import read_factors
from leaderlens.study.abnormal import abnormal_returns, average_path, buy_and_hold, cumulate
from leaderlens.study.battery import run_battery
from leaderlens.study.grouping import group_difference
from leaderlens.study.models import fit_normal_model
from leaderlens.study.resampling import placebo_caars, placebo_test, pseudo_event_bars
from leaderlens.study.result import TestResult
from leaderlens.study.series import RETURN_TYPES, Grid, build_grid
from leaderlens.study.study_result import EventStudyResult, GroupResult
from leaderlens.study.tests_parametric import skewness_adjusted_t

if TYPE_CHECKING:
    from leaderlens.store.workspace import Workspace

MODELS = ("constant-mean", "market-adjusted", "market", "factor")
FREQS = ("1d", "1h", "1m")
FIRST_BARS = ("containing", "next full")
CROSS_SESSIONS = ("exclude", "keep")


@dataclass(frozen=True)
class StudySettings:
    """Everything a study used, stated in every output so it can be reproduced."""

    events_from: str
    asset: str | None
    benchmark: str | None
    model: str
    window: tuple[int, int]
    estimation: tuple[int, int]
    freq: str
    returns: str
    min_estimation: int
    mask_overlaps: bool
    first_bar: str
    cross_sessions: str
    convention: str
    n_bootstrap: int
    n_placebo: int
    seed: int
    by: str | None = None
    start: str | None = None
    end: str | None = None
    channel: str | None = None
    query: str | None = None
    factors: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, object]:
        out = dict(self.__dict__)
        out["window"] = list(self.window)
        out["estimation"] = list(self.estimation)
        out["notes"] = list(self.notes)
        out["variance"] = (
            "s^2 = SSR/(T-K) (K = 1 constant mean / market-adjusted, 2 market, factors + 1); "
            "prediction-error variance s^2 (1 + x'(X'X)^-1 x)"
            if self.convention == "textbook"
            else "estudy2 0.10.0 conventions (s^2 = SSR/(T-1))"
        )
        return out


def event_study(
    ws: Workspace,
    *,
    asset: str | None = None,
    leader: str | None = None,
    events: str | Path | pd.DataFrame | None = None,
    benchmark: str | None = None,
    model: str = "market",
    window: tuple[int, int] = (-1, 1),
    estimation: tuple[int, int] = (-250, -11),
    freq: str = "1d",
    returns: str = "simple",
    start: str | None = None,
    end: str | None = None,
    channel: str | None = None,
    query: str | None = None,
    factors: str | Path | None = None,
    min_estimation: int | None = None,
    mask_overlaps: bool = False,
    first_bar: str = "containing",
    cross_sessions: str = "exclude",
    by: str | None = None,
    convention: str = "textbook",
    n_bootstrap: int = 1000,
    n_placebo: int = 1000,
    seed: int = 0,
) -> EventStudyResult:
    """Did these statements (or moments) move the asset, by how much, how sure are we.

    Events come from a leader's statements in the workspace (``leader``, optionally filtered by
    ``start`` / ``end`` (ISO instants with offset), ``channel`` and a case-insensitive text
    ``query``) or from an events file / frame (``events``: ``time`` with offset, ``label``,
    optional ``asset`` overriding ``asset`` row by row).

    Models (METHODS section 2): ``constant-mean``, ``market-adjusted``, ``market`` (default),
    ``factor`` (``factors`` file, e.g. the Fama-French daily CSV). ``window`` and
    ``estimation`` are (first, last) bars relative to day 0, inclusive. ``returns`` simple or
    log. ``min_estimation`` defaults to half the estimation window. ``mask_overlaps`` drops
    other events' windows from each estimation window. Intraday windows that cross a session
    boundary are excluded (``cross_sessions="exclude"``) or kept and flagged (``"keep"``).
    ``by`` names a statement attribute (channel, language, is_reply, ...) to split results by.
    """
    settings = _settings(
        asset=asset,
        leader=leader,
        events=events,
        benchmark=benchmark,
        model=model,
        window=window,
        estimation=estimation,
        freq=freq,
        returns=returns,
        start=start,
        end=end,
        channel=channel,
        query=query,
        factors=factors,
        min_estimation=min_estimation,
        mask_overlaps=mask_overlaps,
        first_bar=first_bar,
        cross_sessions=cross_sessions,
        by=by,
        convention=convention,
        n_bootstrap=n_bootstrap,
        n_placebo=n_placebo,
        seed=seed,
    )
    moments = _moments(ws, settings, leader=leader, events=events)
    factor_frame = read_factors(factors)[0] if factors is not None else None
    prepared = _prepare(ws, settings, moments, factor_frame)
    settings = replace(settings, notes=settings.notes + prepared.notes)
    return _finish(ws, settings, prepared)


# ---------------------------------------------------------------------------------- settings
def _settings(**kw: Any) -> StudySettings:
    model = check_choice("model", kw["model"], MODELS)
    check_choice("freq", kw["freq"], FREQS)
    check_choice("returns", kw["returns"], RETURN_TYPES)
    check_choice("first_bar", kw["first_bar"], FIRST_BARS)
    check_choice("cross_sessions", kw["cross_sessions"], CROSS_SESSIONS)
    check_choice("convention", kw["convention"], ("textbook", "estudy2"))
    if (kw["leader"] is None) == (kw["events"] is None):
        raise BadInputError("give either a leader or an events file", field="leader")
    window = _pair("window", kw["window"])
    estimation = _pair("estimation", kw["estimation"])
    if estimation[1] >= window[0]:
        raise BadInputError(
            f"the estimation window {estimation} must end before the event window {window} starts",
            field="estimation",
        )
    if model == "factor" and kw["factors"] is None:
        raise BadInputError("the factor model needs a factors file", field="factors")
    if model == "factor" and kw["freq"] != "1d":
        raise BadInputError("factor files are daily: use --freq 1d", field="freq")
    length = estimation[1] - estimation[0] + 1
    minimum = kw["min_estimation"] if kw["min_estimation"] is not None else max(length // 2, 5)
    if minimum > length:
        raise BadInputError(
            f"min_estimation {minimum} exceeds the estimation window's {length} bars",
            field="min_estimation",
        )
    for name in ("n_bootstrap", "n_placebo"):
        if int(kw[name]) < 0:
            raise BadInputError(f"{name} must be 0 or more; got {kw[name]}", field=name)
    source = (
        f"statements of leader {kw['leader']}"
        if kw["leader"] is not None
        else f"events {kw['events'] if not isinstance(kw['events'], pd.DataFrame) else 'frame'}"
    )
    return StudySettings(
        events_from=source,
        asset=kw["asset"],
        benchmark=kw["benchmark"],
        model=model,
        window=window,
        estimation=estimation,
        freq=kw["freq"],
        returns=kw["returns"],
        min_estimation=int(minimum),
        mask_overlaps=bool(kw["mask_overlaps"]),
        first_bar=kw["first_bar"],
        cross_sessions=kw["cross_sessions"],
        convention=kw["convention"],
        n_bootstrap=int(kw["n_bootstrap"]),
        n_placebo=int(kw["n_placebo"]),
        seed=int(kw["seed"]),
        by=kw["by"],
        start=kw["start"],
        end=kw["end"],
        channel=kw["channel"],
        query=kw["query"],
        factors=str(kw["factors"]) if kw["factors"] is not None else None,
    )


def _pair(name: str, value: Any) -> tuple[int, int]:
    try:
        a, b = (int(v) for v in value)
    except (TypeError, ValueError) as exc:
        raise BadInputError(
            f"{name} must be two whole numbers A,B; got {value!r}", field=name
        ) from exc
    if a > b:
        raise BadInputError(f"{name} must have A <= B; got {a},{b}", field=name)
    return a, b


# ---------------------------------------------------------------------------------- moments
def _moments(
    ws: Workspace, settings: StudySettings, *, leader: str | None, events: Any
) -> pd.DataFrame:
    """One row per statement or named moment: key, label, time (UTC), asset, attributes."""
    if leader is not None:
        if settings.asset is None:
            raise BadInputError("a study of statements needs --asset", field="asset")
        found = ws.statements(
            leader, start=settings.start, end=settings.end, channel=settings.channel
        )
        if settings.query:
            found = found[
                found["text"].str.contains(settings.query, case=False, regex=False, na=False)
            ]
        if found.empty:
            raise MissingDataError(
                f"no statements of leader {leader!r} match the filters", field="leader"
            )
        out = found.rename(columns={"statement_id": "key", "ts": "time"})
        out["label"] = out["text"].fillna("").str.slice(0, 80)
        out["asset"] = settings.asset
    else:
        table = events if isinstance(events, pd.DataFrame) else read_events(events)
        out = table.copy()
        out["key"] = "line " + out["line"].astype(str) if "line" in out else out.index.astype(str)
        if settings.asset is None and out["asset"].isna().any():
            raise BadInputError("events without an asset column need --asset", field="asset")
        out["asset"] = out["asset"].where(out["asset"].notna(), settings.asset)
    if settings.by is not None and settings.by not in out.columns:
        raise BadInputError(
            f"cannot group by {settings.by!r}; statements have "
            f"{', '.join(c for c in out.columns if c not in ('key', 'time'))}",
            field="by",
        )
    return out.sort_values("time", kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------------- series
@dataclass(frozen=True)
class StudyInput:
    """Events (one row per event) and the global series table the gather step joins them to."""

    events: pd.DataFrame
    series: pd.DataFrame
    grid: Grid
    notes: tuple[str, ...]


def _prepare(
    ws: Workspace, settings: StudySettings, moments: pd.DataFrame, factors: pd.DataFrame | None
) -> StudyInput:
    meta = ws.assets().set_index("asset_id")
    event_assets = sorted(moments["asset"].unique())
    for asset in event_assets:
        if asset not in meta.index:
            raise MissingDataError(f"asset {asset!r} is not in the workspace", asset=asset)
    benches = _benchmarks(settings, meta, event_assets)
    needed = list(dict.fromkeys([*event_assets, *benches.values()]))
    calendars = {a: _get_calendar(str(meta.loc[a, "calendar"])) for a in needed}
    e1, e2 = settings.estimation
    t1, t2 = settings.window
    gap = abs(e1) + abs(t2) + (t2 - t1) + (e2 - e1) + 1  # no window reaches another asset
    grid = build_grid(
        ws.bars_for(needed, freq=settings.freq), calendars, settings.freq, settings.returns, gap
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
    events = _align(settings, grid, calendars, moments, code)
    return StudyInput(events=events, series=series, grid=grid, notes=tuple(notes))


def _benchmarks(settings: StudySettings, meta: pd.DataFrame, assets: list[str]) -> dict[str, str]:
    """The benchmark of each event asset, for the models that need one."""
    if settings.model not in ("market", "market-adjusted"):
        return {}
    out = {}
    for asset in assets:
        bench = settings.benchmark or meta.loc[asset, "benchmark_id"]
        if not isinstance(bench, str) or not bench:
            raise MissingDataError(
                f"asset {asset!r} has no benchmark: give --benchmark or declare one with "
                f"'leaderlens add asset {asset} --benchmark ID'",
                asset=asset,
                field="benchmark",
            )
        if bench not in meta.index:
            raise MissingDataError(f"benchmark {bench!r} is not in the workspace", asset=bench)
        out[asset] = bench
    return out


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
) -> pd.DataFrame:
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
        by_calendar = pd.Series(moments["asset"].map(lambda a: calendars[a].name).to_numpy())
        for name, rows in by_calendar.groupby(by_calendar).groups.items():
            sel = np.asarray(rows, dtype=np.int64)
            al = align_daily(times[sel], calendars[moments["asset"].iloc[sel[0]]])
            day0 = np.asarray(al.day0).astype("datetime64[ns]").view(np.int64)
            k0[sel] = grid.positions(codes[sel], day0)
            how[sel] = np.asarray(al.how)
            gap[sel] = np.asarray(al.gap_hours)
            first, last = grid.ts[grid.start[codes[sel]]], grid.ts[grid.stop[codes[sel]] - 1]
            reason[sel] = np.where(
                k0[sel] >= 0,
                "",
                np.where(
                    day0 < first,
                    "day 0 has no bar: before data",
                    np.where(day0 > last, "day 0 has no bar: after data", f"day 0 not on {name}"),
                ),
            )
    else:
        for asset, rows in moments.groupby("asset").groups.items():
            sel = np.asarray(moments.index.get_indexer(rows), dtype=np.int64)
            seg = grid.segment(code[str(asset)])
            al_i = align_intraday(
                times[sel],
                grid.ts[seg],
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
    return _events_table(settings, grid, moments, k0, how, gap, reason, crosses)


def _events_table(
    settings: StudySettings,
    grid: Grid,
    moments: pd.DataFrame,
    k0: np.ndarray,
    how: np.ndarray,
    gap: np.ndarray,
    reason: np.ndarray,
    crosses: np.ndarray,
) -> pd.DataFrame:
    """Cluster statements sharing an event bar; keep the unaligned ones as excluded events."""
    keys = moments["key"].to_numpy()
    usable = np.where(reason == "", k0, -1)
    clusters = cluster_events(keys, moments["time"], usable, window=settings.window)
    lone = np.flatnonzero(clusters.statement_event < 0)
    firsts = clusters.member_order[clusters.member_start[:-1]]
    members = (
        np.split(keys[clusters.member_order], clusters.member_start[1:-1])
        if clusters.event_bar.size
        else []
    )
    first = np.concatenate([firsts, lone])
    rows = pd.DataFrame(
        {
            "asset": moments["asset"].to_numpy()[first],
            "statement_ids": [list(m) for m in members] + [[k] for k in keys[lone]],
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
    k = rows["k0"].to_numpy()
    rows["day0"] = np.where(k >= 0, grid.ts[np.maximum(k, 0)], -1)
    if settings.by is not None:
        rows[settings.by] = moments[settings.by].to_numpy()[first]
    if settings.mask_overlaps and clusters.event_bar.size:
        masks = estimation_masks(
            clusters,
            grid.ts.size,
            minimum=settings.min_estimation,
            estimation=settings.estimation,
        )
        keep = np.ones((len(rows), masks.keep.shape[1]), dtype=bool)
        keep[: clusters.event_bar.size] = masks.keep
        rows["estimation_keep"] = list(keep)
    return rows


# ---------------------------------------------------------------------------------- finish
def _finish(ws: Workspace, settings: StudySettings, prepared: StudyInput) -> EventStudyResult:
    events = prepared.events.copy()
    series = prepared.series
    studied = np.flatnonzero((events["excluded"] == "").to_numpy() & (events["k0"] >= 0).to_numpy())
    e1, e2 = settings.estimation
    t1, t2 = settings.window
    offsets = np.concatenate([np.arange(e1, e2 + 1), np.arange(t1, t2 + 1)])
    chosen = events.iloc[studied]
    panels = gather_panels(
        ws.connection,
        series,
        pd.DataFrame({"asset": 0, "k0": chosen["k0"].to_numpy()}),
        offsets,
    )
    n_est = e2 - e1 + 1
    r = panels.values["r"]
    r_est, r_evt = r[:, :n_est].copy(), r[:, n_est:]
    if "estimation_keep" in events:
        keep = (
            np.stack(chosen["estimation_keep"].to_list())
            if len(chosen)
            else np.ones((0, n_est), bool)
        )
        r_est[~keep] = np.nan
    x_est, x_evt = _regressors(settings, panels.values, n_est)
    name = settings.model.replace("-", "_")
    fit = fit_normal_model(
        name,  # type: ignore[arg-type]
        r_est,
        x_est,
        min_estimation=settings.min_estimation,
        convention=settings.convention,  # type: ignore[arg-type]
    )
    abn = abnormal_returns(fit, r_evt, x_evt, first_bar=t1)
    cum = cumulate(abn)
    path = average_path(abn)
    reasons = events["excluded"].to_numpy().astype(object)
    reasons[studied] = np.where(abn.valid, "", abn.reason)
    events["excluded"] = reasons
    events["n_estimation"] = 0
    events.loc[events.index[studied], "n_estimation"] = np.where(abn.valid, abn.n_obs, 0)
    shape = (len(events), t2 - t1 + 1)
    ar, ar_t, raw = np.full(shape, np.nan), np.full(shape, np.nan), np.full(shape, np.nan)
    ar[studied], ar_t[studied] = abn.ar, abn.t
    raw[studied] = panels.values["r"][:, n_est:]
    car = np.full(len(events), np.nan)
    car_t = np.full(len(events), np.nan)
    car_p = np.full(len(events), np.nan)
    car[studied], car_t[studied], car_p[studied] = cum.car, cum.t, cum.p_values()
    events["car"], events["car_t"], events["car_p"] = car, car_t, car_p
    params = np.full((len(events), fit.params.shape[1]), np.nan)
    params[studied] = fit.params
    calendar_index = np.unique(panels.ts[:, :n_est], return_inverse=True)[1].reshape(
        panels.ts[:, :n_est].shape
    )
    battery = None
    bhar_test = None
    placebo = None
    if int(abn.valid.sum()) >= 2:
        battery = run_battery(
            abn,
            calendar_index=calendar_index.astype(np.int64),
            n_bootstrap=settings.n_bootstrap,
            seed=settings.seed,
        )
        if "m" in panels.values:
            bench = panels.values["m"][:, n_est:]
            simple = (
                (np.expm1(r_evt), np.expm1(bench)) if settings.returns == "log" else (r_evt, bench)
            )
            bh = buy_and_hold(*simple, first_bar=t1)
            if int(bh.valid.sum()) >= 3:
                bhar_test = skewness_adjusted_t(bh)
            bhar = np.full(len(events), np.nan)
            bhar[studied] = np.where(bh.valid & abn.valid, bh.bhar, np.nan)
            events["bhar"] = bhar
        placebo = _placebo(settings, prepared, chosen[abn.valid], battery.caar)
    groups = _groups(settings, events, abn, studied) if settings.by is not None else None
    return EventStudyResult(
        settings=settings,
        events=events.drop(columns=[c for c in ("estimation_keep",) if c in events]),
        ar=ar,
        ar_t=ar_t,
        returns=raw,
        params=params,
        param_names=_param_names(settings, x_est),
        path=path,
        battery=battery,
        bhar_test=bhar_test,
        placebo=placebo,
        groups=groups,
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


def _param_names(settings: StudySettings, x_est: np.ndarray | None) -> tuple[str, ...]:
    if settings.model == "constant-mean":
        return ("mean",)
    if settings.model == "market-adjusted":
        return ("alpha", "beta")
    if settings.model == "market":
        return ("alpha", "beta")
    k = 0 if x_est is None else x_est.shape[2]
    return ("alpha", *(f"b{i + 1}" for i in range(k)))


def _placebo(
    settings: StudySettings, prepared: StudyInput, studied: pd.DataFrame, observed: float
) -> TestResult | None:
    """Placebo p-value from pseudo-events on bars free of real events (one asset studied).

    The abnormal value of every bar is the return minus the full-sample fit of the same model
    (OLS over all bars of the asset), so each pseudo-event costs one cumulative-sum lookup.
    """
    if settings.n_placebo == 0 or studied["asset"].nunique() != 1 or len(studied) < 2:
        return None
    seg = prepared.grid.segment(prepared.grid.assets.index(str(studied["asset"].iloc[0])))
    table = prepared.series.iloc[seg]
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
            studied["k0"].to_numpy() - seg.start,
            n_events=len(studied),
            n_draws=settings.n_placebo,
            window=settings.window,
            estimation=-settings.estimation[0],
            seed=settings.seed,
        )
    except MissingDataError:
        return None
    return placebo_test(observed, placebo_caars(resid, bars, settings.window))


def _groups(
    settings: StudySettings, events: pd.DataFrame, abn: Any, studied: np.ndarray
) -> GroupResult | None:
    assert settings.by is not None
    labels = events[settings.by].astype(str).to_numpy()[studied]
    valid = abn.valid
    car = events["car"].to_numpy()[studied]
    rows = []
    for label in np.unique(labels[valid]):
        sel = valid & (labels == label)
        x = car[sel]
        n = int(x.size)
        sd = float(np.std(x, ddof=1)) if n > 1 else float("nan")
        t = float(np.sqrt(n) * x.mean() / sd) if n > 1 and sd > 0 else float("nan")
        rows.append({"group": label, "n": n, "caar": float(x.mean()), "sd": sd, "t": t})
    table = pd.DataFrame(rows)
    if len(table) > 0:
        from scipy import stats

        table["p_value"] = 2 * stats.t.sf(np.abs(table["t"]), np.maximum(table["n"] - 1, 1))
    try:
        tests = group_difference(car[valid], labels[valid])
    except BadInputError:
        tests = ()
    return GroupResult(by=settings.by, table=table, tests=tests)
