"""How alike a draft and past statements are: character n-gram TF-IDF cosine, or stored E5
embeddings when the workspace holds them for every statement.

Lexical similarity (transparent, no model): each text is lower-cased with runs of white space
collapsed and padded with one space at each end, then cut into overlapping character n-grams
(3 to 5 characters by default; character n-grams work for English and for Chinese alike, which
has no spaces between words). Term weights are sublinear tf x smoothed idf and rows are
L2-normalised (Manning, Raghavan & Schuetze 2008, *Introduction to Information Retrieval*,
sections 6.2-6.4)::

    w(t, d) = (1 + ln tf(t, d)) * idf(t),  idf(t) = ln((1 + N) / (1 + df(t))) + 1

with ``N`` and ``df`` counted over the *fitting* texts only (the past, in a backtest), so that
no document frequency of a later statement leaks into a prediction. Cosine similarity of two
rows is then their dot product, in [0, 1].
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse

from leaderlens.errors import BadInputError

NGRAMS: tuple[int, int] = (3, 5)
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class NgramCounts:
    """Character n-gram counts of n texts.

    matrix: (n, V) CSR of int counts; row i belongs to text i. vocabulary: the V n-grams, in
    column order. ngrams: the (shortest, longest) n-gram length used.
    """

    matrix: sparse.csr_matrix
    vocabulary: tuple[str, ...]
    ngrams: tuple[int, int]


def _normalise(text: str | None) -> str:
    return " " + _SPACE.sub(" ", (text or "").lower()).strip() + " "


def ngram_counts(texts: Sequence[str | None], ngrams: tuple[int, int] = NGRAMS) -> NgramCounts:
    """Count the character n-grams of ``texts`` (see the module docstring)."""
    lo, hi = int(ngrams[0]), int(ngrams[1])
    if not 1 <= lo <= hi:
        raise BadInputError(f"ngrams must be 1 <= low <= high; got {ngrams}", field="ngrams")
    # Cutting texts into n-grams is string work with no array form (one pass per text);
    # numbering them is one hash-based factorisation, and everything after it (weights,
    # similarities) is sparse linear algebra.
    grams: list[str] = []
    indptr = [0]
    for text in texts:
        s = _normalise(text)
        grams.extend(s[i : i + n] for n in range(lo, hi + 1) for i in range(len(s) - n + 1))
        indptr.append(len(grams))
    codes, uniques = pd.factorize(pd.Series(grams, dtype=object), sort=False)
    matrix = sparse.csr_matrix(
        (
            np.ones(len(grams), dtype=np.float64),
            np.asarray(codes, dtype=np.int64),
            np.asarray(indptr, dtype=np.int64),
        ),
        shape=(len(indptr) - 1, len(uniques)),
    )
    vocabulary = tuple(str(u) for u in uniques)
    matrix.sum_duplicates()  # repeated n-grams of one text become counts
    return NgramCounts(matrix=matrix, vocabulary=vocabulary, ngrams=(lo, hi))


def idf_weights(counts: sparse.csr_matrix, fit_rows: int) -> npt.NDArray[np.float64]:
    """Smoothed idf of every column, from the first ``fit_rows`` rows only; shape (V,)."""
    past = counts[:fit_rows]
    df = np.asarray((past > 0).sum(axis=0), dtype=np.float64).ravel()
    return np.log((1.0 + fit_rows) / (1.0 + df)) + 1.0


def sublinear_tf(counts: sparse.csr_matrix) -> sparse.csr_matrix:
    """``1 + ln tf`` of every stored count (zeros stay zero)."""
    tf = counts.astype(np.float64).tocsr(copy=True)
    tf.data = 1.0 + np.log(tf.data)
    return tf


def weigh_rows(tf: sparse.csr_matrix, idf: npt.NDArray[np.float64]) -> sparse.csr_matrix:
    """``tf x idf`` rows, each of unit length (all-zero rows stay zero)."""
    weighted = sparse.csr_matrix(tf @ sparse.diags(idf))
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    return sparse.csr_matrix(sparse.diags(scale) @ weighted)


def tfidf_rows(counts: sparse.csr_matrix, idf: npt.NDArray[np.float64]) -> sparse.csr_matrix:
    """Sublinear tf x idf rows of ``counts``, each of unit length (all-zero rows stay zero)."""
    return weigh_rows(sublinear_tf(counts), idf)


def cosine_block(
    queries: sparse.csr_matrix | npt.NDArray[np.floating], corpus: sparse.csr_matrix | np.ndarray
) -> npt.NDArray[np.float64]:
    """Dense (m, n) cosine similarities of unit-length rows (sparse or dense)."""
    product = queries @ corpus.T
    if sparse.issparse(product):
        return np.asarray(product.toarray(), dtype=np.float64)
    return np.asarray(product, dtype=np.float64)


@dataclass(frozen=True)
class TopK:
    """For each of m queries the ``k`` most similar allowed rows, most similar first.

    index: (m, k) row numbers (-1 where fewer than k rows were allowed). similarity: (m, k)
    (NaN where ``index`` is -1). valid: (m, k) bool, ``index >= 0``.
    """

    index: npt.NDArray[np.intp]
    similarity: npt.NDArray[np.float64]
    valid: npt.NDArray[np.bool_]


def top_k(similarity: npt.NDArray[np.float64], allowed: npt.NDArray[np.bool_], k: int) -> TopK:
    """The ``k`` highest similarities per row among the ``allowed`` columns (ties: lower
    column first)."""
    if k < 1:
        raise BadInputError(f"k must be at least 1; got {k}", field="k")
    m, n = similarity.shape
    k_eff = min(k, n)
    if k_eff == 0:
        empty = np.full((m, k), -1, dtype=np.intp)
        return TopK(empty, np.full((m, k), np.nan), np.zeros((m, k), dtype=bool))
    masked = np.where(allowed, similarity, -np.inf)
    part = np.argpartition(-masked, k_eff - 1, axis=1)[:, :k_eff]
    part_sim = np.take_along_axis(masked, part, axis=1)
    # order by similarity, then by column, so that ties are resolved the same way every run
    order = np.lexsort((part, -part_sim), axis=1)
    index = np.take_along_axis(part, order, axis=1)
    sims = np.take_along_axis(masked, index, axis=1)
    valid = np.isfinite(sims)
    if k_eff < k:
        pad = k - k_eff
        index = np.pad(index, ((0, 0), (0, pad)), constant_values=-1)
        sims = np.pad(sims, ((0, 0), (0, pad)), constant_values=-np.inf)
        valid = np.pad(valid, ((0, 0), (0, pad)), constant_values=False)
    return TopK(
        index=np.where(valid, index, -1),
        similarity=np.where(valid, sims, np.nan),
        valid=valid,
    )


def lexical_blocks(
    counts: sparse.csr_matrix, ts: npt.NDArray[np.int64]
) -> Callable[[int, int], npt.NDArray[np.float64]]:
    """Similarity blocks for the backtest from n-gram counts of time-ordered statements: the
    idf of a block is fitted on the statements made before its first statement."""
    ts = np.asarray(ts, dtype=np.int64)
    tf = sublinear_tf(counts)

    def block(start: int, stop: int) -> npt.NDArray[np.float64]:
        fit = int(np.searchsorted(ts, ts[start], side="left"))
        rows = weigh_rows(tf[:stop], idf_weights(counts, fit))
        return cosine_block(rows[start:stop], rows)

    return block


def vector_blocks(
    vectors: npt.NDArray[np.floating],
) -> Callable[[int, int], npt.NDArray[np.float64]]:
    """Similarity blocks from stored unit-length embeddings (nothing is fitted)."""
    v = np.asarray(vectors, dtype=np.float64)
    return lambda start, stop: v[start:stop] @ v[:stop].T
