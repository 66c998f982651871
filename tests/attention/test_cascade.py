"""``leaderlens.cascade`` on a workspace holding a planted stream (the branching-construction
simulator of ``hawkes_sim``), from exact mention times and from hourly counts; and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hawkes_sim import simulate
from typer.testing import CliRunner

import leaderlens as ll
from leaderlens.cli.attention import attention_app

START = 475_000.0  # hours since the epoch (2024-03-09)
DAYS = 30
SIZES = {"leader": 30.0, "brand": 8.0}
N = 0.5


def _stamp(hours: np.ndarray) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(pd.to_datetime(np.round(hours * 3600e9).astype("int64"), utc=True))


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = np.random.default_rng(21)
    end = START + 24 * DAYS
    leader = np.sort(rng.uniform(START, end, 60))
    brand = np.sort(rng.uniform(START, end, 150))
    events, _ = simulate(
        rng,
        start=START,
        end=end,
        level=np.log(5.0),
        daily=0.4,
        weekly=0.2,
        trend=0.3,
        posts=[leader, brand],
        sizes=[SIZES["leader"], SIZES["brand"]],
        decays=[3.0, 1.0],
        n=N,
        cascade_decay=0.5,
    )
    path = tmp_path_factory.mktemp("cascade") / "w.duckdb"
    with ll.Workspace.open(path) as ws:
        ws.add_leader("ceo", name="The CEO")
        ws.add_brand("acme", name="Acme", leader_ids=["ceo"])
        ws.add_brand("acme_counts", name="Acme (counts)", leader_ids=["ceo"])

        def posts(times: np.ndarray, prefix: str) -> pd.DataFrame:
            return pd.DataFrame(
                {
                    "statement_id": [f"{prefix}{i}" for i in range(len(times))],
                    "ts": _stamp(times),
                    "channel": "x",
                    "text": "a post",
                }
            )

        ws.ingest_statements(posts(leader, "l"), leader="ceo")
        ws.ingest_brand_posts(posts(brand, "b"), brand="acme")
        ws.ingest_brand_posts(posts(brand, "c"), brand="acme_counts")
        mentions = pd.DataFrame(
            {
                "mention_id": [f"m{i}" for i in range(len(events))],
                "ts": _stamp(events),
                "text": "acme",
            }
        )
        ws.ingest_mentions(mentions, brand="acme")
        hourly = pd.Series(1.0, index=_stamp(events)).resample("1h").sum()
        frame = pd.DataFrame({"ts": hourly.index, "value": hourly.to_numpy()})
        ws.ingest_attention(frame, brand="acme_counts", metric="mentions_hourly")
    return path


def test_exact_times_recover_the_planted_triggers(planted: Path) -> None:
    with ll.Workspace.open(planted, read_only=True) as ws:
        result = ll.cascade(ws, "acme", by="none")
    assert result.mode == "exact" and result.marks == ("leader:all", "brand:all")
    frame = result.to_frame().set_index("side")
    for side, size in SIZES.items():
        assert frame.loc[side, "per_post_low"] <= size <= frame.loc[side, "per_post_high"]
    low, high = result.fit.branching()[1:]
    assert low <= N <= high
    shares = result.shares()
    assert sum(shares.values()) == pytest.approx(1.0)
    decomposition = result.decomposition()
    assert decomposition[["baseline", "leader", "brand", "cascade"]].to_numpy().sum() == (
        pytest.approx(result.fit.n_obs)
    )
    assert "branching ratio n" in result.summary()
    assert "<pre>" in result._repr_html_()
    json.dumps(result.to_dict(), allow_nan=False)


def test_topic_marks_need_annotations(planted: Path) -> None:
    with (
        ll.Workspace.open(planted, read_only=True) as ws,
        pytest.raises(ll.MissingDataError, match="annotate"),
    ):
        ll.cascade(ws, "acme", by="topic")


def test_hourly_counts_agree_with_exact_times(planted: Path) -> None:
    with ll.Workspace.open(planted, read_only=True) as ws:
        counts = ll.cascade(ws, "acme_counts", metric="mentions_hourly", by="none")
    assert counts.mode == "counts" and counts.freq == "1h"
    frame = counts.to_frame().set_index("side")
    for side, size in SIZES.items():
        assert frame.loc[side, "per_post_low"] <= size <= frame.loc[side, "per_post_high"]
    low, high = counts.fit.branching()[1:]
    assert low <= N <= high


def test_cli_writes_json_and_plot(planted: Path, tmp_path: Path) -> None:
    target, chart = tmp_path / "c.json", tmp_path / "c.html"
    args = ["cascade", "--workspace", str(planted), "--brand", "acme", "--by", "none"]
    result = CliRunner().invoke(attention_app, [*args, "--json", str(target), "--plot", str(chart)])
    assert result.exit_code == 0, result.output
    payload = json.loads(target.read_text())
    assert payload["cascade"]["branching_ratio"]["estimate"] > 0
    assert {r["mark"] for r in payload["rows"]} == {"leader:all", "brand:all"}
    assert "stackgroup" in chart.read_text()
    bad = CliRunner().invoke(attention_app, [*args[:-1], "weekday"], env={"COLUMNS": "200"})
    assert bad.exit_code == 2 and "'weekday' is not one of 'none', 'channel', 'topic'" in bad.output
    bad = CliRunner().invoke(attention_app, [*args, "--trend-days", "0"])
    assert bad.exit_code == 2 and "trend_days" in bad.output
