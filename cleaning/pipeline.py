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
from .document import Document, Rejection
from .extract import extract_item
from .ingest import RawItem
from .language import detect_language, language_rejection
from .quality import quality_rejection
from .timelimit import run_limited, sandbox

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


def extract_batch(items: list[RawItem | Rejection], config: Config) -> BatchResult:
    """Raw items → Documents; ingest rejections pass through in place. Each page is extracted
    under the per-document time limit (:mod:`cleaning.timelimit`)."""
    out = BatchResult()
    with sandbox(config) as box:
        for item in items:
            res = item if isinstance(item, Rejection) else run_limited("extract", extract_item, item, config, box)
            (out.rejected if isinstance(res, Rejection) else out.docs).append(res)
    return out


def clean_batch(docs: list[Document], config: Config) -> BatchResult:
    """Remove trailers and boilerplate under the per-document time limit; a document with
    nothing left is rejected."""
    out = BatchResult()
    with sandbox(config) as box:
        for doc in docs:
            cleaned = run_limited("clean", clean_document, doc, config, box)
            if isinstance(cleaned, Rejection):
                out.rejected.append(cleaned)
            elif cleaned.text.strip():
                out.docs.append(cleaned)
            else:
                out.rejected.append(Rejection(doc.id, doc.source, "clean.empty",
                                              f"cleaning removed all text ({len(cleaned.removed)} spans)", 0, doc.url))
    return out


def language_batch(docs: list[Document], config: Config) -> BatchResult:
    """Tag the language, then reject documents outside the configured languages."""
    out = BatchResult()
    with sandbox(config) as box:  # under the time limit too: hostile text can make regexes crawl
        for doc in docs:
            tagged = run_limited("language", detect_language, doc, config, box)
            rej = tagged if isinstance(tagged, Rejection) else language_rejection(tagged, config)
            (out.rejected if rej else out.docs).append(rej or tagged)
    return out


def quality_batch(docs: list[Document], config: Config) -> BatchResult:
    """Apply the quality filters; the first filter that fires is the recorded reason."""
    out = BatchResult()
    with sandbox(config) as box:
        for doc in docs:
            rej = run_limited("quality", quality_rejection, doc, config, box)
            (out.rejected if rej else out.docs).append(rej or doc)
    return out
