"""Nothing is lost or assumed without a word: a quote left open, a header without rows and
missing prices are refused or noted with their lines; suspicious but valid inputs get a note."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import leaderlens as ll


def test_a_quote_left_open_is_refused_at_its_line_and_field(tmp_path: Path) -> None:
    rows = [f"{i},2021-01-01T{i % 24:02d}:00:00Z,hello {i}" for i in range(1000)]
    rows[2] = '2,2021-01-01T02:00:00Z,"an open quote'
    source = tmp_path / "s.csv"
    source.write_text("id,time,text\n" + "\n".join(rows) + "\n")
    with pytest.raises(ll.BadInputError, match="never closed") as info:
        ll.read_statements(source)
    assert (info.value.line, info.value.field) == (4, "text")


def test_quotes_that_close_are_read_as_usual(tmp_path: Path) -> None:
    source = tmp_path / "s.csv"
    source.write_text(
        'id,time,text\n1,2021-01-01T00:00:00Z,"he said ""hi"", ok"\n'
        '2,2021-01-01T01:00:00Z,"two\nlines"\n'
    )
    assert list(ll.read_statements(source).frame["text"]) == ['he said "hi", ok', "two\nlines"]


@pytest.mark.parametrize("read", [ll.read_statements, ll.read_mentions, ll.read_prices])
def test_a_header_without_rows_is_refused(tmp_path: Path, read: object) -> None:
    source = tmp_path / "empty.csv"
    source.write_text("id,time,text,close\n")
    with pytest.raises(ll.BadInputError, match="no data rows") as info:
        read(source)  # type: ignore[operator]
    assert info.value.line == 1


def test_rows_without_prices_are_noted_with_their_lines(tmp_path: Path) -> None:
    source = tmp_path / "p.csv"
    source.write_text("date,close\n2021-01-04,1\n2021-01-05,NaN\n2021-01-06,1.1\n2021-01-07,\n")
    read = ll.read_prices(source)
    assert len(read.frame) == 2
    assert any("left out: lines 3, 5" in note for note in read.notes), read.notes


def test_prices_newest_first_are_noted(tmp_path: Path) -> None:
    source = tmp_path / "p.csv"
    source.write_text("date,close\n2021-01-07,1\n2021-01-06,1.01\n2021-01-05,1.02\n")
    read = ll.read_prices(source)
    assert any("newest first" in note for note in read.notes), read.notes
    assert read.frame["ts"].is_monotonic_increasing


def test_weekend_bars_on_an_exchange_are_noted(tmp_path: Path) -> None:
    source = tmp_path / "p.csv"
    source.write_text("date,close\n2021-01-08,1\n2021-01-09,1.01\n2021-01-11,1.02\n")
    with ll.Workspace.open(tmp_path / "ws.duckdb") as ws:
        on_xnys = ws.ingest_prices(source, asset="W", calendar="XNYS")
        on_crypto = ws.ingest_prices(source, asset="C", calendar="24/7")
    assert any("1 bar falls on days XNYS never trades" in n for n in on_xnys.notes)
    assert any("2021-01-09" in n for n in on_xnys.notes)
    assert not any("never trades" in n for n in on_crypto.notes)


def test_integer_epochs_in_parquet_say_the_unit_read(tmp_path: Path) -> None:
    source = tmp_path / "p.parquet"
    ms = [1_609_459_200_000 + i * 60_000 for i in range(5)]
    pd.DataFrame({"time": ms, "close": [1.0, 1.1, 1.2, 1.3, 1.4]}).to_parquet(source)
    read = ll.read_prices(source)
    assert any("Unix epochs read in milliseconds" in n for n in read.notes), read.notes
    assert read.frame["ts"].iloc[0] == pd.Timestamp("2021-01-01T00:00Z")
    texts = tmp_path / "s.parquet"
    pd.DataFrame({"id": [1], "time": [1_609_459_200], "text": ["a"]}).to_parquet(texts)
    assert "in seconds" in ll.read_statements(texts).time_zone
