"""Document quality filters, one class per rule, one module per rule family (datatrove's shape).

``FILTER_CLASSES`` is the evaluation order: the first failing filter names the rejection.
Stubs and index pages come before the length rules so that a paywall teaser is reported as
``quality.paywall``, not as the less useful ``quality.too_short``.
"""

from __future__ import annotations

from .base import Failure, QualityFilter, TextStats, ends_sentence
from .length_filters import EmptyFilter, TooLongFilter, TooShortFilter
from .non_article_filters import ConsentWallFilter, IndexPageFilter, PaywallFilter
from .prose_filters import (
    LowAlphaFilter,
    MeanWordLengthFilter,
    SymbolDigitFilter,
    UnpunctuatedLinesFilter,
)
from .repetition_filters import (
    DuplicateLineCharsFilter,
    DuplicateLinesFilter,
    DuplicateNgramsFilter,
    TopNgramFilter,
)

FILTER_CLASSES: tuple[type[QualityFilter], ...] = (
    EmptyFilter,
    PaywallFilter,
    ConsentWallFilter,
    IndexPageFilter,
    TooShortFilter,
    TooLongFilter,
    UnpunctuatedLinesFilter,
    LowAlphaFilter,
    SymbolDigitFilter,
    MeanWordLengthFilter,
    DuplicateLinesFilter,
    DuplicateLineCharsFilter,
    TopNgramFilter,
    DuplicateNgramsFilter,
)

__all__ = [
    "FILTER_CLASSES",
    "Failure",
    "QualityFilter",
    "TextStats",
    "ends_sentence",
]
