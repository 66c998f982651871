"""The draft's language, sentiment and topics, by the annotator the workspace used for the
leader's statements (:mod:`leaderlens.text.annotate`): the languages in the stored annotator
version, and the taxonomy given (or the shipped one, with a note when the stored annotations
were made with another)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leaderlens.preflight.tables import has_table
from leaderlens.store.sql import first_row
from leaderlens.text.annotate import ANNOTATOR, annotate_texts, annotator_version
from leaderlens.text.language import DEFAULT_LANGUAGES, check_languages
from leaderlens.text.topics import load_taxonomy


@dataclass(frozen=True)
class DraftText:
    """language: ISO 639-1 code or ``und``; sentiment in [-1, 1] and its label; topics in
    taxonomy order; annotator: the version string used; notes."""

    language: str
    sentiment: float
    sentiment_label: str
    topics: tuple[str, ...]
    annotator: str
    notes: tuple[str, ...]


def stored_version(ws: Any, kind: str, owner: str) -> str | None:
    """The annotator version most of the owner's stored annotations carry (None if none)."""
    if not has_table(ws, "annotations"):
        return None
    row = first_row(
        ws.connection,
        """SELECT version FROM annotations WHERE kind = ? AND owner_id = ? AND annotator = ?
           GROUP BY version ORDER BY count(*) DESC, version LIMIT 1""",
        [kind, owner, ANNOTATOR],
    )
    return str(row[0]) if row else None


def annotator_settings(
    ws: Any, leader: str, taxonomy: str | Path | None = None
) -> tuple[tuple[str, ...], Any, list[str]]:
    """Languages and taxonomy matching the leader's stored annotations, and notes."""
    notes: list[str] = []
    tax = load_taxonomy(taxonomy)
    version = stored_version(ws, "statements", leader)
    languages: tuple[str, ...] = DEFAULT_LANGUAGES
    if version is None:
        notes.append(f"statements of {leader!r} are not annotated; default annotator used")
        return languages, tax, notes
    parts = dict(p.split("-", 1) for p in version.split("/") if "-" in p)
    if "lang" in parts:
        languages = check_languages(parts["lang"].split("+"))
    if parts.get("taxonomy") != tax.digest[:12]:
        notes.append(
            f"the leader's statements were annotated with another taxonomy ({version}); the "
            "draft's topics come from "
            + ("the one given" if taxonomy is not None else "the shipped taxonomy")
        )
    return languages, tax, notes


def describe_draft(
    ws: Any, leader: str, text: str, taxonomy: str | Path | None = None
) -> DraftText:
    """Annotate one draft as the leader's statements were annotated."""
    languages, tax, notes = annotator_settings(ws, leader, taxonomy)
    found = annotate_texts([text], languages=languages, taxonomy=tax)
    return DraftText(
        language=str(found.language[0]),
        sentiment=float(found.sentiment[0]),
        sentiment_label=str(found.sentiment_label[0]),
        topics=tuple(found.topics[0]),
        annotator=f"{ANNOTATOR} {annotator_version(tax, languages)}",
        notes=tuple(notes),
    )
