"""Exchange intraday windows, the factor model and the activity regression, each against an
independent computation (pandas, statsmodels) on generated data."""

from __future__ import annotations

from pathlib import Path

import exchange_calendars as xcals
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

import leaderlens as ll

RNG = np.random.default_rng(21)


def hourly_xnys() -> pd.DatetimeIndex:
    """Hourly bar starts 09:30 .. 15:30 New York time on XNYS sessions, in UTC."""
    cal = xcals.get_calendar("XNYS", start="2021-01-04", end="2021-06-30")
    opens = cal.schedule.loc["2021-01-04":"2021-06-30", "open"]
    naive = pd.DatetimeIndex(opens).tz_convert("UTC").tz_localize(None).to_numpy()
    starts = naive[:, None] + np.arange(7)[None, :] * np.timedelta64(1, "h")
    return pd.DatetimeIndex(starts.ravel(), tz="UTC")


def intraday_bars(starts: pd.DatetimeIndex, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.004, starts.size)))
    open_ = close * np.exp(rng.normal(0, 0.002, starts.size))
    return pd.DataFrame(
        {
            "ts": starts,
            "open": open_,
            "high": np.maximum(open_, close) * 1.001,
            "low": np.minimum(open_, close) * 0.999,
            "close": close,
        }
    )


@pytest.fixture(scope="module")
def intraday(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    starts = hourly_xnys()
    bars = intraday_bars(starts, 1)
    path = tmp_path_factory.mktemp("intraday") / "w.duckdb"
    with ll.Workspace.open(path) as ws:
        ws.ingest_prices(intraday_bars(starts, 2), asset="M", calendar="XNYS", freq="1h")
        ws.ingest_prices(bars, asset="A", calendar="XNYS", freq="1h", benchmark="M")
    return path, bars


MOMENTS = pd.DataFrame(
    {
        "time": pd.to_datetime(
            ["2021-05-12T11:00:00-04:00", "2021-05-13T15:45:00-04:00", "2021-05-14T09:40:00-04:00"],
            utc=True,
        ),
        "label": ["mid-morning", "last bar of the day", "first bar of the day"],
    }
)


def test_intraday_windows_never_cross_a_session_silently(intraday: tuple[Path, pd.DataFrame]):
    path, bars = intraday
    with ll.Workspace.open(path) as ws:
        options = dict(
            events=MOMENTS,
            asset="A",
            freq="1h",
            model="market",
            window=(0, 1),
            estimation=(-150, -11),
            n_bootstrap=0,
            n_placebo=0,
        )
        excluded = ws.event_study(**options).events_frame().set_index("label")
        kept = ws.event_study(**options, cross_sessions="keep").events_frame().set_index("label")
    assert excluded.loc["last bar of the day", "excluded"].startswith(
        "window crosses a session boundary (overnight"
    )
    assert excluded.loc["mid-morning", "excluded"] == ""
    assert bool(kept.loc["last bar of the day", "crosses_session"])
    assert kept.loc["last bar of the day", "excluded"] == ""
    # Raw returns against the bars themselves: bar k over bar k-1 within a session, and the
    # first bar of a session over its own open (the night is not an ordinary bar).
    close = pd.Series(bars["close"].to_numpy(), index=bars["ts"])
    opens = pd.Series(bars["open"].to_numpy(), index=bars["ts"])
    mid = excluded.loc["mid-morning"]
    assert mid["day0"] == "2021-05-12T14:30:00Z"  # the 10:30 EDT bar contains 11:00
    expected = close["2021-05-12T14:30Z"] / close["2021-05-12T13:30Z"] - 1
    assert mid["r[0]"] == pytest.approx(expected, abs=1e-12)
    first = excluded.loc["first bar of the day"]
    assert first["day0"] == "2021-05-14T13:30:00Z"
    own = close["2021-05-14T13:30Z"] / opens["2021-05-14T13:30Z"] - 1
    assert first["r[0]"] == pytest.approx(own, abs=1e-12)


def test_factor_model_matches_statsmodels(tmp_path: Path) -> None:
    cal = xcals.get_calendar("XNYS", start="2019-01-02", end="2021-12-31")
    days = cal.sessions_in_range("2019-01-02", "2021-12-31")
    n = days.size
    mkt, smb = RNG.normal(4e-4, 0.01, n), RNG.normal(0, 0.005, n)
    rf = np.full(n, 0.0001)
    r = rf + 2e-4 + 1.1 * mkt + 0.6 * smb + RNG.normal(0, 0.012, n)
    lines = ["Made by the test in the Fama-French layout.", "", ",Mkt-RF,SMB,RF"]
    lines += [
        f"{d:%Y%m%d},{100 * a:.6f},{100 * b:.6f},{100 * c:.6f}"
        for d, a, b, c in zip(days, mkt, smb, rf, strict=True)
    ]
    factors = tmp_path / "factors.csv"
    factors.write_text("\n".join(lines) + "\n\n Copyright\n")
    mkt, smb, rf = (np.round(100 * x, 6) / 100 for x in (mkt, smb, rf))  # as written
    prices = pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "close": 30 * np.cumprod(1 + r)})
    moments = pd.DataFrame(
        {
            "time": pd.to_datetime(["2020-06-15T15:00Z", "2021-03-03T15:00Z"], utc=True),
            "label": ["one", "two"],
        }
    )
    with ll.Workspace.open(tmp_path / "w.duckdb") as ws:
        ws.ingest_prices(prices, asset="A", calendar="XNYS")
        result = ws.event_study(
            events=moments,
            asset="A",
            model="factor",
            factors=factors,
            window=(-1, 1),
            estimation=(-200, -11),
            n_bootstrap=0,
            n_placebo=0,
        )
    frame = result.events_frame().set_index("label")
    excess = np.concatenate([[np.nan], np.diff(prices["close"]) / prices["close"][:-1]]) - rf
    x = np.column_stack([mkt, smb])
    for label, day in (("one", "2020-06-15"), ("two", "2021-03-03")):
        k0 = days.get_loc(pd.Timestamp(day))
        est = np.arange(k0 - 200, k0 - 10)
        fit = sm.OLS(excess[est], sm.add_constant(x[est])).fit()
        win = np.arange(k0 - 1, k0 + 2)
        xw = sm.add_constant(x[win], has_constant="add")
        ar = excess[win] - xw @ fit.params
        ones = np.ones(3)
        var_car = fit.scale * (3 + ones @ xw @ fit.normalized_cov_params @ xw.T @ ones)
        row = frame.loc[label]
        np.testing.assert_allclose([row["alpha"], row["b1"], row["b2"]], fit.params, rtol=1e-9)
        assert row["car"] == pytest.approx(ar.sum(), abs=1e-10)
        assert row["car_t"] == pytest.approx(ar.sum() / np.sqrt(var_car), rel=1e-9)


XNYS_2020_2021 = xcals.get_calendar("XNYS", start="2020-01-02", end="2021-12-31").schedule.loc[
    "2020-01-02":"2021-12-31"
]


def market_pair(ws: ll.Workspace, m: np.ndarray, r: np.ndarray) -> None:
    """Market M and asset A (benchmark M) from daily returns on the 2020-2021 XNYS sessions."""
    dates = XNYS_2020_2021.index.strftime("%Y-%m-%d")
    ws.ingest_prices(
        pd.DataFrame({"date": dates, "close": 100 * np.cumprod(1 + m)}),
        asset="M",
        calendar="XNYS",
    )
    ws.ingest_prices(
        pd.DataFrame({"date": dates, "close": 50 * np.cumprod(1 + r)}),
        asset="A",
        calendar="XNYS",
        benchmark="M",
    )


def test_activity_regression_matches_statsmodels_hac(tmp_path: Path) -> None:
    sched = XNYS_2020_2021
    n = len(sched)
    m = RNG.normal(3e-4, 0.01, n)
    posts = RNG.poisson(3, n)
    r = 0.9 * m + 0.002 * posts + RNG.normal(0, 0.01, n)
    # Statements one hour before each session's close: day 0 is that session.
    closes = pd.DatetimeIndex(sched["close"]).tz_convert("UTC").tz_localize(None).to_numpy()
    times = np.repeat(closes, posts) - np.timedelta64(1, "h")
    statements = pd.DataFrame(
        {
            "time": pd.DatetimeIndex(times, tz="UTC"),
            "text": [f"post {i}" for i in range(times.size)],
            "id": [str(i) for i in range(times.size)],
        }
    )
    with ll.Workspace.open(tmp_path / "w.duckdb") as ws:
        market_pair(ws, m, r)
        ws.ingest_statements(statements, leader="poster")
        from leaderlens.study.activity_study import activity_study

        got = activity_study(ws, leader="poster", asset="A")
    design = sm.add_constant(np.column_stack([m[1:], posts[1:]]))
    want = sm.OLS(r[1:], design).fit(
        cov_type="HAC", cov_kwds={"maxlags": got.maxlags, "use_correction": False}
    )
    np.testing.assert_allclose(got.params, want.params, rtol=1e-9)
    np.testing.assert_allclose(got.se, want.bse, rtol=1e-6)
    assert got.test("activity").p_value < 1e-6


def test_topic_and_sentiment_filters_follow_the_annotations(tmp_path: Path) -> None:
    from leaderlens.text.annotate import annotated

    sched = XNYS_2020_2021
    n = len(sched)
    m = RNG.normal(3e-4, 0.01, n)
    r = 0.9 * m + RNG.normal(0, 0.01, n)
    texts = [
        "Dogecoin and Bitcoin to the moon!",
        "The new car drives beautifully, best product we ever made",
        "This is a terrible, awful day for the stock",
        "Buying more Bitcoin, crypto is the future",
    ] * 5
    closes = pd.DatetimeIndex(sched["close"]).tz_convert("UTC")
    times = closes[np.arange(300, 300 + 5 * len(texts), 5)[: len(texts)]] - pd.Timedelta(hours=2)
    statements = pd.DataFrame(
        {"time": times, "text": texts, "id": [str(i) for i in range(len(texts))]}
    )
    with ll.Workspace.open(tmp_path / "w.duckdb") as ws:
        market_pair(ws, m, r)
        ws.ingest_statements(statements, leader="poster")
        with pytest.raises(ll.MissingDataError, match="annotate"):
            ws.event_study(leader="poster", asset="A", topic="crypto", n_bootstrap=0, n_placebo=0)
        ws.annotate(leader="poster", progress=False)
        notes = annotated(ws, kind="statements", leader="poster")
        crypto = ws.event_study(leader="poster", asset="A", topic="crypto", tests="per-event")
        negative = ws.event_study(leader="poster", asset="A", max_sentiment=-0.3, tests="per-event")
        grouped = ws.event_study(leader="poster", asset="A", by="topic", n_bootstrap=0, n_placebo=0)
    want = set(notes.loc[notes["topics"].map(lambda t: "crypto" in t), "statement_id"])
    got = {i for ids in crypto.events["statement_ids"] for i in ids}
    assert got == want and len(want) == 10
    want_neg = set(notes.loc[notes["sentiment"] <= -0.3, "statement_id"])
    assert {i for ids in negative.events["statement_ids"] for i in ids} == want_neg
    assert grouped.groups is not None and "crypto" in set(grouped.groups.table["group"])
