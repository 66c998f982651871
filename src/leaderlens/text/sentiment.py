"""Sentiment of statements, brand posts and mentions in [-1, 1], with a label.

English (and any language other than Chinese) goes to :mod:`leaderlens.text.sentiment_en`
(VADER plus leaderlens's measured rules); Chinese to :mod:`leaderlens.text.sentiment_zh`.
Labels use VADER's published cut-offs (Hutto & Gilbert 2014): positive at a score of 0.05 or
more, negative at -0.05 or less, neutral between.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from leaderlens.errors import BadInputError
from leaderlens.text.sentiment_en import score_english
from leaderlens.text.sentiment_zh import score_chinese

THRESHOLD = 0.05
SCORERS = {"en": "vader+leaderlens-en", "zh": "leaderlens-zh-lexicon", "none": "none"}


@dataclass(frozen=True)
class SentimentResult:
    """Sentiment per text.

    score: (n,) float64 in [-1, 1]; 0 for empty texts.
    label: (n,) object array of ``negative`` / ``neutral`` / ``positive``.
    scorer: (n,) object array naming the scorer used (see :data:`SCORERS`).
    """

    score: npt.NDArray[np.float64]
    label: npt.NDArray[np.object_]
    scorer: npt.NDArray[np.object_]


def sentiment_labels(score: npt.NDArray[np.float64]) -> npt.NDArray[np.object_]:
    """``negative`` / ``neutral`` / ``positive`` from scores, at +-:data:`THRESHOLD`."""
    return np.where(
        score >= THRESHOLD, "positive", np.where(score <= -THRESHOLD, "negative", "neutral")
    ).astype(object)


def score_sentiment(
    texts: Sequence[str | None], languages: Sequence[str] | npt.NDArray[np.object_]
) -> SentimentResult:
    """Score each text with the scorer for its language (``zh`` Chinese, anything else English)."""
    if len(texts) != len(languages):
        raise BadInputError(
            f"texts and languages differ in length ({len(texts)} vs {len(languages)})",
            field="languages",
        )
    items = [None if t is None else str(t) for t in texts]
    lang = np.asarray(languages, dtype=object)
    present = np.array([bool(t and t.strip()) for t in items], dtype=bool)
    chinese = present & (lang == "zh")
    english = present & ~chinese
    score = np.zeros(len(texts), dtype=np.float64)
    scorer = np.full(len(texts), SCORERS["none"], dtype=object)
    if english.any():
        score[english] = score_english([str(items[i]) for i in np.flatnonzero(english)])
        scorer[english] = SCORERS["en"]
    if chinese.any():
        score[chinese] = score_chinese([str(items[i]) for i in np.flatnonzero(chinese)])
        scorer[chinese] = SCORERS["zh"]
    return SentimentResult(score=score, label=sentiment_labels(score), scorer=scorer)
