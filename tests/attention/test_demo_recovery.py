"""Witness: the demo world's planted attention lifts, amplification factors, channel ranking
and share of voice are recovered by leaderlens within 3 of the standard errors it reports (read
off its 95 % intervals as half-width / 1.96): a correct estimator fails one such check with
probability 0.3 %, where a 95 % interval would miss 5 % of planted values, one in four of this
file's twenty-odd checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from leaderlens.attention.api import (
    amplification,
    attention_lift,
    brand_share_of_voice,
    playbook,
)
from leaderlens.store.workspace import Workspace

PAIRS = [("orbit", "lin_wei"), ("keynote", "sam_archer"), ("voltra", "rex_vale")]
Z = 3.0  # standard errors of margin: 99.7 % of correct estimates


def near(estimate: float, truth: float, low: float, high: float) -> bool:
    """``estimate`` within ``Z`` standard errors of ``truth``, the standard error read off a
    95 % interval ``[low, high]``."""
    return abs(estimate - truth) <= Z * (high - low) / (2 * 1.96)


def _planted(ws: Workspace) -> pd.DataFrame:
    frame = ws.ground_truth("planted_events")
    assert isinstance(frame, pd.DataFrame)
    return frame.drop_duplicates("statement_id")


@pytest.mark.parametrize("metric", ["mentions", "search_interest"])
@pytest.mark.parametrize(("brand", "leader"), PAIRS)
def test_amplification_factor_inside_bootstrap_ci(
    demo_ws: Workspace, brand: str, leader: str, metric: str
) -> None:
    truth = demo_ws.ground_truth("world_parameters")["amplification_factor"][brand]
    result = amplification(demo_ws, brand, metric=metric, n_boot=299)
    assert result.leader == leader
    assert result.defined
    # A ratio of two small lifts: its bootstrap interval is symmetric on the log scale.
    logs = np.log([result.factor, truth, result.ci_low, result.ci_high])
    assert near(*logs), result.summary()
    assert f"{result.factor:.1f} times" in result.reading()
    assert result.to_frame().loc[0, "factor"] == pytest.approx(result.factor)


@pytest.mark.parametrize(("brand", "leader"), PAIRS)
def test_day0_lifts_inside_ci(demo_ws: Workspace, brand: str, leader: str) -> None:
    """Day-0 lift per post of each source against the realised planted means (mentions:
    search interest is rounded to whole index points, which adds noise at these baselines)."""
    planted = _planted(demo_ws)
    result = amplification(demo_ws, brand, metric="mentions", n_boot=0)
    mine = planted[planted["brand"] == brand]
    for source, side in (("leader", result.leader_lift), ("brand", result.brand_lift)):
        truth = mine.loc[mine["source"] == source, "planted_attention_lift"].mean()
        assert abs(side.day0 - truth) <= Z * side.day0_se, (brand, source, side, truth)


def test_channel_ranking_of_lin_wei(demo_ws: Workspace) -> None:
    planted = _planted(demo_ws)
    truth = (
        planted[planted["leader"] == "lin_wei"].groupby("channel")["planted_attention_lift"].mean()
    )
    book = playbook(demo_ws, "orbit", by="channel", metric="mentions", n_boot=0)
    frame = book.to_frame()
    ranked = frame["channel"].tolist()
    # Planted (demo cast): keynote > livestream > video > weibo, x.
    assert ranked[:3] == ["keynote", "livestream", "video"]
    lifts = book.lifts
    for channel, mean in truth.items():
        i = lifts.groups.index(channel)
        assert abs(lifts.coef[i, 0] - mean) <= Z * lifts.coef_se[i, 0], (channel, mean)
    assert (frame["verdict"] == "adds attention").sum() >= 3
    assert "keynote" in book.summary()


def test_event_lifts_of_sparse_keynotes(demo_ws: Workspace) -> None:
    """Sam Archer's statements are sparse enough for event-by-event lifts: the mean CAR over
    [0, 7] covers the planted cumulative excess of those events (lift times the decay sum)."""
    params = demo_ws.ground_truth("world_parameters")["attention"]
    result = attention_lift(demo_ws, "keynote", metric="mentions")
    planted = _planted(demo_ws)
    mine = planted[planted["leader"] == "sam_archer"]
    # One event per UTC day; its planted cumulative excess is the sum of its posts' lifts.
    per_day = mine.groupby(mine["attention_day0"])["planted_attention_lift"].sum()
    days = pd.DatetimeIndex(result.to_frame().loc[result.lifts.valid, "day0"])
    decay_sum = sum(params["decay_per_day"] ** k for k in range(8))
    truth = per_day.reindex(days.tz_convert("UTC")).mean() * decay_sum
    mean = result.mean  # a t interval with n - 1 degrees of freedom
    se = (mean["car_ci_high"] - mean["car_ci_low"]) / (2 * stats.t.ppf(0.975, mean["n_events"] - 1))
    assert abs(mean["mean_car"] - truth) <= Z * se, result.summary()
    assert result.mean["p_value"] < 0.05


@pytest.mark.parametrize(("brand", "leader"), PAIRS)
def test_share_of_voice_against_plain_count_and_truth(
    demo_ws: Workspace, brand: str, leader: str
) -> None:
    voice = brand_share_of_voice(demo_ws, brand)
    share = voice.share
    truth = demo_ws.ground_truth("world_parameters")["share_of_voice"][brand]
    assert near(share.share, truth["leader_share"], share.ci_low, share.ci_high)
    # Independent count: the leader's name or local name in the text, plain pandas.
    mentions = demo_ws.mentions(brand)
    names = demo_ws.leaders().set_index("leader_id").loc[leader]
    local = dict(names["handles"]).get("weibo", names["name"])
    plain = mentions["text"].str.contains(names["name"], regex=False) | mentions[
        "text"
    ].str.contains(local, regex=False)
    assert share.leader_mentions == int(plain.sum())
    weighted = mentions.loc[plain, "engagement"].sum() / mentions["engagement"].sum()
    assert share.weighted_share == pytest.approx(weighted)
    assert abs(share.weighted_share - truth["engagement_weighted_share"]) < 0.05
    per = share.per_bucket
    assert per["mentions"].sum() == len(mentions)
    assert np.all((per["share"] >= 0) & (per["share"] <= 1))
