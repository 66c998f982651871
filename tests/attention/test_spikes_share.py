"""Spike flags against a plain pandas rolling computation; confirmation and attribution of a
planted spike; query-term matching for Latin and Chinese text; net sentiment by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from leaderlens.attention.grid import attention_series
from leaderlens.attention.share import names_any, net_sentiment, share_of_voice, wilson
from leaderlens.attention.spikes import detect_spikes, spike_flags


def _hourly(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ts = pd.date_range("2024-03-01", periods=24 * 40, freq="h", tz="UTC")
    value = rng.poisson(50, len(ts)).astype(float)
    value[24 * 20 + 5 : 24 * 20 + 17] += 120  # a half-day spike on day 20
    return pd.DataFrame({"ts": ts, "value": value})


def test_flags_match_pandas_rolling() -> None:
    frame = _hourly(1)
    v = frame["value"]
    short = v.rolling(24).mean()
    base = v.shift(24).rolling(24 * 7)
    expected = short > base.mean() + 2 * base.std()
    flags, z = spike_flags(v.to_numpy(), 24, 2.0)
    np.testing.assert_array_equal(flags, expected.to_numpy())
    np.testing.assert_allclose(
        z[24 * 8 :], ((short - base.mean()) / base.std()).to_numpy()[24 * 8 :], rtol=1e-9
    )


def test_planted_spike_is_confirmed_and_attributed() -> None:
    series = attention_series(_hourly(2), "1h", name="mentions")
    posts = pd.DataFrame(
        {
            "ts": pd.to_datetime(["2024-03-21 04:30Z", "2024-03-10 12:00Z"]),
            "post_id": ["s1", "b1"],
            "kind": ["statement", "brand_post"],
        }
    )
    found = detect_spikes(series, posts, k=2.0)
    table = found.to_frame()
    hit = table[(table["start"] >= "2024-03-21") & (table["start"] < "2024-03-22")]
    assert len(hit) == 1
    row = hit.iloc[0]
    # The 24-hour mean crosses the bar a few hours into the spike.
    assert pd.Timestamp("2024-03-21 05:00Z") <= row["start"] <= pd.Timestamp("2024-03-21 10:00Z")
    assert bool(row["confirmed"])
    assert row["post_id"] == "s1" and row["post_kind"] == "statement"
    lead = row["start"] + pd.Timedelta(hours=1) - pd.Timestamp("2024-03-21 04:30Z")
    assert row["lead_hours"] == pytest.approx(lead / pd.Timedelta(hours=1))
    assert abs(row["change_at"] - pd.Timestamp("2024-03-21 05:00Z")) <= pd.Timedelta(hours=2)
    # Chance flags in Poisson noise are not confirmed as often as the planted one.
    assert table["confirmed"].sum() <= len(table)
    assert "spikes" in found.summary()


def test_query_terms_latin_and_chinese() -> None:
    texts = pd.Series(
        [
            "因为林巍才关注Orbit的",  # Chinese name inside Chinese text, no spaces
            "林巍说Orbit的新车不错",
            "VOLT to the moon",
            "Voltra is great",  # VOLT must not match inside Voltra
            "@rexvale said so",
            "Rex Vale's plan",
            "prevolt",
            None,
        ]
    )
    assert names_any(texts, ["林巍"]).tolist() == [True, True] + [False] * 6
    assert names_any(texts, ["VOLT"]).tolist() == [False, False, True] + [False] * 5
    assert names_any(texts, ["Orbit"]).tolist()[:2] == [True, True]
    assert names_any(texts, ["Rex Vale", "@rexvale"]).tolist()[4:6] == [True, True]


def test_share_of_voice_by_hand() -> None:
    mentions = pd.DataFrame(
        {
            "ts": pd.to_datetime(
                ["2024-01-01 01:00Z", "2024-01-01 05:00Z", "2024-01-02 03:00Z", "2024-01-02 04:00Z"]
            ),
            "text": ["雷军发布小米SU7", "Xiaomi SU7 price", "Lei Jun on stage", "小米汽车"],
            "engagement": [10.0, 30.0, 20.0, 40.0],
        }
    )
    share = share_of_voice(mentions, ["雷军", "Lei Jun"])
    assert share.leader_mentions == 2 and share.mentions == 4
    assert share.share == 0.5
    assert share.weighted_share == pytest.approx(30 / 100)
    per = share.per_bucket
    assert per["share"].tolist() == [0.5, 0.5]
    assert per["weighted_share"].tolist() == pytest.approx([10 / 40, 20 / 60])
    assert (share.ci_low, share.ci_high) == wilson(2, 4)


def test_net_sentiment_excludes_neutral() -> None:
    ts = pd.Series(pd.to_datetime(["2024-01-01T00:00Z"] * 5 + ["2024-01-09T00:00Z"] * 2))
    labels = pd.Series(
        ["positive", "positive", "negative", "neutral", "neutral", "neutral", "negative"]
    )
    out = net_sentiment(ts, labels, freq="1w")
    assert out["net_sentiment"].tolist() == [pytest.approx(1 / 3), -1.0]
    assert out["neutral"].tolist() == [2, 1]


def test_duckdb_buckets_match_pandas_share(demo_ws: object) -> None:
    from leaderlens.attention.api import leader_terms
    from leaderlens.attention.scale import mention_buckets

    ws = demo_ws
    terms = [*leader_terms(ws, "lin_wei"), "VOLT"]
    sql = mention_buckets(ws.connection, "mentions", terms, freq="1d", where="brand_id = 'orbit'")
    mine = share_of_voice(ws.mentions("orbit"), terms, freq="1d").per_bucket
    assert len(sql) == len(mine)
    np.testing.assert_array_equal(sql["mentions"], mine["mentions"])
    np.testing.assert_array_equal(sql["leader_mentions"], mine["leader_mentions"])
    np.testing.assert_allclose(sql["weighted_share"], mine["weighted_share"], rtol=1e-12)
    np.testing.assert_array_equal(
        pd.DatetimeIndex(sql["ts"]).tz_convert("UTC"), pd.DatetimeIndex(mine["ts"])
    )


def test_duckdb_matching_rules_equal_python_rules() -> None:
    import duckdb

    from leaderlens.attention.scale import mention_buckets

    texts = ["因为林巍才关注Orbit的", "VOLT up", "Voltra", "prevolt", "@rexvale hi", "x volt", None]
    frame = pd.DataFrame(
        {"ts": pd.Timestamp("2024-01-01", tz="UTC"), "text": texts, "engagement": 1.0}
    )
    con = duckdb.connect()
    con.register("frame_view", frame)
    for terms in (["林巍"], ["VOLT"], ["@rexvale"], ["orbit", "volt"]):
        out = mention_buckets(con, "frame_view", terms, freq="1d")
        assert int(out["leader_mentions"].iloc[0]) == int(names_any(pd.Series(texts), terms).sum())
