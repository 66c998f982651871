"""Time-ordered held-out comparisons of the Hawkes cascade on real data (shared by
``test_cascade_real.py`` and ``bench/cascade_real.py``).

1. TSLA mention tweets (2021-11-23 to 2022-09-29) with Musk's tweets as marks (Tesla-topic
   and other): held-out log-likelihood per mention on the last 30% of the window, for the
   Hawkes process, an inhomogeneous Poisson process with the same seasonal baseline
   (statsmodels' Poisson GLM on hourly counts) and the project's distributed-lag model
   (``leaderlens.attention.lagged.design``, OLS on log(1 + count), retransformed with Duan's
   smearing into an hourly rate).
2. Daily Google Trends "dogecoin" with Musk's Dogecoin tweets: 7-day forecasts from weekly
   origins over the last 20% of days, bucketed Hawkes against the distributed-lag model (MAPE).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.api as sm

from leaderlens.attention import censored, hawkes
from leaderlens.attention.cascade import hours
from leaderlens.attention.lagged import design as lag_design

TESLA = r"tesla|tsla|model [3sxy]\b|cybertruck|\bfsd\b|autopilot|supercharg|giga|\bsemi\b"


def musk_tweets(shared: Path) -> pd.DataFrame:
    tweets = pd.read_csv(shared / "musk_tweets_2010_2022" / "ElonTweets.csv.gz")
    tweets["ts"] = pd.to_datetime(tweets["Datetime"], utc=True)
    return tweets.sort_values("ts")


def _piecewise_loglik(rate: np.ndarray, widths: np.ndarray, bucket: np.ndarray) -> float:
    """Exact-time log-likelihood of a rate constant within each bucket."""
    return float(np.sum(np.log(rate[bucket])) - np.sum(rate * widths))


def tsla(shared: Path, train_share: float = 0.7, horizon: int = 24) -> dict:
    raw = pd.read_csv(
        shared / "tsla_mention_tweets_2021_2022" / "stock_tweets_TSLA_preprocessed.csv.gz",
        usecols=["Date"],
    )
    ts = pd.to_datetime(raw["Date"], utc=True, errors="coerce").dropna()
    t = np.sort(hours(ts))
    start, end = np.floor(t[0]), np.floor(t[-1]) + 1.0
    cut = np.floor(start + train_share * (end - start))
    musk = musk_tweets(shared)
    topic = musk["Text"].str.contains(TESLA, case=False, na=False).to_numpy()
    when = hours(musk["ts"])
    keep = (when >= start - 24 * 14) & (when < end)
    marks = (np.sort(when[keep & topic]), np.sort(when[keep & ~topic]))
    train_edges = np.arange(start, cut + 0.5)
    test_edges = np.arange(cut, end + 0.5)
    knots = hawkes.trend_knots(train_edges)
    x_train = hawkes.baseline_design(train_edges, knots=knots)
    x_test = hawkes.baseline_design(test_edges, knots=knots)
    train, test = t[t < cut], t[t >= cut]
    fit = hawkes.fit_hawkes(hawkes.Layout(train, marks, train_edges, x_train))
    held = hawkes.Layout(test, marks, test_edges, x_test, past=train)
    out = {"n_train": len(train), "n_test": len(test), "fit": fit}
    out["hawkes"] = hawkes.loglik(fit.x, held) / len(test)
    # Inhomogeneous Poisson, the same baseline regressors, by statsmodels.
    y_train = np.histogram(train, bins=train_edges)[0]
    glm = sm.GLM(y_train, x_train, family=sm.families.Poisson()).fit()
    bucket = np.searchsorted(test_edges, test, side="right") - 1
    out["poisson"] = _piecewise_loglik(np.exp(x_test @ glm.params), np.diff(test_edges), bucket)
    out["poisson"] /= len(test)
    # The distributed-lag model on log(1 + count), hourly.
    edges = np.arange(start, end + 0.5)
    labels = pd.DatetimeIndex(pd.to_datetime(edges[:-1] * 3600e9, utc=True))
    counts = np.column_stack([np.histogram(m, bins=edges)[0] for m in marks]).astype(float)
    y = np.log1p(np.histogram(t, bins=edges)[0])
    x, _ = lag_design(counts, labels, horizon, "weekly")
    rows = np.arange(len(y))
    fit_rows = (rows >= horizon) & (edges[:-1] < cut)
    beta = np.linalg.lstsq(x[fit_rows], y[fit_rows], rcond=None)[0]
    smear = float(np.mean(np.exp(y[fit_rows] - x[fit_rows] @ beta)))
    rate = np.maximum(np.exp(x @ beta) * smear - 1.0, 1e-3)[edges[:-1] >= cut]
    out["lagged"] = _piecewise_loglik(rate, np.diff(test_edges), bucket) / len(test)
    return out


def doge(shared: Path, train_share: float = 0.8, horizon: int = 7, lags: int = 7) -> dict:
    raw = pd.read_csv(shared / "google_trends_dogecoin_daily_2017_2022" / "doge_google_trend.csv")
    raw = raw.dropna(subset=["dogecoin"])
    days = pd.DatetimeIndex(pd.to_datetime(raw["date"], utc=True))
    value = raw["dogecoin"].to_numpy(dtype=np.float64)
    edges = np.r_[hours(days), hours(days[-1:]) + 24.0]
    musk = musk_tweets(shared)
    posts = np.sort(hours(musk.loc[musk["Text"].str.contains("doge", case=False, na=False), "ts"]))
    posts = posts[posts < edges[-1]]
    cut = int(train_share * len(value))
    knots = hawkes.trend_knots(edges[: cut + 1])
    design = hawkes.baseline_design(edges, knots=knots, daily=False)
    fit = censored.fit_counts(value[:cut], edges[: cut + 1], [posts], design[:cut])
    # The distributed-lag model: OLS of log(1 + value) on the day's and lagged tweet counts.
    counts = np.histogram(posts, bins=edges)[0].astype(float)[:, None]
    labels = days
    y = np.log1p(value)
    x, _ = lag_design(counts, labels, lags, "weekly")
    train_rows = np.arange(lags, cut)
    beta = np.linalg.lstsq(x[train_rows], y[train_rows], rcond=None)[0]
    smear = float(np.mean(np.exp(y[train_rows] - x[train_rows] @ beta)))
    errors: dict[str, list[float]] = {"hawkes": [], "lagged": []}
    for origin in range(cut, len(value) - horizon + 1, horizon):  # weekly forecast origins
        truth = value[origin : origin + horizon]
        ahead = censored.forecast(fit, value, edges, [posts], design, origin, horizon)
        # Posts after the origin are unknown when the forecast is made.
        known = np.where(np.arange(len(counts))[:, None] < origin, counts, 0.0)
        xk, _ = lag_design(known, labels, lags, "weekly")
        lagged = np.exp(xk[origin : origin + horizon] @ beta) * smear - 1.0
        errors["hawkes"] += list(np.abs(ahead - truth) / truth)
        errors["lagged"] += list(np.abs(lagged - truth) / truth)
    return {
        "fit": fit,
        "mape_hawkes": float(np.mean(errors["hawkes"])),
        "mape_lagged": float(np.mean(errors["lagged"])),
        "n_forecasts": len(errors["hawkes"]),
    }
