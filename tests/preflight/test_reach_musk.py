"""Pre-flight reach on Musk's tweets, time-ordered (2018-2022 backtested on everything before
each month): the witness is the reply-aware trailing 30-day median of log-likes, recomputed
here with pandas, and scipy's Spearman and Wilcoxon."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from leaderlens.errors import BadInputError
from leaderlens.preflight.reach import (
    forecast_reach,
    preflight_reach,
    reach_backtest,
    reach_features,
)
from leaderlens.store.workspace import Workspace


@pytest.fixture(scope="module")
def tweets(shared_data: Path) -> pd.DataFrame:
    raw = pd.read_csv(shared_data / "musk_tweets_2010_2022" / "ElonTweets.csv.gz")
    frame = pd.DataFrame(
        {
            "statement_id": raw["Tweet Id"].astype(str),
            "ts": pd.to_datetime(raw["Datetime"], utc=True),
            "text": raw["Text"],
            "is_reply": raw["Text"].str.startswith("@"),
            "likes": raw["like count"],
            "reposts": raw["retweet count"],
            "replies": raw["reply count"],
        }
    )
    return frame.sort_values("ts", kind="stable").reset_index(drop=True)


def test_reach_beats_the_trailing_median_2018_2022(tweets: pd.DataFrame) -> None:
    feat = reach_features(tweets, int((tweets["ts"] < "2018-01-01").sum()))
    backtest, pred = reach_backtest(feat, "2018-01-01")
    # The baseline, recomputed: median log(1 + likes) of the same kind over the 30 days before.
    y = np.log1p(tweets["likes"].to_numpy(float))
    base = np.full(len(tweets), np.nan)
    for kind in (False, True):
        rows = np.flatnonzero(tweets["is_reply"].to_numpy() == kind)
        series = pd.Series(y[rows], index=pd.DatetimeIndex(tweets["ts"].iloc[rows]))
        base[rows] = series.rolling("30D", closed="left").median().to_numpy()
    np.testing.assert_allclose(feat.baseline[:, 0], base, equal_nan=True)
    ev = (tweets["ts"] >= "2018-01-01").to_numpy() & np.isfinite(base)
    likes = tweets["likes"].to_numpy(float)[ev]
    assert stats.spearmanr(base[ev], likes).statistic == pytest.approx(0.755, abs=0.002)
    rho = stats.spearmanr(pred[ev, 0], likes).statistic
    assert rho > 0.755
    err_model, err_base = np.abs(pred[ev, 0] - y[ev]), np.abs(base[ev] - y[ev])
    p = stats.wilcoxon(err_base - err_model, alternative="greater").pvalue
    assert err_model.mean() < err_base.mean() and p < 0.05
    row = backtest.scores.set_index("target").loc["likes"]
    assert row["spearman"] == pytest.approx(rho) and row["wilcoxon_p"] == pytest.approx(p)
    assert backtest.beats_baseline("likes")


def test_workspace_forecast_shows_baseline_and_similar_only_above_threshold(
    tweets: pd.DataFrame, tmp_path: Path
) -> None:
    part = tweets[(tweets["ts"] >= "2016-01-01") & (tweets["ts"] < "2019-01-01")]
    with Workspace.open(tmp_path / "w.duckdb") as ws:
        ws.ingest_statements(part.assign(channel="x"), leader="musk")
        out = preflight_reach(ws, "musk", "qzxv wplk", when="2019-01-02", start="2018-06-01")
        assert out.similar.empty and "no similar statement" in out.summary()
        close = preflight_reach(
            ws, "musk", str(part["text"].iloc[-1]), when="2019-01-02", start="2018-06-01"
        )
    assert not close.similar.empty
    assert close.similar["similarity"].iloc[0] >= close.backtest.scores["threshold"].iloc[0]
    frame = out.to_frame().set_index("target")
    assert (frame["low"] <= frame["median"]).all() and (frame["median"] <= frame["high"]).all()
    assert frame["baseline"].gt(0).all()
    with pytest.raises(BadInputError, match="empty"):
        forecast_reach(part, " ", leader="musk")
