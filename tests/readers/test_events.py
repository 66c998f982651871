"""Events files as users hold them: named columns, naive local times, dates without a time."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import leaderlens as ll
from leaderlens.cli.main import app
from leaderlens.readers.events import read_events

APPLE = "apple_media_events_2005_2020/apple_events.csv"


def test_apple_dates_are_placed_at_the_stated_local_time(shared_data: Path) -> None:
    path = shared_data / APPLE
    found = read_events(
        path, time_column="event_date", tz="America/Los_Angeles", time_of_day="10:00"
    )
    raw = pd.read_csv(path)
    # The witness: each date at 10:00 Pacific time (PDT or PST as the date falls), in UTC.
    expected = [
        pd.Timestamp(f"{d} 10:00", tz="America/Los_Angeles").tz_convert("UTC")
        for d in raw["event_date"]
    ]
    assert found["time"].tolist() == expected
    assert found["label"].tolist() == raw["event"].tolist()  # 'event' is a known label name
    assert found["line"].tolist() == list(range(2, len(raw) + 2))
    assert "47 date-only rows placed at 10:00 America/Los_Angeles" in found.attrs["times"]


def test_dates_without_a_zone_are_refused_naming_file_line_and_column(shared_data: Path) -> None:
    with pytest.raises(ll.BadInputError) as caught:
        read_events(shared_data / APPLE, time_column="event_date")
    err = caught.value
    assert (err.file, err.line, err.field) == (str(shared_data / APPLE), 2, "event_date")
    assert "--tz" in err.message and "12:00" in err.message
    with pytest.raises(ll.BadInputError, match="--time-column NAME") as missing:
        read_events(shared_data / APPLE)
    assert "columns={" not in missing.value.message  # no Python syntax for a CLI user


def test_a_frame_with_naive_or_bad_times_names_its_row(tmp_path: Path) -> None:
    naive = pd.DataFrame({"time": ["2011-08-24 18:00"], "label": ["resigns"]})
    with ll.Workspace.open(tmp_path / "w.duckdb") as ws:
        with pytest.raises(ll.BadInputError) as caught:
            ws.event_study(events=naive, asset="AAPL")
        assert caught.value.field == "time" and "tz=" in caught.value.message
        bad = pd.DataFrame({"time": ["2011-08-24T18:00Z", "tomorrow"], "label": ["a", "b"]})
        with pytest.raises(ll.BadInputError) as caught:
            ws.event_study(events=bad, asset="AAPL")
        assert caught.value.field == "time" and caught.value.line == 2
        assert "'tomorrow'" in caught.value.message
    with pytest.raises(ll.BadInputError, match="HH:MM"):
        read_events(naive, tz="UTC", time_of_day="25:00")


def test_cli_reads_an_events_file_with_options(tmp_path: Path) -> None:
    events = tmp_path / "moments.csv"
    events.write_text("when,what\n2024-03-28,SU7 launch\n")
    runner = CliRunner()
    base = ["study", "--events", str(events), "--asset", "X", "--workspace"]
    result = runner.invoke(app, [*base, str(tmp_path / "w.duckdb"), "--time-column", "when"])
    assert result.exit_code == 2
    assert "no label column" in result.output and "--label-column" in result.output
    result = runner.invoke(
        app,
        [*base, str(tmp_path / "w.duckdb"), "--time-column", "when", "--label-column", "what"],
    )
    assert result.exit_code == 2 and "--tz" in result.output
    result = runner.invoke(
        app,
        [
            *base,
            str(tmp_path / "w.duckdb"),
            "--time-column",
            "when",
            "--label-column",
            "what",
            "--tz",
            "Asia/Hong_Kong",
            "--time-of-day",
            "19:00",
        ],
    )
    # Read and stated; the study then stops because the workspace holds no asset X.
    assert "1 date-only rows placed at 19:00 Asia/Hong_Kong" in result.output
    assert result.exit_code == 2
