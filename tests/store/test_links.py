"""A leader's stock and coin: tied explicitly on the leader or the asset, chosen when several."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

import leaderlens as ll


def _world(path: Path) -> ll.Workspace:
    ws = ll.Workspace.open(path)
    ws.add_leader("musk", name="Elon Musk", company="Tesla", stocks=["TSLA"], coins=["DOGE"])
    ws.add_asset("TSLA", calendar="XNYS")
    ws.add_asset("DOGE", calendar="24/7", kind="crypto")
    ws.add_asset("TSLA-FULL", calendar="XNYS", name="Tesla, Inc. (other file)")
    return ws


def test_the_tied_stock_is_the_default_and_the_coin_is_listed(tmp_path: Path) -> None:
    with _world(tmp_path / "w.duckdb") as ws:
        tied = ws.leader_assets("musk")
        assert tied[["asset_id", "role", "tied_by"]].values.tolist() == [
            ["TSLA", "stock", "leader"],
            ["DOGE", "coin", "leader"],
        ]
        # An explicit tie wins over the older name rule ("Tesla, Inc." starts with "tesla").
        assert ws.default_asset("musk") == "TSLA"


def test_a_company_tie_on_the_asset_and_several_stocks(tmp_path: Path) -> None:
    with _world(tmp_path / "w.duckdb") as ws:
        ws.add_asset("TSLA-FULL", company="  TESLA ")
        assert set(ws.leader_assets("musk")["asset_id"]) == {"TSLA", "TSLA-FULL", "DOGE"}
        with pytest.raises(ll.BadInputError) as caught:
            ws.default_asset("musk")
        assert "TSLA (stock), TSLA-FULL (stock)" in caught.value.message
        assert "DOGE" not in caught.value.message  # a coin is never the default beside a stock


def test_ingest_prices_ties_the_asset_to_its_company(tmp_path: Path) -> None:
    with ll.Workspace.open(tmp_path / "w.duckdb") as ws:
        ws.add_leader("lei", company="Xiaomi")
        frame = {"time": ["2024-04-01", "2024-04-02"], "close": [40.0, 44.0]}
        ws.ingest_prices(pd.DataFrame(frame), asset="1810.HK", calendar="XHKG", company="xiaomi")
        assert ws.default_asset("lei") == "1810.HK"
        assert ws.leader_assets("lei")["tied_by"].tolist() == ["company"]


def test_nothing_tied_says_what_to_run(tmp_path: Path) -> None:
    with ll.Workspace.open(tmp_path / "w.duckdb") as ws:
        ws.add_leader("jobs", company="Apple")
        ws.add_asset("SPY", calendar="XNYS")
        with pytest.raises(ll.MissingDataError) as caught:
            ws.default_asset("jobs")
        message = caught.value.message
        assert "leaderlens add leader jobs --stock TICKER" in message
        assert "leaderlens add asset TICKER --company 'Apple'" in message
        with pytest.raises(ll.MissingDataError, match="no leader 'nobody'"):
            ws.leader_assets("nobody")


def test_a_version_4_workspace_keeps_the_name_rule_and_migrates(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    with _world(path) as ws:
        ws.connection.execute("DELETE FROM leader_assets")
    con = duckdb.connect(str(path))
    con.execute("DROP TABLE leader_assets")
    con.execute("ALTER TABLE assets DROP COLUMN company")
    con.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
    con.close()
    with ll.Workspace.open(path, read_only=True) as ws:  # read-only: not migrated
        assert ws.leader_assets("musk")["tied_by"].tolist() == ["name"]
        assert ws.default_asset("musk") == "TSLA-FULL"
    with ll.Workspace.open(path) as ws:
        assert ws.summary().schema_version == 5
        ws.add_leader("musk", stocks=["TSLA"])
        assert ws.default_asset("musk") == "TSLA"
