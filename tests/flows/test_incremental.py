"""Incremental runs, superseding and locking against one output folder (crash safety:
test_crash_recovery.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cleaning.state import StateLocked, StateStore
from flow_helpers import EXTRA_STORY, OUTPUTS, all_ids, ids
from flows.pipeline import newsclean_flow

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def corpus_dir(tmp_path: Path, seeds_dir: Path) -> Path:
    d = tmp_path / "in"
    shutil.copytree(seeds_dir, d)
    return d


def test_rerun_does_nothing_and_new_files_are_processed_alone(prefect_harness, corpus_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = newsclean_flow(inputs=[str(corpus_dir)], out=str(out))
    assert first["counts"]["inputs"] == 4
    before = {n: (out / n).read_bytes() for n in OUTPUTS}

    again = newsclean_flow(inputs=[str(corpus_dir)], out=str(out))
    assert again["run"]["nothing_to_do"] is True
    assert again["counts"]["inputs"] == 0 and again["counts"]["skipped_already_processed"] == 4
    assert {n: (out / n).read_bytes() for n in OUTPUTS} == before

    (corpus_dir / "004_mobis_ulsan.txt").write_text(EXTRA_STORY, encoding="utf-8")
    third = newsclean_flow(inputs=[str(corpus_dir)], out=str(out))
    assert third["counts"]["inputs"] == 1 and third["counts"]["skipped_already_processed"] == 4
    assert third["corpus_totals"]["corpus"] == first["counts"]["kept"] + third["counts"]["kept"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert [r["name"] for r in manifest["runs"]] == ["run-000001", "run-000002"]
    assert [p["file"] for p in manifest["parts"]["corpus"]] == ["corpus/part-000001.jsonl", "corpus/part-000002.jsonl"]
    corpus = ids(out / "corpus.jsonl")
    assert len(corpus) == len(set(corpus)) == third["corpus_totals"]["corpus"]


def test_changed_file_supersedes_its_earlier_version(prefect_harness, corpus_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    story = corpus_dir / "004_mobis_ulsan.txt"
    story.write_text(EXTRA_STORY, encoding="utf-8")
    newsclean_flow(inputs=[str(corpus_dir)], out=str(out))
    old = {json.loads(line)["source"]: json.loads(line)["id"] for line in (out / "corpus.jsonl").read_text().splitlines()}
    old_id = old[str(story.as_posix())]

    story.write_text(EXTRA_STORY.replace("500 workers", "600 workers"), encoding="utf-8")
    report = newsclean_flow(inputs=[str(corpus_dir)], out=str(out))
    assert report["counts"]["inputs"] == 1 and report["counts"]["superseded"] == 1
    assert report["counts"]["kept"] == 1, "the new version must not be a duplicate of the version it replaces"
    view = all_ids(out)
    assert old_id not in sum(view.values(), [])
    texts = [json.loads(line)["text"] for line in (out / "corpus.jsonl").read_text().splitlines()]
    assert sum("600 workers" in t for t in texts) == 1 and not any("500 workers" in t for t in texts)


def test_second_run_copies_point_at_first_run_ids(prefect_harness, seeds_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = tmp_path / "day1"
    shutil.copytree(seeds_dir, first)
    newsclean_flow(inputs=[str(first)], out=str(out))
    day1 = {json.loads(l)["source"].rsplit("/", 1)[1]: json.loads(l)["id"] for l in (out / "corpus.jsonl").read_text().splitlines()}

    second = tmp_path / "day2"
    second.mkdir()
    seed2 = (seeds_dir / "002_cb31e03ef644ea87.txt").read_text(encoding="utf-8")
    (second / "syndicated_byd.txt").write_text(seed2.replace("Sunday", "Monday"), encoding="utf-8")
    (second / "verbatim_ghosn.txt").write_text((seeds_dir / "001_856dfffb84b6831f.txt").read_text(encoding="utf-8"), encoding="utf-8")
    report = newsclean_flow(inputs=[str(second)], out=str(out))
    assert report["counts"]["duplicates"] == 2 and report["counts"]["kept"] == 0
    dups = {json.loads(l)["source"].rsplit("/", 1)[1]: json.loads(l) for l in (out / "duplicates.jsonl").read_text().splitlines()}
    assert dups["syndicated_byd.txt"]["duplicate_of"] == day1["002_cb31e03ef644ea87.txt"]
    assert dups["verbatim_ghosn.txt"]["duplicate_of"] == day1["001_856dfffb84b6831f.txt"]
    assert dups["verbatim_ghosn.txt"]["method"] == "exact"


def test_concurrent_run_is_refused_with_a_clear_message(prefect_harness, corpus_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    holder = StateStore(out / "state", out)
    with holder.locked():
        with pytest.raises(StateLocked, match="in use by another newsclean run"):
            newsclean_flow(inputs=[str(corpus_dir)], out=str(out))
    holder.close()
    assert newsclean_flow(inputs=[str(corpus_dir)], out=str(out))["counts"]["inputs"] == 4


def test_compact_merges_parts_and_keeps_the_view(prefect_harness, corpus_dir: Path, tmp_path: Path) -> None:
    from flows.cli import main

    out = tmp_path / "out"
    newsclean_flow(inputs=[str(corpus_dir)], out=str(out))
    story = corpus_dir / "004_mobis_ulsan.txt"
    story.write_text(EXTRA_STORY, encoding="utf-8")
    newsclean_flow(inputs=[str(corpus_dir)], out=str(out))
    story.write_text(EXTRA_STORY.replace("Thursday", "Friday"), encoding="utf-8")
    newsclean_flow(inputs=[str(corpus_dir)], out=str(out))
    view_before = {n: sorted(v) for n, v in all_ids(out).items()}
    assert len(list((out / "corpus").iterdir())) == 3

    assert main(["compact", "--out", str(out)]) == 0
    parts = sorted(p.name for p in (out / "corpus").iterdir())
    assert parts == ["part-000001-000003.jsonl"]
    merged = ids(out / "corpus" / parts[0])
    assert sorted(merged) == view_before["corpus.jsonl"], "superseded versions are dropped, nothing else"
    manifest = json.loads((out / "manifest.json").read_text())
    assert [p["file"] for p in manifest["parts"]["corpus"]] == ["corpus/part-000001-000003.jsonl"]
    again = newsclean_flow(inputs=[str(corpus_dir)], out=str(out))
    assert again["run"]["nothing_to_do"] and {n: sorted(v) for n, v in all_ids(out).items()} == view_before


def test_compact_without_state_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from flows.cli import main

    assert main(["compact", "--out", str(tmp_path / "never-run")]) == 2
    assert "no newsclean state" in capsys.readouterr().err


def corpus_texts(out: Path) -> list[str]:
    return [json.loads(line)["text"] for line in (out / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]


def story(n: int) -> str:
    """Distinct realistic stories: the seeds' paragraphs don't repeat across them."""
    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    return seeds[n].read_text(encoding="utf-8")


def test_record_ids_from_different_days_do_not_collide(prefect_harness, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (tmp_path / "day1.jsonl").write_text("\n".join(json.dumps({"id": i, "text": story(i)}) for i in (0, 1)) + "\n")
    (tmp_path / "day2.jsonl").write_text("\n".join(json.dumps({"id": i, "text": story(i + 2)}) for i in (0, 1)) + "\n")
    newsclean_flow(inputs=[str(tmp_path / "day1.jsonl")], out=str(out))
    report = newsclean_flow(inputs=[str(tmp_path / "day2.jsonl")], out=str(out))
    assert report["counts"]["inputs"] == 2 and report["counts"]["kept"] == 2
    assert len(corpus_texts(out)) == 4


def test_prepending_a_record_hides_nothing(prefect_harness, tmp_path: Path) -> None:
    out, src = tmp_path / "out", tmp_path / "feed.jsonl"
    rec = [{"url": f"https://news.example/{i}", "text": story(i)} for i in range(3)]
    src.write_text("\n".join(json.dumps(r) for r in rec[1:]) + "\n")
    newsclean_flow(inputs=[str(src)], out=str(out))
    src.write_text("\n".join(json.dumps(r) for r in rec) + "\n")
    report = newsclean_flow(inputs=[str(src)], out=str(out))
    assert report["counts"]["superseded"] == 0
    urls = sorted(json.loads(line)["url"] for line in (out / "corpus.jsonl").read_text().splitlines())
    assert urls == [r["url"] for r in rec]


def test_superseding_a_kept_copy_re_deduplicates_its_duplicates(prefect_harness, tmp_path: Path) -> None:
    inputs, out = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    (inputs / "a.txt").write_text(story(1), encoding="utf-8")
    (inputs / "b.txt").write_text(story(1), encoding="utf-8")
    newsclean_flow(inputs=[str(inputs)], out=str(out))
    assert len(corpus_texts(out)) == 1 and len(ids(out / "duplicates.jsonl")) == 1
    kept = Path(json.loads((out / "corpus.jsonl").read_text().splitlines()[0])["source"]).name
    copy = ({"a.txt", "b.txt"} - {kept}).pop()

    (inputs / kept).write_text(story(2), encoding="utf-8")
    report = newsclean_flow(inputs=[str(inputs)], out=str(out))
    assert report["counts"]["requeued"] == 1 and report["requeue_pass"]["kept"] == 1
    rows = [json.loads(line) for line in (out / "corpus.jsonl").read_text().splitlines()]
    assert sorted(Path(r["source"]).name for r in rows) == ["a.txt", "b.txt"]
    assert "Renault-Nissan Alliance will invest" in next(r["text"] for r in rows if r["source"].endswith(copy))
    assert ids(out / "duplicates.jsonl") == [], f"{copy} is now the kept version of the old story"


def test_path_spelling_does_not_defeat_superseding(prefect_harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "x.txt").write_text(story(0), encoding="utf-8")
    newsclean_flow(inputs=["in"], out="out")
    (tmp_path / "in" / "x.txt").write_text(story(3), encoding="utf-8")
    report = newsclean_flow(inputs=[str(tmp_path / "in")], out="out")
    assert report["counts"]["superseded"] == 1
    assert corpus_texts(tmp_path / "out") and len(corpus_texts(tmp_path / "out")) == 1


def test_a_file_changed_back_revives_its_earlier_version(prefect_harness, tmp_path: Path) -> None:
    inputs, out = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    x = inputs / "x.txt"
    x.write_text(story(0), encoding="utf-8")
    newsclean_flow(inputs=[str(inputs)], out=str(out))
    first = corpus_texts(out)
    x.write_text(story(3), encoding="utf-8")
    newsclean_flow(inputs=[str(inputs)], out=str(out))
    x.write_text(story(0), encoding="utf-8")
    report = newsclean_flow(inputs=[str(inputs)], out=str(out))
    assert report["counts"]["inputs"] == 0, "the old version was processed before: nothing to redo"
    assert corpus_texts(out) == first


def test_output_inside_the_input_folder_is_not_read_back(prefect_harness, corpus_dir: Path) -> None:
    out = corpus_dir / "out"
    newsclean_flow(inputs=[str(corpus_dir)], out=str(out))
    again = newsclean_flow(inputs=[str(corpus_dir)], out=str(out))
    assert again["run"]["nothing_to_do"] and again["ingest"]["files"] == 4


def test_a_state_dir_serves_one_output_folder(prefect_harness, corpus_dir: Path, tmp_path: Path) -> None:
    from cleaning.state import StateError

    newsclean_flow(inputs=[str(corpus_dir)], out=str(tmp_path / "a"))
    with pytest.raises(StateError, match="belongs to output folder"):
        newsclean_flow(inputs=[str(corpus_dir)], out=str(tmp_path / "b"), state_dir=str(tmp_path / "a" / "state"))
    assert newsclean_flow(inputs=[str(corpus_dir)], out=str(tmp_path / "a"))["run"]["nothing_to_do"]


def test_redis_index_belongs_to_one_output_folder(prefect_harness, redis_url: str, corpus_dir: Path,
                                                  tmp_path: Path) -> None:
    """Two output folders with the same Redis settings do not see each other's corpus."""
    import uuid

    import redis

    url = redis_url
    client = redis.Redis.from_url(url)
    prefix = f"newsclean-flowtest:{uuid.uuid4().hex[:8]}"
    cfg = tmp_path / "redis.toml"
    cfg.write_text(f'[dedup.index]\nbackend = "redis"\nredis_url = "{url}"\nredis_prefix = "{prefix}"\n', encoding="utf-8")
    try:
        first = newsclean_flow(inputs=[str(corpus_dir)], out=str(tmp_path / "a"), config_path=str(cfg))
        second = newsclean_flow(inputs=[str(corpus_dir)], out=str(tmp_path / "b"), config_path=str(cfg))
        assert first["counts"]["kept"] == second["counts"]["kept"] == 4
        (corpus_dir / "copy.txt").write_text(story(2).replace("Sunday", "Monday"), encoding="utf-8")
        third = newsclean_flow(inputs=[str(corpus_dir)], out=str(tmp_path / "a"), config_path=str(cfg))
        assert third["counts"]["duplicates"] == 1, "the shared Redis index still finds copies within a corpus"
    finally:
        for key in client.scan_iter(match=f"{prefix}*"):
            client.delete(key)


def test_compact_of_a_state_in_use_exits_3_like_run(prefect_harness, corpus_dir: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from flows.cli import main

    out = tmp_path / "out"
    newsclean_flow(inputs=[str(corpus_dir)], out=str(out))
    holder = StateStore(out / "state", out)
    with holder.locked():
        assert main(["compact", "--out", str(out)]) == 3
    holder.close()
    assert "in use by another newsclean run" in capsys.readouterr().err
    assert main(["compact", "--out", str(out)]) == 0
