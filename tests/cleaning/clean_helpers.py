"""Shared by the cleaning rule tests: what a text lost, per rule, with the invariants checked."""

from __future__ import annotations

from cleaning.clean import clean_text
from cleaning.document import rebuild_original


def removed(text: str, config) -> dict[str, list[str]]:
    """Removed lines grouped by rule (whitespace ignored); also checks rebuild and idempotence."""
    result = clean_text(text, config)
    assert rebuild_original(result.text, result.removed) == text
    assert clean_text(result.text, config).removed == []
    out: dict[str, list[str]] = {}
    for r in result.removed:
        if r.rule != "whitespace":
            out.setdefault(r.rule, []).extend(ln.strip() for ln in r.text.split("\n") if ln.strip())
    return out
