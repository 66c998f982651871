# ruff: noqa: RUF001  (Chinese punctuation is data here)
"""The numeric core of the pre-flight check against independent computations: TF-IDF cosine
computed with plain Python dictionaries and ``math.log``; top-k against a full sort; weighted
quantiles against ``numpy.quantile(method="hazen")`` and a hand computation; scores against
pandas' Spearman correlation."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from leaderlens.errors import BadInputError
from leaderlens.preflight.predict import score_predictions, weighted_quantiles
from leaderlens.preflight.similarity import (
    cosine_block,
    idf_weights,
    ngram_counts,
    tfidf_rows,
    top_k,
)

CORPUS = [
    "Tonight we unveil the new model",
    "The new model is great",
    "Regulators have no idea",
    "新车交付了，太满意了！",
    "",
    "tonight  WE unveil   the NEW model!",
]


def _grams(text: str, lo: int = 3, hi: int = 5) -> Counter[str]:
    s = " " + " ".join(text.lower().split()) + " "
    return Counter(s[i : i + n] for n in range(lo, hi + 1) for i in range(len(s) - n + 1))


def _plain_tfidf(texts: list[str], fit: int) -> list[dict[str, float]]:
    grams = [_grams(t) for t in texts]
    df: Counter[str] = Counter()
    for g in grams[:fit]:
        df.update(set(g))
    out = []
    for g in grams:
        w = {t: (1 + math.log(c)) * (math.log((1 + fit) / (1 + df[t])) + 1) for t, c in g.items()}
        norm = math.sqrt(sum(v * v for v in w.values()))
        out.append({t: v / norm for t, v in w.items()} if norm else {})
    return out


@pytest.mark.parametrize("fit", [3, 6])
def test_tfidf_cosine_matches_plain_python(fit: int) -> None:
    counts = ngram_counts(CORPUS)
    rows = tfidf_rows(counts.matrix, idf_weights(counts.matrix, fit))
    got = cosine_block(rows, rows)
    plain = _plain_tfidf(CORPUS, fit)
    want = np.array([[sum(a.get(t, 0.0) * v for t, v in b.items()) for b in plain] for a in plain])
    np.testing.assert_allclose(got, want, atol=1e-12)
    assert got[0, 5] > 0.9 and got[4].sum() == 0  # case and spacing do not matter; empty text


def test_top_k_matches_a_full_sort() -> None:
    rng = np.random.default_rng(3)
    sims = rng.random((6, 40))
    allowed = rng.random((6, 40)) < 0.5
    allowed[5] = False
    allowed[5, :3] = True  # fewer allowed than k
    got = top_k(sims, allowed, 5)
    for i in range(6):
        cols = [j for j in np.argsort(-sims[i], kind="stable") if allowed[i, j]][:5]
        assert got.index[i][got.valid[i]].tolist() == cols
        np.testing.assert_allclose(got.similarity[i][got.valid[i]], sims[i, cols])
    assert got.valid[5].sum() == 3 and (got.index[5, 3:] == -1).all()
    with pytest.raises(BadInputError):
        top_k(sims, allowed, 0)


def test_weighted_quantiles_equal_weights_are_hazen() -> None:
    rng = np.random.default_rng(0)
    values = rng.normal(size=(50, 25))
    values[3, 10:] = np.nan  # fewer values in one row
    got = weighted_quantiles(values, np.ones_like(values), (0.05, 0.1, 0.5, 0.9, 0.97))
    for i in range(50):
        row = values[i][np.isfinite(values[i])]
        want = np.quantile(row, [0.05, 0.1, 0.5, 0.9, 0.97], method="hazen")
        np.testing.assert_allclose(got[i], want, rtol=1e-12)


def test_weighted_quantiles_by_hand() -> None:
    # sorted values 1, 2, 3 with weights 1, 1, 2: positions (cumsum - w/2) / 4 = .125, .375, .75
    got = weighted_quantiles(
        np.array([[3.0, 1.0, 2.0]]), np.array([[2.0, 1.0, 1.0]]), (0.1, 0.5, 0.9)
    )
    np.testing.assert_allclose(got[0], [1.0, 2.0 + 0.125 / 0.375, 3.0])
    zero = weighted_quantiles(np.array([[1.0, 3.0]]), np.zeros((1, 2)), (0.5,))
    assert zero[0, 0] == 2.0  # weights summing to zero count equally
    assert np.isnan(weighted_quantiles(np.full((1, 3), np.nan), np.ones((1, 3)), (0.5,))).all()


def test_scores_match_pandas() -> None:
    rng = np.random.default_rng(1)
    y = rng.normal(size=200)
    med = y + rng.normal(size=200)
    lo, hi = med - 1.0, med + 1.0
    score = score_predictions(y, lo, med, hi)
    frame = pd.DataFrame({"y": y, "m": med})
    assert score.spearman == pytest.approx(frame.corr(method="spearman").iloc[0, 1], abs=1e-12)
    assert score.coverage == pytest.approx(
        np.mean([a <= b <= c for a, b, c in zip(lo, y, hi, strict=True)])
    )
    assert score.mae == pytest.approx(float(np.mean(np.abs(y - med))))
    assert score.n == 200 and 0 <= score.spearman_p < 1e-6
