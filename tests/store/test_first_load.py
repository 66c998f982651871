"""The first load of an owner (asset + freq, leader, brand) goes straight in, and keeps every
contract of the merging load: exact values, atomicity, idempotent reloads, refused conflicts."""

from __future__ import annotations

import csv
import hashlib
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

import leaderlens as ll
from leaderlens.store import load as load_module


def write_bars(path: Path, n: int, start: str = "2021-01-01T00:00:00+00:00") -> Path:
    rng = np.random.default_rng(7)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, n)))
    times = pd.date_range(start, periods=n, freq="h")
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["timestamp", "open", "high", "low", "close", "volume"])
        for i, (t, c) in enumerate(zip(times, close.tolist(), strict=True)):
            # repr of a Python float round-trips exactly; volumes depend on the row alone, so
            # a longer file repeats a shorter one's rows.
            out.writerow(
                [
                    t.isoformat(),
                    repr(c * 0.999),
                    repr(c * 1.01),
                    repr(c * 0.99),
                    repr(c),
                    i % 997 + 1,
                ]
            )
    return path


def stored(path: Path, sql: str) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_a_first_load_stores_every_row_exactly(tmp_path: Path) -> None:
    source = write_bars(tmp_path / "bars.csv", 300)
    ws_path = tmp_path / "ws.duckdb"
    with ll.Workspace.open(ws_path) as ws:
        report = ws.ingest_prices(source, asset="SYN", calendar="24/7")
    assert (report.rows_added, report.rows_unchanged, report.rows_replaced) == (300, 0, 0)
    rows = stored(
        ws_path,
        "SELECT epoch_us(ts), open, high, low, close, adj_close, volume, load_id FROM bars "
        "ORDER BY ts",
    )
    # Witness: the file read back with the csv module and plain Python parsers.
    with source.open() as handle:
        records = list(csv.DictReader(handle))
    assert len(rows) == len(records) == 300
    for row, rec in zip(rows, records, strict=True):
        instant = datetime.fromisoformat(rec["timestamp"])
        assert row[0] == int(instant.timestamp()) * 1_000_000
        assert row[1:5] == tuple(float(rec[k]) for k in ("open", "high", "low", "close"))
        assert row[5] == float(rec["close"])  # no adjusted close: adj_close = close
        assert row[6] == float(rec["volume"])
        assert row[7] == report.load_id
    digest = stored(ws_path, "SELECT sha256, rows_added FROM loads")
    assert digest == [(hashlib.sha256(source.read_bytes()).hexdigest(), 300)]


def test_the_first_load_is_all_or_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = write_bars(tmp_path / "bars.csv", 50)
    ws_path = tmp_path / "ws.duckdb"
    real = load_module._insert

    def insert_then_fail(*args: object, **kwargs: object) -> int:
        real(*args, **kwargs)  # type: ignore[arg-type]
        raise ll.BadInputError("planted failure after the rows were inserted")

    monkeypatch.setattr(load_module, "_insert", insert_then_fail)
    with ll.Workspace.open(ws_path) as ws, pytest.raises(ll.BadInputError, match="planted"):
        ws.ingest_prices(source, asset="SYN", calendar="24/7")
    assert stored(ws_path, "SELECT count(*) FROM bars") == [(0,)]
    assert stored(ws_path, "SELECT count(*) FROM assets") == [(0,)]
    assert stored(ws_path, "SELECT count(*) FROM loads") == [(0,)]


def test_a_reload_after_the_first_load_adds_nothing(tmp_path: Path) -> None:
    source = write_bars(tmp_path / "bars.csv", 120)
    ws_path = tmp_path / "ws.duckdb"
    with ll.Workspace.open(ws_path) as ws:
        ws.ingest_prices(source, asset="SYN", calendar="24/7")
        again = ws.ingest_prices(source, asset="SYN")
    assert (again.rows_added, again.rows_unchanged, again.load_id) == (0, 120, None)
    assert stored(ws_path, "SELECT count(*), count(DISTINCT ts) FROM bars") == [(120, 120)]
    assert stored(ws_path, "SELECT count(*) FROM loads") == [(1,)]


def test_an_overlapping_file_adds_only_new_rows(tmp_path: Path) -> None:
    ws_path = tmp_path / "ws.duckdb"
    first = write_bars(tmp_path / "a.csv", 100)
    more = write_bars(tmp_path / "b.csv", 150)  # same first 100 rows, then 50 new
    with ll.Workspace.open(ws_path) as ws:
        ws.ingest_prices(first, asset="SYN", calendar="24/7")
        report = ws.ingest_prices(more, asset="SYN")
    assert (report.rows_added, report.rows_unchanged) == (50, 100)
    assert stored(ws_path, "SELECT count(*) FROM bars") == [(150,)]


def test_another_owner_loads_first_without_touching_stored_rows(tmp_path: Path) -> None:
    source = write_bars(tmp_path / "bars.csv", 80)
    ws_path = tmp_path / "ws.duckdb"
    with ll.Workspace.open(ws_path) as ws:
        ws.ingest_prices(source, asset="AAA", calendar="24/7")
        other = ws.ingest_prices(source, asset="BBB", calendar="24/7")
    assert (other.rows_added, other.rows_unchanged) == (80, 0)
    per_asset = stored(ws_path, "SELECT asset_id, count(*) FROM bars GROUP BY 1 ORDER BY 1")
    assert per_asset == [("AAA", 80), ("BBB", 80)]


def test_a_conflicting_repeat_inside_the_file_is_refused_on_a_first_load(tmp_path: Path) -> None:
    source = write_bars(tmp_path / "bars.csv", 30)
    lines = source.read_text().splitlines()
    fields = lines[10].split(",")  # data row 10 (line 11) repeated on line 32 with another close
    fields[4] = repr(float(fields[4]) * 2)
    source.write_text("\n".join([*lines, ",".join(fields)]) + "\n")
    ws_path = tmp_path / "ws.duckdb"
    with ll.Workspace.open(ws_path) as ws, pytest.raises(ll.BadInputError) as info:
        ws.ingest_prices(source, asset="SYN", calendar="24/7")
    assert info.value.line == 32
    assert info.value.field == "timestamp"
    assert stored(ws_path, "SELECT count(*) FROM bars") == [(0,)]


def test_a_statement_id_repeated_with_other_text_is_refused_on_a_first_load(
    tmp_path: Path,
) -> None:
    source = tmp_path / "statements.csv"
    source.write_text(
        "id,time,text\n"
        "1,2021-05-01T10:00:00Z,hello\n"
        "2,2021-05-01T11:00:00Z,world\n"
        "1,2021-05-01T10:00:00Z,changed\n"
    )
    ws_path = tmp_path / "ws.duckdb"
    with ll.Workspace.open(ws_path) as ws, pytest.raises(ll.BadInputError) as info:
        ws.ingest_statements(source, leader="someone")
    assert (info.value.line, info.value.field) == (4, "statement_id")
    assert stored(ws_path, "SELECT count(*) FROM statements") == [(0,)]
    assert stored(ws_path, "SELECT count(*) FROM leaders") == [(0,)]


def test_statements_first_load_round_trips(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "id": ["a", "b", "c"],
            "time": ["2021-05-01T10:00:00Z", "2021-05-01T09:00:00+02:00", "2021-05-02T00:00:00Z"],
            "text": ["one", "two, with a comma", "three\nlines"],
            "likes": ["5", "", "7"],
        }
    )
    source = tmp_path / "s.csv"
    frame.to_csv(source, index=False)
    ws_path = tmp_path / "ws.duckdb"
    with ll.Workspace.open(ws_path) as ws:
        report = ws.ingest_statements(source, leader="someone")
    assert report.rows_added == 3
    rows = stored(
        ws_path,
        "SELECT statement_id, epoch_us(ts), text, likes FROM statements ORDER BY statement_id",
    )
    assert rows == [
        ("a", int(datetime.fromisoformat("2021-05-01T10:00:00+00:00").timestamp() * 1e6), "one", 5),
        ("b", int(datetime.fromisoformat("2021-05-01T07:00:00+00:00").timestamp() * 1e6),
         "two, with a comma", None),
        ("c", int(datetime.fromisoformat("2021-05-02T00:00:00+00:00").timestamp() * 1e6),
         "three\nlines", 7),
    ]  # fmt: skip


def test_only_a_first_load_skips_the_merge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = write_bars(tmp_path / "bars.csv", 40)
    merges: list[str] = []
    real = load_module._merge

    def spy(*args: object, **kwargs: object) -> load_module.Upsert:
        merges.append("merge")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(load_module, "_merge", spy)
    with ll.Workspace.open(tmp_path / "ws.duckdb") as ws:
        ws.ingest_prices(source, asset="SYN", calendar="24/7")
        assert merges == []
        ws.ingest_prices(source, asset="SYN")
        assert merges == ["merge"]
