"""Quality filters (placeholder: replaced by the Language/quality issue)."""

from __future__ import annotations

from .config import Config
from .document import Document, Rejection


def quality_rejection(doc: Document, config: Config) -> Rejection | None:
    if not doc.text.strip():
        return Rejection(doc.id, doc.source, "quality.empty", "no text left after cleaning", 0, doc.url)
    return None
