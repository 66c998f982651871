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
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt

from leaderlens.errors import BadInputError


@dataclass(frozen=True)
class Topic:
    """One topic: its name, label, description and matchers.

    words: single words matched as whole tokens; phrases: multi-word entries (tokens joined by
    one space); prefixes: entries ending in ``*``; infixes: entries ``*like this*`` matching any
    token that contains them; zh: one pattern for the ``zh`` words and
    patterns: one for the regular expressions (each ``None`` when there are none).
    """

    name: str
    label: str
    description: str
    words: frozenset[str]
    phrases: frozenset[str]
    prefixes: tuple[str, ...]
    infixes: tuple[str, ...]
    zh: re.Pattern[str] | None
    patterns: re.Pattern[str] | None

    @property
    def latin_entries(self) -> list[str]:
        """Every word, phrase, prefix and infix of the topic (not the Chinese words), sorted."""
        return sorted({*self.words, *self.phrases, *self.prefixes, *self.infixes})


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

    words, phrases, prefixes, infixes = set(), set(), [], []
    for entry in strings("words"):
        tokens = _TOKEN.findall(entry.lower().strip("*"))
        if not tokens:
            raise BadInputError(f"topic {name!r}: word {entry!r} has no letters", file=source)
        if entry.startswith("*") and entry.endswith("*") and len(entry) > 2 and len(tokens) == 1:
            infixes.append(tokens[0])
        elif entry.endswith("*") and len(tokens) == 1:
            prefixes.append(tokens[0])
        elif len(tokens) == 1:
            words.add(tokens[0])
        else:
            phrases.add(" ".join(tokens))
    zh = [re.escape(w.lower()) for w in strings("zh")]
    parts = []
    for pattern in strings("patterns"):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise BadInputError(
                f"topic {name!r}: bad pattern {pattern!r} ({exc})", file=source, field="patterns"
            ) from exc
        parts.append(f"(?:{pattern})")
    if not (words or phrases or prefixes or infixes or zh or parts):
        raise BadInputError(f"topic {name!r} has no words, zh or patterns", file=source)
    return Topic(
        name=name,
        label=str(spec.get("label", name)),
        description=str(spec.get("description", "")),
        words=frozenset(words),
        phrases=frozenset(phrases),
        prefixes=tuple(prefixes),
        infixes=tuple(infixes),
        zh=re.compile("|".join(zh), re.IGNORECASE) if zh else None,
        patterns=re.compile("|".join(parts), re.IGNORECASE) if parts else None,
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


class _Matcher:
    """A taxonomy compiled for speed: one dictionary lookup per distinct token.

    ``tokens`` memoises, for every token seen, the topics whose words, prefixes or infixes it
    matches, so those scans run once per distinct token rather than once per token per text.
    Phrases are only assembled at positions whose token starts some phrase. Chinese words only
    run on texts where one scan with all topics' Chinese words joined found something (the
    same texts, since a joined alternation matches somewhere exactly when one of its parts
    does); on plain-ASCII texts that scan only needs the entries written in ASCII.
    """

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.topics = taxonomy.topics
        self.tokens: dict[str, tuple[int, ...]] = {}
        self.phrases: dict[str, list[int]] = {}
        for j, topic in enumerate(self.topics):
            for phrase in topic.phrases:
                self.phrases.setdefault(phrase, []).append(j)
        self.phrase_lengths: dict[str, tuple[int, ...]] = {}
        for phrase in self.phrases:
            words = phrase.split()
            known = self.phrase_lengths.get(words[0], ())
            self.phrase_lengths[words[0]] = tuple(sorted({*known, len(words)}))
        self.zh = [(j, t.zh) for j, t in enumerate(self.topics) if t.zh is not None]
        self.patterns = [(j, t.patterns) for j, t in enumerate(self.topics) if t.patterns]
        self.zh_gate = _joined([p for _, p in self.zh])
        # A Chinese-words entry written in ASCII ("su7") must still be looked for in ASCII
        # texts: those entries alone gate them (the whole list is slow to scan for nothing).
        ascii_words = [w for _, p in self.zh for w in p.pattern.split("|") if w.isascii()]
        self.zh_ascii_gate = (
            re.compile("|".join(ascii_words), re.IGNORECASE) if ascii_words else None
        )

    def token_topics(self, token: str) -> tuple[int, ...]:
        found = self.tokens.get(token)
        if found is None:
            found = tuple(
                j
                for j, topic in enumerate(self.topics)
                if token in topic.words
                or (topic.prefixes and token.startswith(topic.prefixes))
                or any(part in token for part in topic.infixes)
            )
            if len(self.tokens) < _TOKEN_CACHE:
                self.tokens[token] = found
        return found

    def match(self, text: str) -> dict[int, set[str]]:
        lower = _clean(text)
        tokens = _TOKEN.findall(lower)
        unique = set(tokens)
        hits: dict[int, set[str]] = {}
        known = self.tokens
        for token in unique:
            found = known.get(token)
            if found is None:
                found = self.token_topics(token)
            for j in found:
                hits.setdefault(j, set()).add(token)
        starts = self.phrase_lengths
        if not starts.keys().isdisjoint(unique):
            for i, token in enumerate(tokens):
                for n in starts.get(token, ()):
                    gram = " ".join(tokens[i : i + n])
                    for j in self.phrases.get(gram, ()):
                        hits.setdefault(j, set()).add(gram)
        extra = self.patterns
        gate = self.zh_ascii_gate if lower.isascii() else self.zh_gate
        if _found(gate, lower):
            extra = self.zh + extra
        for j, pattern in extra:
            for m in pattern.finditer(lower):
                word = m.group(0).strip()
                if word:
                    hits.setdefault(j, set()).add(word)
        return hits


def _joined(patterns: list[re.Pattern[str]]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    try:
        return re.compile("|".join(f"(?:{p.pattern})" for p in patterns), re.IGNORECASE)
    except re.error:  # e.g. inline global flags, only allowed at the start: no gate
        return re.compile("")


def _found(gate: re.Pattern[str] | None, text: str) -> bool:
    return gate is not None and gate.search(text) is not None


_TOKEN_CACHE = 1_000_000  # distinct tokens remembered per taxonomy (bounded memory)


@lru_cache(maxsize=8)
def _matcher(taxonomy: Taxonomy) -> _Matcher:
    return _Matcher(taxonomy)


def tag_topics(texts: Sequence[str | None], taxonomy: Taxonomy | None = None) -> TopicResult:
    """Tag each text with every topic of ``taxonomy`` it has evidence for.

    Words are matched on the lower-cased tokens of the text (links removed, HTML entities
    decoded), phrases on its runs of tokens, Chinese words and patterns on the text itself.
    """
    tax = taxonomy if taxonomy is not None else load_taxonomy()
    matcher = _matcher(tax)
    names = tax.names
    matrix = np.zeros((len(texts), len(names)), dtype=bool)
    evidence = np.empty(len(texts), dtype=object)
    for i, text in enumerate(texts):
        hits = matcher.match(text) if text else {}
        if hits:
            matrix[i, list(hits)] = True
        evidence[i] = {names[j]: sorted(hits[j]) for j in sorted(hits)}
    return TopicResult(names=names, matrix=matrix, evidence=evidence)
