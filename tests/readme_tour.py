"""Run the README's tour: its shell blocks, command by command, in one folder, against the
shared data. ``leaderlens`` commands run in this process (through the CLI's Typer app, so the
package is imported once); any other line (``printf ... > file``) runs in bash."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from contextlib import chdir
from dataclasses import dataclass
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


@dataclass(frozen=True)
class Step:
    command: str
    exit_code: int
    output: str


def tour_blocks(readme: Path = README) -> list[list[str]]:
    """The ``sh`` blocks of the tour section, each as its commands (continuations joined,
    comments and blank lines dropped)."""
    text = readme.read_text(encoding="utf-8")
    section = text.split("## A 5-minute tour", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    out = []
    for block in blocks:
        joined = re.sub(r"\s*\\\n\s*", " ", block)
        lines = [line.split("  #")[0].strip() for line in joined.splitlines()]
        out.append([line for line in lines if line and not line.startswith("#")])
    return out


def run_block(commands: list[str], folder: Path, data: Path) -> list[Step]:
    """Run ``commands`` in ``folder`` with ``D`` set to ``data``; stop at the first failure."""
    from typer.testing import CliRunner

    from leaderlens.cli.main import app

    env = {"D": str(data)}
    steps = []
    runner = CliRunner()
    with chdir(folder):
        for command in commands:
            assignment = re.fullmatch(r"(?:export\s+)?([A-Z_]+)=(\S+)", command)
            if assignment:
                name, value = assignment.groups()
                env[name] = str(data) if name == "D" else value
                continue
            expanded = re.sub(r"\$(\w+)", lambda m: env.get(m.group(1), m.group(0)), command)
            if expanded.startswith("leaderlens "):
                result = runner.invoke(
                    app, shlex.split(expanded)[1:], env={**os.environ, **env}, catch_exceptions=True
                )
                step = Step(command, result.exit_code, result.output + str(result.exception or ""))
            else:
                done = subprocess.run(
                    ["bash", "-c", expanded], capture_output=True, text=True, check=False
                )
                step = Step(command, done.returncode, done.stdout + done.stderr)
            steps.append(step)
            if step.exit_code != 0:
                break
    return steps
