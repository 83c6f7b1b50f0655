"""Document quality filters: run the named rules of ``cleaning/filters`` over one document.

``quality_rejection`` returns the first failing rule as a Rejection with reason
``quality.<filter name>``, a human-readable ``detail`` and the measured number as ``value``;
``filter_names`` lists every enabled rule's reason so a report can show zero counts too;
``measure_quality`` gives every rule's measurement for threshold tuning. Settings (all
thresholds, phrase lists, on/off switches): ``cleaning/config/quality.toml``.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from typing import Any

from .config import Config
from .document import Document, Rejection
from .filters import FILTER_CLASSES, Failure, QualityFilter, TextStats

REASON_PREFIX = "quality."


def _settings(config: Config) -> dict[str, Any]:
    try:
        return config["quality"]
    except KeyError as exc:
        raise KeyError("config has no [quality] table; load it with cleaning.config.load_config()") from exc


@lru_cache(maxsize=8)
def _build(settings_json: str) -> tuple[QualityFilter, ...]:
    settings = json.loads(settings_json)
    filters = []
    for cls in FILTER_CLASSES:
        if cls.name not in settings:
            raise KeyError(f"quality config has no [{cls.name}] table")
        filters.append(cls(settings[cls.name]))
    return tuple(filters)


# (a private copy of the settings, their filters) for the last few configs: comparing a config
# with ``==`` runs in C, serialising it to JSON for every document took ~0.05 ms.
_RECENT: list[tuple[dict[str, Any], tuple[QualityFilter, ...]]] = []


def build_filters(config: Config) -> tuple[QualityFilter, ...]:
    """All filters in evaluation order, built once per distinct quality config (cached)."""
    settings = _settings(config)
    for known, filters in _RECENT:
        if known == settings:
            return filters
    filters = _build(json.dumps(settings, sort_keys=True))
    _RECENT.insert(0, (copy.deepcopy(settings), filters))
    del _RECENT[8:]
    return filters


def filter_names(config: Config) -> list[str]:
    """Rejection reasons of the enabled filters, in evaluation order (``quality.too_short`` …)."""
    return [REASON_PREFIX + f.name for f in build_filters(config) if f.enabled]


def _stats(doc: Document, config: Config) -> TextStats:
    return TextStats(doc.text, float(_settings(config)["unspaced_chars_per_word"]))


def first_failure(doc: Document, config: Config) -> Failure | None:
    """The first enabled filter that rejects ``doc``, or None if it passes them all."""
    return _first_failure(_stats(doc, config), config)


def _first_failure(stats: TextStats, config: Config) -> Failure | None:
    for f in build_filters(config):
        if f.enabled:
            failure = f.check(stats)
            if failure is not None:
                return failure
    return None


def quality_rejection(doc: Document, config: Config) -> Rejection | None:
    """A ``quality.<filter>`` Rejection for the first failing filter, or None if ``doc`` passes."""
    stats = _stats(doc, config)
    failure = _first_failure(stats, config)
    if failure is None:
        return None
    return Rejection.of_document(doc, REASON_PREFIX + failure.name, failure.detail, failure.value,
                                 failure.threshold, stats.word_count)


def measure_quality(doc: Document, config: Config) -> dict[str, Any]:
    """Every enabled filter's measurement (None = not applicable or, for multi-n rules, passed).

    For tuning thresholds on a corpus: run it over documents you know are good and bad.
    """
    stats = _stats(doc, config)
    return {f.name: f.measure(stats) for f in build_filters(config) if f.enabled}
