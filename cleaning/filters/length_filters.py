"""Length rules: empty, too short, too long — in script-aware words, after cleaning.

Words are whitespace tokens, except that Chinese and Japanese characters count as
``1/unspaced_chars_per_word`` words each (see ``cleaning.scripts.script_word_count``), so a
Chinese article of 300 characters is ~200 words, not the 3 "words" its spaces would give.
"""

from __future__ import annotations

from .base import QualityFilter, TextStats


class EmptyFilter(QualityFilter):
    """Nothing left after cleaning: reported on its own so it is not mistaken for "short"."""

    name = "empty"

    def measure(self, stats: TextStats) -> int:
        return len(stats.text.strip())

    def fails(self, value: int) -> bool:
        return value == 0

    def explain(self, value: int) -> str:
        return "no text left after cleaning"


class TooShortFilter(QualityFilter):
    """Fewer words than a news brief: navigation leftovers, captions, teasers."""

    name = "too_short"
    threshold_key = "min_words"

    def measure(self, stats: TextStats) -> int:
        return stats.word_count

    def fails(self, value: int) -> bool:
        return value < self.settings["min_words"]

    def explain(self, value: int) -> str:
        return f"{value} words, fewer than the minimum {self.settings['min_words']}"


class TooLongFilter(QualityFilter):
    """More words than any article: concatenated dumps, whole-site crawls, logs."""

    name = "too_long"
    threshold_key = "max_words"

    def measure(self, stats: TextStats) -> int:
        return stats.word_count

    def fails(self, value: int) -> bool:
        return value > self.settings["max_words"]

    def explain(self, value: int) -> str:
        return f"{value} words, more than the maximum {self.settings['max_words']}"
