"""Times the store and its calculations cannot represent are refused at load (file, line,
field); times at the edges of the range load, and every read command then answers with
results or a message, never a crash."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import leaderlens as ll
from leaderlens.cli.main import app


@pytest.mark.parametrize(
    "when",
    ["0001-01-01T00:00:00+01:00", "1500-06-01T00:00:00Z", "1677-12-31T23:00:00Z",
     "2262-01-01T00:00:00Z", "9999-01-01T00:00:00Z"],
)  # fmt: skip
def test_times_outside_the_range_are_refused_with_file_line_and_field(
    tmp_path: Path, when: str
) -> None:
    source = tmp_path / "s.csv"
    source.write_text(f"id,time,text\n1,2021-01-01T00:00:00Z,fine\n2,{when},edge\n")
    with pytest.raises(ll.BadInputError) as info:
        ll.read_statements(source)
    assert (info.value.file, info.value.line, info.value.field) == (str(source), 3, "ts")
    assert "1678-01-01 to 2261-12-31" in info.value.message


@pytest.mark.parametrize("kind", ["prices", "attention", "mentions"])
def test_every_reader_refuses_them(tmp_path: Path, kind: str) -> None:
    source = tmp_path / f"{kind}.csv"
    head = {"prices": "date,close", "attention": "date,value", "mentions": "id,time,text"}[kind]
    bad = {"prices": "1500-01-04,2", "attention": "9000-01-01,3", "mentions": "2,1200-01-01Z,x"}
    good = {"prices": "2021-01-04,1", "attention": "2021-01-03,1", "mentions": "1,2021-01-01Z,y"}
    more = "2021-01-04,1\n2021-01-05,1\n" if kind == "attention" else ""  # (a frequency)
    text = f"{head}\n{good[kind]}\n{bad[kind]}\n{more}".replace("01Z", "01T00:00Z")
    source.write_text(text)
    read = {"prices": ll.read_prices, "attention": ll.read_attention, "mentions": ll.read_mentions}
    with pytest.raises(ll.BadInputError, match="outside the range") as info:
        read[kind](source)
    assert info.value.line == 3


def test_rows_at_the_edges_of_the_range_crash_no_read_command(tmp_path: Path) -> None:
    path = tmp_path / "ws.duckdb"
    edges = ["1678-01-02T00:00:00Z", "2021-03-02T15:00:00Z", "2261-12-30T12:00:00Z"]
    statements = pd.DataFrame(
        {"statement_id": ["a", "b", "c"], "ts": pd.to_datetime(edges), "text": "hello",
         "channel": "x"}
    )  # fmt: skip
    days = pd.date_range("2021-01-01", periods=120, freq="D", tz="UTC")
    span = pd.DatetimeIndex([pd.Timestamp("1678-01-03", tz="UTC"), *days,
                             pd.Timestamp("2261-12-29", tz="UTC")])  # fmt: skip
    close = 100 + np.cumsum(np.sin(np.arange(span.size)))
    with ll.Workspace.open(path) as ws:
        ws.add_leader("edge", company="Edge Inc")
        ws.add_brand("edgeco", leader_ids=["edge"])
        ws.ingest_statements(statements, leader="edge")
        ws.ingest_brand_posts(statements, brand="edgeco")
        ws.ingest_prices(pd.DataFrame({"ts": span, "close": close}), asset="EDG", calendar="24/7")
        ws.ingest_prices(pd.DataFrame({"ts": span, "close": close}), asset="NYS", calendar="XNYS")
        ws.ingest_attention(
            pd.DataFrame({"ts": span, "value": np.arange(span.size) + 1.0}),
            brand="edgeco",
            metric="mentions",
        )
        ws.ingest_mentions(
            statements.rename(columns={"statement_id": "mention_id"}), brand="edgeco"
        )
    w = ["--workspace", str(path)]
    commands = [
        ["ls"],
        ["study", "--leader", "edge", "--asset", "EDG", "--placebo", "0", "--bootstrap", "0"],
        ["study", "--leader", "edge", "--asset", "NYS", "--placebo", "0", "--bootstrap", "0"],
        ["report", "--leader", "edge", "--asset", "EDG", "--out", str(tmp_path / "r.html")],
        ["persona", "--leader", "edge"],
        ["compare", "--leader", "edge", "--asset", "EDG"],
        ["risk", "radar", "--leader", "edge", "--asset", "EDG"],
        ["risk", "volatility", "--leader", "edge", "--asset", "NYS"],
        ["risk", "dependence", "--brand", "edgeco"],
        ["risk", "foundations", "--brand", "edgeco"],
        ["attention", "lift", "--brand", "edgeco"],
        ["attention", "spikes", "--brand", "edgeco"],
        ["attention", "playbook", "--brand", "edgeco"],
        ["preflight", "--leader", "edge", "--asset", "EDG", "a new car"],
    ]
    runner = CliRunner()
    for command in commands:
        done = runner.invoke(app, [*command, *w])
        assert done.exit_code in (0, 2), (command, done.output, done.exception)
        assert "internal error" not in done.output and "Traceback" not in done.output, (
            command,
            done.output,
        )
