"""Trailer and boilerplate removal (placeholder: replaced by the Cleaning issue's rule engine)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from .config import Config, default_config
from .document import Document, Removal


@dataclass(slots=True)
class CleanResult:
    text: str
    removed: list[Removal] = field(default_factory=list)
    published: str | None = None


def clean_text(text: str, config: Config | None = None) -> CleanResult:
    """Clean one string; usable without Prefect. Placeholder keeps everything."""
    _ = config or default_config()
    return CleanResult(text=text)


def clean_document(doc: Document, config: Config) -> Document:
    result = clean_text(doc.text, config)
    return replace(doc, text=result.text, removed=doc.removed + result.removed,
                   published=doc.published or result.published)
