"""Repeated paragraphs: a paragraph that repeats an earlier one, near-identical or with link-id
noise ("RSS2453 Renault-838 Nissan Alliance will invest…"). The cleanest copy stays.

Also a repeated block: a run of lines whose words repeat an earlier stretch of the text however
the lines are broken (an extractor that returns the article twice, once flattened and once
hard-wrapped at another width). Compared as a word stream, not line by line, so the line breaks
of either copy do not matter; the first copy stays."""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections import Counter
from itertools import chain, count
from typing import Any, Iterator

from ..scripts import UNSPACED_WORD_RE, script_word_count
from .gate import needs_digit
from .page import ContentMemo, Line, Memo, Page, Tag

_EDGE_PUNCT = ".,;:!?\"'“”‘’()[]{}<>«»…"
_BLOCK_TOKEN = re.compile(r"\w+")
_DIGIT = re.compile(r"\d")
# The whitespace-separated words holding a digit. A match can only start at a word's first
# character (a later start inside a word with a digit loses to it; a word without one has none),
# so the lookbehind changes no match, only spares the regex a failing attempt at every other
# character of every word (``_DIGIT_WORD_DEF``, the plain form, is what tests compare with).
_DIGIT_WORD_DEF = re.compile(r"\S*\d\S*")
_DIGIT_WORD = re.compile(r"(?<!\S)\S*\d\S*")
# Characters ``_BLOCK_TOKEN`` never matches (\W) and that are not whitespace, made spaces: every
# ASCII one, and common non-ASCII punctuation (replaced first: ``translate`` is fast on ASCII text).
_ASCII_NON_WORD = {ord(c): " " for c in map(chr, range(128)) if not c.isspace() and re.fullmatch(r"\W", c)}
_PUNCT_NON_ASCII = tuple(c for c in "’‘“”—–…«»·•\u00a0\u201e\u2032" if re.fullmatch(r"\W", c))


def _block_tokens(text: str) -> list[str]:
    """``_BLOCK_TOKEN.findall(text)``. When the text is ASCII once its non-ASCII punctuation is made
    spaces, every character left is a word character, whitespace, or ASCII punctuation: with the
    punctuation made spaces too, the tokens are the whitespace-separated runs (split at C speed)."""
    for c in _PUNCT_NON_ASCII:
        if c in text:
            text = text.replace(c, " ")
    if not text.isascii():
        return _BLOCK_TOKEN.findall(text)
    return text.translate(_ASCII_NON_WORD).split()


class RepeatedParagraphRule:
    name = "repeated_paragraph"
    all_pairs_up_to = 24  # distinct paragraphs; above, candidates come from the word index

    def __init__(self, cfg: dict[str, Any]) -> None:
        r = cfg["repeated_paragraph"]
        self.min_words = int(r["min_words"])
        self.min_jaccard = float(r["min_jaccard"])
        self.noise = re.compile(r["noise_token_pattern"])
        self.noise_needs_digit = needs_digit(self.noise)
        self.near_needs_noise = bool(r.get("near_copies_need_noise", True))
        self.block_shingle = int(r.get("block_shingle_words", 5))
        self.block_min_words = int(r.get("block_min_words", 0))  # 0: no block detection
        self.block_min_share = float(r.get("block_min_share", 0.0))
        self.block_line_containment = float(r.get("block_line_containment", 0.8))
        self.block_min_containment = float(r.get("block_min_containment", 0.9))
        self.memo = Memo()
        self.content_memo = ContentMemo()

    def _signature(self, text: str) -> tuple[frozenset[str], int]:
        """(word set without noise tokens, number of noise tokens)."""
        hit = self.memo.get(text)
        if hit is None:
            hit = self._compute_signature(text)
            self.memo.put(text, hit)
        return hit  # type: ignore[no-any-return]

    def _compute_signature(self, text: str) -> tuple[frozenset[str], int]:
        # Only a word with a digit can be noise when every match of the noise pattern needs one
        # (the configured pattern does): a line without a digit is then folded and split at C
        # speed. Casefolding the whole line first is the same as folding each stripped word:
        # casefold maps no character to or from whitespace or _EDGE_PUNCT (tests check all of
        # Unicode), so the words and their edges do not move.
        # And then only a word with a digit needs the noise pattern (``_DIGIT_WORD`` finds the
        # whitespace-separated words holding one: ``\s`` is exactly ``str.isspace``): a line where
        # none is noise ("in 2024", "3.5%") has no noise, as on the fast path.
        if self.noise_needs_digit and (not _DIGIT.search(text) or not any(
                self.noise.match(w.strip(_EDGE_PUNCT)) for w in _DIGIT_WORD.findall(text))):
            words = {w.strip(_EDGE_PUNCT) for w in text.casefold().split()}
            words.discard("")
            return frozenset(words), 0
        out: set[str] = set()
        noise = 0
        for raw in text.split():
            w = raw.strip(_EDGE_PUNCT)
            if not w:
                continue
            if self.noise.match(w):
                noise += 1
                continue
            out.add(w.casefold())
        return frozenset(out), noise

    def tag(self, page: Page) -> Iterator[Tag]:
        return self.content_memo.tags(page.free_content(), self._tag_content)

    def _tag_content(self, content: list[Line]) -> Iterator[Tag]:
        drop = self._repeated_paragraphs(content)
        if self.block_min_words:  # then runs of lines repeating earlier text (a doubled body)
            gone = set(drop)
            drop.extend(self._repeated_block([ln for ln in content if ln.index not in gone]))
        for i in sorted(drop):
            yield Tag(i, i, self.name)

    def _repeated_paragraphs(self, content: list[Line]) -> list[int]:
        """Line indexes of the paragraphs that copy another one (all but the cleanest copy)."""
        k = self.min_words
        cands = [ln for ln in content if ln.has_words(k)]
        if len(cands) < 2:
            return []
        sigs = [self._signature(ln.stripped) for ln in cands]
        # Paragraphs with the same word set are always copies of each other; pairs of distinct
        # sets are found through an inverted index instead of comparing all pairs (near-linear).
        by_set: dict[frozenset[str], list[int]] = {}
        for k, (words, _) in enumerate(sigs):
            if words:
                by_set.setdefault(words, []).append(k)
        sets = list(by_set)
        noise = [{sigs[k][1] for k in by_set[ws]} for ws in sets]
        # "12 meals" vs "10 meals": two list items, not one copied (near copies must differ in noise)
        near = [(a, b) for a, b in self._near_pairs(sets, noise)
                if not (self.near_needs_noise and len(noise[a] | noise[b]) < 2)]
        if not near and len(sets) == sum(len(m) for m in by_set.values()):
            return []  # no two paragraphs alike (the usual page)
        parent = list(range(len(cands)))

        def find(a: int) -> int:
            while parent[a] != a:
                parent[a] = parent[parent[a]]
                a = parent[a]
            return a

        for members in by_set.values():
            for k in members[1:]:
                parent[find(k)] = find(members[0])
        for a, b in near:
            parent[find(by_set[sets[a]][0])] = find(by_set[sets[b]][0])
        groups: dict[int, list[int]] = {}
        for k in range(len(cands)):
            groups.setdefault(find(k), []).append(k)
        drop: list[int] = []
        for members in groups.values():
            if len(members) > 1:
                keep = min(members, key=lambda k: (sigs[k][1], cands[k].index))
                drop.extend(cands[k].index for k in members if k != keep)
        return drop

    @staticmethod
    def _block_text(lines: list[Line]) -> str:
        """The lines' stripped texts joined by "\\n", casefolded, with every letter of a script written
        without spaces set apart by spaces: ``_BLOCK_TOKEN`` then finds the block tokens of the
        whole text at once, and of each line in its "\\n"-separated part (casefolding and the
        unspaced-letter split work character by character and never make or remove a line break)."""
        text = "\n".join(ln.stripped for ln in lines).casefold()
        if UNSPACED_WORD_RE.search(text) is not None:
            text = UNSPACED_WORD_RE.sub(r" \g<0> ", text)
        return text

    def _may_repeat_block(self, text: str, n: int) -> bool:
        """The cheap first checks of ``_repeated_block`` on the whole text at once (no token spans
        a line break): enough words, and enough n-grams that occur a second time (most texts:
        not). The n-grams are counted as a set of C-built tuples, not one by one."""
        tokens = _block_tokens(text)
        total = len(tokens)
        if total < 2 * max(self.block_min_words, n):
            return False
        distinct = len(set(zip(*(tokens[i:] for i in range(n)))))
        return (total - n + 1) - distinct >= self.block_min_words

    _tokens_of = staticmethod(_BLOCK_TOKEN.findall)

    @staticmethod
    def _repeats(tokens: list[str], n: int) -> tuple[list[int], list[int], int]:
        """(first position of the n-gram at each position, the positions whose n-gram occurred
        before: the only ones that can make a word repeated, the number of distinct n-grams)."""
        grams = list(zip(*(tokens[i:] for i in range(n))))
        # the reversed pairs leave each n-gram its smallest position
        first = dict(zip(reversed(grams), range(len(grams) - 1, -1, -1)))
        first_pos = list(map(first.__getitem__, grams))
        return first_pos, [p for p, f in enumerate(first_pos) if f < p], len(first)

    @staticmethod
    def _seen_in_line(s: int, e: int, bound: int, n: int, first_pos: list[int], repeated: list[int]) -> int:
        """Repeated words among tokens s..e-1: word t is repeated when an n-gram holding it (one at
        p, t-n < p <= t) occurred before ``bound`` and before itself: first_pos[p] < min(bound, p).
        Each such p marks the words p..p+n-1; the marks of increasing p are counted once (cover:
        marked up to here), so a line costs its repeated n-grams, not words times n."""
        seen = 0
        cover = s
        i = bisect_left(repeated, max(0, s - n + 1))
        hi = min(e, len(first_pos))
        while i < len(repeated):
            p = repeated[i]
            if p >= hi:
                break
            i += 1
            if first_pos[p] < bound:
                a = p if p > cover else cover
                b = p + n if p + n < e else e
                if b > a:
                    seen += b - a
                    cover = b
        return seen

    def _repeated_block(self, lines: list[Line]) -> list[int]:
        """Indexes of the lines in runs that repeat earlier text: every line of a run has at least
        ``block_line_containment`` of its words in word n-grams that occurred before the run
        began, ``block_min_containment`` of the run's words are, and the run holds
        ``block_min_words`` words and ``block_min_share`` of the text's words at least. Words are
        casefolded runs of letters and digits (a hyphen split by a wrap splits nothing), and single
        characters of scripts written without spaces, so re-wrapping changes nothing."""
        n = self.block_shingle
        if n < 1 or not lines:
            return []  # (n-grams of no words: no word is ever in one)
        text = self._block_text(lines)
        if not self._may_repeat_block(text, n):
            return []
        tokens: list[str] = []
        starts: list[int] = []  # first token of each line
        for part in text.split("\n"):
            starts.append(len(tokens))
            tokens.extend(self._tokens_of(part))
        total = len(tokens)
        if total < 2 * max(self.block_min_words, n):
            return []
        first_pos, repeated, distinct = self._repeats(tokens, n)
        if len(first_pos) - distinct < self.block_min_words:  # too few repeated n-grams (most texts)
            return []
        starts.append(total)
        runs: list[list[int]] = []
        covered: list[int] = []  # repeated words per run
        run_start: int | None = None
        for k in range(len(lines)):
            s, e = starts[k], starts[k + 1]
            if e == s:  # a line without words goes with the run it is in
                if run_start is not None:
                    runs[-1].append(k)
                continue
            seen = self._seen_in_line(s, e, s if run_start is None else run_start, n, first_pos, repeated)
            if seen >= self.block_line_containment * (e - s):
                if run_start is None:
                    run_start = s
                    runs.append([])
                    covered.append(0)
                runs[-1].append(k)
                covered[-1] += seen
            else:
                run_start = None
        out: list[int] = []
        doc_words = script_word_count(" ".join(ln.stripped for ln in lines), 1.5)
        for run, seen in zip(runs, covered):
            words = script_word_count(" ".join(lines[k].stripped for k in run), 1.5)
            run_tokens = starts[run[-1] + 1] - starts[run[0]]
            if (words >= self.block_min_words and words >= self.block_min_share * doc_words
                    and seen >= self.block_min_containment * run_tokens):
                out.extend(lines[k].index for k in run)
        return out

    def _near_pairs(self, sets: list[frozenset[str]], noise: list[set[int]]) -> Iterator[tuple[int, int]]:
        """The pairs of ``_similar_pairs`` that can count as copies. With near_copies_need_noise a
        pair counts only when its paragraphs' noise-token counts differ, so pairs of sets that all
        have the page's most common count (usually every paragraph: 0) are never needed: only the
        few other sets are compared, each with every set (the usual page: none at all)."""
        if not self.near_needs_noise:
            yield from self._similar_pairs(sets)
            return
        single = [next(iter(nv)) if len(nv) == 1 else None for nv in noise]
        counts = Counter(v for v in single if v is not None)
        common = counts.most_common(1)[0][0] if counts else None
        minor = [i for i, v in enumerate(single) if v is None or v != common]
        if not minor:
            return
        if len(minor) * 4 > len(sets):  # many noisy paragraphs: the general search is cheaper
            yield from self._similar_pairs(sets)
            return
        t = self.min_jaccard
        done: set[int] = set()
        for i in minor:
            sa = sets[i]
            for j, sb in enumerate(sets):
                if j == i or j in done:
                    continue
                if min(len(sa), len(sb)) < t * max(len(sa), len(sb)):
                    continue
                inter = len(sa & sb)
                if inter and inter / (len(sa) + len(sb) - inter) >= t:
                    yield i, j
            done.add(i)

    def _similar_pairs(self, sets: list[frozenset[str]]) -> Iterator[tuple[int, int]]:
        """Pairs of distinct word sets with Jaccard >= min_jaccard, by prefix filtering: with
        words ordered rarest first, two sets that similar share a word among the first
        ``n - ceil(t*n) + 1`` of each, so only sets sharing such a word are compared. Exact: the
        same pairs as comparing all of them."""
        t = self.min_jaccard
        if len(sets) <= self.all_pairs_up_to:  # a normal article: all pairs is cheaper than an index
            for i in range(len(sets)):
                for j in range(i + 1, len(sets)):
                    sa, sb = sets[i], sets[j]
                    if min(len(sa), len(sb)) < t * max(len(sa), len(sb)):
                        continue
                    inter = len(sa & sb)
                    if inter and inter / (len(sa) + len(sb) - inter) >= t:
                        yield i, j
            return
        # Rarest first (ties in the order the Counter met them): ONE total order over the page's words, which is
        # all prefix filtering needs to be exact (sorted with C-level keys, no Python lambda).
        freq = Counter(chain.from_iterable(sets))
        key = dict(zip(sorted(freq, key=freq.__getitem__), count())).__getitem__
        lens = [len(ws) for ws in sets]
        index: dict[str, list[int]] = {}
        for i in sorted(range(len(sets)), key=lens.__getitem__):
            sa = sets[i]
            n = lens[i]
            # one word longer than the bound needs, so float rounding can only add candidates
            prefix = sorted(sa, key=key)[: min(n, n - math.ceil(t * n) + 2)]
            seen: set[int] = set()
            for w in prefix:
                js = index.get(w)
                if js is None:
                    index[w] = [i]
                    continue
                seen.update(js)
                js.append(i)
            for j in seen:  # len(sets[j]) <= n
                sb = sets[j]
                if lens[j] < t * n:
                    continue  # Jaccard cannot reach the bar
                inter = len(sa & sb)
                if inter and inter / (n + lens[j] - inter) >= t:
                    yield j, i
