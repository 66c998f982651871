"""The playbook's market column: the event study's CAAR per channel, with a t interval."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from leaderlens import playbook
from leaderlens.store.workspace import Workspace


def test_market_caar_per_channel_matches_the_event_study(demo_ws: Workspace) -> None:
    book = playbook(demo_ws, "voltra", asset="VLTR", n_boot=49)
    frame = book.to_frame().set_index("channel")
    study = demo_ws.event_study(leader="rex_vale", asset="VLTR", by="channel", tests="per-event")
    events = study.events_frame()
    studied = events[events["excluded"] == ""]
    # a same-bar cluster counts for every channel among its statements ("interview+x")
    member = studied.assign(channel=studied["channel"].str.split("+")).explode("channel")
    for channel, group in member.groupby("channel"):
        car = group["car"].to_numpy()
        half = stats.t.ppf(0.975, car.size - 1) * car.std(ddof=1) / np.sqrt(car.size)
        row = frame.loc[channel]
        assert row["market_n"] == car.size
        assert row["market_caar"] == pytest.approx(car.mean(), abs=1e-12)
        assert row["market_ci_low"] == pytest.approx(car.mean() - half, abs=1e-12)
        assert row["market_ci_high"] == pytest.approx(car.mean() + half, abs=1e-12)
    assert np.isnan(frame.loc["brand posts", "market_caar"])
    assert "VLTR CAAR" in book.summary()


def test_leader_terms_without_handles(tmp_path: Path) -> None:
    from leaderlens.attention.api import leader_terms

    with Workspace.open(tmp_path / "w.duckdb") as ws:
        ws.add_leader("plain")
        ws.add_leader("named", name="Elon Musk", handles={"x": "@elonmusk"})
        assert leader_terms(ws, "plain") == ["plain"]
        assert leader_terms(ws, "named") == ["Elon Musk", "@elonmusk", "elonmusk"]
