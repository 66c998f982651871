"""The attention API (``/api/brands/{brand}/...``): amplification, share of voice, lift,
spikes, lead-lag, playbook and cascade of a brand, through :mod:`leaderlens.attention`'s public
functions with their documented defaults (METHODS.md section 4).

Each answer is the result's ``summary()`` and ``to_frame()`` rows (what ``leaderlens attention
<command> --json`` writes) plus the headline numbers, computed once per workspace state and
parameters.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

import leaderlens as ll
from leaderlens.jsonsafe import records
from leaderlens.options import BucketFreq, CascadeSplit, PlaybookBy, Seasonal, Source
from leaderlens.report.attention import granger_table
from leaderlens.web.access import WorkspaceAccess, workspace_access
from leaderlens.web.api import BrandId, Problem, require_asset, result_payload

LeaderQ = Annotated[
    str | None,
    Query(description="Leader id (default: the brand's only leader).", max_length=200),
]
MetricQ = Annotated[
    str,
    Query(
        description="Attention series of the brand (mentions, search_interest, ...).",
        min_length=1,
        max_length=100,
    ),
]
HorizonQ = Annotated[
    int, Query(ge=1, le=28, description="Last bucket of the lift window (window [0, H]).")
]
SeasonalQ = Annotated[Seasonal, Query(description="Baseline seasonality.")]
LevelQ = Annotated[
    float, Query(ge=0.5, le=0.999, allow_inf_nan=False, description="Confidence level.")
]
SeedQ = Annotated[int, Query(ge=0, le=2**32 - 1, description="Seed of the bootstrap draws.")]


def _check(access: WorkspaceAccess, brand: str, leader: str | None) -> None:
    """404 for an unknown brand or leader before anything is computed."""
    access.require_brand(brand)
    if leader is not None:
        access.require_leader(leader)


def build_attention_router() -> APIRouter:
    router = APIRouter(
        prefix="/api",
        tags=["attention"],
        responses={404: {"model": Problem}, 503: {"model": Problem}},
    )

    @router.get(
        "/brands/{brand}/amplification",
        summary="Amplification factor: leader statements vs. the brand's own posts",
    )
    def amplification(
        request: Request,
        brand: BrandId,
        leader: LeaderQ = None,
        metric: MetricQ = "mentions",
        horizon: HorizonQ = 7,
        seasonal: SeasonalQ = "weekly",
        n_boot: Annotated[int, Query(ge=99, le=1999, description="Bootstrap draws.")] = 499,
        level: LevelQ = 0.95,
        seed: SeedQ = 0,
    ) -> dict[str, Any]:
        access = workspace_access(request)
        _check(access, brand, leader)

        def compute(ws: ll.Workspace) -> dict[str, Any]:
            a = ll.amplification(
                ws,
                brand,
                leader=leader,
                metric=metric,
                horizon=horizon,
                seasonal=seasonal,
                n_boot=n_boot,
                level=level,
                seed=seed,
            )
            return result_payload(
                a,
                brand=brand,
                leader=a.leader,
                metric=metric,
                reading=a.reading(),
                factor=a.factor,
                ci=[a.ci_low, a.ci_high],
                level=a.level,
                defined=a.defined,
            )

        key = ("amplification", brand, leader, metric, horizon, seasonal, n_boot, level, seed)
        return access.computed(key, compute)

    @router.get(
        "/brands/{brand}/share-of-voice",
        summary="Leader share of the brand's mentions (plain and engagement-weighted)",
    )
    def share_of_voice(
        request: Request,
        brand: BrandId,
        leader: LeaderQ = None,
        freq: Annotated[BucketFreq, Query(description="Bucket size.")] = "1d",
    ) -> dict[str, Any]:
        access = workspace_access(request)
        _check(access, brand, leader)

        def compute(ws: ll.Workspace) -> dict[str, Any]:
            voice = ll.brand_share_of_voice(ws, brand, leader=leader, freq=freq)
            s = voice.share
            return result_payload(
                voice,
                brand=brand,
                share=s.share,
                ci=[s.ci_low, s.ci_high],
                level=s.level,
                weighted_share=s.weighted_share,
                mentions=s.mentions,
                leader_mentions=s.leader_mentions,
                terms=list(s.terms),
            )

        return access.computed(("share-of-voice", brand, leader, freq), compute)

    @router.get(
        "/brands/{brand}/lift",
        summary="Abnormal attention event by event after the leader's statements or brand posts",
    )
    def lift(
        request: Request,
        brand: BrandId,
        leader: LeaderQ = None,
        source: Annotated[
            Source,
            Query(description="Whose posts: the leader's statements or the brand's own."),
        ] = "statements",
        metric: MetricQ = "mentions",
        horizon: Annotated[
            int, Query(ge=0, le=28, description="Last bucket of the window [0, H].")
        ] = 7,
        seasonal: SeasonalQ = "weekly",
    ) -> dict[str, Any]:
        access = workspace_access(request)
        _check(access, brand, leader)

        def compute(ws: ll.Workspace) -> dict[str, Any]:
            result = ll.attention_lift(
                ws,
                brand,
                metric=metric,
                source=source,
                leader=leader,
                window=(0, horizon),
                seasonal=seasonal,
            )
            return result_payload(
                result, brand=brand, source=source, owner=result.owner, mean=result.mean
            )

        return access.computed(("lift", brand, leader, source, metric, horizon, seasonal), compute)

    @router.get(
        "/brands/{brand}/spikes",
        summary="Attention spikes (24 h vs 7 d rule) and the post behind each",
    )
    def spikes(
        request: Request,
        brand: BrandId,
        leader: LeaderQ = None,
        metric: MetricQ = "mentions",
        k: Annotated[
            float,
            Query(gt=0, le=10, allow_inf_nan=False, description="SDs above the 7-day mean."),
        ] = 2.0,
    ) -> dict[str, Any]:
        access = workspace_access(request)
        _check(access, brand, leader)

        def compute(ws: ll.Workspace) -> dict[str, Any]:
            result = ll.brand_spikes(ws, brand, metric=metric, k=k, leader=leader)
            return result_payload(result, brand=brand, metric=metric, k=k, freq=result.freq)

        return access.computed(("spikes", brand, leader, metric, k), compute)

    @router.get(
        "/brands/{brand}/lead-lag",
        summary="Lead-lag of leader activity and brand attention (Granger, VAR responses)",
    )
    def lead_lag(
        request: Request,
        brand: BrandId,
        leader: LeaderQ = None,
        metric: MetricQ = "mentions",
        maxlags: Annotated[int, Query(ge=1, le=28, description="Largest VAR lag tried.")] = 14,
        horizon: Annotated[int, Query(ge=1, le=60, description="Impulse-response horizon.")] = 14,
    ) -> dict[str, Any]:
        access = workspace_access(request)
        _check(access, brand, leader)

        def compute(ws: ll.Workspace) -> dict[str, Any]:
            result = ll.brand_lead_lag(
                ws, brand, leader=leader, metric=metric, maxlags=maxlags, horizon=horizon
            )
            return result_payload(
                result,
                brand=brand,
                lag_order=result.lag_order,
                granger_leader_to_brand=list(result.x_causes_y),
                granger_brand_to_leader=list(result.y_causes_x),
                granger=records(granger_table(result)),
                xcorr=records(result.xcorr),
            )

        return access.computed(("lead-lag", brand, leader, metric, maxlags, horizon), compute)

    @router.get(
        "/brands/{brand}/playbook",
        summary="Lift per channel, topic or sentiment band of the leader's statements, ranked",
    )
    def playbook(
        request: Request,
        brand: BrandId,
        leader: LeaderQ = None,
        by: Annotated[PlaybookBy, Query(description="Category of statement.")] = "channel",
        metric: MetricQ = "mentions",
        horizon: HorizonQ = 7,
        n_boot: Annotated[int, Query(ge=99, le=1999, description="Bootstrap draws.")] = 199,
        level: LevelQ = 0.95,
        asset: Annotated[
            str | None,
            Query(description="Also the market CAAR per category on this asset.", max_length=200),
        ] = None,
    ) -> dict[str, Any]:
        access = workspace_access(request)
        _check(access, brand, leader)

        if asset is not None:
            require_asset(access, asset)

        def compute(ws: ll.Workspace) -> dict[str, Any]:
            result = ll.playbook(
                ws,
                brand,
                by=by,
                leader=leader,
                metric=metric,
                horizon=horizon,
                n_boot=n_boot,
                level=level,
                asset=asset,
            )
            return result_payload(result, brand=brand, by=by, metric=metric, asset=asset)

        key = ("playbook", brand, leader, by, metric, horizon, n_boot, level, asset)
        return access.computed(key, compute)

    @router.get(
        "/brands/{brand}/cascade",
        summary="Self-exciting decomposition: baseline, leader- and brand-triggered, cascade",
    )
    def cascade(
        request: Request,
        brand: BrandId,
        leader: LeaderQ = None,
        metric: MetricQ = "mentions",
        by: Annotated[CascadeSplit, Query(description="How posts split into marks.")] = "channel",
    ) -> dict[str, Any]:
        access = workspace_access(request)
        _check(access, brand, leader)

        def compute(ws: ll.Workspace) -> dict[str, Any]:
            result = ll.cascade(ws, brand, leader=leader, metric=metric, by=by)
            return result_payload(
                result,
                cascade=result.to_dict(),
                decomposition=records(result.decomposition()),
            )

        return access.computed(("cascade", brand, leader, metric, by), compute)

    return router
