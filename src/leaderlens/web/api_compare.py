"""The comparison API: ``GET /api/compare``, every leader (or the ones named) side by side on
amplification, market impact, leader-driven volatility, controversy, persona and key-person
dependence (:func:`leaderlens.risk.compare.compare_leaders`), computed once per workspace
state and parameters (it runs every analysis per leader: seconds, not milliseconds).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from leaderlens.errors import BadInputError
from leaderlens.jsonsafe import plain
from leaderlens.web.access import WorkspaceAccess, workspace_access
from leaderlens.web.api import Problem, require_asset


@dataclass(frozen=True)
class CompareOptions:
    """Which leaders to compare (None: all) on which asset (None: each one's company stock);
    every other setting is the library's default (CAR window [0, 0], market model, mentions,
    199 bootstrap and 999 permutation draws, seed 0), so that one comparison serves everyone."""

    leaders: tuple[str, ...] | None = None
    asset: str | None = None


def compare_options(
    leaders: Annotated[
        list[str] | None,
        Query(description="Leader ids to compare (repeat the parameter; default: all)."),
    ] = None,
    asset: Annotated[
        str | None,
        Query(
            description="One asset for every leader (default: each one's company stock).",
            max_length=200,
        ),
    ] = None,
) -> CompareOptions:
    if leaders is not None and any(len(x) > 200 for x in leaders):
        raise BadInputError("a leader id is longer than 200 characters", field="leaders")
    chosen = tuple(dict.fromkeys(leaders)) if leaders else None
    return CompareOptions(chosen, asset)


def comparison(access: WorkspaceAccess, options: CompareOptions) -> Any:
    """The :class:`~leaderlens.risk.compare.LeaderComparison` for ``options``, cached; 404 for
    an unknown leader or asset."""
    for leader in options.leaders or ():
        access.require_leader(leader)
    if options.asset is not None:
        require_asset(access, options.asset)

    def compute(ws: Any) -> Any:
        from leaderlens.risk.compare import compare_leaders

        return compare_leaders(ws, leaders=options.leaders, asset=options.asset)

    return access.computed(("compare", options), compute)


def build_compare_router() -> APIRouter:
    router = APIRouter(
        prefix="/api",
        tags=["compare"],
        responses={404: {"model": Problem}, 503: {"model": Problem}},
    )

    @router.get(
        "/compare",
        summary="Leaders side by side: amplification, impact, volatility, controversy, "
        "persona, dependence",
    )
    def compare(
        request: Request, options: Annotated[CompareOptions, Depends(compare_options)]
    ) -> dict[str, Any]:
        access = workspace_access(request)
        result = comparison(access, options)

        def payload() -> dict[str, Any]:
            out: dict[str, Any] = plain({**result.to_dict(), "summary": result.summary()})
            return out

        return access.cached(("compare-json", options), payload)

    return router
