"""The pre-flight API: ``POST /api/leaders/{leader}/preflight`` with a draft's text, answered
with what history predicts for it (:func:`leaderlens.preflight.preflight`: language,
sentiment, topics, the most similar past statements with their CARs, the predicted range and
risk flags). Read-only: a stored backtest verdict is shown when there is one, none is run.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from pydantic import BaseModel, Field

from leaderlens.jsonsafe import plain
from leaderlens.web.access import WorkspaceAccess, workspace_access
from leaderlens.web.api import LeaderId, Problem, company_asset, leader_asset

#: Longest draft accepted (characters): far above any post or keynote paragraph.
MAX_DRAFT = 20_000


class Draft(BaseModel):
    """A draft statement to check before it goes out."""

    text: str = Field(
        min_length=1, max_length=MAX_DRAFT, description="The draft's text (user data)."
    )
    asset: str | None = Field(
        default=None,
        max_length=200,
        description="Asset whose past CARs the similar statements carry (default: the "
        "leader's company stock, when the workspace can tell which it is).",
    )
    channel: str | None = Field(
        default=None,
        max_length=50,
        description="Compare only with past statements on this channel (x, weibo, ...).",
    )
    k: int = Field(default=25, ge=1, le=200, description="Similar past statements used.")


def preflight_json(access: WorkspaceAccess, leader: str, draft: Draft) -> dict[str, Any]:
    """The pre-flight check of ``draft`` as JSON (``Preflight.to_dict()`` with its
    ``summary``), once per workspace state, leader and draft."""
    # Without an asset the check still runs (no CARs): a leader whose stock cannot be told.
    asset = (
        leader_asset(access, leader, draft.asset)
        if draft.asset is not None
        else company_asset(access, leader)
    )

    def compute(ws: Any) -> dict[str, Any]:
        from leaderlens.preflight import preflight

        result = preflight(ws, leader, draft.text, asset=asset, k=draft.k, channel=draft.channel)
        out: dict[str, Any] = plain({**result.to_dict(), "summary": result.summary()})
        return out

    key = ("preflight", leader, asset, draft.text, draft.channel, draft.k)
    return access.computed(key, compute)


def build_preflight_router() -> APIRouter:
    router = APIRouter(
        prefix="/api",
        tags=["preflight"],
        responses={404: {"model": Problem}, 503: {"model": Problem}},
    )

    @router.post(
        "/leaders/{leader}/preflight",
        summary="Pre-flight check of a draft: similar past statements, predicted range, risks",
    )
    def check(
        request: Request, leader: LeaderId, draft: Annotated[Draft, Body()]
    ) -> dict[str, Any]:
        return preflight_json(workspace_access(request), leader, draft)

    return router
