"""Stock ticker strips and market widgets: "KOSPI 2,501.23 ▲12.40 (+0.50%)",
"AAPL 189.32 +1.2%  MSFT 402.10 -0.3%", "Samsung Elec. 71,200 -1.21% | 005930.KS", "원/달러 1,312.5".

Token grammar instead of one big regex: a strip is nothing but items NAME PRICE [CHANGE…]
(plus bare exchange symbols). Prose about the market ("The KOSPI rose 12.40 points, or 0.50%")
fails because its lowercase words are neither names nor numbers.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from .page import Memo, Page, Tag

_PRICE = re.compile(r"^[$₩€£¥]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_CHANGE = re.compile(
    r"^(?:[▲▼△▽↑↓]|[▲▼△▽↑↓+\-−–]\s?\d[\d,]*(?:\.\d+)?%?|\(?[+\-−–]?\d[\d,]*(?:\.\d+)?%\)?"
    r"|\([+\-−–]\d[\d,]*(?:\.\d+)?\)|unch\.?|보합)$", re.I)
_SEP = re.compile(r"^[|·•/,;]+$")
# Exchange symbols that are tickers on their own: 005930.KS, 7203.T, BMW.DE, ^GSPC.
_BARE_SYMBOL = re.compile(r"^(?:\d{4,6}\.[A-Z]{1,2}|[A-Z]{1,5}\.[A-Z]{1,2}|\^[A-Z]{2,6})$")
# All-caps names that identify an instrument by themselves (KOSPI, USD/KRW, S&P500).
_SYMBOL_NAME = re.compile(r"^\^?[A-Z][A-Z0-9&/=.\-]{1,11}$")
_DIGIT = re.compile(r"\d")
_SENTENCE_END = re.compile(r"(?:다|요)[.!?]?$|[.!?]$")


class TickerRule:
    """Lines made only of market-data items."""

    name = "ticker"

    def __init__(self, cfg: dict[str, Any]) -> None:
        t = cfg["ticker"]
        self.max_name_words = int(t["max_name_words"])
        self.max_lower = int(t["max_lowercase_per_item"])
        self.memo = Memo()

    def is_ticker(self, stripped: str) -> bool:
        if not _DIGIT.search(stripped):
            return False
        hit = self.memo.get(stripped)
        if hit is None:
            hit = self._is_ticker(stripped)
            self.memo.put(stripped, hit)
        return hit

    def _is_ticker(self, stripped: str) -> bool:
        tokens = stripped.replace("(", " (").split()
        tokens = [t for t in tokens if t]
        if len(tokens) < 2 and not (tokens and _BARE_SYMBOL.match(tokens[0])):
            return False
        if _SENTENCE_END.search(stripped) and not _CHANGE.match(tokens[-1]):
            return False
        i, n = 0, len(tokens)
        items = with_change = symbol_items = 0
        while i < n:
            if _SEP.match(tokens[i]):
                i += 1
                continue
            if _BARE_SYMBOL.match(tokens[i]) and (i + 1 == n or not _PRICE.match(tokens[i + 1])):
                items += 1
                symbol_items += 1
                i += 1
                continue
            name: list[str] = []
            while i < n and not _PRICE.match(tokens[i]) and not _SEP.match(tokens[i]) and not _CHANGE.match(tokens[i]):
                name.append(tokens[i])
                i += 1
            # Index names that end in a number: "S&P 500 5,460.48", "Nikkei 225 38,102.44".
            if name and i + 1 < n and _PRICE.match(tokens[i]) and _PRICE.match(tokens[i + 1]):
                name.append(tokens[i])
                i += 1
            if not name or len(name) > self.max_name_words or i >= n or not _PRICE.match(tokens[i]):
                return False
            lower = sum(1 for w in name if w[:1].isascii() and w[:1].islower())
            if lower > self.max_lower or lower == len(name):
                return False
            price = tokens[i]
            i += 1
            changes = 0
            while i < n and _CHANGE.match(tokens[i]) and changes < 3:
                changes += 1
                i += 1
            items += 1
            if changes:
                with_change += 1
            elif len(name) == 1 and _SYMBOL_NAME.match(name[0]) and ("/" in name[0] or "," in price or "." in price):
                # "KOSPI 2,501.23", "USD/KRW 1,312.5"; not a heading like "COVID 19" or "G20 2024".
                symbol_items += 1
        return items > 0 and (with_change > 0 or symbol_items == items)

    def verdict(self, stripped: str, n_words: int | None = None) -> tuple[bool, str | None]:
        return (_DIGIT.search(stripped) is not None and self._is_ticker(stripped)), None

    def tag(self, page: Page) -> Iterator[Tag]:
        for ln in page.lines:
            if page.free(ln.index) and not ln.blank and self.is_ticker(ln.stripped):
                yield Tag(ln.index, ln.index, self.name)
