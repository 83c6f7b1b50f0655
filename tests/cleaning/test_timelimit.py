"""The per-document time limit: a page that takes too long is abandoned and rejected, the worker
is replaced, and the next page is processed as if nothing happened."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from cleaning.config import load_config
from cleaning.document import Rejection
from cleaning.extract import extract_item
from cleaning.ingest import RawItem
from cleaning.pipeline import extract_batch, process_batch
from cleaning.timelimit import Failure, Sandbox, run_limited

STORY = ("Hyundai Motor said on Tuesday it would build a second battery plant in Georgia, adding 1,000 jobs "
         "to the site near Savannah where it already assembles electric SUVs. The plant will open in 2026.")


def page(n_paragraphs: int) -> str:
    body = "".join(f"<div class='c{i % 7}'><p>{STORY} Paragraph {i}.</p></div>" for i in range(n_paragraphs))
    return f"<html><head><title>Plant</title></head><body><article>{body}</article></body></html>"


def test_a_page_over_the_time_limit_is_rejected_and_the_next_one_extracted() -> None:
    cfg = load_config(overrides={"pipeline": {"doc_timeout_seconds": 1.0}})
    slow = RawItem(id="slow", source="slow.html", kind="html", content=page(12_000))  # ~4 MB: ~3 s to extract
    fast = RawItem(id="fast", source="fast.html", kind="html", content=page(3))
    res = extract_batch([fast, slow, fast], cfg)
    assert [(r.id, r.reason) for r in res.rejected] == [("slow", "extract.timeout")]
    assert [d.id for d in res.docs] == ["fast", "fast"]
    in_process = extract_item(fast, load_config(overrides={"pipeline": {"doc_timeout_seconds": 0}}))
    assert res.docs[0] == in_process, "the worker extracts exactly what the stage does in-process"


@pytest.fixture()
def crashy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "crashy_stage.py").write_text(textwrap.dedent("""
        import os

        def die(arg, config):
            os._exit(7)

        def fail(arg, config):
            raise MemoryError("out of memory in one document")

        def crawl(arg, config):
            import time
            time.sleep(30)

        def staged(item, config, mark):
            import time
            mark("extract")
            if item == "die":
                os._exit(7)
            mark("clean")
            if item == "crawl":
                time.sleep(30)
            if item == "slow_once":  # held up the first time only (a busy machine, not the document)
                flag = os.path.join(os.path.dirname(__file__), "slow_once.flag")
                if not os.path.exists(flag):
                    open(flag, "w").close()
                    time.sleep(30)
            if item == "raise":
                raise MemoryError("out of memory in one document")
            return item.upper()
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    import crashy_stage

    yield crashy_stage
    sys.modules.pop("crashy_stage", None)


def test_a_worker_that_dies_rejects_only_its_document(crashy) -> None:
    cfg = load_config()
    box = Sandbox(cfg, timeout=30)
    item = RawItem(id="x", source="x.html", kind="html", content=page(3))
    try:
        dead = run_limited("extract", crashy.die, item, cfg, box)
        assert isinstance(dead, Rejection) and dead.reason == "extract.crashed" and "7" in dead.detail
        failed = run_limited("extract", crashy.fail, item, cfg, box)
        assert failed.reason == "extract.error" and "MemoryError" in failed.detail
        ok = run_limited("extract", extract_item, item, cfg, box)
        assert not isinstance(ok, Rejection)
        assert box.starts == 2
    finally:
        box.kill()


def test_extracted_text_over_the_limit_is_rejected_before_cleaning() -> None:
    cfg = load_config(overrides={"extract": {"max_text_chars": 1000}})
    long = RawItem(id="long", source="long.txt", kind="text", content=(STORY + "\n\n") * 20)
    res = extract_item(long, cfg)
    assert isinstance(res, Rejection) and res.reason == "extract.too_long" and res.value > 1000
    assert not isinstance(extract_item(RawItem(id="ok", source="ok.txt", kind="text", content=STORY), cfg), Rejection)


def test_language_and_quality_are_under_the_limit_too(crashy) -> None:
    """Found by benchmarks/fuzz_pipeline.py: a long run of word characters before an '@' made the
    e-mail pattern of the language stage quadratic (minutes for one document). The pattern is
    linear now, so the fuzzed document is simply tagged; a stage that still crawls is abandoned."""
    from cleaning.document import Document
    from cleaning.pipeline import language_batch

    cfg = load_config(overrides={"pipeline": {"doc_timeout_seconds": 1.0}})
    hostile = Document(id="h", source="h.jsonl:1", text=STORY + "\n\n" + "a" * 300_000 + "@\n\n" + STORY)
    normal = Document(id="n", source="n.txt", text=STORY + "\n\n" + STORY.replace("Tuesday", "Monday"))
    res = language_batch([hostile, normal], cfg)
    assert res.rejected == [] and [d.id for d in res.docs] == ["h", "n"]
    box = Sandbox(cfg, timeout=1.0)
    try:
        for stage in ("language", "quality"):
            late = run_limited(stage, crashy.crawl, normal, cfg, box)
            assert isinstance(late, Rejection) and late.reason == f"{stage}.timeout"
    finally:
        box.kill()


def test_a_batch_is_one_round_trip_and_only_the_overrunning_document_is_lost(crashy) -> None:
    """The flow's path: the whole batch goes to the worker at once; a document that kills its
    worker or overruns one stage's limit is the only one lost, named by that stage, and the rest
    of the batch goes on in a fresh worker."""
    cfg = load_config()
    box = Sandbox(cfg, timeout=1.0)
    try:
        out = box.run_batch(crashy.staged, ["a", "die", "b", "crawl", "c", "raise", "d"], ("extract", "clean"))
        assert out[0::2] == ["A", "B", "C", "D"]
        dead, late, raised = out[1], out[3], out[5]
        assert isinstance(dead, Failure) and (dead.stage, dead.reason) == ("extract", "crashed") and "7" in dead.detail
        assert isinstance(late, Failure) and (late.stage, late.reason) == ("clean", "timeout")
        # tried twice (the second time in a fresh worker), and the detail says what the worker was doing
        assert "second try" in late.detail and "(the worker was sleeping)" in late.detail
        assert isinstance(raised, Failure) and (raised.stage, raised.reason) == ("clean", "error")
        assert "MemoryError" in raised.detail
        # the first worker, after the crash, after the time-out, for the retry: not per document
        assert box.starts == 4
        assert box.run_batch(crashy.staged, ["e", "f"], ("extract", "clean")) == ["E", "F"] and box.starts == 5
        assert box.run_batch(crashy.staged, ["e", "f"], ("extract", "clean")) == ["E", "F"] and box.starts == 5
    finally:
        box.kill()


def test_a_document_held_up_once_is_kept_by_its_second_try(crashy) -> None:
    """A time-out can be the machine's (a stalled disk, a starved worker), not the document's: the
    document is tried once more after its batch, in a fresh worker, and kept if it then finishes."""
    cfg = load_config()
    box = Sandbox(cfg, timeout=1.0)
    try:
        assert box.run_batch(crashy.staged, ["a", "slow_once", "b"], ("extract", "clean")) == ["A", "SLOW_ONCE", "B"]
        assert box.starts == 3  # the first worker, its replacement after the time-out, the retry's fresh one
        late = box.run_batch(crashy.staged, ["c", "crawl"], ("extract", "clean"), retry_timeouts=False)[1]
        assert isinstance(late, Failure) and late.reason == "timeout" and "second try" not in late.detail
    finally:
        box.kill()


def test_process_batch_rejects_the_slow_page_and_matches_the_in_process_run() -> None:
    cfg = load_config(overrides={"pipeline": {"doc_timeout_seconds": 1.0}})
    slow = RawItem(id="slow", source="slow.html", kind="html", content=page(12_000))  # ~4 MB: ~3 s to extract
    fast = [RawItem(id=f"fast{i}", source=f"fast{i}.html", kind="html", content=page(3 + i)) for i in range(3)]
    seed = sorted(Path(__file__).resolve().parents[2].joinpath("seeds").glob("*.txt"))[0]
    text = RawItem(id="text", source=seed.name, kind="text", content=seed.read_text(encoding="utf-8"))
    ingest = Rejection("bad", "bad.html", "ingest.empty", "input is empty or whitespace only")
    res, seconds = process_batch([fast[0], ingest, slow, fast[1], text, fast[2]], cfg)
    unlimited, _ = process_batch([fast[0], ingest, fast[1], text, fast[2]],
                                 load_config(overrides={"pipeline": {"doc_timeout_seconds": 0}}))
    timed_out = [r for r in res.rejected if r.reason == "extract.timeout"]
    assert [r.id for r in timed_out] == ["slow"]
    # Everything else exactly as in-process, rejections in input order (the ingest one first).
    assert res.docs == unlimited.docs and [d.id for d in res.docs] == ["text"]
    assert [r for r in res.rejected if r.id != "slow"] == unlimited.rejected
    assert [r.id for r in res.rejected] == ["fast0", "bad", "slow", "fast1", "fast2"]
    assert set(seconds) == {"extract", "clean", "language", "quality"} and seconds["extract"] > 0


def test_the_pool_keeps_one_busy_worker_per_cpu_and_stops_idle_ones(crashy, monkeypatch: pytest.MonkeyPatch) -> None:
    """Memory (issue 14): each worker holds the extraction and cleaning libraries and caches, so
    threads beyond the CPUs wait for a worker instead of starting another, and a worker idle
    well past its usual gap between batches is stopped (the next batch starts a fresh one)."""
    import threading
    import time

    from cleaning import timelimit

    cfg = load_config(overrides={"pipeline": {"doc_timeout_seconds": 7.5}})  # a config of its own
    monkeypatch.setattr(timelimit, "MAX_BUSY", 1)
    monkeypatch.setattr(timelimit, "IDLE_MIN_SECONDS", 1.0)
    boxes, results = [], []

    def one(item: str) -> None:
        with timelimit.sandbox(cfg) as box:
            boxes.append(box)
            results.append(box.run_batch(crashy.staged, [item], ("extract", "clean")))

    threads = [threading.Thread(target=one, args=(x,)) for x in "abc"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [["A"], ["B"], ["C"]]
    box = boxes[0]
    assert all(b is box for b in boxes) and box.starts == 1, "one worker at a time, reused"
    assert box.proc is not None
    deadline = time.monotonic() + 30
    while box.proc is not None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert box.proc is None, "an idle worker is stopped"
    one("d")
    assert results[-1] == ["D"] and box.starts == 2
