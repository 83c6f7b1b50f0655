"""What every quality filter shares: the per-document text statistics and the filter contract.

A filter holds one rule (datatrove's shape): ``measure`` computes one number from the shared
``TextStats``; ``fails`` compares it with the configured threshold; ``explain`` says why in
words. ``quality.py`` runs the filters in order and turns the first failure into a Rejection
whose ``value`` is the measured number, so a reader can see how far past the threshold it was.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

from ..scripts import HANGUL_RE, UNSPACED_RE, ScriptCounts, count_scripts, script_word_count

# Sentence-final punctuation in Latin, CJK (full-width) and Devanagari/Arabic texts.
TERMINAL_PUNCTUATION = frozenset(".!?…。！？｡؟।")
# Closing quotes and brackets that may follow the full stop: `said.”`  `다.)`  `。」`
CLOSERS = "\"'”’»)]}」』）】〉》›"
_TOKEN_STRIP = "\"'“”‘’«»()[]{}<>「」『』（）【】〈〉《》.,;:!?…。、，！？：；-–—·•*"


@dataclass
class TextStats:
    """Everything filters measure, computed lazily and at most once per document."""

    text: str
    unspaced_chars_per_word: float

    @cached_property
    def lines(self) -> list[str]:
        """Non-empty lines, stripped."""
        return [s for s in (line.strip() for line in self.text.splitlines()) if s]

    @cached_property
    def tokens(self) -> list[str]:
        return self.text.split()

    @cached_property
    def word_count(self) -> int:
        """Script-aware word count (Chinese/Japanese characters count as fractions of words)."""
        return script_word_count(self.text, self.unspaced_chars_per_word)

    @cached_property
    def scripts(self) -> ScriptCounts:
        return count_scripts(self.text)

    @cached_property
    def char_classes(self) -> Counter[str]:
        """Counts of characters by class: letter, digit, symbol, punct, space, other."""
        classes: Counter[str] = Counter()
        for ch, n in Counter(self.text).items():
            cat = unicodedata.category(ch)
            if ch.isspace():
                key = "space"
            elif cat[0] == "L":
                key = "letter"
            elif cat[0] == "N":
                key = "digit"
            elif cat[0] == "S":
                key = "symbol"
            elif cat[0] == "P":
                key = "punct"
            else:
                key = "other"
            classes[key] += n
        return classes

    @cached_property
    def ngram_units(self) -> list[str]:
        """Units for n-gram repetition: words, but single characters inside Chinese/Japanese runs.

        Chinese and Japanese have no spaces, so whitespace tokens would be whole clauses and no
        n-gram could ever repeat; their characters are the closest unit to a word.
        """
        if not self.has_unspaced:  # no Chinese/Japanese: words are the units
            return [w for w in (t.strip(_TOKEN_STRIP).lower() for t in self.tokens) if w]
        units: list[str] = []
        for token in self.tokens:
            word = token.strip(_TOKEN_STRIP).lower()
            if not word:
                continue
            if UNSPACED_RE.search(word):
                units.extend(ch for ch in word if not ch.isspace())
            else:
                units.append(word)
        return units

    @cached_property
    def clean_words(self) -> list[str]:
        """Tokens without surrounding punctuation, empty ones dropped."""
        return [w for w in (t.strip(_TOKEN_STRIP) for t in self.tokens) if w]

    @cached_property
    def has_unspaced(self) -> bool:
        """Whether any Chinese/Japanese character occurs (lets per-word checks be skipped)."""
        return UNSPACED_RE.search(self.text) is not None

    @cached_property
    def has_hangul(self) -> bool:
        return HANGUL_RE.search(self.text) is not None

    def is_hangul_word(self, word: str) -> bool:
        return self.has_hangul and HANGUL_RE.search(word) is not None


def ends_sentence(line: str) -> bool:
    """True when the line ends with sentence punctuation, allowing closing quotes after it."""
    stripped = line.rstrip().rstrip(CLOSERS)
    return bool(stripped) and stripped[-1] in TERMINAL_PUNCTUATION


@dataclass(frozen=True, slots=True)
class Failure:
    """One filter's verdict on one document: the rule name, the number, and the sentence."""

    name: str
    value: Any
    detail: str


class QualityFilter:
    """One named rule. Subclasses set ``name`` and implement ``measure``, ``fails`` and
    ``explain`` (a single threshold), or override ``check`` when the verdict needs more than
    one number (several n-gram sizes, a count and a share, a script-dependent range).

    ``settings`` is the filter's own table from quality.toml (``[too_short]`` …); a filter with
    ``enabled = false`` is skipped and does not appear in ``filter_names``.
    """

    name: ClassVar[str]

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings
        self.enabled = bool(settings.get("enabled", True))

    def measure(self, stats: TextStats) -> Any:
        raise NotImplementedError

    def fails(self, value: Any) -> bool:
        raise NotImplementedError

    def explain(self, value: Any) -> str:
        raise NotImplementedError

    def check(self, stats: TextStats) -> Failure | None:
        value = self.measure(stats)
        if value is None or not self.fails(value):
            return None
        return Failure(self.name, value, self.explain(value))


def phrase_pattern(phrases: list[str]) -> re.Pattern[str] | None:
    """One case-insensitive alternation of literal phrases (longest first), or None if empty."""
    cleaned = sorted({p.strip().lower() for p in phrases if p.strip()}, key=lambda p: (-len(p), p))
    if not cleaned:
        return None
    return re.compile("|".join(re.escape(p) for p in cleaned), re.IGNORECASE)
