"""The risk API: leader-driven volatility and the negative-effect radar of a leader on an
asset, key-person dependence of a brand, through :mod:`leaderlens.risk`'s public functions
(METHODS.md section 5), computed once per workspace state and parameters.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

import leaderlens as ll
from leaderlens.errors import BadInputError
from leaderlens.jsonsafe import plain, records
from leaderlens.web.access import workspace_access
from leaderlens.web.api import AssetQ, BrandId, LeaderId, Problem, leader_asset

#: Controversy rows the radar returns at least (the CLI's ``--json`` keeps as many).
CONTROVERSY_ROWS = 50


def _threshold(description: str, lo: float, hi: float) -> Any:
    return Query(ge=lo, le=hi, allow_inf_nan=False, description=description)


def build_risk_router() -> APIRouter:
    router = APIRouter(
        prefix="/api",
        tags=["risk"],
        responses={404: {"model": Problem}, 503: {"model": Problem}},
    )

    @router.get(
        "/leaders/{leader}/risk/volatility",
        summary="Share of abnormal-return variance on the leader's event days (permutation p)",
    )
    def volatility(
        request: Request,
        leader: LeaderId,
        asset: AssetQ = None,
        benchmark: Annotated[
            str | None,
            Query(description="Benchmark asset (default: the asset's own).", max_length=200),
        ] = None,
        permutations: Annotated[
            int, Query(ge=99, le=99_999, description="Permutation draws.")
        ] = 9_999,
        seed: Annotated[int, Query(ge=0, le=2**32 - 1, description="Seed of the draws.")] = 0,
    ) -> dict[str, Any]:
        access = workspace_access(request)
        used = leader_asset(access, leader, asset)

        def compute(ws: ll.Workspace) -> dict[str, Any]:
            result = ll.leader_volatility(
                ws, leader, used, benchmark=benchmark, n_permutations=permutations, seed=seed
            )
            out: dict[str, Any] = plain(
                {"summary": result.summary(), "result": result.to_dict(), "notes": result.notes}
            )
            return out

        key = ("risk-volatility", leader, used, benchmark, permutations, seed)
        return access.computed(key, compute)

    @router.get(
        "/leaders/{leader}/risk/radar",
        summary="Negative-effect radar: value destroyed, controversy, alerts",
    )
    def radar(
        request: Request,
        leader: LeaderId,
        asset: AssetQ = None,
        window_start: Annotated[int, Query(ge=-10, le=60, description="First CAR bar.")] = 0,
        window_end: Annotated[int, Query(ge=-10, le=60, description="Last CAR bar.")] = 0,
        market_cap: Annotated[
            float | None,
            Query(gt=0, le=1e16, allow_inf_nan=False, description="Market cap (money)."),
        ] = None,
        max_car: Annotated[float, _threshold("Alert when CAR <= this.", -1.0, 1.0)] = -0.05,
        max_p: Annotated[float, _threshold("... and its p-value <= this.", 0.0, 1.0)] = 0.05,
        min_replies_per_like: Annotated[
            float | None, _threshold("Alert at this replies-per-like ratio.", 0.0, 1e6)
        ] = None,
        topics: Annotated[
            str, Query(max_length=500, description="Comma-separated alert topics.")
        ] = "politics,controversy",
        max_sentiment: Annotated[
            float, _threshold("Alert when sentiment <= this.", -1.0, 1.0)
        ] = -0.5,
        top: Annotated[
            int, Query(ge=1, le=1000, description="Controversy rows returned (at least 50).")
        ] = 5,
    ) -> dict[str, Any]:
        if window_start > window_end:
            raise BadInputError(
                f"window_start ({window_start}) must not be after window_end ({window_end})",
                field="window_start",
            )
        access = workspace_access(request)
        used = leader_asset(access, leader, asset)
        rules = ll.AlertRules(
            max_car=max_car,
            max_car_p=max_p,
            min_replies_per_like=min_replies_per_like,
            topics=tuple(t.strip() for t in topics.split(",") if t.strip()),
            max_sentiment=max_sentiment,
        )
        window = (window_start, window_end)

        def compute(ws: ll.Workspace) -> dict[str, Any]:
            result = ll.negative_radar(
                ws, leader, used, window=window, market_cap=market_cap, rules=rules
            )
            out: dict[str, Any] = plain(
                {
                    "leader": leader,
                    "asset": used,
                    "window": list(window),
                    "annotated": result.annotated,
                    "summary": result.summary(top=top),
                    "rules": rules.to_dict(),
                    "discoveries": (
                        result.discoveries.to_dict() if result.discoveries is not None else None
                    ),
                    "value": records(result.value),
                    "controversy": records(result.controversy.head(max(top, CONTROVERSY_ROWS))),
                    "alerts": records(result.alerts),
                    "notes": list(result.notes),
                }
            )
            return out

        key = ("risk-radar", leader, used, window, market_cap, rules, top)
        return access.computed(key, compute)

    @router.get(
        "/brands/{brand}/risk/dependence",
        summary="Key-person dependence of a brand on its leader",
    )
    def dependence(
        request: Request,
        brand: BrandId,
        leader: Annotated[
            str | None,
            Query(description="Leader id (default: the brand's only leader).", max_length=200),
        ] = None,
        metric: Annotated[
            str, Query(min_length=1, max_length=100, description="Daily attention series.")
        ] = "mentions",
        min_silence: Annotated[
            int, Query(ge=1, le=60, description="Days without a statement that make a silence.")
        ] = 3,
    ) -> dict[str, Any]:
        access = workspace_access(request)
        access.require_brand(brand)
        if leader is not None:
            access.require_leader(leader)

        def compute(ws: ll.Workspace) -> dict[str, Any]:
            result = ll.key_person_dependence(
                ws, brand, leader=leader, metric=metric, min_silence=min_silence
            )
            out: dict[str, Any] = plain(
                {"summary": result.summary(), "result": result.to_dict(), "notes": result.notes}
            )
            return out

        return access.computed(("risk-dependence", brand, leader, metric, min_silence), compute)

    return router
