"""Repetition rules after Gopher (Rae et al. 2021, table A1): repeated lines and n-grams.

Spam, auto-generated pages and broken scrapes repeat themselves; articles rarely do. The
n-gram fractions are measured in characters over "units": words, or single characters
inside Chinese/Japanese text (see ``TextStats.ngram_units``).
"""

from __future__ import annotations

from collections import Counter

from .base import Failure, QualityFilter, TextStats


def _duplicate_lines(lines: list[str]) -> tuple[int, int]:
    """(lines that repeat an earlier line, characters in those repeats)."""
    seen: set[str] = set()
    dup_lines = dup_chars = 0
    for line in lines:
        if line in seen:
            dup_lines += 1
            dup_chars += len(line)
        else:
            seen.add(line)
    return dup_lines, dup_chars


class DuplicateLinesFilter(QualityFilter):
    """Fraction of non-empty lines that repeat an earlier line (Gopher: 0.30)."""

    name = "dup_lines"

    def measure(self, stats: TextStats) -> float | None:
        if len(stats.lines) < self.settings["min_lines"]:
            return None
        dup_lines, _ = _duplicate_lines(stats.lines)
        return round(dup_lines / len(stats.lines), 4)

    def fails(self, value: float) -> bool:
        return value > self.settings["max_fraction"]

    def explain(self, value: float) -> str:
        return (f"{value:.0%} of lines repeat an earlier line "
                f"(max {self.settings['max_fraction']:.0%})")


class DuplicateLineCharsFilter(QualityFilter):
    """Fraction of characters in lines that repeat an earlier line (Gopher: 0.20)."""

    name = "dup_line_chars"

    def measure(self, stats: TextStats) -> float | None:
        if len(stats.lines) < 2:
            return None
        _, dup_chars = _duplicate_lines(stats.lines)
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


class TopNgramFilter(QualityFilter):
    """The single most frequent n-gram covers too much of the text (Gopher: 2→0.20, 3→0.18, 4→0.16).

    ``value`` is the fraction for the first n whose threshold is exceeded; the detail names n
    and the n-gram.
    """

    name = "top_ngram"

    def check(self, stats: TextStats) -> Failure | None:
        units = stats.ngram_units
        total = sum(len(u) for u in units)
        if len(units) < self.settings["min_units"] or not total:
            return None
        for n, limit in _thresholds(self.settings):
            counts = Counter(zip(*(units[i:] for i in range(n))))
            gram, count = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
            if count < 2:
                continue
            fraction = round(sum(len(u) for u in gram) * count / total, 4)
            if fraction > limit:
                text = " ".join(gram)
                return Failure(self.name, fraction,
                               f"top {n}-gram {text!r} appears {count} times and covers "
                               f"{fraction:.0%} of characters (max {limit:.0%})")
        return None

    def measure(self, stats: TextStats) -> dict[str, float] | None:
        """Top n-gram fraction for every configured n (for tuning)."""
        units = stats.ngram_units
        total = sum(len(u) for u in units)
        if len(units) < self.settings["min_units"] or not total:
            return None
        out = {}
        for n, _ in _thresholds(self.settings):
            gram, count = max(Counter(zip(*(units[i:] for i in range(n)))).items(),
                              key=lambda kv: (kv[1], kv[0]))
            out[str(n)] = round(sum(len(u) for u in gram) * count / total, 4) if count > 1 else 0.0
        return out


def duplicate_ngram_fraction(units: list[str], n: int) -> float:
    """Characters in words covered by any n-gram that occurs more than once, over all characters.

    Every occurrence counts, the first included (Gopher's "characters contained within all
    duplicate n-grams"); overlapping n-grams count each word once.
    """
    total = sum(len(u) for u in units)
    if len(units) < n or not total:
        return 0.0
    grams = list(zip(*(units[i:] for i in range(n))))
    counts = Counter(grams)
    covered = bytearray(len(units))
    for i, gram in enumerate(grams):
        if counts[gram] > 1:
            covered[i : i + n] = b"\x01" * n
    return sum(len(u) for u, c in zip(units, covered) if c) / total


class DuplicateNgramsFilter(QualityFilter):
    """Too much of the text sits in repeated n-grams (Gopher: 5→0.15 … 10→0.10).

    ``value`` is the fraction for the first n whose threshold is exceeded.
    """

    name = "dup_ngrams"

    def check(self, stats: TextStats) -> Failure | None:
        units = stats.ngram_units
        if len(units) < self.settings["min_units"]:
            return None
        for n, limit in _thresholds(self.settings):
            fraction = round(duplicate_ngram_fraction(units, n), 4)
            if fraction == 0.0:
                return None  # no repeated n-gram means no repeated longer n-gram either
            if fraction > limit:
                return Failure(self.name, fraction,
                               f"{fraction:.0%} of characters are in repeated {n}-grams "
                               f"(max {limit:.0%})")
        return None

    def measure(self, stats: TextStats) -> dict[str, float] | None:
        """Duplicate n-gram fraction for every configured n (for tuning)."""
        units = stats.ngram_units
        if len(units) < self.settings["min_units"]:
            return None
        return {str(n): round(duplicate_ngram_fraction(units, n), 4)
                for n, _ in _thresholds(self.settings)}
