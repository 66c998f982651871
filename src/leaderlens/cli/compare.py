"""``leaderlens compare``: every leader side by side (a thin shell over
:func:`leaderlens.risk.compare.compare_leaders`). Registered with
``app.command("compare")(compare)``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from leaderlens.cli.shared import JsonOpt, WorkspaceOpt, out, run, write_json


def compare(
    leaders: Annotated[
        str | None,
        typer.Option("--leaders", help="Comma-separated leader ids (default: all)."),
    ] = None,
    asset: Annotated[
        str | None,
        typer.Option("--asset", help="One asset for all (default: each leader's company stock)."),
    ] = None,
    metric: Annotated[
        str, typer.Option("--metric", help="Attention series of the amplification.")
    ] = "mentions",
    workspace: WorkspaceOpt = None,
    json_path: JsonOpt = None,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Write the heat table as offline HTML.")
    ] = None,
) -> None:
    """Leaders side by side: amplification, market impact, volatility share, controversy,
    persona and dependence; a missing part says why."""

    def body() -> None:
        from leaderlens import Workspace
        from leaderlens.risk.compare import compare_leaders

        names = [x.strip() for x in (leaders or "").split(",") if x.strip()] or None
        with Workspace.open(workspace, read_only=True) as ws:
            result = compare_leaders(ws, leaders=names, asset=asset, metric=metric)
        out.print(result.summary(), markup=False)
        write_json(json_path, {"summary": result.summary(), "result": result.to_dict()})
        if plot is not None:
            result.figure().write_html(str(plot), include_plotlyjs=True, full_html=True)
            out.print(f"chart written to {plot}", markup=False)

    run(body)
