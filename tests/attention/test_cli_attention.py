"""The ``attention`` commands on the demo workspace: output, JSON files, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leaderlens.cli.attention import attention_app

runner = CliRunner()


@pytest.mark.parametrize(
    ("command", "extra", "expect"),
    [
        ("amplification", ["--boot", "99"], "times the attention"),
        ("lift", ["--brand", "keynote"], "attention lift of keynote"),
        ("share-of-voice", [], "leader share of voice"),
        ("spikes", [], "spikes"),
        ("leadlag", ["--maxlags", "7"], "Granger"),
        ("playbook", [], "playbook by channel"),
    ],
)
def test_commands_write_json(
    demo_path: Path, tmp_path: Path, command: str, extra: list[str], expect: str
) -> None:
    target = tmp_path / f"{command}.json"
    args = [command, "--workspace", str(demo_path), "--json", str(target)]
    if "--brand" not in extra:
        args += ["--brand", "orbit"]
    result = runner.invoke(attention_app, args + extra)
    assert result.exit_code == 0, result.output
    assert expect in result.output
    payload = json.loads(target.read_text())
    assert payload["summary"] and isinstance(payload["rows"], list)


def test_bad_input_exit_code(demo_path: Path) -> None:
    result = runner.invoke(
        attention_app, ["playbook", "--brand", "orbit", "--by", "mood", "-w", str(demo_path)]
    )
    assert result.exit_code == 2
    result = runner.invoke(attention_app, ["lift", "--brand", "voltra", "-w", str(demo_path)])
    assert result.exit_code == 2  # posts too dense for event-by-event lifts
    result = runner.invoke(attention_app, ["spikes", "--brand", "nope", "-w", str(demo_path)])
    assert result.exit_code == 2
