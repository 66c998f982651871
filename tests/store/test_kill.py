"""Killing the process mid-load (kill -9) leaves the workspace as it was before that load."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb

from leaderlens.store.opening import side_path

CHILD = textwrap.dedent(
    """
    import sys
    import numpy as np
    import pandas as pd
    import leaderlens as ll

    def bars(n, start):
        close = 100 + np.arange(n) % 97 + 1.0
        return pd.DataFrame({"ts": pd.date_range(start, periods=n, freq="min", tz="UTC"),
                             "close": close})

    with ll.Workspace.open(sys.argv[1]) as ws:
        ws.ingest_prices(bars(1000, "2000-01-01"), asset="SMALL", calendar="24/7")
        big = bars(int(sys.argv[2]), "2001-01-01")
        print("loading", flush=True)
        ws.ingest_prices(big, asset="BIG", calendar="24/7")
        print("done", flush=True)
    """
)


def counts(path: Path) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute("SELECT asset_id, count(*) FROM bars GROUP BY 1").fetchall()
        return {str(a): int(n) for a, n in rows}
    finally:
        con.close()


def test_kill_9_at_random_points_keeps_the_workspace_whole(tmp_path: Path) -> None:
    """Killed anywhere in a load (reading, copying, writing, publishing), the workspace holds
    the earlier load and nothing of the killed one; the next writer clears what the killed one
    left and loads in full; reads work throughout. A fresh seed each run (printed on failure)
    explores other points."""
    seed = int.from_bytes(os.urandom(4), "little")
    rng = random.Random(seed)
    n_big = 600_000

    def start(path: Path) -> tuple[subprocess.Popen[str], float]:
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(path), str(n_big)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "loading"
        return child, time.monotonic()

    # How long the load takes on this machine now: kills are timed within it, so that they land
    # in the load whether the machine is quiet (a fraction of a second) or busy (seconds).
    calibration, began = start(tmp_path / "calibration.duckdb")
    assert calibration.stdout is not None and calibration.stdout.readline().strip() == "done"
    took = time.monotonic() - began
    calibration.wait()
    outcomes = []
    for trial in range(2):
        path = tmp_path / f"ws-{trial}.duckdb"
        child, _ = start(path)
        assert child.stdout is not None
        delay = rng.uniform(0.05, 0.9) * took
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait()
        finished = child.stdout.read().strip() == "done"
        state = counts(path)
        # Either the load is wholly there or wholly absent; never part of it.
        assert state in ({"SMALL": 1000}, {"SMALL": 1000, "BIG": n_big}), (seed, delay, state)
        outcomes.append((finished, delay, state))
    # The last killed workspace (maybe with a stale side file) takes the load again in full.
    rerun = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), "50000"], capture_output=True, text=True
    )
    assert rerun.returncode == 0, (seed, rerun.stderr[-500:])
    assert counts(path)["SMALL"] == 1000
    assert not side_path(path).exists()
    assert any(not done for done, _, _ in outcomes), (seed, outcomes)  # one kill hit a load
