"""The run report: what came in, what went where and why, how long each stage took."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

STAGE_ORDER = ("ingest", "extract", "clean", "language", "quality")


def stage_counts(inputs: int, rejected_by_reason: dict[str, int], duplicates: int) -> dict[str, int]:
    """Documents left after each stage, derived from where rejections came from."""
    left = inputs
    counts = {"read": inputs}
    for stage in STAGE_ORDER:
        left -= sum(n for reason, n in rejected_by_reason.items() if reason.split(".")[0] == stage)
        counts[f"after_{stage}"] = left
    counts["duplicates"] = duplicates
    counts["kept"] = left - duplicates
    return counts


def length_histogram(word_counts: list[int], edges: tuple[int, ...] = (0, 50, 100, 200, 400, 800, 1600, 3200)) -> dict[str, int]:
    hist: dict[str, int] = {}
    for lo, hi in zip(edges, edges[1:] + (None,)):
        label = f"{lo}-{hi - 1}" if hi is not None else f"{lo}+"
        hist[label] = sum(1 for w in word_counts if w >= lo and (hi is None or w < hi))
    return hist


# --------------------------------------------------------------------------- the report model
#
# One list of sections, built once from report.json's dict, rendered by render_markdown (here)
# and render_report_html (report_html.py, which adds charts): the two cannot drift apart.


@dataclass
class Section:
    """One part of the report: a title, sentences, and at most one table."""

    id: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    header: tuple[str, ...] = ()
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    empty: str = "None."  # said when there are no rows (and a header was expected)
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (relative path, label, what it is)


@dataclass
class Status:
    """The run's outcome, said first: ``kind`` is passed, warnings, failed, idle or broken."""

    kind: str
    headline: str
    details: list[str] = field(default_factory=list)


def run_status(report: dict[str, Any]) -> Status:
    run, c = report.get("run", {}), report.get("counts", {})
    validation = report.get("validation") or {}
    if run.get("nothing_to_do"):
        skipped = c.get("skipped_already_processed", 0)
        return Status("idle", "Nothing to do: no new or changed inputs"
                      + (f" ({skipped:,} already processed)." if skipped else "."))
    if not c.get("accounting_ok", True):
        return Status("broken", "BROKEN: kept + duplicates + rejected do not add up to the inputs; nothing committed.")
    if validation and not validation.get("success", True):
        critical = validation.get("critical_failures", [])
        details = [f"{name}: {observed}" for name, observed in _failed_expectations(validation, critical=True)]
        return Status("failed", f"FAILED validation ({len(critical)} critical): nothing of this run was committed; "
                      "its inputs stay unprocessed, so fixing the cause and re-running redoes exactly this work.",
                      details)
    warnings = validation.get("warnings", []) if validation else []
    committed = run.get("committed", True)
    head = "Committed" if committed else "Done"
    if validation:
        head += ": validation passed"
    if warnings:
        return Status("warnings", f"{head}, with {len(warnings)} warning(s): {', '.join(warnings)}.")
    return Status("passed", head + ".")


def observed_text(expectation: dict[str, Any]) -> str:
    """What a failed expectation saw: the observed value, or how many rows and which values."""
    obs = expectation.get("observed") or {}
    if "error" in obs:
        return f"error: {obs['error']}"
    if "observed_value" in obs:
        text = f"observed {obs['observed_value']}"
    elif "unexpected_count" in obs:
        text = f"{obs['unexpected_count']} of {obs.get('element_count', '?')} rows"
    else:
        text = "failed"
    values = [e["value"] for e in expectation.get("examples") or [] if "value" in e]
    if values:
        shown = ", ".join(repr(v) if not isinstance(v, str) else repr(v[:60]) for v in values[:5])
        text += f"; values {shown}"
    return text


def _failed_expectations(validation: dict[str, Any], critical: bool | None = None) -> list[tuple[str, str]]:
    out = []
    for suite in validation.get("suites", []):
        for e in suite.get("expectations", []):
            if e.get("success") or (critical is not None and bool(e.get("critical")) != critical):
                continue
            out.append((f"{suite.get('name', '')}.{e.get('name', '')}", observed_text(e)))
    return out


OUTPUT_FILES = (
    ("corpus.jsonl", "kept documents"),
    ("rejected.jsonl", "rejected inputs, with reasons"),
    ("duplicates.jsonl", "copies of kept documents"),
    ("report.json", "this report's figures"),
)


def report_sections(report: dict[str, Any], history: list[dict[str, Any]] | None = None) -> list[Section]:
    """The report as sections, status first (used by report.md, report.html and the Prefect artifact)."""
    run, c = report.get("run", {}), report["counts"]
    status = run_status(report)
    ok = "holds" if c.get("accounting_ok") else "BROKEN"
    summary = Section("summary", "Summary", [
        f"Inputs: {c['inputs']:,} → kept {c['kept']:,}, duplicates {c['duplicates']:,}, rejected {c['rejected']:,} "
        f"(accounting {ok}: kept + duplicates + rejected = inputs)."])
    notes = []
    if c.get("skipped_already_processed") and not run.get("nothing_to_do"):
        notes.append(f"{c['skipped_already_processed']:,} input(s) skipped as already processed")
    if c.get("superseded"):
        notes.append(f"{c['superseded']:,} earlier document(s) superseded by changed inputs")
    if notes:
        summary.paragraphs.append("; ".join(notes) + ".")
    if run.get("inputs"):
        summary.paragraphs.append("Read from: " + ", ".join(f"`{i}`" for i in run["inputs"])
                                  + (f" · config `{run['config_fingerprint']}`" if run.get("config_fingerprint") else ""))
    validation = report.get("validation") or {}
    links = [(name, name, what) for name, what in OUTPUT_FILES]
    if validation.get("data_docs_index"):
        links.append(("validation/index.html", "validation/index.html", "Great Expectations Data Docs"))
    outputs = Section("outputs", "Outputs", links=links)

    dedup = report.get("dedup") or {}
    syndication = dedup.get("syndication_clusters") or []
    scalar = [(k, v) for k, v in sorted(dedup.items()) if isinstance(v, (int, float, str, bool))]
    order = ["read", *(f"after_{s}" for s in STAGE_ORDER), "duplicates", "kept"]
    stages = sorted(report.get("stages", {}).items(),
                    key=lambda kv: (order.index(kv[0]) if kv[0] in order else len(order), kv[0]))
    hist = sorted((report.get("length_histogram") or {}).items(), key=lambda kv: _bin_start(kv[0]))
    runs = [*(history or []), report][-HISTORY_MAX_RUNS:]
    timings = [(k, f"{float(v):.3f}") for k, v in report.get("timings_seconds", {}).items()]
    if "total_seconds" in report:
        timings.append(("total (wall clock)", f"{float(report['total_seconds']):.3f}"))
    sections = [
        Section("status", "Status", [status.headline, *status.details]),
        summary,
        outputs,
        Section("stages", "Documents after each stage", header=("stage", "documents"), rows=stages),
        Section("ingest", "Ingest", header=("measure", "value"), rows=list((report.get("ingest") or {}).items())),
        Section("rejected", "Rejected by reason", header=("reason", "documents"),
                rows=sorted(report.get("rejected_by_reason", {}).items())),
        Section("filters", "Language and quality filters (documents rejected by each, zeros included)",
                header=("filter", "rejected"), rows=list(report.get("filters", {}).items())),
        Section("duplicates", "Duplicates", header=("method", "documents"),
                rows=sorted(report.get("duplicates_by_method", {}).items())),
        Section("dedup-details", "Deduplication details", header=("measure", "value"), rows=scalar),
        Section("duplicates-over-runs", "Duplicates over runs",
                [f"Duplicates found per run, last {len(runs)} run(s), oldest first."],
                header=("run", "inputs", "kept", "exact", "near", "duplicates"),
                rows=[(_run_name(r), r.get("counts", {}).get("inputs", 0), r.get("counts", {}).get("kept", 0),
                       *_dup_split(r).values()) for r in runs]),
        Section("syndication", "Syndication (duplicate clusters spanning several sites)",
                [f"{dedup['syndication_clusters_total']} such clusters; the largest {min(len(syndication), 20)} below."]
                if dedup.get("syndication_clusters_total") else [],
                header=("kept id", "documents", "sites"),
                rows=[(x["representative"], x["size"], ", ".join(x["sites"])) for x in syndication[:20]
                      if isinstance(x, dict)]),
        Section("removals", "Removals per cleaning rule (all cleaned documents, duplicates included)",
                header=("rule", "spans removed"), rows=sorted(report.get("removals_by_rule", {}).items())),
        Section("html-dropped", "HTML elements dropped before extraction (pre-pass, per category)",
                header=("category", "elements"), rows=sorted(report.get("html_dropped_by_category", {}).items())),
        Section("languages", "Languages (kept documents)", header=("language", "documents"),
                rows=sorted(report.get("languages", {}).items())),
        Section("lengths", "Document length (words, kept documents)", header=("words", "documents"), rows=hist),
    ]
    totals = report.get("corpus_totals")
    if totals:
        runs_so_far = report.get("runs_so_far")
        sections.append(Section("corpus", "Corpus after this run",
                                [f"All parts written by {runs_so_far:,} run(s) so far."] if runs_so_far is not None else [],
                                header=("output", "records"), rows=sorted(totals.items())))
    sections.append(Section("timings", "Stage timings (seconds, summed over batches)", header=("stage", "seconds"),
                            rows=timings))
    if validation:
        sections += _validation_sections(validation)
    return sections


def _validation_sections(validation: dict[str, Any]) -> list[Section]:
    critical, warnings = validation.get("critical_failures", []), validation.get("warnings", [])
    verdict = "passed" if validation.get("success") else f"FAILED ({len(critical)} critical)"
    if warnings:
        verdict += f", {len(warnings)} warning(s)"
    suites = validation.get("suites", [])
    main = Section("validation", "Validation", [f"Validation {verdict} — run `{validation.get('run_name', '')}`."],
                   header=("suite", "result", "expectations", "failed"),
                   rows=[(s.get("name", ""), "pass" if s.get("success") else "fail", s.get("evaluated", 0),
                          s.get("failed", 0)) for s in suites])
    if validation.get("data_docs_index"):
        main.links.append(("validation/index.html", "validation/index.html", "Data Docs: every expectation, with examples"))
    failed = [(suite.get("name", ""), e) for suite in suites for e in suite.get("expectations", []) if not e.get("success")]
    out = [main]
    if failed:
        out.append(Section("failed-expectations", "Failed expectations",
                           header=("expectation", "column", "severity", "observed", "why it matters"),
                           rows=[(f"{suite}.{e.get('name', '')}", e.get("column") or "—",
                                  "critical" if e.get("critical") else "warning", observed_text(e), e.get("notes", ""))
                                 for suite, e in failed]))
    return out


# Duplicates-over-runs shows the most recent runs only; a daily schedule fills a year otherwise.
HISTORY_MAX_RUNS = 30


def _dup_split(report: dict[str, Any]) -> dict[str, int]:
    """exact/near counts of a run; runs that only recorded a total count as ``method unknown``."""
    by_method = {k: int(v) for k, v in (report.get("duplicates_by_method") or {}).items()}
    total = int(report.get("counts", {}).get("duplicates", 0))
    split = {"exact": by_method.pop("exact", 0), "near": by_method.pop("near", 0)}
    other = max(total - split["exact"] - split["near"], sum(by_method.values()), 0)
    return {**split, "duplicates": split["exact"] + split["near"] + other}


def _run_name(report: dict[str, Any]) -> str:
    """A report's ``run.name``, or ``name`` for the manifest's per-run entries."""
    return str((report.get("run") or {}).get("name") or report.get("name") or "")


def _bin_start(label: str) -> int:
    """Numeric order for histogram labels like ``100-199`` and ``3200+`` (JSON sorts them as text)."""
    m = re.match(r"\d+", label)
    return int(m.group()) if m else 0


def _md_cell(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value).replace("|", "\\|").replace("\n", " ")
    return f"{value:,}" if isinstance(value, int) else f"{value:,.4g}"


def _table(rows: list[tuple[Any, ...]], header: tuple[str, ...]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def render_markdown(report: dict[str, Any], history: list[dict[str, Any]] | None = None) -> str:
    """report.md: the report's sections, status first, as Markdown."""
    status = run_status(report)
    parts = [f"# newsclean run report — {report['run']['name']}"]
    for sec in report_sections(report, history):
        parts += ["", f"## {sec.title}"]
        for i, para in enumerate(sec.paragraphs):
            parts += ["", f"**{para}**" if sec.id == "status" and i == 0 and status.kind in ("failed", "broken") else
                      ("- " + para if sec.id == "status" and i else para)]
        if sec.links:
            parts += [""] + [f"- [{label}]({path}) — {what}" for path, label, what in sec.links]
        if sec.header:
            parts += ["", _table(sec.rows, sec.header) if sec.rows else sec.empty]
    return "\n".join(parts) + "\n"
