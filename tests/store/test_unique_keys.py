"""No natural key is ever stored twice: the workspace tables carry no uniqueness constraint
(one would slow bulk loads several-fold), so the readers and the merge enforce it. Witness:
after any sequence of loads, counted by DuckDB itself, every owner + key appears once."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import leaderlens as ll

KEY_SQL = {
    "bars": "SELECT count(*) - count(DISTINCT (asset_id, freq, ts)) FROM bars",
    "statements": "SELECT count(*) - count(DISTINCT (leader_id, statement_id)) FROM statements",
}


def repeated_keys(path: Path) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {table: int(con.execute(sql).fetchall()[0][0]) for table, sql in KEY_SQL.items()}
    finally:
        con.close()


@st.composite
def hours(draw: st.DrawFn) -> list[int]:
    """A run of consecutive hours (so the spacing stays hourly) and some of them again."""
    start, n = draw(st.integers(0, 20)), draw(st.integers(2, 12))
    again = draw(st.lists(st.integers(0, n - 1), max_size=5))
    return list(range(start, start + n)) + [start + k for k in again]


# One load: the rows' hours (repeats within the load allowed), a level, an on_conflict.
loads = st.lists(
    st.tuples(hours(), st.sampled_from([1.0, 2.0]), st.sampled_from(["error", "keep", "replace"])),
    min_size=1,
    max_size=4,
)


def bars_frame(hours: list[int], level: float) -> pd.DataFrame:
    start = pd.Timestamp("2021-01-01", tz="UTC")
    return pd.DataFrame(
        {
            "ts": [start + pd.Timedelta(hours=h) for h in hours],
            "close": [level + h for h in hours],  # a repeated hour repeats its whole row
        }
    )


def statements_frame(ids: list[int], level: float) -> pd.DataFrame:
    start = pd.Timestamp("2021-01-01", tz="UTC")
    return pd.DataFrame(
        {
            "id": [f"s{i}" for i in ids],
            "time": [start + pd.Timedelta(minutes=i) for i in ids],
            "text": [f"post {i} at level {level}" for i in ids],
        }
    )


@settings(max_examples=15, deadline=None)
@given(plan=loads)
def test_no_key_is_stored_twice_whatever_the_loads(
    plan: list[tuple[list[int], float, str]],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ws.duckdb"
        with ll.Workspace.open(path) as ws:
            for rows, level, on_conflict in plan:
                # A conflict under "error" refuses the whole load: nothing of it is stored.
                with contextlib.suppress(ll.ConflictError):
                    ws.ingest_prices(
                        bars_frame(rows, level),
                        asset="SYN",
                        calendar="24/7",
                        freq="1h",
                        on_conflict=on_conflict,
                    )
                with contextlib.suppress(ll.ConflictError):
                    ws.ingest_statements(
                        statements_frame(rows, level), leader="someone", on_conflict=on_conflict
                    )
        assert repeated_keys(path) == {"bars": 0, "statements": 0}


def test_a_file_repeating_a_row_and_loaded_twice_stores_it_once(tmp_path: Path) -> None:
    source = tmp_path / "s.csv"
    source.write_text(
        "id,time,text\n"
        "1,2021-05-01T10:00:00Z,hello\n"
        "2,2021-05-01T11:00:00Z,world\n"
        "1,2021-05-01T10:00:00Z,hello\n"  # the same row again in the same file
    )
    ws_path = tmp_path / "ws.duckdb"
    with ll.Workspace.open(ws_path) as ws:
        first = ws.ingest_statements(source, leader="someone")
        second = ws.ingest_statements(source, leader="someone")
        third = ws.ingest_statements(source, leader="someone", on_conflict="replace")
    assert (first.rows_added, second.rows_added, third.rows_added) == (2, 0, 0)
    assert (second.rows_unchanged, third.rows_replaced) == (2, 0)
    assert repeated_keys(ws_path)["statements"] == 0
    con = duckdb.connect(str(ws_path), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM statements").fetchall() == [(2,)]
    finally:
        con.close()


@pytest.mark.parametrize("on_conflict", ["keep", "replace"])
def test_a_conflicting_reload_keeps_one_row_per_key(tmp_path: Path, on_conflict: str) -> None:
    ws_path = tmp_path / "ws.duckdb"
    with ll.Workspace.open(ws_path) as ws:
        ws.ingest_prices(bars_frame([0, 1, 2], 1.0), asset="SYN", calendar="24/7", freq="1h")
        report = ws.ingest_prices(
            bars_frame([1, 2, 3], 2.0), asset="SYN", freq="1h", on_conflict=on_conflict
        )
        closes = ws.bars("SYN", freq="1h")["close"].tolist()
    assert report.rows_added == 1
    assert (report.rows_kept, report.rows_replaced) == ((2, 0) if on_conflict == "keep" else (0, 2))
    assert closes == ([1.0, 2.0, 3.0, 5.0] if on_conflict == "keep" else [1.0, 3.0, 4.0, 5.0])
    assert repeated_keys(ws_path)["bars"] == 0


def test_a_merge_touches_only_its_own_owner(tmp_path: Path) -> None:
    ws_path = tmp_path / "ws.duckdb"
    with ll.Workspace.open(ws_path) as ws:
        for asset in ("AAA", "BBB"):
            ws.ingest_prices(bars_frame([0, 1, 2], 1.0), asset=asset, calendar="24/7", freq="1h")
        report = ws.ingest_prices(
            bars_frame([1, 2, 3], 2.0), asset="BBB", freq="1h", on_conflict="replace"
        )
        aaa = ws.bars("AAA", freq="1h")["close"].tolist()
        bbb = ws.bars("BBB", freq="1h")["close"].tolist()
    # Witness: the frames' own closes (level + hour), written out by hand.
    assert (report.rows_added, report.rows_replaced, report.rows_unchanged) == (1, 2, 0)
    assert aaa == [1.0, 2.0, 3.0]
    assert bbb == [1.0, 3.0, 4.0, 5.0]
    assert repeated_keys(ws_path)["bars"] == 0
