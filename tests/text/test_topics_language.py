"""Topics against a blind hand-labelled sample of 300 Musk tweets; language against X's tags.

Witnesses: fixtures/musk_topics_300.csv (labels written by reading each tweet before any rule
existed; guidelines in fixtures/README.md), the 75 hand-curated crypto tweets and the
``language`` tags X itself put on the shared Musk tweets.
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from leaderlens.errors import BadInputError
from leaderlens.text.language import detect_languages
from leaderlens.text.topics import load_taxonomy, tag_topics

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def musk(shared_data: Path) -> pd.DataFrame:
    return pd.read_csv(shared_data / "musk_tweets_2010_2022/ElonTweets.csv.gz")


def test_topic_precision_recall_on_hand_labels(musk: pd.DataFrame) -> None:
    labels = pd.read_csv(FIXTURES / "musk_topics_300.csv", dtype={"tweet_id": "int64"})
    labels["topics"] = labels["topics"].fillna("")
    assert len(labels) == 300 and labels["tweet_id"].is_unique
    joined = labels.merge(musk[["Tweet Id", "Text"]], left_on="tweet_id", right_on="Tweet Id")
    assert len(joined) == 300
    result = tag_topics(joined["Text"].tolist())
    rows = []
    for j, name in enumerate(result.names):
        truth = joined["topics"].str.split(";").map(lambda t, n=name: n in t).to_numpy()
        pred = result.matrix[:, j]
        tp = int((truth & pred).sum())
        rows.append(
            (
                name,
                int(truth.sum()),
                int(pred.sum()),
                tp / max(pred.sum(), 1),
                tp / max(truth.sum(), 1),
            )
        )
    table = pd.DataFrame(rows, columns=["topic", "labelled", "tagged", "precision", "recall"])
    micro_tp = sum(r[3] * r[2] for r in rows)
    micro_p = micro_tp / sum(r[2] for r in rows)
    micro_r = micro_tp / sum(r[1] for r in rows)
    print("\nTopics on 300 hand-labelled Musk tweets\n" + table.round(2).to_string(index=False))
    print(f"micro precision {micro_p:.2f}, micro recall {micro_r:.2f}")
    assert micro_p >= 0.6 and micro_r >= 0.6
    by = table.set_index("topic")
    assert by.loc["product", "recall"] >= 0.8
    assert by.loc["politics", "recall"] >= 0.8
    assert by.loc["crypto", "recall"] == 1.0


def test_hand_curated_crypto_tweets_are_tagged_crypto(shared_data: Path) -> None:
    raw = pd.read_csv(
        shared_data / "musk_doge_tweets_minute_windows/elon_crypto_tweets_raw.csv",
        encoding="utf-8-sig",
    )
    assert len(raw) == 75
    result = tag_topics(raw["Tweet"].tolist())
    crypto = result.matrix[:, result.names.index("crypto")]
    missed = raw.loc[~crypto, "No"].tolist()
    # Six hold no crypto evidence in their text, so no honest general rule tags them: a
    # "Dogue" magazine cover (a pun on Vogue found nowhere else in 17,602 tweets), "On the
    # actual moon" (moon is a SpaceX word far more often), a video chat about "falling prices
    # on a financial market", a Matrix quote cut off in the source file, an "[ASCII drawing of
    # holding rocket" (the real tweet is a bunny holding a rocket emoji) and "[Laughing
    # Emoji][Reply to ... Lion King Tweet]". Every other one must be tagged, with evidence.
    assert len(missed) <= 6 and set(missed) <= {10, 28, 60, 67}, raw.loc[~crypto, "Tweet"].tolist()
    for i in np.flatnonzero(crypto):
        assert result.evidence[i]["crypto"]


def test_taxonomy_is_editable(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        '[topics.launch]\nwords = ["keynote", "launch*", "unveil"]\nzh = ["发布会"]\n'
        "patterns = ['\\bone more thing\\b']\n",
        encoding="utf-8",
    )
    tax = load_taxonomy(path)
    out = tag_topics(
        ["Keynote tomorrow: we launched it", "小米发布会", "And one more thing", "nothing"], tax
    )
    assert out.matrix[:, 0].tolist() == [True, True, True, False]
    assert out.evidence[0] == {"launch": ["keynote", "launched"]}
    assert out.topics_of(1) == ["launch"]
    assert load_taxonomy().digest != tax.digest


def test_bad_taxonomy_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[topics.x]\npatterns = ['(']\n", encoding="utf-8")
    with pytest.raises(BadInputError, match="bad pattern"):
        load_taxonomy(bad)
    bad.write_text("not = [toml", encoding="utf-8")
    with pytest.raises(BadInputError, match="TOML"):
        load_taxonomy(bad)


def test_language_agrees_with_x_tags(musk: pd.DataFrame) -> None:
    texts = [html.unescape(t) for t in musk["Text"]]
    codes = detect_languages(texts).codes
    english = musk["language"].to_numpy() == "en"
    agreement = float(np.mean(codes[english] == "en"))
    print(f"\nlanguage: {agreement:.3f} of {english.sum()} tweets X tagged en detected en")
    assert agreement >= 0.97
    no_text = np.isin(musk["language"].to_numpy(), ["zxx"])
    assert np.mean(codes[no_text] == "und") >= 0.95


def test_language_rules() -> None:
    out = detect_languages(
        ["小米SU7今天发布", "テスラの新しい車", "🚀🚀", "", "The car is great", "Das ist gut so"]
    )
    assert out.codes.tolist() == ["zh", "ja", "und", "und", "en", "de"]
    with pytest.raises(BadInputError, match="ISO 639-1"):
        detect_languages(["x"], ["english"])
