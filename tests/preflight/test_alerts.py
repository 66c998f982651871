"""Alert rules kept in the workspace and evaluated on exactly the statements a load adds.

Witnesses: the reasons expected for each hand-written statement (sentiment from the text
annotator run directly, replies per like computed here with pandas); re-loading the same file
fires nothing; a rules file with an unknown key is refused naming file and field."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from leaderlens.cli.main import app
from leaderlens.errors import BadInputError
from leaderlens.preflight.alerts import (
    alert_rules,
    alerts_for_load,
    list_alerts,
    read_alert_rules,
    set_alert_rules,
)
from leaderlens.store.workspace import Workspace
from leaderlens.text.annotate import annotate_texts

TEXTS = [
    "Production of the new car is going great, thanks to the team!",
    "The media lies again. Terrible, disgusting, pathetic people.",
    "Vote them out: the senate and the president are a disgrace",
    "Reading history books again.",
]
RULES = """
name = "comms"
leaders = ["ann"]
[rules]
max_sentiment = -0.5
topics = ["politics"]
min_replies_per_like = 1.0
"""


def _frame(texts: list[str], start: str = "2024-03-01T12:00Z", first: int = 0) -> pd.DataFrame:
    n = len(texts)
    return pd.DataFrame(
        {
            "statement_id": [f"s{first + i}" for i in range(n)],
            "ts": pd.date_range(start, periods=n, freq="5h", tz="UTC"),
            "channel": "x",
            "text": texts,
            "likes": [100, 50, 10, 20][:n],
            "replies": [5, 10, 3, 40][:n],
        }
    )


def _expected(frame: pd.DataFrame) -> dict[str, set[str]]:
    found = annotate_texts(frame["text"].tolist())
    ratio = frame["replies"] / frame["likes"]
    out: dict[str, set[str]] = {}
    for i, sid in enumerate(frame["statement_id"]):
        reasons = set()
        if found.sentiment[i] <= -0.5:
            reasons.add("sentiment <= -0.5")
        if "politics" in found.topics[i]:
            reasons.add("topic in politics")
        if ratio.iloc[i] >= 1.0:
            reasons.add("replies per like >= 1")
        if reasons:
            out[sid] = reasons
    return out


def test_rules_fire_on_new_rows_only(tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(RULES)
    frame = _frame(TEXTS)
    with Workspace.open(tmp_path / "w.duckdb") as ws:
        stored = set_alert_rules(ws, rules)
        assert stored.name == "comms" and stored.rules.max_car is None  # unwritten rules off
        assert alert_rules(ws) == [stored]
        report = ws.ingest_statements(frame, leader="ann")
        fired = alerts_for_load(ws, report.load_id)
        want = _expected(frame)
        assert want  # the hand-written texts do fire something
        got = {r.statement_id: set(r.reasons) for r in fired.alerts.itertuples()}
        assert got == want
        # the same rows again: nothing new is loaded, nothing fires
        again = ws.ingest_statements(frame, leader="ann")
        assert again.load_id is None and alerts_for_load(ws, again.load_id).alerts.empty
        # a later load with one more statement is evaluated on that statement alone
        more = _frame(["Vote them out: the senate and the president are a disgrace"],
                      start="2024-04-01T00:00Z", first=10)  # fmt: skip
        later = alerts_for_load(ws, ws.ingest_statements(more, leader="ann").load_id)
        assert later.checked == 1
        assert later.alerts["statement_id"].tolist() == (["s10"] if _expected(more) else [])
        stored_alerts = list_alerts(ws, "ann")
        assert len(stored_alerts) == len(want) + len(later.alerts)
        # another leader is not watched by this rule set
        other = alerts_for_load(ws, ws.ingest_statements(frame, leader="bob").load_id)
        assert other.alerts.empty


def test_rules_file_is_checked(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[rules]\nmax_sentimnet = -0.5\n")
    with pytest.raises(BadInputError) as info:
        read_alert_rules(bad)
    assert info.value.field == "max_sentimnet" and str(bad) in str(info.value)
    bad.write_text("[rules]\nmax_car_p = 0.05\n")
    with pytest.raises(BadInputError, match="only with max_car"):
        read_alert_rules(bad)
    bad.write_text("name = 'x'\n")
    with pytest.raises(BadInputError, match=r"\[rules\]"):
        read_alert_rules(bad)
    bad.write_text("[rules]\ntopics = 3\n")
    with pytest.raises(BadInputError, match="topics"):
        read_alert_rules(bad)


def test_cli_ingest_prints_alerts_and_lists_them(tmp_path: Path) -> None:
    ws_path = tmp_path / "w.duckdb"
    rules = tmp_path / "rules.toml"
    rules.write_text(RULES)
    data = tmp_path / "s.csv"
    _frame(TEXTS).to_csv(data, index=False)
    runner = CliRunner()
    import typer

    from leaderlens.cli.preflight import alerts_app

    alerts = typer.Typer()
    alerts.add_typer(alerts_app, name="alerts")
    res = runner.invoke(alerts, ["alerts", "set", "--rules", str(rules), "-w", str(ws_path)])
    assert res.exit_code == 0, res.output
    first = tmp_path / "first.json"
    res = runner.invoke(
        app,
        ["ingest", "statements", str(data), "--leader", "ann", "-w", str(ws_path),
         "--json", str(first)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    n = len(_expected(_frame(TEXTS)))
    assert f"alerts: {n} fired on 4 new statements" in res.output
    assert len(json.loads(first.read_text())["alerts"]["alerts"]) == n
    res = runner.invoke(app, ["ingest", "statements", str(data), "--leader", "ann", "-w",
                              str(ws_path)])  # fmt: skip
    assert res.exit_code == 0 and "alerts: 0 fired on 0 new statements" in res.output
    listed = tmp_path / "alerts.json"
    res = runner.invoke(alerts, ["alerts", "list", "-w", str(ws_path), "--json", str(listed)])
    assert res.exit_code == 0 and f"{n} alerts" in res.output
    rows = json.loads(listed.read_text())
    assert len(rows) == n and all(r["rule_set"] == "comms" and r["reasons"] for r in rows)
    assert np.all([r["ts"].endswith("+00:00") for r in rows])
    bad = tmp_path / "bad.toml"
    bad.write_text("[rules]\nnope = 1\n")
    res = runner.invoke(alerts, ["alerts", "set", "--rules", str(bad), "-w", str(ws_path)])
    assert res.exit_code == 2


def test_an_older_workspace_opened_read_only(tmp_path: Path) -> None:
    """A workspace at schema 3 opened read-only is not migrated: no rules, no alerts, and a
    pre-flight check still runs (without a stored verdict)."""
    from leaderlens.preflight import preflight

    path = tmp_path / "old.duckdb"
    with Workspace.open(path) as ws:
        ws.ingest_statements(_frame(TEXTS), leader="ann")
        for table in ("alert_rules", "alerts", "preflight_backtests"):
            ws.connection.execute(f"DROP TABLE {table}")
        ws.connection.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    with Workspace.open(path, read_only=True) as ws:
        assert alert_rules(ws) == [] and list_alerts(ws).empty
        check = preflight(ws, "ann", "The media lies again")
    assert check.backtest is None and check.neighbours["text"].iloc[0] == TEXTS[1]
    assert check.prediction == {}  # no asset, no attention series: nothing to predict
