"""Rules that judge a block by its topic, not its wording: unheaded headline lists (seed 002 ends
with 17 unrelated finance headlines) and off-topic tail blocks of formats no phrase list knows.

Topic is a sublinear-TF cosine / word-overlap against the rest of the document (see
``Vocabulary``). Both rules are conservative: they only look at the edges of the text, need
several lines, and need enough article text left to compare against.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, Iterator

from .chrome import lang_list
from .page import Line, Memo, Page, Tag, Vocabulary, cosine, ends_like_sentence, has_hangul, overlap_share

_SMALL_WORDS = frozenset(
    "a an the and or but nor of in on at to for as by with from into over amid vs vs. via per up "
    "off out is are be its it's than after before about against".split()
)
_LATIN_TOKEN = re.compile(r"^[\"'“‘(\[]*([A-Za-z])")
_KO_SENTENCE_END = re.compile(r"(?:다|요|죠|까)[.!?][\"'”’)]*$")


def title_case(s: str) -> bool:
    """Most significant words capitalized, as in English headlines."""
    caps = total = 0
    for w in s.split():
        m = _LATIN_TOKEN.match(w)
        if not m or w.casefold().strip("\"'“‘([") in _SMALL_WORDS:
            continue
        total += 1
        if m.group(1).isupper() or any(ch.isupper() for ch in w[1:3]):
            caps += 1  # "iRobot", "eBay" count as capitalized
    return total >= 2 and caps / total >= 0.7


class HeadlineListRule:
    name = "headline_list"

    def __init__(self, cfg: dict[str, Any], vocab: Vocabulary) -> None:
        h = cfg["headline_list"]
        self.min_lines = int(h["min_lines"])
        self.max_words = int(h["max_words"])
        self.max_chars_cjk = int(h["max_chars_cjk"])
        self.max_terminal_share = float(h["max_terminal_share"])
        self.min_title_case_share = float(h["min_title_case_share"])
        self.max_similarity = float(h["max_similarity"])
        self.edge_only = bool(h["edge_only"])
        self.min_body_tokens = int(h["min_body_tokens"])
        self.vocab = vocab
        self.memo = Memo()

    def headline_like(self, s: str) -> bool:
        hit = self.memo.get(s)
        if hit is None:
            hit = self._headline_like(s)
            self.memo.put(s, hit)
        return hit

    def _headline_like(self, s: str) -> bool:
        if has_hangul(s):
            return len(s) <= self.max_chars_cjk and not _KO_SENTENCE_END.search(s)
        n = len(s.split())
        if not 2 <= n <= self.max_words:
            return False
        return not ends_like_sentence(s) or title_case(s)

    def _runs(self, content: list[Line]) -> list[list[Line]]:
        runs: list[list[Line]] = []
        cur: list[Line] = []
        for ln in content:
            if self.headline_like(ln.stripped):
                cur.append(ln)
            else:
                if len(cur) >= self.min_lines:
                    runs.append(cur)
                cur = []
        if len(cur) >= self.min_lines:
            runs.append(cur)
        return runs

    def _is_list(self, run: list[Line]) -> bool:
        terminal = sum(1 for ln in run if ends_like_sentence(ln.stripped))
        if terminal > self.max_terminal_share * len(run):
            return False
        latin = [ln for ln in run if not has_hangul(ln.stripped)]
        if latin and sum(1 for ln in latin if title_case(ln.stripped)) < self.min_title_case_share * len(latin):
            return False
        return True

    def tag(self, page: Page) -> Iterator[Tag]:
        content = page.free_content()
        for run in self._runs(content):
            first, last = run[0].index, run[-1].index
            if self.edge_only and not (first == content[0].index or last == content[-1].index):
                continue
            if not self._is_list(run):
                continue
            inside = {ln.index for ln in run}
            body = self.vocab.vector(ln.stripped for ln in content if ln.index not in inside)
            if sum(body.values()) < self.min_body_tokens:
                continue
            if cosine(self.vocab.vector(ln.stripped for ln in run), body) < self.max_similarity:
                yield Tag(first, last, self.name)


class OffTopicRule:
    name = "off_topic"

    def __init__(self, cfg: dict[str, Any], vocab: Vocabulary) -> None:
        o = cfg["off_topic"]
        self.min_lines = int(o["min_lines"])
        self.min_tokens_per_line = int(o["min_tokens_per_line"])
        self.max_overlap = float(o["max_overlap"])
        self.max_similarity = float(o["max_similarity"])
        self.min_body_tokens = int(o["min_body_tokens"])
        self.max_share = float(o["max_share"])
        self.vocab = vocab
        cues = sorted({c.casefold() for c in lang_list(cfg, "article_cues")}, key=len, reverse=True)
        alts = [re.escape(c) if not c[-1:].isascii() or not c[-1:].isalpha()
                else rf"(?<![a-z]){re.escape(c)}(?![a-z])" for c in cues]
        self.cues = re.compile("|".join(alts)) if alts else None

    def _reads_like_article(self, s: str) -> bool:
        """Reporting verbs and quotation marks: a closing quote or "X contributed to this report"
        shares few words with the body but is still the article."""
        return bool(self.cues and self.cues.search(s.casefold()))

    def tag(self, page: Page) -> Iterator[Tag]:
        content = page.free_content()
        if len(content) <= self.min_lines:
            return
        toks = [self.vocab.tokens(ln.stripped) for ln in content]
        body: Counter[str] = Counter()
        for t in toks:
            body.update(t)
        tail_vec: Counter[str] = Counter()
        k = len(content)
        while k > 1:
            t = toks[k - 1]
            if len(t) < self.min_tokens_per_line or self._reads_like_article(content[k - 1].stripped):
                break
            rest = body.copy()
            rest.subtract(t)
            if overlap_share(t, rest) > self.max_overlap:
                break
            body = +rest  # drop zero counts
            tail_vec.update(t)
            k -= 1
        tail = content[k:]
        if len(tail) < self.min_lines or sum(body.values()) < self.min_body_tokens:
            return
        total_words = sum(ln.words for ln in content)
        if sum(ln.words for ln in tail) > self.max_share * total_words:
            return
        if cosine(tail_vec, body) <= self.max_similarity:
            yield Tag(tail[0].index, tail[-1].index, self.name)
