"""Cleaning rules: each tags whole lines of a page with its name; ``cleaning.clean`` applies them.

One module per rule family. ``build_rules`` turns the ``[clean]`` config table into rule objects
in the configured order (``clean.rules``), so users can reorder or switch rules off as data.
"""

from __future__ import annotations

from typing import Any, Callable

from .chrome import NavRule, PhotoCreditRule, PromoRule, lang_list
from .dates import BylineRule, DatelineRule, HeaderRule, find_dates
from .page import Line, Page, Rule, Tag, Vocabulary
from .repeats import RepeatedParagraphRule
from .sections import TrailerSectionRule
from .ticker import TickerRule
from .topical import HeadlineListRule, OffTopicRule
from .whitespace import WhitespaceRule

_FACTORIES: dict[str, Callable[[dict[str, Any], Vocabulary], Rule]] = {
    "header": lambda c, v: HeaderRule(c),
    "trailer_section": TrailerSectionRule,
    "nav": lambda c, v: NavRule(c),
    "dateline": lambda c, v: DatelineRule(c),
    "byline": lambda c, v: BylineRule(c),
    "promo": lambda c, v: PromoRule(c),
    "photo_credit": lambda c, v: PhotoCreditRule(c),
    "ticker": lambda c, v: TickerRule(c),
    "repeated_paragraph": lambda c, v: RepeatedParagraphRule(c),
    "headline_list": HeadlineListRule,
    "off_topic": OffTopicRule,
    "whitespace": lambda c, v: WhitespaceRule(c),
}

RULE_NAMES: tuple[str, ...] = tuple(_FACTORIES)


def build_rules(cfg: dict[str, Any]) -> list[Rule]:
    """Rule objects for the ``[clean]`` table, in its ``rules`` order. Unknown names are an error:
    a typo in a user's config must not silently switch a rule off."""
    vocab = Vocabulary(lang_list(cfg, "stopwords"), int(cfg.get("similarity", {}).get("min_word_len", 3)))
    names = list(cfg.get("rules", RULE_NAMES))
    unknown = [n for n in names if n not in _FACTORIES]
    if unknown:
        raise ValueError(f"unknown cleaning rule(s) {unknown} in [clean].rules; known: {list(RULE_NAMES)}")
    return [_FACTORIES[n](cfg, vocab) for n in names]


__all__ = [
    "RULE_NAMES", "BylineRule", "DatelineRule", "HeaderRule", "HeadlineListRule", "Line", "NavRule",
    "OffTopicRule", "Page", "PhotoCreditRule", "PromoRule", "RepeatedParagraphRule", "Rule", "Tag",
    "TickerRule", "TrailerSectionRule", "Vocabulary", "WhitespaceRule", "build_rules", "find_dates",
    "lang_list",
]
