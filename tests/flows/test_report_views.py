"""report.html as an operator sees it, rendered by headless Chromium: the run's status comes
first for a passing, a failed and an idle run (an idle run keeps the last real report)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from cleaning.validation import ValidationFailed
from flows.pipeline import newsclean_flow

STRICT = ('[validation.word_count]\nmin = 5000\n\n'
          '[validation.severity]\n"clean_corpus.word_count_in_bounds" = "critical"\n')


def _shoot(chromium, tmp_path: Path, page: Path, name: str) -> str:
    """The DOM Chromium built, and a screenshot kept beside it (tmp_path) for people to look at."""
    dom = chromium("--dump-dom", page.as_uri()).stdout
    shot = tmp_path / f"report-{name}.png"
    chromium("--window-size=1100,900", f"--screenshot={shot}", page.as_uri())
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return dom


def _status_first(dom: str) -> str:
    """The status block is the first thing after the title: before the summary and every table."""
    body = dom[dom.index("<body"):]
    status = re.search(r'<div class="status (\w+)" id="[^"]+" data-status="(\w+)">(.*?)</div>', body, re.S)
    assert status, body[:2000]
    first_table = body.index("<table")
    assert status.start() < body.index('id="section-summary"') < first_table
    assert body.index("<h1") < status.start()
    return status.group(2)


def test_status_is_at_the_top_of_report_html(prefect_harness, chromium, seeds_dir: Path, tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    shutil.copytree(seeds_dir, inputs)

    passing = tmp_path / "passing"
    newsclean_flow(inputs=[str(inputs)], out=str(passing))
    dom = _shoot(chromium, tmp_path, passing / "report.html", "passing")
    assert _status_first(dom) == "passed"
    assert "Committed: validation passed." in dom
    for link in ("corpus.jsonl", "rejected.jsonl", "duplicates.jsonl", "validation/index.html"):
        assert f'href="{link}"' in dom

    failed = tmp_path / "failed"
    strict = tmp_path / "strict.toml"
    strict.write_text(STRICT, encoding="utf-8")
    with pytest.raises(ValidationFailed):
        newsclean_flow(inputs=[str(inputs)], out=str(failed), config_path=str(strict))
    dom = _shoot(chromium, tmp_path, failed / "report.html", "failed")
    assert _status_first(dom) == "failed"
    assert "FAILED validation (1 critical): nothing of this run was committed" in dom
    # The failed expectation shows what it saw (the word counts), not only GX's row counts.
    assert re.search(r"clean_corpus\.word_count_in_bounds: 4 of 4 rows; values \d+, \d+", dom)
    md = (failed / "report.md").read_text(encoding="utf-8")
    assert md.index("FAILED validation") < md.index("## Summary") < md.index("| stage |")

    before = {n: (passing / n).read_bytes() for n in ("report.html", "report.md", "report.json")}
    idle = newsclean_flow(inputs=[str(inputs)], out=str(passing))
    assert idle["run"]["nothing_to_do"]
    assert {n: (passing / n).read_bytes() for n in before} == before, "an idle run keeps the last real report"
    dom = _shoot(chromium, tmp_path, passing / "report.html", "after-idle")
    assert _status_first(dom) == "passed"
    history = [json.loads(line) for line in (passing / "run-history.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(h["run"], h["status"]) for h in history] == [("run-000001", "passed"), (None, "idle")]
    assert history[1]["counts"]["skipped_already_processed"] == 4


def test_report_md_and_html_have_the_same_sections(prefect_harness, seeds_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    newsclean_flow(inputs=[str(seeds_dir)], out=str(out))
    md = (out / "report.md").read_text(encoding="utf-8")
    html = (out / "report.html").read_text(encoding="utf-8")
    md_titles = re.findall(r"^## (.+)$", md, re.M)
    html_titles = [re.sub(r"&#x27;|&amp;", lambda m: {"&#x27;": "'", "&amp;": "&"}[m.group()], t)
                   for t in re.findall(r'<h[23] id="section-[^"]+">([^<]+)</h[23]>', html)]
    assert md_titles[0] == "Status"
    assert md_titles[1:] == html_titles
    for title in ("Ingest", "Syndication (duplicate clusters spanning several sites)", "Validation",
                  "Language and quality filters (documents rejected by each, zeros included)",
                  "HTML elements dropped before extraction (pre-pass, per category)"):
        assert title in md_titles
    assert "<pre>" not in html, "no raw markdown dumped into the page"
