"""Batch-level stage functions: the unit of work the Prefect tasks (or any runner) call.

Each function takes a batch, returns the survivors plus a Rejection for every document it
drops, and never raises on one bad document. Order inside a batch is preserved so output
order only depends on input order.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import TypeVar

from .clean import clean_document
from .config import Config
from .document import Document, Rejection, storable_text
from .extract import extract_item
from .ingest import RawItem
from .language import detect_language, language_rejection
from .quality import quality_rejection

T = TypeVar("T")


@dataclass(slots=True)
class BatchResult:
    """Survivors of one stage over one batch, and what the stage rejected."""

    docs: list[Document] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def failed(stage: str, x: RawItem | Document, exc: BaseException) -> Rejection:
    """The per-document boundary: an unexpected error in one document's stage rejects that
    document (``<stage>.error``) and the batch goes on."""
    return Rejection(x.id, x.source, f"{stage}.error", storable_text(f"{type(exc).__name__}: {exc}"[:500]), url=x.url)


def extract_batch(items: list[RawItem | Rejection], config: Config) -> BatchResult:
    """Raw items → Documents; ingest rejections pass through in place."""
    out = BatchResult()
    for item in items:
        if isinstance(item, Rejection):
            res: Document | Rejection = item
        else:
            try:
                res = extract_item(item, config)
            except Exception as exc:  # noqa: BLE001 - one document must not stop the batch
                res = failed("extract", item, exc)
        (out.rejected if isinstance(res, Rejection) else out.docs).append(res)
    return out


def clean_batch(docs: list[Document], config: Config) -> BatchResult:
    """Remove trailers and boilerplate; a document with nothing left is rejected."""
    out = BatchResult()
    for doc in docs:
        try:
            cleaned = clean_document(doc, config)
        except Exception as exc:  # noqa: BLE001 - one document must not stop the batch
            out.rejected.append(failed("clean", doc, exc))
            continue
        if cleaned.text.strip():
            out.docs.append(cleaned)
        else:
            out.rejected.append(Rejection(doc.id, doc.source, "clean.empty",
                                          f"cleaning removed all text ({len(cleaned.removed)} spans)", 0, doc.url))
    return out


def language_batch(docs: list[Document], config: Config) -> BatchResult:
    """Tag the language, then reject documents outside the configured languages."""
    out = BatchResult()
    for doc in docs:
        try:
            tagged = detect_language(doc, config)
            rej = language_rejection(tagged, config)
        except Exception as exc:  # noqa: BLE001 - one document must not stop the batch
            out.rejected.append(failed("language", doc, exc))
            continue
        (out.rejected if rej else out.docs).append(rej or tagged)
    return out


def quality_batch(docs: list[Document], config: Config) -> BatchResult:
    """Apply the quality filters; the first filter that fires is the recorded reason."""
    out = BatchResult()
    for doc in docs:
        try:
            rej = quality_rejection(doc, config)
        except Exception as exc:  # noqa: BLE001 - one document must not stop the batch
            rej = failed("quality", doc, exc)
        (out.rejected if rej else out.docs).append(rej or doc)
    return out
