"""Attention lifts through an engine (DuckDB, Spark): the same numbers as the in-memory path
(:func:`leaderlens.attention.lift.event_lifts` on :func:`attention_series` and
:func:`bucket_index`, posts of one bucket clustered), on synthetic series with gaps and on
Musk's Dogecoin tweets against Google Trends, with only one row per event brought back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from leaderlens.attention.engine_lifts import EngineLifts, lifts_on
from leaderlens.attention.grid import attention_series, bucket_index
from leaderlens.attention.lift import EventLifts, event_lifts
from leaderlens.cli.main import app
from leaderlens.engines.base import Engine
from leaderlens.errors import BadInputError

FIELDS = ("ar", "yhat", "car", "lift", "level_lift", "car_se", "t", "p_value")
EXACT = ("event_index", "dof", "n_estimation", "valid", "overlaps")


def in_memory(
    attention: pd.DataFrame, events: pd.DataFrame, name: str, freq: str, **options: Any
) -> tuple[EventLifts, pd.DataFrame, int]:
    """The in-memory path on one series: its lifts, the clustered events (day0, n_posts,
    post_ids) and the number of its posts outside the grid."""
    series = attention_series(attention.loc[attention["series"] == name, ["ts", "value"]], freq)
    posts = events[events["series"] == name]
    at = bucket_index(series.labels, posts["time"])
    inside = at >= 0
    grouped = pd.Series(posts["id"].astype(str).to_numpy()[inside]).groupby(at[inside])
    buckets = np.asarray(grouped.size().index, dtype=np.int64)
    clustered = pd.DataFrame(
        {
            "day0": series.labels[buckets],
            "n_posts": grouped.size().to_numpy(),
            "post_ids": [tuple(sorted(v)) for v in grouped.agg(list)],
        }
    )
    lifts = event_lifts(series.y, series.labels, buckets, **options)
    return lifts, clustered, int((~inside).sum())


def assert_agree(got: EventLifts, want: EventLifts) -> None:
    """Every per-event field agrees to 1e-9 (NaN where the other is NaN)."""
    for name in FIELDS:
        a, b = getattr(got, name), getattr(want, name)
        assert np.array_equal(np.isnan(a), np.isnan(b)), name
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-9, err_msg=name)
    for name in EXACT:
        np.testing.assert_array_equal(getattr(got, name), getattr(want, name), err_msg=name)


def synthetic(folder: Path) -> tuple[Path, Path, pd.DataFrame, pd.DataFrame]:
    """Two series in one Parquet file: ``d`` daily from 1969-09-01 (across the 1970 epoch),
    at varying hours, with NaN and NULL values, one day missing and one day reported twice;
    ``h`` hourly in 2024 with missing hours. Events (with ids): two posts in one bucket,
    posts before and after ``d``'s grid, one at a bucket's first instant, one of a series
    without attention data."""
    rng = np.random.default_rng(11)
    days = pd.date_range("1969-09-01", periods=240, freq="1D", tz="UTC")
    d_ts = days + pd.to_timedelta(rng.integers(0, 24 * 60, 240), unit="min")
    d_val: list[float | None] = list(rng.poisson(30, 240).astype(float) * np.exp(
        0.4 * np.sin(np.arange(240) * 2 * np.pi / 7)
    ))  # fmt: skip
    d_val[17], d_val[90] = float("nan"), None  # a NaN report and a NULL one
    keep = [i for i in range(240) if i != 130]  # day 130 has no row at all
    d_ts_kept, d_val_kept = [d_ts[i] for i in keep], [d_val[i] for i in keep]
    d_ts_kept.append(days[60] + pd.Timedelta(hours=23, minutes=59))  # a second row on day 60
    d_val_kept.append(5.0)
    hours = pd.date_range("2024-03-01", periods=900, freq="1h", tz="UTC")
    h_keep = np.setdiff1d(np.arange(900), [100, 101, 102, 400])
    h_val = rng.poisson(8, 900).astype(float)[h_keep]
    table = pa.table(
        {
            "series": ["d"] * len(d_ts_kept) + ["h"] * len(h_keep),
            "ts": pa.array(
                [t.to_pydatetime() for t in d_ts_kept] + [t.to_pydatetime() for t in hours[h_keep]],
                type=pa.timestamp("us", tz="UTC"),
            ),
            "value": pa.array(d_val_kept + h_val.tolist(), type=pa.float64(), from_pandas=False),
        }
    )
    att_path = folder / "attention.parquet"
    pq.write_table(table, att_path)
    times = [
        days[80] + pd.Timedelta(hours=2), days[80] + pd.Timedelta(hours=20),  # one bucket
        days[100], days[104] + pd.Timedelta(hours=23, minutes=59, seconds=59),
        days[121] + pd.Timedelta(hours=1),  # 1970-01-01 01:00
        days[150] + pd.Timedelta(hours=12), days[155], days[200] + pd.Timedelta(hours=6),
        days[0] - pd.Timedelta(hours=1),  # before the grid
        days[239] + pd.Timedelta(days=2),  # after it
        hours[200] + pd.Timedelta(minutes=5), hours[230] + pd.Timedelta(minutes=59),
        hours[230] + pd.Timedelta(minutes=1), hours[420], hours[600], hours[610], hours[880],
        hours[300],  # series "x" has no attention data
    ]  # fmt: skip
    series = ["d"] * 10 + ["h"] * 7 + ["x"]
    events = pd.DataFrame({"series": series, "time": times, "id": np.arange(len(times)) + 100})
    ev_path = folder / "events.parquet"
    events.to_parquet(ev_path, coerce_timestamps="us")
    return att_path, ev_path, pd.read_parquet(att_path), events


@pytest.fixture(scope="module")
def files(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, Path, pd.DataFrame, pd.DataFrame]:
    return synthetic(tmp_path_factory.mktemp("lifts"))


@pytest.mark.parametrize("freq", ["1d", "1h"])
@pytest.mark.parametrize("seasonal", ["none", "weekly"])
@pytest.mark.parametrize("mask_events", [True, False])
def test_every_field_matches_the_in_memory_path(
    files: Any, engine: Engine, freq: str, seasonal: str, mask_events: bool
):
    att_path, ev_path, attention, events = files
    options: dict[str, Any] = dict(seasonal=seasonal, mask_events=mask_events)
    got = lifts_on(att_path, ev_path, freq=freq, engine=engine, **options)
    assert got.grids["series"].tolist() == ["d", "h"]
    outside = 0
    for name in ("d", "h"):
        want, clustered, dropped = in_memory(attention, events, name, freq, **options)
        assert_agree(got.of(name), want)
        mine = got.events[got.events["series"] == name].reset_index(drop=True)
        assert mine["day0"].tolist() == clustered["day0"].tolist()
        assert mine["n_posts"].tolist() == clustered["n_posts"].tolist()
        assert mine["post_ids"].tolist() == clustered["post_ids"].tolist()
        outside += dropped
    assert got.dropped_posts == outside + 1  # and the post of series "x"
    assert got.events["n_posts"].max() == 2  # two posts in one bucket are one event
    if freq == "1d":  # before day 0 and after day 239 of "d", and the post of "x"
        assert got.dropped_posts == 3
    assert got.lifts.valid.sum() >= 5  # the comparison covers finished events


def test_window_starting_before_day_0(files: Any, engine: Engine):
    """A window (-2, 5): every field as in memory, and ``overlaps`` marks events whose window
    holds another event's day 0 after their own (counted directly, on both paths)."""
    att_path, ev_path, attention, events = files
    options: dict[str, Any] = dict(window=(-2, 5), estimation=(-40, -5), seasonal="weekly")
    got = lifts_on(att_path, ev_path, engine=engine, **options)
    for name in ("d", "h"):
        want, _, _ = in_memory(attention, events, name, "1d", **options)
        mine = got.of(name)
        assert_agree(mine, want)
        k0 = mine.event_index
        direct = [bool(np.any((k0 >= k + 1) & (k0 <= k + 5))) for k in k0]
        assert mine.overlaps.tolist() == direct
    assert got.of("d").overlaps.sum() == 2  # days 100 and 104, days 150 and 155


@pytest.fixture(scope="module")
def doge(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Daily Google Trends "dogecoin" and Musk's tweets naming doge, as Parquet."""
    raw = pd.read_csv(
        shared_data / "google_trends_dogecoin_daily_2017_2022" / "doge_google_trend.csv"
    ).dropna(subset=["dogecoin"])
    trends = pd.DataFrame(
        {
            "series": "dogecoin",
            "ts": pd.to_datetime(raw["date"], utc=True),
            "value": raw["dogecoin"],
        }
    )
    tweets = pd.read_csv(shared_data / "musk_tweets_2010_2022" / "ElonTweets.csv.gz")
    tweets = tweets[tweets["Text"].str.contains("doge", case=False, na=False)]
    events = pd.DataFrame(
        {
            "series": "dogecoin",
            "time": pd.to_datetime(tweets["Datetime"], utc=True),
            "id": tweets["Tweet Id"].astype(str),
        }
    )
    out = tmp_path_factory.mktemp("doge")
    trends.to_parquet(out / "trends.parquet", coerce_timestamps="us")
    events.to_parquet(out / "tweets.parquet", coerce_timestamps="us")
    return {"dir": out, "trends": trends, "events": events}


@pytest.mark.parametrize("seasonal", ["none", "weekly"])
def test_doge_tweets_against_google_trends(doge: dict[str, Any], engine: Engine, seasonal: str):
    options: dict[str, Any] = dict(window=(0, 2), estimation=(-35, -8), seasonal=seasonal)
    got = lifts_on(
        doge["dir"] / "trends.parquet", doge["dir"] / "tweets.parquet", engine=engine, **options
    )
    want, clustered, dropped = in_memory(
        doge["trends"], doge["events"], "dogecoin", "1d", **options
    )
    # Google Trends reports 0 for weeks on end: where an event's clean estimation buckets are
    # constant (within each weekday for the weekly baseline), the residual sum of squares is 0
    # and the event has no t statistic. Those events, found directly, are invalid on both
    # paths (a difference of sums would leave rounding noise of either sign there).
    y = np.log1p(doge["trends"]["value"].to_numpy())  # the file is gap-free and sorted
    days = pd.DatetimeIndex(doge["trends"]["ts"])
    cls = days.day_of_week.to_numpy() if seasonal == "weekly" else np.zeros(len(y), int)
    busy = np.zeros(len(y), bool)
    for k in want.event_index:
        busy[k : k + 3] = True
    constant = np.zeros(len(want.event_index), bool)
    for i, k in enumerate(want.event_index):
        est = np.arange(max(k - 35, 0), k - 7)
        est = est[~busy[est]]
        constant[i] = all(np.ptp(y[est][cls[est] == d]) == 0 for d in np.unique(cls[est]))
    assert constant.sum() == 3
    assert not got.lifts.valid[constant].any() and not want.valid[constant].any()
    assert_agree(got.lifts, want)
    assert got.events["n_posts"].tolist() == clustered["n_posts"].tolist()
    assert got.dropped_posts == dropped
    assert got.events["n_posts"].sum() + dropped == len(doge["events"])
    assert got.mean_test().loc["dogecoin", "n_events"] >= 20


def test_driver_gets_one_row_per_event(tmp_path: Path, engine: Engine, query_sizes: list[int]):
    """60 events with 61 gathered buckets each (3,660 panel rows): the engine hands back one
    row per series, then one row per event."""
    rng = np.random.default_rng(3)
    days = pd.date_range("2020-01-01", periods=2000, freq="1D", tz="UTC")
    pd.DataFrame(
        {"series": "s", "ts": days, "value": rng.poisson(50, 2000).astype(float)}
    ).to_parquet(tmp_path / "a.parquet", coerce_timestamps="us")
    picked = np.sort(rng.choice(np.arange(70, 1990), 60, replace=False))
    pd.DataFrame({"series": "s", "time": days[picked] + pd.Timedelta(hours=9)}).to_parquet(
        tmp_path / "e.parquet", coerce_timestamps="us"
    )
    got = lifts_on(tmp_path / "a.parquet", tmp_path / "e.parquet", engine=engine)
    assert query_sizes == [1, 60]
    assert got.events["event_index"].tolist() == picked.tolist()
    assert got.events["post_ids"].tolist() == [()] * 60  # no id column


def test_bad_inputs_are_refused(files: Any, tmp_path: Path):
    att_path, ev_path, attention, events = files
    attention.drop(columns="value").to_parquet(tmp_path / "novalue.parquet")
    with pytest.raises(BadInputError, match=r"novalue\.parquet: field 'value'"):
        lifts_on(tmp_path / "novalue.parquet", ev_path)
    with pytest.raises(BadInputError, match="events: field 'time'"):
        lifts_on(att_path, events.rename(columns={"time": "when"}))
    negative = attention.assign(value=attention["value"].where(attention.index != 5, -1.0))
    with pytest.raises(BadInputError, match="series 'd' has 1 below zero"):
        lifts_on(negative, ev_path)
    with pytest.raises(BadInputError, match="engine must be one of duckdb, spark"):
        lifts_on(att_path, ev_path, engine="polars")
    with pytest.raises(BadInputError, match="spark engine only"):
        lifts_on(att_path, ev_path, engine="duckdb", master="local[2]")
    with pytest.raises(BadInputError, match="seasonal"):
        lifts_on(att_path, ev_path, seasonal="monthly")
    with pytest.raises(BadInputError, match="estimation"):
        lifts_on(att_path, ev_path, window=(0, 7), estimation=(-60, 0))


runner = CliRunner()


def test_cli_engine_mode_writes_the_json(files: Any, tmp_path: Path):
    att_path, ev_path, attention, events = files
    args = ["attention", "lift", "--series", str(att_path), "--events", str(ev_path)]
    args += ["--seasonal", "none", "--json", str(tmp_path / "lift.json")]
    got = runner.invoke(app, args)
    assert got.exit_code == 0, got.output
    payload = json.loads((tmp_path / "lift.json").read_text())
    rows = pd.DataFrame(payload["rows"])
    for name in ("d", "h"):
        want, _, _ = in_memory(attention, events, name, "1d", window=(0, 7), seasonal="none")
        cars = rows.loc[rows["series"] == name, "car"].astype(float).to_numpy()
        np.testing.assert_allclose(cars, want.car, rtol=0, atol=1e-9)
        assert payload["mean"][name]["n_events"] == int(want.valid.sum())
    assert payload["mean"]["d"]["mean_car"] == pytest.approx(
        np.nanmean(rows.loc[rows["series"] == "d", "car"].astype(float)), abs=1e-9
    )
    assert "2 series" in payload["summary"]


def test_cli_refuses_mixing_the_modes(files: Any):
    att_path, ev_path, _, _ = files
    engine_mode = ["attention", "lift", "--series", str(att_path), "--events", str(ev_path)]
    for extra, message in (
        (["--brand", "voltra"], "workspace-mode options (--brand)"),
        (["--metric", "search_interest"], "workspace-mode options (--metric)"),
    ):
        got = runner.invoke(app, [*engine_mode, *extra])
        assert got.exit_code == 2 and message in got.output, got.output
    got = runner.invoke(app, ["attention", "lift", "--brand", "voltra", "--engine", "spark"])
    assert got.exit_code == 2 and "options (--brand) cannot be mixed" in got.output
    got = runner.invoke(app, ["attention", "lift", "--engine", "duckdb"])
    assert got.exit_code == 2 and "needs both --series and --events" in got.output
    got = runner.invoke(app, ["attention", "lift"])
    assert got.exit_code == 2 and "give --brand" in got.output


def test_result_reads(files: Any):
    att_path, ev_path, _, _ = files
    got = lifts_on(att_path, ev_path, seasonal="weekly")
    assert isinstance(got, EngineLifts)
    frame = got.to_frame()
    assert len(frame) == len(got.events) == got.lifts.car.size
    assert frame.columns[:6].tolist() == [
        "series", "day0", "first_post", "n_posts", "post_ids", "event_index",
    ]  # fmt: skip
    tests = got.mean_test()
    assert tests.index.tolist() == ["d", "h"]
    assert "d:" in got.summary() and "h:" in got.summary()
    with pytest.raises(BadInputError, match="no events of series 'x'"):
        got.of("x")
