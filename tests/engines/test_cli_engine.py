"""``leaderlens study --bars --events --engine``: the engine study from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from leaderlens.cli.main import app
from leaderlens.study.scale import parquet_event_study

runner = CliRunner()


def files(tmp_path: Path) -> tuple[Path, Path]:
    rng = np.random.default_rng(8)
    ts = pd.date_range("2024-01-01", periods=300, freq="1D", tz="UTC")
    bars = pd.concat(
        [
            pd.DataFrame(
                {"asset": "X", "ts": ts, "close": 50 * np.exp(np.cumsum(rng.normal(0, 0.02, 300)))}
            ),
            pd.DataFrame(
                {"asset": "M", "ts": ts, "close": 10 * np.exp(np.cumsum(rng.normal(0, 0.01, 300)))}
            ),
        ]
    )
    events = pd.DataFrame({"asset": "X", "time": ts[[150, 200, 250, 280]] - pd.Timedelta(hours=5)})
    bars.to_parquet(tmp_path / "bars.parquet", coerce_timestamps="us")
    events.to_parquet(tmp_path / "events.parquet", coerce_timestamps="us")
    return tmp_path / "bars.parquet", tmp_path / "events.parquet"


def test_study_on_the_embedded_engine_writes_the_same_numbers(tmp_path: Path):
    bars, events = files(tmp_path)
    args = ["study", "--bars", str(bars), "--events", str(events), "--benchmark", "M"]
    args += ["--estimation=-120,-6", "--engine", "duckdb", "--bootstrap", "0"]
    got = runner.invoke(app, [*args, "--json", str(tmp_path / "out.json")])
    assert got.exit_code == 0, got.output
    payload = json.loads((tmp_path / "out.json").read_text())
    direct = parquet_event_study(
        bars, events, market="M", estimation=(-120, -6), n_bootstrap=0
    ).events_frame()
    cars = [row["car"] for row in payload["events"]]
    np.testing.assert_allclose(cars, direct["car"], rtol=1e-12)


def test_engine_without_parquet_inputs_is_bad_input(tmp_path: Path):
    got = runner.invoke(app, ["study", "--engine", "spark", "--asset", "X"])
    assert got.exit_code == 2
    assert "--bars" in got.output


def test_attention_mentions_on_an_engine(tmp_path: Path):
    ts = pd.date_range("2024-03-01", periods=6, freq="25min", tz="UTC")
    texts = ["Elon said", "nothing", "ELON again", "elonmusk", "Elonia", "x"]
    pd.DataFrame({"ts": ts, "text": texts}).to_parquet(
        tmp_path / "m.parquet", coerce_timestamps="us"
    )
    args = ["attention", "mentions", "--mentions", str(tmp_path / "m.parquet")]
    args += ["--term", "elon", "--term", "elonmusk", "--json", str(tmp_path / "m.json")]
    got = runner.invoke(app, args)
    assert got.exit_code == 0, got.output
    payload = json.loads((tmp_path / "m.json").read_text())
    assert payload["share"] == 3 / 6  # "Elonia" is not the word "elon"
    assert [row["mentions"] for row in payload["rows"]] == [3, 2, 1]  # 00:00, 01:00, 02:00
