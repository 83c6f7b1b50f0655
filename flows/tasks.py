"""Thin Prefect tasks over the ``cleaning`` library: each batches documents and calls it.

The decorators carry execution policy only (retries where the file system is touched, no
input hashing for caching: batches are large and never re-run with the same inputs).
"""

from __future__ import annotations

import json
import pickle
import shutil
import time
from array import array
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Generic, TypeVar

from prefect import task
from prefect.cache_policies import NO_CACHE

from cleaning import dedup
from cleaning.dedup import shards, verification
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
from cleaning.rules import site_boilerplate
from cleaning.pipeline import batched, process_batch
from cleaning.timelimit import release_idle
from cleaning.state import ProcessedInput, SupersededFilter, iter_part_lines, pending_sidecars, read_visible_seqs

from .boundary import retry_unless_user_error


KEPT_FILE = "kept.pkl"  # in the dedup folder: the kept signatures, for the index (write_parts_task)
# Signatures the index add holds at a time (each ~4.5 KB, plus its band rows while inserted).
# Measured on a 30k run's 23,937 kept signatures (SQLite index): peak RSS 317 MB (101 MB before)
# with 20,000, 194 MB with 5,000, 143 MB with 2,000; 2.5-2.8 s in every case.
INDEX_ADD_CHUNK = 5_000


@dataclass(slots=True)
class StagedBatch:
    """What a processed batch hands to the dedup and write steps: no text, just the facts."""

    index: int
    path: Path
    dedup_dir: str  # the run's dedup folder: this batch's signatures are its shard ``index`` (shards.py)
    rejected: dict[str, int]  # reason -> count; the rejections themselves are in ``rejected_path``
    timings: dict[str, float]
    removals: dict[str, int] = field(default_factory=dict)
    html_dropped: dict[str, int] = field(default_factory=dict)
    n_docs: int = 0
    site_lines: Any = None  # site_boilerplate.RunLines: this batch's evidence of site templates (in a file)

    @property
    def rejected_path(self) -> Path:
        return self.path.with_suffix(".rejected.jsonl")

    @property
    def n_rejected(self) -> int:
        return sum(self.rejected.values())


T = TypeVar("T")


class Opaque(Generic[T]):
    """A task argument Prefect does not look inside. Before a task runs, Prefect walks every
    list, dict and dataclass in its arguments (to find futures to wait for and to record the
    task's inputs) - about three walks per task run. Over a batch of 500 input records a walk
    costs ~29 ms (measured), ~5% of the batch's work, for nothing: a batch holds no futures.
    A plain object is a leaf to that walk, on every task runner (unlike ``quote``, which the
    Dask runner hands to the task still wrapped)."""

    __slots__ = ("value",)

    def __init__(self, value: T) -> None:
        self.value = value


def _after_batches() -> None:
    """A step after the batch phase runs here: this process's time-limit workers (trafilatura,
    langdetect, the cleaner's caches: ~200-400 MB each) will not see another batch of this run,
    so they are stopped now rather than when they have idled long enough (issue 14)."""
    release_idle()


@task(name="process-batch", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=1,
      retry_condition_fn=retry_unless_user_error)
def process_batch_task(items: Opaque[list[RawItem | Rejection]], config: Config, staging_dir: str,
                       index: int) -> StagedBatch:
    """extract → clean → language → quality for one batch (one round trip to the time-limit
    worker, :func:`cleaning.pipeline.process_batch`), then stage it to disk with its dedup
    signatures.

    The per-document stages run inside one task per batch rather than one task per stage:
    passing futures between tasks is unreliable on Prefect 3's Dask runner (PrefectHQ/prefect
    #15633: downstream tasks intermittently see an upstream run still PENDING), and each task
    costs 100-190 ms of scheduling on Dask. Every stage is still timed on its own, and the
    whole task is retried if writing the staging file fails (the stages are pure).
    """
    res, timings = process_batch(items.value, config)  # one round trip to the time-limit worker
    t0 = time.perf_counter()
    sigs = dedup.compute_signatures(res.docs, config)
    t1 = time.perf_counter()
    path = Path(staging_dir) / f"batch-{index:06d}.jsonl"
    write_jsonl(path, (staged_record(d) for d in res.docs))
    dedup_dir = str(Path(staging_dir) / "dedup")
    shards.write_signature_shard(sigs, Path(dedup_dir), index, dedup.dedup_settings(config))
    timings["signatures"] = t1 - t0
    timings["stage_write"] = time.perf_counter() - t1
    removals = Counter(r.rule for d in res.docs for r in d.removed)
    html_dropped = Counter(x["category"] for d in res.docs for x in d.metadata.get("html_dropped", []))
    # In input order (process_batch keeps it): the same inputs give the same rejected.jsonl
    # whatever the batch size. On disk, not in the result: the flow keeps no per-document objects.
    write_jsonl(path.with_suffix(".rejected.jsonl"), (r.to_dict() for r in res.rejected))
    # This batch's site-template evidence goes to a file beside the batch: the flow holds the
    # file name, not ~10 rows per document for the whole run (a million documents: ~240 MB).
    site_lines = site_boilerplate.site_line_keys(res.docs, config).spill(path.with_suffix(".sitelines"))
    staged = StagedBatch(index=index, path=path, dedup_dir=dedup_dir,
                         rejected=dict(Counter(r.reason for r in res.rejected)), timings=timings,
                         removals=dict(removals), html_dropped=dict(html_dropped), n_docs=len(res.docs),
                         site_lines=site_lines)
    del res, sigs
    _trim_heap()
    return staged


def _trim_heap() -> None:
    """Hand the heap's free pages back to the system (glibc's ``malloc_trim``). A batch's
    documents and signature arrays are freed when it is staged, but glibc keeps the pages for
    reuse: measured, a worker rests at 260-300 MB between batches with this, 320-400 without
    (issue 14). A no-op where there is no glibc."""
    global _libc
    if _libc is None:
        import ctypes

        try:
            _libc = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _libc = False
    if _libc:
        _libc(0)


_libc: Any = None


@task(name="dedup-exact", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=1)
def dedup_exact_task(dedup_dir: str, ranges: tuple[int, ...]) -> int:
    """The exact groups of some content-hash ranges (:func:`cleaning.dedup.shards.exact_step`)."""
    _after_batches()
    return sum(shards.exact_step(Path(dedup_dir), r) for r in ranges)


@task(name="dedup-earlier", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=1,
      retry_condition_fn=retry_unless_user_error)
def dedup_earlier_task(dedup_dir: str, shard: int, config: Config, state_dir: str | None, hidden_ids: set[str]) -> int:
    """One batch's lookups in the persistent index of earlier runs (read only)."""
    _after_batches()
    index = dedup.open_index(config, Path(state_dir) if state_dir else None)
    try:
        return shards.earlier_step(Path(dedup_dir), shard, SupersededFilter(index, hidden_ids),
                                   dedup.dedup_settings(config))
    finally:
        index.close()


@task(name="dedup-pairs", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=1)
def dedup_pairs_task(dedup_dir: str, ranges: tuple[int, ...], config: Config) -> int:
    """The candidate pairs of some band-key ranges (:func:`cleaning.dedup.shards.pairs_step`)."""
    _after_batches()
    max_bucket = dedup.dedup_settings(config).max_bucket
    return sum(shards.pairs_step(Path(dedup_dir), r, max_bucket) for r in ranges)


def range_groups(n_batches: int) -> list[tuple[int, ...]]:
    """The ``shards.N_RANGES`` ranges as at most one task per batch: a Prefect task run costs
    ~50 ms of API calls, so a one-batch run (the seeds) takes its 16 ranges in one task each step
    instead of 32 task runs (~2 s of a 6 s seeds run). Results do not depend on the grouping."""
    k = max(1, min(shards.N_RANGES, n_batches))
    return [tuple(range(shards.N_RANGES))[i::k] for i in range(k)]


@task(name="dedup-common", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=1)
def dedup_common_task(dedup_dir: str, config: Config) -> int:
    """The paired documents' feature store and the run's common features, in one streamed pass
    over the shards (:func:`cleaning.dedup.verification.common_step`)."""
    _after_batches()
    try:
        return verification.common_step(Path(dedup_dir), config)
    finally:
        _trim_heap()


@task(name="dedup-verify", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=1)
def dedup_verify_task(dedup_dir: str, config: Config, part: int, n_parts: int) -> int:
    """Exact verification of one part of the candidate pairs (:func:`cleaning.dedup.verification.verify_step`)."""
    _after_batches()
    return verification.verify_step(Path(dedup_dir), config, part, n_parts)


@task(name="dedup-resolve", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=1,
      retry_condition_fn=retry_unless_user_error)
def dedup_resolve_task(dedup_dir: str, config: Config) -> tuple[dict[str, Any], dict[str, int]]:
    """Groups and kept copies of the documents that can be duplicates
    (:func:`cleaning.dedup.verification.resolve_involved`): verdicts on disk, stats back."""
    _after_batches()
    try:
        return verification.resolve_involved(Path(dedup_dir), config)
    finally:
        _trim_heap()  # the involved signatures are gone: the write step may run in this process next


def sharded_dedup(staged: list[StagedBatch], config: Config, state_dir: str | None,
                  hidden_ids: set[str]) -> tuple[dict[str, Any], dict[str, int]]:
    """Exact and near-duplicate resolution against this run and the persistent index, as tasks
    over the run's shards (``cleaning/dedup/shards.py``) on whatever task runner the flow has:
    exact groups per content-hash range, index lookups per batch, candidate pairs per band-key
    range, one streamed pass for the common features, verification per part of the pairs, then
    one task for the groups and kept copies of the documents that can be duplicates.
    The flow holds no signature: every step reads and writes files in the dedup folder."""
    folder = staged[0].dedup_dir  # a run with inputs has at least one batch
    groups = range_groups(len(staged))
    for f in [dedup_exact_task.submit(folder, g) for g in groups]:
        f.result()
    index = dedup.open_index(config, Path(state_dir) if state_dir else None)
    try:
        has_earlier = len(index) > 0
    finally:
        index.close()
    if has_earlier:
        for f in [dedup_earlier_task.submit(folder, b.index, config, state_dir, hidden_ids) for b in staged]:
            f.result()
    dedup_merge_earlier_task.submit(folder, config).result()
    for f in [dedup_pairs_task.submit(folder, g, config) for g in groups]:
        f.result()
    dedup_common_task.submit(folder, config).result()
    for f in [dedup_verify_task.submit(folder, config, k, len(groups)) for k in range(len(groups))]:
        f.result()
    return dedup_resolve_task.submit(folder, config).result()


@task(name="dedup-merge-earlier", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=1)
def dedup_merge_earlier_task(dedup_dir: str, config: Config) -> int:
    """The index documents the batches found, once each, with their band rows."""
    _after_batches()
    return shards.merge_earlier(Path(dedup_dir), dedup.dedup_settings(config))


def apply_site_boilerplate(staged: list[StagedBatch], run: Any, config: Config,
                           state_dir: str | None) -> list[StagedBatch]:
    """Learn site templates from this run's evidence (``run``: the batches' site_boilerplate.RunLines,
    merged) plus earlier runs' counts, and remove them from the staged documents (re-signing what
    changed) before dedup. The evidence is recorded in the state once the run is committed
    (``index_add_task``)."""
    model = site_boilerplate.learn(run, config, Path(state_dir) if state_dir else None)
    if not model:
        return staged
    futures = [site_boilerplate_task.submit(b, model, config) for b in staged]
    return [f.result() for f in futures]


@task(name="site-boilerplate", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=1)
def site_boilerplate_task(batch: StagedBatch, model: Any, config: Config) -> StagedBatch:
    """Remove learned site template lines from one staged batch; re-sign the documents changed."""
    _after_batches()
    t0 = time.perf_counter()
    docs = [document_from_staged(rec) for rec in read_jsonl(batch.path)]
    cleaned = [site_boilerplate.apply_document(d, model, config) for d in docs]
    changed = [c for d, c in zip(docs, cleaned) if c is not d]
    if not changed:
        return batch
    new_sigs = {s.id: s for s in dedup.compute_signatures(changed, config)}
    write_jsonl(batch.path, (staged_record(d) for d in cleaned))
    sigs = [new_sigs.get(s.id, s) for s in shards.read_signature_shard(Path(batch.dedup_dir), batch.index)]
    shards.write_signature_shard(sigs, Path(batch.dedup_dir), batch.index, dedup.dedup_settings(config))
    removals = Counter(batch.removals)
    removals[site_boilerplate.RULE] += sum(1 for d in changed for r in d.removed if r.rule == site_boilerplate.RULE)
    timings = dict(batch.timings)
    timings["site_boilerplate"] = time.perf_counter() - t0
    return replace(batch, removals=dict(removals), timings=timings)


@dataclass(slots=True)
class WrittenParts:
    """This run's parts on disk and what every input became."""

    parts: dict[str, tuple[str, int]]
    processed: str  # a JSONL file of [id, source, outcome, duplicate_of]: what every input became
    languages: dict[str, int]
    word_counts: array  # array("l"): one machine int per kept document, not a Python int object


@task(name="write", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=1,
      retry_condition_fn=retry_unless_user_error)
def write_parts_task(batches: list[StagedBatch], out_dir: str, seq: int) -> WrittenParts:
    """Stream staged documents into this run's corpus part; write its duplicates and rejections.

    The verdicts are the dedup step's (``verdicts.pkl`` in the dedup folder): a staged document
    is a duplicate, kept in a cluster, or - with a signature in its batch's shard and no verdict -
    kept alone; anything else is a bug, reported loudly rather than dropped. The kept documents'
    signatures go to ``kept.pkl`` there, for the index once the run is committed.
    """
    _after_batches()
    out = Path(out_dir)
    name = f"part-{seq:06d}.jsonl"
    folder = Path(batches[0].dedup_dir)
    with open(folder / shards.VERDICTS_FILE, "rb") as vfh:
        verdicts = pickle.load(vfh)
    clusters: dict[str, tuple[str, int]] = verdicts["clusters"]
    dup_ids = {d.id for d in verdicts["duplicates"]}
    languages: Counter[str] = Counter()
    word_counts = array("l")
    processed: list[ProcessedInput] = []
    unaccounted: list[str] = []
    dup_removed: dict[str, list[dict[str, Any]]] = {}  # a copy's own cuts, for `newsclean explain`
    ordered = sorted(batches, key=lambda b: b.index)
    # The kept signatures (for the index, once the run is committed) are pickled a batch at a
    # time into kept.pkl as they are found: a million-document run's ~3 GB of them never sit
    # in this process at once.
    with atomic_writer(out / "corpus" / name) as fh, atomic_writer(folder / KEPT_FILE, binary=True) as kfh:
        for b in ordered:
            sigs = {s.id: s for s in shards.read_signature_shard(folder, b.index)}  # one batch at a time
            kept_batch: list[Any] = []
            for rec in read_jsonl(b.path):
                doc: Document = document_from_staged(rec)
                if doc.id in dup_ids:
                    dup_removed[doc.id] = [r.to_dict() for r in doc.removed]
                    continue
                sig = sigs.get(doc.id)
                if sig is None:
                    unaccounted.append(doc.id)
                    continue
                kept_batch.append(sig)
                doc.cluster_id, doc.cluster_size = clusters.get(doc.id, (doc.id, 1))
                hashes = {doc.id: sig.content_hash}
                fh.write(dumps(corpus_record(doc, hashes[doc.id])))
                fh.write("\n")
                processed.append(ProcessedInput(doc.id, doc.source, "kept"))
                languages[doc.language or "und"] += 1
                word_counts.append(doc.word_count)
            if kept_batch:
                pickle.dump(kept_batch, kfh, protocol=pickle.HIGHEST_PROTOCOL)
            del kept_batch, sigs
    if unaccounted:
        raise RuntimeError(f"dedup left {len(unaccounted)} documents neither kept nor duplicate, e.g. {unaccounted[:3]}")
    n_rej = write_jsonl(out / "rejected" / name, (r for b in ordered for r in read_jsonl(b.rejected_path)))
    duplicates: list[Duplicate] = sorted(verdicts["duplicates"], key=lambda d: d.id)
    n_dup = write_jsonl(out / "duplicates" / name,
                        ({**d.to_dict(), "removed": dup_removed.get(d.id, [])} for d in duplicates))
    with atomic_writer(folder / "processed.jsonl") as pfh:
        for p in processed:
            pfh.write(json.dumps([p.id, p.source, p.outcome, p.duplicate_of], ensure_ascii=False) + "\n")
        for b in ordered:
            for r in read_jsonl(b.rejected_path):
                pfh.write(json.dumps([r["id"], r["source"], "rejected", None], ensure_ascii=False) + "\n")
        for d in duplicates:
            pfh.write(json.dumps([d.id, d.source, "duplicate", d.duplicate_of], ensure_ascii=False) + "\n")
    parts = {"corpus": (name, len(word_counts)), "rejected": (name, n_rej), "duplicates": (name, n_dup)}
    return WrittenParts(parts, str(folder / "processed.jsonl"), dict(sorted(languages.items())), word_counts)


def read_processed(path: str) -> Any:
    """The rows of ``WrittenParts.processed``, one at a time."""
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            yield ProcessedInput(*json.loads(line))


@task(name="pending-index", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=1,
      retry_condition_fn=retry_unless_user_error)
def pending_index_task(dedup_dir: str, pending_file: str, site_lines: Any) -> None:
    """The committed-to-be run's kept signatures (``kept.pkl``, from the write step) and its site
    template evidence as the pending index that ``index_add_task`` replays: copied and summed
    into files beside the pending file (the staging folder goes once the run is committed),
    never loaded whole."""
    pending = Path(pending_file)
    sigs_file, lines_file = pending_sidecars(pending)
    shutil.copyfile(Path(dedup_dir) / KEPT_FILE, sigs_file)
    if site_lines is not None:
        site_boilerplate.write_rows(lines_file, site_lines.row_chunks())
        site_lines = site_boilerplate.RunLines(dict(site_lines.site_names), Counter(site_lines.site_docs),
                                               files=[str(lines_file)])
    with atomic_writer(pending, binary=True) as out:  # last: the pending file names complete sidecars
        pickle.dump({"signatures_file": sigs_file.name, "site_lines": site_lines}, out,
                    protocol=pickle.HIGHEST_PROTOCOL)


def read_kept(path: Path) -> Iterator[Any]:
    """The signatures of a ``kept.pkl`` (a stream of pickled lists, one per batch)."""
    with open(path, "rb") as fh:
        while True:
            try:
                yield from pickle.load(fh)
            except EOFError:
                return


@task(name="materialize", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=1,
      retry_condition_fn=retry_unless_user_error)
def materialize_task(out_dir: str, parts: dict[str, list[tuple[str, int]]], visible: dict[str, int] | str) -> dict[str, int]:
    """Rebuild the top-level full view (corpus.jsonl, rejected.jsonl, duplicates.jsonl) from
    the committed parts, keeping each document's current record only. Atomic per file.
    ``visible``: id -> run of its current record, or the state database to read it from here
    (so the flow process never holds that map of the whole corpus)."""
    out = Path(out_dir)
    if isinstance(visible, str):
        visible = read_visible_seqs(visible)
    counts = {}
    for kind, target in (("corpus", CORPUS_FILE), ("rejected", REJECTED_FILE), ("duplicates", DUPLICATES_FILE)):
        n = 0
        with atomic_writer(out / target) as fh:
            for line in iter_part_lines(out, parts.get(kind, []), visible):
                fh.write(line)
                n += 1
        counts[kind] = n
    return counts


@task(name="index-add", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=1,
      retry_condition_fn=retry_unless_user_error)
def index_add_task(pending_file: str, config: Config, state_dir: str, run_name: str, site_lines: bool = True) -> int:
    """Add a committed run's kept signatures (saved as a pending file) to the dedup index, and
    (``site_lines``) its site-template evidence to the state, see :func:`site_lines_add_task`.

    Idempotent, so a crash after the commit point is repaired by replaying the same file.
    """
    with open(pending_file, "rb") as fh:
        pending = pickle.load(fh)
    if isinstance(pending, dict) and "signatures_file" in pending:
        sigs: Any = read_kept(Path(pending_file).with_name(pending["signatures_file"]))
    else:  # a pending file of an earlier version: the signatures inline
        sigs = pending["signatures"] if isinstance(pending, dict) else pending
    index = dedup.open_index(config, Path(state_dir))
    try:
        # A chunk at a time (one run, one transaction / segment): a million-document run's
        # signatures are never all in this process.
        n = index.add_stream(batched(sigs, INDEX_ADD_CHUNK, 0), run_id=run_name)
        dedup.record_index_count(index, Path(state_dir))
    finally:
        index.close()
    if site_lines:
        _record_site_lines(pending, pending_file, config, state_dir)
    return n


@task(name="site-lines-add", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=1,
      retry_condition_fn=retry_unless_user_error)
def site_lines_add_task(pending_file: str, config: Config, state_dir: str) -> None:
    """The site-template half of :func:`index_add_task`, as a task of its own: the two write
    different databases, so a run does them at the same time on two workers (at 10k documents
    the evidence took 1.2 of the add's 2.3 s). Idempotent, as the index add is."""
    with open(pending_file, "rb") as fh:
        pending = pickle.load(fh)
    _record_site_lines(pending, pending_file, config, state_dir)


def _record_site_lines(pending: Any, pending_file: str, config: Config, state_dir: str) -> None:
    if isinstance(pending, dict) and pending.get("site_lines") is not None:  # once per run: replay-safe
        seq = int(Path(pending_file).stem.rsplit("-", 1)[1])
        site_boilerplate.record_run(pending["site_lines"], config, Path(state_dir), seq)


@task(name="validate", cache_policy=NO_CACHE)
def validate_task(out_dir: str, config: Config, raw_rows_file: str, corpus_part: str,
                  summary: dict[str, Any], run_name: str) -> Any:
    """Great Expectations suites over this run's raw documents, corpus part and accounting.

    Both tables are streamed from their files, at most ``[validation] max_rows`` rows each
    (every k-th row of a larger run, :func:`every_kth`), so validation memory is bounded
    whatever the run's size; the corpus rows keep only what the suite reads (the nested
    ``removed``/``metadata`` fields reduced to the facts its derived columns use)."""
    from cleaning.validation import _ignored_removal_rules, validate_run

    ignored = frozenset(_ignored_removal_rules(config))
    max_rows = int(config["validation"].get("max_rows", 0) or 0)
    raw_rows = list(every_kth(read_jsonl(Path(raw_rows_file)), int(summary["inputs"]), max_rows))
    rows = [_slim_corpus_row(rec, ignored)
            for rec in every_kth(read_jsonl(Path(corpus_part)), int(summary["kept"]), max_rows)]
    return validate_run(Path(out_dir), config, raw_rows, rows, summary, run_name)


def every_kth(rows: Any, n: int, max_rows: int) -> Any:
    """All ``rows`` when ``n`` (their count, or an upper bound) is at most ``max_rows`` (0: no
    limit), else every k-th one from the first, k = ceil(n / max_rows): at most ``max_rows``
    rows spread evenly over the run, the same ones every time."""
    if max_rows <= 0 or n <= max_rows:
        yield from rows
        return
    k = -(-n // max_rows)
    for i, row in enumerate(rows):
        if i % k == 0:
            yield row


def _slim_corpus_row(rec: dict[str, Any], ignored: frozenset[str]) -> dict[str, Any]:
    """``removed`` reduced to one counted removal (if any) and ``metadata`` to ``input_kind``:
    exactly what ``corpus_frame`` derives ``has_removal`` and ``title_missing`` from."""
    removed = rec.get("removed")
    if isinstance(removed, list):
        rec["removed"] = [{"rule": r.get("rule")} for r in removed
                          if isinstance(r, dict) and r.get("rule") not in ignored][:1]
    metadata = rec.get("metadata")
    if isinstance(metadata, dict):
        rec["metadata"] = {"input_kind": metadata["input_kind"]} if "input_kind" in metadata else {}
    return rec


@task(name="cleanup-staging", cache_policy=NO_CACHE)
def cleanup_task(staging_dir: str) -> None:
    shutil.rmtree(staging_dir, ignore_errors=True)
