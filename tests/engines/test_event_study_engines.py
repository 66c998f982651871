"""The event study through an engine (DuckDB, Spark) on Parquet: the same numbers as the
workspace path, as statsmodels OLS, and as each other, with only per-event rows brought back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import exchange_calendars as xcals
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

import leaderlens as ll
from leaderlens.engines.base import Engine, get_engine
from leaderlens.errors import BadInputError
from leaderlens.study.battery import SHARED
from leaderlens.study.scale import parquet_event_study

PRICES = "prices_daily_2010_2022_tsla_spy_doge"
OPTIONS: dict[str, Any] = dict(window=(-1, 1), estimation=(-250, -11), n_bootstrap=200, seed=3)


def daily_bars(folder: Path) -> pd.DataFrame:
    """TSLA and SPY adjusted closes from the raw CSVs, each stamped at its XNYS session close."""
    closes = xcals.get_calendar("XNYS", start="2010-01-04", end="2022-12-30").schedule["close"]
    frames = []
    for asset in ("TSLA", "SPY"):
        raw = pd.read_csv(folder / f"{asset}.csv")
        ts = pd.DatetimeIndex(closes.reindex(pd.to_datetime(raw["Date"])).to_numpy(), tz="UTC")
        frames.append(pd.DataFrame({"asset": asset, "ts": ts, "close": raw["Adj Close"]}))
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def real(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Parquet bars and events (42 TSLA events, 3 hours before a session close), and the
    workspace path's result on the same prices and instants."""
    folder = shared_data / PRICES
    bars = daily_bars(folder)
    tsla = bars[bars["asset"] == "TSLA"].reset_index(drop=True)
    events = pd.DataFrame(
        {"asset": "TSLA", "time": tsla["ts"].iloc[400:2900:60].to_numpy() - pd.Timedelta(hours=3)}
    )
    out = tmp_path_factory.mktemp("scale")
    bars.to_parquet(out / "bars.parquet", coerce_timestamps="us")
    events.to_parquet(out / "events.parquet", coerce_timestamps="us")
    with ll.Workspace.open(out / "w.duckdb") as ws:
        ws.ingest_prices(folder / "SPY.csv", asset="SPY", calendar="XNYS", freq="1d")
        ws.ingest_prices(
            folder / "TSLA.csv", asset="TSLA", calendar="XNYS", freq="1d", benchmark="SPY"
        )
        labelled = events.assign(label=[f"e{i}" for i in range(len(events))])
        reference = ws.event_study(
            events=labelled, asset="TSLA", model="market", n_placebo=0, **OPTIONS
        )
    return {"dir": out, "bars": tsla, "events": events, "reference": reference}


def study(real: dict[str, Any], engine: Engine, **kw: Any) -> Any:
    options = OPTIONS | kw
    return parquet_event_study(
        real["dir"] / "bars.parquet",
        real["dir"] / "events.parquet",
        market="SPY",
        engine=engine,
        **options,
    )


def assert_same(a: Any, b: Any, tol: float = 1e-9) -> None:
    """Per-event CAR, t and every battery statistic and p-value agree to ``tol``."""
    ea, eb = a.events_frame(), b.events_frame()
    for column in ("car", "car_t", "car_p"):
        np.testing.assert_allclose(ea[column], eb[column], rtol=0, atol=tol)
    np.testing.assert_allclose(a.ar, b.ar, rtol=0, atol=tol)
    fa, fb = (
        x.battery.to_frame().pipe(lambda f: f[~f["test"].str.endswith(SHARED)]).reset_index()
        for x in (a, b)
    )
    assert fa["test"].tolist() == fb["test"].tolist()
    np.testing.assert_allclose(fa["statistic"], fb["statistic"], rtol=0, atol=tol)
    np.testing.assert_allclose(fa["p_value"], fb["p_value"], rtol=0, atol=tol)
    assert a.battery.r == pytest.approx(b.battery.r, abs=tol)
    assert a.battery.bootstrap.low == pytest.approx(b.battery.bootstrap.low, abs=tol)


def test_each_engine_matches_the_workspace_path(real: dict[str, Any], engine: Engine):
    got = study(real, engine)
    reference = real["reference"]
    # the whole battery, rank tests included; the centred rank is shown once (every event
    # ranks the same number of values), and the engine keeps no residual panel for the
    # Kolari-Pynnonen r of shared event days
    assert len(got.battery.results) == 15 and got.battery.r_window is None
    assert_same(got, reference)


def test_spark_and_duckdb_agree_to_1e9(real: dict[str, Any], spark_engine: Engine):
    a = study(real, get_engine("duckdb"), model="constant-mean", window=(0, 2))
    b = study(real, spark_engine, model="constant-mean", window=(0, 2))
    assert_same(a, b)


def test_market_adjusted_matches_the_workspace_path(real: dict[str, Any], tmp_path: Path):
    labelled = real["events"].assign(label=[f"e{i}" for i in range(len(real["events"]))])
    with ll.Workspace.open(real["dir"] / "w.duckdb") as ws:
        reference = ws.event_study(
            events=labelled, asset="TSLA", model="market-adjusted", n_placebo=0, **OPTIONS
        )
    assert_same(study(real, get_engine("duckdb"), model="market-adjusted"), reference)


def test_market_model_matches_statsmodels_ols(real: dict[str, Any]):
    got = study(real, get_engine("duckdb"), tests="per-event")
    bars = real["bars"].set_index("ts")
    r = bars["close"].pct_change()
    frame = got.events_frame()
    for row in (0, 17, 41):
        k0 = int(frame["k0"].iloc[row]) - 1  # 0-based position of day 0 in TSLA's bars
        assert real["bars"]["ts"].iloc[k0] >= real["events"]["time"].iloc[row]
        assert real["bars"]["ts"].iloc[k0 - 1] < real["events"]["time"].iloc[row]
        est = slice(k0 - 250, k0 - 10)
        y = r.iloc[est].to_numpy()
        x = market_returns(real).reindex(r.index[est]).to_numpy()
        fit = sm.OLS(y, sm.add_constant(x)).fit()
        np.testing.assert_allclose(got.params[row], fit.params, rtol=1e-9)
        xw = market_returns(real).reindex(r.index[k0 - 1 : k0 + 2]).to_numpy()
        ar = r.iloc[k0 - 1 : k0 + 2].to_numpy() - fit.predict(
            sm.add_constant(xw, has_constant="add")
        )
        np.testing.assert_allclose(got.ar[row], ar, rtol=0, atol=1e-12)
        # prediction-error variance of the CAR: s^2 1'(I + X_W (X'X)^-1 X_W')1
        xw1 = sm.add_constant(xw, has_constant="add")
        var = fit.scale * (3 + np.ones(3) @ xw1 @ fit.normalized_cov_params @ xw1.T @ np.ones(3))
        assert frame["car_t"].iloc[row] == pytest.approx(ar.sum() / np.sqrt(var), rel=1e-9)


def market_returns(real: dict[str, Any]) -> pd.Series:
    bars = pd.read_parquet(real["dir"] / "bars.parquet")
    spy = bars[bars["asset"] == "SPY"].set_index("ts")["close"]
    spy.index = spy.index.as_unit("ns")
    return spy.pct_change()


def synthetic(tmp_path: Path) -> tuple[Path, Path, pd.DataFrame, pd.DataFrame]:
    """Two assets with their own (different) bar instants and given returns, a market, and
    events at, between, before and after bars."""
    rng = np.random.default_rng(5)
    base = pd.Timestamp("2024-01-01", tz="UTC")
    rows = []
    for asset, step, n in (("A", "1h", 400), ("B", "90min", 400), ("MKT", "30min", 1300)):
        ts = pd.date_range(base, periods=n, freq=step)
        rows.append(pd.DataFrame({"asset": asset, "ts": ts, "return": rng.normal(0, 0.01, n)}))
    bars = pd.concat(rows, ignore_index=True)
    a_ts = rows[0]["ts"]
    events = pd.DataFrame(
        {
            "asset": ["A", "A", "B", "A", "B", "C"],
            "time": [
                a_ts.iloc[100],  # exactly at a bar: that bar is day 0
                a_ts.iloc[200] + pd.Timedelta(microseconds=1),  # just after: the next bar
                rows[1]["ts"].iloc[300] - pd.Timedelta(minutes=10),
                base - pd.Timedelta(days=3),  # before the first bar: too few estimation bars
                base + pd.Timedelta(days=400),  # after the last bar: no day 0
                a_ts.iloc[150],  # an asset without bars
            ],
        }
    )
    bars_path, events_path = tmp_path / "bars.parquet", tmp_path / "events.parquet"
    bars.to_parquet(bars_path, coerce_timestamps="us")
    events.to_parquet(events_path, coerce_timestamps="us")
    return bars_path, events_path, bars, events


def synthetic_study(bars_path: Path, events_path: Path, engine: Engine, **kw: Any) -> Any:
    """The market model on the synthetic bars, estimation [-60, -2], window [0, 1]."""
    return parquet_event_study(
        bars_path, events_path, market="MKT", engine=engine, estimation=(-60, -2), window=(0, 1),
        **kw,
    )  # fmt: skip


def test_day0_is_the_first_bar_at_or_after_the_event(tmp_path: Path, engine: Engine):
    bars_path, events_path, bars, events = synthetic(tmp_path)
    got = synthetic_study(bars_path, events_path, engine, tests="per-event").events_frame()
    got = got.sort_values("time", kind="stable").reset_index(drop=True)
    expected = []
    for asset, time in events.sort_values("time", kind="stable").itertuples(index=False):
        ts = bars.loc[bars["asset"] == asset, "ts"]
        pos = int(pd.DatetimeIndex(ts).searchsorted(time, side="left"))
        expected.append(pos + 1 if pos < len(ts) else -1)
    assert got["k0"].tolist() == expected
    excluded = got.set_index("asset")["excluded"]
    assert excluded.loc["C"] == "day 0 has no bar"
    assert (got["excluded"] == "").sum() == 3
    assert got["excluded"].str.startswith("too few estimation bars").sum() == 1


def test_driver_gets_per_event_rows_never_the_panel(
    tmp_path: Path, engine: Engine, query_sizes: list[int]
):
    """Every result the engine hands back has at most N + J + (bar instants) rows: the
    reduced tables, never N x J event-time rows."""
    bars_path, events_path, bars, _ = synthetic(tmp_path)
    rng = np.random.default_rng(2)
    a_ts = bars.loc[bars["asset"] == "A", "ts"]
    many = pd.DataFrame(
        {"asset": "A", "time": a_ts.iloc[rng.choice(np.arange(80, 398), 60, replace=False)]}
    )
    many.to_parquet(events_path, coerce_timestamps="us")
    result = synthetic_study(bars_path, events_path, engine, n_bootstrap=0)
    sizes = query_sizes
    n, j = len(many), 59 + 2
    assert result.battery is not None and result.battery.n == n
    assert sizes[0] == n  # the reduced table: one row per event
    assert sizes[1] <= j + 1 + 2 * n + 1300 < n * j  # per bar, per event, per instant
    assert len(sizes) == 2


def test_return_column_and_bad_inputs(tmp_path: Path):
    bars_path, events_path, _, _ = synthetic(tmp_path)
    duck = get_engine("duckdb")
    with pytest.raises(BadInputError, match="factor"):
        parquet_event_study(bars_path, events_path, model="factor", engine=duck)
    with pytest.raises(BadInputError, match="market="):
        parquet_event_study(bars_path, events_path, model="market", engine=duck)
    pd.DataFrame({"asset": ["A"], "when": [pd.Timestamp("2024-01-02", tz="UTC")]}).to_parquet(
        tmp_path / "bad.parquet"
    )
    with pytest.raises(BadInputError, match="'time'"):
        parquet_event_study(bars_path, tmp_path / "bad.parquet", market="MKT", engine=duck)
    with pytest.raises(BadInputError, match="no Parquet file"):
        parquet_event_study(tmp_path / "none.parquet", events_path, market="MKT", engine=duck)


def test_rank_pass_in_event_blocks_adds_up(real: dict[str, Any], monkeypatch: pytest.MonkeyPatch):
    """Blocks of 5 events (as the embedded engine streams large studies) give the same
    battery as one pass."""
    from leaderlens.study import scale

    whole = scale.rank_sums
    monkeypatch.setattr(scale, "rank_sums", lambda *a, **k: whole(*a, **k, block=5))
    assert_same(study(real, get_engine("duckdb")), real["reference"])


def test_events_of_one_bar_are_merged_as_the_workspace_merges_them(
    real: dict[str, Any], engine: Engine, tmp_path: Path
):
    """Two more events inside the session of events 5 and 20 (1 and 2 hours later, same
    day 0): each engine merges them as the workspace path does, so the numbers are those of
    the workspace path on the same three-statement events, and each merged event lists its
    input rows."""
    events = real["events"]
    extra = events.iloc[[5, 20]].assign(time=lambda f: f["time"] + pd.Timedelta(hours=1))
    more = pd.concat([events, extra, extra.assign(time=extra["time"] + pd.Timedelta(hours=1))])
    more.to_parquet(tmp_path / "events.parquet", coerce_timestamps="us")
    got = parquet_event_study(
        real["dir"] / "bars.parquet",
        tmp_path / "events.parquet",
        market="SPY",
        engine=engine,
        **OPTIONS,
    )
    frame = got.events_frame()
    assert len(frame) == len(events)
    assert frame["n_statements"].tolist() == [3 if i in (5, 20) else 1 for i in range(len(events))]
    rows = got.events["statement_ids"]
    assert len(rows.iloc[5]) == 3 and len(rows.iloc[0]) == 1
    labelled = more.assign(label=[f"e{i}" for i in range(len(more))])
    with ll.Workspace.open(real["dir"] / "w.duckdb") as ws:
        reference = ws.event_study(
            events=labelled, asset="TSLA", model="market", n_placebo=0, **OPTIONS
        )
    assert reference.events_frame()["n_statements"].max() == 3
    assert_same(got, reference)


def test_events_keep_their_labels_and_list_their_rows(
    real: dict[str, Any], engine: Engine, tmp_path: Path
):
    """Each event is labelled by its events' ``label`` column (a merged event by its first
    statement's), and lists its input rows numbered by time, whatever order the file holds."""
    events = real["events"]
    extra = events.iloc[[5, 20]].assign(time=lambda f: f["time"] + pd.Timedelta(hours=1))
    more = pd.concat([events, extra]).sort_values("time", ignore_index=True)
    more["label"] = [f"post {i}" for i in range(len(more))]  # rows 5, 6 and 21, 22 merge
    more.iloc[::-1].to_parquet(tmp_path / "events.parquet", coerce_timestamps="us")
    got = parquet_event_study(
        real["dir"] / "bars.parquet", tmp_path / "events.parquet", market="SPY", engine=engine
    )
    first = [i for i in range(len(more)) if i not in (6, 22)]
    assert got.events_frame()["label"].tolist() == [f"post {i}" for i in first]
    merged = {5: [5, 6], 21: [21, 22]}
    assert got.events["statement_ids"].tolist() == [
        [f"row {j}" for j in merged.get(i, [i])] for i in first
    ]
    unlabelled = parquet_event_study(
        real["dir"] / "bars.parquet", real["dir"] / "events.parquet", market="SPY", engine=engine
    )
    assert set(unlabelled.events_frame()["label"]) == {"TSLA"}


def test_assets_without_events_change_nothing(real: dict[str, Any], engine: Engine, tmp_path: Path):
    """Bars of an asset that no event names (here a noisy copy of TSLA) leave every number
    as it was, and are not read: each asset is studied on its own bars and the market's."""
    bars = pd.read_parquet(real["dir"] / "bars.parquet")
    rng = np.random.default_rng(5)
    other = bars[bars["asset"] == "TSLA"].assign(asset="OTHER")
    other["close"] = other["close"] * rng.uniform(0.9, 1.1, len(other))
    pd.concat([other, bars]).to_parquet(tmp_path / "bars.parquet", coerce_timestamps="us")
    options = OPTIONS | {"tests": "per-event"}
    a = parquet_event_study(
        tmp_path / "bars.parquet",
        real["dir"] / "events.parquet",
        market="SPY",
        engine=engine,
        **options,
    )
    read = engine.query("SELECT DISTINCT asset FROM ll_series")["asset"]
    assert sorted(np.asarray(read).astype(str)) == ["SPY", "TSLA"]
    b = parquet_event_study(
        real["dir"] / "bars.parquet",
        real["dir"] / "events.parquet",
        market="SPY",
        engine=engine,
        **options,
    )
    # Equal up to the order of the engine's parallel sums.
    np.testing.assert_allclose(a.ar, b.ar, rtol=0, atol=1e-12)
    np.testing.assert_allclose(
        a.events_frame()["car_t"], b.events_frame()["car_t"], rtol=0, atol=1e-10
    )
