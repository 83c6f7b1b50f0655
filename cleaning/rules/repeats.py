"""Repeated paragraphs: a paragraph that repeats an earlier one, near-identical or with link-id
noise ("RSS2453 Renault-838 Nissan Alliance will invest…"). The cleanest copy stays."""

from __future__ import annotations

import re
from typing import Any, Iterator

from .page import Memo, Page, Tag

_EDGE_PUNCT = ".,;:!?\"'“”‘’()[]{}<>«»…"


class RepeatedParagraphRule:
    name = "repeated_paragraph"

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

        order = sorted(range(len(cands)), key=lambda k: len(sigs[k][0]))
        for pos, a in enumerate(order):
            sa = sigs[a][0]
            if not sa:
                continue
            for b in order[pos + 1:]:
                sb = sigs[b][0]
                if len(sa) < self.min_jaccard * len(sb):
                    break  # sets only grow from here: Jaccard cannot reach the bar
                inter = len(sa & sb)
                if inter and inter / (len(sa) + len(sb) - inter) >= self.min_jaccard:
                    if sa != sb and self.near_needs_noise and sigs[a][1] == sigs[b][1]:
                        continue  # "12 meals" vs "10 meals": two list items, not one copied
                    parent[find(a)] = find(b)
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
