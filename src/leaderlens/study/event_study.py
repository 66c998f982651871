"""The event study: statements (or named moments) in, a finished :class:`EventStudyResult` out.

Steps (DESIGN "Computing at scale"): events are aligned to each asset's bars on its real
trading calendar (:mod:`leaderlens.align`); statements in one event bar form one event; the
relational steps run on the workspace's engine and the finish in NumPy. Two paths compute the
same numbers: the running-sum path (:mod:`leaderlens.study.running`: window sums as differences
of running sums kept in the workspace, for daily constant-mean, market-adjusted and market
studies without the rank battery or masks) and the dense path (:mod:`leaderlens.study.dense`:
event-time panels, for everything). Every event that cannot be studied is kept in the result
with the reason.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

import leaderlens.study.measures as measures
from leaderlens.errors import BadInputError, MissingDataError, unknown_name
from leaderlens.readers.events import read_events
from leaderlens.readers.factors import read_factors
from leaderlens.study.abnormal import (
    average_path,
    buy_and_hold,
    cumulate,
    cumulative_variance_path,
)
from leaderlens.study.advice import study_advice
from leaderlens.study.battery import Battery, run_battery
from leaderlens.study.dense import gather_and_fit, prepare
from leaderlens.study.eventize import JOIN, Computed
from leaderlens.study.grouping import group_difference
from leaderlens.study.headline import Headline, choose_headline, single_event_headline
from leaderlens.study.running import cache_serves, compute_cached
from leaderlens.study.settings import StudySettings, make_settings
from leaderlens.study.study_result import EventStudyResult, GroupResult
from leaderlens.study.tests_parametric import skewness_adjusted_t

if TYPE_CHECKING:
    from leaderlens.store.workspace import Workspace


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
    topic: str | None = None,
    min_sentiment: float | None = None,
    max_sentiment: float | None = None,
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
    tests: str = "all",
    measure: str = "returns",
    volatility_model: str = "estimation",
    shares_outstanding: float | None = None,
    fdr: float = 0.05,
    fdr_method: str = "bh",
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
    ``topic``, ``min_sentiment`` and ``max_sentiment`` filter statements by their annotations
    (``leaderlens annotate``); ``by`` names a statement attribute to split results by
    (channel, language, is_reply, ..., or from the annotations ``topic`` — a statement's first
    topic in taxonomy order —, ``sentiment_label``, ``text_language``).
    ``tests="per-event"`` skips the cross-event battery (ARs, CARs and their t only).

    ``measure`` (:mod:`leaderlens.study.measures`): ``returns`` (default), ``volume``
    (abnormal log volume, or log turnover of ``asset`` given its ``shares_outstanding``) or
    ``volatility`` (event-induced variance against the estimation window, or against a
    GARCH(1,1) forecast with ``volatility_model="garch"``). Per-event p-values carry
    Benjamini-Hochberg and Benjamini-Yekutieli q-values; discoveries are counted at the rate
    ``fdr`` with ``fdr_method`` (``bh`` or ``by``) (:mod:`leaderlens.study.fdr`).
    """
    settings = make_settings(
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
        topic=topic,
        min_sentiment=min_sentiment,
        max_sentiment=max_sentiment,
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
        tests=tests,
        measure=measure,
        volatility_model=volatility_model,
        shares_outstanding=shares_outstanding,
        fdr=fdr,
        fdr_method=fdr_method,
    )
    moments = _moments(ws, settings, leader=leader, events=events)
    if settings.measure == "returns" and cache_serves(settings):
        computed, notes = compute_cached(ws, settings, moments)
    else:
        factor_frame = read_factors(factors)[0] if factors is not None else None
        prepared = prepare(ws, settings, moments, factor_frame)
        computed, notes = gather_and_fit(ws, settings, prepared), prepared.notes
    notes += measures.measure_notes(settings)
    computed = measures.for_measure(settings, computed)
    return _assemble(replace(settings, notes=settings.notes + notes), computed)


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
        if _needs_annotations(settings):
            found = _with_annotations(ws, leader, found, settings)
        if settings.query:
            found = found[
                found["text"].str.contains(settings.query, case=False, regex=False, na=False)
            ]
        if found.empty:
            raise MissingDataError(_no_statements(ws, leader), field="leader")
        out = found.rename(columns={"statement_id": "key", "ts": "time"})
        out["label"] = out["text"].fillna("").str.slice(0, 80)
        out["asset"] = settings.asset
    else:
        table = read_events(events)  # frames too: naive or bad times name their row
        if isinstance(events, pd.DataFrame):  # a frame's other columns stay (for ``by``)
            extra = [c for c in events.columns if c not in table.columns]
            table = table.assign(**{str(c): events[c].to_numpy() for c in extra})
        out = table.copy()
        if "asset" not in out:
            out["asset"] = None
        if isinstance(events, pd.DataFrame):  # a frame's rows are named by its index
            out["key"] = events.index.astype(str).to_numpy()
        else:
            out["key"] = (
                "line " + out["line"].astype(str) if "line" in out else out.index.astype(str)
            )
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


def _no_statements(ws: Workspace, leader: str) -> str:
    """Why a leader's statements gave no event: unknown leader, none stored, or the filters."""
    known = ws.leaders()["leader_id"].astype(str).tolist()
    if leader not in known:
        return unknown_name("leader", leader, known)
    if ws.statements(leader).empty:
        return (
            f"leader {leader!r} has no statements: load them with `leaderlens ingest statements "
            f"FILE --leader {leader}`, or named moments (keynotes, launches) with `leaderlens "
            f"ingest moments FILE --leader {leader}`"
        )
    return f"no statements of leader {leader!r} match the filters"


ANNOTATION_FIELDS = ("topic", "sentiment_label", "text_language", "sentiment")


def _needs_annotations(settings: StudySettings) -> bool:
    return (
        settings.by in ANNOTATION_FIELDS
        or settings.topic is not None
        or settings.min_sentiment is not None
        or settings.max_sentiment is not None
    )


def _with_annotations(
    ws: Workspace, leader: str, found: pd.DataFrame, settings: StudySettings
) -> pd.DataFrame:
    """Statements joined with their annotations, filtered by topic and sentiment bounds."""
    from leaderlens.text.annotate import annotated

    notes = annotated(ws, kind="statements", leader=leader)
    if not notes["annotation_current"].any():
        raise MissingDataError(
            f"statements of {leader!r} are not annotated: run 'leaderlens annotate --leader "
            f"{leader}' first",
            field="topic",
        )
    extra = notes[["statement_id", "topics", "sentiment", "sentiment_label", "text_language"]]
    out = found.merge(extra, on="statement_id", how="left")
    out["topic"] = out["topics"].map(lambda t: t[0] if isinstance(t, list) and t else "none")
    keep = np.ones(len(out), dtype=bool)
    if settings.topic is not None:
        keep &= out["topics"].map(lambda t: settings.topic in (t or [])).to_numpy(bool)
    if settings.min_sentiment is not None:
        keep &= (out["sentiment"] >= settings.min_sentiment).to_numpy(bool)
    if settings.max_sentiment is not None:
        keep &= (out["sentiment"] <= settings.max_sentiment).to_numpy(bool)
    return out[keep].drop(columns=["topics"])


def _assemble(
    settings: StudySettings, c: Computed, battery: Battery | None = None
) -> EventStudyResult:
    """Per-event columns, the average path, the battery, BHAR and groups from either path.

    ``battery``: already run by the caller (the engine path finishes it from reduced sums)."""
    t1, t2 = settings.window
    events = c.events.copy()
    abn, studied = c.abn, c.studied
    cum = cumulate(abn)
    reasons = events["excluded"].to_numpy().astype(object)
    reasons[studied] = np.where(abn.valid, "", abn.reason)
    events["excluded"] = reasons
    n_est = np.zeros(len(events), dtype=np.int64)
    n_est[studied] = np.where(abn.valid, abn.n_obs, 0)
    events["n_estimation"] = n_est
    shape = (len(events), t2 - t1 + 1)
    ar, ar_t, raw = np.full(shape, np.nan), np.full(shape, np.nan), np.full(shape, np.nan)
    ar[studied], ar_t[studied], raw[studied] = abn.ar, abn.t, c.returns
    car_var = np.full(shape, np.nan)
    car_var[studied] = np.where(abn.valid[:, None], cumulative_variance_path(abn), np.nan)
    dof = np.zeros(len(events), dtype=np.int64)
    dof[studied] = abn.dof
    for name, values in (("car", cum.car), ("car_t", cum.t), ("car_p", cum.p_values())):
        column = np.full(len(events), np.nan)
        column[studied] = np.where(abn.valid, values, np.nan)
        events[name] = column
    params = np.full((len(events), c.params.shape[1]), np.nan)
    params[studied] = c.params
    bhar_test = None
    if battery is None and settings.tests == "all" and int(abn.valid.sum()) >= 2:
        battery = run_battery(
            abn,
            calendar_index=c.calendar_index,
            window_index=c.window_index,
            n_bootstrap=settings.n_bootstrap,
            seed=settings.seed,
        )
    if battery is not None and settings.measure == "volatility":
        battery = measures.volatility_battery(battery, c.extra_tests)
    if settings.tests == "all" and c.benchmark is not None and settings.measure == "returns":
        pair = (c.returns, c.benchmark)
        if settings.returns == "log":
            pair = (np.expm1(c.returns), np.expm1(c.benchmark))
        bh = buy_and_hold(*pair, first_bar=t1)
        keep = bh.valid & abn.valid
        if int(keep.sum()) >= 3:
            bhar_test = skewness_adjusted_t(np.where(keep, bh.bhar, np.nan))
        bhar = np.full(len(events), np.nan)
        bhar[studied] = np.where(keep, bh.bhar, np.nan)
        events["bhar"] = bhar
    groups = _groups(settings, events, abn, studied) if settings.by is not None else None
    headline = study_headline(events, battery, abn.dof[abn.valid])
    advice = study_advice(
        settings,
        events,
        abn,
        ran_battery=battery is not None,
        ran_placebo=c.placebo is not None,
        ran_bhar=bhar_test is not None,
        battery_notes=battery.notes if battery is not None else (),
    )
    return EventStudyResult(
        settings=settings,
        table=events.drop(columns=[col for col in ("estimation_keep", "moment") if col in events]),
        ar=ar,
        ar_t=ar_t,
        returns=raw,
        params=params,
        param_names=c.param_names,
        path=average_path(abn),
        battery=battery,
        bhar_test=bhar_test,
        placebo=c.placebo,
        groups=groups,
        members=c.members,
        headline=headline,
        advice=advice,
        car_var=car_var,
        dof=dof,
    )


def _groups(
    settings: StudySettings, events: pd.DataFrame, abn: Any, studied: np.ndarray
) -> GroupResult | None:
    """CAAR per group, a cluster counting for every group among its statements (its label
    joins them, :func:`~leaderlens.study.eventize.cluster_labels`); ``n_shared`` of a group's
    events also hold other groups' statements. The tests of equal means need disjoint groups, so
    they run on the events whose statements all fall in one group."""
    assert settings.by is not None
    labels = events[settings.by].astype(str).to_numpy()[studied]
    valid = abn.valid
    car = events["car"].to_numpy()[studied]
    sets = pd.Series(labels[valid]).str.split(JOIN, regex=False)
    member = pd.DataFrame(
        {
            "group": sets.explode().to_numpy(),
            "car": np.repeat(car[valid], sets.str.len()),
            "shared": np.repeat(sets.str.len().to_numpy() > 1, sets.str.len()),
        }
    )
    grouped = member.groupby("group", sort=True)
    table = pd.DataFrame(
        {
            "n": grouped["car"].size(),
            "caar": grouped["car"].mean(),
            "sd": grouped["car"].std(ddof=1),
            "n_shared": grouped["shared"].sum().astype(np.int64),
        }
    ).reset_index()
    if len(table) > 0:
        from scipy import stats

        ok = (table["n"] > 1) & (table["sd"] > 0)
        table["t"] = np.where(ok, np.sqrt(table["n"]) * table["caar"] / table["sd"], np.nan)
        table["p_value"] = 2 * stats.t.sf(np.abs(table["t"]), np.maximum(table["n"] - 1, 1))
        table = table[["group", "n", "caar", "sd", "t", "n_shared", "p_value"]]
    pure = valid & ~pd.Series(labels).str.contains(JOIN, regex=False).to_numpy()
    try:
        tests = group_difference(car[pure], labels[pure])
    except BadInputError:
        tests = ()
    return GroupResult(by=settings.by, table=table, tests=tests)


def study_headline(
    events: pd.DataFrame, battery: Battery | None, dof: np.ndarray
) -> Headline | None:
    """The headline test by the design rule of :mod:`leaderlens.study.headline` (None when no
    event could be studied); ``dof``: T - K of the valid events."""
    studied = events[events["excluded"] == ""]
    if battery is not None:
        return choose_headline(
            battery,
            n_assets=int(studied["asset"].nunique()),
            windows_share_days=bool(studied["overlaps"].any()),
        )
    if len(studied) != 1:
        return None
    row = studied.iloc[0]
    return single_event_headline(
        float(row["car"]), float(row["car_t"]), float(row["car_p"]), int(dof[0])
    )
