"""The newsclean Prefect flow: ingest → extract → clean → language → dedup → validate → write.

The flow body streams inputs in batches and keeps only a bounded number of batches in
flight, so memory follows the batch size, not the corpus size. Documents are staged to disk
after the per-document stages; dedup then works on compact signatures, and the write step
streams staged documents into this run's corpus part.

Runs are incremental and crash-safe (see :mod:`cleaning.state`): inputs processed by an
earlier run are skipped, a changed input supersedes its earlier version, and a killed run
leaves nothing half-done that the next run does not clean up.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sys
import time
import uuid
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.futures import PrefectFuture

from cleaning.config import config_fingerprint, load_config
from cleaning.document import Rejection
from cleaning.ingest import IngestStats, RawItem, detach_content, iter_inputs, resolve_inputs
from cleaning.output import (
    CORPUS_FILE,
    DUPLICATES_FILE,
    REJECTED_FILE,
    REPORT_HTML,
    REPORT_JSON,
    REPORT_MD,
    atomic_write_bytes,
    atomic_writer,
    dumps,
    output_format,
    sync_parquet,
)
from cleaning.pipeline import batched
from cleaning.quality import filter_names
from cleaning.report import length_histogram, render_markdown, stage_counts
from cleaning.report_html import render_report_html
from cleaning.rules import site_boilerplate
from cleaning.state import StateStore
from cleaning.validation import raise_for_critical

from .interrupt import ignore_sigint
from .interrupt import raise_if_requested as raise_if_interrupted
from .tasks import (
    Opaque,
    StagedBatch,
    apply_site_boilerplate,
    cleanup_task,
    index_add_task,
    materialize_task,
    pending_index_task,
    process_batch_task,
    read_processed,
    sharded_dedup,
    site_lines_add_task,
    validate_task,
    write_parts_task,
)

DEFAULT_INPUTS = ["seeds"]
DEFAULT_OUT = "output"


@dataclass
class RunTally:
    """What a run found, gathered as it goes; turned into report.json by ``_report``."""

    run_name: str
    inputs: list[str]
    n_inputs: int = 0
    n_skipped: int = 0
    superseded: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    rejected_by_reason: Counter[str] = field(default_factory=Counter)
    dup_methods: Counter[str] = field(default_factory=Counter)
    dedup_stats: dict[str, Any] = field(default_factory=dict)
    word_counts: Sequence[int] = field(default_factory=list)
    languages: dict[str, int] = field(default_factory=dict)
    removals: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    html_dropped: dict[str, int] = field(default_factory=dict)


def _crash_point(name: str) -> None:
    """Fault injection for the crash-safety tests: ``NEWSCLEAN_CRASH_AT=<name>`` kills the
    process here with SIGKILL, as an out-of-memory killer or a power cut would."""
    if os.environ.get("NEWSCLEAN_CRASH_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)


def _refresh_full_view(out_dir: Path, state: Path, manifest: dict[str, Any], visible: dict[str, int] | str,
                       enabled: bool = True) -> None:
    """Rebuild corpus.jsonl / rejected.jsonl / duplicates.jsonl when the committed parts changed."""
    if not enabled:
        return
    key = hashlib.sha256(json.dumps([manifest["parts"], manifest["hidden_ids"]], sort_keys=True).encode()).hexdigest()
    marker = state / "full-view.json"
    names = (CORPUS_FILE, REJECTED_FILE, DUPLICATES_FILE)
    if marker.is_file() and json.loads(marker.read_text())["key"] == key and all((out_dir / n).is_file() for n in names):
        return
    part_files = {k: [(p["file"], p["run_seq"]) for p in v] for k, v in manifest["parts"].items()}
    materialize_task.submit(str(out_dir), part_files, visible).result()
    _crash_point("before_view_marker")
    atomic_write_bytes(marker, json.dumps({"key": key}).encode())


def _refresh_views(out_dir: Path, state: Path, manifest: dict[str, Any], visible: dict[str, int] | str,
                   cfg: dict[str, Any]) -> None:
    """The JSONL full view (unless ``[output] format = "parquet"``) and the Parquet twins of the
    committed parts (``format`` "parquet" or "both"; kept in step whenever the folder exists)."""
    fmt = output_format(cfg)
    _refresh_full_view(out_dir, state, manifest, visible, bool(cfg["pipeline"]["full_view"]) and fmt != "parquet")
    sync_parquet(out_dir, manifest, create=fmt != "jsonl")


def _read_keys(path: Path) -> Any:
    """(id, identity key) pairs the run wrote to its staging file, one at a time."""
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            yield tuple(json.loads(line))


def _raw_row(item: RawItem | Rejection) -> dict[str, Any] | None:
    if isinstance(item, Rejection):
        return None
    return {"id": item.id, "source": item.source, "url": item.url, "content_chars": len(item.content), "kind": item.kind}


class _Progress:
    """Per-batch progress, counted by what is processed (not by what ingest read ahead):
    documents, documents/s, and an ETA from the input bytes behind the processed batches."""

    def __init__(self, logger: Any, total_bytes: int, show_bar: bool) -> None:
        self.logger = logger
        self.total_bytes = max(total_bytes, 1)
        self.t0 = time.perf_counter()
        self.bar = None
        if show_bar and sys.stderr.isatty():
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(TextColumn("newsclean"), BarColumn(), TextColumn("{task.percentage:.0f}%"),
                                TextColumn("{task.fields[docs]} docs"), TimeRemainingColumn(), transient=True)
            self.task = self.bar.add_task("run", total=self.total_bytes, docs=0)
            self.bar.start()

    def update(self, batch: Any, batches_done: int, docs_done: int, bytes_done: int) -> None:
        """``bytes_done``: input bytes up to the end of the last processed batch."""
        elapsed = max(time.perf_counter() - self.t0, 1e-9)
        rate = docs_done / elapsed
        frac = min(bytes_done / self.total_bytes, 1.0)
        eta = elapsed * (1 - frac) / frac if frac > 0 else float("nan")
        self.logger.info("batch %d done: %d documents processed (%.0f%% of the input), %.1f docs/s, ETA %.0f s",
                         batches_done, docs_done, 100 * frac, rate, eta)
        self.logger.debug("batch %d stage seconds: %s", batches_done,
                          ", ".join(f"{k} {v:.3f}" for k, v in batch.timings.items()))
        if self.bar is not None:
            self.bar.update(self.task, completed=bytes_done, docs=docs_done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


@flow(name="newsclean", description="Clean and deduplicate a scraped news corpus.")
def newsclean_flow(
    inputs: list[str] | None = None,
    out: str = DEFAULT_OUT,
    config_path: str | None = None,
    state_dir: str | None = None,
    show_progress: bool = False,
) -> dict[str, Any]:
    """Run the whole pipeline on the inputs not processed before; return the run report."""
    logger = get_run_logger()
    inputs = list(inputs or DEFAULT_INPUTS)
    cfg = load_config(config_path)
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    state = Path(state_dir) if state_dir else out_dir / "state"
    store = StateStore(state, out_dir)
    try:
        with store.locked():
            store.bind_out_dir()
            report = _run(logger, inputs, cfg, config_path, out_dir, state, store, show_progress)
            if report["counts"].get("requeued"):
                # Duplicates of a document that was just superseded lost the copy they pointed
                # at: one more pass reads them again and deduplicates them afresh.
                logger.info("re-deduplicating %d duplicates of superseded documents", report["counts"]["requeued"])
                second = _run(logger, inputs, cfg, config_path, out_dir, state, store, False)
                # report.json is this run's report, as returned and printed: the first pass's
                # counts, the requeue pass's beside them, and the corpus as it now stands.
                report["requeue_pass"] = second["counts"]
                report["corpus_totals"], report["runs_so_far"] = second["corpus_totals"], second["runs_so_far"]
                _write_report(out_dir, report, store.manifest())
            return report
    finally:
        store.close()


def _run(logger: Any, inputs: list[str], cfg: dict[str, Any], config_path: str | None, out_dir: Path, state: Path,
         store: StateStore, show_progress: bool) -> dict[str, Any]:
    t_start = time.perf_counter()
    output_format(cfg)  # a bad [output] format fails before any work
    recovery = store.recover()
    if recovery["removed"]:
        logger.warning("recovered from an interrupted run: removed %s", ", ".join(recovery["removed"]))
    for seq in recovery["pending_index_runs"]:
        index_add_task.submit(str(store.pending_index_path(seq)), cfg, str(state), f"run-{seq:06d}").result()
        store.mark_index_done(seq)

    seq = store.next_seq()
    run_name = f"run-{seq:06d}"
    staging = out_dir / ".staging" / f"{run_name}-{uuid.uuid4().hex[:8]}"
    staging.mkdir(parents=True, exist_ok=True)

    batch_size = int(cfg["pipeline"]["batch_size"])
    batch_max_bytes = int(cfg["pipeline"].get("batch_max_bytes", 0) or 0)
    max_in_flight = int(cfg["pipeline"]["max_batches_in_flight"])
    stats = IngestStats()
    exclude = [out_dir, state]  # never read our own outputs back as inputs
    total_bytes = sum(p.stat().st_size for p, _ in resolve_inputs(inputs, exclude=exclude))
    progress = _Progress(logger, total_bytes, show_progress)
    # Raw-document facts for the raw_documents suite go to a staging file, not a list: the
    # flow holds nothing per document for the whole run (memory follows the batch size).
    raw_rows_path = staging / "raw_rows.jsonl"
    raw_rows_fh = raw_rows_path.open("w", encoding="utf-8")
    in_flight: deque[tuple[PrefectFuture, int]] = deque()  # a batch, and the input bytes read up to its end
    staged: list[StagedBatch] = []
    superseded: dict[str, str] = {}
    revived: list[str] = []
    # Identity keys of the new inputs, for the commit: a staging file, not a dict of the run.
    keys_path = staging / "keys.jsonl"
    keys_fh = keys_path.open("w", encoding="utf-8")
    n_inputs = n_skipped = 0
    t_ingest = 0.0

    run_lines = site_boilerplate.RunLines()  # the run's site-template evidence: file names, site counts

    def collect(entry: tuple[PrefectFuture, int]) -> None:
        batch = entry[0].result()
        if batch.site_lines is not None:  # merged as batches arrive, not kept per batch
            run_lines.merge(batch.site_lines)
            batch = replace(batch, site_lines=None)
        staged.append(batch)
        progress.update(staged[-1], len(staged), sum(b.n_docs + b.n_rejected for b in staged), entry[1])

    items = iter_inputs(inputs, cfg, stats, exclude=exclude)
    try:
        while True:
            t0 = time.perf_counter()
            batch = next(batched(items, batch_size, batch_max_bytes), None)
            if batch is None:
                break
            split = store.split_new(batch)
            new = split.items
            t_ingest += time.perf_counter() - t0
            n_skipped += split.skipped
            superseded.update(split.superseded)
            revived += split.revived
            keys_fh.writelines(json.dumps(kv, ensure_ascii=False) + "\n" for kv in split.keys.items())
            if not new:
                continue
            n_inputs += len(new)
            raw_rows_fh.writelines(dumps(r) + "\n" for r in map(_raw_row, new) if r is not None)
            idx = len(staged) + len(in_flight)
            sent = [detach_content(x) for x in new]  # records a worker can read itself go as references
            in_flight.append((process_batch_task.submit(Opaque(sent), cfg, str(staging), idx), stats.bytes_read))
            while len(in_flight) >= max_in_flight:
                collect(in_flight.popleft())
                _crash_point("after_first_batch")
        while in_flight:
            collect(in_flight.popleft())
    finally:
        progress.close()
        raw_rows_fh.close()
        keys_fh.close()
    if stats.broken_links_skipped or stats.special_files_skipped:
        logger.warning("skipped %d links to nothing (dangling or looping) and %d FIFOs/sockets/device files "
                       "in the input folders (counted in report.json under ingest)",
                       stats.broken_links_skipped, stats.special_files_skipped)

    if n_inputs == 0:
        cleanup_task(str(staging))
        requeued = store.apply_supersessions(superseded, revived) if superseded or revived else 0
        manifest = store.write_manifest()
        _refresh_views(out_dir, state, manifest, str(store.db_path), cfg)
        if stats.files == 0:
            logger.warning("nothing to do: no input files found in %s", ", ".join(inputs))
        else:
            logger.info("nothing to do: all %d inputs were processed by earlier runs", n_skipped)
        # A file changed back supersedes its other version: that version's duplicates are
        # requeued, and the count must reach the caller for the re-deduplication pass.
        tally = RunTally(run_name, inputs, n_inputs, n_skipped, superseded, {"requeued": requeued})
        report = _report(tally, out_dir, cfg, t_start, stats, manifest)
        if superseded or revived:
            _write_report(out_dir, report, manifest)
        else:
            # An idle run (every scheduled run with nothing new) keeps the last real report.
            _record_run(out_dir, report)
        return report

    staged = apply_site_boilerplate(staged, run_lines, cfg, str(state))  # learned templates out, before dedup
    # Hidden from the index: superseded documents (and, in the dedup steps, this run's own
    # documents: a document is never a duplicate of itself, even in an index that saw it elsewhere).
    hidden = (store.index_hidden_ids() | set(superseded)) - set(revived)
    t0 = time.perf_counter()
    dedup_stats, dup_methods_run = sharded_dedup(staged, cfg, str(state), hidden)
    t_dedup = time.perf_counter() - t0
    t0 = time.perf_counter()
    written = write_parts_task.submit(staged, str(out_dir), seq).result()
    t_write = time.perf_counter() - t0
    counts = {"inputs": n_inputs, "kept": written.parts["corpus"][1], "duplicates": written.parts["duplicates"][1],
              "rejected": written.parts["rejected"][1]}
    if counts["kept"] + counts["duplicates"] + counts["rejected"] != n_inputs:
        raise RuntimeError(f"accounting broken, run not committed: {counts}")
    rejected_by_reason: Counter[str] = Counter()
    for b in staged:
        rejected_by_reason.update(b.rejected)
    dup_methods = Counter(dup_methods_run)

    logger.info("validating %d inputs and %d kept documents (Great Expectations)", n_inputs, counts["kept"])
    t0 = time.perf_counter()
    # On the task runner: with worker processes, Great Expectations (~600 MB once imported, with
    # pandas) lives in a worker, not in the flow process that stays up for the whole run.
    validation = validate_task.submit(str(out_dir), cfg, str(raw_rows_path),
                                      str(out_dir / "corpus" / written.parts["corpus"][0]), counts, run_name).result()
    t_validate = time.perf_counter() - t0
    if not validation.success:
        # The gate: a run whose output fails a critical expectation is not committed. Its parts
        # are removed by the next run's recovery and its inputs stay unprocessed, so fixing the
        # cause (data, config or suite) and re-running redoes exactly this work.
        manifest = store.manifest()
        tally = RunTally(run_name, inputs, n_inputs, n_skipped, superseded, counts, rejected_by_reason, dup_methods,
                         dedup_stats, written.word_counts, written.languages, timings={"validate": t_validate})
        report = _report(tally, out_dir, cfg, t_start, stats, manifest)
        _attach_validation(report, validation, out_dir, committed=False)
        _write_report(out_dir, report, manifest)
        _publish_validation(validation)
        raise_for_critical(validation)

    t0 = time.perf_counter()
    pending = store.pending_index_path(seq)
    pending_index_task.submit(staged[0].dedup_dir, str(pending), run_lines).result()
    _crash_point("before_commit")
    raise_if_interrupted()  # a Ctrl-C swallowed on the way (GX did, during validation) still stops the commit
    run_record = {**counts, "duplicates_by_method": dict(sorted(dup_methods.items()))}
    requeued = store.commit_run(seq, run_name, written.parts, read_processed(written.processed), _read_keys(keys_path),
                                superseded, revived, run_record,
                                index_pending=True)
    counts["requeued"] = requeued
    _crash_point("after_commit")
    # On the task runner, not in the flow process: the add loads the run's kept signatures.
    adds = [index_add_task.submit(str(pending), cfg, str(state), run_name, site_lines=False),
            site_lines_add_task.submit(str(pending), cfg, str(state))]  # two databases: side by side
    for added in adds:
        added.result()
    store.mark_index_done(seq)
    _crash_point("after_index")
    manifest = store.write_manifest()
    _refresh_views(out_dir, state, manifest, str(store.db_path), cfg)
    t_write += time.perf_counter() - t0
    cleanup_task(str(staging))

    timings: Counter[str] = Counter()
    for b in staged:
        timings.update(b.timings)
    timings.update({"ingest": t_ingest, "dedup": t_dedup, "write": t_write, "validate": t_validate})
    removals: Counter[str] = Counter()
    html_dropped: Counter[str] = Counter()
    for b in staged:
        removals.update(b.removals)
        html_dropped.update(b.html_dropped)
    tally = RunTally(run_name, inputs, n_inputs, n_skipped, superseded, counts, rejected_by_reason, dup_methods,
                     dedup_stats, written.word_counts, written.languages, dict(removals), dict(timings),
                     dict(html_dropped))
    report = _report(tally, out_dir, cfg, t_start, stats, manifest)
    _attach_validation(report, validation, out_dir, committed=True)
    _write_report(out_dir, report, manifest)
    _publish_artifacts(report, out_dir / "duplicates" / written.parts["duplicates"][0],
                       out_dir / "corpus" / written.parts["corpus"][0])
    _publish_validation(validation)
    for warning in validation.warnings:
        logger.warning("validation warning: %s", warning.describe())
    logger.info("newsclean %s: %d new inputs (%d skipped as already processed) → %d kept, %d duplicates, %d rejected",
                run_name, n_inputs, n_skipped, counts["kept"], counts["duplicates"], counts["rejected"])
    return report


def _report(t: RunTally, out_dir: Path, cfg: dict[str, Any], t_start: float, stats: IngestStats,
            manifest: dict[str, Any]) -> dict[str, Any]:
    counts = {"inputs": t.n_inputs, "kept": 0, "duplicates": 0, "rejected": 0, **t.counts}
    counts["accounting_ok"] = counts["kept"] + counts["duplicates"] + counts["rejected"] == t.n_inputs
    counts["skipped_already_processed"] = t.n_skipped
    counts["superseded"] = len(t.superseded)
    counts.setdefault("requeued", 0)
    return {
        "run": {"name": t.run_name, "inputs": t.inputs, "out": str(out_dir), "config_fingerprint": config_fingerprint(cfg),
                "nothing_to_do": t.n_inputs == 0},
        "counts": counts,
        "stages": stage_counts(t.n_inputs, dict(t.rejected_by_reason), counts["duplicates"]),
        "ingest": {"files": stats.files, "bytes": stats.bytes, "warc_records_skipped": stats.warc_records_skipped,
                   "hidden_files_skipped": stats.hidden_files_skipped,
                   "broken_links_skipped": stats.broken_links_skipped,
                   "special_files_skipped": stats.special_files_skipped},
        "rejected_by_reason": dict(sorted(t.rejected_by_reason.items())),
        "filters": {name: t.rejected_by_reason.get(name, 0) for name in ["language", *filter_names(cfg)]},
        "duplicates_by_method": dict(sorted(t.dup_methods.items())),
        "dedup": t.dedup_stats,
        "removals_by_rule": dict(sorted(t.removals.items())),
        "html_dropped_by_category": dict(sorted(t.html_dropped.items())),
        "languages": t.languages,
        "length_histogram": length_histogram(t.word_counts),
        "corpus_totals": manifest["totals"],
        "runs_so_far": len(manifest["runs"]),
        "timings_seconds": {k: round(v, 4) for k, v in sorted(t.timings.items())},
        "total_seconds": round(time.perf_counter() - t_start, 3),
    }


RUN_HISTORY = "run-history.jsonl"


def _record_run(out_dir: Path, report: dict[str, Any]) -> None:
    """One line per run in ``run-history.jsonl`` (idle and failed runs too): when, what status,
    what counts — the operator's log of a schedule."""
    from datetime import datetime, timezone

    from cleaning.report import run_status

    # An idle run commits nothing and takes no run number (the next real run gets it): null.
    name = None if report["run"].get("nothing_to_do") and not report["counts"].get("requeued") else report["run"]["name"]
    line = {"run": name, "finished_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "status": run_status(report).kind, "counts": {k: v for k, v in report["counts"].items() if k != "duplicates_by_method"}}
    with open(out_dir / RUN_HISTORY, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(line, sort_keys=True, ensure_ascii=False) + "\n")


def _write_report(out_dir: Path, report: dict[str, Any], manifest: dict[str, Any]) -> None:
    """report.json (machine), report.md (people, also the Prefect artifact), report.html (charts):
    one report model (cleaning.report.report_sections), the same sections in both."""
    with atomic_writer(out_dir / REPORT_JSON) as fh:
        json.dump(report, fh, indent=2, sort_keys=True, ensure_ascii=False, default=str)
        fh.write("\n")
    history = _history(report, manifest)
    with atomic_writer(out_dir / REPORT_MD) as fh:
        fh.write(render_markdown(report, history))
    with atomic_writer(out_dir / REPORT_HTML) as fh:
        fh.write(render_report_html(report, history))
    _record_run(out_dir, report)


def _history(report: dict[str, Any], manifest: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"name": r["name"], "counts": r["counts"], "duplicates_by_method": r["counts"].get("duplicates_by_method", {})}
            for r in manifest["runs"] if r["name"] != report["run"]["name"]]


def _attach_validation(report: dict[str, Any], validation: Any, out_dir: Path, committed: bool) -> None:
    report["run"]["committed"] = committed
    report["validation"] = validation.to_dict()


def _publish_validation(validation: Any) -> None:
    """Each suite's outcome in the Prefect UI: the failing expectations as a table (the UI cannot
    open the file:// Data Docs), and where the Data Docs are."""
    from cleaning.report import observed_text

    v = validation.to_dict()
    rows = [{"expectation": f"{s['name']}.{e['name']}", "column": e.get("column") or "",
             "severity": "critical" if e.get("critical") else "warning", "observed": observed_text(e),
             "why it matters": e.get("notes", "")}
            for s in v["suites"] for e in s["expectations"] if not e.get("success")]
    if rows:
        create_table_artifact(table=rows, key="newsclean-failing-expectations",
                              description="Expectations this run failed (Great Expectations)")
    create_markdown_artifact(
        markdown=validation.to_markdown(absolute_links=True)
        + f"\n\nData Docs (every expectation, with examples): open `{v['data_docs_index']}` on the machine that ran "
          "newsclean (a browser page from the Prefect UI cannot open local files).\n",
        key="newsclean-validation", description="Great Expectations validation of this run")


def _publish_artifacts(report: dict[str, Any], duplicates_part: Path, corpus_part: Path) -> None:
    """The run report and the biggest duplicate clusters (title, site, url, the copies' sites)."""
    create_markdown_artifact(markdown=render_markdown(report), key="newsclean-run-report",
                             description="newsclean run summary")
    rows = duplicate_cluster_rows(_duplicate_rows(duplicates_part), corpus_part)
    if rows:
        create_table_artifact(table=rows, key="newsclean-top-duplicate-clusters",
                              description="Largest duplicate clusters of this run")


def _duplicate_rows(duplicates_part: Path) -> list[Any]:
    """This run's duplicates part read back, as much as ``duplicate_cluster_rows`` uses of each."""
    from types import SimpleNamespace

    if not duplicates_part.is_file():
        return []
    with duplicates_part.open(encoding="utf-8") as fh:
        return [SimpleNamespace(duplicate_of=r["duplicate_of"], url=r.get("url"), source=r["source"])
                for r in map(json.loads, fh)]


def _site(url: str | None, source: str) -> str:
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname if url else None
    return host or Path(source).parent.name or source


def duplicate_cluster_rows(duplicates: list[Any], corpus_part: Path, limit: int = 20) -> list[dict[str, Any]]:
    """The largest clusters of this run: the kept copy's title, site and url, and the sites of
    its copies (kept copies from earlier runs are named by id)."""
    clusters: dict[str, list[Any]] = {}
    for d in duplicates:
        clusters.setdefault(d.duplicate_of, []).append(d)
    top = sorted(clusters.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:limit]
    wanted = {kept for kept, _ in top}
    kept_docs: dict[str, dict[str, Any]] = {}
    if wanted and corpus_part.is_file():
        with corpus_part.open(encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                if rec["id"] in wanted:
                    kept_docs[rec["id"]] = rec
    rows = []
    for kept, copies in top:
        doc = kept_docs.get(kept)
        rows.append({
            "kept_id": kept,
            "title": (doc or {}).get("title") or ("(kept by an earlier run)" if doc is None else ""),
            "site": (doc.get("sitename") or _site(doc.get("url"), doc.get("source", ""))) if doc else "",
            "url": (doc or {}).get("url") or "",
            "copies": len(copies),
            "copies_sites": ", ".join(sorted({_site(c.url, c.source) for c in copies})),
        })
    return rows


def default_workers() -> int:
    """Worker processes used when ``--workers`` is not given: one per CPU this process may use
    (0, the in-process thread runner, on a single CPU, where extra processes only add overhead)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    return cpus if cpus > 1 else 0


def auto_workers(cfg: dict[str, Any], input_bytes: int) -> int:
    """The CLI's default ``--workers``: a worker process per CPU when the inputs are at least
    ``[pipeline] process_pool_min_bytes`` (each worker pays ~3 s of CPU to start: Python,
    Prefect, the cleaning library), else 0 — small runs such as the seeds stay in-process."""
    if input_bytes < int(cfg["pipeline"].get("process_pool_min_bytes", 0)):
        return 0
    return default_workers()


def flow_with_runner(workers: int | None = None, dask_address: str | None = None, dask_workers: int = 0,
                     time_limited: bool = True) -> Any:
    """The flow with its task runner chosen for where it runs.

    ``workers`` (default: one per CPU, see :func:`default_workers`): how many batches run their
    per-document stages at once, each in a process of its own. With the per-document time limit
    on (``time_limited``: ``doc_timeout_seconds`` > 0) every batch already runs its stages in a
    time-limit worker process (cleaning/timelimit.py, at most one per CPU), so ``workers``
    threads of this process drive that many of them (Prefect's ``ThreadPoolTaskRunner``): a pool
    of worker processes in front of them only added a ~240 MB process per worker and the
    batches' round trips (30k documents, 2 cores: 93.0/94.1 s wall with a pool of 2 against
    94.4/94.7 s, 4% less CPU and 1.61 against 1.32 GB peak for the process tree without).
    Without the time limit, ``workers`` processes of Prefect's ``ProcessPoolTaskRunner`` run the
    tasks. ``workers=0``: Prefect's default thread pool in this process (the cheapest start-up
    for tiny inputs). ``dask_workers``: a local Dask cluster of that many single-threaded worker
    processes instead. ``dask_address``: an existing Dask cluster (``tcp://scheduler:8786``);
    its workers must see the same file system paths for inputs and the output folder.
    """
    if workers is None:
        workers = default_workers()
    if dask_address or dask_workers:
        from prefect_dask import DaskTaskRunner

        if dask_address:
            runner = DaskTaskRunner(address=dask_address)
        else:
            runner = DaskTaskRunner(cluster_kwargs={"n_workers": dask_workers, "threads_per_worker": 1,
                                                    "processes": True, "dashboard_address": None})
        return newsclean_flow.with_options(task_runner=runner)
    if not workers:
        return newsclean_flow
    if time_limited:
        from prefect.task_runners import ThreadPoolTaskRunner

        return newsclean_flow.with_options(task_runner=ThreadPoolTaskRunner(max_workers=workers))
    from prefect.task_runners import ProcessPoolTaskRunner

    return newsclean_flow.with_options(task_runner=ProcessPoolTaskRunner(max_workers=workers,
                                                                         initializer=pool_worker_init))


def pool_worker_init() -> None:
    """Initializer of the process-pool workers. They ignore SIGINT: a terminal's Ctrl-C reaches
    the whole process group, and the run itself decides (flows/interrupt.py) instead of every
    worker printing a traceback. And they skip Prefect's collection plugins: a worker rebuilding
    the flow run context for its first task looks up a block class, which imports every installed
    collection, i.e. prefect-dask with dask, distributed and tornado (~35 MB per worker, measured),
    none of which a process-pool worker uses (prefect-dask registers a task runner, no block)."""
    ignore_sigint()
    try:
        from prefect._internal.plugins import collections as plugins
    except ImportError:  # pragma: no cover - a Prefect without it loads what it loads
        return
    if getattr(plugins, "_collections", ...) is None:
        plugins._collections = {}
