"""Validation with Great Expectations: suites from ``expectations/*.json``, offline Data Docs.

Three suites check a run: ``raw_documents`` (what ingest produced), ``clean_corpus`` (what is
written) and ``run_summary`` (the run's accounting). Suites are plain JSON that users edit; their
kwargs may refer to config values (``{"$config": "validation.word_count.min"}``), resolved here
at load time, so thresholds live in ``cleaning/config/*.toml`` only (see ``validation.toml``).

Each expectation carries ``meta.name`` (the name reports use), ``meta.notes`` (why it exists)
and ``meta.critical``. A failed critical expectation fails the run (``raise_for_critical``);
the others are warnings in the report.

GX runs with an ephemeral context, no usage statistics and no progress bars. Validation results
are kept as JSON under ``<out>/validation/results/`` so the Data Docs index in
``<out>/validation/index.html`` lists every run made into the same output folder. The pages GX
renders load CSS/JS from CDNs; ``make_offline`` copies the same files (vendored from npm, see
``cleaning/datadocs_assets/README.md``) into the site and points the pages at them.

Great Expectations is imported lazily: importing this module costs nothing, the first
validation pays GX's import (~3.5 s).
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
import logging
import re
import shutil
import time
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import Config, ConfigError

__all__ = [
    "ExpectationOutcome",
    "SuiteOutcome",
    "ValidationFailed",
    "ValidationReport",
    "load_suite",
    "raise_for_critical",
    "validate_corpus_file",
    "validate_run",
]

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The project's expectations/ folder; an installed wheel carries it as cleaning/expectations/.
DEFAULT_SUITES_DIR = next(
    (d for d in (PROJECT_ROOT / "expectations", Path(__file__).resolve().parent / "expectations") if d.is_dir()),
    PROJECT_ROOT / "expectations",
)
ASSETS_DIR = Path(__file__).resolve().parent / "datadocs_assets" / "vendor"

RAW_SUITE = "raw_documents"
CORPUS_SUITE = "clean_corpus"
SUMMARY_SUITE = "run_summary"
SUITE_NAMES = (RAW_SUITE, CORPUS_SUITE, SUMMARY_SUITE)

SITE_DIRNAME = "validation"  # Data Docs site: <out_dir>/validation/index.html
RESULTS_DIRNAME = "results"  # GX validation results (JSON) inside the site folder
SITE_NAME = "newsclean"
VENDOR_PREFIX = "static/vendor/"  # where ASSETS_DIR is copied inside the site

RAW_COLUMNS = ("id", "source", "url", "content_chars", "kind")
# corpus.jsonl's fields (cleaning/output.py corpus_record): the columns of an empty corpus.
CORPUS_COLUMNS = ("id", "source", "url", "title", "published", "author", "sitename", "language",
                  "language_score", "text", "word_count", "content_hash", "removed", "cluster_id",
                  "cluster_size", "metadata")
SUMMARY_COUNTS = ("inputs", "kept", "rejected", "duplicates")
# Corpus fields that hold lists/dicts: summarized into scalar columns, not handed to GX.
_NESTED_CORPUS_COLUMNS = ("removed", "metadata")

# Every remote asset the GX 1.24.1 page templates load, and the vendored file that replaces it.
# Provenance, versions and licences: cleaning/datadocs_assets/README.md.
OFFLINE_ASSETS: dict[str, str] = {
    "https://cdn.jsdelivr.net/npm/vega@5": "vega-5.33.1/vega.min.js",
    "https://cdn.jsdelivr.net/npm/vega-lite@5": "vega-lite-5.23.0/vega-lite.min.js",
    "https://cdn.jsdelivr.net/npm/vega-embed@6": "vega-embed-6.29.0/vega-embed.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css":
        "fontawesome-free-6.6.0/css/all.min.css",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery-3.7.1/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js":
        "popper.js-1.12.9/popper.min.js",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js":
        "bootstrap-4.3.1/bootstrap.min.js",
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css":
        "bootstrap-4.3.1/bootstrap.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js":
        "bootstrap-table-1.19.1/bootstrap-table.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css":
        "bootstrap-table-1.19.1/bootstrap-table.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js":
        "bootstrap-table-1.19.1/bootstrap-table-filter-control.min.js",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css":
        "bootstrap-table-1.19.0/bootstrap-table-filter-control.min.css",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css":
        "bootstrap-table-1.19.0/bootstrap-table-filter-control.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css":
        "bootstrap-datepicker-1.9.0/bootstrap-datepicker.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js":
        "bootstrap-datepicker-1.9.0/bootstrap-datepicker.min.js",
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css":
        "bootstrap-dark-1.1.0/bootstrap-prefers-dark.min.css",
}
# The navbar logo comes from S3 with a cache-busting query string (?d=<now>&dataContextId=...).
_S3_LOGOS = (
    (re.compile(r"https://great-expectations-web-assets\.s3\.us-east-2\.amazonaws\.com/"
                r"logo-long\.png[^\"')\s]*"), "newsclean-logo.svg"),
    (re.compile(r"https://great-expectations-web-assets\.s3\.us-east-2\.amazonaws\.com/"
                r"full_logo_dark\.png"), "newsclean-logo-dark.svg"),
)
# Subresource-integrity attributes: the hash is the CDN file's, and a `crossorigin` script is
# blocked on file:// pages by Chromium. Local files need neither.
_SRI_ATTRS = re.compile(r'\s+(?:integrity="[^"]*"|crossorigin="[^"]*")')
# What a browser would fetch at load time: scripts, stylesheets, images, CSS url(...).
_REMOTE_LOAD = re.compile(
    r"""<(?:script|img)\b[^>]*\bsrc=["'](https?://[^"']+)["']"""
    r"""|<link\b[^>]*\bhref=["'](https?://[^"']+)["']"""
    r"""|url\(\s*["']?(https?://[^"')\s]+)"""
)

# Used only if cleaning.clean has no trailer_marker_patterns(config) (the cleaner's own regexes,
# preferred): the line starts of the trailers named in the issue, at the start of any line.
_FALLBACK_TRAILER_MARKERS: tuple[tuple[str, str], ...] = (
    ("read_more", r"(?im)^[ \t]*read more\b"),
    ("related_content", r"(?im)^[ \t]*related (?:content|articles|stories)\b"),
    ("skip_to_content", r"(?im)^[ \t]*skip to (?:main )?content\b"),
    ("photo_credit", r"(?m)^[ \t]*(?:Photo|PHOTO|Image|IMAGE)s?:"),
)


# --------------------------------------------------------------------------- errors & report


class ValidationFailed(Exception):
    """A critical expectation failed: the corpus must not be trusted as is.

    The message names each failed critical expectation with examples; ``.report`` holds the
    full report. Picklable, so a Prefect task can raise it across processes.
    """

    def __init__(self, report: ValidationReport | str) -> None:
        self.report = report if isinstance(report, ValidationReport) else None
        super().__init__(report.failure_message() if isinstance(report, ValidationReport) else report)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.report if self.report is not None else str(self),))


@dataclass(frozen=True, slots=True)
class ExpectationOutcome:
    """One expectation's result, in the terms a user reads: name, why, what was seen, examples."""

    suite: str
    name: str
    type: str
    column: str | None
    critical: bool
    success: bool
    notes: str
    observed: dict[str, Any]
    examples: list[dict[str, Any]]

    @property
    def full_name(self) -> str:
        return f"{self.suite}.{self.name}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "column": self.column,
            "critical": self.critical,
            "success": self.success,
            "notes": self.notes,
            "observed": self.observed,
            "examples": self.examples,
        }

    def describe(self) -> str:
        """One line: what failed, on which column, what was observed, examples."""
        where = f" on `{self.column}`" if self.column else ""
        text = f"{self.full_name} ({self.type}{where}): {_observed_text(self.observed)}"
        if self.examples:
            text += "; e.g. " + "; ".join(_example_text(e) for e in self.examples)
        return text


@dataclass(frozen=True, slots=True)
class SuiteOutcome:
    name: str
    success: bool
    expectations: list[ExpectationOutcome]
    page: Path | None = None  # this run's Data Docs page for the suite

    @property
    def failed(self) -> list[ExpectationOutcome]:
        return [e for e in self.expectations if not e.success]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "success": self.success,
            "evaluated": len(self.expectations),
            "failed": len(self.failed),
            "expectations": [e.to_dict() for e in self.expectations],
        }


@dataclass(slots=True)
class ValidationReport:
    """What validation found. ``success`` is False only when a critical expectation failed."""

    run_name: str
    suites: list[SuiteOutcome]
    out_dir: Path
    data_docs_index: Path
    run_time: str = ""  # ISO UTC; GX's run id. Not in to_dict(): same input, same dict.
    remote_assets_left: list[str] = field(default_factory=list)
    # Seconds per step (frames, validate, data_docs, offline): for logs and benchmarks only.
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def success(self) -> bool:
        return not self.critical_failures

    @property
    def critical_failures(self) -> list[ExpectationOutcome]:
        return [e for s in self.suites for e in s.failed if e.critical]

    @property
    def warnings(self) -> list[ExpectationOutcome]:
        return [e for s in self.suites for e in s.failed if not e.critical]

    @property
    def pages(self) -> dict[str, Path]:
        return {s.name: s.page for s in self.suites if s.page is not None}

    def suite(self, name: str) -> SuiteOutcome:
        for s in self.suites:
            if s.name == name:
                return s
        raise KeyError(f"no suite {name!r} in this report; have {[s.name for s in self.suites]}")

    def failed_names(self) -> set[str]:
        """``{"clean_corpus.id_unique", ...}``: every failed expectation, critical or not."""
        return {e.full_name for s in self.suites for e in s.failed}

    def to_dict(self) -> dict[str, Any]:
        """JSON-serializable, in a fixed order, without run time or absolute paths."""
        return {
            "run_name": self.run_name,
            "success": self.success,
            "data_docs_index": _relative(self.data_docs_index, self.out_dir),
            "critical_failures": [e.full_name for e in self.critical_failures],
            "warnings": [e.full_name for e in self.warnings],
            "suites": [s.to_dict() for s in self.suites],
        }

    def to_markdown(self, relative_to: Path | None = None, absolute_links: bool = False) -> str:
        """Per suite: pass/fail, failed expectations with observed values, link to Data Docs.

        Links are relative to ``relative_to`` (default: the output folder, where report.md is),
        or ``file://`` URIs with ``absolute_links`` (a Prefect artifact is not read from disk).
        """
        base = relative_to if relative_to is not None else self.out_dir

        def link(path: Path) -> str:
            return Path(path).resolve().as_uri() if absolute_links else _relative(path, base)

        index_link = link(self.data_docs_index)
        n_crit, n_warn = len(self.critical_failures), len(self.warnings)
        verdict = "passed" if self.success else f"FAILED ({n_crit} critical)"
        if n_warn:
            verdict += f", {n_warn} warning(s)"
        lines = [
            "## Validation",
            "",
            f"**{verdict}** — run `{self.run_name}` — Data Docs: [{index_link}]({index_link})",
            "",
            "| Suite | Result | Expectations | Failed (critical) |",
            "|---|---|---|---|",
        ]
        for s in self.suites:
            crit = sum(1 for e in s.failed if e.critical)
            result = "pass" if s.success else "**fail**"
            lines.append(f"| {s.name} | {result} | {len(s.expectations)} | {len(s.failed)} ({crit}) |")
        for s in self.suites:
            lines += ["", f"### {s.name}: {'pass' if s.success else 'fail'}", ""]
            if s.page is not None:
                page = link(s.page)
                lines += [f"Data Docs page: [{page}]({page})", ""]
            if not s.failed:
                lines.append(f"All {len(s.expectations)} expectations met.")
                continue
            lines += ["| Expectation | Column | Severity | Observed | Examples |", "|---|---|---|---|---|"]
            for e in s.failed:
                examples = "; ".join(_example_text(x) for x in e.examples) or "—"
                lines.append(
                    f"| {e.name} | {e.column or '—'} | {'critical' if e.critical else 'warning'} "
                    f"| {_md_cell(_observed_text(e.observed))} | {_md_cell(examples)} |"
                )
        return "\n".join(lines) + "\n"

    def failure_message(self) -> str:
        failures = self.critical_failures
        head = (
            f"validation run {self.run_name!r}: {len(failures)} critical expectation(s) failed"
            if failures else f"validation run {self.run_name!r}: no critical failure"
        )
        body = [f"- {e.describe()}\n  why it matters: {e.notes}" for e in failures]
        return "\n".join([head, *body, f"Data Docs: {self.data_docs_index}"])


def raise_for_critical(report: ValidationReport) -> None:
    """Raise ``ValidationFailed`` (naming each failed critical expectation) if there is one."""
    if report.critical_failures:
        raise ValidationFailed(report)


# --------------------------------------------------------------------------- suites & config


def _lookup(config: Config, dotted: str) -> Any:
    node: Any = config
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(dotted)
        node = node[part]
    return node


def resolve_reference(value: Any, config: Config, *, _depth: int = 0) -> Any:
    """Replace ``{"$config": ...}``/``{"$languages": ...}``/``{"$date": ...}``/
    ``{"$trailer_markers": true}`` directives (anywhere in ``value``) by what they point at."""
    if _depth > 10:
        raise ConfigError("validation config references nest too deep (a reference cycle?)")
    if isinstance(value, list):
        return [resolve_reference(v, config, _depth=_depth + 1) for v in value]
    if not isinstance(value, dict):
        return value
    if "$config" in value:
        path = value["$config"]
        try:
            found = _lookup(config, path)
        except KeyError:
            if "default" not in value:
                raise ConfigError(f"validation refers to config key {path!r}, which does not exist") from None
            found = value["default"]
        return resolve_reference(found, config, _depth=_depth + 1)
    if "$languages" in value:
        keep = resolve_reference({"$config": value["$languages"]}, config, _depth=_depth + 1)
        if keep == "all":
            keep = _lookup(config, "validation.languages.known")
        if isinstance(keep, str):
            keep = [keep]
        return sorted(keep)
    if "$date" in value:
        # Midnight of that day, as a datetime string: GX's pydantic model turns a bare date
        # string into a datetime.date, which pandas cannot compare with a datetime64 column.
        day = resolve_reference({"$config": value["$date"]}, config, _depth=_depth + 1)
        if day == "today":
            day = dt.datetime.now(dt.UTC).date()
        return f"{dt.date.fromisoformat(str(day)).isoformat()}T00:00:00"
    if "$trailer_markers" in value:
        return [combined_trailer_regex(config)]
    return {k: resolve_reference(v, config, _depth=_depth + 1) for k, v in value.items()}


def trailer_patterns(config: Config) -> list[tuple[str, str]]:
    """The cleaner's trailer-marker regexes as ``(name, regex)``; a small fallback until it has them.

    Patterns get the multiline flag when they carry no inline flags of their own: the cleaner
    matches line by line, the expectation matches whole texts.
    """
    try:
        from .clean import trailer_marker_patterns  # type: ignore[attr-defined]

        patterns = list(trailer_marker_patterns(config))
    except (ImportError, AttributeError):
        patterns = list(_FALLBACK_TRAILER_MARKERS)
    out = []
    for name, regex in patterns:
        regex = regex if regex.startswith("(?") else f"(?m){regex}"
        re.compile(regex)  # a bad pattern fails here with its name in the traceback
        out.append((name, regex))
    return out


_INLINE_FLAGS = re.compile(r"^\(\?([aiLmsux]+)\)")


def combined_trailer_regex(config: Config) -> str:
    """All trailer-marker patterns as one regex: the same matches, one pass over each text.

    GX runs each regex of a list over every text; Python's ``re`` has no fast scan for a
    multiline ``^``, so four patterns cost four full scans (~3x slower on 100k articles).
    Patterns that share their inline flags (the cleaner's all do) are merged; a leading ``^``
    common to all is factored out. Which marker matched is recovered for the report's examples.
    """
    patterns = [regex for _, regex in trailer_patterns(config)]
    heads = [_INLINE_FLAGS.match(p) for p in patterns]
    flags = {h[1] if h else "" for h in heads}
    if len(flags) > 1:  # mixed flags: each pattern keeps its own as a scoped group
        return "|".join(f"(?{h[1]}:{p[h.end():]})" if h else f"(?:{p})" for p, h in zip(patterns, heads))
    flag = flags.pop()
    bodies = [p[h.end():] if h else p for p, h in zip(patterns, heads)]
    prefix = f"(?{flag})" if flag else ""
    if all(b.startswith("^") for b in bodies):
        return prefix + "^(?:" + "|".join(f"(?:{b[1:]})" for b in bodies) + ")"
    return prefix + "(?:" + "|".join(f"(?:{b})" for b in bodies) + ")"


def suites_dir(config: Config) -> Path:
    configured = config.get("validation", {}).get("suites_dir") or ""
    return Path(configured) if configured else DEFAULT_SUITES_DIR


def load_suite(name: str, config: Config) -> dict[str, Any]:
    """Read ``<suites_dir>/<name>.json`` and resolve its config references and severities."""
    path = suites_dir(config) / f"{name}.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"expectation suite {name!r} not found at {path}") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"expectation suite {path} is not valid JSON: {exc}") from exc
    severity = config.get("validation", {}).get("severity", {})
    suite: dict[str, Any] = {"name": raw.get("name", name), "meta": raw.get("meta", {}), "expectations": []}
    if suite["meta"].get("notes"):
        suite["notes"] = suite["meta"]["notes"]
    seen: set[str] = set()
    for i, exp in enumerate(raw.get("expectations", [])):
        meta = dict(exp.get("meta") or {})
        meta.setdefault("name", f"{exp['type']}_{i}")
        if meta["name"] in seen:
            raise ConfigError(f"suite {path}: two expectations named {meta['name']!r}")
        seen.add(meta["name"])
        override = severity.get(f"{suite['name']}.{meta['name']}")
        if override is not None:
            if override not in ("critical", "warning"):
                raise ConfigError(f"validation.severity: {override!r} is not 'critical' or 'warning'")
            meta["critical"] = override == "critical"
        meta["critical"] = bool(meta.get("critical", False))
        kwargs = resolve_reference(copy.deepcopy(exp.get("kwargs", {})), config)
        # GX 1.x renders an expectation's top-level `notes` (a comment icon in Data Docs), not
        # meta.notes: mirror it there so the "why" is one click away in the pages too.
        entry = {"type": exp["type"], "kwargs": kwargs, "meta": meta}
        if meta.get("notes"):
            entry["notes"] = meta["notes"]
        suite["expectations"].append(entry)
    return suite


def check_severity_names(config: Config) -> None:
    """Every ``[validation.severity]`` key must name an expectation of a suite: a misspelled
    name would silently leave that expectation at its default severity."""
    severity = config.get("validation", {}).get("severity", {})
    if not severity:
        return
    known = set()
    for name in SUITE_NAMES:
        suite = load_suite(name, config)
        known |= {f"{suite['name']}.{e['meta']['name']}" for e in suite["expectations"]}
    unknown = sorted(set(severity) - known)
    if unknown:
        raise ConfigError(f"validation.severity names no expectation: {unknown}; known: {sorted(known)}")


# --------------------------------------------------------------------------- frames


def raw_frame(raw_rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """One row per ingested document; the contract columns even when there are no rows."""
    import pandas as pd

    frame = pd.DataFrame([{c: r.get(c) for c in RAW_COLUMNS} for r in raw_rows], columns=list(RAW_COLUMNS))
    return frame


def _has_removal(value: Any, ignore_rules: frozenset[str]) -> int:
    if value is None or isinstance(value, float):  # None / NaN from a file
        return 0
    rules = (r.get("rule") if isinstance(r, dict) else getattr(r, "rule", None) for r in value)  # dict or Removal
    return int(any(rule not in ignore_rules for rule in rules))


def corpus_frame(rows: Sequence[dict[str, Any]] | pd.DataFrame, ignore_rules: Sequence[str] = ()) -> pd.DataFrame:
    """The corpus as GX sees it: scalar contract columns plus two derived ones.

    ``has_removal`` (1 if cleaning removed a span by a rule not in ``ignore_rules``) feeds the
    removal-share check;
    ``published_date`` (the date part of ``published``, datetime64, NaT if absent or not a date)
    feeds the date-range check; ``title_missing`` (1 for a missing title where the input carries
    one) feeds the title check. Blank titles become missing: an empty string is no title.
    """
    import pandas as pd

    frame = rows.copy() if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    if frame.empty and len(frame.columns) == 0:  # nothing kept: an empty table, not a broken one
        frame = pd.DataFrame(columns=list(CORPUS_COLUMNS))
    if "removed" in frame.columns:
        ignored = frozenset(ignore_rules)
        frame["has_removal"] = frame["removed"].map(lambda r: _has_removal(r, ignored)).astype("int64")
    # Which rows should have a title: documents extracted from HTML (metadata.input_kind), and
    # rows that do not say (a corpus file from elsewhere) — plain-text inputs often have none.
    if "metadata" in frame.columns:
        title_expected = frame["metadata"].map(lambda m: not (isinstance(m, dict) and m.get("input_kind") == "text"))
    else:
        title_expected = pd.Series(True, index=frame.index)
    frame = frame.drop(columns=[c for c in _NESTED_CORPUS_COLUMNS if c in frame.columns])
    if "title" in frame.columns:
        title = frame["title"].astype("object")
        blank = title.map(lambda t: isinstance(t, str) and not t.strip())
        frame["title"] = title.where(~blank, None)
        frame["title_missing"] = (frame["title"].isna() & title_expected.astype(bool)).astype("int64")
    if "published" in frame.columns:
        day = frame["published"].astype("string").str.slice(0, 10)
        frame["published_date"] = pd.to_datetime(day, format="%Y-%m-%d", errors="coerce").astype("datetime64[ns]")
    return frame.reset_index(drop=True)


def summary_frame(summary: dict[str, Any]) -> pd.DataFrame:
    """One row: the run's counts, ``accounted`` = kept + rejected + duplicates, and the ratios."""
    import pandas as pd

    missing = [k for k in SUMMARY_COUNTS if k not in summary]
    if missing:
        raise ValueError(f"run summary lacks {missing}; it needs {list(SUMMARY_COUNTS)}")
    counts = {k: int(summary[k]) for k in SUMMARY_COUNTS}
    inputs = counts["inputs"]
    row = {
        **counts,
        "accounted": counts["kept"] + counts["rejected"] + counts["duplicates"],
        "duplicate_ratio": counts["duplicates"] / inputs if inputs else 0.0,
        "rejection_ratio": counts["rejected"] / inputs if inputs else 0.0,
    }
    return pd.DataFrame([row])


def _json_text_value(value: Any) -> Any:
    """A nested column's value from Parquet: JSON text decoded, anything else as it is."""
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def read_corpus_file(path: Path) -> pd.DataFrame:
    """A corpus written by the flow: ``.jsonl``/``.json`` lines or ``.parquet``."""
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"corpus file not found: {path}")
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        frame = pd.read_parquet(path)
        for col in _NESTED_CORPUS_COLUMNS:  # newsclean's Parquet parts hold them as JSON text
            if col in frame.columns:
                frame[col] = frame[col].map(_json_text_value)
        return frame
    if suffix in (".jsonl", ".json", ".ndjson"):
        rows = []
        with path.open(encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{lineno}: not a JSON line: {exc}") from exc
        return pd.DataFrame(rows)
    raise ValueError(f"{path}: unknown corpus format {suffix!r} (expected .jsonl or .parquet)")


# --------------------------------------------------------------------------- GX


@contextlib.contextmanager
def _quiet_gx() -> Iterator[None]:
    """GX logs warnings and progress for things that are fine here; keep the run's output clean."""
    gx_log = logging.getLogger("great_expectations")
    previous = gx_log.level
    gx_log.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        gx_log.setLevel(previous)


def _gx_context(site_dir: Path) -> Any:
    """An ephemeral GX context whose results store and Data Docs site live in ``site_dir``.

    Ephemeral (nothing in a ``gx/`` project folder), but the validation results are kept on
    disk: the Data Docs index lists only runs whose results it can still read.
    """
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    defaults = InMemoryStoreBackendDefaults()
    stores = copy.deepcopy(defaults.stores)
    stores[defaults.validation_results_store_name]["store_backend"] = {
        "class_name": "TupleFilesystemStoreBackend",
        "base_directory": str(site_dir / RESULTS_DIRNAME),
    }
    project_config = DataContextConfig(
        store_backend_defaults=defaults,
        stores=stores,
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
        data_docs_sites={
            SITE_NAME: {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(site_dir)},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            }
        },
    )
    return gx.get_context(project_config=project_config, mode="ephemeral")


def _safe_run_name(run_name: str) -> str:
    """GX makes the run name a folder name: keep it to one safe path segment."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", run_name).strip("._") or "run"
    return cleaned[:100]


def _run_suites(
    site_dir: Path,
    suites: dict[str, dict[str, Any]],
    frames: dict[str, pd.DataFrame],
    run_name: str,
    example_rows: int,
    timings: dict[str, float],
) -> tuple[dict[str, Any], dict[str, Path], str]:
    """Validate each frame against its suite (one checkpoint per suite, one shared run id) and
    render this run's pages plus the index. Returns GX results, page paths and the run time."""
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

    started = time.perf_counter()
    ctx = _gx_context(site_dir)
    datasource = ctx.data_sources.add_pandas(SITE_NAME)
    run_id = RunIdentifier(run_name=run_name, run_time=dt.datetime.now(dt.UTC))
    results: dict[str, Any] = {}
    identifiers: list[Any] = []
    pages: dict[str, Path] = {}
    for name, spec in suites.items():
        suite = ctx.suites.add(gx.ExpectationSuite(**copy.deepcopy(spec)))
        identifiers.append(ExpectationSuiteIdentifier(name=name))
        if name not in frames:
            continue  # registered so the index keeps listing it; no data this time
        asset = datasource.add_dataframe_asset(name)
        batch = asset.add_batch_definition_whole_dataframe("all_rows")
        definition = ctx.validation_definitions.add(gx.ValidationDefinition(name=name, data=batch, suite=suite))
        result_format: dict[str, Any] = {"result_format": "SUMMARY", "partial_unexpected_count": example_rows}
        if "id" in frames[name].columns:
            result_format["unexpected_index_column_names"] = ["id"]
        checkpoint = ctx.checkpoints.add(
            gx.Checkpoint(name=f"{name}_checkpoint", validation_definitions=[definition], result_format=result_format)
        )
        outcome = checkpoint.run(batch_parameters={"dataframe": frames[name]}, run_id=run_id)
        for key, suite_result in outcome.run_results.items():
            results[name] = suite_result
            identifiers.append(key)
            pages[name] = site_dir.joinpath(
                "validations", *key.to_tuple()[:-1], f"{key.to_tuple()[-1]}.html"
            )
    timings["validate"] = time.perf_counter() - started
    started = time.perf_counter()
    ctx.build_data_docs(site_names=[SITE_NAME], resource_identifiers=identifiers)
    timings["data_docs"] = time.perf_counter() - started
    return results, pages, run_id.run_time.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --------------------------------------------------------------------------- result → outcome


def _round(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, (list, tuple)):
        return [_round(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _round(v) for k, v in sorted(value.items())}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalar
        return _round(value.item())
    return value


def _exception_messages(info: Any) -> list[str]:
    """GX reports errors either flat or keyed by metric: collect the messages either way."""
    if not isinstance(info, dict):
        return []
    if "raised_exception" in info:
        return [str(info.get("exception_message"))] if info.get("raised_exception") else []
    messages: list[str] = []
    for sub in info.values():
        messages += _exception_messages(sub)
    return sorted(set(messages))


def _clip(value: Any, limit: int) -> Any:
    if isinstance(value, str) and len(value) > limit:
        return value[: limit - 1] + "…"
    return value


def _snippet(text: str, regexes: Sequence[str], limit: int) -> str:
    """The part of a long text that made a regex expectation fail, not its first characters."""
    for regex in regexes:
        match = re.search(regex, text)
        if match:
            start = max(0, match.start() - 20)
            piece = text[start : start + limit].replace("\n", "⏎")
            return ("…" if start else "") + piece
    return text


def _example_value(value: Any, regexes: Sequence[str], limit_chars: int,
                   markers: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """``{"value": ...}``, cut to size around the regex match; plus which trailer marker matched."""
    out: dict[str, Any] = {}
    if isinstance(value, str) and regexes:
        marker = next((name for name, rx in markers if re.search(rx, value)), None)
        if len(value) > limit_chars:
            value = _snippet(value, regexes, limit_chars)
        out["value"] = _clip(value, limit_chars)
        if marker is not None:
            out["marker"] = marker
        return out
    return {"value": _clip(_round(value), limit_chars)}


def _examples(result: dict[str, Any], kwargs: dict[str, Any], limit_rows: int, limit_chars: int,
              markers: Sequence[tuple[str, str]] = ()) -> list[dict[str, Any]]:
    """Up to ``limit_rows`` failing rows (``id`` + value) or values, from GX's partial lists."""
    column = kwargs.get("column")
    regexes = kwargs.get("regex_list") or ([kwargs["regex"]] if isinstance(kwargs.get("regex"), str) else [])
    markers = markers if kwargs.get("regex_list") else ()
    indexed = result.get("partial_unexpected_index_list")
    values = result.get("partial_unexpected_list")
    if "column_A" in kwargs and values:  # pair expectations report (A, B) tuples
        values = [dict(zip((kwargs["column_A"], kwargs["column_B"]), pair)) for pair in values]
    if indexed and not all(isinstance(item, dict) for item in indexed):
        indexed = None  # plain row numbers (a frame without `id`): the values say more
    out: list[dict[str, Any]] = []
    if indexed:
        for item in indexed:
            example: dict[str, Any] = {}
            if "id" in item:
                example["id"] = _round(item["id"])
            if column and column != "id" and column in item:
                example.update(_example_value(item[column], regexes, limit_chars, markers))
            if example and example not in out:
                out.append(example)
    elif values:
        for value in values:
            example = _example_value(value, regexes, limit_chars, markers)
            if example not in out:
                out.append(example)
    return out[:limit_rows]


_OBSERVED_KEYS = ("element_count", "unexpected_count", "unexpected_percent", "missing_count", "observed_value")


def _outcome(suite: str, expectation_result: Any, limit_rows: int, limit_chars: int,
             markers: Sequence[tuple[str, str]] = ()) -> ExpectationOutcome:
    config = expectation_result.expectation_config
    meta = config.meta or {}
    kwargs = dict(config.kwargs)
    result = expectation_result.result or {}
    observed = {k: _round(result[k]) for k in _OBSERVED_KEYS if k in result}
    errors = _exception_messages(expectation_result.exception_info)
    if errors:
        observed["error"] = _clip("; ".join(errors), 300)
    if "observed_value" in observed and isinstance(observed["observed_value"], list) and len(observed["observed_value"]) > 20:
        observed["observed_value"] = observed["observed_value"][:20] + ["…"]
    column = kwargs.get("column")
    if column is None and "column_A" in kwargs:
        column = f"{kwargs['column_A']}, {kwargs['column_B']}"
    examples = [] if expectation_result.success else _examples(result, kwargs, limit_rows, limit_chars, markers)
    return ExpectationOutcome(
        suite=suite,
        name=str(meta.get("name", config.type)),
        type=config.type,
        column=column,
        critical=bool(meta.get("critical", False)),
        success=bool(expectation_result.success),
        notes=str(meta.get("notes", "")),
        observed=observed,
        examples=examples,
    )


def _suite_outcome(name: str, spec: dict[str, Any], suite_result: Any, page: Path | None,
                   limit_rows: int, limit_chars: int, markers: Sequence[tuple[str, str]] = ()) -> SuiteOutcome:
    """Outcomes in the suite file's order (GX reorders results)."""
    by_name = {}
    for r in suite_result.results:
        by_name[str((r.expectation_config.meta or {}).get("name", r.expectation_config.type))] = r
    ordered = [by_name[e["meta"]["name"]] for e in spec["expectations"] if e["meta"]["name"] in by_name]
    outcomes = [_outcome(name, r, limit_rows, limit_chars, markers) for r in ordered]
    return SuiteOutcome(name=name, success=all(o.success for o in outcomes), expectations=outcomes, page=page)


# --------------------------------------------------------------------------- offline Data Docs


def remote_asset_references(html: str) -> list[str]:
    """Remote URLs a browser would fetch while loading this page (scripts, styles, images)."""
    return sorted({next(g for g in m.groups() if g) for m in _REMOTE_LOAD.finditer(html)})


def _copy_assets(site_dir: Path) -> None:
    target = site_dir / VENDOR_PREFIX
    for src in ASSETS_DIR.rglob("*"):
        if src.is_dir():
            continue
        dst = target / src.relative_to(ASSETS_DIR)
        if dst.is_file() and dst.stat().st_size == src.stat().st_size:
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)


def offline_html(html: str, depth: int) -> str:
    """Point a page's CDN/S3 assets at the vendored copies, ``depth`` folders below the site root."""
    prefix = "../" * depth + VENDOR_PREFIX
    for url, local in OFFLINE_ASSETS.items():
        html = html.replace(f'"{url}"', f'"{prefix}{local}"')
    for pattern, local in _S3_LOGOS:
        html = pattern.sub(prefix + local, html)
    return _SRI_ATTRS.sub("", html)


def make_offline(site_dir: Path) -> list[str]:
    """Copy the vendored assets into the site and rewrite every page to use them.

    Idempotent (already rewritten pages stay as they are). Returns remote references that are
    left — none with GX 1.24.1; a GX upgrade that adds one shows up here and in the tests.
    """
    _copy_assets(site_dir)
    left: set[str] = set()
    for page in sorted(site_dir.rglob("*.html")):
        rel = page.relative_to(site_dir)
        if rel.parts[0] == "static":
            continue
        html = page.read_text(encoding="utf-8")
        new = offline_html(html, depth=len(rel.parts) - 1)
        if new != html:
            page.write_text(new, encoding="utf-8")
        left.update(remote_asset_references(new))
    if left:
        log.warning("Data Docs still reference remote assets: %s", sorted(left))
    return sorted(left)


# --------------------------------------------------------------------------- public API


def _ignored_removal_rules(config: Config) -> list[str]:
    return list(config.get("validation", {}).get("removal_share", {}).get("ignore_rules", []))


def _limits(config: Config) -> tuple[int, int]:
    vcfg = config.get("validation", {})
    return int(vcfg.get("example_rows", 5)), int(vcfg.get("example_chars", 160))


def _validate(out_dir: Path, config: Config, frames: dict[str, pd.DataFrame], run_name: str,
              timings: dict[str, float]) -> ValidationReport:
    out_dir = Path(out_dir).resolve()  # GX's filesystem stores refuse relative paths
    site_dir = out_dir / SITE_DIRNAME
    site_dir.mkdir(parents=True, exist_ok=True)
    example_rows, example_chars = _limits(config)
    suites = {name: load_suite(name, config) for name in SUITE_NAMES}
    run_name = _safe_run_name(run_name)
    with _quiet_gx():
        results, pages, run_time = _run_suites(site_dir, suites, frames, run_name, example_rows, timings)
    started = time.perf_counter()
    left = make_offline(site_dir)
    timings["offline"] = time.perf_counter() - started
    markers = trailer_patterns(config)
    outcomes = [
        _suite_outcome(name, suites[name], results[name], pages.get(name), example_rows, example_chars, markers)
        for name in SUITE_NAMES
        if name in results
    ]
    return ValidationReport(
        run_name=run_name,
        suites=outcomes,
        out_dir=out_dir,
        data_docs_index=site_dir / "index.html",
        run_time=run_time,
        remote_assets_left=left,
        timings={k: round(t, 4) for k, t in timings.items()},
    )


def validate_run(
    out_dir: Path,
    config: Config,
    raw_rows: list[dict[str, Any]],
    corpus_rows: list[dict[str, Any]] | pd.DataFrame,
    summary: dict[str, Any],
    run_name: str,
) -> ValidationReport:
    """Run the three suites on one pipeline run and add its pages to ``out_dir/validation/``.

    Never raises for failed expectations (call ``raise_for_critical``); raises ``ConfigError``
    for a broken suite/config and ``ValueError`` for a summary without its counts.
    """
    started = time.perf_counter()
    frames = {
        RAW_SUITE: raw_frame(raw_rows),
        CORPUS_SUITE: corpus_frame(corpus_rows, _ignored_removal_rules(config)),
        SUMMARY_SUITE: summary_frame(summary),
    }
    return _validate(out_dir, config, frames, run_name, {"frames": time.perf_counter() - started})


def validate_corpus_file(path: Path, config: Config, out_dir: Path, run_name: str | None = None) -> ValidationReport:
    """Check an existing corpus file (JSONL or Parquet) against ``clean_corpus`` only: raw rows
    and run counts are not in the file. ``run_name`` defaults to ``validate-<file stem>``."""
    path = Path(path)
    started = time.perf_counter()
    frame = corpus_frame(read_corpus_file(path), _ignored_removal_rules(config))
    timings = {"frames": time.perf_counter() - started}
    return _validate(out_dir, config, {CORPUS_SUITE: frame}, run_name or f"validate-{path.stem}", timings)


# --------------------------------------------------------------------------- text helpers


def _relative(path: Path, base: Path) -> str:
    try:
        return Path(path).resolve().relative_to(Path(base).resolve()).as_posix()
    except ValueError:
        import os

        return Path(os.path.relpath(Path(path).resolve(), Path(base).resolve())).as_posix()


def _observed_text(observed: dict[str, Any]) -> str:
    if "error" in observed:
        return f"error: {observed['error']}"
    if "unexpected_count" in observed:
        pct = observed.get("unexpected_percent")  # GX: percent of the non-null values
        pct_text = f" ({pct:.1f}%)" if isinstance(pct, (int, float)) else ""
        if pct_text and observed.get("missing_count"):
            pct_text = f" ({pct:.1f}% of {observed['element_count'] - observed['missing_count']} non-null)"
        return f"{observed['unexpected_count']} of {observed.get('element_count', '?')} rows unexpected{pct_text}"
    if "observed_value" in observed:
        return f"observed {observed['observed_value']}"
    return "failed"


def _example_text(example: dict[str, Any]) -> str:
    parts = []
    if "id" in example:
        parts.append(f"id={example['id']}")
    if "marker" in example:
        parts.append(f"[{example['marker']}]")
    if "value" in example:
        parts.append(repr(example["value"]))
    return " ".join(parts)


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
