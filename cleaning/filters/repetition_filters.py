"""Repetition rules after Gopher (Rae et al. 2021, table A1): repeated lines and n-grams.

Spam, auto-generated pages and broken scrapes repeat themselves; articles rarely do. The
n-gram fractions are measured in characters over "units": words, or single characters
inside Chinese/Japanese text (see ``TextStats.ngram_units``).
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import compress

import numpy as np

from .base import Failure, QualityFilter, TextStats
from collections.abc import Callable

from ..scripts import content_words, is_prose_line


def _duplicate_lines(lines: list[str], count: Callable[[str], bool] = lambda line: True) -> tuple[int, int]:
    """(lines that repeat an earlier line, characters in those repeats); ``count`` says which
    repeats count."""
    seen: set[str] = set()
    dup_lines = dup_chars = 0
    for line in lines:
        if line in seen:
            if count(line):
                dup_lines += 1
                dup_chars += len(line)
        else:
            seen.add(line)
    return dup_lines, dup_chars


def _contentful_lines(stats: TextStats, min_words: int) -> list[str]:
    """The lines with at least ``min_words`` words holding a letter or digit (all when 0)."""
    if not min_words:
        return stats.lines
    cache = stats.memo.setdefault("contentful_lines", {})
    if min_words not in cache:
        per_word = stats.unspaced_chars_per_word
        cache[min_words] = [ln for ln in stats.lines if content_words(ln, per_word) >= min_words]
    return cache[min_words]


class DuplicateLinesFilter(QualityFilter):
    """Fraction of lines that repeat an earlier sentence line (Gopher: 0.30), over the lines of
    at least ``min_line_words`` words.

    Short lines repeat in genuine articles by design: a code block's ``}`` and ``fn main() {``,
    YAML keys, bullets left alone on a line, "reply" under each comment, table cells ("4 year",
    "$15,000"), a results list's team names; so does a related-stories headline left after the
    article. Spam and broken scrapes repeat whole sentences and paragraphs, and those are what
    this rule counts (with ``prose_repeats_only``); repeated headlines are ``index_page``'s, and
    mass repetition of any line is caught by ``dup_line_chars`` and the n-gram rules.
    """

    name = "dup_lines"
    threshold_key = "max_fraction"

    def measure(self, stats: TextStats) -> float | None:
        min_words, min_lines = self.settings.get("min_line_words", 0), self.settings["min_lines"]
        if min_words and not stats.has_repeated_line:
            # Nothing repeats (most articles): 0.0, or None when too few lines count; counting
            # stops as soon as there are enough.
            per_word = stats.unspaced_chars_per_word
            enough = sum(1 for _ in zip(range(min_lines), (ln for ln in stats.lines
                                                            if content_words(ln, per_word) >= min_words)))
            return 0.0 if enough >= min_lines else None
        lines = _contentful_lines(stats, min_words)
        if len(lines) < min_lines:
            return None
        count = is_prose_line if self.settings.get("prose_repeats_only", False) else (lambda line: True)
        dup_lines, _ = _duplicate_lines(lines, count)
        return round(dup_lines / len(lines), 4)

    def fails(self, value: float) -> bool:
        return value > self.settings["max_fraction"]

    def explain(self, value: float) -> str:
        return (f"{value:.0%} of lines repeat an earlier line "
                f"(max {self.settings['max_fraction']:.0%})")


class DuplicateLineCharsFilter(QualityFilter):
    """Fraction of characters in lines that repeat an earlier line (Gopher: 0.20)."""

    name = "dup_line_chars"
    threshold_key = "max_fraction"

    def measure(self, stats: TextStats) -> float | None:
        if len(stats.lines) < 2:
            return None
        # Repeats of lines shorter than min_line_words ("}", "- ", "reply") do not count; the
        # total is every line's characters.
        if not stats.has_repeated_line:
            return 0.0
        lines = _contentful_lines(stats, self.settings.get("min_line_words", 0))
        _, dup_chars = _duplicate_lines(lines)
        total = sum(len(line) for line in stats.lines)
        return round(dup_chars / total, 4)

    def fails(self, value: float) -> bool:
        return value > self.settings["max_fraction"]

    def explain(self, value: float) -> str:
        return (f"{value:.0%} of characters are in repeated lines "
                f"(max {self.settings['max_fraction']:.0%})")


def _thresholds(settings: dict) -> list[tuple[int, float]]:
    """``{"2" = 0.2, ...}`` from TOML (keys are strings) as sorted (n, max_fraction) pairs."""
    return sorted((int(n), float(v)) for n, v in settings["max_fraction"].items())


def _top_ngram(units: list[str], n: int, total: int) -> tuple[tuple[str, ...], int, float]:
    """Reference definition, used to name the n-gram of a failure. The n-gram whose occurrences cover the most characters: (n-gram, count, fraction).

    Ranked by covered characters, not by count alone, so a tie between "to seoul" and
    "cheap flights" reports the one that weighs more; ties then break on the text for stability.
    """
    counts = Counter(zip(*(units[i:] for i in range(n))))
    repeated = [(g, c) for g, c in counts.items() if c > 1]  # usually a handful
    if not repeated:
        return (), 1, 0.0
    gram, count = max(repeated, key=lambda kv: (sum(map(len, kv[0])) * kv[1], kv[1], kv[0]))
    return gram, count, round(sum(map(len, gram)) * count / total, 4)


def top_ngram_fraction(stats: TextStats, n: int) -> float:
    """``_top_ngram``'s fraction from the shared n-gram table: the largest
    characters × count over repeated n-grams, over all unit characters (0.0 when none repeat)."""
    table = stats.ngram_table(n)
    if table is None or not table.positions.size:
        return 0.0
    edges = stats.unit_edges
    ids = np.flatnonzero(table.counts > 1)
    starts = table.first[ids]
    covered = (edges[starts + n] - edges[starts]) * table.counts[ids]
    return round(int(covered.max()) / int(edges[-1]), 4)


def duplicate_fraction(stats: TextStats, n: int) -> float:
    """``duplicate_ngram_fraction`` from the shared n-gram table (no Python loop per unit)."""
    table = stats.ngram_table(n)
    _, lengths = stats.unit_arrays
    total = int(stats.unit_edges[-1])
    if table is None or not total:
        return 0.0
    size = len(lengths)
    # An n-gram is a repeat where its first occurrence is earlier than itself.
    starts = table.positions[table.first[table.ids] < table.positions]
    if not starts.size:
        return 0.0
    depth = np.cumsum(np.bincount(starts, minlength=size + 1)[:size]
                      - np.bincount(starts + n, minlength=size + 1)[:size])
    return int(lengths[depth > 0].sum()) / total


def top_ngram_bound(units: list[str], counter: Counter[str] | None = None) -> float:
    """B such that no n-gram of ``units`` covers more than ``n * B`` characters (count × length).

    An n-gram occurring c >= 2 times is made of units that each occur at least c times, so it
    covers at most c × n × (the longest unit occurring at least c times): B is the largest
    c × that length. In prose the frequent units are short ("the", "of"), so B is far below
    the limits and the n-gram tables are not needed (one Counter, in C).
    """
    counter = Counter(units) if counter is None else counter
    counts = np.fromiter(counter.values(), dtype=np.int64, count=len(counter))
    lengths = np.fromiter(map(len, counter), dtype=np.int64, count=len(counter))
    order = np.argsort(-counts, kind="stable")
    longest = np.maximum.accumulate(lengths[order])  # longest unit among those at least this frequent
    return float((counts[order] * longest).max()) if counts.size else 0.0


def _repeat_runs(units: list[str], n: int, counts: Counter[str]) -> list[range]:
    """Start positions of the n-grams made only of units occurring at least twice, as ranges:
    every occurrence of a repeated n-gram starts in one of them."""
    repeated = bytes(map((1).__lt__, map(counts.__getitem__, units)))  # 1 where the unit repeats
    return [range(run.start(), run.end() - n + 1) for run in re.finditer(b"\x01{%d,}" % n, repeated)]


def repeat_fraction(units: list[str], n: int, total: int, counts: Counter[str] | None = None,
                    runs: list[range] | None = None) -> float:
    """``duplicate_fraction`` without the n-gram tables.

    Every occurrence of a repeated n-gram is made of units that occur at least twice, so only
    runs of n or more such units can hold one (in prose, few: content words occur once); their
    n-grams go into a dict, in order, and a later occurrence of one is a repeat. ``counts`` is
    ``Counter(units)`` and ``runs`` its ``_repeat_runs`` when the caller has them.
    """
    if len(units) < n or not total:
        return 0.0
    if runs is None:
        runs = _repeat_runs(units, n, Counter(units) if counts is None else counts)
    first: dict[tuple[str, ...], int] = {}
    repeats = []
    for run in runs:
        for start in run:
            gram = tuple(units[start:start + n])
            if gram in first:
                repeats.append(start)
            else:
                first[gram] = start
    if not repeats:
        return 0.0
    covered = bytearray(len(units))
    for start in repeats:
        covered[start:start + n] = b"\x01" * n
    return sum(map(len, compress(units, covered))) / total


def shared_duplicate_fraction(stats: TextStats, n: int, total: int) -> float:
    """``duplicate_fraction(stats, n)``: from the n-gram tables when the (n-1)-gram table is
    already built (top_ngram built tables up to 4 for a repetitive text; each n then costs one
    step), by ``repeat_fraction`` when few n-grams could repeat (most articles), else from the
    tables (long or repetitive texts, where a Python step per candidate would cost more)."""
    units = stats.ngram_units
    if len(units) < n or not total:
        return 0.0
    if stats.has_ngram_table(n - 1):  # top_ngram (or a smaller n) built the tables: one step more
        return duplicate_fraction(stats, n)
    runs = _repeat_runs(units, n, stats.unit_counts)
    if sum(map(len, runs)) * _TABLES_ABOVE > len(units):
        return duplicate_fraction(stats, n)
    return repeat_fraction(units, n, total, runs=runs)


# shared_duplicate_fraction uses the n-gram tables when more than 1 in this many n-grams could repeat.
_TABLES_ABOVE = 8


class TopNgramFilter(QualityFilter):
    """The single most frequent n-gram covers too much of the text (Gopher: 2→0.20, 3→0.18, 4→0.16).

    ``value`` is the fraction for the first n whose threshold is exceeded; the detail names n
    and the n-gram.
    """

    name = "top_ngram"

    def check(self, stats: TextStats) -> Failure | None:
        units = stats.ngram_units
        if len(units) < self.settings["min_units"] or not any(units):
            return None
        thresholds = _thresholds(self.settings)
        total = sum(map(len, units))
        bound = top_ngram_bound(units, stats.unit_counts)
        for n, limit in thresholds:
            if n * bound < limit * total * (1 - 1e-9):
                continue  # no n-gram can cover that much (top_ngram_bound)
            if top_ngram_fraction(stats, n) > limit:
                # Rare: name the n-gram with the exact (slower) ranking, ties broken on its text.
                gram, count, fraction = _top_ngram(units, n, sum(len(u) for u in units))
                text = " ".join(gram)
                return Failure(self.name, fraction,
                               f"top {n}-gram {text!r} appears {count} times and covers "
                               f"{fraction:.0%} of characters (max {limit:.0%})", limit)
        return None

    def measure(self, stats: TextStats) -> dict[str, float] | None:
        """Top n-gram fraction for every configured n (for tuning)."""
        units = stats.ngram_units
        if len(units) < self.settings["min_units"] or not any(units):
            return None
        return {str(n): top_ngram_fraction(stats, n) for n, _ in _thresholds(self.settings)}


def duplicate_ngram_fraction(units: list[str], n: int) -> float:
    """Reference definition (pure Python; the filter computes it with ``duplicate_fraction``).

    Characters in words covered by an n-gram that already occurred earlier, over all characters.

    Only the repeats count, not the first occurrence (as ``dup_lines`` counts only lines that
    repeat an earlier line): an article that prints its standfirst twice has half of that text
    in excess, not all of it. Overlapping n-grams count each word once.
    """
    total = sum(len(u) for u in units)
    if len(units) < n or not total:
        return 0.0
    seen: set[tuple[str, ...]] = set()
    covered = bytearray(len(units))
    for i, gram in enumerate(zip(*(units[i:] for i in range(n)))):
        if gram in seen:
            covered[i : i + n] = b"\x01" * n
        else:
            seen.add(gram)
    return sum(len(u) for u, c in zip(units, covered) if c) / total


class DuplicateNgramsFilter(QualityFilter):
    """Too much of the text repeats n-grams seen earlier in it (Gopher: 5→0.15 … 10→0.10).

    ``value`` is the fraction for the first n whose threshold is exceeded.
    """

    name = "dup_ngrams"

    def check(self, stats: TextStats) -> Failure | None:
        units = stats.ngram_units
        if len(units) < self.settings["min_units"]:
            return None
        thresholds = _thresholds(self.settings)
        total = sum(map(len, units))
        for k, (n, limit) in enumerate(thresholds):
            fraction = round(shared_duplicate_fraction(stats, n, total), 4)
            # The fraction never grows with n (a repeated (n+1)-gram covers characters that
            # repeated n-grams already cover), so below every remaining limit nothing can fail.
            if fraction == 0.0 or fraction <= min(lim for _, lim in thresholds[k:]):
                return None
            if fraction > limit:
                return Failure(self.name, fraction,
                               f"{fraction:.0%} of characters are in repeated {n}-grams "
                               f"(max {limit:.0%})", limit)
        return None

    def measure(self, stats: TextStats) -> dict[str, float] | None:
        """Duplicate n-gram fraction for every configured n (for tuning)."""
        units = stats.ngram_units
        if len(units) < self.settings["min_units"]:
            return None
        return {str(n): round(duplicate_fraction(stats, n), 4)
                for n, _ in _thresholds(self.settings)}
