# ruff: noqa: RUF001  (Chinese punctuation and typographic quotes are data here)
"""Topics from a transparent, editable taxonomy (TOML), multi-label, with the evidence kept.

A dictionary (keyword) classifier in the tradition of content analysis (Krippendorff,
*Content Analysis*, 4th ed. 2018, ch. 11 on dictionary approaches): each topic is a list of
words, Chinese words and regular expressions; a text carries every topic one of whose entries
it contains, and the matched entries are kept so a user can see why. The taxonomy shipped with
leaderlens is ``taxonomy.toml`` beside this module; copy and extend it, then pass its path.
Precision and recall per topic against a hand-labelled sample of 300 posts are in the README.
"""

from __future__ import annotations

import hashlib
import html
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt

from leaderlens.errors import BadInputError


@dataclass(frozen=True)
class Topic:
    """One topic: its name, label, description and matchers.

    words: single words matched as whole tokens; phrases: multi-word entries (tokens joined by
    one space); prefixes: entries ending in ``*``; extra: one pattern for the ``zh`` words and
    the regular expressions (``None`` when there are none).
    """

    name: str
    label: str
    description: str
    words: frozenset[str]
    phrases: frozenset[str]
    prefixes: tuple[str, ...]
    extra: re.Pattern[str] | None


@dataclass(frozen=True)
class Taxonomy:
    """A loaded taxonomy. ``digest`` (sha256 of the file's bytes) versions the annotations."""

    topics: tuple[Topic, ...]
    version: str
    digest: str
    source: str

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(topic.name for topic in self.topics)


@dataclass(frozen=True)
class TopicResult:
    """Topics per text.

    names: the taxonomy's topic names, in order (k,).
    matrix: (n, k) bool; ``matrix[i, j]`` says text i carries topic j.
    evidence: (n,) object array; each item a dict topic -> sorted matched words (only topics
        present).
    """

    names: tuple[str, ...]
    matrix: npt.NDArray[np.bool_]
    evidence: npt.NDArray[np.object_]

    def topics_of(self, i: int) -> list[str]:
        """The topic names of text ``i``."""
        return [name for name, hit in zip(self.names, self.matrix[i], strict=True) if hit]


# Tokens keep the characters entries use inside words ($tsla, s&p, self-driving, you're).
_TOKEN = re.compile(r"[\w$&'’-]+")


def _compile(name: str, spec: dict[str, object], source: str) -> Topic:
    def strings(key: str) -> list[str]:
        value = spec.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise BadInputError(
                f"topic {name!r}: {key} must be a list of non-empty texts", file=source, field=key
            )
        return value

    words, phrases, prefixes = set(), set(), []
    for entry in strings("words"):
        tokens = _TOKEN.findall(entry.lower().rstrip("*"))
        if not tokens:
            raise BadInputError(f"topic {name!r}: word {entry!r} has no letters", file=source)
        if entry.endswith("*") and len(tokens) == 1:
            prefixes.append(tokens[0])
        elif len(tokens) == 1:
            words.add(tokens[0])
        else:
            phrases.add(" ".join(tokens))
    parts = [re.escape(w.lower()) for w in strings("zh")]
    for pattern in strings("patterns"):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise BadInputError(
                f"topic {name!r}: bad pattern {pattern!r} ({exc})", file=source, field="patterns"
            ) from exc
        parts.append(f"(?:{pattern})")
    if not (words or phrases or prefixes or parts):
        raise BadInputError(f"topic {name!r} has no words, zh or patterns", file=source)
    return Topic(
        name=name,
        label=str(spec.get("label", name)),
        description=str(spec.get("description", "")),
        words=frozenset(words),
        phrases=frozenset(phrases),
        prefixes=tuple(prefixes),
        extra=re.compile("|".join(parts), re.IGNORECASE) if parts else None,
    )


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Load a taxonomy TOML file; ``None`` loads the one shipped with leaderlens."""
    if path is None:
        raw = resources.files("leaderlens.text").joinpath("taxonomy.toml").read_bytes()
        source = "leaderlens/text/taxonomy.toml"
    else:
        target = Path(path)
        if not target.is_file():
            raise BadInputError("taxonomy file not found", file=str(target))
        raw = target.read_bytes()
        source = str(target)
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise BadInputError(f"not a valid TOML taxonomy ({exc})", file=source) from exc
    topics = data.get("topics")
    if not isinstance(topics, dict) or not topics:
        raise BadInputError("the taxonomy has no [topics.NAME] tables", file=source)
    compiled = tuple(_compile(name, spec, source) for name, spec in topics.items())
    return Taxonomy(
        topics=compiled,
        version=str(data.get("version", "1")),
        digest=hashlib.sha256(raw).hexdigest(),
        source=source,
    )


_URL = re.compile(r"https?://\S+|www\.\S+")


def _clean(text: str) -> str:
    # Links would match words by accident (t.co/...); entities hide "&" in "blocks & chains".
    if "&" in text:
        text = html.unescape(text)
    return _URL.sub(" ", text).lower()


def _grams(tokens: list[str], longest: int) -> set[str]:
    return {
        " ".join(tokens[i : i + n])
        for n in range(2, longest + 1)
        for i in range(len(tokens) - n + 1)
    }


def tag_topics(texts: Sequence[str | None], taxonomy: Taxonomy | None = None) -> TopicResult:
    """Tag each text with every topic of ``taxonomy`` it has evidence for.

    Words are matched on the lower-cased tokens of the text (links removed, HTML entities
    decoded), phrases on its runs of tokens, Chinese words and patterns on the text itself.
    """
    tax = taxonomy if taxonomy is not None else load_taxonomy()
    longest = max((len(p.split()) for t in tax.topics for p in t.phrases), default=1)
    any_prefix = tuple(p for t in tax.topics for p in t.prefixes)
    matrix = np.zeros((len(texts), len(tax.topics)), dtype=bool)
    evidence = np.empty(len(texts), dtype=object)
    for i, text in enumerate(texts):
        found: dict[str, list[str]] = {}
        if text:
            lower = _clean(text)
            tokens = _TOKEN.findall(lower)
            unique = set(tokens)
            grams = _grams(tokens, longest) if longest > 1 else set()
            prefixed = [t for t in unique if t.startswith(any_prefix)] if any_prefix else []
            for j, topic in enumerate(tax.topics):
                hits = (unique & topic.words) | (grams & topic.phrases)
                if prefixed and topic.prefixes:
                    hits.update(t for t in prefixed if t.startswith(topic.prefixes))
                if topic.extra is not None:
                    hits.update(m.group(0).strip() for m in topic.extra.finditer(lower))
                hits.discard("")
                if hits:
                    matrix[i, j] = True
                    found[topic.name] = sorted(hits)
        evidence[i] = found
    return TopicResult(names=tax.names, matrix=matrix, evidence=evidence)
