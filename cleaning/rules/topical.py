"""Rules that judge a block by its topic, not its wording: unheaded headline lists (seed 002 ends
with 17 unrelated finance headlines) and off-topic blocks of formats no phrase list knows.

Topic is a sublinear-TF cosine / word-overlap against the rest of the document (see
``Vocabulary``). Both rules are conservative: they need several lines and enough article text
left to compare against. At the edges of the text (a list before the first or after the last
paragraph, a tail block) the checks are the original ones; a block BETWEEN article paragraphs (a
"promo box" of other stories pasted into the story) must pass the stricter ``MidArticle`` checks:
the whole stretch between two prose paragraphs is junk-shaped, shares almost no words with the
text before it AND the text after it, and has no quote, reporting verb or list introduction.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, Callable, Iterator

from .chrome import lang_list
from .page import ContentMemo, Line, Memo, Page, Tag, Vocabulary, cosine, ends_like_sentence, has_hangul, overlap_share

_SMALL_WORDS = frozenset(
    "a an the and or but nor of in on at to for as by with from into over amid vs vs. via per up "
    "off out is are be its it's than after before about against".split()
)
_LATIN_TOKEN = re.compile(r"^[\"'“‘(\[]*([A-Za-z])")
_KO_SENTENCE_END = re.compile(r"(?:다|요|죠|까)[.!?][\"'”’)]*$")
# A line that introduces what follows ("The group's members are:", "Key facts:", "주요 내용:").
_INTRODUCES = re.compile(r"[:：]\s*$")
# Hard-wrapped prose: a line that ends inside a sentence ("…the same navigation, the same footer.
# But there was no way to share" / "these elements.") or starts with a lowercase word.
_OPEN_END = re.compile(r"[,;，、\-–—(]\s*$|\b(?:and|or|but|the|a|an|of|to|in|with|for|that|which)\s*$", re.I)
_LOWER_START = re.compile(r"^[a-z]")


def article_cue_regex(cfg: dict[str, Any]) -> re.Pattern[str] | None:
    """Reporting verbs and quotation marks ([lang.*].article_cues) as one case-folded regex; a cue
    that ends in a Latin letter is a whole word: no Latin letter right before or after it.

    "No letter before" is tested once the cue has matched, by a lookbehind over the letter and
    the cue (``said(?<![a-z]said)``, the same condition as ``(?<![a-z])said``): every branch then
    starts with its cue's text, so the regex engine only tries positions where a cue's first
    character stands, instead of every branch's lookbehind at every character (about 8x faster
    on article lines; ``article_cue_regex_plain`` is the first form, tests compare them)."""
    return _cue_regex(cfg, lambda e: rf"{e}(?<![a-z]{e})(?![a-z])")


def article_cue_regex_plain(cfg: dict[str, Any]) -> re.Pattern[str] | None:
    """``article_cue_regex`` with the lookbehind in front of each word cue (the definition)."""
    return _cue_regex(cfg, lambda e: rf"(?<![a-z]){e}(?![a-z])")


def _cue_regex(cfg: dict[str, Any], word: Callable[[str], str]) -> re.Pattern[str] | None:
    cues = sorted({c.casefold() for c in lang_list(cfg, "article_cues")}, key=len, reverse=True)
    alts = [re.escape(c) if not c[-1:].isascii() or not c[-1:].isalpha() else word(re.escape(c)) for c in cues]
    return re.compile("|".join(alts)) if alts else None


class MidArticle:
    """Finds junk-shaped blocks between article paragraphs (settings: ``[mid_article]``).

    A candidate block is the whole stretch of free lines between two prose "anchor" lines (long
    lines that end like a sentence), so the article demonstrably continues on both sides. It is
    returned only if every line has the caller's junk shape and passes the shared checks below;
    a subheading or a list introduced by "…:" makes the stretch fail as a whole."""

    def __init__(self, cfg: dict[str, Any], vocab: Vocabulary) -> None:
        m = cfg["mid_article"]
        self.anchor_min_words = int(m["anchor_min_words"])
        self.anchor_min_chars_cjk = int(m["anchor_min_chars_cjk"])
        self.min_lines = int(m["min_lines"])
        self.min_line_words = int(m["min_line_words"])
        self.min_mean_words = float(m["min_mean_words"])
        self.min_chars_cjk = int(m["min_chars_cjk"])
        self.max_chars_cjk = int(m["max_chars_cjk"])
        self.min_tokens_per_line = int(m["min_tokens_per_line"])
        self.max_line_overlap = float(m["max_line_overlap"])
        self.max_similarity = float(m["max_similarity"])
        self.min_side_tokens = int(m["min_side_tokens"])
        self.max_share = float(m["max_share"])
        self.bullets = str(cfg.get("bullet_chars", "")) + " \t\u3000\u00a0"
        self.vocab = vocab
        self.cues = article_cue_regex(cfg)
        self._anchor_memo = Memo()

    def bare(self, s: str) -> str:
        """The line without leading bullets/arrows ("› Baseball: …", "▷ 겨울철 …")."""
        return s.lstrip(self.bullets)

    def is_anchor(self, s: str) -> bool:
        """A prose paragraph: long enough and ending like a sentence (memoized: the same lines
        come back in the verification pass and from the other rule)."""
        hit = self._anchor_memo.get(s)
        if hit is None:
            if not ends_like_sentence(s):
                hit = False
            elif has_hangul(s):
                hit = len(s) >= self.anchor_min_chars_cjk
            else:
                hit = len(s.split()) >= self.anchor_min_words
            self._anchor_memo.put(s, hit)
        return hit

    def short_line(self, s: str) -> bool:
        """Length limits every mid-article junk line obeys, whatever its rule."""
        b = self.bare(s)
        if has_hangul(b):
            return self.min_chars_cjk <= len(b) <= self.max_chars_cjk
        return len(b.split()) >= self.min_line_words

    def blocks(self, content: list[Line], shape: Callable[[list[Line]], bool]) -> Iterator[list[Line]]:
        """Blocks between anchors that have ``shape`` and pass the shared checks. The cheap line
        checks run first; word counts and vectors are built only for a block that passed them."""
        if len(content) < self.min_lines + 2:
            return
        anchors = [i for i, ln in enumerate(content) if self.is_anchor(ln.stripped)]
        pairs = [(a, b) for a, b in zip(anchors, anchors[1:]) if b - a > self.min_lines]
        toks: list[list[str]] | None = None
        for a, b in pairs:
            block = content[a + 1:b]
            if not shape(block) or not self._shaped(block):
                continue
            if toks is None:
                toks = [self.vocab.tokens(ln.stripped) for ln in content]
            if self._topical(content, block, toks, a, b):
                yield block

    def _shaped(self, block: list[Line]) -> bool:
        """The shared shape checks and vetoes (no vocabulary needed)."""
        texts = [ln.stripped for ln in block]
        if not all(self.short_line(s) for s in texts):
            return False
        latin = [len(self.bare(s).split()) for s in texts if not has_hangul(s)]
        if latin and sum(latin) / len(latin) < self.min_mean_words:
            return False  # names, labels, figures: "Hanwha Ocean", "Others: 5"
        if any(_INTRODUCES.search(s) or _OPEN_END.search(s) for s in texts):
            return False
        if any(_LOWER_START.match(self.bare(s)) for s in texts):
            return False  # wrapped prose, not a list of titles
        return not (self.cues and any(self.cues.search(s.casefold()) for s in texts))

    def _topical(self, content: list[Line], block: list[Line], toks: list[list[str]], a: int, b: int) -> bool:
        """Small share of the document, and little vocabulary shared with either side."""
        if sum(ln.words for ln in block) > self.max_share * sum(ln.words for ln in content):
            return False
        before: Counter[str] = Counter()
        for t in toks[:a + 1]:
            before.update(t)
        after: Counter[str] = Counter()
        for t in toks[b:]:
            after.update(t)
        if sum(before.values()) < self.min_side_tokens or sum(after.values()) < self.min_side_tokens:
            return False
        vec: Counter[str] = Counter()
        for t in toks[a + 1:b]:
            if len(t) < self.min_tokens_per_line:
                return False
            shared = sum(1 for w in t if w in before or w in after)
            if shared > self.max_line_overlap * len(t):
                return False
            vec.update(t)
        return cosine(vec, before) <= self.max_similarity and cosine(vec, after) <= self.max_similarity


def title_case(s: str) -> bool:
    """Most significant words capitalized, as in English headlines."""
    caps = total = 0
    words = s.split()
    left = len(words)
    for w in words:
        left -= 1
        m = _LATIN_TOKEN.match(w)
        if not m or w.casefold().strip("\"'“‘([") in _SMALL_WORDS:
            continue
        total += 1
        if m.group(1).isupper() or any(ch.isupper() for ch in w[1:3]):
            caps += 1  # "iRobot", "eBay" count as capitalized
        elif (caps + left) / (total + left) < 0.7:
            # even if every word left counted and were capitalized the share stays below 0.7
            # ((caps + x) / (total + x) grows with x, and float division is monotone): prose
            return False
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
        self.mid = MidArticle(cfg, vocab) if h["mid_article"] else None
        self.vocab = vocab
        self.memo = Memo()
        self.content_memo = ContentMemo()

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
        return self.content_memo.tags(page.free_content(), self._tag_content)

    def _tag_content(self, content: list[Line]) -> Iterator[Tag]:
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
        if self.mid is not None and self.edge_only:
            for block in self.mid.blocks(content, self._mid_shape):
                yield Tag(block[0].index, block[-1].index, self.name)

    def _mid_shape(self, block: list[Line]) -> bool:
        """Every line headline-like, and a headline list as a whole (title case, few sentences)."""
        return all(self.headline_like(ln.stripped) for ln in block) and self._is_list(block)


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
        self.cues = article_cue_regex(cfg)
        self.mid = MidArticle(cfg, vocab) if o["mid_article"] else None
        self.mid_max_words = int(o["mid_max_words"])
        self.mid_max_sentence_share = float(o["mid_max_sentence_share"])
        self.content_memo = ContentMemo()

    def _reads_like_article(self, s: str) -> bool:
        """Reporting verbs and quotation marks: a closing quote or "X contributed to this report"
        shares few words with the body but is still the article."""
        return bool(self.cues and self.cues.search(s.casefold()))

    def _mid_shape(self, block: list[Line]) -> bool:
        """Short lines (teasers, link lists), few of them ending like a sentence."""
        assert self.mid is not None
        for ln in block:
            if not has_hangul(ln.stripped) and len(self.mid.bare(ln.stripped).split()) > self.mid_max_words:
                return False
        sentences = sum(1 for ln in block if ends_like_sentence(ln.stripped))
        return sentences <= self.mid_max_sentence_share * len(block)

    def tag(self, page: Page) -> Iterator[Tag]:
        return self.content_memo.tags(page.free_content(), self._tag_content)

    def _tag_content(self, content: list[Line]) -> Iterator[Tag]:
        if self.mid is not None:
            taken: set[int] = set()
            for block in list(self.mid.blocks(content, self._mid_shape)):
                taken.update(ln.index for ln in block)
                yield Tag(block[0].index, block[-1].index, self.name)
            if taken:
                content = [ln for ln in content if ln.index not in taken]
        yield from self._tail(content)

    def _stops_at_last_line(self, content: list[Line]) -> bool:
        """True when ``_tail``'s walk back stops at the last line: too few tokens, a reporting cue,
        or more than ``max_overlap`` of its tokens in other lines. The other lines are tokenized
        only until that share is reached (it can only grow), not all of them."""
        last = content[-1].stripped
        t = self.vocab.tokens(last)
        if len(t) < self.min_tokens_per_line or self._reads_like_article(last):
            return True
        if not t:
            return False
        pending = Counter(t)
        found = 0
        for ln in content[:-1]:
            for w in pending.keys() & set(self.vocab.tokens(ln.stripped)):
                found += pending.pop(w)
            if found / len(t) > self.max_overlap:
                return True
            if not pending:
                break
        return False

    def _tail(self, content: list[Line]) -> Iterator[Tag]:
        if len(content) <= self.min_lines:
            return
        if self.min_lines >= 1 and self._stops_at_last_line(content):
            return  # no tail: the walk back below would stop at its first step
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
