"""The workspace: schema, atomic and idempotent loads, conflicts, queries, ground truth."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

import leaderlens as ll
from leaderlens.store.schema import SCHEMA_VERSION


def hourly_bars(n: int, start: str = "2021-01-01T00:00Z", seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, n)))
    return pd.DataFrame(
        {
            "ts": pd.date_range(start, periods=n, freq="h"),
            "open": close * 0.999,
            "high": close * 1.01,
            "low": close * 0.99,
            "close": close,
            "volume": rng.integers(1, 1000, n).astype(float),
        }
    )


def table_state(path: Path) -> dict[str, object]:
    """Everything stored, for 'the workspace is unchanged' assertions."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [r[0] for r in con.execute("SHOW TABLES").fetchall()]
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables}
    finally:
        con.close()


@pytest.fixture
def ws_path(tmp_path: Path) -> Path:
    return tmp_path / "ws.duckdb"


def test_new_workspace_has_the_current_schema(ws_path: Path) -> None:
    with ll.Workspace.open(ws_path) as ws:
        assert ws.summary().schema_version == SCHEMA_VERSION
    with ll.Workspace.open(ws_path) as ws:  # reopening migrates nothing
        assert ws.summary().schema_version == SCHEMA_VERSION


def test_a_newer_workspace_is_refused(ws_path: Path) -> None:
    ll.Workspace.open(ws_path).close()
    con = duckdb.connect(str(ws_path))
    con.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(ll.EngineError, match="newer"):
        ll.Workspace.open(ws_path)


def test_reloading_the_same_data_changes_nothing(ws_path: Path) -> None:
    bars = hourly_bars(500)
    with ll.Workspace.open(ws_path) as ws:
        first = ws.ingest_prices(bars, asset="BTC-USD", calendar="24/7")
        assert (first.rows_added, first.rows_unchanged) == (500, 0)
    before = table_state(ws_path)
    with ll.Workspace.open(ws_path) as ws:
        again = ws.ingest_prices(bars, asset="BTC-USD")
    assert (again.rows_added, again.rows_unchanged, again.load_id) == (0, 500, None)
    assert table_state(ws_path) == before


def test_stored_values_equal_the_input(ws_path: Path) -> None:
    bars = hourly_bars(50)
    with ll.Workspace.open(ws_path) as ws:
        ws.ingest_prices(bars, asset="BTC-USD", calendar="24/7")
        stored = ws.bars("BTC-USD", freq="1h")
    np.testing.assert_array_equal(stored["close"].to_numpy(), bars["close"].to_numpy())
    assert (stored["ts"] == bars["ts"]).all()
    assert str(stored["ts"].dt.tz) == "UTC"


def test_a_conflicting_value_is_refused_and_nothing_changes(ws_path: Path) -> None:
    bars = hourly_bars(100)
    with ll.Workspace.open(ws_path) as ws:
        ws.ingest_prices(bars, asset="BTC-USD", calendar="24/7")
    before = table_state(ws_path)
    changed = bars.copy()
    changed.loc[40, "close"] = changed.loc[40, "close"] * 1.5
    changed = pd.concat([changed, hourly_bars(10, start="2021-02-01T00:00Z")], ignore_index=True)
    with ll.Workspace.open(ws_path) as ws, pytest.raises(ll.ConflictError) as info:
        ws.ingest_prices(changed, asset="BTC-USD")
    assert info.value.field == "close"
    assert info.value.line == 41  # row 40 of a frame is its 41st row
    assert "--on-conflict" in str(info.value)
    assert table_state(ws_path) == before


def test_conflicts_can_be_kept_or_replaced(ws_path: Path) -> None:
    bars = hourly_bars(100)
    changed = bars.copy()
    changed.loc[[3, 7], "close"] *= 1.1
    with ll.Workspace.open(ws_path) as ws:
        ws.ingest_prices(bars, asset="BTC-USD", calendar="24/7")
        kept = ws.ingest_prices(changed, asset="BTC-USD", on_conflict="keep")
        assert (kept.rows_kept, kept.rows_unchanged, kept.rows_added) == (2, 98, 0)
        assert ws.bars("BTC-USD", freq="1h")["close"].iloc[3] == bars["close"].iloc[3]
        replaced = ws.ingest_prices(changed, asset="BTC-USD", on_conflict="replace")
        assert (replaced.rows_replaced, replaced.rows_added) == (2, 0)
        assert ws.bars("BTC-USD", freq="1h")["close"].iloc[3] == changed["close"].iloc[3]
        assert len(ws.bars("BTC-USD", freq="1h")) == 100


def test_a_failure_inside_the_load_leaves_no_trace(
    ws_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ll.Workspace.open(ws_path) as ws:
        ws.add_leader("kept")
    before = table_state(ws_path)

    def broken(*args: object, **kwargs: object) -> None:
        raise ll.BadInputError("planted failure after the leader row was written")

    monkeypatch.setattr("leaderlens.store.workspace.upsert", broken)
    statements = pd.DataFrame(
        {"ts": pd.to_datetime(["2021-05-01T10:00:00Z"]), "text": ["hello"], "id": ["1"]}
    )
    with ll.Workspace.open(ws_path) as ws, pytest.raises(ll.BadInputError, match="planted"):
        ws.ingest_statements(statements, leader="new-leader")
    assert table_state(ws_path) == before


def test_a_new_exchange_asset_needs_its_calendar(ws_path: Path) -> None:
    daily = pd.DataFrame({"date": ["2021-01-04", "2021-01-05"], "close": [10.0, 11.0]})
    with ll.Workspace.open(ws_path) as ws:
        with pytest.raises(ll.BadInputError, match="calendar") as info:
            ws.ingest_prices(daily, asset="TSLA")
        assert info.value.field == "calendar"
        assert ws.assets().empty
        with pytest.raises(ll.BadInputError, match="unknown calendar"):
            ws.ingest_prices(daily, asset="TSLA", calendar="NOPE")
        ws.ingest_prices(daily, asset="TSLA", calendar="XNYS", benchmark="SPY")
        assets = ws.assets()
    assert assets.loc[0, "tz"] == "America/New_York"
    assert assets.loc[0, "benchmark_id"] == "SPY"


def test_a_stored_calendar_is_never_silently_changed(ws_path: Path) -> None:
    daily = pd.DataFrame({"date": ["2021-01-04"], "close": [10.0]})
    with ll.Workspace.open(ws_path) as ws:
        ws.ingest_prices(daily, asset="TSLA", calendar="XNYS")
        with pytest.raises(ll.BadInputError, match="stored with calendar XNYS"):
            ws.ingest_prices(daily, asset="TSLA", calendar="XHKG")


def test_ground_truth_round_trips(ws_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "statement_id": ["a", "b"],
            "planted_ar": [0.05, -0.1],
            "day0": pd.to_datetime(["2021-01-04", "2021-01-05"]),
        }
    )
    with ll.Workspace.open(ws_path) as ws:
        ws.set_ground_truth("planted", frame)
        ws.set_ground_truth("params", {"beta": 1.2, "channels": ["x", "video"]})
        got = ws.ground_truth("planted")
        assert isinstance(got, pd.DataFrame)
        pd.testing.assert_frame_equal(got.reset_index(drop=True), frame, check_dtype=False)
        assert ws.ground_truth("params") == {"beta": 1.2, "channels": ["x", "video"]}
        with pytest.raises(ll.MissingDataError, match="stored: params, planted"):
            ws.ground_truth("nope")


def test_summary_counts_rows_ranges_and_gaps(ws_path: Path) -> None:
    bars = hourly_bars(48).drop(index=[5, 6, 30]).reset_index(drop=True)
    # XNYS sessions of 2021-01-04 .. 2021-01-15 are ten; two are absent here.
    sessions = [
        "2021-01-04",
        "2021-01-05",
        "2021-01-07",
        "2021-01-08",
        "2021-01-11",
        "2021-01-12",
        "2021-01-13",
        "2021-01-15",
    ]
    daily = pd.DataFrame({"date": sessions, "close": np.arange(8) + 10.0})
    with ll.Workspace.open(ws_path) as ws:
        ws.ingest_prices(bars, asset="BTC-USD", calendar="24/7")
        ws.ingest_prices(daily, asset="TSLA", calendar="XNYS")
        summary = ws.summary()
    assets = summary.assets.set_index("asset_id")
    assert assets.loc["BTC-USD", "bars"] == 45
    assert assets.loc["BTC-USD", "missing"] == 3
    assert assets.loc["BTC-USD", "last"] == pd.Timestamp("2021-01-02T23:00Z")
    assert assets.loc["TSLA", "missing"] == 2
    payload = summary.to_dict()
    assert payload["assets"][0]["first"].startswith("2021-01-01T00:00:00")


def test_time_windows_need_a_zone(ws_path: Path) -> None:
    with ll.Workspace.open(ws_path) as ws:
        ws.ingest_prices(hourly_bars(10), asset="BTC-USD", calendar="24/7")
        with pytest.raises(ll.BadInputError, match="no time zone"):
            ws.bars("BTC-USD", freq="1h", start="2021-01-01 03:00")
        part = ws.bars("BTC-USD", freq="1h", start="2021-01-01T03:00Z", end="2021-01-01T05:00Z")
    assert len(part) == 2


def test_missing_things_are_named(ws_path: Path) -> None:
    with ll.Workspace.open(ws_path) as ws, pytest.raises(ll.MissingDataError, match="AAPL"):
        ws.bars("AAPL")
    with pytest.raises(ll.MissingDataError):
        ll.Workspace.open(ws_path.parent / "absent.duckdb", read_only=True)


@pytest.mark.parametrize(
    ("holder_code", "message"),
    [
        (
            "import leaderlens as ll, sys, time; w = ll.Workspace.open(sys.argv[1]);"
            " print('held', flush=True); time.sleep(30)",
            "another leaderlens process",
        ),
        (
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True);"
            " time.sleep(30)",
            "another program holds the workspace open for writing",
        ),
    ],
    ids=["leaderlens-writer", "duckdb-shell"],
)
def test_a_workspace_held_by_another_writer_is_reported(
    ws_path: Path, holder_code: str, message: str
) -> None:
    import subprocess
    import sys

    ll.Workspace.open(ws_path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", holder_code, str(ws_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(ll.EngineError, match=message):
            ll.Workspace.open(ws_path)
    finally:
        holder.kill()
        holder.wait()
