"""``leaderlens fetch ...``: live sources into the workspace (a thin shell over the fetchers).

Registered by :mod:`leaderlens.cli.main` as ``app.add_typer(fetch_app, name="fetch")``. The X
bearer token is read from the environment only (``LEADERLENS_X_BEARER_TOKEN``); there is no
option for it on purpose.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from leaderlens.cli.shared import JsonOpt, WorkspaceOpt, err, out, run, write_json
from leaderlens.options import Platform, PriceFreq

fetch_app = typer.Typer(
    help="Fetch from live sources (Yahoo Finance, crypto exchanges, Google Trends, X) into the "
    "workspace; only what is missing is asked for.",
    no_args_is_help=True,
)

StartOpt = Annotated[str, typer.Option("--start", help="First day (YYYY-MM-DD, UTC).")]
EndOpt = Annotated[
    str | None, typer.Option("--end", help="Day after the last (exclusive; default: now).")
]


@contextmanager
def _progress_bar() -> Iterator[Callable[[str, int, int | None], None]]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    tasks: dict[str, Any] = {}
    with Progress(
        TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(),
        console=err, transient=True,
    ) as bar:  # fmt: skip

        def update(label: str, done: int, total: int | None) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(label, total=total)
            bar.update(tasks[label], completed=done, total=total)

        yield update


def _fetch(workspace: Path | None, json_path: Path | None, call: Callable[..., Any]) -> None:
    from leaderlens.store.workspace import Workspace

    def body() -> None:
        with Workspace.open(workspace) as ws, _progress_bar() as progress:
            result = call(ws, progress)
        reports = result if isinstance(result, tuple) else (result,)
        for report in reports:
            out.print(report.summary(), markup=False)
        payload = [r.to_dict() for r in reports]
        write_json(json_path, payload if len(payload) > 1 else payload[0])

    run(body)


@fetch_app.command("prices")
def prices(
    tickers: Annotated[list[str], typer.Argument(help="Yahoo symbols: TSLA SPY 1810.HK BTC-USD.")],
    start: StartOpt,
    end: EndOpt = None,
    freq: Annotated[PriceFreq, typer.Option("--freq", help="Bar frequency.")] = "1d",
    calendar: Annotated[
        str | None,
        typer.Option("--calendar", help="Trading calendar of new assets (default: from Yahoo)."),
    ] = None,
    benchmark: Annotated[
        str | None, typer.Option("--benchmark", help="The assets' benchmark asset id.")
    ] = None,
    refresh: Annotated[
        bool,
        typer.Option(
            "--refresh",
            help="Ask for the whole range again and replace bars Yahoo "
            "re-adjusted (after a split or dividend).",
        ),
    ] = False,
    workspace: WorkspaceOpt = None,
    json_path: JsonOpt = None,
) -> None:
    """Fetch bars from Yahoo Finance (yfinance); calendar and time zone from the exchange."""
    from leaderlens.fetchers.yahoo import fetch_prices

    _fetch(
        workspace,
        json_path,
        lambda ws, progress: fetch_prices(
            ws,
            tickers,
            start=start,
            end=end,
            freq=freq,
            calendar=calendar,
            benchmark=benchmark,
            refresh=refresh,
            progress=progress,
        ),
    )


@fetch_app.command("crypto")
def crypto(
    symbol: Annotated[str, typer.Argument(help="Market symbol BASE/QUOTE, e.g. BTC/USDT.")],
    start: StartOpt,
    end: EndOpt = None,
    exchange: Annotated[str, typer.Option("--exchange", help="A ccxt exchange id.")] = "binance",
    freq: Annotated[PriceFreq, typer.Option("--freq", help="Bar frequency.")] = "1h",
    asset: Annotated[
        str | None, typer.Option("--asset", help="Asset id to store under (default BASE-QUOTE).")
    ] = None,
    workspace: WorkspaceOpt = None,
    json_path: JsonOpt = None,
) -> None:
    """Fetch bars from a crypto exchange (ccxt): paged, resumable, paced by its rate limit."""
    from leaderlens.fetchers.crypto import fetch_crypto

    _fetch(
        workspace,
        json_path,
        lambda ws, progress: fetch_crypto(
            ws,
            symbol,
            exchange=exchange,
            start=start,
            end=end,
            freq=freq,
            asset=asset,
            progress=progress,
        ),
    )


@fetch_app.command("attention")
def attention(
    query: Annotated[str, typer.Argument(help="The search term, as on trends.google.com.")],
    start: StartOpt,
    end: EndOpt = None,
    geo: Annotated[
        str, typer.Option("--geo", help="Region code (US, GB, US-CA); '' = world.")
    ] = "",
    brand: Annotated[
        str | None, typer.Option("--brand", help="Brand id (default: the query).")
    ] = None,
    leader: Annotated[
        str | None, typer.Option("--leader", help="Leader id, instead of a brand.")
    ] = None,
    metric: Annotated[
        str | None, typer.Option("--metric", help="Series name (default search_interest:QUERY).")
    ] = None,
    window: Annotated[int, typer.Option("--window", help="Days per request (<= 269).")] = 180,
    overlap: Annotated[int, typer.Option("--overlap", help="Days shared by windows.")] = 30,
    workspace: WorkspaceOpt = None,
    json_path: JsonOpt = None,
) -> None:
    """Fetch daily Google search interest (pytrends), windows stitched onto one scale."""
    from leaderlens.fetchers.trends import fetch_attention

    _fetch(
        workspace,
        json_path,
        lambda ws, progress: fetch_attention(
            ws,
            query,
            start=start,
            end=end,
            geo=geo,
            brand=brand,
            leader=leader,
            metric=metric,
            window=window,
            overlap=overlap,
            progress=progress,
        ),
    )


@fetch_app.command("posts")
def posts(
    user: Annotated[str, typer.Option("--user", help="The X username (handle).")],
    platform: Annotated[Platform, typer.Option("--platform", help="Only x for now.")] = "x",
    leader: Annotated[
        str | None, typer.Option("--leader", help="Leader id (default: the handle).")
    ] = None,
    start: Annotated[
        str | None, typer.Option("--start", help="Leave out posts before this day.")
    ] = None,
    workspace: WorkspaceOpt = None,
    json_path: JsonOpt = None,
) -> None:
    """Fetch a leader's posts from the X API v2 (bearer token from LEADERLENS_X_BEARER_TOKEN)."""
    from leaderlens.fetchers.x import fetch_posts

    _fetch(
        workspace,
        json_path,
        lambda ws, progress: fetch_posts(ws, user, leader=leader, start=start, progress=progress),
    )
