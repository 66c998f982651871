"""The README's tour, executed: every command of its shell blocks exits 0 against the shared
data, and what the README promises shows up (the tied stock, the weekly attention, the reports
of a leader with posts and of leaders with named moments only)."""

from __future__ import annotations

from pathlib import Path

import pytest

import leaderlens as ll

pytestmark = pytest.mark.slow


def test_every_tour_command_exits_0(readme_tour: dict) -> None:
    steps = readme_tour["steps"]
    failed = [s for s in steps if s.exit_code != 0]
    assert not failed, f"{failed[0].command}\n{failed[0].output}"
    commands = [s.command for s in steps]
    assert any(c.startswith("leaderlens report --leader musk") for c in commands)
    assert any(c.startswith("leaderlens report --leader jobs") for c in commands)


def test_the_tour_ties_each_leader_to_its_stock(readme_tour: dict) -> None:
    folder: Path = readme_tour["folder"]
    with ll.Workspace.open(folder / "tesla.duckdb", read_only=True) as ws:
        assert ws.default_asset("musk") == "TSLA"
        assert ws.leader_assets("musk")["asset_id"].tolist() == ["TSLA", "DOGE-USDT"]
    with ll.Workspace.open(folder / "moments.duckdb", read_only=True) as ws:
        assert ws.default_asset("leijun") == "1810.HK"
        assert ws.default_asset("jobs") == "AAPL"
        assert len(ws.statements("jobs")) == 47


def test_the_tour_states_what_it_did(readme_tour: dict) -> None:
    out = {s.command.split(" --")[0]: s.output for s in readme_tour["steps"]}
    assert (
        "added 0, unchanged 3,109"
        in out["leaderlens ingest prices $D/prices_daily_2010_2022_tsla_spy_doge/SPY.csv"]
    )
    assert "statements per week" in out["leaderlens attention leadlag"]
    reports = [s.output for s in readme_tour["steps"] if s.command.startswith("leaderlens report")]
    assert [r.split(":")[0] for r in reports] == [
        "report of musk on TSLA",
        "report of leijun on 1810.HK",
        "report of jobs on AAPL",
    ]
    moments = next(
        s.output for s in readme_tour["steps"] if "--leader jobs --time-column" in s.command
    )
    assert "47 date-only rows placed at 10:00 America/Los_Angeles" in moments
