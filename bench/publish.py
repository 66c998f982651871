"""What a write costs beyond itself: the copy of the workspace a writer makes and publishes.

Loads minute bars (``--rows``) into a new workspace, then times a write that changes almost
nothing (open for writing, ``add_leader``, close: one copy of the file, one atomic rename),
best of ``--repeat``. That time is the overhead every load pays for readers never waiting
(docs/workspace.md).

    python bench/publish.py                 # 3,000,000 bars
    python bench/publish.py --rows 1e7
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import leaderlens as ll


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=float, default=3e6)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    n = int(options.rows)
    rng = np.random.default_rng(0)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.002, n)))
    frame = pd.DataFrame(
        {
            "ts": pd.date_range("1990-01-01", periods=n, freq="min", tz="UTC"),
            "open": close,
            "high": close * 1.01,
            "low": close * 0.99,
            "close": close,
            "volume": rng.integers(1, 10**6, n).astype(float),
        }
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ws.duckdb"
        with ll.Workspace.open(path) as ws:
            ws.ingest_prices(frame, asset="A", calendar="24/7")
        size = path.stat().st_size / 1e6
        times = []
        for i in range(options.repeat):
            started = time.perf_counter()
            with ll.Workspace.open(path) as ws:
                ws.add_leader(f"leader{i}")
            times.append(time.perf_counter() - started)
    print(
        f"workspace {size:,.0f} MB ({n:,} bars): a write's copy and publish {min(times):.2f} s "
        f"(best of {options.repeat}; {size / min(times):,.0f} MB/s)"
    )


if __name__ == "__main__":
    main()
