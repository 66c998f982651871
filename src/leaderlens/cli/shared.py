"""What every command shares: consoles, common options, error handling, JSON output."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.text import Text

from leaderlens.errors import LeaderlensError

# Piped output (CI logs, files) gets a readable width instead of rich's 80 columns. Console
# markup is off: names, values, paths and messages are the user's text and are printed as
# they are ("[/b]" in a leader's name is a name, not a style); styles are given as objects.
out = Console(
    highlight=False, soft_wrap=True, markup=False, width=None if sys.stdout.isatty() else 140
)
err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)

WorkspaceOpt = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        help="Workspace file (default: $LEADERLENS_WORKSPACE or ./leaderlens.duckdb).",
    ),
]
JsonOpt = Annotated[
    Path | None, typer.Option("--json", help="Also write machine-readable results to this file.")
]
SparkMasterOpt = Annotated[
    str | None, typer.Option("--spark-master", help="Spark master URL (default: local[*]).")
]
FormatOpt = Annotated[str | None, typer.Option("--format", help="Input format (default: detect).")]
TzOpt = Annotated[
    str | None, typer.Option("--tz", help="Time zone of times without a UTC offset (IANA name).")
]
BadRowsOpt = Annotated[
    str,
    typer.Option(
        "--on-bad-rows",
        help="error: refuse the file at the first bad row; skip: load the rest and list the "
        "skipped rows in a rejects file.",
    ),
]
ConflictOpt = Annotated[
    str,
    typer.Option(
        "--on-conflict",
        help="When a stored key arrives with other values: error, keep (stored) or replace.",
    ),
]
RejectsOpt = Annotated[
    Path | None,
    typer.Option("--rejects", help="Rejects file (default: ./<input name>.rejects.csv)."),
]
EncodingOpt = Annotated[str, typer.Option("--encoding", help="Text encoding of the file.")]
FileArg = Annotated[Path, typer.Argument(help="The file to load.", show_default=False)]


def run(action: Callable[[], Any]) -> Any:
    """Run one command body, turning leaderlens errors into messages and exit codes."""
    try:
        return action()
    except LeaderlensError as exc:
        err.print(Text.assemble(("error:", "bold red"), " ", str(exc)))
        raise typer.Exit(exc.exit_code) from exc
    except KeyboardInterrupt:
        err.print("interrupted: nothing of the unfinished step was stored")
        raise typer.Exit(130) from None
    except Exception as exc:  # a bug, not the user's input
        err.print(f"internal error: {type(exc).__name__}: {exc}")
        raise typer.Exit(1) from exc


def write_json(path: Path | None, payload: object) -> None:
    """Write ``payload`` as JSON, streamed to the file (a large study's JSON is never held as
    one string as well as the objects it is made of)."""
    if path is not None:
        with path.open("w", encoding="utf-8") as handle:
            json.dump(payload, handle, indent=2, default=str, ensure_ascii=False)
            handle.write("\n")
