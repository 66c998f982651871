# ruff: noqa: RUF001  (Chinese punctuation and typographic quotes are data here)
"""Annotations stored beside the texts, recomputed only when needed; persona features.

Witnesses: a fresh per-text computation (annotate_texts) for what is stored; for persona, an
independent pandas computation on the raw Musk CSV (reply share from the leading '@', hours
from the UTC times converted with pandas).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

import leaderlens.text.annotate as annotate_mod
from leaderlens import Workspace
from leaderlens.errors import BadInputError, EngineError, MissingDataError
from leaderlens.text.annotate import annotate_texts, annotate_workspace, annotated
from leaderlens.text.persona import compare_personas, persona, persona_features

TEXTS = [
    "Production of the new car is going great, thanks to the team!",
    "Bitcoin to the moon 🚀",
    "@someone I drove the Model 3 today, love it",
    "新车交付了，太满意了！",
    "The media lies again. Terrible.",
]


def _frame(texts: list[str], start: str = "2021-01-01T12:00Z") -> pd.DataFrame:
    ts = pd.date_range(start, periods=len(texts), freq="7h", tz="UTC")
    return pd.DataFrame(
        {
            "statement_id": [f"s{i}" for i in range(len(texts))],
            "ts": ts,
            "channel": "x",
            "text": texts,
            "likes": np.arange(len(texts)) * 10 + 1,
            "replies": np.arange(len(texts)) + 1,
            "is_reply": [t.startswith("@") for t in texts],
        }
    )


@pytest.fixture()
def ws(tmp_path: Path):
    with Workspace.open(tmp_path / "w.duckdb") as w:
        w.ingest_statements(_frame(TEXTS), leader="ann")
        yield w


def test_annotations_stored_match_a_fresh_computation(ws) -> None:
    report = annotate_workspace(ws, leader="ann", progress=False)
    assert report.annotated == len(TEXTS) and "5 annotated" in report.summary()
    out = annotated(ws, leader="ann")
    fresh = annotate_texts(TEXTS)
    assert out["text_language"].tolist() == fresh.language.tolist()
    np.testing.assert_allclose(out["sentiment"], fresh.sentiment)
    assert out["topics"].map(sorted).tolist() == [sorted(t) for t in fresh.topics]
    assert out["annotation_current"].all()
    assert out.loc[1, "topic_evidence"]["crypto"] == ["bitcoin", "to the moon"]
    assert out.loc[3, "text_language"] == "zh" and out.loc[3, "sentiment"] > 0.5
    # filter and group like later analyses do
    by_topic = annotated(ws, leader="ann", explode_topics=True).groupby("topic")["sentiment"]
    assert "crypto" in by_topic.mean().index
    assert (out["sentiment"] < -0.5).sum() == 1


def test_recomputed_only_when_text_or_annotator_changes(ws, tmp_path: Path) -> None:
    annotate_workspace(ws, leader="ann", progress=False)
    again = annotate_workspace(ws, leader="ann", progress=False)
    assert again.annotated == 0 and again.counts[0].unchanged == len(TEXTS)
    changed = _frame(TEXTS)
    changed.loc[4, "text"] = "The media is great today."
    ws.ingest_statements(changed, leader="ann", on_conflict="replace")
    assert not annotated(ws, leader="ann")["annotation_current"].iloc[4]
    third = annotate_workspace(ws, leader="ann", progress=False)
    assert third.annotated == 1
    assert annotated(ws, leader="ann")["sentiment"].iloc[4] > 0
    custom = tmp_path / "t.toml"
    custom.write_text('[topics.any]\nwords = ["the"]\n', encoding="utf-8")
    fourth = annotate_workspace(ws, leader="ann", taxonomy=custom, progress=False)
    assert fourth.annotated == len(TEXTS)
    rows = ws.connection.execute("SELECT count(*) FROM annotations").fetchone()[0]
    assert rows == len(TEXTS)


def test_a_failed_batch_keeps_earlier_batches(ws, monkeypatch: pytest.MonkeyPatch) -> None:
    real = annotate_mod._store
    calls = {"n": 0}

    def flaky(con, kind, batch, notes, version):
        calls["n"] += 1
        if calls["n"] == 2:
            raise EngineError("disk full")
        real(con, kind, batch, notes, version)

    monkeypatch.setattr(annotate_mod, "_store", flaky)
    with pytest.raises(EngineError):
        annotate_workspace(ws, leader="ann", progress=False, batch_size=2)
    assert ws.connection.execute("SELECT count(*) FROM annotations").fetchone()[0] == 2
    monkeypatch.setattr(annotate_mod, "_store", real)
    assert annotate_workspace(ws, leader="ann", progress=False).annotated == 3


def test_parallel_path_gives_the_same_annotations(ws, monkeypatch: pytest.MonkeyPatch) -> None:
    many = TEXTS * 3
    ws.ingest_brand_posts(_frame(many), brand="b")
    monkeypatch.setattr(annotate_mod, "PARALLEL_FROM", 1)
    monkeypatch.setattr(annotate_mod, "CHUNK", 4)
    report = annotate_workspace(ws, brand="b", workers=2, progress=False)
    assert report.workers == 2 and report.annotated == len(many)
    out = annotated(ws, "brand_posts", brand="b")
    np.testing.assert_allclose(out["sentiment"], annotate_texts(many).sentiment)


def test_scope_is_checked(ws) -> None:
    with pytest.raises(BadInputError, match="exactly one"):
        annotate_workspace(ws, progress=False)
    with pytest.raises(BadInputError, match="exactly one"):
        annotate_workspace(ws, leader="ann", all=True, progress=False)
    with pytest.raises(BadInputError, match="kind"):
        annotated(ws, "tweets")


def test_persona_requires_current_annotations(ws) -> None:
    with pytest.raises(MissingDataError, match="annotate"):
        persona(ws, "ann")
    annotate_workspace(ws, all=True, progress=False)
    found = persona(ws, "ann", tz="Asia/Shanghai")
    assert found.features.loc["all", "reply_share"] == pytest.approx(1 / 5)
    assert found.features.loc["all", "ratio"] == pytest.approx(15 / 105)
    assert found.features.loc["all", "product_experience_share"] == pytest.approx(1 / 5)
    assert found.hours.loc["all"].sum() == pytest.approx(1.0)
    assert "hour_20" in found.to_frame().columns and "persona of ann" in found.summary()
    side = compare_personas(ws, ["ann"], tz={"ann": "Asia/Shanghai"})
    assert side.loc["peak_hour", "ann"] in range(24)
    with pytest.raises(BadInputError, match="by must be one of"):
        persona(ws, "ann", by="month")


def test_persona_on_musk_matches_pandas(shared_data: Path, tmp_path: Path) -> None:
    path = shared_data / "musk_tweets_2010_2022/ElonTweets.csv.gz"
    raw = pd.read_csv(path)
    with Workspace.open(tmp_path / "m.duckdb") as w:
        w.ingest_statements(path, leader="musk")
        annotate_workspace(w, leader="musk", progress=False)
        frame = annotated(w, leader="musk")
        before = frame.copy()
        found = persona_features(frame, leader="musk", by="year", tz="America/Los_Angeles")
        pd.testing.assert_frame_equal(frame, before)  # the caller's frame is untouched
    local = pd.to_datetime(raw["Datetime"], utc=True).dt.tz_convert("America/Los_Angeles")
    year = local.dt.year.astype(str)
    reply = raw["Text"].str.startswith("@")
    expected_reply = reply.groupby(year).mean()
    np.testing.assert_allclose(
        found.features["reply_share"], expected_reply.loc[found.features.index]
    )
    expected_hours = pd.crosstab(year, local.dt.hour, normalize="index").reindex(
        columns=range(24), fill_value=0.0
    )
    np.testing.assert_allclose(
        found.hours.to_numpy(), expected_hours.loc[found.hours.index].to_numpy()
    )
    ratio = raw.groupby(year)["reply count"].sum() / raw.groupby(year)["like count"].sum()
    np.testing.assert_allclose(found.features["ratio"], ratio.loc[found.features.index])
    assert found.features["statements"].sum() == len(raw)


def test_cli_annotate_and_persona(ws, tmp_path: Path) -> None:
    from leaderlens.cli import text

    app = typer.Typer()
    app.command("annotate")(text.annotate)
    app.command("persona")(text.persona)
    path = str(ws.path)
    ws.close()
    runner = CliRunner()
    done = runner.invoke(
        app, ["annotate", "--leader", "ann", "-w", path, "--json", str(tmp_path / "a.json")]
    )
    assert done.exit_code == 0, done.output
    assert "5 annotated" in done.output and (tmp_path / "a.json").exists()
    shown = runner.invoke(app, ["persona", "--leader", "ann", "--tz", "Asia/Shanghai", "-w", path])
    assert shown.exit_code == 0, shown.output
    assert "reply_share" in shown.output
    bad = runner.invoke(app, ["annotate", "-w", path])
    assert bad.exit_code == 2 and "exactly one" in bad.output
