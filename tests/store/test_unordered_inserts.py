"""Loads let DuckDB store rows in any order (faster, and a smaller file for texts): every row
still arrives exactly once, reads come back in time order, and the database setting is put
back after a load, also after a refused one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import leaderlens as ll
from leaderlens.errors import ConflictError


def insertion_order_kept(ws: ll.Workspace) -> bool:
    row = ws.connection.execute("SELECT current_setting('preserve_insertion_order')").fetchall()
    return bool(row[0][0])


def statements(n: int, level: int) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    return pd.DataFrame(
        {
            "id": [f"s{k:06d}" for k in rng.permutation(n)],  # ids in no order
            "time": pd.date_range("2020-01-01", periods=n, freq="min", tz="UTC"),
            "text": [f"text {k}" for k in range(n)],
            "likes": np.arange(n) + level,
        }
    )


def test_every_row_arrives_once_and_reads_are_in_time_order(tmp_path: Path) -> None:
    frame = statements(150_000, 0)  # above a DuckDB row group: threads write in parallel
    with ll.Workspace.open(tmp_path / "w.duckdb") as ws:
        assert insertion_order_kept(ws)
        ws.ingest_statements(frame, leader="a")
        assert insertion_order_kept(ws)
        stored = ws.statements("a")
    # Witness: the frame itself, row by row.
    assert stored["ts"].is_monotonic_increasing
    mine = stored.set_index("statement_id")[["text", "likes"]].sort_index()
    given = frame.set_index("id")[["text", "likes"]].sort_index()
    assert list(mine.index) == list(given.index)
    assert mine["text"].tolist() == given["text"].tolist()
    assert mine["likes"].tolist() == given["likes"].tolist()


def test_the_setting_is_put_back_after_a_refused_load(tmp_path: Path) -> None:
    with ll.Workspace.open(tmp_path / "w.duckdb") as ws:
        ws.ingest_statements(statements(1_000, 0), leader="a")
        with pytest.raises(ConflictError):
            ws.ingest_statements(statements(1_000, 1), leader="a")  # same ids, other likes
        assert insertion_order_kept(ws)
        assert len(ws.statements("a")) == 1_000
