"""The real Prefect flow over the seeds plus a mixed folder of every input format."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from flows.pipeline import newsclean_flow

CORPUS_KEYS = {"id", "source", "url", "title", "published", "author", "sitename", "language", "text",
               "word_count", "content_hash", "removed"}
OUTPUT_FILES = ("corpus.jsonl", "rejected.jsonl", "duplicates.jsonl")


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def mixed_inputs(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path, fixtures_dir: Path) -> Path:
    """Seeds, HTML pages, a JSONL batch, a WARC and some broken files in one folder tree."""
    root = tmp_path_factory.mktemp("inputs")
    shutil.copytree(seeds_dir, root / "seeds")
    html_dir = root / "html"
    shutil.copytree(fixtures_dir / "html", html_dir)
    (html_dir / "corrupt_upload.html").write_bytes(bytes(range(256)) * 16)
    (html_dir / "zero.html").write_bytes(b"")
    (root / "bad_encoding.txt").write_bytes("Busan port handled record volumes in Mai.".encode("utf-16"))
    seed1 = (seeds_dir / "001_856dfffb84b6831f.txt").read_text(encoding="utf-8")
    records = [
        {"url": "https://wire.example/renault-nissan-korea", "text": seed1, "title": "Renault-Nissan invests in Korea"},
        {"id": "jl-kgm", "url": "https://news.example/kgm-torres", "published": "2023-08-01",
         "text": "KG Mobility said on Tuesday that its Torres EVX electric SUV will go on sale in Korea in September, "
                 "priced below 50 million won before subsidies. The company expects to sell 15,000 units this year, "
                 "and will export the model to Europe and Australia from early next year, executives told reporters at "
                 "the launch event in Pyeongtaek."},
    ]
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    lines += ['{"url": "https://news.example/cut", "text": "Hyundai Mot', json.dumps({"url": "https://news.example/nf", "body": "x"})]
    (root / "batch.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    html = (fixtures_dir / "html" / "en_hyundai_georgia.html").read_bytes()
    with (root / "crawl.warc.gz").open("wb") as fh:
        w = WARCWriter(fh, gzip=True)
        hdr = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        w.write_record(w.create_warc_record("https://mirror.example/hyundai-georgia", "response",
                                            payload=io.BytesIO(html.replace(b"Friday", b"Friday morning")), http_headers=hdr))
        css = StatusAndHeaders("200 OK", [("Content-Type", "text/css")], protocol="HTTP/1.1")
        w.write_record(w.create_warc_record("https://mirror.example/site.css", "response",
                                            payload=io.BytesIO(b"body{margin:0}"), http_headers=css))
    return root


@pytest.fixture(scope="module")
def two_runs(prefect_harness, mixed_inputs: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    a = tmp_path_factory.mktemp("run_a")
    b = tmp_path_factory.mktemp("run_b")
    report = newsclean_flow(inputs=[str(mixed_inputs)], out=str(a))
    newsclean_flow(inputs=[str(mixed_inputs)], out=str(b))
    return a, b, report


def test_output_contract(two_runs) -> None:
    out, _, report = two_runs
    for name in (*OUTPUT_FILES, "report.json", "report.md", "report.html", "manifest.json"):
        assert (out / name).is_file(), name
    corpus = read_jsonl(out / "corpus.jsonl")
    assert corpus
    for line in (out / "corpus.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        assert CORPUS_KEYS <= set(rec)
        assert list(rec) == sorted(rec), "keys must be sorted"
        assert rec["word_count"] == len(rec["text"].split())
        assert rec["published"] is None or len(rec["published"]) == 10
    for rec in read_jsonl(out / "rejected.jsonl"):
        assert {"id", "source", "reason", "detail"} <= set(rec)
    for rec in read_jsonl(out / "duplicates.jsonl"):
        assert {"id", "source", "duplicate_of", "similarity", "method"} <= set(rec)
    assert not (out / ".staging").exists() or not any((out / ".staging").iterdir())
    assert json.loads((out / "report.json").read_text()) == json.loads(json.dumps(report, default=str))


def test_every_input_in_exactly_one_place(two_runs, fixtures_dir: Path) -> None:
    out, _, report = two_runs
    ids = {name: [r["id"] for r in read_jsonl(out / name)] for name in OUTPUT_FILES}
    all_ids = [i for v in ids.values() for i in v]
    assert len(all_ids) == len(set(all_ids)), "an id appears in more than one output"
    n_pages = len(list((fixtures_dir / "html").glob("*.html")))
    # 4 seeds + the fixture pages + 2 bad html + 1 bad txt + 4 jsonl lines + 1 warc html response
    assert report["counts"]["inputs"] == 4 + n_pages + 2 + 1 + 4 + 1
    assert len(all_ids) == report["counts"]["inputs"]
    assert report["counts"]["accounting_ok"]


def test_bad_inputs_have_specific_reasons(two_runs) -> None:
    out, _, _ = two_runs
    by_source = {Path(r["source"]).name: r["reason"] for r in read_jsonl(out / "rejected.jsonl")}
    assert by_source["corrupt_upload.html"] == "ingest.binary"
    assert by_source["zero.html"] == "ingest.empty"
    assert by_source["bad_encoding.txt"] in {"ingest.binary", "ingest.encoding"}
    assert by_source["section_front_no_article.html"] == "extract.no_content"
    assert by_source["batch.jsonl:3"] == "ingest.invalid_json"
    assert by_source["batch.jsonl:4"] == "ingest.no_content"


def test_exact_copy_is_a_duplicate_of_the_seed(two_runs) -> None:
    """The JSONL record repeats seed 001 verbatim: one of the two is kept, the other points at it."""
    out, _, _ = two_runs
    corpus = {r["id"]: r for r in read_jsonl(out / "corpus.jsonl")}
    dups = read_jsonl(out / "duplicates.jsonl")
    pair = [d for d in dups if d["source"].endswith(("batch.jsonl:1", "001_856dfffb84b6831f.txt"))]
    assert len(pair) == 1 and pair[0]["method"] == "exact"
    kept = corpus[pair[0]["duplicate_of"]]
    assert {Path(kept["source"]).name, Path(pair[0]["source"]).name} == {"batch.jsonl:1", "001_856dfffb84b6831f.txt"}


def test_html_and_warc_documents_carry_metadata(two_runs) -> None:
    out, _, _ = two_runs
    docs = read_jsonl(out / "corpus.jsonl") + read_jsonl(out / "duplicates.jsonl")
    by_name = {Path(d["source"].split("@")[0]).name: d for d in read_jsonl(out / "corpus.jsonl")}
    ko = by_name["ko_kia_ev9.html"]
    assert ko["published"] == "2023-05-15" and ko["sitename"] == "모빌리티경제"
    assert any(d["source"].split("@")[0].endswith("crawl.warc.gz") for d in docs)


def test_stable_ids_and_byte_identical_outputs(two_runs) -> None:
    a, b, _ = two_runs
    for name in OUTPUT_FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    ra, rb = (json.loads((d / "report.json").read_text()) for d in (a, b))
    assert ra["counts"] == rb["counts"] and ra["rejected_by_reason"] == rb["rejected_by_reason"]


def test_report_counts_per_stage(two_runs) -> None:
    out, _, report = two_runs
    stages = report["stages"]
    assert stages["read"] == report["counts"]["inputs"]
    assert stages["kept"] == report["counts"]["kept"]
    assert set(report["timings_seconds"]) >= {"ingest", "extract", "clean", "language", "dedup", "write"}
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "Rejected by reason" in md and "ingest.binary" in md


@pytest.mark.slow
def test_dask_cluster_run_gives_the_same_outputs(prefect_harness, two_runs, mixed_inputs: Path, tmp_path: Path) -> None:
    """A local Dask cluster of worker processes (prefect-dask) produces byte-identical files."""
    from flows.pipeline import flow_with_runner

    reference, _, _ = two_runs
    out = tmp_path / "dask"
    report = flow_with_runner(dask_workers=2)(inputs=[str(mixed_inputs)], out=str(out))
    assert report["counts"]["accounting_ok"]
    for name in OUTPUT_FILES:
        assert (out / name).read_bytes() == (reference / name).read_bytes(), name


@pytest.mark.parametrize("time_limited", [True, False], ids=["threads-driving-time-limit-workers", "process-pool"])
def test_worker_processes_give_the_same_outputs(prefect_harness, two_runs, mixed_inputs: Path, tmp_path: Path,
                                                time_limited: bool) -> None:
    """The default runner on a multi-core machine (two threads, each batch's stages in a
    time-limit worker process; small batches so both get several), and the process pool used
    when the time limit is off, write byte-identical files to the in-process thread runner."""
    from flows.pipeline import flow_with_runner

    reference, _, _ = two_runs
    cfg = tmp_path / "small_batches.toml"
    cfg.write_text("[pipeline]\nbatch_size = 2\n" + ("" if time_limited else "doc_timeout_seconds = 0\n"),
                   encoding="utf-8")
    out = tmp_path / "processes"
    report = flow_with_runner(workers=2, time_limited=time_limited)(inputs=[str(mixed_inputs)], out=str(out),
                                                                    config_path=str(cfg))
    assert report["counts"]["accounting_ok"]
    for name in OUTPUT_FILES:
        assert (out / name).read_bytes() == (reference / name).read_bytes(), name


def test_batches_end_at_their_byte_budget_without_losing_an_item() -> None:
    from cleaning.ingest import RawItem
    from cleaning.pipeline import batched

    items = [RawItem(id=str(k), source="s", kind="html", content="x" * n, size=n) for k, n in enumerate([5, 1, 9, 2, 2, 2, 7])]
    it = iter(items)  # the flow takes one batch at a time from one input iterator
    got = [[x.id for x in b] for b in iter(lambda: next(batched(it, 3, 6), None), None)]
    assert got == [["0", "1"], ["2"], ["3", "4", "5"], ["6"]]
    assert [[x.id for x in b] for b in batched(items, 3)] == [["0", "1", "2"], ["3", "4", "5"], ["6"]]


def test_outputs_do_not_depend_on_batch_size(prefect_harness, two_runs, mixed_inputs: Path, tmp_path: Path) -> None:
    reference, _, _ = two_runs
    cfg = tmp_path / "tiny_batches.toml"
    cfg.write_text("[pipeline]\nbatch_size = 1\nmax_batches_in_flight = 3\n", encoding="utf-8")
    bytes_cfg = tmp_path / "byte_batches.toml"
    # ... and with the JSONL records' text sent to the workers instead of read there by reference.
    bytes_cfg.write_text("[pipeline]\nbatch_size = 500\nbatch_max_bytes = 3000\ninputs_by_reference = false\n",
                         encoding="utf-8")
    by_bytes = tmp_path / "by_bytes"
    newsclean_flow(inputs=[str(mixed_inputs)], out=str(by_bytes), config_path=str(bytes_cfg))
    for name in OUTPUT_FILES:
        assert (by_bytes / name).read_bytes() == (reference / name).read_bytes(), name
    out = tmp_path / "tiny"
    newsclean_flow(inputs=[str(mixed_inputs)], out=str(out), config_path=str(cfg))
    for name in OUTPUT_FILES:
        assert (out / name).read_bytes() == (reference / name).read_bytes(), name
