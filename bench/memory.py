"""Peak memory of the command line on large inputs, against stated bounds.

Each case runs ``leaderlens`` in a fresh process and reads that process's peak resident set
size (``getrusage`` ``ru_maxrss``), so imports and everything the command holds are counted:

1. ``ingest prices`` of a bars CSV of ``--csv-mb`` megabytes (minute bars, six columns);
2. ``ingest statements`` of a gzip decompression bomb (a few MB inflating to ``--bomb-mb``),
   which must be refused with a message (exit 2) before it fills memory;
3. ``study --events --bars --engine duckdb --json`` of ``--events`` events (the layout of
   bench/scale.py: 100 events per asset, 261-bar windows), JSON written.

Bounds (``--bound-ingest-gb``, ``--bound-study-gb``; defaults 2 and 4 GB, meant for a 1 GB
CSV and 1,000,000 events) are checked and the script exits 1 when one is passed.

    python bench/memory.py                               # 1 GB CSV, 1,000,000 events
    python bench/memory.py --csv-mb 200 --events 100000  # a shared machine
    python bench/memory.py --cases study --events 100000
"""

from __future__ import annotations

import argparse
import gzip
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale import generate  # bench/scale.py: the event-study layout

RUN = """
import resource, runpy, sys
sys.argv = ["leaderlens", *sys.argv[1:]]
code = 0
try:
    runpy.run_module("leaderlens", run_name="__main__")
except SystemExit as exc:
    code = exc.code or 0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
print(f"@@peak {peak} {code}", file=sys.stderr)
"""


def peak_of(*args: str) -> tuple[float, int, float, str]:
    """(peak GB, exit code, seconds, last stderr line) of one ``leaderlens`` run."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", RUN, *args], capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    marks = [line for line in done.stderr.splitlines() if line.startswith("@@peak")]
    if not marks:
        raise SystemExit(f"no measurement: {done.stderr[-800:]}")
    _, kib, code = marks[-1].split()
    said = [line for line in done.stderr.splitlines() if not line.startswith("@@")]
    return int(kib) / 2**20, int(code), seconds, (said[-1] if said else "")


def bars_csv(path: Path, megabytes: float) -> int:
    """Minute bars written in chunks until the file reaches ``megabytes``; rows written."""
    rng = np.random.default_rng(0)
    rows, start = 0, pd.Timestamp("1990-01-01", tz="UTC")
    with path.open("w") as handle:
        handle.write("timestamp,open,high,low,close,volume\n")
        while path.stat().st_size < megabytes * 1e6:
            n = 500_000
            close = 100 * np.exp(np.cumsum(rng.normal(0, 0.002, n)))
            frame = pd.DataFrame(
                {
                    "timestamp": pd.date_range(start, periods=n, freq="min").strftime(
                        "%Y-%m-%dT%H:%M:%SZ"
                    ),
                    "open": close.round(4),
                    "high": (close * 1.01).round(4),
                    "low": (close * 0.99).round(4),
                    "close": close.round(4),
                    "volume": rng.integers(1, 10**6, n),
                }
            )
            frame.to_csv(handle, header=False, index=False)
            handle.flush()
            rows, start = rows + n, start + pd.Timedelta(minutes=n)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv-mb", type=float, default=1000)
    parser.add_argument("--bomb-mb", type=float, default=1000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--bound-ingest-gb", type=float, default=2.0)
    parser.add_argument("--bound-study-gb", type=float, default=4.0)
    cases = ("ingest", "bomb", "study")
    parser.add_argument("--cases", nargs="*", choices=cases, default=list(cases))
    options = parser.parse_args()
    failed: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if "ingest" in options.cases:
            failed += ingest_case(folder, options)
        if "bomb" in options.cases:
            failed += bomb_case(folder, options)
        if "study" in options.cases:
            failed += study_case(folder, options)
    print(f"bounds: ingest {options.bound_ingest_gb} GB, study {options.bound_study_gb} GB: "
          + ("all within" if not failed else f"passed by {', '.join(failed)}"))  # fmt: skip
    raise SystemExit(1 if failed else 0)


def ingest_case(folder: Path, options: argparse.Namespace) -> list[str]:
    csv = folder / "bars.csv"
    rows = bars_csv(csv, options.csv_mb)
    size = csv.stat().st_size / 1e6
    gb, code, seconds, _ = peak_of(
        "ingest", "prices", str(csv), "--asset", "BIG", "--calendar", "24/7",
        "--workspace", str(folder / "ws.duckdb"),
    )  # fmt: skip
    print(f"ingest prices {size:,.0f} MB CSV ({rows:,} rows): peak {gb:.2f} GB, exit "
          f"{code}, {seconds:.0f} s")  # fmt: skip
    csv.unlink()
    return ["ingest"] if gb > options.bound_ingest_gb or code != 0 else []


def bomb_case(folder: Path, options: argparse.Namespace) -> list[str]:
    bomb = folder / "bomb.csv.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as handle:
        handle.write(b"id,time,text\n")
        block = b"0" * (1 << 20)
        for _ in range(int(options.bomb_mb)):
            handle.write(block)
    gb, code, _, said = peak_of(
        "ingest", "statements", str(bomb), "--leader", "x",
        "--workspace", str(folder / "ws.duckdb"),
    )  # fmt: skip
    print(f"gzip bomb {bomb.stat().st_size / 1e6:.1f} MB -> {options.bomb_mb:,.0f} MB: "
          f"peak {gb:.2f} GB, exit {code} ({said.strip()[:90]})")  # fmt: skip
    return ["bomb"] if code != 2 or gb > options.bound_ingest_gb else []


def study_case(folder: Path, options: argparse.Namespace) -> list[str]:
    bars, events = generate(folder, options.events)
    gb, code, seconds, said = peak_of(
        "study", "--events", str(events), "--bars", str(bars), "--engine", "duckdb",
        "--benchmark", "MKT", "--window", "-10,10", "--estimation", "-250,-11",
        "--json", str(folder / "study.json"),
    )  # fmt: skip
    print(f"study of {options.events:,} events with --json: peak {gb:.2f} GB, exit {code}, "
          f"{seconds:.0f} s, JSON {(folder / 'study.json').stat().st_size / 1e6:,.0f} MB"
          if code == 0 else f"study failed: {said}")  # fmt: skip
    return ["study"] if gb > options.bound_study_gb or code != 0 else []


if __name__ == "__main__":
    main()
