"""Trailer sections opened by a heading: "Related Content", "More from Business", "많이 본 뉴스".

The section is the heading and every line after it until the article resumes. The article
resumes at a prose line (long, ends like a sentence, not indented or bulleted) that starts a new
paragraph, runs into another prose line, or whose words occur in the rest of the article; that way a "Related Articles" box
in the middle of a story takes only its links with it, while a trailer at the end goes whole.
"""

from __future__ import annotations

from typing import Any, Iterator

from .chrome import lang_list
from collections import Counter

from .page import (Memo, Page, Tag, Vocabulary, overlap_share, ends_like_sentence, has_hangul, normalize_phrase,
                   normalize_phrase_upto, phrase_prefix_regex)


def is_prose(stripped: str, min_words: int) -> bool:
    """A sentence-like paragraph: long enough and ending like a sentence. Hangul text packs more
    per word (particles attach to words), so it is measured in characters."""
    if not ends_like_sentence(stripped):
        return False
    if has_hangul(stripped):
        return len(stripped) >= 2 * min_words + 6
    return len(stripped.split()) >= min_words


class TrailerSectionRule:
    name = "trailer_section"

    def __init__(self, cfg: dict[str, Any], vocab: Vocabulary) -> None:
        self.bullets = cfg["bullet_chars"]
        heads = {normalize_phrase(h, self.bullets) for h in lang_list(cfg, "section_headings")}
        self.headings = heads | {h.replace(" ", "") for h in heads if has_hangul(h)}
        self.prefixes = phrase_prefix_regex(p.casefold() for p in lang_list(cfg, "section_heading_prefixes"))
        self.memo = Memo()
        s = cfg["trailer_section"]
        self.max_heading_words = int(s["max_heading_words"])
        self.resume_min_words = int(s["resume_min_words"])
        self.resume_overlap = float(s["resume_overlap"])
        self.vocab = vocab

    def is_heading(self, stripped: str) -> bool:
        hit = self.memo.get(stripped)
        if hit is None:
            hit = self._is_heading(stripped)
            self.memo.put(stripped, hit)
        return hit

    def _is_heading(self, stripped: str) -> bool:
        norm = normalize_phrase_upto(stripped, self.bullets, self.max_heading_words)
        if not norm:  # empty, or more than max_heading_words words (None)
            return False
        if norm in self.headings or (has_hangul(norm) and norm.replace(" ", "") in self.headings):
            return True
        if ends_like_sentence(stripped.rstrip(":：")):
            return False
        return bool(self.prefixes and self.prefixes.match(norm))

    def _prose(self, page: Page, j: int) -> bool:
        ln = page.lines[j]
        return (not ln.indented and ln.stripped[:1] not in self.bullets
                and is_prose(ln.stripped, self.resume_min_words))

    def _last_line(self, page: Page, heading: int) -> int:
        """The section's last line: the line before the article resumes, or the text's last.

        The article resumes at a prose line that starts a new paragraph (after a blank line), is
        followed by another prose line (trailer items alternate title / summary; articles run
        paragraph after paragraph), or shares most of its words with the rest of the article.
        """
        before = self.vocab.vector(x.stripped for x in page.lines[:heading] if page.free(x.index))
        after: Counter[str] = self.vocab.vector(x.stripped for x in page.lines[heading + 1:])
        n = len(page.lines)
        last = heading
        after_blank = False
        for j in range(heading + 1, n):
            ln = page.lines[j]
            if ln.blank:
                after_blank = True
                continue
            own = self.vocab.tokens(ln.stripped)
            after.subtract(own)
            if self._prose(page, j):
                if after_blank:
                    break
                nxt = next((k for k in range(j + 1, n) if not page.lines[k].blank), None)
                if nxt is not None and self._prose(page, nxt):
                    break
                context = before + after  # "+" also drops the zero counts left by subtract
                if overlap_share(own, context) >= self.resume_overlap:
                    break
            last = j
            after_blank = False
        return last

    def tag(self, page: Page) -> Iterator[Tag]:
        i = 0
        while i < len(page.lines):
            ln = page.lines[i]
            if page.free(i) and not ln.blank and self.is_heading(ln.stripped):
                last = self._last_line(page, i)
                yield Tag(i, last, self.name)
                i = last + 1
            else:
                i += 1
