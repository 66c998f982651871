"""Playbook by topic and sentiment band, and net sentiment of the conversation, on an annotated
copy of the demo workspace (Sam Archer and Keynote Co: few texts, quick to annotate)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from leaderlens.attention.api import brand_share_of_voice, playbook
from leaderlens.attention.share import names_any
from leaderlens.errors import MissingDataError
from leaderlens.store.workspace import Workspace
from leaderlens.text.annotate import annotate_workspace, annotated


@pytest.fixture(scope="module")
def annotated_ws(demo_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    copy = tmp_path_factory.mktemp("attention_annotated") / "demo.duckdb"
    shutil.copy(demo_path, copy)
    ws = Workspace.open(copy)
    annotate_workspace(ws, leader="sam_archer", workers=1)
    annotate_workspace(ws, brand="keynote", workers=1)
    return ws


def test_unannotated_topics_are_refused(demo_ws: Workspace) -> None:
    with pytest.raises(MissingDataError, match="annotate"):
        playbook(demo_ws, "keynote", by="topic", n_boot=0)


@pytest.mark.parametrize("by", ["topic", "sentiment"])
def test_playbook_by_topic_and_sentiment(annotated_ws: Workspace, by: str) -> None:
    book = playbook(annotated_ws, "keynote", by=by, n_boot=0)
    frame = book.to_frame()
    notes = annotated(annotated_ws, "statements", leader="sam_archer")
    if by == "sentiment":
        expected = set(notes["sentiment_label"].dropna()) | {"brand posts"}
        assert set(frame[by]) <= expected
    else:
        topics = {t for ts in notes["topics"] for t in ts} | {"(none)", "brand posts"}
        assert set(frame[by]) <= topics
    assert frame["rank"].tolist() == list(range(1, len(frame) + 1))
    assert frame["cumulative_lift"].is_monotonic_decreasing
    assert frame["n_posts"].sum() >= len(notes) - 10  # posts of the first horizon days drop


def test_net_sentiment_against_plain_counts(annotated_ws: Workspace) -> None:
    voice = brand_share_of_voice(annotated_ws, "keynote", freq="1w")
    assert voice.sentiment is not None
    notes = annotated(annotated_ws, "mentions", brand="keynote")
    week = notes["ts"].dt.tz_convert("UTC").dt.floor("D")
    week = week - pd.to_timedelta(week.dt.day_of_week, unit="D")
    first = week.min()
    mine = notes[week == first]
    pos = int((mine["sentiment_label"] == "positive").sum())
    neg = int((mine["sentiment_label"] == "negative").sum())
    row = voice.sentiment.set_index("ts").loc[first]
    assert row["net_sentiment"] == pytest.approx((pos - neg) / (pos + neg))
    named = names_any(mine["text"], ["Sam Archer", "@samarcher", "samarcher"])
    p2 = int((mine["sentiment_label"][named] == "positive").sum())
    n2 = int((mine["sentiment_label"][named] == "negative").sum())
    if p2 + n2:
        assert row["leader_net_sentiment"] == pytest.approx((p2 - n2) / (p2 + n2))
    assert "net sentiment" in voice.summary()
    assert np.isfinite(voice.to_frame()["net_sentiment"]).any()
