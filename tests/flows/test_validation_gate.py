"""Validation as a stage of the flow: reports on success, a gate on critical failures."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cleaning.validation import ValidationFailed
from flows.pipeline import newsclean_flow


def test_seeds_pass_and_reports_show_validation(prefect_harness, seeds_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    report = newsclean_flow(inputs=[str(seeds_dir)], out=str(out))
    v = report["validation"]
    assert v["success"] is True and v["critical_failures"] == []
    assert v["warnings"] == [], "the seeds pass every expectation, warnings included"
    assert {s["name"] for s in v["suites"]} == {"raw_documents", "clean_corpus", "run_summary"}
    assert (out / "validation" / "index.html").is_file()
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "clean_corpus" in md and "validation/index.html" in md
    assert json.loads((out / "report.json").read_text())["run"]["committed"] is True


def test_critical_failure_fails_the_run_and_commits_nothing(prefect_harness, seeds_dir: Path, tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    shutil.copytree(seeds_dir, inputs)
    strict = tmp_path / "strict.toml"
    strict.write_text(
        '[validation.word_count]\nmin = 5000\n\n'
        '[validation.severity]\n"clean_corpus.word_count_in_bounds" = "critical"\n', encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(ValidationFailed, match="word_count_in_bounds") as err:
        newsclean_flow(inputs=[str(inputs)], out=str(out), config_path=str(strict))
    assert "clean_corpus" in str(err.value)
    report = json.loads((out / "report.json").read_text())
    assert report["run"]["committed"] is False
    assert "clean_corpus.word_count_in_bounds" in report["validation"]["critical_failures"]
    assert not (out / "corpus.jsonl").exists(), "a failed gate must not publish a corpus"

    fixed = newsclean_flow(inputs=[str(inputs)], out=str(out))
    assert fixed["counts"]["inputs"] == 4, "the gated run's inputs are processed again"
    assert fixed["run"]["name"] == "run-000001"
    assert len((out / "corpus.jsonl").read_text().splitlines()) == fixed["counts"]["kept"]


def test_validation_reads_a_bounded_even_sample_of_a_large_run(prefect_harness, seeds_dir: Path, tmp_path: Path) -> None:
    """[validation] max_rows bounds validation memory: a run with more rows is validated on every
    k-th row (here 4 seeds, max_rows 2: rows 0 and 2 of each table), the same rows every time."""
    from flows.tasks import every_kth

    assert list(every_kth(range(10), 10, 3)) == [0, 4, 8] and list(every_kth(range(3), 3, 5)) == [0, 1, 2]
    assert list(every_kth(range(5), 5, 0)) == [0, 1, 2, 3, 4]
    cfg = tmp_path / "sample.toml"
    cfg.write_text("[validation]\nmax_rows = 2\n", encoding="utf-8")
    report = newsclean_flow(inputs=[str(seeds_dir)], out=str(tmp_path / "out"), config_path=str(cfg))
    assert report["counts"]["inputs"] == 4 and report["validation"]["success"] is True
    counted = {s["name"]: {e["observed"].get("element_count") for e in s["expectations"] if e["column"] == "id"}
               for s in report["validation"]["suites"] if s["name"] in ("raw_documents", "clean_corpus")}
    assert counted == {"raw_documents": {2}, "clean_corpus": {2}}
