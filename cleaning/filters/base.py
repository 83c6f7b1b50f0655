"""What every quality filter shares: the per-document text statistics and the filter contract.

A filter holds one rule (datatrove's shape): ``measure`` computes one number from the shared
``TextStats``; ``fails`` compares it with the configured threshold; ``explain`` says why in
words. ``quality.py`` runs the filters in order and turns the first failure into a Rejection
whose ``value`` is the measured number, so a reader can see how far past the threshold it was.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from itertools import compress, count, repeat
from operator import not_
from typing import Any, ClassVar

import numpy as np

from ..scripts import (  # noqa: F401 - sentence rules re-exported for the filter modules
    CLOSERS,
    HANGUL_RE,
    TERMINAL_PUNCTUATION,
    UNSPACED_RE,
    UNSPACED_WORD_RE,
    ScriptCounts,
    char_class_counts,
    ScriptStats,
    cjk_presence,
    count_scripts,
    ends_sentence,
    is_prose_line,
    logical_lines,
    script_word_count,
    text_stats,
)
_TOKEN_STRIP = "\"'“”‘’«»()[]{}<>「」『』（）【】〈〉《》.,;:!?…。、，！？：；-–—·•*"


def has_letter(word: str) -> bool:
    """Whether any character is a letter (``str.isalpha``); the common all-letter word is one call."""
    return word.isalpha() or any(map(str.isalpha, word))


@dataclass(frozen=True, slots=True)
class NgramTable:
    """The n-grams of the units that occur more than once, numbered exactly (no hashing).

    ``positions[i]`` is the unit index where such an n-gram starts (ascending), ``ids[i]`` its
    number; for number k, ``first[k]`` is the unit index of its first occurrence and
    ``counts[k]`` how often it occurs (numbers of n-grams that occur once are unused).
    N-grams that occur once are left out: no repetition rule looks at them, and leaving them
    out is what keeps longer n cheap.
    """

    positions: np.ndarray
    ids: np.ndarray
    first: np.ndarray
    counts: np.ndarray


def _repeated(positions: np.ndarray, key: np.ndarray) -> NgramTable:
    """The NgramTable of the n-grams at ``positions`` whose exact integer ``key``s repeat.

    ``np.unique`` with its four outputs, written out: a stable sort keeps the first occurrence
    first in each group, and the wrapper's per-call overhead mattered at one call per n.
    """
    if not key.size:
        empty = np.zeros(0, dtype=np.int64)
        return NgramTable(empty, empty, empty, empty)
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    starts_group = np.empty(ordered.size, dtype=bool)
    starts_group[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts_group[1:])
    group_starts = np.flatnonzero(starts_group)
    counts = np.diff(np.append(group_starts, ordered.size))
    ids = np.empty(ordered.size, dtype=np.int64)
    ids[order] = np.cumsum(starts_group) - 1
    keep = counts[ids] > 1
    return NgramTable(positions[keep], ids[keep], positions[order[group_starts]], counts)


@dataclass
class TextStats:
    """Everything filters measure, computed lazily and at most once per document.

    Several filters need the same tokens, words and n-grams; computing them here once (not
    once per filter) is what keeps the filters cheaper than the cleaning stage.
    """

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
    def open_line_share(self) -> float:
        """Share of the characters of ``logical_lines`` in lines that do not end a sentence (or
        are bare links: "www.example.com." ends with a stop)."""
        lines = self.logical_lines
        total = sum(map(len, lines))
        open_chars = sum(len(ln) for ln in lines if not ends_sentence(ln) or ln.startswith(("http", "www.")))
        return open_chars / total if total else 0.0

    @cached_property
    def has_repeated_line(self) -> bool:
        """Whether any non-empty line occurs twice (most articles: no)."""
        return len(set(self.lines)) < len(self.lines)

    @cached_property
    def memo(self) -> dict[str, Any]:
        """Results filters share that depend on a setting (keyed by the filter's own names)."""
        return {}

    @cached_property
    def logical_lines(self) -> list[str]:
        """Non-empty lines with hard-wrapped paragraphs joined back (``scripts.logical_lines``):
        what line-shape rules judge, so a paragraph broken every 70 characters is one line."""
        return logical_lines(self.lines)

    @cached_property
    def longest_prose_run(self) -> int:
        """Words (script-aware) in the longest run of consecutive prose logical lines: an article
        body has one; tables, tickers, link lists and teaser pages do not."""
        best = run = 0
        for line in self.logical_lines:
            if is_prose_line(line):
                run += script_word_count(line, self.unspaced_chars_per_word)
                best = max(best, run)
            else:
                run = 0
        return best

    @cached_property
    def script_stats(self) -> ScriptStats:
        """Characters by class and script, script-aware words, sentence ends: one numpy pass."""
        return text_stats(self.text, self.unspaced_chars_per_word)

    @cached_property
    def word_count(self) -> int:
        """Script-aware word count (Chinese, Japanese, Thai … letters count as fractions of words);
        from the shared ``script_stats`` pass. Without letters of such scripts every whitespace
        token is one word, so the count is the shared ``tokens``' (the same number, no pass)."""
        if not self.has_unspaced_script:
            return len(self.tokens)
        return self.script_stats.words

    @cached_property
    def scripts(self) -> ScriptCounts:
        return count_scripts(self.text)

    @cached_property
    def char_classes(self) -> Counter[str]:
        """Counts of characters by class: letter, digit, symbol, punct, space, other (the same
        counts as ``script_stats.class_counts()``, from the class table alone)."""
        return Counter(char_class_counts(self.text))

    @cached_property
    def ngram_units(self) -> list[str]:
        """Units for n-gram repetition: words, but single characters inside Chinese/Japanese runs.

        Chinese and Japanese have no spaces, so whitespace tokens would be whole clauses and no
        n-gram could ever repeat; their characters are the closest unit to a word.
        """
        if not self.clean_words:
            return []
        # Lower-casing one joined string is one call instead of one per word; words hold no
        # whitespace, so splitting on " " gives back exactly the lower-cased words.
        lowered = " ".join(self.clean_words).lower().split(" ")
        if not self.has_unspaced:  # no Chinese/Japanese: words are the units
            return lowered
        units: list[str] = []
        for word in lowered:
            if UNSPACED_RE.search(word):
                units.extend(ch for ch in word if not ch.isspace())
            else:
                units.append(word)
        return units

    @cached_property
    def clean_words(self) -> list[str]:
        """Tokens without surrounding punctuation, empty ones dropped (map/filter: no Python
        loop per token)."""
        return list(filter(None, map(str.strip, self.tokens, repeat(_TOKEN_STRIP))))

    @cached_property
    def lettered_words(self) -> list[str]:
        """The clean words that contain at least one letter (in any script)."""
        words = self.clean_words
        flags = list(map(str.isalpha, words))  # all letters: most words
        for i in compress(range(len(words)), map(not_, flags)):  # "2024", "U.S", "don't", "-"
            flags[i] = has_letter(words[i])
        return list(compress(words, flags))

    @cached_property
    def unit_counts(self) -> Counter[str]:
        """How often each n-gram unit occurs (the repetition rules' shared Counter, in C)."""
        return Counter(self.ngram_units)

    @cached_property
    def unit_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """(unit ids numbered by first appearance, unit lengths in characters) as int64 arrays."""
        units = self.ngram_units
        # Distinct units numbered in order of first appearance, built in C.
        index = dict(zip(dict.fromkeys(units), count()))
        ids = np.fromiter(map(index.__getitem__, units), dtype=np.int64, count=len(units))
        lengths = np.fromiter(map(len, units), dtype=np.int64, count=len(units))
        return ids, lengths

    @cached_property
    def unit_edges(self) -> np.ndarray:
        """Cumulative unit lengths with a leading 0: units i..j-1 hold edges[j] - edges[i] characters."""
        _, lengths = self.unit_arrays
        return np.concatenate(([0], np.cumsum(lengths)))

    @cached_property
    def _ngram_tables(self) -> dict[int, NgramTable]:
        return {}

    def has_ngram_table(self, n: int) -> bool:
        """Whether ``ngram_table(n)`` is already built (then ``ngram_table(n + 1)`` is one step)."""
        return n in self._ngram_tables

    def ngram_table(self, n: int) -> NgramTable | None:
        """The repeated n-grams of ``ngram_units`` (None when there are fewer than n units).

        Built from the (n-1)-grams: an n-gram can only repeat where its (n-1)-gram prefix
        repeats, so only those positions are considered; the pair (number of the prefix,
        next unit) is one integer below units² and ``np.unique`` renumbers the pairs, so
        equal numbers mean equal n-grams, with no hash collisions. One sort per n, in C,
        over fewer positions as n grows.
        """
        tables = self._ngram_tables
        if n in tables:
            return tables[n]
        unit_ids, _ = self.unit_arrays
        size = len(unit_ids)
        if n < 1 or size < n:
            return None
        if n == 1:
            # Units are numbered by first appearance: a number is new where the running maximum grows.
            first = np.flatnonzero(np.diff(np.maximum.accumulate(unit_ids), prepend=-1) > 0)
            counts = np.bincount(unit_ids)
            keep = counts[unit_ids] > 1
            table = NgramTable(np.flatnonzero(keep), unit_ids[keep], first, counts)
        else:
            previous = self.ngram_table(n - 1)
            assert previous is not None
            fits = previous.positions <= size - n
            positions = previous.positions[fits]
            key = previous.ids[fits] * (int(unit_ids.max()) + 1) + unit_ids[positions + (n - 1)]
            table = _repeated(positions, key)
        tables[n] = table
        return table

    @cached_property
    def _cjk_presence(self) -> tuple[bool, bool]:
        return cjk_presence(self.text)

    @cached_property
    def has_unspaced(self) -> bool:
        """Whether any Chinese/Japanese character occurs (lets per-word checks be skipped)."""
        return self._cjk_presence[1]

    @cached_property
    def has_unspaced_script(self) -> bool:
        """Whether any letter of a script written without spaces occurs (Han, Kana, Thai …):
        ``script_stats.unspaced_letters > 0``, found by one regex scan."""
        text = self.text
        return not text.isascii() and UNSPACED_WORD_RE.search(text) is not None

    @cached_property
    def has_hangul(self) -> bool:
        return self._cjk_presence[0]

    def is_hangul_word(self, word: str) -> bool:
        return self.has_hangul and HANGUL_RE.search(word) is not None


@dataclass(frozen=True, slots=True)
class Failure:
    """One filter's verdict on one document: the rule name, the number, and the sentence."""

    name: str
    value: Any
    detail: str
    threshold: Any = None  # the configured limit the value was compared with


class QualityFilter:
    """One named rule. Subclasses set ``name`` and implement ``measure``, ``fails`` and
    ``explain`` (a single threshold), or override ``check`` when the verdict needs more than
    one number (several n-gram sizes, a count and a share, a script-dependent range).

    ``settings`` is the filter's own table from quality.toml (``[too_short]`` …); a filter with
    ``enabled = false`` is skipped and does not appear in ``filter_names``.
    """

    name: ClassVar[str]
    # The settings key holding the single threshold ``fails`` compares with (None: no threshold).
    threshold_key: ClassVar[str | None] = None

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings
        self.enabled = bool(settings.get("enabled", True))

    def threshold(self) -> Any:
        """The configured limit, as rejected rows report it next to the measured value."""
        return self.settings.get(self.threshold_key) if self.threshold_key else None

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
        return Failure(self.name, value, self.explain(value), self.threshold())


def phrase_pattern(phrases: list[str]) -> re.Pattern[str] | None:
    """One case-insensitive alternation of literal phrases (longest first), or None if empty."""
    cleaned = sorted({p.strip().lower() for p in phrases if p.strip()}, key=lambda p: (-len(p), p))
    if not cleaned:
        return None
    return re.compile("|".join(re.escape(p) for p in cleaned), re.IGNORECASE)
