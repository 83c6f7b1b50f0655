"""Blank-line tidying after the other rules: leading and trailing blank lines, and runs of more
than one blank line (what is left when a line between two paragraphs goes). Recorded as removals
like any other rule, so the original text can still be rebuilt exactly."""

from __future__ import annotations

from typing import Any, Iterator

from .page import Page, Tag


class WhitespaceRule:
    name = "whitespace"

    def __init__(self, cfg: dict[str, Any]) -> None:
        pass

    def tag(self, page: Page) -> Iterator[Tag]:
        seen_content = False
        blanks: list[int] = []
        for ln in page.lines:
            if not page.free(ln.index):
                continue
            if ln.blank:
                blanks.append(ln.index)
                continue
            # Before the first content line every blank goes; between paragraphs one stays.
            drop = blanks if not seen_content else blanks[1:]
            for i in drop:
                yield Tag(i, i, self.name)
            blanks = []
            seen_content = True
        for i in blanks:
            yield Tag(i, i, self.name)
