"""The JSON API (``/api/...``): leaders, brands, assets, statements with annotations, event
study, one event, persona (attention, risk, compare and pre-flight live beside this module).
Thin: each route parses, calls the public API, returns JSON."""

from __future__ import annotations

from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel

import leaderlens as ll
from leaderlens.errors import BadInputError, MissingDataError
from leaderlens.jsonsafe import plain, records
from leaderlens.options import PlainModel as Model
from leaderlens.options import Returns
from leaderlens.report.content import StudyOptions, default_asset
from leaderlens.web.access import CHOOSE, StudyView, WorkspaceAccess, workspace_access

LeaderId = Annotated[str, Path(description="Leader id, e.g. lin_wei.", max_length=200)]
BrandId = Annotated[str, Path(description="Brand id, e.g. orbit.", max_length=200)]
AssetQ = Annotated[
    str | None,
    Query(description="Asset id (default: the leader's company stock).", max_length=200),
]


def study_options(
    model: Annotated[Model, Query(description="Normal-return model.")] = "market",
    window_start: Annotated[int, Query(ge=-60, le=60, description="First event bar.")] = -1,
    window_end: Annotated[int, Query(ge=-60, le=60, description="Last event bar.")] = 1,
    returns: Annotated[Returns, Query(description="Return type.")] = "simple",
) -> StudyOptions:
    """Study settings from query parameters (estimation window [-250, -11]; no placebo)."""
    if window_start > window_end:
        raise BadInputError(
            f"window_start ({window_start}) must not be after window_end ({window_end})",
            field="window_start",
        )
    if window_start <= -11:
        raise BadInputError(
            "the event window must start after the estimation window ends (bar -11)",
            field="window_start",
        )
    return StudyOptions(
        model=model, window=(window_start, window_end), returns=returns, n_bootstrap=200
    )


Options = Annotated[StudyOptions, Depends(study_options)]


def _instant(text: str | None, name: str) -> str | None:
    if text is None:
        return None
    try:
        stamp = pd.Timestamp(text)
    except (ValueError, TypeError) as exc:
        raise BadInputError(f"{name} {text!r} is not an ISO instant", field=name) from exc
    if stamp.tzinfo is None:
        raise BadInputError(f"{name} {text!r} needs a UTC offset, e.g. Z", field=name)
    return stamp.isoformat()


class Problem(BaseModel):
    """Why a request could not be answered (404: unknown leader, asset or event; 503: the
    workspace cannot be read right now)."""

    detail: str


def build_router() -> APIRouter:
    router = APIRouter(
        prefix="/api",
        tags=["api"],
        responses={404: {"model": Problem}, 503: {"model": Problem}},
    )

    @router.get("/health", summary="Liveness and the workspace state")
    def health(request: Request) -> dict[str, Any]:
        access = workspace_access(request)
        # Every table is read (counts, first and last instants) so that a damaged file is
        # reported here (503 with the reason), not only by the first analysis that hits it.
        tables = _summary(access)
        return {
            "status": "ok",
            "workspace": str(access.path),
            "version": ll.__version__,
            "data_as_of": access.data_as_of().isoformat(),
            "leaders": len(tables["leaders"]),
            "assets": len(tables["assets"]),
        }

    @router.get("/leaders", summary="Leaders with statement counts and their default asset")
    def leaders(request: Request) -> list[dict[str, Any]]:
        return list(_summary(workspace_access(request))["leaders"])

    @router.get("/leaders/{leader}", summary="One leader")
    def leader(request: Request, leader: LeaderId) -> dict[str, Any]:
        return leader_row(workspace_access(request), leader)

    @router.get(
        "/brands", summary="Brands with their leaders, posts, mentions and attention series"
    )
    def brands(request: Request) -> list[dict[str, Any]]:
        return list(_summary(workspace_access(request))["brands"])

    @router.get("/assets", summary="Assets with calendars, benchmarks and bar coverage")
    def assets(request: Request) -> list[dict[str, Any]]:
        return list(_summary(workspace_access(request))["assets"])

    @router.get(
        "/leaders/{leader}/statements", summary="A leader's statements with their annotations"
    )
    def statements(
        request: Request,
        leader: LeaderId,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        offset: Annotated[int, Query(ge=0)] = 0,
        channel: Annotated[str | None, Query(max_length=50)] = None,
        start: Annotated[str | None, Query(description="ISO instant with offset.")] = None,
        end: Annotated[str | None, Query(description="ISO instant with offset.")] = None,
    ) -> dict[str, Any]:
        access = workspace_access(request)
        lo, hi = _instant(start, "start"), _instant(end, "end")
        access.require_leader(leader)
        with access.open() as ws:
            frame = ll.annotated(ws, "statements", leader=leader)
        ts = pd.to_datetime(frame["ts"], utc=True)
        keep = pd.Series(True, index=frame.index)
        if channel is not None:
            keep &= frame["channel"] == channel
        if lo is not None:
            keep &= ts >= pd.Timestamp(lo)
        if hi is not None:
            keep &= ts < pd.Timestamp(hi)
        chosen = frame[keep]
        page = chosen.iloc[offset : offset + limit]
        return {"leader": leader, "total": len(chosen), "offset": offset, "items": records(page)}

    @router.get("/leaders/{leader}/event-study", summary="Event study of a leader's statements")
    def event_study(
        request: Request,
        leader: LeaderId,
        options: Options,
        asset: AssetQ = None,
    ) -> dict[str, Any]:
        access = workspace_access(request)
        view = access.view(leader, asset, options)
        return access.cached(("study-json", leader, asset, options), view.result.to_dict)

    @router.get("/leaders/{leader}/events/{index}", summary="One event: statements, AR and CAR")
    def event(
        request: Request,
        leader: LeaderId,
        index: Annotated[int, Path(ge=0)],
        options: Options,
        asset: AssetQ = None,
    ) -> dict[str, Any]:
        detail = event_detail(workspace_access(request).view(leader, asset, options), index)
        return {k: v for k, v in detail.items() if k != "prices"}

    @router.get("/leaders/{leader}/persona", summary="Persona features of a leader")
    def persona(request: Request, leader: LeaderId) -> dict[str, Any]:
        access = workspace_access(request)
        access.require_leader(leader)
        with access.open() as ws:
            found = ll.persona(ws, leader)
        return {"leader": leader, "features": records(found.to_frame().reset_index())}

    return router


def _summary(access: WorkspaceAccess) -> dict[str, list[dict[str, Any]]]:
    """Leaders (with their default asset), brands (with their leaders, query terms and
    attention metrics) and assets as JSON records, cached."""

    def read() -> dict[str, list[dict[str, Any]]]:
        with access.open() as ws:
            summary = ws.summary()
            leaders = records(summary.leaders)
            for row in leaders:
                row["assets"] = ws.leader_assets(row["leader_id"])["asset_id"].tolist()
                row["default_asset"], row["asset_problem"] = None, None
                try:
                    row["default_asset"] = default_asset(ws, row["leader_id"], choose=CHOOSE)
                except ll.LeaderlensError as exc:
                    row["asset_problem"] = exc.message
            declared = ws.brands()[["brand_id", "query_terms", "leader_ids"]]
        brands = summary.brands.merge(declared, on="brand_id", how="left")
        attention = summary.attention[summary.attention["subject_kind"] == "brand"]
        metrics = attention.groupby("subject_id")["metric"].agg(lambda m: sorted(set(m)))
        brands["metrics"] = brands["brand_id"].map(metrics)
        brands["metrics"] = brands["metrics"].map(lambda m: m if isinstance(m, list) else [])
        return {"leaders": leaders, "brands": records(brands), "assets": records(summary.assets)}

    return access.cached(("summary",), read)


def leader_asset(access: WorkspaceAccess, leader: str, asset: str | None) -> str:
    """``asset`` when the workspace has it (404 otherwise), else the leader's company stock:
    404 naming what to run when no asset is tied to the leader, 422 listing them when several
    are; 404 for an unknown leader."""
    access.require_leader(leader)
    if asset is not None:
        return require_asset(access, asset)
    row = leader_row(access, leader)
    if row["default_asset"] is None:
        error = BadInputError if row["assets"] else MissingDataError
        raise error(str(row["asset_problem"]), field="asset")
    return str(row["default_asset"])


def require_asset(access: WorkspaceAccess, asset: str) -> str:
    """``asset``; 404 (MissingDataError) when the workspace has no such asset."""
    if asset not in {row["asset_id"] for row in _summary(access)["assets"]}:
        raise MissingDataError(f"no asset {asset!r} in the workspace", asset=asset)
    return asset


def company_asset(access: WorkspaceAccess, leader: str) -> str | None:
    """The leader's company stock, or None when the workspace cannot tell."""
    found = leader_row(access, leader)["default_asset"]
    return None if found is None else str(found)


def leader_row(access: WorkspaceAccess, leader: str) -> dict[str, Any]:
    row = next((r for r in _summary(access)["leaders"] if r["leader_id"] == leader), None)
    if row is None:
        raise MissingDataError(f"no leader {leader!r} in the workspace", field="leader")
    return dict(row)


def result_payload(result: Any, **extra: Any) -> dict[str, Any]:
    """A results object as JSON: its ``summary()``, its ``to_frame()`` rows and ``extra``
    (the shape ``leaderlens <command> --json`` writes), NaN as null."""
    frame = result.to_frame()
    payload = {"summary": result.summary(), "rows": records(frame), **extra}
    out: dict[str, Any] = plain(payload)
    return out


def event_detail(view: StudyView, index: int) -> dict[str, Any]:
    """One event of the study: its statements, AR / t / return by relative bar, CAR, and the
    asset's bars around it (for the drill-down page)."""
    frame = view.events
    if index >= len(frame):
        raise MissingDataError(
            f"no event {index} for leader {view.leader['leader_id']!r} on {view.asset!r} "
            f"({len(frame)} events)",
            event=str(index),
        )
    row = frame.iloc[index]
    texts = view.statements[view.statements["statement_id"].isin(list(row["statement_ids"]))]
    bars = [int(b) for b in view.result.relative_bars]
    path = pd.DataFrame(
        {
            "bar": bars,
            "return": [row[f"r[{b}]"] for b in bars],
            "ar": [row[f"ar[{b}]"] for b in bars],
            "ar_t": [row[f"ar_t[{b}]"] for b in bars],
        }
    )
    path["car"] = path["ar"].cumsum()
    return {
        "leader": view.leader["leader_id"],
        "asset": view.asset,
        "index": index,
        "day0": row["day0"],
        "time": pd.Timestamp(row["time"]).isoformat(),
        "aligned": row["aligned"],
        "channel": row.get("channel"),
        "excluded": row["excluded"] or None,
        "car": plain(row["car"]),
        "car_t": plain(row["car_t"]),
        "car_p": plain(row["car_p"]),
        "statements": records(texts),
        "path": records(path),
        "window": list(view.options.window),
        "prices": view.prices,
        "attention": attention_around(view.attention, row["day0"]),
    }


ATTENTION_DAYS = 14


def attention_around(series: pd.DataFrame | None, day0: str | None) -> dict[str, Any] | None:
    """The attention series from ``ATTENTION_DAYS`` days before to as many after day 0 (UTC
    bucket labels), with its label; None without a series or a day 0."""
    if series is None or day0 is None:
        return None
    centre = pd.Timestamp(day0[:10], tz="UTC")
    span = pd.Timedelta(days=ATTENTION_DAYS)
    ts = pd.to_datetime(series["ts"], utc=True)
    near = series[(ts >= centre - span) & (ts <= centre + span)]
    return {"label": series.attrs.get("label", "attention"), "points": records(near)}
