"""``leaderlens report`` and ``leaderlens serve`` as commands (registered here on a local app,
as the lead registers them on the main one): exit codes, messages, files written."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from leaderlens.cli.report import report, serve

app = typer.Typer()
app.command("report")(report)
app.command("serve")(serve)
runner = CliRunner()


def test_report_html_json_and_tables(world_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "sam.html"
    done = runner.invoke(
        app,
        [
            "report",
            "--workspace",
            str(world_path),
            "--leader",
            "sam_archer",
            "--out",
            str(out),
            "--tables",
            str(tmp_path / "tables"),
            "--table-format",
            "csv",
        ],
    )
    assert done.exit_code == 0, done.output
    assert "report of sam_archer on KNTE" in done.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert (tmp_path / "tables" / "events.csv").is_file()
    assert not (tmp_path / "tables" / "events.json").exists()
    js = tmp_path / "sam.json"
    done = runner.invoke(
        app,
        [
            "report",
            "-w",
            str(world_path),
            "--leader",
            "sam_archer",
            "--format",
            "json",
            "--out",
            str(js),
            "--model",
            "market-adjusted",
            "--window",
            "0,1",
        ],
    )
    assert done.exit_code == 0, done.output
    doc = json.loads(js.read_text(encoding="utf-8"))
    assert doc["event_study"]["settings"]["model"] == "market-adjusted"
    assert doc["event_study"]["settings"]["window"] == [0, 1]


def test_report_bad_input_exits_2(world_path: Path, tmp_path: Path) -> None:
    cases = [
        (["--leader", "sam_archer", "--format", "pdf"], "format"),
        (["--leader", "nobody"], "nobody"),
        (["--leader", "sam_archer", "--window", "a,b"], "--window"),
        (["--leader", "sam_archer", "--model", "magic"], "model"),
        (["--leader", "sam_archer", "--asset", "NOPE"], "NOPE"),
    ]
    for args, word in cases:
        done = runner.invoke(
            app, ["report", "-w", str(world_path), "--out", str(tmp_path / "x"), *args]
        )
        assert done.exit_code == 2, (args, done.output)
        assert word in done.output


def test_serve_refuses_a_non_local_host_without_token(world_path: Path) -> None:
    done = runner.invoke(app, ["serve", "-w", str(world_path), "--host", "0.0.0.0"])
    assert done.exit_code == 2
    assert "--token" in done.output
