"""Readers never wait for writers: the command line (`ls`, `study`) and the web API answer from
the last published state in a loop while other processes load, and no read ever fails."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner, Result

import leaderlens as ll
from leaderlens.store.schema import SCHEMA_VERSION

LOADS = 4
ROWS = 20_000

# One process per role, each calling the command line in a loop (a process start costs
# seconds on a busy machine): readers until the stop file appears, the loader LOADS times.
LOOP = """
import sys
from pathlib import Path
from leaderlens.cli.main import app

role, ws, stop = sys.argv[1], sys.argv[2], Path(sys.argv[3])
def call(*args):
    try:
        app([*args, "--workspace", ws], standalone_mode=False)
        return 0
    except SystemExit as exc:
        return exc.code
    except BaseException as exc:
        return repr(exc)
if role == "read":
    while not stop.exists():
        for args in (["ls"], ["study", "--leader", "someone", "--asset", "SEED", "--placebo",
                      "0", "--bootstrap", "0"]):
            print("@@", args[0], call(*args), flush=True)
else:
    for i, name in enumerate(sys.argv[4:]):
        print("@@ ingest", call("ingest", "prices", name, "--asset", f"A{i}", "--calendar", "24/7"),
              flush=True)
"""


def bars_csv(path: Path, start: str, n: int, freq: str = "min") -> Path:
    ts = pd.date_range(start, periods=n, freq=freq, tz="UTC")
    close = 100 + np.sin(np.arange(n) / 50.0)
    pd.DataFrame({"timestamp": ts.strftime("%Y-%m-%dT%H:%M:%SZ"), "close": close}).to_csv(
        path, index=False
    )
    return path


def loop(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(ll.__file__).parents[1])}
    return subprocess.Popen(
        [sys.executable, "-c", LOOP, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )


def statements(path: Path) -> Path:
    days = pd.date_range("2020-01-01T15:00Z", periods=20, freq="7D")
    pd.DataFrame(
        {"id": range(20), "time": days.strftime("%Y-%m-%dT%H:%M:%SZ"), "text": "hello"}
    ).to_csv(path, index=False)
    return path


def test_reads_go_on_while_loads_run(tmp_path: Path) -> None:
    from leaderlens.web import create_app

    path = tmp_path / "ws.duckdb"
    with ll.Workspace.open(path) as ws:
        ws.ingest_statements(statements(tmp_path / "s.csv"), leader="someone", channel="x")
        ws.ingest_prices(bars_csv(tmp_path / "seed.csv", "2019-06-01", 400, "D"),
                         asset="SEED", calendar="24/7")  # fmt: skip
    files = [bars_csv(tmp_path / f"b{i}.csv", f"202{i % 4}-03-0{1 + i}", ROWS) for i in range(4)]
    stop_file = tmp_path / "stop"
    reader = loop("read", str(path), str(stop_file))
    loader = loop("load", str(path), str(stop_file), *(str(files[i % 4]) for i in range(LOADS)))
    failures: list[str] = []
    served = 0
    with TestClient(create_app(path), base_url="http://127.0.0.1") as client:
        while loader.poll() is None:
            for url in ("/api/health", "/api/leaders", "/api/assets", "/"):
                got = client.get(url)
                served += 1
                if got.status_code != 200:
                    failures.append(f"GET {url}: {got.status_code} {got.text[:200]}")
    stop_file.touch()
    read_out = reader.communicate(timeout=120)[0]
    load_out = loader.communicate()[0]
    loaded = [line for line in load_out.splitlines() if line.startswith("@@ ")]
    assert loaded == ["@@ ingest 0"] * LOADS, load_out[-600:]
    outcomes = [line for line in read_out.splitlines() if line.startswith("@@ ")]
    assert outcomes and all(line.endswith(" 0") for line in outcomes), read_out[-600:]
    assert not failures, failures[:5]
    assert served >= 8, served
    with ll.Workspace.open(path, read_only=True) as ws:
        stored = ws.summary().assets.set_index("asset_id")["bars"]
    assert all(stored[f"A{i}"] == ROWS for i in range(LOADS))


def cli(*args: str) -> Result:
    from leaderlens.cli.main import app

    return CliRunner().invoke(app, list(args))


def test_a_read_waits_for_no_one_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "ws.duckdb"
    with ll.Workspace.open(path) as ws:
        ws.add_leader("someone")
    before = path.read_bytes(), path.stat().st_mtime_ns
    writer = ll.Workspace.open(path)  # a writer holding the workspace
    try:
        writer.add_leader("other")
        with (
            ll.Workspace.open(path, read_only=True) as a,
            ll.Workspace.open(path, read_only=True) as b,
        ):
            assert list(a.leaders()["leader_id"]) == list(b.leaders()["leader_id"]) == ["someone"]
    finally:
        writer.close()
    assert (path.read_bytes(), path.stat().st_mtime_ns) != before  # the writer published
    with ll.Workspace.open(path, read_only=True) as ws:
        assert list(ws.leaders()["leader_id"]) == ["other", "someone"]


READ_COMMANDS = [
    ["ls"],
    ["study", "--leader", "x", "--asset", "Y"],
    ["report", "--leader", "x"],
    ["persona", "--leader", "x"],
    ["compare"],
    ["risk", "radar", "--leader", "x", "--asset", "Y"],
    ["preflight", "--leader", "x", "hello"],
    ["annotate", "--all"],
    ["serve"],
]


@pytest.mark.parametrize("command", READ_COMMANDS)
def test_read_commands_refuse_a_missing_workspace_and_create_nothing(
    tmp_path: Path, command: list[str]
) -> None:
    missing = tmp_path / "nosuch.duckdb"
    done = cli(*command, "--workspace", str(missing))
    assert done.exit_code == 2, done.output
    assert str(missing) in done.output and "Traceback" not in done.output
    assert list(tmp_path.iterdir()) == []


def test_reads_never_add_tables_to_a_foreign_duckdb_file(tmp_path: Path) -> None:
    import duckdb

    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE prices (x INTEGER)")
    con.close()
    before = path.read_bytes()
    for command in (["ls"], ["add", "leader", "x"]):
        done = cli(*command, "--workspace", str(path))
        assert done.exit_code == 2 and "not a leaderlens workspace" in done.output, done.output
    assert path.read_bytes() == before


def test_an_older_workspace_is_read_as_it_is_and_migrated_on_demand(tmp_path: Path) -> None:
    import duckdb

    path = tmp_path / "old.duckdb"
    ll.Workspace.open(path).close()
    con = duckdb.connect(str(path))
    for table in ("alert_rules", "alerts", "preflight_backtests", "leader_assets"):
        con.execute(f"DROP TABLE {table}")  # back to version 3
    con.execute("ALTER TABLE assets DROP COLUMN company")
    con.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    con.close()
    before = path.read_bytes()
    listed = cli("ls", "--workspace", str(path), "--json", str(tmp_path / "ls.json"))
    assert listed.exit_code == 0, listed.output
    assert '"schema_version": 3' in (tmp_path / "ls.json").read_text()
    assert path.read_bytes() == before  # a read never migrates
    assert cli("migrate", "--workspace", str(path)).exit_code == 0
    with ll.Workspace.open(path, read_only=True) as ws:
        assert ws.summary().schema_version == SCHEMA_VERSION


def test_a_damaged_workspace_is_named_with_duckdbs_reason(tmp_path: Path) -> None:
    path = tmp_path / "ws.duckdb"
    path.write_bytes(b"id,close\n1,2\n")
    done = cli("ls", "--workspace", str(path))
    assert done.exit_code == 2
    assert "damaged or is not a DuckDB file" in done.output and "DuckDB says" in done.output
    assert "another leaderlens process" not in done.output


def test_a_leader_without_a_company_is_not_matched_to_an_asset_named_nan(
    tmp_path: Path,
) -> None:
    from leaderlens.report.content import default_asset

    path = tmp_path / "ws.duckdb"
    with ll.Workspace.open(path) as ws:
        ws.add_leader("solo")
        ws.add_asset("NANO", calendar="24/7", name="nano coin", kind="stock")
    with (
        ll.Workspace.open(path, read_only=True) as ws,
        pytest.raises(ll.MissingDataError, match="no asset is tied to leader 'solo'") as info,
    ):
        default_asset(ws, "solo")
    assert info.value.field == "asset"


def test_a_full_disk_is_named_and_the_workspace_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import shutil

    path = tmp_path / "ws.duckdb"
    with ll.Workspace.open(path) as ws:
        ws.add_leader("someone")
    before = path.read_bytes()

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(shutil, "copyfile", full)
    with pytest.raises(ll.EngineError, match="the disk is full"), ll.Workspace.open(path) as ws:
        ws.add_leader("other")
    assert path.read_bytes() == before
    assert not (tmp_path / "ws.duckdb.writing").exists()


def test_health_reports_a_damaged_workspace(tmp_path: Path) -> None:
    from leaderlens.web import create_app

    path = tmp_path / "ws.duckdb"
    with ll.Workspace.open(path) as ws:
        ws.add_leader("someone")
    with TestClient(create_app(path), base_url="http://127.0.0.1") as client:
        assert client.get("/api/health").json()["status"] == "ok"
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])  # cut in half
        got = client.get("/api/health")
    assert got.status_code == 503
    assert "damaged" in got.json()["detail"] and "DuckDB says" in got.json()["detail"]
