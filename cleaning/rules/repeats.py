"""Repeated paragraphs: a paragraph that repeats an earlier one, near-identical or with link-id
noise ("RSS2453 Renault-838 Nissan Alliance will invest…"). The cleanest copy stays."""

from __future__ import annotations

import math
import re
from typing import Any, Iterator

from .page import Memo, Page, Tag

_EDGE_PUNCT = ".,;:!?\"'“”‘’()[]{}<>«»…"


class RepeatedParagraphRule:
    name = "repeated_paragraph"
    all_pairs_up_to = 24  # distinct paragraphs; above, candidates come from the word index

    def __init__(self, cfg: dict[str, Any]) -> None:
        r = cfg["repeated_paragraph"]
        self.min_words = int(r["min_words"])
        self.min_jaccard = float(r["min_jaccard"])
        self.noise = re.compile(r["noise_token_pattern"])
        self.near_needs_noise = bool(r.get("near_copies_need_noise", True))
        self.memo = Memo()

    def _signature(self, text: str) -> tuple[frozenset[str], int]:
        """(word set without noise tokens, number of noise tokens)."""
        hit = self.memo.get(text)
        if hit is None:
            hit = self._compute_signature(text)
            self.memo.put(text, hit)
        return hit  # type: ignore[no-any-return]

    def _compute_signature(self, text: str) -> tuple[frozenset[str], int]:
        words: set[str] = set()
        noise = 0
        for raw in text.split():
            w = raw.strip(_EDGE_PUNCT)
            if not w:
                continue
            if self.noise.match(w):
                noise += 1
                continue
            words.add(w.casefold())
        return frozenset(words), noise

    def tag(self, page: Page) -> Iterator[Tag]:
        cands = [ln for ln in page.free_content() if ln.words >= self.min_words]
        if len(cands) < 2:
            return
        sigs = [self._signature(ln.stripped) for ln in cands]
        parent = list(range(len(cands)))

        def find(a: int) -> int:
            while parent[a] != a:
                parent[a] = parent[parent[a]]
                a = parent[a]
            return a

        # Paragraphs with the same word set are always copies of each other; pairs of distinct
        # sets are found through an inverted index instead of comparing all pairs (near-linear).
        by_set: dict[frozenset[str], list[int]] = {}
        for k, (words, _) in enumerate(sigs):
            if words:
                by_set.setdefault(words, []).append(k)
        sets = list(by_set)
        for members in by_set.values():
            for k in members[1:]:
                parent[find(k)] = find(members[0])
        noise = [{sigs[k][1] for k in by_set[ws]} for ws in sets]
        for a, b in self._similar_pairs(sets):
            # "12 meals" vs "10 meals": two list items, not one copied (near copies must differ in noise)
            if self.near_needs_noise and len(noise[a] | noise[b]) < 2:
                continue
            parent[find(by_set[sets[a]][0])] = find(by_set[sets[b]][0])
        groups: dict[int, list[int]] = {}
        for k in range(len(cands)):
            groups.setdefault(find(k), []).append(k)
        drop: list[int] = []
        for members in groups.values():
            if len(members) > 1:
                keep = min(members, key=lambda k: (sigs[k][1], cands[k].index))
                drop.extend(cands[k].index for k in members if k != keep)
        for i in sorted(drop):
            yield Tag(i, i, self.name)

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
        freq: dict[str, int] = {}
        for ws in sets:
            for w in ws:
                freq[w] = freq.get(w, 0) + 1
        index: dict[str, list[int]] = {}
        for i in sorted(range(len(sets)), key=lambda k: len(sets[k])):
            sa = sets[i]
            n = len(sa)
            # one word longer than the bound needs, so float rounding can only add candidates
            prefix = sorted(sa, key=lambda w: (freq[w], w))[: min(n, n - math.ceil(t * n) + 2)]
            seen: set[int] = set()
            for w in prefix:
                for j in index.get(w, ()):
                    if j in seen:
                        continue
                    seen.add(j)
                    sb = sets[j]  # len(sb) <= len(sa)
                    if len(sb) < t * n:
                        continue  # Jaccard cannot reach the bar
                    inter = len(sa & sb)
                    if inter and inter / (len(sa) + len(sb) - inter) >= t:
                        yield j, i
                index.setdefault(w, []).append(i)
