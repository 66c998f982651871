"""The demo world with one hostile statement: what the report and web tests read."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import leaderlens as ll

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>"
HOSTILE_ID = "lw-hostile"


def build_world(path: Path, annotate: bool = True) -> Path:
    """Demo world (seed 7) plus a statement of lin_wei whose text is an HTML injection."""
    ll.build_demo(path, seed=7)
    hostile = pd.DataFrame(
        {
            "statement_id": [HOSTILE_ID],
            "ts": [pd.Timestamp("2023-07-05T02:00:00Z")],
            "channel": ["weibo"],
            "text": [HOSTILE],
            "is_reply": [False],
        }
    )
    with ll.Workspace.open(path) as ws:
        ws.ingest_statements(hostile, leader="lin_wei")
        if annotate:
            ll.annotate_workspace(ws, all=True, progress=False, workers=1)
    return path
