"""Duplicates of a superseded document are re-deduplicated in the same run, whatever else the run
did, and the report on disk is the report the run returned (and printed)."""

from __future__ import annotations

import json
from pathlib import Path

from flows.pipeline import newsclean_flow

ROOT = Path(__file__).resolve().parents[2]


def story(n: int) -> str:
    return sorted((ROOT / "seeds").glob("*.txt"))[n].read_text(encoding="utf-8").split("\n", 1)[1]


def sources(out: Path, name: str) -> list[str]:
    return sorted(Path(json.loads(line)["source"]).name for line in (out / name).read_text(encoding="utf-8").splitlines())


def test_a_file_changed_back_requeues_the_copies_of_its_other_version(prefect_harness, tmp_path: Path) -> None:
    inputs, out = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    a, b = inputs / "a.txt", inputs / "b.txt"
    a.write_text("date 2020-01-01 Plant opens\n" + story(0), encoding="utf-8")
    newsclean_flow(inputs=[str(inputs)], out=str(out))
    a.write_text("date 2020-01-01 Deal signed\n" + story(1), encoding="utf-8")
    b.write_text("date 2021-06-01 Deal signed\n" + story(1), encoding="utf-8")  # a later copy of a's new version
    newsclean_flow(inputs=[str(inputs)], out=str(out))
    assert sources(out, "duplicates.jsonl") == ["b.txt"]

    a.write_text("date 2020-01-01 Plant opens\n" + story(0), encoding="utf-8")  # back to the first version
    report = newsclean_flow(inputs=[str(inputs)], out=str(out))
    assert report["counts"]["requeued"] == 1
    assert sources(out, "corpus.jsonl") == ["a.txt", "b.txt"], "b lost the copy it pointed at: it is kept now"
    assert sources(out, "duplicates.jsonl") == []
    on_disk = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert on_disk["counts"] == report["counts"] and on_disk["requeue_pass"] == report["requeue_pass"]


def test_the_report_on_disk_is_the_report_returned_after_a_requeue_pass(prefect_harness, tmp_path: Path) -> None:
    inputs, out = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    (inputs / "a.txt").write_text("date 2020-01-01 Deal signed\n" + story(1), encoding="utf-8")
    (inputs / "b.txt").write_text("date 2021-06-01 Deal signed\n" + story(1), encoding="utf-8")
    newsclean_flow(inputs=[str(inputs)], out=str(out))
    (inputs / "a.txt").write_text("date 2020-01-01 Plant opens\n" + story(2), encoding="utf-8")
    report = newsclean_flow(inputs=[str(inputs)], out=str(out))
    assert report["counts"]["inputs"] == 1 and report["requeue_pass"]["inputs"] == 1
    on_disk = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert on_disk["counts"] == report["counts"]
    assert on_disk["requeue_pass"] == report["requeue_pass"]
    assert on_disk["corpus_totals"] == {"corpus": 2, "duplicates": 0, "rejected": 0}
