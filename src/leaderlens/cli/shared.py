"""What every command shares: consoles, common options, error handling, JSON output."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer

from leaderlens.errors import LeaderlensError
from leaderlens.options import (
    AttentionFormat,
    FdrMethod,
    MentionFormat,
    OnBadRows,
    OnConflict,
    PriceFormat,
    StatementFormat,
)

if TYPE_CHECKING:
    from rich.console import Console


class _LazyConsole:
    """A rich ``Console`` made when a command first prints: ``--help`` never imports rich.
    Everything, ``with console:`` included (rich's live displays do it), goes to the console."""

    def __init__(self, **options: Any) -> None:
        self._options = options

    @cached_property
    def _console(self) -> Console:
        from rich.console import Console

        return Console(**self._options)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._console, name)

    def __enter__(self) -> Console:
        return self._console.__enter__()

    def __exit__(self, *exc: object) -> None:
        self._console.__exit__(*exc)


# Piped output (CI logs, files) gets a readable width instead of rich's 80 columns. Console
# markup is off: names, values, paths and messages are the user's text and are printed as
# they are ("[/b]" in a leader's name is a name, not a style); styles are given as objects.
out = cast(
    "Console",
    _LazyConsole(
        highlight=False, soft_wrap=True, markup=False, width=None if sys.stdout.isatty() else 140
    ),
)
err = cast("Console", _LazyConsole(stderr=True, highlight=False, soft_wrap=True, markup=False))

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
_FORMAT_HELP = "Input format (default: detect)."
PriceFormatOpt = Annotated[PriceFormat | None, typer.Option("--format", help=_FORMAT_HELP)]
StatementFormatOpt = Annotated[StatementFormat | None, typer.Option("--format", help=_FORMAT_HELP)]
AttentionFormatOpt = Annotated[AttentionFormat | None, typer.Option("--format", help=_FORMAT_HELP)]
MentionFormatOpt = Annotated[MentionFormat | None, typer.Option("--format", help=_FORMAT_HELP)]
TzOpt = Annotated[
    str | None, typer.Option("--tz", help="Time zone of times without a UTC offset (IANA name).")
]
TimeColumnOpt = Annotated[
    str | None,
    typer.Option("--time-column", help="The events file's time column (default: found)."),
]
LabelColumnOpt = Annotated[
    str | None,
    typer.Option("--label-column", help="The events file's label column (default: found)."),
]
TimeOfDayOpt = Annotated[
    str,
    typer.Option(
        "--time-of-day",
        help="Local time (HH:MM, in the --tz zone) given to events with a date but no time.",
    ),
]
BadRowsOpt = Annotated[
    OnBadRows,
    typer.Option(
        "--on-bad-rows",
        help="error: refuse the file at the first bad row; skip: load the rest and list the "
        "skipped rows in a rejects file.",
    ),
]
ConflictOpt = Annotated[
    OnConflict,
    typer.Option(
        "--on-conflict",
        help="When a stored key arrives with other values: error, keep (stored) or replace.",
    ),
]
RejectsOpt = Annotated[
    Path | None,
    typer.Option("--rejects", help="Rejects file (default: ./<input name>.rejects.csv)."),
]
FdrOpt = Annotated[
    float, typer.Option("--fdr", help="False discovery rate of the per-event discovery counts.")
]
FdrMethodOpt = Annotated[
    FdrMethod, typer.Option("--fdr-method", help="bh (Benjamini-Hochberg) or by (-Yekutieli).")
]
EncodingOpt = Annotated[str, typer.Option("--encoding", help="Text encoding of the file.")]
FileArg = Annotated[Path, typer.Argument(help="The file to load.", show_default=False)]


def run(action: Callable[[], Any]) -> Any:
    """Run one command body, turning leaderlens errors into messages and exit codes."""
    try:
        return action()
    except LeaderlensError as exc:
        from rich.text import Text

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
