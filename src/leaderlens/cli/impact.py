"""``leaderlens impact``: what would the series have done without these moments?"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from leaderlens.cli.shared import JsonOpt, WorkspaceOpt, out, run, write_json
from leaderlens.errors import BadInputError


def _period(text: str | None, name: str) -> tuple[str, str] | None:
    if text is None:
        return None
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 2 or not all(parts):
        raise BadInputError(f"--{name} must be START,END; got {text!r}", field=name)
    return parts[0], parts[1]


def impact(
    moment: Annotated[
        list[str],
        typer.Option("--moment", help="Instant with offset, e.g. 2024-03-28T20:00+08:00 (repeat)."),
    ],
    series: Annotated[
        str, typer.Option("--series", help="Asset id, or BRAND:METRIC for brand attention.")
    ],
    controls: Annotated[
        str, typer.Option("--controls", help="Comma-separated controls (assets or BRAND:METRIC).")
    ],
    pre: Annotated[
        str | None, typer.Option("--pre", help="Pre-period START,END (default: 250 bars).")
    ] = None,
    post: Annotated[
        str | None, typer.Option("--post", help="Post-period START,END (windows tile it).")
    ] = None,
    horizon: Annotated[
        int, typer.Option("--horizon", help="Bars in each moment's window without --post.")
    ] = 10,
    method: Annotated[str, typer.Option("--method", help="bsts or synthetic.")] = "bsts",
    values: Annotated[
        str, typer.Option("--values", help="Prices as returns or log_prices.")
    ] = "returns",
    niter: Annotated[int, typer.Option("--niter", help="MCMC draws (bsts).")] = 1000,
    trend: Annotated[
        bool, typer.Option("--trend/--no-trend", help="Local linear trend (bsts).")
    ] = False,
    nseasons: Annotated[
        int, typer.Option("--nseasons", help="Seasonal period in bars, 1 = none (bsts).")
    ] = 1,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 1,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Write the three-panel plot to this HTML file.")
    ] = None,
    workspace: WorkspaceOpt = None,
    json_path: JsonOpt = None,
) -> None:
    """Counterfactual impact of single big moments (CausalImpact's BSTS or synthetic control)."""

    def body() -> None:
        from leaderlens import Workspace
        from leaderlens import impact as compute

        names = [c.strip() for c in controls.split(",") if c.strip()]
        with Workspace.open(workspace, read_only=True) as ws:
            result = compute(
                ws,
                moment,
                series=series,
                controls=names,
                pre=_period(pre, "pre"),
                post=_period(post, "post"),
                horizon=horizon,
                method=method,  # type: ignore[arg-type]  # checked at the door
                values=values,  # type: ignore[arg-type]
                niter=niter,
                trend=trend,
                nseasons=nseasons,
                seed=seed,
            )
        out.print(result.summary(), markup=False, highlight=False)
        out.print("")
        out.print(result.report(), markup=False, highlight=False)
        if plot is not None:
            result.plot().write_html(plot, include_plotlyjs=True, full_html=True)
        write_json(json_path, result.to_dict())

    run(body)
