"""Report and dashboard speed: a leader with 30,000 statements and 10 years of daily prices.

Targets (issue "Where people look"): the report builds in under 15 seconds and the file stays
under 15 MB; dashboard pages answer in under 300 ms at the median with 20 concurrent clients
on loopback (a bounded load run: each client asks for the overview and event drill-downs).

    python bench/report.py                        # 30,000 statements, 10 years, 20 clients
    python bench/report.py --statements 5000 --years 3 --clients 5 --requests 10
"""

from __future__ import annotations

import argparse
import socket
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import exchange_calendars as xcals
import httpx
import numpy as np
import pandas as pd

import leaderlens as ll
from leaderlens.report import build_report
from leaderlens.web import create_app

WORDS = [
    "love",
    "the",
    "new",
    "car",
    "launch",
    "today",
    "drove",
    "it",
    "team",
    "thanks",
    "customers",
    "price",
    "great",
    "update",
]


def make_workspace(path: Path, n_statements: int, years: int, seed: int = 0) -> None:
    """One leader, a stock on XNYS with a market index, ``years`` of sessions, statements
    spread uniformly over the period (annotated, so the persona is available)."""
    rng = np.random.default_rng(seed)
    end = pd.Timestamp("2024-12-31")
    sessions = xcals.get_calendar("XNYS").sessions_in_range(end - pd.DateOffset(years=years), end)
    ts = pd.DatetimeIndex(sessions).tz_localize("UTC")
    market = 4000 * np.exp(np.cumsum(rng.normal(3e-4, 0.011, len(ts))))
    stock = 100 * np.exp(
        np.cumsum(1.2 * np.log(np.r_[1, market[1:] / market[:-1]]) + rng.normal(0, 0.02, len(ts)))
    )

    def bars(close: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "ts": ts,
                "open": close,
                "high": close * 1.01,
                "low": close * 0.99,
                "close": close,
                "adj_close": close,
                "volume": 1e6,
            }
        )

    start_ns, end_ns = ts[0].value, ts[-1].value
    times = pd.to_datetime(np.sort(rng.integers(start_ns, end_ns, n_statements)), utc=True)
    texts = [" ".join(rng.choice(WORDS, 8)) for _ in range(n_statements)]
    statements = pd.DataFrame(
        {
            "statement_id": [f"b{i:06d}" for i in range(n_statements)],
            "ts": times,
            "channel": rng.choice(["x", "interview", "keynote"], n_statements, p=[0.9, 0.07, 0.03]),
            "text": texts,
            "is_reply": rng.random(n_statements) < 0.3,
        }
    )
    with ll.Workspace.open(path) as ws:
        ws.add_leader("bench", name="Bench Leader", company="Bench Corp")
        ws.add_asset("MKT", calendar="XNYS", name="Market index", kind="index")
        ws.add_asset(
            "BNCH", calendar="XNYS", name="Bench Corp stock", benchmark="MKT", kind="stock"
        )
        ws.ingest_prices(bars(market), asset="MKT", freq="1d")
        ws.ingest_prices(bars(stock), asset="BNCH", freq="1d")
        ws.ingest_statements(statements, leader="bench")
        ll.annotate_workspace(ws, leader="bench", progress=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load_run(path: Path, clients: int, requests: int, n_events: int) -> list[float]:
    """Seconds per answer of ``clients`` concurrent clients, ``requests`` pages each."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(path), host="127.0.0.1", port=port, log_level="error")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    with httpx.Client(timeout=120) as warm:  # the first answer computes and caches the study
        warm.get(base + "/leaders/bench").raise_for_status()

    def client(k: int) -> list[float]:
        rng = np.random.default_rng(k)
        spent = []
        with httpx.Client(timeout=120) as c:
            for i in range(requests):
                url = (
                    f"/leaders/bench/events/{int(rng.integers(0, n_events))}"
                    if i % 4
                    else "/leaders/bench"
                )
                started = time.perf_counter()
                c.get(base + url).raise_for_status()
                spent.append(time.perf_counter() - started)
        return spent

    with ThreadPoolExecutor(clients) as pool:
        times = [t for part in pool.map(client, range(clients)) for t in part]
    server.should_exit = True
    thread.join(timeout=10)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=30_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=20, help="pages per client")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="leaderlens-bench-report-") as folder:
        path = Path(folder) / "bench.duckdb"
        started = time.perf_counter()
        make_workspace(path, args.statements, args.years)
        print(
            f"workspace: {args.statements:,} statements, {args.years} years "
            f"({time.perf_counter() - started:.1f} s to build)"
        )
        out = Path(folder) / "report.html"
        with ll.Workspace.open(path, read_only=True) as ws:
            started = time.perf_counter()
            content = build_report(ws, "bench", out)
            spent = time.perf_counter() - started
        size = out.stat().st_size / 1e6
        print(
            f"report: {spent:.1f} s (target < 15 s), {size:.1f} MB (target < 15 MB), "
            f"{len(content.study.events):,} events"
        )
        times = load_run(path, args.clients, args.requests, len(content.study.events))
        median = statistics.median(times) * 1000
        p95 = float(np.quantile(times, 0.95)) * 1000
        print(
            f"dashboard: {len(times)} answers to {args.clients} concurrent clients, median "
            f"{median:.0f} ms (target < 300 ms), p95 {p95:.0f} ms"
        )


if __name__ == "__main__":
    main()
