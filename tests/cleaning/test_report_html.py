"""report.html: the figures of report.md, inline charts, no network, and a real browser render."""

from __future__ import annotations

import copy
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from cleaning.report_html import CHART_MAX_BARS, render_report_html


def realistic_report() -> dict:
    """A run over a day's crawl of Korean business news: what report.json holds after the flow."""
    return {
        "run": {"name": "20261123T060002Z-a41f9c", "inputs": ["crawl/2026-11-23", "archive/korea-wire.warc.gz"],
                "out": "corpus-out", "config_fingerprint": "5f6183d40657a82d"},
        "counts": {"inputs": 1284, "kept": 1019, "duplicates": 173, "rejected": 92, "accounting_ok": True,
                   "skipped_already_processed": 212, "superseded": 3},
        "stages": {"after_clean": 1197, "after_extract": 1203, "after_ingest": 1241, "after_language": 1194,
                   "after_quality": 1192, "duplicates": 173, "kept": 1019, "read": 1284},
        "ingest": {"bytes": 48213377, "files": 1102, "hidden_files_skipped": 3, "warc_records_skipped": 211},
        "rejected_by_reason": {"extract.no_content": 38, "ingest.binary": 9, "ingest.encoding": 31,
                               "ingest.invalid_json": 3, "clean.empty": 6, "language.unsupported": 3,
                               "quality.too_short": 2},
        "duplicates_by_method": {"exact": 121, "near": 52},
        "dedup": {"candidate_pairs": 610, "clusters": 97, "documents": 1192, "duplicates_of_earlier_runs": 44,
                  "exact": 121, "near": 52, "verified_pairs": 188, "syndication_clusters": [["a", "b"]]},
        "removals_by_rule": {"nav": 2210, "trailer_section": 731, "photo_credit": 402, "ticker": 87,
                             "headline_list": 64, "byline": 519, "dateline": 944, "promo": 133,
                             "repeated_paragraph": 21},
        "languages": {"en": 803, "ko": 214, "ja": 2},
        "length_histogram": {"0-49": 0, "100-199": 88, "1600-3199": 12, "200-399": 371, "3200+": 1,
                             "400-799": 402, "50-99": 17, "800-1599": 128},
        "timings_seconds": {"clean": 1.9321, "dedup": 0.8412, "extract": 36.1137, "ingest": 2.0044,
                            "language": 6.2208, "quality": 0.3119, "write": 0.7781},
        "total_seconds": 49.372,
        "corpus_totals": {"corpus": 5311, "duplicates": 802, "rejected": 377},
        "runs_so_far": 4,
        "validation": {
            "run_name": "20261123T060002Z-a41f9c", "success": False, "data_docs_index": "validation/index.html",
            "critical_failures": ["clean_corpus.id_unique"], "warnings": ["clean_corpus.language_known"],
            "suites": [
                {"name": "raw_inputs", "success": True, "evaluated": 6, "failed": 0, "expectations": []},
                {"name": "clean_corpus", "success": False, "evaluated": 11, "failed": 2, "expectations": [
                    {"name": "id_unique", "type": "expect_column_values_to_be_unique", "column": "id",
                     "critical": True, "success": False, "notes": "ids key the incremental state",
                     "observed": {"unexpected_count": 2}, "examples": [{"id": "kr-0001"}]},
                    {"name": "language_known", "type": "expect_column_values_to_be_in_set", "column": "language",
                     "critical": False, "success": False, "notes": "unknown languages skip language rules",
                     "observed": {"unexpected_count": 2}, "examples": []},
                ]},
            ],
        },
    }


def earlier_runs() -> list[dict]:
    """Three earlier hourly runs, oldest first, with only what history needs."""
    return [
        {"run": {"name": f"20261123T0{h}0001Z-00000{h}"}, "counts": {"inputs": 400 + h, "kept": 350, "duplicates": d},
         "duplicates_by_method": {"exact": d - n, "near": n}}
        for h, d, n in ((3, 31, 9), (4, 58, 20), (5, 12, 4))
    ]


class _PageParser(HTMLParser):
    """Visible text, every tag name, every URL-bearing attribute, every id."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []
        self.refs: list[str] = []
        self.ids: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag in ("style", "svg"):
            self._skip += 1
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "action", "srcset", "poster", "data"):
                self.refs.append(value or "")
            if name == "id":
                self.ids.append(value or "")

    def handle_endtag(self, tag):
        if tag in ("style", "svg"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def parse(page: str) -> _PageParser:
    p = _PageParser()
    p.feed(page)
    return p


@pytest.fixture(scope="module")
def page() -> str:
    return render_report_html(realistic_report(), earlier_runs())


def visible_text(page: str) -> str:
    """Text nodes joined by one space (so table cells read ``nav 2,210``), punctuation re-attached."""
    return re.sub(r" ([:,.;)])", r"\1", re.sub(r"\s+", " ", " ".join(parse(page).text)))


def test_page_shows_the_figures_of_report_md(page: str) -> None:
    text = visible_text(page)
    assert "newsclean run report — 20261123T060002Z-a41f9c" in text
    for figure in ("1,284 inputs", "1,019 kept", "173 duplicates", "92 rejected", "accounting holds"):
        assert figure in text
    report = realistic_report()
    for reason, n in report["rejected_by_reason"].items():
        assert f"{reason} {n}" in text
    assert "exact 121" in text and "near 52" in text
    for rule, n in report["removals_by_rule"].items():
        assert f"{rule} {n:,}" in text
    assert "en 803" in text and "ko 214" in text and "ja 2" in text
    for stage, seconds in report["timings_seconds"].items():
        assert f"{stage} {seconds:.3f}" in text
    assert "total (wall clock) 49.372" in text
    assert "crawl/2026-11-23" in text and "archive/korea-wire.warc.gz" in text
    assert "duplicates_of_earlier_runs 44" in text


def test_incremental_state_and_corpus_totals_are_shown(page: str) -> None:
    text = visible_text(page)
    assert "212 input(s) skipped as already processed" in text
    assert "3 earlier document(s) superseded by changed inputs" in text
    assert "All parts written by 4 run(s) so far." in text
    assert "corpus 5,311" in text and "duplicates 802" in text and "rejected 377" in text


def test_rerun_with_nothing_new_says_so() -> None:
    report = realistic_report()
    report["run"]["nothing_to_do"] = True
    report["counts"] = {"inputs": 0, "kept": 0, "duplicates": 0, "rejected": 0, "accounting_ok": True,
                        "skipped_already_processed": 1284, "superseded": 0}
    assert "Nothing to do: no new or changed inputs (1,284 already processed)." in visible_text(
        render_report_html(report))


def test_history_accepts_manifest_run_entries() -> None:
    """The manifest's per-run entries carry ``name`` and ``counts`` but no method split."""
    history = [{"name": "run-000001", "seq": 1, "counts": {"inputs": 40, "kept": 31, "duplicates": 7, "rejected": 2}}]
    text = visible_text(render_report_html(realistic_report(), history))
    assert "run-000001 40 31 0 0 7" in text
    assert "last 2 run(s)" in text


def test_stages_and_histogram_follow_pipeline_and_numeric_order(page: str) -> None:
    """report.json sorts keys as text; the page puts them back in reading order."""
    text = visible_text(page)
    stage_positions = [text.index(f"{s} ") for s in ("read", "after_ingest", "after_extract", "after_clean",
                                                     "after_language", "after_quality")]
    assert stage_positions == sorted(stage_positions)
    bins = ["0-49", "50-99", "100-199", "200-399", "400-799", "800-1599", "1600-3199", "3200+"]
    hist = text[text.index("Document length"):]
    assert [hist.index(f"{b} ") for b in bins] == sorted(hist.index(f"{b} ") for b in bins)


def test_validation_outcome_is_shown_with_failed_expectations(page: str) -> None:
    text = visible_text(page)
    assert "FAILED (1 critical)" in text and "1 warning(s)" in text
    assert "clean_corpus.id_unique id critical 2 of ? rows ids key the incremental state" in text
    assert "clean_corpus.language_known language warning" in text
    assert "raw_inputs pass 6 0" in text


def test_validation_section_only_when_validation_ran() -> None:
    report = realistic_report()
    del report["validation"]
    assert "Validation" not in visible_text(render_report_html(report))
    report = realistic_report()
    report["validation"].update(success=True, critical_failures=[], warnings=[])
    for suite in report["validation"]["suites"]:
        suite.update(success=True, failed=0, expectations=[])
    assert "Validation passed" in visible_text(render_report_html(report))


def test_four_inline_svg_charts(page: str) -> None:
    for chart in ("length-histogram", "removals-per-rule", "languages", "duplicates-over-runs"):
        figure = re.search(rf'<figure id="chart-{chart}"[^>]*>(.*?)</figure>', page, re.S)
        assert figure, chart
        assert figure.group(1).lstrip().startswith("<svg"), chart
    assert page.count("<svg") == 4


def test_history_chart_covers_earlier_runs_then_this_one(page: str) -> None:
    text = visible_text(page)
    assert "last 4 run(s), oldest first" in text
    order = [text.index(name) for name in ("20261123T030001Z-000003", "20261123T040001Z-000004",
                                           "20261123T050001Z-000005", "20261123T060002Z-a41f9c 1,284")]
    assert order == sorted(order)
    assert "20261123T040001Z-000004 404 350 38 20 58" in text


OWN_FILE = re.compile(r"(corpus|rejected|duplicates)\.jsonl|report\.json|validation/index\.html")


def test_page_is_self_contained(page: str) -> None:
    """No script, stylesheet link, image or font from anywhere; every reference is in-page or a
    relative link to the run's own output files."""
    parsed = parse(page)
    assert not set(parsed.tags) & {"script", "link", "img", "iframe", "object", "embed", "base"}
    assert parsed.refs and all(ref.startswith("#") or OWN_FILE.fullmatch(ref) for ref in parsed.refs)
    assert all(u.startswith("#") for u in re.findall(r"url\(\s*['\"]?([^)'\"]*)", page))
    assert "@import" not in page and "@font-face" not in page
    assert "http" not in page  # not even SVG namespace declarations


def test_ids_are_unique_and_every_reference_resolves(page: str) -> None:
    """Four SVGs share one HTML id namespace: a clash would draw one chart's glyphs in another."""
    parsed = parse(page)
    assert len(parsed.ids) == len(set(parsed.ids))
    targets = {r[1:] for r in parsed.refs if r.startswith("#")} | set(re.findall(r"url\(#([^)]+)\)", page))
    assert targets <= set(parsed.ids)


def test_same_report_same_bytes() -> None:
    first = render_report_html(realistic_report(), earlier_runs())
    assert render_report_html(copy.deepcopy(realistic_report()), earlier_runs()) == first
    assert "<dc:date>" not in first


def test_same_bytes_in_another_process(tmp_path: Path) -> None:
    """SVG ids come from hashes: they must not depend on memory addresses or the hash seed."""
    script = ("import sys; sys.path.insert(0, sys.argv[1]); from test_report_html import *; "
              "sys.stdout.write(render_report_html(realistic_report(), earlier_runs()))")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    other = subprocess.run([sys.executable, "-c", script, str(Path(__file__).parent)], capture_output=True,
                           text=True, encoding="utf-8", env=env, timeout=60, check=True).stdout
    assert other == render_report_html(realistic_report(), earlier_runs())


def test_markup_in_names_is_escaped() -> None:
    report = realistic_report()
    report["run"]["inputs"] = ["crawl/<script>alert(1)</script>.html"]
    report["removals_by_rule"] = {"promo<b>": 3}
    page = render_report_html(report)
    assert "<script>" not in page and "<b>" not in page
    assert "crawl/&lt;script&gt;" in page


def test_empty_run_renders_with_none_sections() -> None:
    """A rerun that found nothing new still gets a readable page."""
    report = {
        "run": {"name": "20261123T070001Z-77aa01", "inputs": ["crawl"], "out": "out", "config_fingerprint": "x"},
        "counts": {"inputs": 0, "kept": 0, "duplicates": 0, "rejected": 0, "accounting_ok": True},
        "stages": {"read": 0, "kept": 0}, "rejected_by_reason": {}, "duplicates_by_method": {},
        "removals_by_rule": {}, "languages": {}, "length_histogram": {}, "timings_seconds": {},
    }
    text = visible_text(render_report_html(report))
    # ingest, rejected, filters, duplicates, dedup details, syndication, removals, html pre-pass,
    # languages, lengths, timings: the same sections as report.md, each saying it has nothing
    assert text.count("None.") == 11
    assert "last 1 run(s)" in text


def test_many_rules_are_capped_in_the_chart_but_all_listed() -> None:
    def bar_patches(n_rules: int) -> tuple[int, str]:
        report = realistic_report()
        report["removals_by_rule"] = {f"rule_{i:02d}": 100 - i for i in range(n_rules)}
        page = render_report_html(report)
        chart = re.search(r'<figure id="chart-removals-per-rule".*?</figure>', page, re.S).group(0)
        return len(re.findall(r'id="removals-bar_\d+"', chart)), page

    few, _ = bar_patches(9)
    many, page = bar_patches(40)
    assert many - few == CHART_MAX_BARS - 9  # one bar per rule up to the cap ("other" sums the rest)
    assert all(f"rule_{i:02d} {100 - i}" in visible_text(page) for i in range(40))


# --------------------------------------------------------------------------- real browser

def test_chromium_renders_the_page_offline(chromium, tmp_path: Path, page: str) -> None:
    html_file = tmp_path / "report.html"
    html_file.write_text(page, encoding="utf-8")
    dom = chromium("--dump-dom", html_file.as_uri()).stdout
    assert "<title>newsclean run report — 20261123T060002Z-a41f9c</title>" in dom
    assert dom.count("<svg") == 4
    for chart in ("length-histogram", "removals-per-rule", "languages", "duplicates-over-runs"):
        assert f'id="chart-{chart}"' in dom
    assert "FAILED (1 critical)" in dom

    shot = tmp_path / "report.png"
    chromium("--window-size=1100,3000", f"--screenshot={shot}", html_file.as_uri())
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 50_000  # a blank or unstyled page compresses to a few KB
