"""The run report: what came in, what went where and why, how long each stage took."""

from __future__ import annotations

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


def _table(rows: list[tuple[Any, ...]], header: tuple[str, ...]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def render_markdown(report: dict[str, Any]) -> str:
    """A report a person reads: accounting first, then reasons, removals, languages, timings."""
    c = report["counts"]
    ok = "holds" if c["accounting_ok"] else "**BROKEN**"
    parts = [
        f"# newsclean run report — {report['run']['name']}",
        "",
        f"Inputs: **{c['inputs']}** → kept **{c['kept']}**, duplicates **{c['duplicates']}**, "
        f"rejected **{c['rejected']}** (accounting {ok}: kept + duplicates + rejected = inputs).",
        "",
        "## Documents after each stage",
        _table([(k, v) for k, v in report["stages"].items()], ("stage", "documents")),
        "",
        "## Rejected by reason",
        _table(sorted(report["rejected_by_reason"].items()), ("reason", "documents")) if report["rejected_by_reason"] else "None.",
        "",
        "## Language and quality filters (documents rejected by each, zeros included)",
        _table(list(report.get("filters", {}).items()), ("filter", "rejected")) if report.get("filters") else "None.",
        "",
        "## Duplicates",
        _table(sorted(report["duplicates_by_method"].items()), ("method", "documents")) if report["duplicates_by_method"] else "None.",
        "",
        "## Syndication (duplicate clusters spanning several sites)",
        _table([(c["representative"], c["size"], ", ".join(c["sites"])) for c in report.get("dedup", {}).get("syndication_clusters", [])[:20]],
               ("kept id", "documents", "sites")) if report.get("dedup", {}).get("syndication_clusters") else "None.",
        "",
        "## Removals per cleaning rule (all cleaned documents, duplicates included)",
        _table(sorted(report["removals_by_rule"].items()), ("rule", "spans removed")) if report["removals_by_rule"] else "None.",
        "",
        "## HTML elements dropped before extraction (pre-pass, per category)",
        _table(sorted(report.get("html_dropped_by_category", {}).items()), ("category", "elements"))
        if report.get("html_dropped_by_category") else "None.",
        "",
        "## Languages (kept documents)",
        _table(sorted(report["languages"].items()), ("language", "documents")) if report["languages"] else "None.",
        "",
        "## Stage timings (seconds, summed over batches)",
        _table([(k, f"{v:.3f}") for k, v in report["timings_seconds"].items()], ("stage", "seconds")),
    ]
    for extra in report.get("sections_md", []):
        parts += ["", extra]
    return "\n".join(parts) + "\n"
