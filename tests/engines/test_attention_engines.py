"""Share of voice and hourly mention counts through an engine: the same numbers as the
pandas path (:func:`leaderlens.attention.share.share_of_voice`) on real TSLA tweets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from leaderlens.attention.share import share_of_voice, share_of_voice_on, sql_pattern
from leaderlens.engines.base import Engine
from leaderlens.errors import BadInputError

TERMS = ["Elon Musk", "Musk", "Elon", "elonmusk", "林巍", "Q&A", "o'neil"]


@pytest.fixture(scope="module")
def tweets(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, pd.DataFrame]:
    raw = pd.read_csv(
        shared_data / "tsla_mention_tweets_2021_2022" / "stock_tweets_TSLA_preprocessed.csv.gz"
    )
    ts = pd.to_datetime(raw["Date"], utc=True, format="%Y-%m-%d %H:%M:%S%z", errors="coerce")
    keep = ts.notna()
    rng = np.random.default_rng(4)
    frame = pd.DataFrame(
        {
            "ts": ts[keep],
            "text": raw.loc[keep, "Tweet"],
            "engagement": rng.integers(0, 500, int(keep.sum())).astype(float),
        }
    ).reset_index(drop=True)
    # a few texts that exercise the pattern's edges
    frame.loc[0:3, "text"] = ["因为林巍才关注", "a Q&A with ELON.", "o'neil says", "Muskrat? no"]
    path = tmp_path_factory.mktemp("mentions") / "mentions.parquet"
    frame.to_parquet(path, coerce_timestamps="us")
    return path, frame


@pytest.mark.parametrize("freq", ["1h", "1w"])
def test_share_of_voice_matches_the_pandas_path(tweets, engine: Engine, freq: str):
    path, frame = tweets
    got = share_of_voice_on(path, TERMS, freq=freq, engine=engine)
    want = share_of_voice(frame, TERMS, freq=freq)
    assert got.mentions == want.mentions == 30340
    assert got.leader_mentions == want.leader_mentions
    assert got.weighted_share == pytest.approx(want.weighted_share, abs=1e-12)
    a = got.per_bucket.set_index("ts")
    b = want.per_bucket.set_index("ts")
    b.index = pd.DatetimeIndex(b.index).as_unit("us")
    a.index = pd.DatetimeIndex(a.index).as_unit("us")
    assert a.index.equals(b.index)
    for column in ("mentions", "leader_mentions", "engagement", "leader_engagement", "share"):
        np.testing.assert_allclose(a[column], b[column], rtol=0, atol=1e-9)


def test_hourly_counts_against_a_plain_count(tweets):
    path, frame = tweets
    got = share_of_voice_on(path, ["musk"], freq="1h").per_bucket.set_index("ts")["mentions"]
    hours = frame["ts"].dt.floor("h").value_counts().sort_index()
    assert got.to_numpy().tolist() == hours.to_numpy().tolist()


def test_terms_the_engines_cannot_carry_are_refused():
    with pytest.raises(BadInputError, match="cannot be matched"):
        sql_pattern(["a[b]"])
    assert sql_pattern(["A.B"]) == "((^|[^0-9a-z_])a[.]b($|[^0-9a-z_]))"
