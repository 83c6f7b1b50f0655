"""Not-prose rules: text that is not sentences (tables, tickers, code, keyword lists).

All four are script-aware: letters are Unicode letters (Hangul and Han count), sentence ends
include 。！？, and mean word length uses a Hangul range for Korean and is skipped for
Chinese/Japanese, which have no spaces between words.
"""

from __future__ import annotations

from .base import Failure, QualityFilter, TextStats, has_letter, is_prose_line
from ..scripts import UNSPACED_WORD_RE, is_bullet_line, is_code_line, is_table_row, word_weight


class UnpunctuatedLinesFilter(QualityFilter):
    """Share of the text (in characters) sitting in lines that do not end a sentence.

    Weighted by characters, not lines: a real article ends with a few short unpunctuated
    lines (bylines, photo credits, a leftover headline list) that would dominate a line count
    while being a small part of the text.
    """

    name = "unpunctuated_lines"
    threshold_key = "max_share"

    def measure(self, stats: TextStats) -> float | None:
        # Hard-wrapped paragraphs joined (one paragraph, one line); code lines, table rows and
        # list items that are not sentences left out: a how-to article's code block, a results
        # table and a checklist's items are content, neither prose nor evidence of a non-article (a page of links is
        # index_page's to judge). A bullet that is a sentence still counts as prose.
        total = bare = 0
        for line in stats.logical_lines:
            if is_prose_line(line):
                total += len(line)
            elif not (is_code_line(line) or is_bullet_line(line) or is_table_row(line)):
                total += len(line)
                bare += len(line)
        if not total:
            return None
        return round(bare / total, 4)

    def fails(self, value: float) -> bool:
        return value > self.settings["max_share"]

    def check(self, stats: TextStats) -> Failure | None:
        failure = super().check(stats)
        min_body = self.settings.get("min_body_words")
        if failure is not None and min_body and stats.longest_prose_run >= min_body:
            return None  # an article body followed by lists or links: an article
        return failure

    def explain(self, value: float) -> str:
        return (f"{value:.0%} of the text is in lines without sentence punctuation "
                f"(max {self.settings['max_share']:.0%})")


class LowAlphaFilter(QualityFilter):
    """Share of words with at least one letter (Gopher's rule; letters of every script count).

    Words are counted per script, as everywhere else: in Chinese, Japanese or Thai a whitespace
    token is a clause of many words, so it weighs ``letters / unspaced_chars_per_word`` words;
    otherwise the few numbers and Latin fragments between the clauses ("2012", "(图)", "CPI")
    would outnumber a whole article.
    """

    name = "low_alpha"
    threshold_key = "min_share"

    def measure(self, stats: TextStats) -> float | None:
        words = stats.clean_words
        if "\t" in stats.text:  # table rows are content, their numbers are not junk
            words = [w for ln in stats.lines if not is_table_row(ln) for w in TextStats(ln, 1.0).clean_words]
        if not words:
            return None
        if not stats.has_unspaced_script:
            if "\t" in stats.text:
                return round(sum(map(has_letter, words)) / len(words), 4)
            return round(len(stats.lettered_words) / len(words), 4)
        per_word = stats.unspaced_chars_per_word
        weights = [word_weight(w, per_word) for w in words]
        lettered = sum(wt for w, wt in zip(words, weights) if has_letter(w))
        return round(lettered / sum(weights), 4)

    def fails(self, value: float) -> bool:
        return value < self.settings["min_share"]

    def explain(self, value: float) -> str:
        return f"only {value:.0%} of words contain a letter (min {self.settings['min_share']:.0%})"


class SymbolDigitFilter(QualityFilter):
    """Digits and symbols (Unicode N* and S*: $, %, +, =, |, ©, emoji) per non-space character.

    Price tables, sports scores, tickers and code are mostly digits and symbols; prose with
    figures stays far below. Ordinary punctuation does not count.
    """

    name = "symbol_digit_ratio"
    threshold_key = "max_ratio"

    def measure(self, stats: TextStats) -> float | None:
        classes = stats.char_classes
        visible = sum(n for k, n in classes.items() if k != "space")
        if not visible:
            return None
        return round((classes["digit"] + classes["symbol"]) / visible, 4)

    def fails(self, value: float) -> bool:
        return value > self.settings["max_ratio"]

    def explain(self, value: float) -> str:
        return (f"{value:.0%} of visible characters are digits or symbols "
                f"(max {self.settings['max_ratio']:.0%})")


class MeanWordLengthFilter(QualityFilter):
    """Mean word length out of range: garbled text, concatenated tokens, hashes, one-letter runs.

    Measured over space-separated words with letters. Korean words (eojeol) are 2-4 syllables,
    so Hangul-majority texts use ``hangul_min``/``hangul_max``; Chinese/Japanese tokens are
    skipped (they are clauses, not words). None (not applicable) below ``min_words`` words.
    """

    name = "mean_word_length"

    def _measure(self, stats: TextStats) -> tuple[float | None, bool]:
        """(mean length, whether the Hangul range applies)."""
        hangul_lengths: list[int] = []
        other_lengths: list[int] = []
        unspaced = stats.has_unspaced_script
        if not unspaced and not stats.has_hangul:  # the common case: one comprehension
            other_lengths = list(map(len, stats.lettered_words))
        else:
            for word in stats.lettered_words:
                if unspaced and UNSPACED_WORD_RE.search(word):  # a clause of Chinese, Thai …
                    continue
                (hangul_lengths if stats.is_hangul_word(word) else other_lengths).append(len(word))
        hangul = len(hangul_lengths) > len(other_lengths)
        lengths = hangul_lengths if hangul else other_lengths
        if len(lengths) < self.settings["min_words"]:
            return None, hangul
        return round(sum(lengths) / len(lengths), 4), hangul

    def _range(self, hangul: bool) -> tuple[float, float]:
        s = self.settings
        return (s["hangul_min"], s["hangul_max"]) if hangul else (s["min"], s["max"])

    def measure(self, stats: TextStats) -> float | None:
        return self._measure(stats)[0]

    def check(self, stats: TextStats) -> Failure | None:
        value, hangul = self._measure(stats)
        if value is None:
            return None
        low, high = self._range(hangul)
        if low <= value <= high:
            return None
        script = "Hangul" if hangul else "non-CJK"
        return Failure(self.name, value,
                       f"mean {script} word length {value:.2f} characters, outside {low}-{high}", [low, high])
