"""Deleted inputs leave the corpus only when asked: `newsclean retract PATH…` or
`--prune-missing` moves their records to rejected.jsonl with reason `retracted`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flows.cli import main
from flows.pipeline import newsclean_flow

ROOT = Path(__file__).resolve().parents[2]


def story(n: int) -> str:
    return sorted((ROOT / "seeds").glob("*.txt"))[n].read_text(encoding="utf-8")


def rows(out: Path, name: str) -> list[dict]:
    return [json.loads(line) for line in (out / name).read_text(encoding="utf-8").splitlines()]


def names(out: Path, name: str) -> list[str]:
    return sorted(Path(r["source"]).name for r in rows(out, name))


@pytest.fixture()
def corpus(prefect_harness, tmp_path: Path) -> tuple[Path, Path]:
    inputs, out = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    for i, name in enumerate(["a.txt", "b.txt", "c.txt"]):
        (inputs / name).write_text(story(i), encoding="utf-8")
    newsclean_flow(inputs=[str(inputs)], out=str(out))
    assert names(out, "corpus.jsonl") == ["a.txt", "b.txt", "c.txt"]
    return inputs, out


def test_prune_missing_moves_deleted_inputs_out_with_a_reason(corpus, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    inputs, out = corpus
    (inputs / "b.txt").unlink()
    assert main(["retract", "--prune-missing", "--out", str(out)]) == 0
    assert "retracted 1" in capsys.readouterr().out
    assert names(out, "corpus.jsonl") == ["a.txt", "c.txt"]
    [gone] = rows(out, "rejected.jsonl")
    assert Path(gone["source"]).name == "b.txt" and gone["reason"] == "retracted"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["totals"] == {"corpus": 2, "duplicates": 0, "rejected": 1}

    # The retracted story no longer counts as kept: a new copy of it is kept, not a duplicate.
    (inputs / "d.txt").write_text(story(1), encoding="utf-8")
    report = newsclean_flow(inputs=[str(inputs)], out=str(out))
    assert report["counts"]["kept"] == 1
    # And a restored input is read again.
    (inputs / "b.txt").write_text(story(1), encoding="utf-8")
    report = newsclean_flow(inputs=[str(inputs)], out=str(out))
    assert report["counts"]["inputs"] == 1
    assert names(out, "rejected.jsonl") == []
    assert sorted(names(out, "corpus.jsonl") + names(out, "duplicates.jsonl")) == ["a.txt", "b.txt", "c.txt", "d.txt"]


def test_retract_named_paths(corpus) -> None:
    inputs, out = corpus
    assert main(["retract", str(inputs / "a.txt"), "--out", str(out)]) == 0
    assert names(out, "corpus.jsonl") == ["b.txt", "c.txt"]
    assert main(["retract", str(inputs), "--out", str(out)]) == 0
    assert names(out, "corpus.jsonl") == []
    assert [r["reason"] for r in rows(out, "rejected.jsonl")] == ["retracted"] * 3


def test_retract_needs_something_to_retract(tmp_path: Path) -> None:
    assert main(["retract", "--out", str(tmp_path / "nowhere")]) == 2
