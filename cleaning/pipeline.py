"""Batch-level stage functions: the unit of work the Prefect tasks (or any runner) call.

Each function takes a batch, returns the survivors plus a Rejection for every document it
drops, and never raises on one bad document. Order inside a batch is preserved so output
order only depends on input order.

:func:`process_batch` (what the flow calls) runs extract → clean → language → quality for a
whole batch in one round trip to the time-limit worker; ``extract_batch`` … ``quality_batch``
run one stage over a batch (one round trip per document, for tools and tests of one stage).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, TypeVar

from .clean import clean_document
from .config import Config
from .document import Document, Rejection, storable_text
from .extract import extract_item
from .ingest import RawItem, attach_content
from .language import detect_language, language_rejection
from .quality import quality_rejection
from .timelimit import Failure, run_limited, sandbox

T = TypeVar("T")


@dataclass(slots=True)
class BatchResult:
    """Survivors of one stage over one batch, and what the stage rejected."""

    docs: list[Document] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)


def batched(items: Iterable[T], size: int, max_bytes: int = 0) -> Iterator[list[T]]:
    """Lists of at most ``size`` items; with ``max_bytes``, a list also ends with the item that
    brings its inputs' bytes (``item.size``) to ``max_bytes``, so a batch of large HTML pages
    is not one task for the whole run. Never holds back an item it has read."""
    it = iter(items)
    if max_bytes <= 0:
        while chunk := list(islice(it, size)):
            yield chunk
        return
    chunk: list[T] = []
    total = 0
    for item in it:
        chunk.append(item)
        total += getattr(item, "size", 0) or 0
        if len(chunk) >= size or total >= max_bytes:
            yield chunk
            chunk, total = [], 0
    if chunk:
        yield chunk


STAGES = ("extract", "clean", "language", "quality")


def _extract_one(item: RawItem, config: Config) -> Document | Rejection:
    got = attach_content(item)  # an item sent by reference: its text read here, in the worker
    return got if isinstance(got, Rejection) else extract_item(got, config)


def _clean_one(doc: Document, config: Config) -> Document | Rejection:
    cleaned = clean_document(doc, config)
    if cleaned.text.strip():
        return cleaned
    return Rejection(doc.id, doc.source, "clean.empty", f"cleaning removed all text ({len(cleaned.removed)} spans)", 0, doc.url)


def _language_one(doc: Document, config: Config) -> Document | Rejection:
    tagged = detect_language(doc, config)
    return language_rejection(tagged, config) or tagged


def _quality_one(doc: Document, config: Config) -> Document | Rejection:
    return quality_rejection(doc, config) or doc


_STEPS = ((STAGES[0], _extract_one), (STAGES[1], _clean_one), (STAGES[2], _language_one), (STAGES[3], _quality_one))


def process_item(item: RawItem, config: Config, mark: Callable[[str], None]) -> tuple[Document | Rejection, list[float]]:
    """Every per-document stage for one raw item: the kept Document or the first stage's
    Rejection (an exception in a stage is ``<stage>.error``), and the seconds spent per stage.
    ``mark(stage)`` is called as each stage starts (the time-limit worker's clock)."""
    seconds = [0.0] * len(_STEPS)
    x: Document | Rejection | RawItem = item
    for k, (stage, fn) in enumerate(_STEPS):
        mark(stage)
        t0 = time.perf_counter()
        try:
            x = fn(x, config)
        except Exception as exc:  # noqa: BLE001 - one document must not stop the batch
            x = Rejection(x.id, x.source, f"{stage}.error", storable_text(f"{type(exc).__name__}: {exc}"[:500]),
                          url=getattr(x, "url", None))
        seconds[k] = time.perf_counter() - t0
        if isinstance(x, Rejection):
            break
    return x, seconds


def _no_mark(stage: str) -> None:
    pass


def process_batch(items: list[RawItem | Rejection], config: Config) -> tuple[BatchResult, dict[str, float]]:
    """extract → clean → language → quality for a batch, under the per-document time limit,
    in one round trip to the time-limit worker. Kept documents and rejections (ingest
    rejections included) in input order, and the seconds spent per stage."""
    todo = [item for item in items if not isinstance(item, Rejection)]
    with sandbox(config) as box:
        if box is None:
            outcomes: list[Any] = [process_item(item, config, _no_mark) for item in todo]
        else:
            outcomes = box.run_batch(process_item, todo, STAGES)
    out = BatchResult()
    seconds = dict.fromkeys(STAGES, 0.0)
    done = iter(zip(todo, outcomes))
    for item in items:
        if isinstance(item, Rejection):
            out.rejected.append(item)
            continue
        raw, outcome = next(done)
        if isinstance(outcome, Failure):
            res: Document | Rejection = Rejection(raw.id, raw.source, f"{outcome.stage}.{outcome.reason}",
                                                  storable_text(outcome.detail[:500]), url=raw.url)
        else:
            res, spent = outcome
            for stage, t in zip(STAGES, spent):
                seconds[stage] += t
        (out.rejected if isinstance(res, Rejection) else out.docs).append(res)
    return out, seconds


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
            cleaned = run_limited("clean", _clean_one, doc, config, box)
            (out.rejected if isinstance(cleaned, Rejection) else out.docs).append(cleaned)
    return out


def language_batch(docs: list[Document], config: Config) -> BatchResult:
    """Tag the language, then reject documents outside the configured languages."""
    out = BatchResult()
    with sandbox(config) as box:  # under the time limit too: hostile text can make regexes crawl
        for doc in docs:
            tagged = run_limited("language", _language_one, doc, config, box)
            (out.rejected if isinstance(tagged, Rejection) else out.docs).append(tagged)
    return out


def quality_batch(docs: list[Document], config: Config) -> BatchResult:
    """Apply the quality filters; the first filter that fires is the recorded reason."""
    out = BatchResult()
    with sandbox(config) as box:
        for doc in docs:
            res = run_limited("quality", _quality_one, doc, config, box)
            (out.rejected if isinstance(res, Rejection) else out.docs).append(res)
    return out
