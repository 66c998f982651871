"""Start-up time: how long ``import leaderlens`` and everyday commands take before they answer,
against a bare interpreter in the same run.

Targets (issue "A fresh machine"): ``leaderlens --help`` within 0.3 s of a bare
``python -c pass``, and ``import leaderlens`` within 0.5 s of it. ``leaderlens --version`` and
``leaderlens ls`` (on a small workspace: a leader, a brand and a month of daily prices) are
measured beside them. The commands run round-robin, so that a change in the machine's load
touches every command alike; each row gives the median wall time and the median CPU time (user
+ system) of the child process, and the difference of the medians from the bare interpreter.
On a machine busier than its cores, wall time grows with the CPU a command needs (the header
prints the load average): the CPU column says what the command itself costs.

    python bench/startup.py                 # 9 rounds
    python bench/startup.py --rounds 21
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGETS = {"import leaderlens": 0.5, "leaderlens --help": 0.3}


def small_workspace(folder: Path) -> Path:
    """A leader, a brand and 21 daily closes of one stock: what ``ls`` shows at a glance."""
    import pandas as pd

    import leaderlens as ll

    path = folder / "small.duckdb"
    days = pd.bdate_range("2024-04-01", periods=21)  # no holiday: all sessions
    prices = folder / "VLTR.csv"
    pd.DataFrame({"Date": days.strftime("%Y-%m-%d"), "Close": range(100, 121)}).to_csv(
        prices, index=False
    )
    with ll.Workspace.open(path) as ws:
        ws.add_leader("musk", name="Elon Musk", company="Tesla")
        ws.add_brand("tesla", name="Tesla", query_terms=["tesla"], leader_ids=["musk"])
        ws.ingest_prices(prices, asset="VLTR", calendar="XNYS", tz="America/New_York")
    return path


def timed(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one child process run to its end."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            raise SystemExit(f"{' '.join(argv)} failed: {errors.read().decode()}")
    return wall, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9, help="Runs of each command.")
    args = parser.parse_args()

    python = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        workspace = str(small_workspace(Path(tmp)))
        commands = {
            "python -c pass": [python, "-c", "pass"],
            "import leaderlens": [python, "-c", "import leaderlens"],
            "leaderlens --help": [python, "-m", "leaderlens", "--help"],
            "leaderlens --version": [python, "-m", "leaderlens", "--version"],
            "leaderlens ls": [python, "-m", "leaderlens", "ls", "-w", workspace],
        }
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for _ in range(args.rounds):
            for name, argv in commands.items():
                runs[name].append(timed(argv))

    wall = {name: statistics.median(w for w, _ in r) for name, r in runs.items()}
    cpu = {name: statistics.median(c for _, c in r) for name, r in runs.items()}
    bare = "python -c pass"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"{args.rounds} rounds, medians; python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
        f"load average {load}"
    )
    print(f"{'command':<22} {'wall s':>7} {'cpu s':>7} {'wall - bare':>12}  target")
    for name in commands:
        extra = wall[name] - wall[bare]
        target = TARGETS.get(name)
        verdict = (
            "" if target is None else f"<= {target} s: {'met' if extra <= target else 'MISSED'}"
        )
        print(f"{name:<22} {wall[name]:7.3f} {cpu[name]:7.3f} {extra:12.3f}  {verdict}")


if __name__ == "__main__":
    main()
