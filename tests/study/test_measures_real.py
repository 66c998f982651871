"""Abnormal volume on real moments, checked against the price files with plain pandas.

TSLA's volume on Musk's "funding secured" (2018-08-07) and "stock price is too high"
(2020-05-01) days, and DOGE's hourly volume on Binance around "One word: Doge"
(2020-12-20 09:30 UTC). The witness is the constant-mean (mean-adjusted) model on log(1 + V)
computed here from the raw CSV: AR = y_0 - mean_E y, t = AR / (s sqrt(1 + 1/T)).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import leaderlens as ll

EST = (-250, -11)


def mean_adjusted(y: np.ndarray, k0: int, bars: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """AR and t of bars ``k0 + bars`` against the estimation window of ``y`` (NaNs skipped)."""
    est = y[k0 + EST[0] : k0 + EST[1] + 1]
    est = est[np.isfinite(est)]
    s = est.std(ddof=1)
    ar = y[k0 + bars] - est.mean()
    return ar, ar / (s * np.sqrt(1 + 1 / est.size))


@pytest.fixture(scope="module")
def tsla(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> ll.EventStudyResult:
    folder = shared_data / "prices_daily_2010_2022_tsla_spy_doge"
    events = pd.DataFrame(
        {
            "time": pd.to_datetime(["2018-08-07T16:48:00Z", "2020-05-01T15:11:00Z"], utc=True),
            "label": ["funding secured", "stock price is too high"],
        }
    )
    with ll.Workspace.open(tmp_path_factory.mktemp("tsla") / "w.duckdb") as ws:
        ws.ingest_prices(folder / "SPY.csv", asset="SPY", calendar="XNYS")
        ws.ingest_prices(folder / "TSLA.csv", asset="TSLA", calendar="XNYS", benchmark="SPY")
        return ws.event_study(
            events=events,
            asset="TSLA",
            model="constant-mean",
            window=(0, 1),
            measure="volume",
            n_bootstrap=0,
            n_placebo=0,
        )


def test_tsla_volume_on_musk_days(tsla: ll.EventStudyResult, shared_data: Path) -> None:
    raw = pd.read_csv(shared_data / "prices_daily_2010_2022_tsla_spy_doge" / "TSLA.csv")
    y = np.log1p(raw["Volume"].to_numpy(float))
    frame = tsla.events_frame().set_index("day0")
    for day, min_ar, min_t in (("2018-08-07", 1.5, 3.5), ("2020-05-01", 1.0, 1.9)):
        k0 = int(np.flatnonzero(raw["Date"] == day)[0])
        ar, t = mean_adjusted(y, k0, np.array([0, 1]))
        row = frame.loc[day]
        np.testing.assert_allclose(row[["ar[0]", "ar[1]"]].to_numpy(float), ar, atol=1e-10)
        np.testing.assert_allclose(row[["ar_t[0]", "ar_t[1]"]].to_numpy(float), t, rtol=1e-10)
        # 2018-08-07: 154.4 M shares, e^1.59 = 4.9 times the usual; 2020-05-01: 162.7 M, e^1.13
        assert ar[0] > min_ar and t[0] > min_t
    assert frame.loc["2018-08-07", "car_p"] < 1e-5
    assert frame.loc["2020-05-01", "car_p"] < 0.05


def test_doge_hourly_volume_after_one_word_doge(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = shared_data / "crypto_binance_ohlcv_doge_btc" / "DOGEUSDT_1h.csv.gz"
    event = pd.DataFrame(
        {"time": pd.to_datetime(["2020-12-20T09:30:00Z"], utc=True), "label": ["One word: Doge"]}
    )
    with ll.Workspace.open(tmp_path_factory.mktemp("doge") / "w.duckdb") as ws:
        ws.ingest_prices(path, asset="DOGE", calendar="24/7")
        result = ws.event_study(
            events=event,
            asset="DOGE",
            model="constant-mean",
            freq="1h",
            window=(0, 6),
            measure="volume",
            tests="per-event",
        )
    raw = pd.read_csv(path)
    hours = pd.DatetimeIndex(raw["timestamp"])
    grid = pd.date_range(hours.min(), hours.max(), freq="h")
    y = np.log1p(raw.set_index(hours)["volume"].reindex(grid).to_numpy(float))
    k0 = grid.get_loc(pd.Timestamp("2020-12-20 09:00"))
    ar, t = mean_adjusted(y, k0, np.arange(7))
    row = result.events_frame().iloc[0]
    assert row["day0"] == "2020-12-20T09:00:00Z"
    np.testing.assert_allclose(row[[f"ar[{b}]" for b in range(7)]].to_numpy(float), ar, atol=1e-10)
    np.testing.assert_allclose(row[[f"ar_t[{b}]" for b in range(7)]].to_numpy(float), t, rtol=1e-10)
    # The 09:00 hour traded e^4.76 = 117 times the usual hourly DOGE volume (t 4.5).
    assert ar[0] > 4.5 and t[0] > 4 and (ar > 2).all()


def test_tsla_variance_on_funding_secured_day(
    tsla: ll.EventStudyResult, shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Market model on adjusted-close returns (statsmodels OLS on SPY), AV = SAR^2 (d-2)/d - 1."""
    import statsmodels.api as sm

    folder = shared_data / "prices_daily_2010_2022_tsla_spy_doge"
    prices = {
        name: pd.read_csv(folder / f"{name}.csv", index_col="Date")["Adj Close"]
        for name in ("TSLA", "SPY")
    }
    both = pd.DataFrame(prices).dropna()
    r = (both / both.shift(1) - 1).to_numpy()
    k0 = both.index.get_loc("2018-08-07")
    est = slice(k0 + EST[0], k0 + EST[1] + 1)
    fit = sm.OLS(r[est, 0], sm.add_constant(r[est, 1])).fit()
    x0 = np.array([[1.0, r[k0, 1]]])
    sar = (r[k0, 0] - x0 @ fit.params) / np.sqrt(fit.get_prediction(x0).se_mean ** 2 + fit.scale)
    d = fit.df_resid
    want = float(sar[0] ** 2 * (d - 2) / d - 1)
    with ll.Workspace.open(tmp_path_factory.mktemp("tsla_v") / "w.duckdb") as ws:
        ws.ingest_prices(folder / "SPY.csv", asset="SPY", calendar="XNYS")
        ws.ingest_prices(folder / "TSLA.csv", asset="TSLA", calendar="XNYS", benchmark="SPY")
        result = ws.event_study(
            events=tsla.table[["time", "label"]],
            asset="TSLA",
            window=(0, 1),
            measure="volatility",
            n_bootstrap=0,
        )
    frame = result.events_frame().set_index("day0")
    assert frame.loc["2018-08-07", "ar[0]"] == pytest.approx(want, rel=1e-10)
    assert want > 15  # about 20 times the usual variance on the day
    ratio = result.tests_frame().set_index("test").loc["variance ratio (event-induced variance)"]
    assert ratio["statistic"] > 5 and ratio["p_value"] < 1e-4
