# ruff: noqa: RUF001  (Chinese punctuation and typographic quotes are data here)
"""The bulk path's shortcuts give the answers of the slow, obvious computations.

Witnesses: vaderSentiment's own ``SentimentIntensityAnalyzer`` (for leaderlens's faster VADER),
lingua's per-text ``detect_language_of`` on the text itself (for the batched, deduplicated
detection) and a naive per-topic matcher written here from the taxonomy's documented rules
(for the cached token matcher).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import text_sets
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from leaderlens.text.language import DEFAULT_LANGUAGES, _detector, detect_languages
from leaderlens.text.sentiment_en import fast_vader_class
from leaderlens.text.topics import Taxonomy, load_taxonomy, tag_topics

EDGE_CASES = [
    "",
    "   padded   ",
    "no",
    "No good, no bad",
    "NOT good at all",
    "It isn't great",
    "never so good",
    "this is never this bad",
    "without doubt good",
    "good without a doubt",
    "kind of bad",
    "The food was GREAT!!! but the service SUCKS",
    "😂😂 so funny",
    "love it❤️",
    "🚀🚀🚀",
    "meh :) :( :D",
    "At least it works",
    "nor good or bad",
    "no or nor good",
    "That new album is the bomb, really good",
    "what a great yeah right",
    "this launch was the kiss of death for a good stock",
    "It is a bad ass car and quite nice",
    "it was sort of good and kind of nice",
    "a great movie, cut the mustard",
    "Good but not great",
]


@pytest.fixture(scope="module")
def musk(shared_data: Path) -> pd.DataFrame:
    return pd.read_csv(shared_data / "musk_tweets_2010_2022/ElonTweets.csv.gz")


def test_fast_vader_equals_vader(musk: pd.DataFrame, shared_data: Path) -> None:
    texts = EDGE_CASES + musk["Text"].astype(str).tolist()
    for load in (text_sets.sentiment140, text_sets.apple, text_sets.sxsw, text_sets.phrasebank):
        texts += load(shared_data)["text"].astype(str).tolist()
    texts += text_sets.airline(shared_data)["text"].astype(str).head(5000).tolist()
    plain, fast = SentimentIntensityAnalyzer(), fast_vader_class()()
    differ = [t for t in texts if plain.polarity_scores(t) != fast.polarity_scores(t)]
    assert differ == [], differ[:5]
    differ = [t for t in texts if plain.polarity_scores(t)["compound"] != fast.compound(t)]
    assert differ == [], differ[:5]
    assert len(texts) > 25_000


def test_batched_languages_equal_lingua_per_text(musk: pd.DataFrame) -> None:
    texts = [html.unescape(t) for t in musk["Text"].astype(str)]
    result = detect_languages(texts)
    asked = np.flatnonzero(result.method == "lingua")
    assert len(asked) > 1000
    detector = _detector(DEFAULT_LANGUAGES)
    noise = re.compile(r"@\w+|https?://\S+|www\.\S+|#")
    for i in asked[:: max(1, len(asked) // 600)]:
        found = detector.detect_language_of(noise.sub(" ", texts[i]))
        expected = "und" if found is None else found.iso_code_639_1.name.lower()
        assert result.codes[i] == expected, texts[i]


def _naive_topics(text: str, taxonomy: Taxonomy) -> dict[str, list[str]]:
    """The documented rules, one topic and one entry at a time (slow and obvious)."""
    if "&" in text:
        text = html.unescape(text)
    lower = re.sub(r"https?://\S+|www\.\S+", " ", text).lower()
    tokens = re.findall(r"[\w$&'’-]+", lower)
    out = {}
    for topic in taxonomy.topics:
        hits = {t for t in tokens if t in topic.words}
        hits |= {t for t in tokens for p in topic.prefixes if t.startswith(p)}
        hits |= {t for t in tokens for p in topic.infixes if p in t}
        for phrase in topic.phrases:
            n = len(phrase.split())
            hits |= {
                phrase for i in range(len(tokens) - n + 1) if " ".join(tokens[i : i + n]) == phrase
            }
        for pattern in (topic.zh, topic.patterns):
            if pattern is not None:
                hits |= {m.group(0).strip() for m in pattern.finditer(lower)}
        hits.discard("")
        if hits:
            out[topic.name] = sorted(hits)
    return out


def test_topic_matcher_equals_naive_rules(musk: pd.DataFrame, tmp_path: Path) -> None:
    custom = tmp_path / "t.toml"
    custom.write_text(
        '[topics.a]\nwords = ["*coin*", "to the moon", "moon*", "car"]\nzh = ["小米", "小米汽车"]\n'
        '[topics.b]\nwords = ["car", "model 3"]\npatterns = [\'\\bv\\d+(\\.\\d+)+\\b\']\n',
        encoding="utf-8",
    )
    extra = ["Bitcoin & Dogecoin to the moon", "小米汽车 SU7 v12.3.1 car", "model 3 car moonshot"]
    texts = extra + musk["Text"].astype(str).tolist()[::7]
    for taxonomy in (load_taxonomy(), load_taxonomy(custom)):
        result = tag_topics(texts, taxonomy)
        for i, text in enumerate(texts):
            assert result.evidence[i] == _naive_topics(text, taxonomy), text
            assert result.topics_of(i) == list(result.evidence[i])
