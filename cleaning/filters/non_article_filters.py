"""Non-article pages: index pages (lists of headlines/links) and paywall or consent stubs.

These pages can be long enough and well punctuated enough to pass the other rules, so they
are recognised by their shape (mostly short unpunctuated lines) or by their stock phrases
("Subscribe to continue reading", "이 기사는 유료회원 전용", "We use cookies").
"""

from __future__ import annotations

import re

from .base import Failure, QualityFilter, TextStats, is_prose_line, phrase_pattern
from ..scripts import is_table_row, script_word_count

_BULLET_RE = re.compile(r"^(?:[•·▪►▶→»\-*–—]|\d{1,3}[.)])\s+")
_URL_RE = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)


class IndexPageFilter(QualityFilter):
    """Mostly list-like lines: what an index, section front or "latest news" page extracts to.

    A line is list-like when it is a bullet, a bare URL, or short (at most ``headline_max_words``
    words) and does not end a sentence — i.e. a headline or a link text. ``value`` is the
    share of characters in list-like lines; the rule needs at least ``min_lines`` such lines,
    so one title line over a short article never counts.
    """

    name = "index_page"

    def _list_like(self, line: str, per_word: float) -> bool:
        if _URL_RE.match(line):
            return True
        # A bullet that holds a sentence ("- Permits authorize construction and inspections.")
        # is an article's list, not a link: judge the item, not its bullet.
        item = _BULLET_RE.sub("", line, count=1)
        if is_prose_line(item):
            return False
        return script_word_count(item, per_word) <= self.settings["headline_max_words"]

    def _measure(self, stats: TextStats) -> tuple[float | None, int, int, int]:
        """(share of characters in list-like lines, number of them, words in the other lines,
        words in the longest run of consecutive other lines)."""
        # A hard-wrapped paragraph is one line, not ten "headlines"; table rows (an article's
        # results or figures table) are neither links nor paragraphs and are left out.
        lines = [ln for ln in stats.logical_lines if not is_table_row(ln)]
        if not lines:
            return None, 0, 0, 0
        per_word = stats.unspaced_chars_per_word
        list_chars = count = prose_words = run = longest_run = 0
        for line in lines:
            if self._list_like(line, per_word):
                list_chars += len(line)
                count += 1
                run = 0
            else:
                words = script_word_count(line, per_word)
                prose_words += words
                run += words
                longest_run = max(longest_run, run)
        return round(list_chars / sum(map(len, lines)), 4), count, prose_words, longest_run

    def measure(self, stats: TextStats) -> float | None:
        return self._measure(stats)[0]

    def check(self, stats: TextStats) -> Failure | None:
        if "\t" not in stats.text and stats.open_line_share <= self.settings["max_share"]:
            # List-like lines never end a sentence, so their share is at most the share of lines
            # that do not: most articles are decided here without looking at each line.
            return None
        share, count, prose_words, longest_run = self._measure(stats)
        if share is None or count < self.settings["min_lines"] or share <= self.settings["max_share"]:
            return None
        if prose_words >= self.settings["max_prose_words"]:
            return None  # a long article with many subheadings and lists, not an index page
        if longest_run >= self.settings["min_body_words"]:
            return None  # an article body (consecutive paragraphs) followed by a link list
        return Failure(self.name, share,
                       f"{count} of {len(stats.logical_lines)} lines are headlines/links, holding "
                       f"{share:.0%} of the text (max {self.settings['max_share']:.0%}), and no "
                       f"run of paragraphs reaches {self.settings['min_body_words']} words "
                       f"(longest {longest_run})", self.settings["max_share"])


class StubFilter(QualityFilter):
    """A stock phrase of a wall (paywall, cookie/consent) in a document too short to be an article.

    ``value`` is the document's word count: a long article that mentions "subscribe" in a
    surviving trailer is kept; a stub with a teaser paragraph and the wall is not.
    """

    kind = "wall"  # the word used in the detail sentence

    def __init__(self, settings: dict) -> None:
        super().__init__(settings)
        phrases = [p for lang in sorted(settings["phrases"]) for p in settings["phrases"][lang]]
        self.pattern = phrase_pattern(phrases)

    def check(self, stats: TextStats) -> Failure | None:
        if self.pattern is None:
            return None
        words = stats.word_count  # cheap, and rules out most documents before the phrase search
        if words >= self.settings["max_words"]:
            return None
        match = self.pattern.search(stats.text)
        if match is None:
            return None
        return Failure(self.name, words,
                       f"{self.kind} phrase {match.group(0)!r} in a {words}-word document "
                       f"(articles have at least {self.settings['max_words']} words)", self.settings["max_words"])

    def measure(self, stats: TextStats) -> int | None:
        """The word count when a phrase is present, else None (not applicable)."""
        if self.pattern is None or self.pattern.search(stats.text) is None:
            return None
        return stats.word_count


class PaywallFilter(StubFilter):
    """"Subscribe to continue reading": the page holds a teaser, not the article."""

    name = "paywall"
    kind = "paywall"


class ConsentWallFilter(StubFilter):
    """Cookie/consent walls: the scraper saw the banner instead of the article."""

    name = "consent_wall"
    kind = "consent"
