"""Thin Prefect tasks over the ``cleaning`` library: each batches documents and calls it.

The decorators carry execution policy only (retries where the file system is touched, no
input hashing for caching: batches are large and never re-run with the same inputs).
"""

from __future__ import annotations

import shutil
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from cleaning import dedup
from cleaning.config import Config
from cleaning.document import Document, Duplicate, Rejection
from cleaning.ingest import RawItem
from cleaning.output import (
    CORPUS_FILE,
    DUPLICATES_FILE,
    REJECTED_FILE,
    corpus_record,
    document_from_staged,
    dumps,
    read_jsonl,
    staged_record,
    write_jsonl,
    atomic_writer,
)
from cleaning.pipeline import BatchResult, clean_batch, extract_batch, language_batch, quality_batch


@dataclass(slots=True)
class StagedBatch:
    """What a processed batch hands to the dedup and write steps: no text, just the facts."""

    index: int
    path: Path
    signatures: list[Any]
    rejected: list[Rejection]
    timings: dict[str, float]
    removals: dict[str, int] = field(default_factory=dict)
    n_docs: int = 0


def _timed(stage: str, prev: BatchResult, fn, config: Config) -> tuple[BatchResult, float]:
    t0 = time.perf_counter()
    res = fn(prev.docs, config)
    return BatchResult(res.docs, prev.rejected + res.rejected), time.perf_counter() - t0


@task(name="extract", cache_policy=NO_CACHE)
def extract_task(items: list[RawItem | Rejection], config: Config) -> tuple[BatchResult, dict[str, float]]:
    """trafilatura on HTML, header parsing on text; ingest rejections pass through."""
    t0 = time.perf_counter()
    res = extract_batch(items, config)
    return res, {"extract": time.perf_counter() - t0}


@task(name="clean", cache_policy=NO_CACHE)
def clean_task(prev: tuple[BatchResult, dict[str, float]], config: Config) -> tuple[BatchResult, dict[str, float]]:
    """Trailer and boilerplate removal with provenance."""
    res, dt = _timed("clean", prev[0], clean_batch, config)
    return res, {**prev[1], "clean": dt}


@task(name="language", cache_policy=NO_CACHE)
def language_task(prev: tuple[BatchResult, dict[str, float]], config: Config) -> tuple[BatchResult, dict[str, float]]:
    """Language identification, language filter, then quality filters."""
    res, dt = _timed("language", prev[0], language_batch, config)
    res, dq = _timed("quality", res, quality_batch, config)
    return res, {**prev[1], "language": dt, "quality": dq}


@task(name="stage", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=1)
def stage_task(prev: tuple[BatchResult, dict[str, float]], config: Config, staging_dir: str, index: int) -> StagedBatch:
    """Write the batch's survivors to a staging file and compute their dedup signatures."""
    res, timings = prev
    t0 = time.perf_counter()
    sigs = dedup.compute_signatures(res.docs, config)
    t1 = time.perf_counter()
    path = Path(staging_dir) / f"batch-{index:06d}.jsonl"
    write_jsonl(path, (staged_record(d) for d in res.docs))
    removals = Counter(r.rule for d in res.docs for r in d.removed)
    return StagedBatch(index=index, path=path, signatures=sigs, rejected=res.rejected,
                       timings={**timings, "signatures": t1 - t0, "stage_write": time.perf_counter() - t1},
                       removals=dict(removals), n_docs=len(res.docs))


@task(name="dedup", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=1)
def dedup_task(signatures: list[Any], config: Config, state_dir: str | None) -> dedup.DedupOutcome:
    """Exact and near-duplicate resolution against this run and the persistent index."""
    index = dedup.open_index(config, Path(state_dir) if state_dir else None)
    try:
        return dedup.resolve_duplicates(signatures, config, index)
    finally:
        index.close()


@task(name="write", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=1)
def write_task(batches: list[StagedBatch], outcome: dedup.DedupOutcome, out_dir: str) -> dict[str, Any]:
    """Stream staged documents into corpus.jsonl (kept) and write duplicates and rejections.

    Every staged document is either in ``outcome.clusters`` (kept) or ``outcome.duplicates``;
    anything else is a bug, reported loudly rather than dropped.
    """
    out = Path(out_dir)
    dup_ids = {d.id for d in outcome.duplicates}
    hashes = {s.id: s.content_hash for b in batches for s in b.signatures}
    languages: Counter[str] = Counter()
    word_counts: list[int] = []
    kept = 0
    unaccounted: list[str] = []
    with atomic_writer(out / CORPUS_FILE) as fh:
        for b in sorted(batches, key=lambda b: b.index):
            for rec in read_jsonl(b.path):
                doc: Document = document_from_staged(rec)
                if doc.id in dup_ids:
                    continue
                if doc.id not in outcome.clusters:
                    unaccounted.append(doc.id)
                    continue
                doc.cluster_id, doc.cluster_size = outcome.clusters[doc.id]
                fh.write(dumps(corpus_record(doc, hashes[doc.id])))
                fh.write("\n")
                kept += 1
                languages[doc.language or "und"] += 1
                word_counts.append(doc.word_count)
    if unaccounted:
        raise RuntimeError(f"dedup left {len(unaccounted)} documents neither kept nor duplicate, e.g. {unaccounted[:3]}")
    rejected = [r for b in sorted(batches, key=lambda b: b.index) for r in b.rejected]
    write_jsonl(out / REJECTED_FILE, (r.to_dict() for r in rejected))
    duplicates: list[Duplicate] = sorted(outcome.duplicates, key=lambda d: d.id)
    write_jsonl(out / DUPLICATES_FILE, (d.to_dict() for d in duplicates))
    return {"kept": kept, "rejected": len(rejected), "duplicates": len(duplicates),
            "languages": dict(sorted(languages.items())), "word_counts": word_counts}


@task(name="commit-index", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=1)
def commit_index_task(batches: list[StagedBatch], outcome: dedup.DedupOutcome, config: Config, state_dir: str | None) -> int:
    """Add this run's kept documents to the persistent dedup index (after outputs are safe)."""
    kept = [s for b in batches for s in b.signatures if s.id in outcome.clusters]
    index = dedup.open_index(config, Path(state_dir) if state_dir else None)
    try:
        index.add(kept)
    finally:
        index.close()
    return len(kept)


@task(name="cleanup-staging", cache_policy=NO_CACHE)
def cleanup_task(staging_dir: str) -> None:
    shutil.rmtree(staging_dir, ignore_errors=True)
