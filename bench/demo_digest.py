"""A digest of the demo world per frame and per day, to compare it across installs.

Run it under two versions of a dependency and diff the outputs: every line that differs names a
frame and a day the versions disagree on. Under exchange_calendars 4.13.3 and 4.13.2 (which
lists the Hong Kong weather closures of 2023-09-01 and 2023-09-08 as sessions) only HKX and
ORBT.HK differ, on those two days and the sessions after them (2023-09-04, 2023-09-11):

    python bench/demo_digest.py > new.txt
    uv pip install --target /tmp/ec4132 --no-deps exchange_calendars==4.13.2
    PYTHONPATH=src:/tmp/ec4132 python bench/demo_digest.py > old.txt
    diff old.txt new.txt
"""

from __future__ import annotations

import argparse
import hashlib

import exchange_calendars as xcals
import pandas as pd

from leaderlens.demo import generate_world


def digests(frame: pd.DataFrame) -> pd.Series:
    """sha256 (12 hex digits) of each UTC day's rows of ``frame``, by day."""
    day = frame["ts"].dt.strftime("%Y-%m-%d")
    rows = pd.util.hash_pandas_object(frame, index=False)
    return rows.groupby(day.to_numpy()).agg(
        lambda h: hashlib.sha256(h.to_numpy().tobytes()).hexdigest()[:12]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    seed = parser.parse_args().seed
    world = generate_world(seed)
    print(f"# seed {seed}, exchange_calendars {xcals.__version__}")
    frames = {f"bars {a} {f}": v for (a, f), v in world.bars.items()}
    frames |= {f"attention {b} {m}": v for (b, m), v in world.attention.items()}
    frames |= {f"statements {k}": v for k, v in world.statements.items()}
    frames |= {f"brand_posts {k}": v for k, v in world.brand_posts.items()}
    frames |= {f"mentions {k}": v for k, v in world.mentions.items()}
    for name, frame in frames.items():
        for day, digest in digests(frame).items():
            print(name, day, digest)


if __name__ == "__main__":
    main()
