"""Throughput of every stage side by side, and of the whole Prefect flow.

    .venv/bin/python benchmarks/pipeline_bench.py [--docs 2000] [--words 500] [--flow-docs 5000] [--workers 2]

Stage figures are single-core library calls (after a short warm-up of each stage) on ~500-word news documents built from the
seeds' sentences (so the cleaner, language detector and filters see real prose, with the
seeds' real trailers appended to some). HTML extraction runs on the realistic test pages.
The flow figure is a real local Prefect run (thread runner) over a JSONL file, including
writing every output; peak memory is the process's max RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_HOME", str(ROOT / ".prefect"))
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")

from cleaning import dedup  # noqa: E402
from cleaning.config import load_config  # noqa: E402
from cleaning.document import Document  # noqa: E402
from cleaning.extract import document_from_text, extract_html  # noqa: E402
from cleaning.pipeline import clean_batch, language_batch, quality_batch  # noqa: E402


def seed_sentences() -> tuple[list[str], list[str]]:
    """Article sentences from the seeds (bodies) and their trailers, for realistic documents."""
    cfg = load_config()
    sentences: list[str] = []
    trailers: list[str] = []
    for p in sorted((ROOT / "seeds").glob("*.txt")):
        doc = document_from_text(p.read_text(encoding="utf-8"), str(p), cfg)
        res = clean_batch([doc], cfg).docs
        body = res[0].text if res else doc.text
        sentences += [s for s in re.split(r"(?<=[.!?”\"])\s+", body) if len(s.split()) > 6]
        trailers += [r.text for r in (res[0].removed if res else []) if len(r.text) > 40]
    return sentences, trailers


def make_docs(n: int, words: int, rng: random.Random) -> list[str]:
    sentences, trailers = seed_sentences()
    docs = []
    for i in range(n):
        parts: list[str] = []
        count = 0
        while count < words:
            s = rng.choice(sentences)
            s = re.sub(r"\d+", lambda m: str(rng.randint(2, 9999)), s)
            parts.append(s)
            count += len(s.split())
        paras = ["\n".join(parts[j:j + 3]) for j in range(0, len(parts), 3)]
        text = "\n\n".join(paras)
        if i % 3 == 0 and trailers:
            text += "\n\n" + rng.choice(trailers)
        docs.append(text)
    return docs


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:10.0f} docs/s"


def bench_stages(n_docs: int, words: int) -> None:
    cfg = load_config()
    rng = random.Random(7)
    texts = make_docs(n_docs, words, rng)
    mb = sum(len(t.encode()) for t in texts) / 1e6
    docs = [Document(id=f"d{i:06d}", source=f"bench/{i}", text=t) for i, t in enumerate(texts)]
    print(f"stage throughput, 1 core, {n_docs} documents of ~{words} words ({mb:.1f} MB of text):")
    # One-time per-process costs (compiling patterns, loading language profiles, MinHash
    # permutations) are paid on a few other documents first: the figures are per-document rates.
    warm = [Document(id=f"w{i}", source="warm", text=t) for i, t in enumerate(make_docs(20, words, random.Random(3)))]
    dedup.compute_signatures(quality_batch(language_batch(clean_batch(warm, cfg).docs, cfg).docs, cfg).docs, cfg)

    t = time.perf_counter()
    cleaned = clean_batch(docs, cfg).docs
    dt = time.perf_counter() - t
    print(f"  clean                 {rate(n_docs, dt)}  {mb / dt:7.1f} MB/s")

    t = time.perf_counter()
    tagged = language_batch(cleaned, cfg)
    dt = time.perf_counter() - t
    print(f"  language (detect+keep){rate(len(cleaned), dt)}  {mb / dt:7.1f} MB/s")

    t = time.perf_counter()
    quality_batch(tagged.docs, cfg)
    dt = time.perf_counter() - t
    print(f"  quality filters       {rate(len(tagged.docs), dt)}  {mb / dt:7.1f} MB/s")

    t = time.perf_counter()
    sigs = dedup.compute_signatures(tagged.docs, cfg)
    dt = time.perf_counter() - t
    print(f"  dedup signatures      {rate(len(tagged.docs), dt)}  {mb / dt:7.1f} MB/s")

    t = time.perf_counter()
    dedup.resolve_duplicates(sigs, cfg, None)
    dt = time.perf_counter() - t
    print(f"  dedup resolve (LSH)   {rate(len(sigs), dt)}")

    pages = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "tests" / "fixtures" / "html").glob("*.html"))]
    n_pages = 60
    page_mb = sum(len(pages[i % len(pages)].encode()) for i in range(n_pages)) / 1e6
    t = time.perf_counter()
    for i in range(n_pages):
        extract_html(pages[i % len(pages)], None, cfg)
    dt = time.perf_counter() - t
    print(f"  extract (trafilatura) {rate(n_pages, dt)}  {page_mb / dt:7.1f} MB/s  (realistic test pages)")


def bench_flow(n_docs: int, words: int, workers: int) -> None:
    from prefect.testing.utilities import prefect_test_harness

    from flows.pipeline import flow_with_runner

    rng = random.Random(11)
    texts = make_docs(n_docs, words, rng)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "corpus.jsonl"
        with src.open("w", encoding="utf-8") as fh:
            for i, t in enumerate(texts):
                fh.write(json.dumps({"url": f"https://news.example/{i}", "text": t}, ensure_ascii=False) + "\n")
        mb = src.stat().st_size / 1e6
        with prefect_test_harness(server_startup_timeout=120):
            t = time.perf_counter()
            report = flow_with_runner(workers)(inputs=[str(src)], out=str(Path(tmp) / "out"))
            dt = time.perf_counter() - t
    c = report["counts"]
    runner = f"local Dask cluster, {workers} worker processes" if workers else "thread runner"
    print(f"whole flow (Prefect, {runner}), {n_docs} JSONL text documents, {mb:.1f} MB:")
    print(f"  {n_docs / dt:.0f} docs/s, {mb / dt:.2f} MB/s, {dt:.1f} s wall; kept {c['kept']}, "
          f"duplicates {c['duplicates']}, rejected {c['rejected']}")
    print("  stage seconds (summed over batches): " +
          ", ".join(f"{k} {v:.2f}" for k, v in report["timings_seconds"].items()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=2000, help="documents for the per-stage figures")
    ap.add_argument("--words", type=int, default=500)
    ap.add_argument("--flow-docs", type=int, default=5000, help="documents for the whole-flow figure (0 to skip)")
    ap.add_argument("--workers", type=int, default=0, help="run the flow on a local Dask cluster of this many processes")
    args = ap.parse_args()
    bench_stages(args.docs, args.words)
    if args.flow_docs:
        bench_flow(args.flow_docs, args.words, args.workers)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS): {peak:.0f} MB")


if __name__ == "__main__":
    main()
