"""Killing the process mid-load (kill -9) leaves the workspace as it was before that load."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb

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


def test_kill_9_mid_load_keeps_the_workspace_whole(tmp_path: Path) -> None:
    n_big = 3_000_000
    outcomes = []
    for delay in (0.05, 0.4, 1.0):
        path = tmp_path / f"ws-{delay}.duckdb"
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(path), str(n_big)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "loading"
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait()
        finished = child.stdout.read().strip() == "done"
        state = counts(path)
        # Either the load is wholly there or wholly absent; never part of it.
        assert state in ({"SMALL": 1000}, {"SMALL": 1000, "BIG": n_big}), state
        outcomes.append((finished, state))
    assert any(state == {"SMALL": 1000} and not done for done, state in outcomes), outcomes
