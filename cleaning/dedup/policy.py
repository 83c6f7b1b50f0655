"""Keep policy: which copy of a story is kept, as data (an ordered list of named criteria)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .signature import DocSignature

# criterion -> (sort key where smaller is better, reason recorded when it decides)
_CRITERIA: dict[str, tuple[Callable[[DocSignature], Any], str]] = {
    # Dated copies before undated ones; ISO dates compare correctly as strings.
    "earliest_published": (lambda s: (s.published is None, s.published or ""), "earliest published"),
    "longest_text": (lambda s: -s.text_chars, "longer text"),
    "most_metadata": (lambda s: -s.n_metadata, "more metadata"),
    "stable_id": (lambda s: s.id, "stable id order"),
}


def policy_key(policy: Sequence[str]) -> Callable[[DocSignature], tuple]:
    """Sort key for ``min()``: the best copy under ``policy`` sorts first."""
    fns = [_CRITERIA[c][0] for c in policy]
    return lambda s: tuple(f(s) for f in fns)


def choose(members: Sequence[DocSignature], policy: Sequence[str]) -> DocSignature:
    return min(members, key=policy_key(policy))


def win_reason(winner: DocSignature, loser: DocSignature, policy: Sequence[str]) -> str:
    """The first criterion on which ``winner`` beats ``loser`` (the reason recorded)."""
    for name in policy:
        fn, reason = _CRITERIA[name]
        if fn(winner) != fn(loser):
            return reason
    return "stable id order"
