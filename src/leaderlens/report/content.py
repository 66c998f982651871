"""What a leader's report holds: every number gathered once, through the public API.

:func:`gather_report` runs the event study (split by channel), the brand attention analyses
(:mod:`leaderlens.report.attention`), the persona, the comparison
with the other leaders of the workspace and, for a workspace holding planted ground truth (the
demo world), the check of which planted effects the study recovered. It returns a frozen
:class:`ReportContent`; :mod:`leaderlens.report.page` renders it as HTML and
:mod:`leaderlens.report.exports` as JSON / CSV / Parquet. Sections whose analysis is not
available keep the reason instead of a value, so a report never breaks on a missing part.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

import leaderlens as ll
from leaderlens.errors import BadInputError, LeaderlensError, MissingDataError
from leaderlens.report.attention import BrandAttention, gather_attention, leader_brands
from leaderlens.report.risk import NOT_YET, RiskParts, gather_risk

#: Analyses other parts of leaderlens will add; the report says they are not available yet.
PENDING_SECTIONS: dict[str, str] = {"risk": NOT_YET}


@dataclass(frozen=True)
class StudyOptions:
    """The event-study settings a report uses (the same for every leader it compares)."""

    model: str = "market"
    window: tuple[int, int] = (-1, 1)
    estimation: tuple[int, int] = (-250, -11)
    returns: str = "simple"
    n_bootstrap: int = 1000
    n_placebo: int = 0
    seed: int = 0

    def call(self, ws: ll.Workspace, leader: str, asset: str, by: str | None) -> Any:
        return ll.event_study(
            ws,
            leader=leader,
            asset=asset,
            model=self.model,
            window=self.window,
            estimation=self.estimation,
            returns=self.returns,
            n_bootstrap=self.n_bootstrap,
            n_placebo=self.n_placebo,
            seed=self.seed,
            by=by,
        )


@dataclass(frozen=True)
class ReportContent:
    """Everything one leader's report shows.

    leader: ``leader_id``, ``name``, ``company`` of the leader.
    asset: the studied asset's row (``asset_id``, ``name``, ``calendar``, ``benchmark_id``, ...).
    study: the event study of the leader's statements on ``asset``, split by channel.
    statements: the leader's statements (annotated when annotations are current), oldest first.
    prices: the asset's daily bars (``ts``, ``close``), oldest first.
    persona: the leader's persona, or None with the reason in ``notes["persona"]``.
    comparison: one row per leader of the workspace (this one included) with the asset studied,
        N, CAAR over the event window, its cross-sectional and Kolari-Pynnonen-adjusted BMP
        p-values; leaders that cannot be studied keep the reason in ``note``.
    comparison_paths: per compared leader, the CAAR by relative bar (columns bar, caar, low,
        high, n).
    recovered: per channel, the planted mean abnormal return (demo ground truth), the
        estimated CAAR, its 95% interval and whether the interval covers the planted value;
        None when the workspace holds no ground truth.
    notes: section name -> why it is empty or partial.
    planted_notes: sentences on planted single statements found again (demo ground truth).
    attention: the raw attention series of the leader's brand shown on the timeline (``ts``,
        ``value``; ``attrs["label"]`` says brand and metric), or None when there is none.
    brand_attention: amplification, playbook, share of voice and lead-lag of each brand whose
        ``leader_ids`` name the leader (see :mod:`leaderlens.report.attention`); empty, with the
        reason in ``notes["attention"]``, when no brand names the leader.
    """

    leader: dict[str, Any]
    asset: dict[str, Any]
    options: StudyOptions
    study: Any
    statements: pd.DataFrame
    prices: pd.DataFrame
    persona: Any | None
    comparison: pd.DataFrame
    comparison_paths: dict[str, pd.DataFrame]
    recovered: pd.DataFrame | None
    notes: dict[str, str] = field(default_factory=dict)
    planted_notes: tuple[str, ...] = ()
    attention: pd.DataFrame | None = None
    brand_attention: tuple[BrandAttention, ...] = ()
    risk: RiskParts | None = None

    @property
    def data_range(self) -> dict[str, str | None]:
        """First and last statement and bar used, ISO dates in UTC."""
        return {
            "statements_first": _iso(self.statements["ts"].min()),
            "statements_last": _iso(self.statements["ts"].max()),
            "prices_first": _iso(self.prices["ts"].min()),
            "prices_last": _iso(self.prices["ts"].max()),
        }

    def headline(self) -> dict[str, Any]:
        """The figures at the top of the report."""
        battery = self.study.battery
        tests = self.study.tests_frame().set_index("test")
        kp = tests["p_value"].filter(like="Kolari-Pynnonen (2010) adjusted BMP")
        ci = battery.bootstrap if battery is not None else None
        return {
            "statements": len(self.statements),
            "events": len(self.study.events),
            "events_studied": self.study.n_studied,
            "caar": _num(battery.caar) if battery is not None else None,
            "window": list(self.options.window),
            "caar_ci": [ci.low, ci.high] if ci is not None else None,
            "caar_ci_level": ci.level if ci is not None else None,
            "p_value_kolari_pynnonen": _num(kp.iloc[0]) if len(kp) else None,
            "returns": self.options.returns,
            "model": self.options.model,
        }


def default_asset(ws: ll.Workspace, leader: str) -> str:
    """The stock of the leader's company: the first stock asset whose name starts with the
    company's name (``Workspace.add_asset(name=...)``). Ask for ``asset`` when none matches."""
    leaders = ws.leaders().set_index("leader_id")
    if leader not in leaders.index:
        raise MissingDataError(f"no leader {leader!r} in the workspace", field="leader")
    stored = leaders.loc[leader, "company"]
    company = "" if pd.isna(stored) else str(stored).strip().lower()  # (not "nan")
    if not company:
        raise BadInputError(
            f"leader {leader!r} has no company set, so its stock is unknown: give --asset, or "
            f"set it with `leaderlens add leader {leader} --company NAME`",
            field="asset",
        )
    assets = ws.assets()
    names = assets["name"].fillna("").str.lower()
    kind = assets["kind"].fillna("") if "kind" in assets else pd.Series("", index=assets.index)
    found = assets[(company != "") & names.str.startswith(company) & (kind != "index")]
    if found.empty:
        raise BadInputError(
            f"cannot tell which asset belongs to {leader!r} (company {company!r}); give --asset",
            field="asset",
        )
    return str(found.sort_values("kind", key=lambda k: k != "stock")["asset_id"].iloc[0])


def gather_report(
    ws: ll.Workspace,
    leader: str,
    asset: str | None = None,
    options: StudyOptions | None = None,
) -> ReportContent:
    """Gather everything the report of ``leader`` on ``asset`` (default: the company's stock)
    shows. Raises :class:`~leaderlens.MissingDataError` for an unknown leader or asset."""
    opts = options or StudyOptions()
    leaders = ws.leaders()
    if leader not in set(leaders["leader_id"]):
        raise MissingDataError(f"no leader {leader!r} in the workspace", field="leader")
    chosen = asset or default_asset(ws, leader)
    assets = ws.assets().set_index("asset_id", drop=False)
    if chosen not in assets.index:
        raise MissingDataError(f"no asset {chosen!r} in the workspace", asset=chosen)
    notes: dict[str, str] = dict(PENDING_SECTIONS)
    study = opts.call(ws, leader, chosen, by="channel")
    statements = _statements(ws, leader, notes)
    prices = ws.bars(chosen, freq="1d")[["ts", "close"]]
    found_persona = None
    try:
        found_persona = ll.persona(ws, leader)
    except LeaderlensError as exc:
        notes["persona"] = f"persona not available: {exc.message}"
    comparison, paths = _compare(ws, leader, chosen, study, opts, leaders, notes)
    brands = gather_attention(ws, leader, chosen, opts.window)
    if not brands:
        notes["attention"] = (
            f"attention not available: no brand in the workspace names {leader!r} among its "
            "leaders (Workspace.add_brand(..., leader_ids=[...]))"
        )
    row = leaders.set_index("leader_id").loc[leader]
    return ReportContent(
        leader={"leader_id": leader, "name": row["name"], "company": row["company"]},
        asset={k: _plain(v) for k, v in assets.loc[chosen].to_dict().items()},
        options=opts,
        study=study,
        statements=statements,
        prices=prices,
        persona=found_persona,
        comparison=comparison,
        comparison_paths=paths,
        recovered=_recovered(ws, leader, chosen, study),
        notes=notes,
        planted_notes=_planted_statements(ws, leader, chosen, study),
        attention=brand_attention(ws, leader),
        brand_attention=brands,
        risk=gather_risk(ws, leader, chosen, compare=True),
    )


def brand_attention(ws: ll.Workspace, leader: str) -> pd.DataFrame | None:
    """The first attention series (search interest preferred) of a brand that names the leader
    among its ``leader_ids``; None when there is none."""
    mine = leader_brands(ws, leader)
    if mine.empty:
        return None
    series = ws.summary().attention
    series = series[
        (series["subject_kind"] == "brand") & series["subject_id"].isin(mine["brand_id"])
    ]
    if series.empty:
        return None
    series = series.sort_values("metric", key=lambda m: m != "search_interest")
    brand, metric = series["subject_id"].iloc[0], series["metric"].iloc[0]
    found = ws.attention(metric, brand=brand)[["ts", "value"]]
    found.attrs["label"] = f"{brand} {metric}"
    return found


def _statements(ws: ll.Workspace, leader: str, notes: dict[str, str]) -> pd.DataFrame:
    frame = ll.annotated(ws, "statements", leader=leader)
    if not frame["annotation_current"].all():
        notes["annotations"] = (
            f"{int((~frame['annotation_current']).sum()):,} statements are not annotated: run "
            f"leaderlens annotate --leader {leader} for sentiment and topics"
        )
    return frame


def _compare(
    ws: ll.Workspace,
    leader: str,
    asset: str,
    study: Any,
    opts: StudyOptions,
    leaders: pd.DataFrame,
    notes: dict[str, str],
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """The same study for every leader of the workspace on their own company's stock."""
    rows: list[dict[str, Any]] = []
    paths: dict[str, pd.DataFrame] = {}
    for other in leaders["leader_id"]:
        try:
            if other == leader:
                found, used = study, asset
            else:
                used = default_asset(ws, other)
                found = opts.call(ws, other, used, by=None)
        except LeaderlensError as exc:
            rows.append({"leader": other, "asset": None, "note": exc.message})
            continue
        rows.append({"leader": other, "asset": used, **_study_row(found), "note": ""})
        paths[other] = found.caar_band()
    if len(rows) < 2:
        notes["comparison"] = "the workspace holds no other leader to compare with"
    columns = ["leader", "asset", "events", "n", "caar", "p_cross_sectional", "p_kp_bmp", "note"]
    return pd.DataFrame(rows).reindex(columns=columns), paths


def _study_row(result: Any) -> dict[str, Any]:
    tests = result.tests_frame().set_index("test")["p_value"]
    battery = result.battery

    def p(prefix: str) -> float | None:
        hit = tests.filter(like=prefix)
        return _num(hit.iloc[0]) if len(hit) else None

    return {
        "events": len(result.events),
        "n": result.n_studied,
        "caar": _num(battery.caar) if battery is not None else None,
        "p_cross_sectional": p("cross-sectional t"),
        "p_kp_bmp": p("Kolari-Pynnonen (2010) adjusted BMP"),
    }


def _recovered(ws: ll.Workspace, leader: str, asset: str, study: Any) -> pd.DataFrame | None:
    """Planted vs. estimated effect per channel, when the workspace holds the demo's truth.

    The planted value is the mean planted day-0 abnormal return of the channel's statements
    (weighted by their count); the estimate is the channel's CAAR over the event window with
    a normal 95% interval from its cross-sectional standard deviation.
    """
    try:
        truth = ws.ground_truth("planted_mean_ar")
    except LeaderlensError:
        return None
    if not isinstance(truth, pd.DataFrame) or study.groups is None:
        return None
    mine = truth[(truth["owner"] == leader) & (truth["asset"] == asset)]
    if mine.empty:
        return None
    weighted = mine.assign(w=mine["n"] * mine["mean_planted_ar"]).groupby("channel")
    planted = (weighted["w"].sum() / weighted["n"].sum()).rename("planted_ar")
    table = study.groups.table.rename(columns={"group": "channel", "caar": "estimated_caar"})
    out = table.merge(planted.reset_index(), on="channel", how="inner")
    half = stats.norm.ppf(0.975) * out["sd"] / np.sqrt(out["n"])
    out["low"] = out["estimated_caar"] - half
    out["high"] = out["estimated_caar"] + half
    out["recovered"] = (out["low"] <= out["planted_ar"]) & (out["planted_ar"] <= out["high"])
    out["distinguished_from_zero"] = (out["low"] > 0) | (out["high"] < 0)
    return out[
        [
            "channel",
            "n",
            "planted_ar",
            "estimated_caar",
            "low",
            "high",
            "recovered",
            "distinguished_from_zero",
        ]
    ]


def _planted_statements(ws: ll.Workspace, leader: str, asset: str, study: Any) -> tuple[str, ...]:
    """Where the demo's planted value-destroying statements rank among the events' CARs."""
    try:
        params = ws.ground_truth("world_parameters")
    except LeaderlensError:
        return ()
    planted = params.get("value_destroying") if isinstance(params, dict) else None
    if not planted or planted.get("leader") != leader:
        return ()
    ids = set(planted.get("statement_ids", []))
    frame = study.events_frame()
    studied = frame[(frame["excluded"] == "") & frame["car"].notna()]
    hit = studied["statement_ids"].map(lambda s: bool(ids.intersection(s)))
    if not hit.any():
        return ()
    share_below = studied["car"].rank(pct=True)[hit].median()
    cars = studied.loc[hit, "car"]
    t = cars.mean() / (cars.std(ddof=1) / math.sqrt(len(cars))) if len(cars) > 1 else math.nan
    return (
        f"{int(hit.sum())} of the {len(ids)} planted value-destroying statements were studied on "
        f"{asset}: mean CAR {cars.mean():+.2%} (cross-sectional t {t:.2f}); their median CAR "
        f"ranks in the lowest {share_below:.0%} of all {len(studied):,} studied events.",
    )


def _iso(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return None
    return pd.Timestamp(value).tz_convert("UTC").strftime("%Y-%m-%d")


def _num(value: Any) -> float | None:
    if value is None:
        return None
    x = float(value)
    return None if math.isnan(x) or math.isinf(x) else x


def _plain(value: Any) -> Any:
    """A JSON-friendly scalar (NaN and NA become None)."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or (not isinstance(value, list | dict | tuple) and pd.isna(value)):
        return None
    return value
