"""The ``leaderlens`` command: a thin shell over the public Python API.

Exit codes: 0 success, 2 bad input (the message names file, line and field), 1 internal error.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from leaderlens.cli import text as text_cli
from leaderlens.cli.attention import attention_app
from leaderlens.cli.compare import compare
from leaderlens.cli.fetch import fetch_app
from leaderlens.cli.impact import impact
from leaderlens.cli.preflight import preflight, print_fired
from leaderlens.cli.report import report, serve
from leaderlens.cli.risk import risk_app
from leaderlens.cli.shared import (
    AttentionFormatOpt,
    BadRowsOpt,
    ConflictOpt,
    EncodingOpt,
    FileArg,
    JsonOpt,
    LabelColumnOpt,
    MentionFormatOpt,
    PriceFormatOpt,
    RejectsOpt,
    StatementFormatOpt,
    TimeColumnOpt,
    TimeOfDayOpt,
    TzOpt,
    WorkspaceOpt,
    err,
    out,
    run,
    write_json,
)
from leaderlens.cli.study import study
from leaderlens.options import Channel, PriceFreq

CompanyOpt = Annotated[
    str | None,
    typer.Option("--company", help="The company whose leaders this asset belongs to, e.g. Tesla."),
]

# Plain help (rich_markup_mode=None): typer's rich help formatter pulls in markdown, pygments
# and tracebacks, which would double the time ``leaderlens --help`` takes to answer.
app = typer.Typer(
    name="leaderlens",
    help="Measure how a leader's own voice amplifies, or damages, the company's brand.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
ingest_app = typer.Typer(help="Load files you hold into the workspace.", no_args_is_help=True)
add_app = typer.Typer(help="Declare leaders, brands and assets.", no_args_is_help=True)
app.add_typer(ingest_app, name="ingest")
app.add_typer(add_app, name="add")
app.command("study")(study)
app.add_typer(fetch_app, name="fetch")
app.add_typer(attention_app, name="attention")
app.command("report")(report)
app.command("serve")(serve)
app.add_typer(risk_app, name="risk")
app.command("compare")(compare)
app.command("preflight")(preflight)
app.command("annotate")(text_cli.annotate)
app.command("persona")(text_cli.persona)
app.command("impact")(impact)


def _print_version(wanted: bool) -> None:
    if wanted:
        from importlib.metadata import version

        typer.echo(f"leaderlens {version('leaderlens')}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """The options of ``leaderlens`` itself (the help text is the app's)."""


def _open(workspace: Path | None) -> Any:
    from leaderlens import Workspace

    return Workspace.open(workspace)


def _ingest(
    workspace: Path | None,
    json_path: Path | None,
    call: Callable[[Any], Any],
    after: Callable[[Any, Any], Any] | None = None,
) -> None:
    """Load, print the report; ``after(ws, report)`` runs once the load has committed and
    returns something with ``summary()`` and ``to_dict()`` (the alerts a load fired)."""

    def body() -> None:
        with _open(workspace) as ws:
            with err.status("loading ...", spinner="dots"):
                report = call(ws)
            out.print(report.summary(), markup=False)  # the load stands whatever follows
            payload = report.to_dict()
            if after is not None:
                extra = after(ws, report)
                print_fired(extra)
                payload["alerts"] = extra.to_dict()
        write_json(json_path, payload)

    run(body)


@ingest_app.command("prices")
def ingest_prices(
    file: FileArg,
    asset: Annotated[str, typer.Option("--asset", help="Asset id, e.g. TSLA, 1810.HK, BTC-USD.")],
    calendar: Annotated[
        str | None,
        typer.Option("--calendar", help="XNYS, XHKG, ... or 24/7 (needed once per new asset)."),
    ] = None,
    freq: Annotated[
        PriceFreq | None, typer.Option("--freq", help="Bar frequency (default: detect).")
    ] = None,
    benchmark: Annotated[
        str | None, typer.Option("--benchmark", help="The asset's benchmark asset id.")
    ] = None,
    company: CompanyOpt = None,
    conflict_rtol: Annotated[
        float,
        typer.Option(
            "--conflict-rtol",
            help="Prices of a stored bar within this relative difference are the same "
            "(default 1e-6; 0: exact).",
        ),
    ] = 1e-6,
    tz: TzOpt = None,
    format: PriceFormatOpt = None,
    on_bad_rows: BadRowsOpt = "error",
    on_conflict: ConflictOpt = "error",
    rejects: RejectsOpt = None,
    encoding: EncodingOpt = "utf-8",
    workspace: WorkspaceOpt = None,
    json_path: JsonOpt = None,
) -> None:
    """Load prices: Yahoo, yfinance, semicolon, Binance, CryptoDataDownload or generic files."""
    _ingest(
        workspace,
        json_path,
        lambda ws: ws.ingest_prices(
            file,
            asset=asset,
            calendar=calendar,
            freq=freq,
            tz=tz,
            format=format,
            benchmark=benchmark,
            company=company,
            conflict_rtol=conflict_rtol,
            on_bad_rows=on_bad_rows,
            on_conflict=on_conflict,
            encoding=encoding,
            rejects_path=rejects,
        ),
    )


@ingest_app.command("moments")
def ingest_moments(
    file: FileArg,
    leader: Annotated[str, typer.Option("--leader", help="The leader the moments belong to.")],
    channel: Annotated[
        str,
        typer.Option(
            "--channel",
            help="Channel of the moments: keynote, press, interview, livestream, video, other.",
        ),
    ] = "keynote",
    time_column: TimeColumnOpt = None,
    label_column: LabelColumnOpt = None,
    tz: TzOpt = None,
    time_of_day: TimeOfDayOpt = "12:00",
    on_conflict: ConflictOpt = "error",
    workspace: WorkspaceOpt = None,
    json_path: JsonOpt = None,
) -> None:
    """Load a leader's named moments (keynotes, launches) from an events file: they are
    studied, reported and shown on the dashboard like statements."""
    _ingest(
        workspace,
        json_path,
        lambda ws: ws.ingest_moments(
            file,
            leader=leader,
            channel=channel,
            on_conflict=on_conflict,
            time_column=time_column,
            label_column=label_column,
            tz=tz,
            time_of_day=time_of_day,
        ),
    )


def _fire_alerts(ws: Any, report: Any) -> Any:
    """The workspace's alert rules on exactly the statements this load added or replaced."""
    from leaderlens.preflight.alerts import alerts_for_load

    return alerts_for_load(ws, report.load_id)


@ingest_app.command("statements")
def ingest_statements(
    file: FileArg,
    leader: Annotated[str, typer.Option("--leader", help="Leader id, e.g. musk.")],
    channel: Annotated[
        Channel | None, typer.Option("--channel", help="Channel when the file has none.")
    ] = None,
    column: Annotated[
        list[str] | None,
        typer.Option("--column", help="Map a field to the file's column: ts=created_at (repeat)."),
    ] = None,
    tz: TzOpt = None,
    format: StatementFormatOpt = None,
    on_bad_rows: BadRowsOpt = "error",
    on_conflict: ConflictOpt = "error",
    rejects: RejectsOpt = None,
    encoding: EncodingOpt = "utf-8",
    workspace: WorkspaceOpt = None,
    json_path: JsonOpt = None,
) -> None:
    """Load a leader's statements: X archive tweets.js, CSV, JSONL or Parquet."""
    _ingest(
        workspace,
        json_path,
        lambda ws: ws.ingest_statements(
            file,
            leader=leader,
            channel=channel,
            tz=tz,
            format=format,
            columns=_mapping(column),
            on_bad_rows=on_bad_rows,
            on_conflict=on_conflict,
            encoding=encoding,
            rejects_path=rejects,
        ),
        after=_fire_alerts,
    )


@ingest_app.command("brand-posts")
def ingest_brand_posts(
    file: FileArg,
    brand: Annotated[str, typer.Option("--brand", help="Brand id.")],
    channel: Annotated[
        Channel | None, typer.Option("--channel", help="Channel when the file has none.")
    ] = None,
    column: Annotated[
        list[str] | None,
        typer.Option("--column", help="Map a field to the file's column: ts=created_at (repeat)."),
    ] = None,
    tz: TzOpt = None,
    format: StatementFormatOpt = None,
    on_bad_rows: BadRowsOpt = "error",
    on_conflict: ConflictOpt = "error",
    rejects: RejectsOpt = None,
    encoding: EncodingOpt = "utf-8",
    workspace: WorkspaceOpt = None,
    json_path: JsonOpt = None,
) -> None:
    """Load posts by the brand's own official channels."""
    _ingest(
        workspace,
        json_path,
        lambda ws: ws.ingest_brand_posts(
            file,
            brand=brand,
            channel=channel,
            tz=tz,
            format=format,
            columns=_mapping(column),
            on_bad_rows=on_bad_rows,
            on_conflict=on_conflict,
            encoding=encoding,
            rejects_path=rejects,
        ),
    )


@ingest_app.command("attention")
def ingest_attention(
    file: FileArg,
    metric: Annotated[
        str, typer.Option("--metric", help="Series name: search_interest, mentions, news, ...")
    ],
    brand: Annotated[str | None, typer.Option("--brand", help="Brand id.")] = None,
    leader: Annotated[str | None, typer.Option("--leader", help="Leader id.")] = None,
    value_column: Annotated[
        str | None, typer.Option("--value-column", help="Which column holds the values.")
    ] = None,
    tz: TzOpt = None,
    format: AttentionFormatOpt = None,
    on_bad_rows: BadRowsOpt = "error",
    on_conflict: ConflictOpt = "error",
    rejects: RejectsOpt = None,
    encoding: EncodingOpt = "utf-8",
    workspace: WorkspaceOpt = None,
    json_path: JsonOpt = None,
) -> None:
    """Load an attention series: Google Trends exports or generic time,value."""
    _ingest(
        workspace,
        json_path,
        lambda ws: ws.ingest_attention(
            file,
            metric=metric,
            brand=brand,
            leader=leader,
            column=value_column,
            tz=tz,
            format=format,
            on_bad_rows=on_bad_rows,
            on_conflict=on_conflict,
            encoding=encoding,
            rejects_path=rejects,
        ),
    )


@ingest_app.command("mentions")
def ingest_mentions(
    file: FileArg,
    brand: Annotated[str, typer.Option("--brand", help="Brand id.")],
    platform: Annotated[
        str | None, typer.Option("--platform", help="Platform when the file has none.")
    ] = None,
    column: Annotated[
        list[str] | None,
        typer.Option("--column", help="Map a field to the file's column: text=body (repeat)."),
    ] = None,
    tz: TzOpt = None,
    format: MentionFormatOpt = None,
    on_bad_rows: BadRowsOpt = "error",
    on_conflict: ConflictOpt = "error",
    rejects: RejectsOpt = None,
    encoding: EncodingOpt = "utf-8",
    workspace: WorkspaceOpt = None,
    json_path: JsonOpt = None,
) -> None:
    """Load pieces of conversation about the brand (CSV, JSONL, Parquet)."""
    _ingest(
        workspace,
        json_path,
        lambda ws: ws.ingest_mentions(
            file,
            brand=brand,
            platform=platform,
            tz=tz,
            format=format,
            columns=_mapping(column),
            on_bad_rows=on_bad_rows,
            on_conflict=on_conflict,
            encoding=encoding,
            rejects_path=rejects,
        ),
    )


def _mapping(pairs: list[str] | None) -> dict[str, str] | None:
    if not pairs:
        return None
    mapping = {}
    for pair in pairs:
        name, sep, column = pair.partition("=")
        if not sep or not name or not column:
            from leaderlens.errors import BadInputError

            raise BadInputError(f"expected FIELD=COLUMN, got {pair!r}", field="column")
        mapping[name.strip()] = column.strip()
    return mapping


@add_app.command("leader")
def add_leader(
    leader_id: Annotated[str, typer.Argument(help="Leader id, e.g. musk.")],
    name: Annotated[str | None, typer.Option("--name")] = None,
    company: Annotated[str | None, typer.Option("--company")] = None,
    handle: Annotated[
        list[str] | None, typer.Option("--handle", help="platform=handle, e.g. x=@elonmusk.")
    ] = None,
    stock: Annotated[
        list[str] | None,
        typer.Option("--stock", help="The company's stock id, e.g. TSLA (repeat for several)."),
    ] = None,
    coin: Annotated[
        list[str] | None,
        typer.Option("--coin", help="A coin tied to the leader, e.g. DOGE-USDT (repeat)."),
    ] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Declare or update a leader; --stock ties the company's stock (the default asset of the
    leader's report, dashboard and analyses)."""

    def body() -> None:
        with _open(workspace) as ws:
            ws.add_leader(
                leader_id,
                name=name,
                company=company,
                handles=_mapping(handle),
                stocks=stock or (),
                coins=coin or (),
            )
        out.print(f"leader {leader_id} saved", markup=False)

    run(body)


@add_app.command("brand")
def add_brand(
    brand_id: Annotated[str, typer.Argument(help="Brand id, e.g. tesla.")],
    name: Annotated[str | None, typer.Option("--name")] = None,
    query_term: Annotated[
        list[str] | None, typer.Option("--query-term", help="A term that names the brand (repeat).")
    ] = None,
    leader: Annotated[
        list[str] | None, typer.Option("--leader", help="A leader id (repeat).")
    ] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Declare or update a brand."""

    def body() -> None:
        with _open(workspace) as ws:
            ws.add_brand(brand_id, name=name, query_terms=query_term, leader_ids=leader)
        out.print(f"brand {brand_id} saved", markup=False)

    run(body)


@add_app.command("asset")
def add_asset(
    asset_id: Annotated[str, typer.Argument(help="Asset id, e.g. TSLA.")],
    calendar: Annotated[
        str | None, typer.Option("--calendar", help="XNYS, XHKG, ... or 24/7.")
    ] = None,
    name: Annotated[str | None, typer.Option("--name")] = None,
    benchmark: Annotated[
        str | None, typer.Option("--benchmark", help="Benchmark asset id.")
    ] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="stock, index, crypto, ...")] = None,
    company: CompanyOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Declare or update an asset (calendar, benchmark, the company it belongs to)."""

    def body() -> None:
        with _open(workspace) as ws:
            ws.add_asset(
                asset_id,
                calendar=calendar,
                name=name,
                benchmark=benchmark,
                kind=kind,
                company=company,
            )
        out.print(f"asset {asset_id} saved", markup=False)

    run(body)


@app.command("ls")
def ls(workspace: WorkspaceOpt = None, json_path: JsonOpt = None) -> None:
    """Show what the workspace holds: rows, first and last instant (UTC), frequency, gaps."""
    from leaderlens.cli.render import summary_tables

    def body() -> None:
        from leaderlens import Workspace

        with Workspace.open(workspace, read_only=True) as ws:
            summary = ws.summary()
        for table in summary_tables(summary):
            out.print(table)
        write_json(json_path, summary.to_dict())

    run(body)


@app.command("migrate")
def migrate(workspace: WorkspaceOpt = None) -> None:
    """Upgrade a workspace written by an older leaderlens to this version's schema."""

    def body() -> None:
        from leaderlens import Workspace

        with Workspace.open(workspace, create=False) as ws:
            version = ws.summary().schema_version  # the first use migrates the copy
        out.print(f"workspace {ws.path} is at schema version {version}", markup=False)

    run(body)


@app.command("demo")
def demo(
    workspace: Annotated[
        Path,
        typer.Option("--workspace", "-w", help="Where to write the demo workspace."),
    ] = Path("leaderlens-demo.duckdb"),
    seed: Annotated[int, typer.Option("--seed", help="Seed of the synthetic world.")] = 7,
    json_path: JsonOpt = None,
) -> None:
    """Generate the seeded demo world (three leader archetypes, planted effects) and load it."""
    from leaderlens.cli.render import summary_tables

    def body() -> None:
        from leaderlens import Workspace, build_demo

        if workspace.exists():
            workspace.unlink()
        with err.status(f"building the demo world (seed {seed}) ...", spinner="dots"):
            build_demo(workspace, seed=seed)
        with Workspace.open(workspace, read_only=True) as ws:
            summary = ws.summary()
        out.print(f"demo workspace written to {workspace}", markup=False)
        for table in summary_tables(summary):
            out.print(table)
        write_json(json_path, summary.to_dict())

    run(body)
