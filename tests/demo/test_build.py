"""The demo world written into a workspace: everything stored, the ground truth readable back,
and the planted effects found again in what the workspace holds.

Witnesses: returns computed here from the stored bars with pandas, ``exchange_calendars`` for
the session of each stored statement, and the generator's own frames for the row counts.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import exchange_calendars as xcals
import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from leaderlens.demo import DemoWorld, build_demo
from leaderlens.store.workspace import Workspace


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoWorld, list]:
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    calls: list[tuple[str, int, int]] = []
    world = build_demo(path, seed=7, progress=lambda *call: calls.append(call))
    return path, world, calls


@pytest.fixture()
def ws(built: tuple[Path, DemoWorld, list]) -> Iterator[Workspace]:
    with Workspace.open(built[0], read_only=True) as workspace:
        yield workspace


def stored_returns(ws: Workspace, asset: str) -> pd.Series:
    bars = ws.bars(asset, freq="1d")
    return bars.set_index(pd.DatetimeIndex(bars["ts"]).tz_convert("UTC"))["close"].pct_change()


def test_everything_is_stored(ws: Workspace, built: tuple[Path, DemoWorld, list]) -> None:
    world = built[1]
    assert set(ws.leaders()["leader_id"]) == set(world.leaders["leader_id"])
    assert set(ws.brands()["brand_id"]) == set(world.brands["brand_id"])
    assets = ws.assets().set_index("asset_id")
    assert assets.loc["VLTR", "benchmark_id"] == "USX"
    assert assets.loc["ORBT.HK", "calendar"] == "XHKG"
    assert assets.loc["VOLT-USD", "calendar"] == "24/7"
    for leader, frame in world.statements.items():
        assert len(ws.statements(leader)) == len(frame)
    for brand, frame in world.brand_posts.items():
        assert len(ws.brand_posts(brand)) == len(frame)
    for (asset, freq), frame in world.bars.items():
        stored = ws.bars(asset, freq=freq)
        assert len(stored) == len(frame)
        np.testing.assert_allclose(stored["close"].to_numpy(), frame["close"].to_numpy())
    for (brand, metric), frame in world.attention.items():
        assert len(ws.attention(metric, brand=brand)) == len(frame)
    for brand, frame in world.mentions.items():
        assert len(ws.mentions(brand)) == len(frame)


def test_progress_is_reported(built: tuple[Path, DemoWorld, list]) -> None:
    calls = built[2]
    total = calls[0][2]
    assert [c[1] for c in calls] == list(range(total + 1))
    assert calls[-1] == ("done", total, total)


def test_ground_truth_reads_back(ws: Workspace, built: tuple[Path, DemoWorld, list]) -> None:
    world = built[1]
    planted = ws.ground_truth("planted_events")
    assert isinstance(planted, pd.DataFrame)
    assert list(planted.columns) == list(world.planted.columns)
    pdt.assert_series_equal(
        planted["statement_id"].astype(str), world.planted["statement_id"].astype(str)
    )
    # The workspace stores ground-truth frames as JSON with 10 decimals.
    np.testing.assert_allclose(
        planted["planted_ar"], world.planted["planted_ar"], rtol=0, atol=1e-9
    )
    day0 = pd.DatetimeIndex(planted["day0"]).tz_convert("UTC")
    assert (day0 == pd.DatetimeIndex(world.planted["day0"])).all()
    parameters = ws.ground_truth("world_parameters")
    assert parameters == json.loads(json.dumps(dict(world.parameters)))
    key_person = ws.ground_truth("key_person_events")
    assert isinstance(key_person, pd.DataFrame)
    assert key_person["planted_car"].iloc[0] == pytest.approx(world.key_person["planted_car"][0])
    means = ws.ground_truth("planted_mean_ar")
    assert isinstance(means, pd.DataFrame) and len(means) == len(world.planted_mean_ar())


def test_value_destroying_posts_show_in_the_stored_bars(ws: Workspace) -> None:
    planted = ws.ground_truth("planted_events")
    parameters = ws.ground_truth("world_parameters")
    assert isinstance(planted, pd.DataFrame) and isinstance(parameters, dict)
    beta = parameters["assets"]["VLTR"]["beta"]
    abnormal = stored_returns(ws, "VLTR") - beta * stored_returns(ws, "USX")
    vd = planted[planted["is_value_destroying"] & (planted["asset"] == "VLTR")]
    on_day0 = abnormal.reindex(pd.DatetimeIndex(vd["day0"]).tz_convert("UTC"))
    assert len(on_day0) == 8 and not on_day0.isna().any()
    assert on_day0.mean() < -0.05
    # Against other days the same difference averages about zero.
    assert abs(abnormal.drop(on_day0.index).mean()) < 0.005


def test_stored_statements_day0_agrees_with_exchange_calendars(ws: Workspace) -> None:
    planted = ws.ground_truth("planted_events")
    assert isinstance(planted, pd.DataFrame)
    cal = xcals.get_calendar("XNYS", start="2021-12-01", end="2025-01-31")
    stored = ws.statements("rex_vale")
    ts = pd.DatetimeIndex(stored["ts"]).tz_convert("UTC")
    expected = pd.Series(
        [cal.minute_to_session(t, direction="next") for t in ts], index=stored["statement_id"]
    )
    rows = planted[planted["asset"] == "VLTR"].set_index("statement_id")
    day0 = pd.DatetimeIndex(rows.loc[expected.index, "day0"]).tz_convert("UTC").tz_localize(None)
    assert (day0.as_unit("ns") == pd.DatetimeIndex(expected).as_unit("ns")).all()


def test_influencer_posts_on_weekends_and_holidays_are_stored(ws: Workspace) -> None:
    ts = pd.DatetimeIndex(ws.statements("rex_vale")["ts"]).tz_convert("America/New_York")
    assert (ts.day_of_week >= 5).sum() > 150
    cal = xcals.get_calendar("XNYS", start="2022-01-03", end="2024-12-31")
    weekdays = pd.Series(ts.date[ts.day_of_week < 5])
    holidays = weekdays[~weekdays.isin(set(cal.sessions.date))]
    assert holidays.nunique() >= 10


def test_building_again_adds_nothing(built: tuple[Path, DemoWorld, list]) -> None:
    path = built[0]
    with Workspace.open(path, read_only=True) as ws:
        before = len(ws.loads())
    build_demo(path, seed=7)
    with Workspace.open(path, read_only=True) as ws:
        assert len(ws.loads()) == before  # every load found its rows already stored
        assert len(ws.statements("rex_vale")) == len(built[1].statements["rex_vale"])
