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
import string
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from leaderlens.text import lexicon_en as lex

ALPHA = 15.0  # VADER's normalisation constant
_PUNCTUATION = string.punctuation
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
def fast_vader_class() -> type:
    """VADER's analyser with a faster first step and results identical to the original.

    ``polarity_scores`` of vaderSentiment 3.3.2 first rebuilds the text character by character
    to swap emoji for their descriptions, the most expensive step for short posts. Only
    single-character emoji can match there, so a text holding none of them is left as it is
    (stripped), exactly what the loop would return; other texts take the original loop. And
    ``sentiment_valence`` is only called for words in the lexicon (for any other word it
    appends 0, which is what happens here without the call); its negation and idiom checks
    lower-case only the words they read (negations looked up in a set); ``SentiText``'s words
    and capitals flag are computed in one pass. The rest is VADER's own code.
    """
    from vaderSentiment.vaderSentiment import (
        BOOSTER_DICT,
        N_SCALAR,
        NEGATE,
        SPECIAL_CASES,
        SentimentIntensityAnalyzer,
        SentiText,
        normalize,
    )

    negations = frozenset(NEGATE)

    def negated(word: str) -> bool:
        # vaderSentiment's negated([word]) for one lower-cased word, with a set lookup.
        return word in negations or "n't" in word

    class FastSentiText(SentiText):
        def __init__(self, text: str) -> None:
            # SentiText's words (punctuation stripped unless 2 characters or fewer remain)
            # and its "some but not all words in capitals" flag, without a call per word.
            self.text = text
            words = [s if len(s := t.strip(_PUNCTUATION)) > 2 else t for t in text.split()]
            self.words_and_emoticons = words
            capitals = sum(1 for w in words if w.isupper())
            self.is_cap_diff = 0 < len(words) - capitals < len(words)

    class FastVader(SentimentIntensityAnalyzer):
        def __init__(self) -> None:
            super().__init__()
            self.emoji_chars = frozenset(k for k in self.emojis if len(k) == 1)

        def polarity_scores(self, text: str) -> dict[str, float]:
            sentiments, text = self._sentiments(text)
            return dict(self.score_valence(sentiments, text))

        def compound(self, text: str) -> float:
            """``polarity_scores(text)["compound"]`` without the other three scores."""
            sentiments, text = self._sentiments(text)
            total = float(sum(sentiments))
            if total == 0.0:  # VADER: normalize(0) = 0, punctuation only amplifies a sign
                return 0.0
            emphasis = self._punctuation_emphasis(text)
            total = total + emphasis if total > 0 else total - emphasis
            return round(normalize(total), 4)

        def _sentiments(self, text: str) -> tuple[list[float], str]:
            plain = self.emoji_chars.isdisjoint(text)
            text = text.strip() if plain else self._describe_emoji(text)
            sentitext = FastSentiText(text)
            sentiments: list[float] = []
            words = sentitext.words_and_emoticons
            lexicon = self.lexicon
            for i, item in enumerate(words):
                lowered = item.lower()
                # sentiment_valence appends 0 for a word outside the lexicon: skip the call.
                if (
                    lowered not in lexicon
                    or lowered in BOOSTER_DICT
                    or (i < len(words) - 1 and lowered == "kind" and words[i + 1].lower() == "of")
                ):
                    sentiments.append(0)
                    continue
                sentiments = self.sentiment_valence(0, sentitext, item, i, sentiments)
            return self._but_check(words, sentiments), text

        @staticmethod
        def _negation_check(valence: float, words: list[str], start_i: int, i: int) -> float:
            # VADER's rule, lower-casing only the (up to) three words it reads instead of the
            # whole text for every sentiment word; indices (negative ones too) are VADER's.
            def low(k: int) -> str:
                return str(words[k]).lower()

            if start_i == 0 and negated(low(i - 1)):
                valence = valence * N_SCALAR
            if start_i == 1:
                if low(i - 2) == "never" and low(i - 1) in ("so", "this"):
                    valence = valence * 1.25
                elif low(i - 2) == "without" and low(i - 1) == "doubt":
                    pass
                elif negated(low(i - 2)):
                    valence = valence * N_SCALAR
            if start_i == 2:
                if (low(i - 3) == "never" and low(i - 2) in ("so", "this")) or low(i - 1) in (
                    "so",
                    "this",
                ):
                    valence = valence * 1.25
                elif low(i - 3) == "without" and "doubt" in (low(i - 2), low(i - 1)):
                    pass
                elif negated(low(i - 3)):
                    valence = valence * N_SCALAR
            return valence

        @staticmethod
        def _special_idioms_check(valence: float, words: list[str], i: int) -> float:
            # VADER's rule, lower-casing only the words around i that it reads.
            def low(k: int) -> str:
                return str(words[k]).lower()

            w0, w1, w2, w3 = low(i), low(i - 1), low(i - 2), low(i - 3)
            threetwoone, threetwo, twoone = f"{w3} {w2} {w1}", f"{w3} {w2}", f"{w2} {w1}"
            for seq in (f"{w1} {w0}", f"{w2} {w1} {w0}", twoone, threetwoone, threetwo):
                if seq in SPECIAL_CASES:
                    valence = SPECIAL_CASES[seq]
                    break
            if len(words) - 1 > i and f"{w0} {low(i + 1)}" in SPECIAL_CASES:
                valence = SPECIAL_CASES[f"{w0} {low(i + 1)}"]
            if len(words) - 1 > i + 1:
                zeroonetwo = f"{w0} {low(i + 1)} {low(i + 2)}"
                if zeroonetwo in SPECIAL_CASES:
                    valence = SPECIAL_CASES[zeroonetwo]
            for n_gram in (threetwoone, threetwo, twoone):
                if n_gram in BOOSTER_DICT:
                    valence = valence + BOOSTER_DICT[n_gram]
            return valence

        def _describe_emoji(self, text: str) -> str:
            # vaderSentiment's own loop, kept for texts that hold emoji.
            parts: list[str] = []
            prev_space = True
            for char in text:
                if char in self.emojis:
                    if not prev_space:
                        parts.append(" ")
                    parts.append(self.emojis[char])
                    prev_space = False
                else:
                    parts.append(char)
                    prev_space = char == " "
            return "".join(parts).strip()

    return FastVader


@lru_cache(maxsize=1)
def analyzer() -> Any:
    """VADER's analyser with leaderlens's words added (built once per process)."""
    sia = fast_vader_class()()
    sia.lexicon.update(lex.WORDS)
    return sia


def direction_valence(tokens: Sequence[str]) -> float:
    """Summed valence of "metric moved in a direction" expressions (``net sales rose``).

    ``tokens`` are the lower-cased words of a text. A metric pairs with the first direction
    word at most :data:`DIRECTION_GAP` words after it, or with one at most two words before it
    (``lower operating costs``); each metric counts once.
    """
    total = 0.0
    if _DIRECTION_WORDS.isdisjoint(tokens):
        return 0.0
    directions = [i for i, w in enumerate(tokens) if w in _DIRECTION_WORDS]
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
    compound = analyzer().compound(text)
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
