"""The newsclean Prefect flow: ingest → extract → clean → language → dedup → validate → write.

The flow body streams inputs in batches and keeps only a bounded number of batches in
flight, so memory follows the batch size, not the corpus size. Documents are staged to disk
after the per-document stages; dedup then works on compact signatures, and the write step
streams staged documents into the outputs.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter, deque
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.futures import PrefectFuture

from cleaning.config import config_fingerprint, load_config
from cleaning.document import Rejection
from cleaning.ingest import IngestStats, RawItem, iter_inputs
from cleaning.output import REPORT_JSON, REPORT_MD, atomic_writer
from cleaning.pipeline import batched
from cleaning.report import length_histogram, render_markdown, stage_counts

from .tasks import (
    StagedBatch,
    cleanup_task,
    clean_task,
    commit_index_task,
    dedup_task,
    extract_task,
    language_task,
    stage_task,
    write_task,
)

DEFAULT_INPUTS = ["seeds"]
DEFAULT_OUT = "output"


def _raw_row(item: RawItem | Rejection) -> dict[str, Any] | None:
    if isinstance(item, Rejection):
        return None
    return {"id": item.id, "source": item.source, "url": item.url, "content_chars": len(item.content), "kind": item.kind}


@flow(name="newsclean", description="Clean and deduplicate a scraped news corpus.")
def newsclean_flow(
    inputs: list[str] | None = None,
    out: str = DEFAULT_OUT,
    config_path: str | None = None,
    state_dir: str | None = None,
) -> dict[str, Any]:
    """Run the whole pipeline and return the run report (also written to ``out``)."""
    logger = get_run_logger()
    inputs = list(inputs or DEFAULT_INPUTS)
    cfg = load_config(config_path)
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    state = Path(state_dir) if state_dir else out_dir / "state"
    state.mkdir(parents=True, exist_ok=True)
    run_name = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + uuid.uuid4().hex[:6]
    staging = out_dir / ".staging" / run_name
    staging.mkdir(parents=True, exist_ok=True)
    t_start = time.perf_counter()

    batch_size = int(cfg["pipeline"]["batch_size"])
    max_in_flight = int(cfg["pipeline"].get("max_batches_in_flight", 4))
    stats = IngestStats()
    raw_rows: list[dict[str, Any]] = []
    in_flight: deque[PrefectFuture] = deque()
    staged: list[StagedBatch] = []
    n_inputs = 0
    t_ingest = 0.0

    items = iter_inputs(inputs, cfg, stats)
    while True:
        t0 = time.perf_counter()
        batch = next(batched(items, batch_size), None)
        t_ingest += time.perf_counter() - t0
        if batch is None:
            break
        n_inputs += len(batch)
        raw_rows.extend(r for r in map(_raw_row, batch) if r is not None)
        idx = len(staged) + len(in_flight)
        fut = stage_task.submit(
            language_task.submit(clean_task.submit(extract_task.submit(batch, cfg), cfg), cfg),
            cfg, str(staging), idx,
        )
        in_flight.append(fut)
        while len(in_flight) >= max_in_flight:
            staged.append(in_flight.popleft().result())
            _log_progress(logger, staged, t_start)
    while in_flight:
        staged.append(in_flight.popleft().result())
        _log_progress(logger, staged, t_start)

    signatures = [s for b in staged for s in b.signatures]
    t0 = time.perf_counter()
    outcome = dedup_task(signatures, cfg, str(state))
    t_dedup = time.perf_counter() - t0
    t0 = time.perf_counter()
    written = write_task(staged, outcome, str(out_dir))
    t_write = time.perf_counter() - t0
    commit_index_task(staged, outcome, cfg, str(state))
    cleanup_task(str(staging))

    timings: Counter[str] = Counter()
    for b in staged:
        timings.update(b.timings)
    timings["ingest"] = t_ingest
    timings["dedup"] = t_dedup
    timings["write"] = t_write
    removals: Counter[str] = Counter()
    for b in staged:
        removals.update(b.removals)
    rejected_by_reason = Counter(r.reason for b in staged for r in b.rejected)
    dup_methods = Counter(d.method for d in outcome.duplicates)
    counts = {
        "inputs": n_inputs,
        "kept": written["kept"],
        "duplicates": written["duplicates"],
        "rejected": written["rejected"],
    }
    counts["accounting_ok"] = counts["kept"] + counts["duplicates"] + counts["rejected"] == n_inputs
    report: dict[str, Any] = {
        "run": {"name": run_name, "inputs": inputs, "out": str(out_dir), "config_fingerprint": config_fingerprint(cfg)},
        "counts": counts,
        "stages": stage_counts(n_inputs, dict(rejected_by_reason), written["duplicates"]),
        "ingest": {"files": stats.files, "bytes": stats.bytes, "warc_records_skipped": stats.warc_records_skipped,
                   "hidden_files_skipped": stats.hidden_files_skipped},
        "rejected_by_reason": dict(sorted(rejected_by_reason.items())),
        "duplicates_by_method": dict(sorted(dup_methods.items())),
        "dedup": outcome.stats,
        "removals_by_rule": dict(sorted(removals.items())),
        "languages": written["languages"],
        "length_histogram": length_histogram(written["word_counts"]),
        "timings_seconds": {k: round(v, 4) for k, v in sorted(timings.items())},
        "total_seconds": round(time.perf_counter() - t_start, 3),
    }
    if not counts["accounting_ok"]:
        raise RuntimeError(f"accounting broken: {counts}")
    with atomic_writer(out_dir / REPORT_JSON) as fh:
        json.dump(report, fh, indent=2, sort_keys=True, ensure_ascii=False, default=str)
        fh.write("\n")
    markdown = render_markdown(report)
    with atomic_writer(out_dir / REPORT_MD) as fh:
        fh.write(markdown)
    create_markdown_artifact(markdown=markdown, key="newsclean-run-report", description="newsclean run summary")
    logger.info("newsclean: %d inputs → %d kept, %d duplicates, %d rejected", n_inputs, counts["kept"],
                counts["duplicates"], counts["rejected"])
    return report


def _log_progress(logger: Any, staged: list[StagedBatch], t_start: float) -> None:
    docs = sum(b.n_docs + len(b.rejected) for b in staged)
    elapsed = max(time.perf_counter() - t_start, 1e-9)
    logger.info("batch %d done: %d documents so far, %.1f docs/s", len(staged), docs, docs / elapsed)
