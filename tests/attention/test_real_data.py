"""Real public data: Musk's Dogecoin tweets against daily Google Trends "dogecoin" and hourly
DOGE volume, Musk's tweet counts against weekly Tesla search interest, and the TSLA mention
tweets that name Musk. Counts, shares and aligned series are checked against plain pandas;
the estimated effects are printed (run with ``-s``) for the report."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from leaderlens.attention.grid import attention_series, bucket_index, counts_per_bucket
from leaderlens.attention.lagged import lagged_lifts
from leaderlens.attention.leadlag import lead_lag
from leaderlens.attention.lift import event_lifts
from leaderlens.attention.share import share_of_voice
from leaderlens.attention.spikes import detect_spikes


@pytest.fixture(scope="module")
def musk(shared_data: Path) -> pd.DataFrame:
    tweets = pd.read_csv(shared_data / "musk_tweets_2010_2022" / "ElonTweets.csv.gz")
    tweets["ts"] = pd.to_datetime(tweets["Datetime"], utc=True)
    return tweets


@pytest.fixture(scope="module")
def doge_tweets(musk: pd.DataFrame) -> pd.DataFrame:
    return musk[musk["Text"].str.contains("doge", case=False, na=False)].sort_values("ts")


def test_doge_tweets_vs_google_trends(shared_data: Path, doge_tweets: pd.DataFrame) -> None:
    raw = pd.read_csv(
        shared_data / "google_trends_dogecoin_daily_2017_2022" / "doge_google_trend.csv"
    )
    raw = raw.dropna(subset=["dogecoin"])
    frame = pd.DataFrame({"ts": pd.to_datetime(raw["date"], utc=True), "value": raw["dogecoin"]})
    series = attention_series(frame, "1d", name="dogecoin search")
    # The aligned series is the file's column, day by day, on a gap-free grid.
    assert len(series) == len(raw) == 1553
    np.testing.assert_allclose(series.value, raw["dogecoin"].to_numpy())
    np.testing.assert_allclose(series.y, np.log1p(raw["dogecoin"].to_numpy()))
    # Tweets per UTC day inside the series, against a pandas groupby.
    counts = counts_per_bucket(
        series.labels, doge_tweets["ts"], np.full(len(doge_tweets), "musk"), ["musk"]
    )[:, 0]
    inside = doge_tweets[
        (doge_tweets["ts"] >= series.labels[0])
        & (doge_tweets["ts"] < series.labels[-1] + pd.Timedelta(days=1))
    ]
    by_day = inside.groupby(inside["ts"].dt.floor("D")).size()
    assert counts.sum() == len(inside)
    np.testing.assert_array_equal(counts[np.flatnonzero(counts)], by_day.to_numpy(dtype=float))
    # The 2021-01-28 jump (0.52 -> 10.4 -> 52.0) is a spike; 2021-02-04 (36.98 after a week
    # averaging about 20) is not one under the 7-day rule. Attributed posts precede the end
    # of the spike's first day by at most 48 hours.
    posts = pd.DataFrame(
        {"ts": inside["ts"], "post_id": inside["Tweet Id"].astype(str), "kind": "statement"}
    )
    found = detect_spikes(series, posts, k=2.0)
    spikes = found.to_frame()
    starts = set(pd.DatetimeIndex(spikes["start"]).strftime("%Y-%m-%d"))
    assert "2021-01-28" in starts and "2021-02-04" not in starts
    named = spikes[spikes["post_kind"] == "statement"]
    end = pd.DatetimeIndex(named["start"]) + pd.Timedelta(days=1)
    gap = end - pd.DatetimeIndex(pd.to_datetime(named["post_ts"], utc=True))
    assert ((gap > pd.Timedelta(0)) & (gap <= pd.Timedelta(hours=48))).all()
    print(f"\n[doge trends spikes] {found.summary()}")
    # Event-by-event lifts (days with doge tweets, 28-day constant-mean baseline) and lead-lag.
    days = np.flatnonzero(counts)
    lifts = event_lifts(series.y, series.labels, days, window=(0, 2), estimation=(-35, -8))
    mean = lifts.mean_test()
    ll = lead_lag(counts, series.y, maxlags=7, horizon=7, names=("doge tweets", "log1p trends"))
    pooled = lagged_lifts(series.y, counts[:, None], series.labels, ["musk"], horizon=3, n_boot=0)
    print(
        f"\n[doge trends] {len(inside)} doge tweets on {len(days)} days; event lifts: "
        f"{mean['n_events']} events, mean CAR[0,2] {mean['mean_car']:.3f} "
        f"(CI {mean['car_ci_low']:.3f}..{mean['car_ci_high']:.3f}), p {mean['p_value']:.2g}; "
        f"pooled day-0 lift {pooled.coef[0, 0]:.3f} (se {pooled.coef_se[0, 0]:.3f}), "
        f"p {pooled.p_value()[0]:.2g}; Granger tweets->trends F {ll.x_causes_y[0]:.2f} "
        f"p {ll.x_causes_y[1]:.2g}, trends->tweets F {ll.y_causes_x[0]:.2f} "
        f"p {ll.y_causes_x[1]:.2g}, VAR lag {ll.lag_order}"
    )
    assert mean["n_events"] >= 20


def test_doge_tweets_vs_hourly_volume(shared_data: Path, doge_tweets: pd.DataFrame) -> None:
    bars = pd.read_csv(shared_data / "crypto_binance_ohlcv_doge_btc" / "DOGEUSDT_1h.csv.gz")
    bars = bars[(bars["timestamp"] >= "2020-06-01") & (bars["timestamp"] < "2022-06-01")]
    frame = pd.DataFrame(
        {"ts": pd.to_datetime(bars["timestamp"], utc=True), "value": bars["volume"]}
    )
    series = attention_series(frame, "1h", name="DOGE volume")
    hours = pd.date_range("2020-06-01", "2022-05-31 23:00", freq="h", tz="UTC")
    assert len(series) == len(hours)
    # Missing exchange hours stay missing (not zero): their count matches the file.
    assert int(np.isnan(series.value).sum()) == len(hours) - len(bars)
    pos = bucket_index(series.labels, doge_tweets["ts"])
    at = np.unique(pos[pos >= 0])
    expected = doge_tweets["ts"][pos >= 0].dt.floor("h").unique()
    assert len(at) == len(expected)
    lifts = event_lifts(series.y, series.labels, at, window=(0, 5), estimation=(-72, -7))
    mean = lifts.mean_test()
    print(
        f"\n[doge volume 1h] {len(at)} tweet hours, {mean['n_events']} valid; mean CAR[0,5] "
        f"of log(1 + volume) {mean['mean_car']:.3f} (CI {mean['car_ci_low']:.3f}.."
        f"{mean['car_ci_high']:.3f}), level lift {mean['mean_level_lift']:.1%}, "
        f"p {mean['p_value']:.2g}"
    )
    assert mean["n_events"] >= 20


def test_musk_tweet_counts_vs_tesla_weekly_search(shared_data: Path, musk: pd.DataFrame) -> None:
    trends = pd.read_csv(
        shared_data / "google_trends_tesla_weekly_2014_2024" / "tesla_google_trends_weekly.csv"
    )
    trends = trends.drop_duplicates("date")
    trends["week"] = pd.to_datetime(trends["date"], utc=True)
    trends = trends[(trends["week"] >= "2014-01-05") & (trends["week"] < "2022-09-25")]
    # Tweets per Trends week (Sunday to Saturday, UTC).
    week = musk["ts"].dt.floor("D") - pd.to_timedelta((musk["ts"].dt.day_of_week + 1) % 7, unit="D")
    per_week = week.value_counts().reindex(trends["week"], fill_value=0)
    ours = counts_per_bucket(
        pd.DatetimeIndex(trends["week"]), musk["ts"], np.full(len(musk), "m"), ["m"]
    )[:, 0]
    np.testing.assert_array_equal(ours, per_week.to_numpy(dtype=float))
    y = np.log1p(trends["Tesla"].to_numpy(dtype=float))
    ll = lead_lag(ours, y, maxlags=8, horizon=8, names=("musk tweets", "log1p tesla search"))
    print(
        f"\n[tesla weekly] {len(trends)} weeks, {int(ours.sum())} tweets; Granger tweets->search "
        f"F {ll.x_causes_y[0]:.2f} p {ll.x_causes_y[1]:.2g}; search->tweets F "
        f"{ll.y_causes_x[0]:.2f} p {ll.y_causes_x[1]:.2g}; VAR lag {ll.lag_order}; "
        f"peak xcorr {ll.xcorr['correlation'].abs().max():.2f}"
    )
    assert ll.n_obs == len(trends)


def test_tsla_mentions_share_naming_musk(shared_data: Path) -> None:
    tweets = pd.read_csv(
        shared_data / "tsla_mention_tweets_2021_2022" / "stock_tweets_TSLA_preprocessed.csv.gz"
    )
    # The file's last line is truncated (PROVENANCE): drop rows whose time does not parse.
    ts = pd.to_datetime(tweets["Date"], utc=True, format="%Y-%m-%d %H:%M:%S%z", errors="coerce")
    tweets = tweets[ts.notna()]
    mentions = pd.DataFrame({"ts": ts[ts.notna()], "text": tweets["Tweet"]})
    share = share_of_voice(mentions, ["Elon Musk", "Musk", "Elon", "elonmusk"], freq="1w")
    # Independent count: whole words musk / elon / elonmusk, lower-cased text.
    plain = tweets["Tweet"].fillna("").str.lower().str.contains(r"\b(?:musk|elon|elonmusk)\b")
    assert share.mentions == len(tweets) == 30340
    assert share.leader_mentions == int(plain.sum())
    weekly = share.per_bucket
    assert weekly["mentions"].sum() == len(tweets)
    print(
        f"\n[TSLA mentions] {share.leader_mentions} of {share.mentions} name Musk: "
        f"{share.share:.1%} (CI {share.ci_low:.1%}..{share.ci_high:.1%}); weekly share range "
        f"{weekly['share'].min():.1%}..{weekly['share'].max():.1%}"
    )
