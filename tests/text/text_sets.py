"""The labelled sentiment sets in ../shared/data, read with plain pandas, and their splits.

Every set is split once by a hash of the text: the *tuning* half is the only part anyone looked
at while writing leaderlens's lexicons and rules; the *held-out* half is what the accuracy
tables report. Large sets are subsampled deterministically (by the same hash) to keep tests fast.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

LABELS = ("negative", "neutral", "positive")
EMOTICON_TAG = r"\[[^\[\]\s]{1,12}\]"


def _bucket(text: str) -> int:
    return int.from_bytes(hashlib.sha1(text.encode("utf-8")).digest()[:4], "big")


def split(frame: pd.DataFrame, part: str, limit: int | None = None) -> pd.DataFrame:
    """The ``tune`` or ``heldout`` half of a labelled frame (columns text, label), by text hash;
    at most ``limit`` rows, chosen by the hash too."""
    buckets = frame["text"].map(_bucket)
    keep = (buckets % 2 == 0) if part == "tune" else (buckets % 2 == 1)
    out = frame.loc[keep].assign(_b=buckets[keep] // 2).sort_values("_b")
    if limit is not None:
        out = out.head(limit)
    return out.drop(columns="_b").reset_index(drop=True)


def sentiment140(root: Path) -> pd.DataFrame:
    raw = pd.read_csv(
        root / "sentiment_sentiment140_manual_test_2009/testdata.manual.2009.06.14.csv",
        header=None,
        names=["polarity", "id", "date", "query", "user", "text"],
        encoding="latin-1",
    )
    label = raw["polarity"].map({0: "negative", 2: "neutral", 4: "positive"})
    return pd.DataFrame({"text": raw["text"], "label": label})


def airline(root: Path) -> pd.DataFrame:
    raw = pd.read_csv(
        root / "sentiment_airline_tweets_crowdflower_2015/Airline-Sentiment-2-w-AA.csv.gz",
        encoding="latin-1",
    )
    return pd.DataFrame({"text": raw["text"], "label": raw["airline_sentiment"]})


def apple(root: Path) -> pd.DataFrame:
    raw = pd.read_csv(
        root / "sentiment_apple_tweets_crowdflower_2014/Apple-Twitter-Sentiment-DFE.csv.gz",
        encoding="cp1252",
    )
    raw = raw[raw["sentiment"].astype(str).isin(["1", "3", "5"])]
    label = raw["sentiment"].astype(str).map({"1": "negative", "3": "neutral", "5": "positive"})
    return pd.DataFrame({"text": raw["text"], "label": label})


def phrasebank(root: Path) -> pd.DataFrame:
    path = root / "sentiment_financial_phrasebank_v1/Sentences_AllAgree.txt"
    rows = [
        line.rsplit("@", 1)
        for line in path.read_text(encoding="latin-1").splitlines()
        if line.strip()
    ]
    return pd.DataFrame({"text": [r[0] for r in rows], "label": [r[1].strip() for r in rows]})


def sxsw(root: Path) -> pd.DataFrame:
    raw = pd.read_csv(
        root / "sentiment_brand_emotion_sxsw_2011/judge-1377884607_tweet_product_company.csv.gz",
        encoding="latin-1",
    )
    column = "is_there_an_emotion_directed_at_a_brand_or_product"
    label = raw[column].map(
        {
            "Positive emotion": "positive",
            "Negative emotion": "negative",
            "No emotion toward brand or product": "neutral",
        }
    )
    out = pd.DataFrame({"text": raw["tweet_text"], "label": label})
    return out.dropna().reset_index(drop=True)


def semeval(root: Path) -> pd.DataFrame:
    folder = root / "sentiment_semeval2017_task4a_test_tweeteval"
    with gzip.open(folder / "test_text.txt.gz", "rt", encoding="utf-8") as handle:
        text = handle.read().split("\n")[:-1]
    labels = (folder / "test_labels.txt").read_text().split()
    label = pd.Series(labels).map({"0": "negative", "1": "neutral", "2": "positive"})
    return pd.DataFrame({"text": text, "label": label})


def weibo(root: Path) -> pd.DataFrame:
    raw = pd.read_csv(
        root / "sentiment_weibo_senti_100k_subset30k/weibo_senti_100k_subset30k.csv.gz"
    )
    # The emoticon tags produced the labels: strip them so the scorer cannot read the answer.
    text = raw["review"].astype(str).str.replace(EMOTICON_TAG, "", regex=True)
    label = raw["label"].map({1: "positive", 0: "negative"})
    out = pd.DataFrame({"text": text, "label": label})
    return out[out["text"].str.strip() != ""].reset_index(drop=True)


def shopping(root: Path) -> pd.DataFrame:
    raw = pd.read_csv(root / "sentiment_online_shopping_10_cats_zh/online_shopping_10_cats.csv.gz")
    # The hotel reviews repeat ChnSentiCorp, which is reported on its own.
    raw = raw[raw["cat"] != "酒店"]
    text = raw["review"].fillna("").str.replace("\ufeff", "")
    out = pd.DataFrame(
        {"text": text, "label": raw["label"].map({1: "positive", 0: "negative"}), "cat": raw["cat"]}
    )
    return out[out["text"].str.strip() != ""].drop_duplicates("text").reset_index(drop=True)


def chnsenticorp(root: Path) -> pd.DataFrame:
    raw = pd.read_csv(root / "sentiment_chnsenticorp_htl_all_zh/ChnSentiCorp_htl_all.csv.gz")
    text = raw["review"].fillna("")
    out = pd.DataFrame({"text": text, "label": raw["label"].map({1: "positive", 0: "negative"})})
    return out[out["text"].str.strip() != ""].reset_index(drop=True)


ENGLISH: dict[str, Callable[[Path], pd.DataFrame]] = {
    "sentiment140": sentiment140,
    "airline": airline,
    "apple": apple,
    "phrasebank": phrasebank,
    "sxsw": sxsw,
    "semeval2017": semeval,
}
CHINESE: dict[str, Callable[[Path], pd.DataFrame]] = {
    "weibo": weibo,
    "shopping": shopping,
    "chnsenticorp": chnsenticorp,
}
# Held-out rows kept per set: enough for two-decimal metrics, small enough for a fast suite.
LIMITS: dict[str, int | None] = {
    "semeval2017": 4000,
    "airline": 4000,
    "weibo": 6000,
    "shopping": 6000,
    "chnsenticorp": None,
}


def metrics(truth: pd.Series, predicted: np.ndarray) -> tuple[float, float]:
    """(macro-F1 over the classes present in ``truth``, accuracy), computed by hand."""
    truth_arr = truth.to_numpy(dtype=object)
    classes = sorted(set(truth_arr))
    f1s = []
    for cls in classes:
        tp = np.sum((predicted == cls) & (truth_arr == cls))
        fp = np.sum((predicted == cls) & (truth_arr != cls))
        fn = np.sum((predicted != cls) & (truth_arr == cls))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return float(np.mean(f1s)), float(np.mean(predicted == truth_arr))


def binary(labels: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Two-class predictions for two-class sets: negative when the score is below zero."""
    return np.where(scores < 0, "negative", "positive").astype(object)


def strip_tags(text: str) -> str:
    return re.sub(EMOTICON_TAG, "", text)
