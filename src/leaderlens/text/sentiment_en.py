"""English sentiment: VADER plus leaderlens's measured rules for markets, crypto and products.

VADER (Hutto & Gilbert 2014, "VADER: A Parsimonious Rule-based Model for Sentiment Analysis of
Social Media Text", ICWSM) gives a normalised ``compound`` score ``x / sqrt(x^2 + 15)`` of the
summed valences ``x``. leaderlens adds its own hand-written words, phrases, emoji and the
financial direction rules of :mod:`leaderlens.text.lexicon_en`: phrases and emoji are removed
from the text before VADER reads it (so nothing is counted twice) and their valences, with the
direction rules', are added to VADER's sum, recovered by inverting the normalisation.
Accuracy against plain VADER on held-out halves of six labelled sets is in the README.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from leaderlens.text import lexicon_en as lex

ALPHA = 15.0  # VADER's normalisation constant
_URL = re.compile(r"https?://\S+|www\.\S+")
_ENTITY = re.compile(r"&(?:amp|lt|gt|quot|#\d+);")


def _alternation(words: Sequence[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_PHRASE = re.compile(
    rf"(?<!\w)(?:{_alternation([p.lower() for p in lex.PHRASES])})(?!\w)"
    rf"|{_alternation(list(lex.EMOJI))}"
)
_VALENCE = {k.lower(): v for k, v in {**lex.PHRASES, **lex.EMOJI}.items()}
_GOOD = frozenset(lex.GOOD_METRICS)
_UP = frozenset(lex.UP_WORDS)
# Multi-word metrics ("cash flow") are matched on their last word after the words before it.
_METRIC_LAST = {m.split()[-1]: m.split()[:-1] for m in lex.GOOD_METRICS + lex.BAD_METRICS}
_METRIC_GOOD_LAST = {m.split()[-1]: m in _GOOD for m in lex.GOOD_METRICS + lex.BAD_METRICS}
# Cheap gates: the phrase pattern only runs when a text holds one of these words or emoji.
_TOKEN = re.compile(r"#?[a-z'\-]+")
_PHRASE_STARTS = frozenset(p.split()[0].rstrip(".!").lower() for p in lex.PHRASES)
_EMOJI_CHAR = re.compile(f"[{''.join(lex.EMOJI)}]")
_DIRECTION_WORDS = frozenset(lex.UP_WORDS + lex.DOWN_WORDS)


@lru_cache(maxsize=1)
def analyzer() -> Any:
    """VADER's analyser with leaderlens's words added (built once per process)."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    sia = SentimentIntensityAnalyzer()
    sia.lexicon.update(lex.WORDS)
    return sia


def direction_valence(tokens: Sequence[str]) -> float:
    """Summed valence of "metric moved in a direction" expressions (``net sales rose``).

    ``tokens`` are the lower-cased words of a text. A metric pairs with the first direction
    word at most :data:`DIRECTION_GAP` words after it, or with one at most two words before it
    (``lower operating costs``); each metric counts once.
    """
    total = 0.0
    directions = [i for i, w in enumerate(tokens) if w in _DIRECTION_WORDS]
    if not directions:
        return 0.0
    for i, word in enumerate(tokens):
        head = _METRIC_LAST.get(word)
        if head is None or tokens[max(0, i - len(head)) : i] != head:
            continue
        after = [j for j in directions if i < j <= i + lex.DIRECTION_GAP + 1]
        before = [j for j in directions if i - 3 <= j < i]
        found = after[0] if after else (before[-1] if before else None)
        if found is None:
            continue
        up = tokens[found] in _UP
        total += lex.DIRECTION_VALENCE if _METRIC_GOOD_LAST[word] == up else -lex.DIRECTION_VALENCE
    return total


def _prepare(text: str) -> str:
    if "&" in text:
        text = _ENTITY.sub(lambda m: html.unescape(m.group(0)), text)
    if "http" in text or "www." in text:
        text = _URL.sub(" ", text)
    return text.replace("\ufe0f", "")


def score_one(text: str) -> float:
    """Compound score in [-1, 1] of one English text (see the module docstring)."""
    text = _prepare(text)
    lower = text.lower()
    tokens = _TOKEN.findall(lower)
    extra = 0.0
    if not _PHRASE_STARTS.isdisjoint(tokens) or _EMOJI_CHAR.search(text):
        found = _PHRASE.findall(lower)
        if found:
            extra = sum(_VALENCE[m] for m in found)
            text = _PHRASE.sub(" ", lower)
            tokens = _TOKEN.findall(text)
    extra += direction_valence(tokens)
    compound = float(analyzer().polarity_scores(text)["compound"])
    if extra != 0.0:
        c = min(max(compound, -0.9999), 0.9999)
        raw = c * math.sqrt(ALPHA) / math.sqrt(1.0 - c * c) + extra
        compound = raw / math.sqrt(raw * raw + ALPHA)
    if not lex.SARCASM.isdisjoint(tokens):
        compound = -max(abs(compound), lex.SARCASM_FLOOR)
    return compound


def score_english(texts: Sequence[str]) -> npt.NDArray[np.float64]:
    """Compound scores of English texts, shape (n,)."""
    return np.fromiter((score_one(t) for t in texts), dtype=np.float64, count=len(texts))


def vader_plain(texts: Sequence[str]) -> npt.NDArray[np.float64]:
    """Plain VADER compound scores (the yardstick leaderlens's scorer is measured against)."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    sia = SentimentIntensityAnalyzer()
    return np.fromiter(
        (sia.polarity_scores(t)["compound"] for t in texts), dtype=np.float64, count=len(texts)
    )
