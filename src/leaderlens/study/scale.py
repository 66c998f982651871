"""The event study on Parquet (or Spark tables) through an engine: DuckDB or Apache Spark.

DESIGN "Computing at scale": the gather and reduce steps are the shared SQL of
:mod:`leaderlens.engines.relational`, run where the data lives; only one row per event comes
back (estimation-window sums and the event window's values), and the finish is the workspace
path's NumPy (:func:`leaderlens.study.running.finish_from_sums`, MacKinlay 1997 closed forms).
With ``tests="all"`` a second relational pass ranks abnormal values inside the engine and the
battery is finished from its sums (:mod:`leaderlens.study.reduced_battery`).

Layouts (Parquet files, folders of them, frames, or Spark table names):

* bars: ``asset`` (text), ``ts`` (the bar's UTC instant; daily bars: the session's close),
  and ``close`` (returns from consecutive closes) or ``ret`` / ``return`` (returns given).
  The market (``market=``) is one more asset in the same relation; an asset's bar pairs with
  the market's bar of the same instant.
* events: ``asset``, ``time`` (UTC instant), optional ``label``.

Day 0 of an event is the first bar of its asset at or after its instant; the windows count
that asset's own bars.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from leaderlens.engines import relational as rel
from leaderlens.engines.base import Engine, Source, get_engine
from leaderlens.engines.duckdb_engine import as_floats
from leaderlens.errors import BadInputError
from leaderlens.options import PLAIN_MODELS
from leaderlens.study.abnormal import AbnormalReturns, cumulate
from leaderlens.study.battery import Battery
from leaderlens.study.eventize import Computed, StatementMembers, param_names
from leaderlens.study.reduced_battery import BatterySums, battery_from_sums, cross_correlation
from leaderlens.study.running import SUMS, Reduced, finish_from_sums
from leaderlens.study.settings import StudySettings, make_settings
from leaderlens.study.study_result import EventStudyResult


def parquet_event_study(
    bars: Source,
    events: Source,
    *,
    market: str | None = None,
    model: str = "market",
    window: tuple[int, int] = (-1, 1),
    estimation: tuple[int, int] = (-250, -11),
    returns: str = "simple",
    min_estimation: int | None = None,
    tests: str = "all",
    n_bootstrap: int = 1000,
    seed: int = 0,
    engine: str | Engine = "duckdb",
    master: str | None = None,
) -> EventStudyResult:
    """Did these events move their assets: the event study with data read where it lies.

    ``bars`` and ``events`` follow the module docstring's layouts. ``market`` names the
    benchmark asset among the bars (needed by the market and market-adjusted models).
    ``engine`` is ``"duckdb"`` (embedded, default), ``"spark"`` (``master``: the Spark master
    URL; None uses the active session or ``local[*]``) or an engine object. Same models,
    windows, conventions and tests as :func:`leaderlens.event_study` (textbook convention;
    no factor model, masks or placebo on this path); results do not depend on the engine.
    """
    if model not in PLAIN_MODELS:
        raise BadInputError(
            f"model must be one of {', '.join(PLAIN_MODELS)} on an engine; got {model!r}",
            field="model",
        )
    settings = make_settings(
        asset=None,
        leader=None,
        events=events if isinstance(events, pd.DataFrame) else str(events),
        benchmark=market,
        model=model,
        window=window,
        estimation=estimation,
        freq="1d",
        returns=returns,
        start=None,
        end=None,
        channel=None,
        query=None,
        topic=None,
        min_sentiment=None,
        max_sentiment=None,
        factors=None,
        min_estimation=min_estimation,
        mask_overlaps=False,
        first_bar="containing",
        cross_sessions="exclude",
        by=None,
        convention="textbook",
        n_bootstrap=n_bootstrap,
        n_placebo=0,
        seed=seed,
        tests=tests,
    )
    if model != "constant-mean" and market is None:
        raise BadInputError(f"the {model} model needs market=", field="market")
    eng = get_engine(engine, master) if isinstance(engine, str) else engine
    price, labelled = register_inputs(eng, bars, events)
    eng.materialize(
        rel.SERIES,
        rel.series_sql(
            price=price,
            returns=settings.returns,
            market=market if model != "constant-mean" else None,
        ),
    )
    eng.materialize(rel.DAY0, rel.day0_sql(label=labelled))
    got = eng.query(rel.reduce_sql(estimation=settings.estimation, window=settings.window))
    merged = np.asarray(got["n_posts"], dtype=np.int64) > 1
    members = eng.query(rel.members_sql()) if merged.any() else None
    reduced, frame = reduced_table(got, settings)
    abn, params = finish_from_sums(model, reduced, settings.window[0], settings.min_estimation)
    battery = None
    if settings.tests == "all" and abn.n_events >= 2:
        sums = rank_sums(eng, settings, reduced.k0, frame["asset"].to_numpy(), abn, params)
        battery = battery_from_sums(abn, sums, n_bootstrap=settings.n_bootstrap, seed=settings.seed)
    computed = Computed(
        events=frame,
        studied=np.arange(len(frame)),
        abn=abn,
        params=params,
        param_names=param_names(model),
        returns=reduced.r,
        benchmark=reduced.m if market is not None and model != "constant-mean" else None,
        calendar_index=None,
        placebo=None,
        members=statement_members(got, members),
    )
    notes = (
        f"engine {eng.name}: day 0 is the first bar at or after the event",
        "window sums from running sums computed by the engine",
    )
    return finish(settings, computed, notes, battery)


def finish(
    settings: StudySettings, computed: Computed, notes: tuple[str, ...], battery: Battery | None
) -> EventStudyResult:
    """The result, assembled as the workspace path assembles it."""
    from dataclasses import replace

    from leaderlens.study.event_study import _assemble

    return _assemble(replace(settings, notes=settings.notes + notes), computed, battery=battery)


def register_inputs(eng: Engine, bars: Source, events: Source) -> tuple[str, bool]:
    """Register both relations, check their columns; returns ``"close"`` or ``"ret"``, and
    whether the events carry a ``label`` column."""
    eng.register(rel.BARS, bars)
    eng.register(rel.EVENTS, events)
    have = {c.lower() for c in eng.columns(rel.BARS)}
    where = str(bars) if not isinstance(bars, pd.DataFrame) else "bars"
    for needed in ("asset", "ts"):
        if needed not in have:
            raise BadInputError(f"bars need a column {needed!r}", file=where, field=needed)
    if "close" in have:
        price = "close"
    elif "ret" in have or "return" in have:
        price = "ret"
        if "ret" not in have:  # "return" is a reserved word: read it under another name
            eng.register(rel.BARS, bars, rename={"return": "ret"})
    else:
        raise BadInputError("bars need a column 'close' or 'ret'", file=where, field="close")
    ev_have = {c.lower() for c in eng.columns(rel.EVENTS)}
    for needed in ("asset", "time"):
        if needed not in ev_have:
            raise BadInputError(
                f"events need a column {needed!r}",
                file=str(events) if not isinstance(events, pd.DataFrame) else "events",
                field=needed,
            )
    return price, "label" in ev_have


def statement_members(
    got: dict[str, np.ndarray], members: dict[str, np.ndarray] | None
) -> StatementMembers:
    """The input rows (``row i``, numbered by time) behind each reduced event of ``got``
    (ordered by ``i``, its first row): that row alone, or all the events of its asset that
    share its day 0 (``members``: :func:`relational.members_sql`, fetched when some were
    merged). One sort of the member rows by (asset, day 0, row) groups them."""
    first = np.asarray(got["i"]).astype(np.int64)
    if members is None:
        rows, start = first, np.arange(first.size + 1)
    else:
        i = np.asarray(members["i"]).astype(np.int64)
        asset = np.asarray(members["asset"]).astype(str)
        k0 = as_floats(members["k0"])
        order = np.lexsort((i, k0, asset))
        i, asset, k0 = i[order], asset[order], k0[order]
        # A group opens where the asset or day 0 changes, and at every event without day 0
        # (each of those is an event of its own).
        opens = np.ones(i.size, dtype=bool)
        opens[1:] = (asset[1:] != asset[:-1]) | (k0[1:] != k0[:-1]) | np.isnan(k0[1:])
        group = np.cumsum(opens) - 1
        event = np.searchsorted(first, i[opens][group])  # the reduced row of each member
        rows = i[np.lexsort((i, event))]
        start = np.concatenate([[0], np.cumsum(np.bincount(event, minlength=first.size))])
    return StatementMembers(ids=np.char.add("row ", rows.astype(str)), start=start)


def reduced_table(
    got: dict[str, np.ndarray],
    settings: StudySettings,
) -> tuple[Reduced, pd.DataFrame]:
    """The engine's one row per event as :class:`Reduced` and the events table of a result
    (its statement ids apart: :func:`statement_members`)."""
    t1, t2 = settings.window
    length = t2 - t1 + 1
    n = len(got["i"])
    k0 = np.nan_to_num(as_floats(got["k0"]), nan=-1).astype(np.int64)
    sums = {s: np.nan_to_num(as_floats(got[s])) for s in SUMS}
    r = (
        np.column_stack([as_floats(got[f"r_{j}"]) for j in range(length)])
        if n
        else np.empty((0, length))
    )
    m = (
        np.column_stack([as_floats(got[f"m_{j}"]) for j in range(length)])
        if n
        else np.empty((0, length))
    )
    reduced = Reduced(
        k0=k0,
        sums=sums,
        mean_r=np.nan_to_num(as_floats(got["mean_r"])),
        mean_m=np.nan_to_num(as_floats(got["mean_m"])),
        r=r,
        m=m,
    )
    te = np.asarray(as_floats(got["te"]), dtype=np.int64) * 1000
    t0 = np.nan_to_num(as_floats(got["t0"]), nan=-1).astype(np.int64)
    day0 = np.where(k0 >= 0, t0 * 1000, -1)
    asset = np.asarray(got["asset"]).astype(str)
    frame = pd.DataFrame(
        {
            "asset": asset,
            "label": np.asarray(got["label"]).astype(str),
            "time": pd.to_datetime(te, utc=True),
            "k0": k0,
            "n_statements": np.asarray(got["n_posts"], dtype=np.int64),
            "overlaps": overlapping(asset, k0, settings.window),
            "aligned": "first bar at or after the event",
            "gap_hours": np.where(k0 >= 0, (day0 - te) / 3.6e12, np.nan),
            "crosses_session": np.zeros(n, dtype=bool),
            "excluded": "",
            "day0": day0,
            "moment": np.arange(n),
        }
    )
    return reduced, frame


def overlapping(asset: np.ndarray, k0: np.ndarray, window: tuple[int, int]) -> np.ndarray:
    """Events whose event windows share a bar with another event of the same asset."""
    n = k0.size
    out = np.zeros(n, dtype=bool)
    if n < 2:
        return out
    order = np.lexsort((k0, asset))
    a, k = asset[order], k0[order]
    close = (
        (a[1:] == a[:-1]) & (k[1:] >= 0) & (k[:-1] >= 0) & (k[1:] - k[:-1] <= window[1] - window[0])
    )
    hit = np.zeros(n, dtype=bool)
    hit[1:] |= close
    hit[:-1] |= close
    out[order] = hit
    return out


def rank_sums(
    eng: Engine,
    settings: StudySettings,
    k0: np.ndarray,
    asset: np.ndarray,
    abn: AbnormalReturns,
    params: np.ndarray,
    block: int = 250_000,
) -> BatterySums:
    """The battery's second pass: fitted parameters of the valid events go to the engine, the
    sums of :class:`BatterySums` come back (:func:`leaderlens.engines.relational.rank_sql`),
    ``block`` events at a time."""
    v = abn.valid
    scar = cumulate(abn).t[v]
    if settings.model == "market":
        alpha, beta = params[v, 0], params[v, 1]
    elif settings.model == "market-adjusted":
        alpha, beta = np.zeros(int(v.sum())), np.ones(int(v.sum()))
    else:
        alpha, beta = params[v, 0], np.zeros(int(v.sum()))
    fits = pd.DataFrame(
        {
            "i": np.flatnonzero(v).astype(np.int64),
            "asset": asset[v].astype(str),
            "k0": k0[v].astype(np.int64),
            "alpha": alpha.astype(np.float64),
            "beta": beta.astype(np.float64),
            "s": np.sqrt(abn.s2[v]).astype(np.float64),
            "g0": (scar / scar.std(ddof=1)).astype(np.float64),
        }
    )
    e1, e2 = settings.estimation
    t1, t2 = settings.window
    n_est, size = e2 - e1 + 1, e2 - e1 + 1 + t2 - t1 + 1
    sql = rel.rank_sql(model=settings.model, estimation=settings.estimation, window=settings.window)
    bars = np.zeros((6, size))  # n, s_ar, d_rank, d_u, d_sign, d_g per relative bar
    g_point = np.zeros(2)  # GRANK-T's event point: n, sum of U
    per_event: list[pd.DataFrame] = []
    per_instant: list[pd.DataFrame] = []
    # Blocks of events keep the engine's rank pass within memory; every sum is additive
    # over events, so the blocks' sums add up to the whole study's.
    for lo in range(0, len(fits), block):
        eng.register(rel.FITS, fits.iloc[lo : lo + block].reset_index(drop=True))
        got = eng.query(sql)
        part = np.asarray(got["part"]).astype(str)
        key = np.nan_to_num(as_floats(got["key"])).astype(np.int64)
        cols = {
            c: np.nan_to_num(as_floats(got[c]))
            for c in ("n", "s_ar", "d_rank", "d_u", "d_sign", "d_g", "n_est", "pos", "norm", "s_z")
        }
        bar = part == "bar"
        for row, name in enumerate(("n", "s_ar", "d_rank", "d_u", "d_sign", "d_g")):
            np.add.at(bars[row], key[bar], cols[name][bar])
        point = part == "grank"
        g_point += (cols["n"][point].sum(), cols["d_g"][point].sum())
        event, norm = part == "event", part == "norm"
        per_event.append(
            pd.DataFrame(
                {
                    "i": key[event],
                    "n": cols["n"][event],
                    "n_est": cols["n_est"][event],
                    "pos": cols["pos"][event],
                }
            ).merge(pd.DataFrame({"i": key[norm], "norm": cols["norm"][norm]}), on="i", how="left")
        )
        cal = part == "cal"
        per_instant.append(pd.DataFrame({"t": key[cal], "s_z": cols["s_z"][cal]}))
    events = pd.concat(per_event).sort_values("i")
    instants = pd.concat(per_instant).groupby("t")["s_z"].sum()
    return BatterySums(
        n_est=n_est,
        n_tau=bars[0],
        sum_ar=bars[1][:n_est],
        d_rank=bars[2],
        d_u=bars[3],
        d_sign=bars[4],
        n_i=events["n"].to_numpy(float),
        positive_share=events["pos"].to_numpy(float) / events["n_est"].to_numpy(float),
        g_n=np.append(bars[0][:n_est], g_point[0]),
        g_sum=np.append(bars[5][:n_est], g_point[1]),
        r=cross_correlation(
            instants.to_numpy(float), np.nan_to_num(events["norm"].to_numpy(float))
        ),
    )


__all__ = ["parquet_event_study"]
