"""Sentiment from text embeddings: nearest class prototypes built from our own sentences.

The slow, more accurate path for leader statements and Chinese posts (``sentiment="embedding"``
in :func:`leaderlens.text.annotate.annotate_workspace`). Each text's E5 passage vector (see
:mod:`leaderlens.text.embeddings`; Wang et al. 2024, arXiv:2402.05672) is compared with three
prototypes of its language, the unit-length mean vectors of negative, neutral and positive
sentences (the nearest-centroid rule, Tibshirani et al. 2002, PNAS 99(10); the prototypes of
Snell, Swersky & Zemel 2017, "Prototypical networks for few-shot learning", NeurIPS). The label
is the closest prototype; the score is ``P(positive) - P(negative)`` in [-1, 1] under
``softmax(cosine / temperature)``, the temperature fitted by maximum likelihood on the same
sentences (it scales the score, never changes the label or its sign).

The prototypes are built only from ``data/sentiment_corpus.csv``: short Chinese and English
sentences (products, launches, cars, phones, service, daily life, company and market news,
leader statements) written by leaderlens engineers for this purpose, so nothing shipped owes
anything to a third-party labelled set. They ship in ``data/sentiment_prototypes.npz`` with the
corpus digest and the embedding model's name; when the installed model or the corpus differs,
they are rebuilt at first use (embedding the corpus: tens of seconds).

Chosen by measurement on held-out halves of public labelled sets (README; ``bench/annotate.py
--sentiment 1200``) among: these prototypes (macro-F1 at or above the lexicon scorers on all
nine sets, e.g. Weibo 0.56 -> 0.71, Apple tweets 0.48 -> 0.67); one prototype set for both
languages (lower on six sets); an L2-penalised multinomial logistic regression on the same
corpus, penalty by blocked cross-validation on the corpus (it fitted our sentences' style:
lower on all nine); zero-shot similarity to label descriptions (below chance); and the lexicon
scorers. No route was tuned on those sets.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from leaderlens.errors import BadInputError

CLASSES = ("negative", "neutral", "positive")
_DATA = "data"
CORPUS_FILE = "sentiment_corpus.csv"
PROTOTYPES_FILE = "sentiment_prototypes.npz"
# Bounds of the temperature search: cosines of E5 vectors differ by hundredths.
_TEMPERATURE = (1e-4, 1.0)


def _data_path(name: str) -> Path:
    return Path(str(resources.files("leaderlens.text").joinpath(_DATA, name)))


def load_corpus() -> pd.DataFrame:
    """Our sentences: columns ``language`` (zh / en), ``label`` and ``text``."""
    return pd.read_csv(_data_path(CORPUS_FILE), dtype=str, keep_default_na=False)


def corpus_digest() -> str:
    """sha256 of the corpus file's bytes: stamped on the prototypes built from it."""
    return hashlib.sha256(_data_path(CORPUS_FILE).read_bytes()).hexdigest()


@dataclass(frozen=True)
class EmbeddingSentiment:
    """Sentiment of n texts from their vectors.

    score: (n,) float64, ``P(positive) - P(negative)`` in [-1, 1].
    label: (n,) object array, the closest of :data:`CLASSES`.
    proba: (n, 3) float64 class probabilities in the order of :data:`CLASSES`.
    """

    score: npt.NDArray[np.float64]
    label: npt.NDArray[np.object_]
    proba: npt.NDArray[np.float64]


@dataclass(frozen=True)
class SentimentPrototypes:
    """Class prototypes per language.

    languages: (m,) language codes. centroids: (m, 3, d) float64, unit-length mean vectors
    of each language's negative / neutral / positive sentences. temperature: (m,) float64.
    model: the embedding model's name. corpus: digest of the sentences (empty for a user's own).
    """

    languages: tuple[str, ...]
    centroids: npt.NDArray[np.float64]
    temperature: npt.NDArray[np.float64]
    model: str
    corpus: str = ""

    @property
    def digest(self) -> str:
        """Short hash of the prototypes: versions the annotations made with them."""
        raw = np.round(self.centroids, 5).tobytes() + np.round(self.temperature, 7).tobytes()
        return hashlib.sha256(raw + "+".join(self.languages).encode()).hexdigest()[:12]

    def score(
        self, vectors: npt.NDArray[np.floating[Any]], languages: Sequence[str] | npt.ArrayLike
    ) -> EmbeddingSentiment:
        """Score ``vectors`` (n, d) of texts in ``languages`` (n,), each one of
        :attr:`languages`."""
        x = np.asarray(vectors, dtype=np.float64)
        x = x.reshape(len(x), x.shape[-1] if x.ndim == 2 else -1)
        lang = np.asarray(languages, dtype=object)
        if len(lang) != len(x):
            raise BadInputError(
                f"vectors and languages differ in length ({len(x)} vs {len(lang)})",
                field="languages",
            )
        unknown = sorted(set(lang.tolist()) - set(self.languages))
        if unknown:
            raise BadInputError(
                f"no sentiment prototypes for language(s) {unknown[:3]}; have "
                f"{', '.join(self.languages)}",
                field="languages",
            )
        if len(x) and x.shape[1] != self.centroids.shape[2]:
            raise BadInputError(
                f"vectors have {x.shape[1]} dimensions; the prototypes "
                f"{self.centroids.shape[2]} (model {self.model})",
                field="vectors",
            )
        cosine = np.zeros((len(x), len(CLASSES)))
        scale = np.ones(len(x))
        for i, code in enumerate(self.languages):  # one matrix product per language
            rows = lang == code
            cosine[rows] = x[rows] @ self.centroids[i].T
            scale[rows] = self.temperature[i]
        proba = _softmax(cosine / scale[:, None])
        return EmbeddingSentiment(
            score=proba[:, 2] - proba[:, 0],
            label=np.asarray(CLASSES, dtype=object)[cosine.argmax(axis=1)],
            proba=proba,
        )


def _softmax(z: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def fit_temperature(cosine: npt.NDArray[np.float64], target: npt.NDArray[np.intp]) -> float:
    """The temperature maximising the likelihood of ``target`` (n,) class indices under
    ``softmax(cosine / t)``, for cosines (n, k); searched on log t within fixed bounds."""
    from scipy.optimize import minimize_scalar

    def loss(log_t: float) -> float:
        z = cosine / np.exp(log_t)
        z = z - z.max(axis=1, keepdims=True)
        return float(-(z[np.arange(len(z)), target] - np.log(np.exp(z).sum(axis=1))).sum())

    low, high = np.log(_TEMPERATURE[0]), np.log(_TEMPERATURE[1])
    found = minimize_scalar(loss, bounds=(low, high), method="bounded", options={"xatol": 1e-6})
    return float(np.exp(found.x))


def fit_prototypes(
    vectors: npt.NDArray[np.floating[Any]],
    labels: npt.ArrayLike,
    languages: npt.ArrayLike,
    *,
    model: str = "",
    corpus: str = "",
) -> SentimentPrototypes:
    """Prototypes of labelled vectors (n, d): per language, the unit-length mean of each
    class's vectors, and the temperature of :func:`fit_temperature` on those sentences.

    ``labels`` are names from :data:`CLASSES`; every language needs all three classes.
    """
    x = np.asarray(vectors, dtype=np.float64)
    names = np.asarray(labels, dtype=object)
    lang = np.asarray(languages, dtype=object)
    if x.ndim != 2 or not len(x) == len(names) == len(lang):
        raise BadInputError(
            f"need (n, d) vectors with n labels and n languages; got shape {x.shape}, "
            f"{len(names)} labels and {len(lang)} languages",
            field="labels",
        )
    unknown = sorted(set(names.tolist()) - set(CLASSES))
    if unknown:
        raise BadInputError(
            f"labels must be among {', '.join(CLASSES)}; got {unknown[:3]}", field="labels"
        )
    codes = tuple(sorted(set(lang.tolist())))
    onehot = (names[:, None] == np.asarray(CLASSES, dtype=object)[None, :]).astype(np.float64)
    centroids = np.zeros((len(codes), len(CLASSES), x.shape[1]))
    temperature = np.zeros(len(codes))
    for i, code in enumerate(codes):  # a handful of languages; the work is matrix products
        rows = lang == code
        counts = onehot[rows].sum(axis=0)
        if (counts == 0).any():
            missing = [c for c, n in zip(CLASSES, counts, strict=True) if n == 0]
            raise BadInputError(
                f"language {code!r} has no {', '.join(missing)} sentences", field="labels"
            )
        means = (onehot[rows].T @ x[rows]) / counts[:, None]
        centroids[i] = means / np.linalg.norm(means, axis=1, keepdims=True)
        target = onehot[rows].argmax(axis=1)
        temperature[i] = fit_temperature(x[rows] @ centroids[i].T, target)
    return SentimentPrototypes(
        languages=codes, centroids=centroids, temperature=temperature, model=model, corpus=corpus
    )


def train_prototypes() -> SentimentPrototypes:
    """Embed the shipped corpus with the installed model and build the prototypes from it."""
    from leaderlens.text.embeddings import embed_texts

    corpus = load_corpus()
    found = embed_texts(corpus["text"].tolist())
    return fit_prototypes(
        found.vectors,
        corpus["label"].to_numpy(dtype=object),
        corpus["language"].to_numpy(dtype=object),
        model=found.model,
        corpus=corpus_digest(),
    )


def save_prototypes(prototypes: SentimentPrototypes, path: str | Path) -> None:
    """Write ``prototypes`` as an ``.npz`` file (as shipped in ``data/``)."""
    np.savez(
        Path(path),
        languages=np.asarray(prototypes.languages, dtype=np.str_),
        centroids=prototypes.centroids.astype(np.float32),
        temperature=prototypes.temperature,
        model=np.str_(prototypes.model),
        corpus=np.str_(prototypes.corpus),
    )


def read_prototypes(path: str | Path) -> SentimentPrototypes:
    """Read prototypes written by :func:`save_prototypes`."""
    with np.load(Path(path), allow_pickle=False) as stored:
        return SentimentPrototypes(
            languages=tuple(str(code) for code in stored["languages"]),
            centroids=stored["centroids"].astype(np.float64),
            temperature=stored["temperature"].astype(np.float64),
            model=str(stored["model"]),
            corpus=str(stored["corpus"]),
        )


@lru_cache(maxsize=1)
def shipped_prototypes() -> SentimentPrototypes:
    """The prototypes shipped with leaderlens, or rebuilt from the corpus when the installed
    embedding model or the corpus differs from those they were built with."""
    from leaderlens.text.embeddings import model_name

    prototypes = read_prototypes(_data_path(PROTOTYPES_FILE))
    if prototypes.model != model_name() or prototypes.corpus != corpus_digest():
        return train_prototypes()
    return prototypes


def score_texts(
    texts: Sequence[str | None], languages: Sequence[str] | npt.ArrayLike
) -> EmbeddingSentiment:
    """Embed ``texts`` (as passages) and score them with :func:`shipped_prototypes`."""
    from leaderlens.text.embeddings import embed_texts

    return shipped_prototypes().score(embed_texts(texts).vectors, languages)
