"""Near-duplicate detection for news: exact hash, MinHash LSH with verification, news-aware
keep policy, clusters, and a persistent incremental index (sqlite | memory | redis).

The flow calls, per run::

    sigs = compute_signatures(batch, config)          # per batch, may run in worker processes
    index = open_index(config, state_dir)             # kept documents of earlier runs
    outcome = resolve_duplicates(all_sigs, config, index)   # reads the index, never writes it
    ... write corpus (outcome.clusters) and duplicates.jsonl (outcome.duplicates) ...
    index.add([s for s in all_sigs if s.id in outcome.clusters], run_id=...)
    index.close()

Settings: ``cleaning/config/dedup.toml`` (``config["dedup"]``), each with the measurement
that chose it.
"""

from __future__ import annotations

from .index import (
    DedupIndex,
    IndexLostError,
    IndexMismatchError,
    MemoryIndex,
    RedisIndex,
    SqliteIndex,
    check_index_count,
    open_index,
    record_index_count,
)
from .resolve import DedupOutcome, resolve_duplicates
from .settings import DedupConfigError, DedupSettings, dedup_settings
from .signature import DocSignature, compute_signatures, content_hash, normalize_for_hash
from .sketch import SCHEME

__all__ = [
    "SCHEME",
    "DedupConfigError",
    "DedupIndex",
    "DedupOutcome",
    "DedupSettings",
    "DocSignature",
    "IndexLostError",
    "IndexMismatchError",
    "MemoryIndex",
    "RedisIndex",
    "SqliteIndex",
    "compute_signatures",
    "content_hash",
    "dedup_settings",
    "check_index_count",
    "normalize_for_hash",
    "open_index",
    "record_index_count",
    "resolve_duplicates",
]
