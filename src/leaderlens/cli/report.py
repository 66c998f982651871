"""``leaderlens report`` (one self-contained HTML file or JSON) and ``leaderlens serve`` (the
dashboard and its JSON API)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from leaderlens.cli.shared import WorkspaceOpt, err, out, run
from leaderlens.errors import BadInputError
from leaderlens.options import TABLE_FORMATS, PlainModel, ReportFormat, Returns


def _window(text: str) -> tuple[int, int]:
    parts = text.replace(" ", "").split(",")
    try:
        a, b = (int(p) for p in parts)
    except ValueError as exc:
        raise BadInputError(
            f"--window must be A,B (whole numbers); got {text!r}", field="window"
        ) from exc
    return a, b


def report(
    leader: Annotated[str, typer.Option("--leader", help="The leader the report is about.")],
    workspace: WorkspaceOpt = None,
    asset: Annotated[
        str | None,
        typer.Option("--asset", help="Asset to study (default: the leader's company stock)."),
    ] = None,
    out_path: Annotated[
        Path | None,
        typer.Option("--out", help="Output file (default: report.html or report.json)."),
    ] = None,
    format: Annotated[ReportFormat, typer.Option("--format", help="Output format.")] = "html",
    tables: Annotated[
        Path | None,
        typer.Option("--tables", help="Also write every table to this folder."),
    ] = None,
    table_format: Annotated[
        list[str] | None,
        typer.Option(
            "--table-format",
            metavar=f"<{'|'.join(TABLE_FORMATS)}>",
            help="Format of the tables (repeat; default csv, json).",
            autocompletion=lambda: TABLE_FORMATS,
        ),
    ] = None,
    model: Annotated[PlainModel, typer.Option("--model", help="Normal-return model.")] = "market",
    window: Annotated[str, typer.Option("--window", help="Event window A,B in bars.")] = "-1,1",
    returns: Annotated[
        Returns, typer.Option("--returns", help="Simple or log returns.")
    ] = "simple",
) -> None:
    """Write a leader's report: one HTML file that opens offline, or a JSON document."""

    def body() -> None:
        from leaderlens import Workspace
        from leaderlens.report import StudyOptions, build_report

        target = out_path or Path(f"report.{format}")
        options = StudyOptions(model=model, window=_window(window), returns=returns)
        started = time.perf_counter()
        with Workspace.open(workspace, read_only=True) as ws, err.status("building the report"):
            content = build_report(
                ws,
                leader,
                target,
                asset=asset,
                format=format,
                options=options,
                tables=tables,
                table_formats=tuple(table_format or ("csv", "json")),
            )
        size = target.stat().st_size / 1e6
        head = content.headline()
        out.print(
            f"report of {leader} on {content.asset['asset_id']}: {head['events_studied']} events "
            f"studied, CAAR {head['window']} = "
            + (f"{head['caar']:.4%}" if head["caar"] is not None else "n/a")
        )
        out.print(f"wrote {target} ({size:.1f} MB) in {time.perf_counter() - started:.1f} s")
        if tables is not None:
            out.print(f"tables in {tables}")

    run(body)


def serve(
    workspace: WorkspaceOpt = None,
    host: Annotated[str, typer.Option("--host", help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to bind.")] = 8000,
    token: Annotated[
        str | None,
        typer.Option("--token", help="Token every request must carry (required off loopback)."),
    ] = None,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allowed-host",
            help="Another host name the server is reached by (repeat); requests naming any "
            "other host are refused (default: the bound address, or the loopback names).",
        ),
    ] = None,
) -> None:
    """Serve the dashboard and the JSON API (read-only over the workspace)."""

    def body() -> None:
        from leaderlens import Workspace
        from leaderlens.settings import Settings

        try:
            import uvicorn

            from leaderlens.web import create_app, is_local
            from leaderlens.web.app import allowed_hosts_for
        except ImportError as exc:
            raise BadInputError(
                f"leaderlens serve needs fastapi and uvicorn ({exc.name} is missing): "
                "pip install 'leaderlens[web]'"
            ) from exc
        if not is_local(host) and not token:
            raise BadInputError(
                f"binding to {host} makes the workspace reachable from other machines: give "
                "--token so that every request must carry it",
                field="token",
            )
        path = workspace or Settings.from_env().workspace
        Workspace.open(path, read_only=True).close()  # refuse a wrong path before serving
        hosts = allowed_hosts_for(host, allowed_host or ())
        app = create_app(path, token=token, allowed_hosts=hosts)
        out.print(f"leaderlens dashboard on http://{host}:{port}/ (workspace {path}, read-only)")
        uvicorn.run(app, host=host, port=port, log_level="warning")

    run(body)
