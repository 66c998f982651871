"""Annotate the workspace's texts (language, sentiment, topics) and read them back joined.

Annotations live in the ``annotations`` table beside the texts, keyed by (kind, owner id, item
id, annotator). Each row keeps the annotator's version (rules version, taxonomy digest and
configured languages) and an MD5 of the text, so :func:`annotate_workspace` recomputes only rows
whose text or annotator changed. Work is done in batches, each committed in one transaction: a
killed run loses at most the two batches in flight. Large runs use every core (processes over
chunks), storing one batch while the workers annotate the next.

``sentiment="embedding"`` replaces the lexicon scores of English and Chinese texts by those of
the embedding prototypes (:mod:`leaderlens.text.sentiment_embed`; measured better on the
held-out sets, README; several hundred times slower): each distinct text is embedded once and
its vector kept in the workspace (:func:`leaderlens.text.embeddings.embed_workspace`), so
re-annotating costs only a matrix product with the prototypes.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import lru_cache
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from leaderlens.errors import BadInputError, EngineError, check_choice
from leaderlens.options import SENTIMENTS, Sentiment
from leaderlens.text.language import DEFAULT_LANGUAGES, check_languages, detect_languages
from leaderlens.text.sentiment import score_sentiment
from leaderlens.text.topics import Taxonomy, load_taxonomy, tag_topics

ANNOTATOR = "leaderlens-rules"
# Bump when the rules or lexicons change, so stored annotations are recomputed.
RULES_VERSION = "2"
KINDS: dict[str, tuple[str, str, str]] = {
    # kind: (table, owner column, item column)
    "statements": ("statements", "leader_id", "statement_id"),
    "brand_posts": ("brand_posts", "brand_id", "statement_id"),
    "mentions": ("mentions", "brand_id", "mention_id"),
}
BATCH = 50_000
CHUNK = 5_000
# Evidence as JSON (keys sorted), one encoder for all texts instead of one per text.
_EVIDENCE = json.JSONEncoder(ensure_ascii=False, sort_keys=True)
# Worker processes cost seconds to start (imports, lingua's models) and to ship results back.
# Measured on 2 busy cores with bench/annotate.py's mentions: 17,602 texts 1.4-2.2 s in one
# process vs 4.9-5.7 s in two; 200,000 texts 14-22 s vs 18-57 s; 1,000,000 texts 86 s vs 66 s.
PARALLEL_FROM = 300_000
# Languages the embedding prototypes score (built and measured for these).
EMBEDDING_LANGUAGES = ("en", "zh")


@dataclass(frozen=True)
class Annotations:
    """Annotations of a list of texts (all arrays shape (n,)).

    language: ISO 639-1 code or ``und``; sentiment: score in [-1, 1]; sentiment_label:
    negative / neutral / positive; topics: list of topic names per text; evidence: JSON text,
    topic -> matched words.
    """

    language: np.ndarray
    sentiment: np.ndarray
    sentiment_label: np.ndarray
    topics: list[list[str]]
    evidence: list[str]


def annotate_texts(
    texts: Sequence[str | None],
    *,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
    taxonomy: Taxonomy | None = None,
    sentiment: Sentiment = "lexicon",
) -> Annotations:
    """Language, sentiment and topics of ``texts`` in this process (the bulk path's kernel).

    With ``sentiment="embedding"`` the texts are embedded here (nothing is stored); see
    :func:`annotate_workspace` to keep the vectors.
    """
    check_choice("sentiment", sentiment, SENTIMENTS)
    lang = detect_languages(texts, languages)
    sent = score_sentiment(texts, lang.codes)
    tops = tag_topics(texts, taxonomy)
    notes = Annotations(
        language=lang.codes,
        sentiment=sent.score,
        sentiment_label=sent.label,
        # the evidence holds exactly the text's topics, in the taxonomy's order
        topics=[list(found) for found in tops.evidence],
        evidence=[_EVIDENCE.encode(e) for e in tops.evidence],
    )
    if sentiment == "lexicon":
        return notes
    from leaderlens.text.embeddings import embed_texts

    chosen = _embedding_rows(texts, notes.language)
    vectors = embed_texts([texts[int(i)] for i in np.flatnonzero(chosen)]).vectors
    return _with_embedding_sentiment(notes, chosen, vectors)


def _embedding_rows(texts: Sequence[str | None], language: np.ndarray) -> np.ndarray:
    """Rows the embedding prototypes score: non-empty texts in :data:`EMBEDDING_LANGUAGES`."""
    present = np.array([bool(t and str(t).strip()) for t in texts], dtype=bool)
    return present & np.isin(language.astype(str), EMBEDDING_LANGUAGES)


def _with_embedding_sentiment(
    notes: Annotations, chosen: np.ndarray, vectors: np.ndarray
) -> Annotations:
    """``notes`` with the prototypes' score and label on the ``chosen`` rows (vectors in order)."""
    from leaderlens.text.sentiment_embed import shipped_prototypes

    found = shipped_prototypes().score(vectors, notes.language[chosen])
    score = notes.sentiment.astype(np.float64)
    label = notes.sentiment_label.astype(object)
    score[chosen] = found.score
    label[chosen] = found.label
    return replace(notes, sentiment=score, sentiment_label=label)


@lru_cache(maxsize=4)
def _worker_taxonomy(path: str | None) -> Taxonomy:
    return load_taxonomy(path)


def _chunk(
    texts: list[str | None], languages: tuple[str, ...], taxonomy_path: str | None
) -> Annotations:
    return annotate_texts(texts, languages=languages, taxonomy=_worker_taxonomy(taxonomy_path))


@dataclass(frozen=True)
class KindCount:
    """Rows of one kind: ``selected`` in scope, ``annotated`` now, ``unchanged`` already current."""

    kind: str
    selected: int
    annotated: int

    @property
    def unchanged(self) -> int:
        return self.selected - self.annotated


@dataclass(frozen=True)
class AnnotateReport:
    """What one :func:`annotate_workspace` run did."""

    annotator: str
    version: str
    counts: tuple[KindCount, ...]
    seconds: float
    workers: int
    taxonomy: str
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def annotated(self) -> int:
        return sum(c.annotated for c in self.counts)

    @property
    def texts_per_second(self) -> float:
        return self.annotated / self.seconds if self.seconds > 0 else float("nan")

    def summary(self) -> str:
        lines = [f"annotator {self.annotator} version {self.version} (taxonomy {self.taxonomy})"]
        for c in self.counts:
            lines.append(
                f"  {c.kind}: {c.selected:,} in scope, {c.annotated:,} annotated, "
                f"{c.unchanged:,} already current"
            )
        if self.annotated:
            lines.append(
                f"  {self.annotated:,} texts in {self.seconds:.1f} s "
                f"({self.texts_per_second:,.0f} texts/s on {self.workers} process(es))"
            )
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        return {
            "annotator": self.annotator,
            "version": self.version,
            "taxonomy": self.taxonomy,
            "seconds": self.seconds,
            "workers": self.workers,
            "counts": [
                {"kind": c.kind, "selected": c.selected, "annotated": c.annotated}
                for c in self.counts
            ],
            "notes": list(self.notes),
        }


def annotator_version(
    taxonomy: Taxonomy, languages: Sequence[str], sentiment: Sentiment = "lexicon"
) -> str:
    """The version stamped on annotations: rules, taxonomy digest, configured languages and,
    for ``sentiment="embedding"``, the embedding model and the prototypes."""
    version = f"rules-{RULES_VERSION}/taxonomy-{taxonomy.digest[:12]}/lang-{'+'.join(languages)}"
    if sentiment == "embedding":
        from leaderlens.text.sentiment_embed import shipped_prototypes

        found = shipped_prototypes()
        version += f"/sentiment-{found.model}-prototypes-{found.digest}"
    return version


def _scope(leader: str | None, brand: str | None, all: bool) -> list[tuple[str, str | None]]:
    given = sum([leader is not None, brand is not None, bool(all)])
    if given != 1:
        raise BadInputError("give exactly one of leader, brand or all=True", field="leader")
    if leader is not None:
        return [("statements", leader)]
    if brand is not None:
        return [("brand_posts", brand), ("mentions", brand)]
    return [(kind, None) for kind in KINDS]


def _stale(con: Any, kind: str, owner: str | None, version: str) -> tuple[int, pd.DataFrame]:
    table, owner_col, item_col = KINDS[kind]
    where, params = (
        (f"WHERE t.{owner_col} = ?", [owner])
        if owner is not None
        else (
            "",
            [],
        )
    )
    total = con.execute(f"SELECT count(*) FROM {table} t {where}", params).fetchone()[0]
    frame = con.execute(
        f"""SELECT t.{owner_col} AS owner_id, t.{item_col} AS item_id, t.text,
                   md5(coalesce(t.text, '')) AS text_hash
            FROM {table} t
            LEFT JOIN annotations a
              ON a.kind = ? AND a.annotator = ? AND a.owner_id = t.{owner_col}
             AND a.item_id = t.{item_col}
            {where or "WHERE TRUE"} AND (a.item_id IS NULL OR a.version <> ?
                 OR a.text_hash <> md5(coalesce(t.text, '')))
            ORDER BY t.ts""",
        [kind, ANNOTATOR, *params, version],
    ).df()
    return int(total), frame


def _store(con: Any, kind: str, batch: pd.DataFrame, notes: Annotations, version: str) -> None:
    table = pa.table(
        {
            "kind": pa.array([kind] * len(batch), pa.string()),
            "owner_id": pa.array(batch["owner_id"].astype(str).tolist(), pa.string()),
            "item_id": pa.array(batch["item_id"].astype(str).tolist(), pa.string()),
            "annotator": pa.array([ANNOTATOR] * len(batch), pa.string()),
            "version": pa.array([version] * len(batch), pa.string()),
            "text_hash": pa.array(batch["text_hash"].tolist(), pa.string()),
            "language": pa.array(notes.language.tolist(), pa.string()),
            "sentiment": pa.array(notes.sentiment, pa.float64()),
            "sentiment_label": pa.array(notes.sentiment_label.tolist(), pa.string()),
            "topics": pa.array(notes.topics, pa.list_(pa.string())),
            "evidence": pa.array(notes.evidence, pa.string()),
        }
    )
    stamp = datetime.now(UTC)
    con.execute("BEGIN TRANSACTION")
    try:
        con.register("_ll_batch", table)
        con.execute(
            """DELETE FROM annotations USING _ll_batch b
               WHERE annotations.kind = b.kind AND annotations.annotator = b.annotator
                 AND annotations.owner_id = b.owner_id AND annotations.item_id = b.item_id"""
        )
        con.execute(
            """INSERT INTO annotations
               SELECT kind, owner_id, item_id, annotator, version, text_hash, language,
                      sentiment, sentiment_label, topics, evidence::JSON, ? FROM _ll_batch""",
            [stamp],
        )
        con.execute("COMMIT")
    except Exception as exc:
        con.execute("ROLLBACK")
        raise EngineError(f"storing annotations failed ({exc})") from exc
    finally:
        con.unregister("_ll_batch")


def _concat(parts: list[Annotations]) -> Annotations:
    return Annotations(
        language=np.concatenate([p.language for p in parts]),
        sentiment=np.concatenate([p.sentiment for p in parts]),
        sentiment_label=np.concatenate([p.sentiment_label for p in parts]),
        topics=[t for p in parts for t in p.topics],
        evidence=[e for p in parts for e in p.evidence],
    )


@contextmanager
def _pool(workers: int) -> Iterator[Executor | None]:
    if workers <= 1:
        yield None
        return
    # spawn, not fork: the parent holds a DuckDB connection and its threads.
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        yield pool


def _submit(
    texts: list[str | None],
    languages: tuple[str, ...],
    taxonomy: Taxonomy,
    taxonomy_path: str | None,
    pool: Executor | None,
) -> Callable[[], Annotations]:
    """Start annotating a batch; the returned function waits for and returns the result.

    With worker processes the batch runs there while this process stores the previous one.
    """
    if pool is None:
        notes = annotate_texts(texts, languages=languages, taxonomy=taxonomy)
        return lambda: notes
    chunks = [texts[i : i + CHUNK] for i in range(0, len(texts), CHUNK)]
    futures = [pool.submit(_chunk, chunk, languages, taxonomy_path) for chunk in chunks]
    return lambda: _concat([future.result() for future in futures])


def annotate_workspace(
    ws: Any,
    *,
    leader: str | None = None,
    brand: str | None = None,
    all: bool = False,
    progress: bool = True,
    taxonomy: str | Path | None = None,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
    workers: int | None = None,
    batch_size: int = BATCH,
    sentiment: Sentiment = "lexicon",
) -> AnnotateReport:
    """Annotate a leader's statements, a brand's posts and mentions, or everything.

    Give exactly one of ``leader``, ``brand`` or ``all=True``. Only texts never annotated, whose
    text changed, or annotated by another annotator version are (re)computed. ``workers``
    defaults to the number of cores; batches of ``batch_size`` are committed one at a time.
    ``sentiment="embedding"`` first embeds every distinct text in scope not yet embedded
    (needs ``pip install 'leaderlens[embeddings]'``; tens of texts/s), then scores English and
    Chinese texts with the embedding prototypes instead of the lexicons.
    """
    scope = _scope(leader, brand, all)
    check_choice("sentiment", sentiment, SENTIMENTS)
    chosen = check_languages(languages)
    tax = load_taxonomy(taxonomy)
    taxonomy_path = str(Path(taxonomy).resolve()) if taxonomy is not None else None
    version = annotator_version(tax, chosen, sentiment)
    if batch_size < 1:
        raise BadInputError(f"batch_size must be at least 1; got {batch_size}", field="batch_size")
    con = ws.connection
    started = time.perf_counter()
    notes_run: tuple[str, ...] = ()
    if sentiment == "embedding":
        from leaderlens.text.embeddings import embed_workspace

        embedded = embed_workspace(ws, leader=leader, brand=brand, all=all, progress=progress)
        notes_run = (embedded.summary(),)
    todo = [(kind, owner, *_stale(con, kind, owner, version)) for kind, owner in scope]
    pending = sum(len(frame) for *_, frame in todo)
    cores = workers if workers is not None else (os.cpu_count() or 1)
    used = cores if pending >= PARALLEL_FROM else 1
    counts = [KindCount(kind=k, selected=total, annotated=len(f)) for k, _, total, f in todo]
    batches = [
        (kind, frame.iloc[start : start + batch_size])
        for kind, _owner, _total, frame in todo
        for start in range(0, len(frame), batch_size)
    ]
    with _pool(used) as pool, _progress(progress, pending) as advance:

        def finish(job: tuple[str, pd.DataFrame, Callable[[], Annotations]]) -> None:
            kind, batch, result = job
            notes = result()
            if sentiment == "embedding":
                notes = _stored_sentiment(con, batch, notes)
            _store(con, kind, batch, notes, version)
            advance(len(batch))

        previous = None
        for kind, batch in batches:
            texts = [None if pd.isna(t) else str(t) for t in batch["text"]]
            current = (kind, batch, _submit(texts, chosen, tax, taxonomy_path, pool))
            if previous is not None:
                finish(previous)  # stored while the workers annotate the current batch
            previous = current
        if previous is not None:
            finish(previous)
    return AnnotateReport(
        annotator=ANNOTATOR,
        version=version,
        counts=tuple(counts),
        seconds=time.perf_counter() - started,
        workers=used,
        taxonomy=tax.source,
        notes=notes_run,
    )


def _stored_sentiment(con: Any, batch: pd.DataFrame, notes: Annotations) -> Annotations:
    """``notes`` with the prototypes' sentiment, from the vectors stored for the batch."""
    from leaderlens.text.embeddings import stored_vectors

    texts = [None if pd.isna(t) else str(t) for t in batch["text"]]
    chosen = _embedding_rows(texts, notes.language)
    hashes = batch["text_hash"].to_numpy(dtype=object)[chosen].tolist()
    return _with_embedding_sentiment(notes, chosen, stored_vectors(con, hashes))


@contextmanager
def _progress(show: bool, total: int) -> Iterator[Any]:
    if not show or total == 0:
        yield lambda n: None
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task("annotating", total=total)
        yield lambda n: bar.advance(task, n)


def _as_list(value: object) -> list[str]:
    # DuckDB lists arrive as arrays or lists; texts never annotated as NA.
    if isinstance(value, list | tuple | np.ndarray):
        return [str(v) for v in value]
    return []


def annotated(
    ws: Any,
    kind: str = "statements",
    *,
    leader: str | None = None,
    brand: str | None = None,
    explode_topics: bool = False,
) -> pd.DataFrame:
    """Texts of one kind joined with their current annotations, ready to filter and group.

    Adds ``text_language``, ``sentiment``, ``sentiment_label``, ``topics`` (list),
    ``topic_evidence`` (dict) and ``annotation_current`` (False when the text changed since it
    was annotated, or it never was). ``explode_topics=True`` gives one row per (text, topic),
    with ``topic`` (None for texts without topics), for ``groupby("topic")``.
    """
    check_choice("kind", kind, KINDS)
    table, owner_col, item_col = KINDS[kind]
    if leader is not None and kind != "statements":
        raise BadInputError("leader applies to kind='statements'", field="leader")
    if brand is not None and kind == "statements":
        raise BadInputError("brand applies to brand_posts or mentions", field="brand")
    owner = leader if leader is not None else brand
    where, params = (f"WHERE t.{owner_col} = ?", [owner]) if owner is not None else ("", [])
    frame = ws.connection.execute(
        f"""SELECT t.* EXCLUDE (load_id), a.language AS text_language, a.sentiment,
                   a.sentiment_label, a.topics, a.evidence AS topic_evidence,
                   coalesce(a.text_hash = md5(coalesce(t.text, '')), FALSE) AS annotation_current
            FROM {table} t
            LEFT JOIN annotations a
              ON a.kind = ? AND a.annotator = ? AND a.owner_id = t.{owner_col}
             AND a.item_id = t.{item_col}
            {where} ORDER BY t.ts""",
        [kind, ANNOTATOR, *params],
    ).df()
    frame["topics"] = frame["topics"].map(_as_list)
    frame["topic_evidence"] = frame["topic_evidence"].map(
        lambda v: json.loads(v) if isinstance(v, str) else {}
    )
    if explode_topics:
        frame = frame.assign(topic=frame["topics"].map(lambda t: t or [None])).explode("topic")
        frame = frame.reset_index(drop=True)
    return frame
