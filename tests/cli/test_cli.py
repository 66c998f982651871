"""The command line contract: commands, --workspace / LEADERLENS_WORKSPACE, exit codes, --json."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leaderlens.cli.main import app

runner = CliRunner()

COMMANDS = [
    [],
    ["ingest"],
    ["ingest", "prices"],
    ["ingest", "statements"],
    ["ingest", "brand-posts"],
    ["ingest", "attention"],
    ["ingest", "mentions"],
    ["add"],
    ["add", "leader"],
    ["add", "brand"],
    ["add", "asset"],
    ["ls"],
    ["demo"],
    ["study"],
    ["annotate"],
    ["persona"],
    ["impact"],
    ["report"],
    ["risk"],
    ["risk", "volatility"],
    ["risk", "radar"],
    ["risk", "dependence"],
    ["serve"],
    ["attention"],
    ["attention", "lift"],
    ["attention", "amplification"],
    ["attention", "share-of-voice"],
    ["attention", "spikes"],
    ["attention", "leadlag"],
    ["attention", "playbook"],
    ["fetch"],
    ["fetch", "prices"],
    ["fetch", "crypto"],
    ["fetch", "attention"],
    ["fetch", "posts"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "leaderlens")
def test_every_command_has_help(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output
    leaf = command and command[-1] not in ("ingest", "add", "fetch", "attention", "risk")
    if leaf:
        assert "--workspace" in result.output


def write_prices(path: Path, rows: list[str]) -> Path:
    path.write_text("Date,Open,High,Low,Close,Adj Close,Volume\n" + "\n".join(rows) + "\n")
    return path


GOOD = [
    "2021-01-04,10,11,9,10.5,10.5,100",
    "2021-01-05,10.5,12,10,11.5,11.5,200",
    "2021-01-06,11.5,12,11,11.0,11.0,150",
]


def test_ingest_then_ls_with_json(tmp_path: Path) -> None:
    ws = tmp_path / "w.duckdb"
    prices = write_prices(tmp_path / "p.csv", GOOD)
    result = runner.invoke(
        app,
        [
            "ingest",
            "prices",
            str(prices),
            "--asset",
            "ACME",
            "--calendar",
            "XNYS",
            "--workspace",
            str(ws),
            "--json",
            str(tmp_path / "load.json"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "added 3" in result.output
    load = json.loads((tmp_path / "load.json").read_text())
    assert load["rows_added"] == 3 and load["format"] == "yahoo"
    result = runner.invoke(app, ["ls", "--workspace", str(ws), "--json", str(tmp_path / "ls.json")])
    assert result.exit_code == 0, result.output
    assert "ACME" in result.output
    listing = json.loads((tmp_path / "ls.json").read_text())
    (asset,) = listing["assets"]
    assert asset["asset_id"] == "ACME" and asset["bars"] == 3 and asset["missing"] == 0
    assert asset["first"].startswith("2021-01-04")


def test_the_workspace_comes_from_the_environment(tmp_path: Path) -> None:
    ws = tmp_path / "env.duckdb"
    prices = write_prices(tmp_path / "p.csv", GOOD)
    result = runner.invoke(
        app,
        ["ingest", "prices", str(prices), "--asset", "ACME", "--calendar", "XNYS"],
        env={"LEADERLENS_WORKSPACE": str(ws)},
    )
    assert result.exit_code == 0, result.output
    assert ws.exists()


def test_bad_input_exits_2_naming_file_line_and_field(tmp_path: Path) -> None:
    ws = tmp_path / "w.duckdb"
    prices = write_prices(tmp_path / "bad.csv", [*GOOD[:2], "2021-01-06,11.5,12,11,-3,-3,150"])
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "leaderlens",
            "ingest",
            "prices",
            str(prices),
            "--asset",
            "ACME",
            "--calendar",
            "XNYS",
            "--workspace",
            str(ws),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2, result.stderr
    assert f"{prices}:4" in result.stderr
    assert "Close" in result.stderr or "close" in result.stderr
    listing = runner.invoke(app, ["ls", "--workspace", str(ws), "--json", str(tmp_path / "l.json")])
    assert listing.exit_code == 0
    assert json.loads((tmp_path / "l.json").read_text())["assets"] == []


def test_skip_writes_a_rejects_file(tmp_path: Path) -> None:
    ws = tmp_path / "w.duckdb"
    prices = write_prices(
        tmp_path / "bad.csv", [GOOD[0], "2021-01-05,x,12,10,11.5,11.5,200", GOOD[2]]
    )
    rejects = tmp_path / "rejects.csv"
    result = runner.invoke(
        app,
        [
            "ingest",
            "prices",
            str(prices),
            "--asset",
            "ACME",
            "--calendar",
            "XNYS",
            "--workspace",
            str(ws),
            "--on-bad-rows",
            "skip",
            "--rejects",
            str(rejects),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "added 2" in result.output and "rejected 1" in result.output
    text = rejects.read_text().splitlines()
    assert text[0] == "file,line,field,reason"
    assert text[1].startswith(f"{prices},3,")


def test_a_missing_file_and_a_bad_option_exit_2(tmp_path: Path) -> None:
    ws = tmp_path / "w.duckdb"
    result = runner.invoke(
        app,
        ["ingest", "prices", str(tmp_path / "nope.csv"), "--asset", "A", "--workspace", str(ws)],
    )
    assert result.exit_code == 2
    assert "no such file" in result.output
    prices = write_prices(tmp_path / "p.csv", GOOD)
    result = runner.invoke(
        app,
        [
            "ingest",
            "prices",
            str(prices),
            "--asset",
            "A",
            "--calendar",
            "XNYS",
            "--on-bad-rows",
            "maybe",
            "--workspace",
            str(ws),
        ],
    )
    assert result.exit_code == 2
    # checked at the door: the option, the allowed values and what arrived
    assert "'--on-bad-rows'" in result.output
    assert "'maybe' is not one of 'error', 'skip'" in result.output


def test_add_declares_entities(tmp_path: Path) -> None:
    ws = str(tmp_path / "w.duckdb")
    assert (
        runner.invoke(
            app,
            [
                "add",
                "leader",
                "musk",
                "--name",
                "Elon Musk",
                "--company",
                "Tesla",
                "--handle",
                "x=@elonmusk",
                "-w",
                ws,
            ],
        ).exit_code
        == 0
    )
    assert (
        runner.invoke(
            app, ["add", "brand", "tesla", "--query-term", "Tesla", "--leader", "musk", "-w", ws]
        ).exit_code
        == 0
    )
    assert (
        runner.invoke(
            app, ["add", "asset", "TSLA", "--calendar", "XNYS", "--benchmark", "SPY", "-w", ws]
        ).exit_code
        == 0
    )
    bad = runner.invoke(app, ["add", "asset", "X", "-w", ws])
    assert bad.exit_code == 2 and "calendar" in bad.output
    import leaderlens as ll

    with ll.Workspace.open(ws) as w:
        assert w.leaders().loc[0, "handles"] == {"x": "@elonmusk"}
        assert list(w.brands().loc[0, "query_terms"]) == ["Tesla"]
        assert w.assets().loc[0, "benchmark_id"] == "SPY"
