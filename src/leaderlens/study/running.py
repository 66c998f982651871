"""The fast path: window sums as differences of running sums kept in the workspace.

For the constant-mean, market-adjusted and market models, an event's estimation-window fit
needs only sums over the window: the count of usable bars, sum r, sum m, sum r^2, sum m^2,
sum r m. One windowed pass per (asset, benchmark) stores the running sums of those in the
workspace (table ``series_cache``); an event's window sums are then the difference of the
running sums at the window's two ends, two equality joins, however long the window. The
event-window values come from one more equality join. The finish is closed form in NumPy.
While a workspace is open, the series it has read from the cache are held in memory
(:mod:`leaderlens.study.resident`), where those joins are array indexing; studies whose series
are too many to hold run the joins in the engine.

Cancellation: the running sums are of values centred on the pair's full-sample means, so each
window's centred cross-products (``Sxx = sum x'^2 - n xbar'^2``) subtract numbers of the size of
the window's own variation, and agree with a direct OLS to about 1e-13.

A workspace open read-only (every read command, the dashboard) keeps its cache in temporary
in-memory tables for as long as it is open: reads never change the file.

The cache is rebuilt whenever the asset or its benchmark has been loaded since (the newest
``load_id`` of their bars is part of the key). It serves daily studies without estimation masks
(masks and intraday windows take the dense path).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import duckdb
import numpy as np
import pandas as pd

from leaderlens.align import TradingCalendar, get_calendar
from leaderlens.engines import relational as rel
from leaderlens.engines.duckdb_engine import scatter
from leaderlens.errors import unknown_asset
from leaderlens.study.abnormal import AbnormalReturns
from leaderlens.study.dense import fit_panels, window_offsets
from leaderlens.study.eventize import (
    Computed,
    benchmarks,
    daily_day0,
    data_reason,
    events_table,
    param_names,
)
from leaderlens.study.resident import ResidentSeries, ensure, resident
from leaderlens.study.series import STEP_NS, Grid, asset_grid_is_regular, build_grid
from leaderlens.study.settings import StudySettings

if TYPE_CHECKING:
    from leaderlens.store.workspace import Workspace

CACHE_DDL = """CREATE {kind} IF NOT EXISTS series_cache (
    series_id INTEGER NOT NULL, k BIGINT NOT NULL, ts BIGINT NOT NULL, r DOUBLE, m DOUBLE,
    cn BIGINT, cr DOUBLE, cm DOUBLE, crr DOUBLE, cmm DOUBLE, crm DOUBLE)"""
META_DDL = """CREATE {kind} IF NOT EXISTS series_cache_meta (
    series_id INTEGER NOT NULL, asset_id VARCHAR NOT NULL, benchmark_id VARCHAR NOT NULL,
    freq VARCHAR NOT NULL, kind VARCHAR NOT NULL, stamp BIGINT NOT NULL, mean_r DOUBLE,
    mean_m DOUBLE, first_ts BIGINT, last_ts BIGINT, regular BOOLEAN NOT NULL,
    n_rows BIGINT NOT NULL)"""
SUMS = rel.SUMS


@dataclass(frozen=True)
class CacheKey:
    """One cached series: an asset paired with its benchmark ("" for the constant-mean model),
    at a frequency and return type, as of the newest load (``stamp``) of either's bars."""

    asset: str
    benchmark: str
    freq: str
    kind: str
    stamp: int


@dataclass(frozen=True)
class CachedSeries:
    """What the meta table says of one cached series."""

    series_id: int
    stamp: int
    mean_r: float
    mean_m: float
    first_ts: int
    last_ts: int
    regular: bool  # the grid is exactly the calendar's sessions (or days) from first to last
    n_rows: int


def running_sums(
    con: duckdb.DuckDBPyConnection, r: np.ndarray, m: np.ndarray | None
) -> tuple[dict[str, np.ndarray], float, float]:
    """Running sums over usable bars of values centred on their means (module docstring), by
    the engines' own SQL (:func:`leaderlens.engines.relational.running_ctes`) on ``con``."""
    frame = pd.DataFrame(
        {"k": np.arange(r.size), "r": r, "m": np.full(r.size, np.nan) if m is None else m}
    )
    con.register("__running_rows", frame)
    try:
        got = con.execute(
            f"""WITH paired AS (
                SELECT '' AS asset, k AS t, k,
                       CASE WHEN isnan(r) THEN NULL ELSE r END AS r,
                       CASE WHEN isnan(m) THEN NULL ELSE m END AS m
                FROM __running_rows),
            {rel.running_ctes(market=m is not None)}
            SELECT mean_r, mean_m, {", ".join(SUMS)} FROM series ORDER BY k"""
        ).fetchnumpy()
    finally:
        con.unregister("__running_rows")
    sums = {
        name: np.asarray(got[name], dtype=np.int64 if name == "cn" else np.float64) for name in SUMS
    }
    if r.size == 0:
        return sums, 0.0, 0.0
    return sums, float(got["mean_r"][0]), float(got["mean_m"][0])


def cached(
    con: duckdb.DuckDBPyConnection, temporary: bool = False
) -> dict[tuple[str, str, str, str], CachedSeries]:
    """Every cached series by (asset, benchmark, freq, kind); creates the tables if needed
    (``temporary``: in memory, for a workspace open read-only, shadowing any stored cache)."""
    if temporary:
        con.execute(CACHE_DDL.format(kind="TEMP TABLE"))
        con.execute(META_DDL.format(kind="TEMP TABLE"))
        return _cached_rows(con)
    columns = {
        str(r[0])
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'series_cache_meta'"
        ).fetchall()
    }
    if columns and "n_rows" not in columns:  # a cache of an earlier layout: rebuild it
        con.execute("DROP TABLE series_cache_meta")
        con.execute("DROP TABLE IF EXISTS series_cache")
    con.execute(CACHE_DDL.format(kind="TABLE"))
    con.execute(META_DDL.format(kind="TABLE"))
    return _cached_rows(con)


def _cached_rows(
    con: duckdb.DuckDBPyConnection,
) -> dict[tuple[str, str, str, str], CachedSeries]:
    rows = con.execute(
        """SELECT asset_id, benchmark_id, freq, kind, series_id, stamp, mean_r, mean_m,
                  first_ts, last_ts, regular, n_rows FROM series_cache_meta"""
    ).fetchall()
    return {
        (str(a), str(b), str(f), str(k)): CachedSeries(
            int(i), int(st), mr, mm, int(ft), int(lt), bool(reg), int(nr)
        )
        for a, b, f, k, i, st, mr, mm, ft, lt, reg, nr in rows
    }


def store(
    con: duckdb.DuckDBPyConnection,
    key: CacheKey,
    series_id: int,
    grid: Grid,
    code: int,
    m: np.ndarray | None,
    regular: bool,
) -> None:
    """Replace the cached series ``series_id`` with this asset's grid segment (one
    transaction), rows in ``k`` order so that each series is stored contiguously."""
    seg = grid.segment(code)
    r = grid.r[seg]
    sums, mean_r, mean_m = running_sums(con, r, m)
    frame = pd.DataFrame(
        {
            "series_id": np.full(r.size, series_id, dtype=np.int32),
            "k": np.arange(r.size, dtype=np.int64),
            "ts": grid.ts[seg],
            "r": r,
            "m": m if m is not None else np.full(r.size, np.nan),
            **sums,
        }
    )
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM series_cache WHERE series_id = ?", [series_id])
        con.execute("DELETE FROM series_cache_meta WHERE series_id = ?", [series_id])
        con.register("__cache_rows", frame)
        con.execute("INSERT INTO series_cache SELECT * FROM __cache_rows")
        con.unregister("__cache_rows")
        con.execute(
            "INSERT INTO series_cache_meta VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                series_id,
                key.asset,
                key.benchmark,
                key.freq,
                key.kind,
                key.stamp,
                mean_r,
                mean_m,
                int(frame["ts"].iloc[0]),
                int(frame["ts"].iloc[-1]),
                regular,
                r.size,
            ],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


@dataclass(frozen=True)
class Reduced:
    """Per-event window sums and event-window values from the cache (N events).

    k0: (N,) day 0 position on the asset's grid (-1: the grid lacks day 0). sums: name -> (N,)
    estimation-window sums of centred values. mean_r, mean_m: (N,) the centring constants.
    r, m: (N, L) event-window values.
    """

    k0: np.ndarray
    sums: dict[str, np.ndarray]
    mean_r: np.ndarray
    mean_m: np.ndarray
    r: np.ndarray
    m: np.ndarray


def grid_positions(
    day0: np.ndarray, first: np.ndarray, last: np.ndarray, calendar: TradingCalendar
) -> np.ndarray:
    """Day 0's position on regular daily grids starting at ``first`` (all UTC ns), computed
    from the calendar alone; -1 where day 0 is outside ``[first, last]`` or not a session."""
    inside = (day0 >= first) & (day0 <= last)
    if calendar.is_24_7:
        k0 = (day0 - first) // STEP_NS["1d"]
        return np.where(inside, k0, -1)
    sessions = calendar.sessions.astype("datetime64[ns]").view(np.int64)
    pos = np.searchsorted(sessions, day0)
    hit = inside & (sessions[np.minimum(pos, sessions.size - 1)] == day0)
    return np.where(hit, pos - np.searchsorted(sessions, first), -1)


def lookup_positions(
    con: duckdb.DuckDBPyConnection, series_id: np.ndarray, day0: np.ndarray
) -> np.ndarray:
    """Day 0's position on irregular grids: an equality join on the instant."""
    n = series_id.size
    ev = pd.DataFrame({"i": np.arange(n), "sid": series_id.astype(np.int32), "day0": day0})
    con.register("__ev", ev)
    try:
        got = con.execute(
            """SELECT ev.i, c.k FROM series_cache c
               JOIN __ev ev ON c.series_id = ev.sid AND c.ts = ev.day0"""
        ).fetchnumpy()
    finally:
        con.unregister("__ev")
    k0 = np.full(n, -1, dtype=np.int64)
    k0[np.asarray(got["i"], dtype=np.int64)] = got["k"]
    return k0


def cache_panels(
    con: duckdb.DuckDBPyConnection,
    series: pd.DataFrame,
    k0: np.ndarray,
    offsets: np.ndarray,
    columns: tuple[str, ...],
) -> dict[str, np.ndarray]:
    """Cached ``columns`` of each event's series at positions ``k0 + offsets``: one scan of the
    cache, equality-joined on (series, position). ``series`` holds each event's ``sid`` and
    ``n_rows``. Returns name -> (N, J), NaN where absent; events with k0 < 0 stay NaN."""
    n, j = len(series), offsets.size
    sid = series["sid"].to_numpy(np.int64)
    k = k0[:, None] + offsets[None, :]
    inside = (k0[:, None] >= 0) & (k >= 0) & (k < series["n_rows"].to_numpy(np.int64)[:, None])
    rows, cols = np.nonzero(inside)
    wanted = pd.DataFrame(
        {"i": rows, "j": cols, "sid": sid[rows].astype(np.int32), "k": k[rows, cols]}
    )
    con.register("__wanted", wanted)
    try:
        # The big table probes a hash table built on the small one: DuckDB's join ordering
        # would build on the cache (millions of rows) here, so it is pinned for this query.
        con.execute("SET disabled_optimizers = 'join_order'")
        got = con.execute(
            f"""SELECT w.i, w.j, {", ".join("c." + c for c in columns)}
                FROM series_cache c JOIN __wanted w ON c.series_id = w.sid AND c.k = w.k"""
        ).fetchnumpy()
    finally:
        con.execute("RESET disabled_optimizers")
        con.unregister("__wanted")
    return scatter(got, (n, j), columns)


def reduce_events(
    con: duckdb.DuckDBPyConnection,
    series: pd.DataFrame,
    k0: np.ndarray,
    estimation: tuple[int, int],
    window: tuple[int, int],
    *,
    held: ResidentSeries | None = None,
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """The running sums at each estimation window's two ends and the values at every
    event-window bar, in one scan (from the resident series when ``held`` holds them).
    Returns the window sums (N,) and r, m (N, L)."""
    e1, e2 = estimation
    t1, t2 = window
    ends = np.array([e1 - 1, e2], dtype=np.int64)
    bars = np.arange(t1, t2 + 1, dtype=np.int64)
    if held is not None:
        sid = series["sid"].to_numpy(np.int64)
        n_rows = series["n_rows"].to_numpy(np.int64)
        at_ends = held.gather(sid, n_rows, k0, ends, SUMS)
        values = held.gather(sid, n_rows, k0, bars, ("r", "m"))
    else:
        panel = cache_panels(con, series, k0, np.concatenate([ends, bars]), ("r", "m", *SUMS))
        at_ends = {s: panel[s][:, :2] for s in SUMS}
        values = {c: panel[c][:, 2:] for c in ("r", "m")}
    # A window end before the series' first bar contributes running sums of 0.
    sums = {s: np.nan_to_num(at_ends[s][:, 1]) - np.nan_to_num(at_ends[s][:, 0]) for s in SUMS}
    return sums, values["r"], values["m"]


def finish_from_sums(
    model: str, red: Reduced, first_bar: int, min_estimation: int
) -> tuple[AbnormalReturns, np.ndarray]:
    """Closed-form fit and abnormal values from window sums (MacKinlay 1997 eqs. 7-12).

    Same conventions as :func:`leaderlens.study.models.fit_normal_model` ("textbook"):
    s^2 = SSR / (T - K), prediction-error variance s^2 (1 + 1/T + (x - xbar)^2 / Sxx).
    """
    s = red.sums
    n = s["cn"].astype(np.float64)
    t_safe = np.maximum(n, 1.0)
    xbar, ybar = s["cm"] / t_safe, s["cr"] / t_safe  # means of centred values
    syy = s["crr"] - n * ybar * ybar
    n_events, length = red.r.shape
    bars = np.arange(first_bar, first_bar + length, dtype=np.int64)
    if model == "market":
        sxx = s["cmm"] - n * xbar * xbar
        sxy = s["crm"] - n * xbar * ybar
        with np.errstate(invalid="ignore", divide="ignore"):
            beta = sxy / sxx
        alpha = (ybar + red.mean_r) - beta * (xbar + red.mean_m)
        ssr = syy - beta * sxy
        k = 2
        predicted = alpha[:, None] + beta[:, None] * red.m
        x_dev = (red.m - (xbar + red.mean_m)[:, None])[:, :, None]
        with np.errstate(divide="ignore"):
            sxx_inv = (1.0 / sxx)[:, None, None]
        h0 = 1.0 / t_safe
        params = np.column_stack([alpha, beta])
        bad_x = ~(sxx > 0)
    elif model == "market-adjusted":
        # AR = R - R_m; s^2 over the estimation window of (R - R_m) around its mean.
        ssr = syy + (s["cmm"] - n * xbar * xbar) - 2 * (s["crm"] - n * xbar * ybar)
        k = 1
        predicted = red.m
        x_dev = np.zeros((n_events, length, 0))
        sxx_inv = np.zeros((n_events, 0, 0))
        h0 = np.zeros(n_events)
        params = np.column_stack([np.zeros(n_events), np.ones(n_events)])
        bad_x = np.zeros(n_events, dtype=bool)
    else:  # constant mean
        mean = ybar + red.mean_r
        ssr = syy
        k = 1
        predicted = np.repeat(mean[:, None], length, axis=1)
        x_dev = np.zeros((n_events, length, 0))
        sxx_inv = np.zeros((n_events, 0, 0))
        h0 = 1.0 / t_safe
        params = mean[:, None]
        bad_x = np.zeros(n_events, dtype=bool)
    dof = (n - k).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        s2 = ssr / (n - k)
    x_needed = model != "constant-mean"
    missing = ~np.isfinite(red.r) | (~np.isfinite(red.m) if x_needed else False)
    reason = np.full(n_events, "", dtype=object)
    reason[red.k0 < 0] = "day 0 has no bar"
    too_few = (red.k0 >= 0) & (n < min_estimation)
    reason[too_few] = np.strings.add(
        np.strings.add("too few estimation bars (", n[too_few].astype(np.int64).astype(str)),
        f" < {min_estimation})",
    )
    reason[(reason == "") & bad_x] = "market returns do not vary in the estimation window"
    reason[(reason == "") & ~(s2 > 0)] = "zero residual variance in the estimation window"
    fitted = reason == ""
    gap = fitted & missing.any(axis=1)
    reason[gap] = np.strings.add(
        "missing value in the event window at relative bar ",
        bars[missing[gap].argmax(axis=1)].astype(str),
    )
    valid = reason == ""
    ar = np.where(valid[:, None], red.r - predicted, np.nan)
    quad = np.einsum("nlp,npq,nlq->nl", x_dev, sxx_inv, x_dev) if x_dev.shape[2] else 0.0
    var_ar = np.where(valid[:, None], s2[:, None] * (1.0 + h0[:, None] + quad), np.nan)
    return AbnormalReturns(
        model=model.replace("-", "_"),
        convention="textbook",
        bars=bars,
        ar=ar,
        var_ar=var_ar,
        t=ar / np.sqrt(var_ar),
        x_dev=np.where(valid[:, None, None], x_dev, 0.0) if x_dev.shape[2] else x_dev,
        sxx_inv=np.where(valid[:, None, None], sxx_inv, 0.0) if sxx_inv.shape[2] else sxx_inv,
        h0=h0,
        s2=np.where(valid, s2, np.nan),
        dof=dof,
        n_obs=n.astype(np.int64),
        est_residuals=np.full((n_events, 0), np.nan),
        valid=valid,
        reason=reason.astype(str),
    ), np.where(fitted[:, None], params, np.nan)


def cache_serves(settings: StudySettings) -> bool:
    """Whether the cached daily series serve this study (module docstring)."""
    return settings.freq == "1d" and settings.model in (
        "constant-mean",
        "market-adjusted",
        "market",
    )


def compute_cached(
    ws: Workspace, settings: StudySettings, moments: pd.DataFrame
) -> tuple[Computed, tuple[str, ...]]:
    """Events and abnormal values from the cached series: closed form from window sums for
    per-event studies, dense panels gathered from the cache for the full battery, masks or
    the estudy2 conventions."""
    con = ws.connection
    # Calendar and declared benchmark of every asset, and its newest price load. Two plain
    # scans: a join or an aggregate would wait on the engine's worker threads for a few
    # hundred rows.
    newest: dict[str, int] = {}
    for target, load_id in con.execute(
        "SELECT target, load_id FROM loads WHERE kind = 'prices'"
    ).fetchall():
        newest[target] = max(load_id, newest.get(target, 0))
    known = {
        str(a): (str(cal), b, newest.get(a, 0))
        for a, cal, b in con.execute(
            "SELECT asset_id, calendar, benchmark_id FROM assets"
        ).fetchall()
    }
    codes, uniques = pd.factorize(moments["asset"], sort=True)
    event_assets = [str(a) for a in uniques]
    missing = [a for a in event_assets if a not in known]
    if missing:
        raise unknown_asset(missing[0], known)
    benches = benchmarks(settings, {a: b for a, (_, b, _) in known.items()}, event_assets)
    needed = list(dict.fromkeys([*event_assets, *benches.values()]))
    by_name = {name: get_calendar(name) for name in {known[a][0] for a in needed}}
    calendars = {a: by_name[known[a][0]] for a in needed}
    series = _fresh_series(ws, settings, event_assets, benches, calendars, newest)
    day0, how, gap = daily_day0(moments, calendars)
    # Per-asset facts spread to events by asset code: no per-event Python.
    facts = [series[a] for a in event_assets]
    sid = np.array([f.series_id for f in facts], dtype=np.int64)[codes]
    first = np.array([f.first_ts for f in facts], dtype=np.int64)[codes]
    last = np.array([f.last_ts for f in facts], dtype=np.int64)[codes]
    n_rows = np.array([f.n_rows for f in facts], dtype=np.int64)[codes]
    regular = np.array([f.regular for f in facts], dtype=bool)[codes]
    wanted = {
        f.series_id: ((a, benches.get(a, ""), f), f.n_rows)
        for a, f in zip(event_assets, facts, strict=True)
    }
    held = ensure(con, wanted)
    k0 = np.full(len(moments), -1, dtype=np.int64)
    cal_code = np.unique([calendars[a].name for a in event_assets], return_inverse=True)[1]
    for c in np.unique(cal_code):
        sel = np.flatnonzero(regular & (cal_code[codes] == c))
        if sel.size:
            calendar = calendars[event_assets[int(np.flatnonzero(cal_code == c)[0])]]
            k0[sel] = grid_positions(day0[sel], first[sel], last[sel], calendar)
    if (~regular).any():
        sel = np.flatnonzero(~regular)
        k0[sel] = (
            held.locate(sid[sel], day0[sel])
            if held is not None
            else lookup_positions(con, sid[sel], day0[sel])
        )
    reason = np.where(k0 >= 0, "", data_reason(day0, first, last))
    t1, t2 = settings.window
    e1 = settings.estimation[0]
    stride = int(k0.max(initial=0)) + abs(e1) + abs(t2) + (t2 - t1) + 2  # assets stay apart
    events, members = events_table(
        settings,
        moments,
        np.where(k0 >= 0, k0 + codes * stride, -1),
        day0,
        how,
        gap,
        reason,
        np.zeros(len(moments), dtype=bool),
        n_bars=stride * len(event_assets),
    )
    studied = np.flatnonzero((events["excluded"] == "").to_numpy())
    rows = events["moment"].to_numpy()[studied]
    notes = tuple(f"{a}: benchmark {b}" for a, b in benches.items())
    if (
        settings.tests == "per-event"
        and not settings.mask_overlaps
        and (settings.convention == "textbook")
    ):
        sums, r, m = reduce_events(
            con,
            pd.DataFrame({"sid": sid[rows], "n_rows": n_rows[rows]}),
            k0[rows],
            settings.estimation,
            settings.window,
            held=held,
        )
        mean_r = np.array([f.mean_r for f in facts], dtype=np.float64)[codes[rows]]
        mean_m = np.array([f.mean_m for f in facts], dtype=np.float64)[codes[rows]]
        reduced = Reduced(k0[rows], sums, mean_r, mean_m, r, m)
        abn, params = finish_from_sums(settings.model, reduced, t1, settings.min_estimation)
        computed = Computed(
            events=events,
            studied=studied,
            abn=abn,
            params=params,
            param_names=param_names(settings.model),
            returns=reduced.r,
            benchmark=reduced.m if benches else None,
            calendar_index=None,
            placebo=None,
            members=members,
        )
        return computed, (*notes, "window sums from running sums kept in the workspace")
    offsets = window_offsets(settings)
    if held is not None:
        # Calendar positions of the gathered bars come with the gather (the day codes of the
        # resident series), so the panel of instants is not needed.
        args = (sid[rows], n_rows[rows], k0[rows])
        panels = held.gather(*args, offsets, ("r", "m"))
        panels["day_code"] = held.gather(*args, offsets, ("day_code",))["day_code"]
        panels["ts"] = np.empty((len(rows), 0), dtype=np.int64)
    else:
        panels = cache_panels(
            con,
            pd.DataFrame({"sid": sid[rows], "n_rows": n_rows[rows]}),
            k0[rows],
            offsets,
            ("ts", "r", "m"),
        )
    values = {"r": panels["r"]} | ({"m": panels["m"]} if benches else {})
    ts = np.nan_to_num(panels["ts"], nan=-1).astype(np.int64)
    calendar_index = panels["day_code"] if held is not None else None
    one = None
    if len(event_assets) == 1 and len(rows):
        table = (
            pd.DataFrame(held.series(int(sid[rows[0]]), ("r", "m")))
            if held is not None
            else con.execute(
                "SELECT r, m FROM series_cache WHERE series_id = ? ORDER BY k",
                [int(sid[rows[0]])],
            ).df()
        )
        one = (table, 0)  # one asset: its global positions are its own (code 0)
    computed = fit_panels(settings, events, studied, values, ts, one, calendar_index=calendar_index)
    computed = replace(computed, members=members)
    return computed, (*notes, "series from the workspace's cache of daily returns")


def _fresh_series(
    ws: Workspace,
    settings: StudySettings,
    assets: list[str],
    benches: dict[str, str],
    calendars: dict[str, TradingCalendar],
    newest: dict[str, int],
) -> dict[str, CachedSeries]:
    """The cached series of every event asset, (re)built where its bars or its benchmark's
    bars were loaded since it was cached (``newest``: the newest price load of each asset).
    What the meta table said is remembered by the open workspace and read again only when
    a load stamp disagrees with it."""
    con = ws.connection
    memo = resident(con)
    keys = {
        a: CacheKey(
            a,
            benches.get(a, ""),
            "1d",
            settings.returns,
            max(int(newest.get(a, 0)), int(newest.get(benches.get(a, ""), 0))),
        )
        for a in assets
    }

    def current(have: dict[tuple[str, str, str, str], CachedSeries]) -> bool:
        return all(
            (got := have.get((k.asset, k.benchmark, k.freq, k.kind))) is not None
            and got.stamp == k.stamp
            for k in keys.values()
        )

    have = memo.meta
    if have is None or not current(have):
        have = cached(con, ws.read_only)
    stale = [
        a
        for a, key in keys.items()
        if (
            have.get((key.asset, key.benchmark, key.freq, key.kind)) is None
            or have[(key.asset, key.benchmark, key.freq, key.kind)].stamp != key.stamp
        )
    ]
    if stale:
        needed = list(dict.fromkeys([*stale, *(benches[a] for a in stale if a in benches)]))
        grid = build_grid(ws.bars_for(needed, freq="1d"), calendars, "1d", settings.returns)
        code = {a: i for i, a in enumerate(grid.assets)}
        next_id = max((c.series_id for c in have.values()), default=0) + 1
        for asset in stale:
            key = keys[asset]
            known = have.get((key.asset, key.benchmark, key.freq, key.kind))
            sid = known.series_id if known is not None else next_id
            next_id += known is None
            seg = grid.segment(code[asset])
            m = grid.values_at(code[benches[asset]], grid.ts[seg]) if asset in benches else None
            regular = asset_grid_is_regular(grid.ts[seg], calendars[asset])
            store(con, key, sid, grid, code[asset], m, regular)
        if not ws.read_only:  # write the new sums to the file now, not in the next query
            con.execute("CHECKPOINT")
        have = cached(con, ws.read_only)
    memo.meta = have
    return {a: have[(k.asset, k.benchmark, k.freq, k.kind)] for a, k in keys.items()}
