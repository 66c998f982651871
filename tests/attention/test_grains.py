"""Weekly and monthly attention (what Google Trends gives for spans over 9 months and 5 years):
the grid, lead-lag and lag models at the stored grain, and spikes refused with the reason."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import leaderlens as ll
from leaderlens.attention.grid import attention_series, counts_per_bucket, unit_of
from leaderlens.attention.leadlag import lead_lag


def _weekly_world(path: Path, freq: str = "1w") -> ll.Workspace:
    rng = np.random.default_rng(3)
    step = "7D" if freq == "1w" else "MS"
    labels = pd.date_range("2016-01-03", periods=200 if freq == "1w" else 80, freq=step, tz="UTC")
    ws = ll.Workspace.open(path)
    ws.add_leader("boss", name="The Boss", company="Acme")
    ws.add_brand("acme", name="Acme", leader_ids=["boss"])
    times = labels[0] + pd.to_timedelta(rng.uniform(0, (labels[-1] - labels[0]).days, 300), "D")
    ws.ingest_statements(
        pd.DataFrame({"statement_id": [f"s{i}" for i in range(300)], "ts": times, "text": "x"}),
        leader="boss",
    )
    ws.ingest_brand_posts(
        pd.DataFrame(
            {"statement_id": [f"b{i}" for i in range(120)], "ts": times[:120], "text": "y"}
        ),
        brand="acme",
    )
    values = rng.integers(20, 80, len(labels)).astype(float)
    ws.ingest_attention(
        pd.DataFrame({"time": labels.strftime("%Y-%m-%d"), "value": values}),
        brand="acme",
        metric="search_interest",
    )
    return ws


def test_weekly_buckets_start_on_the_series_weekday_as_pandas_counts_them() -> None:
    labels = pd.date_range("2020-01-05", periods=10, freq="7D", tz="UTC")  # Sundays
    series = attention_series(pd.DataFrame({"ts": labels, "value": 1.0}), "1w")
    assert (series.labels == labels).all() and unit_of(series.labels) == "weeks"
    posts = pd.Series(
        pd.to_datetime(["2020-01-11T23:59Z", "2020-01-12T00:00Z", "2020-03-14T12:00Z"])
    )
    counts = counts_per_bucket(series.labels, posts, np.array(["a"] * 3), ["a"])[:, 0]
    # The witness: pandas' weeks ending on Saturday, labelled by their Sunday start.
    expected = posts.groupby(
        posts.dt.tz_convert(None).dt.to_period("W-SAT").dt.start_time.dt.tz_localize("UTC")
    ).size()
    got = pd.Series(counts, index=series.labels)
    assert got[got > 0].to_dict() == expected.to_dict()


def test_monthly_buckets_are_calendar_months() -> None:
    labels = pd.date_range("2019-11-01", periods=5, freq="MS", tz="UTC")
    series = attention_series(pd.DataFrame({"ts": labels, "value": [1, 2, 3, 4, 5]}), "1mo")
    assert (series.labels == labels).all()
    assert unit_of(series.labels) == "months"
    posts = pd.Series(
        pd.to_datetime(["2020-02-29T23:00Z", "2020-03-31T23:59Z", "2020-04-01T00:00Z"])
    )
    counts = counts_per_bucket(series.labels, posts, np.array(["a"] * 3), ["a"])[:, 0]
    assert counts.tolist() == [0, 0, 0, 1, 1]  # 1 April lies past the last month's end


def test_weekly_lead_lag_counts_statements_per_week(tmp_path: Path) -> None:
    with _weekly_world(tmp_path / "w.duckdb") as ws:
        result = ll.brand_lead_lag(ws, "acme", metric="search_interest", maxlags=4, horizon=4)
        stored = ws.statements("boss")
        values = ws.attention("search_interest", brand="acme")
    assert "statements per week" in result.summary()
    # The witness: weekly counts made by pandas (weeks ending Saturday, by their Sunday start)
    # through the same lead-lag core (itself checked against statsmodels in test_leadlag.py).
    labels = pd.DatetimeIndex(pd.to_datetime(values["ts"], utc=True))
    weeks = (
        pd.to_datetime(stored["ts"], utc=True)
        .dt.tz_convert(None)
        .dt.to_period("W-SAT")
        .dt.start_time
    )
    counts = weeks.dt.tz_localize("UTC").value_counts().reindex(labels, fill_value=0)
    expected = lead_lag(
        counts.to_numpy(dtype=float), np.log1p(values["value"].to_numpy()), maxlags=4, horizon=4
    )
    assert result.lag_order == expected.lag_order
    np.testing.assert_allclose(result.x_causes_y[:2], expected.x_causes_y[:2], rtol=1e-10)
    np.testing.assert_allclose(result.orth_irf, expected.orth_irf, rtol=1e-10, atol=1e-14)


def test_amplification_on_a_weekly_grid_states_weeks(tmp_path: Path) -> None:
    with _weekly_world(tmp_path / "w.duckdb") as ws:
        found = ll.amplification(ws, "acme", metric="search_interest", n_boot=49)
        assert found.leader_lift is not None
        with pytest.raises(ll.BadInputError, match="needs daily or hourly buckets"):
            ll.amplification(ws, "acme", metric="search_interest", seasonal="weekly")
        with pytest.raises(ll.BadInputError, match="spikes need daily or hourly attention"):
            ll.brand_spikes(ws, "acme", metric="search_interest")


def test_monthly_series_runs_lead_lag(tmp_path: Path) -> None:
    with _weekly_world(tmp_path / "m.duckdb", "1mo") as ws:
        result = ll.brand_lead_lag(ws, "acme", metric="search_interest", maxlags=3, horizon=3)
        assert "statements per month" in result.summary()
