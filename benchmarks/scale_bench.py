"""Scale benchmark (issue 16): the whole `newsclean run` on generated plain-text corpora of
100k / 300k / 1M documents (~500 words, 20% near copies), printing wall time, docs/s, time per
document, peak RSS of the flow process and of each worker process, and dedup pairwise
precision / recall against the generator's truth.

    .venv/bin/python benchmarks/scale_bench.py --sizes 100000 --workers 2
    .venv/bin/python benchmarks/scale_bench.py --sizes 100000,300000,1000000 --workers 2 --keep /big/disk

Sentences come from the seeds and, when present, the WCXB dev articles' ground truth (as in
pipeline_bench.py). Every fifth document is a near copy of an earlier original (one to three
words replaced, sometimes a trailer added or the last paragraph dropped); the truth is the
original's url. Timings are wall-clock of a shared machine: the load average is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from pipeline_bench import compose_text, run_measured, sentence_pool  # noqa: E402


def write_corpus(path: Path, n: int, words: int = 500, seed: int = 16) -> dict[str, str]:
    """``n`` JSONL records; returns url -> story label (the original's url)."""
    rng = random.Random(seed)
    sentences, trailers = sentence_pool()
    originals: list[tuple[str, str]] = []  # (url, text), a bounded window to copy from
    truth: dict[str, str] = {}
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            url = f"https://news{i % 97}.example/{i}"
            if i % 5 == 4 and originals:
                src_url, src = rng.choice(originals)
                paras = src.split("\n\n")
                if len(paras) > 3 and rng.random() < 0.3:
                    paras = paras[:-1]
                text = "\n\n".join(paras)
                ws = text.split(" ")
                for _ in range(rng.randint(1, 3)):
                    ws[rng.randrange(len(ws))] = rng.choice(["edited", "updated", "revised", "changed"])
                text = " ".join(ws)
                if trailers and rng.random() < 0.3:
                    text += "\n\n" + rng.choice(trailers)
                truth[url] = src_url
            else:
                text = compose_text(rng, sentences, words)
                originals.append((url, text))
                if len(originals) > 5000:
                    del originals[:2500]
                truth[url] = url
            fh.write(json.dumps({"url": url, "text": text}, ensure_ascii=False) + "\n")
    return truth


def _pairs(counts: Counter) -> int:
    return sum(c * (c - 1) // 2 for c in counts.values())


def pairwise(out: Path, truth: dict[str, str]) -> dict[str, float]:
    """Pairwise precision / recall of the clusters (kept + duplicates; rejected left out)."""
    pred: dict[str, str] = {}
    with (out / "corpus.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            pred[r["id"]] = (r["url"], r["cluster_id"] or r["id"])
    with (out / "duplicates.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            pred[r["id"]] = (r["url"], r["cluster_id"] or r["duplicate_of"])
    urls = [(u, c) for u, c in pred.values()]
    both = Counter((c, truth[u]) for u, c in urls)
    p_pairs, t_pairs, tp = _pairs(Counter(c for _, c in urls)), _pairs(Counter(truth[u] for u, _ in urls)), _pairs(both)
    return {"precision": tp / p_pairs if p_pairs else 1.0, "recall": tp / t_pairs if t_pairs else 1.0,
            "true_pairs": t_pairs, "predicted_pairs": p_pairs, "documents": len(urls)}


def false_duplicates(out: Path, corpus: Path, truth: dict[str, str]) -> str:
    """The duplicates.jsonl rows that name a copy of another generated story, judged on the raw
    texts: how many share at least 70% of the shorter text's word 5-grams with the copy they
    name. The generator draws ~500 words from a sentence pool in which some "sentences" are
    long list blocks; at 100k documents two stories can share one such block, a real overlap
    that its story labels do not know about."""
    rows: dict[str, dict] = {}
    for name in ("corpus.jsonl", "duplicates.jsonl"):
        with (out / name).open(encoding="utf-8") as fh:
            for line in fh:
                r = json.loads(line)
                rows[r["id"]] = r
    bad = [r for r in rows.values() if r.get("duplicate_of") and r["duplicate_of"] in rows
           and truth[r["url"]] != truth[rows[r["duplicate_of"]]["url"]]]
    if not bad:
        return "duplicates naming another story: 0"
    want = {r["url"] for r in bad} | {rows[r["duplicate_of"]]["url"] for r in bad}
    text: dict[str, str] = {}
    with corpus.open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            if r["url"] in want:
                text[r["url"]] = r["text"]

    def grams(t: str) -> set[tuple[str, ...]]:
        w = t.casefold().split()
        return {tuple(w[i:i + 5]) for i in range(max(len(w) - 4, 1))}

    shared = 0
    for r in bad:
        a, b = grams(text[r["url"]]), grams(text[rows[r["duplicate_of"]]["url"]])
        shared += len(a & b) / max(min(len(a), len(b)), 1) >= 0.7
    return (f"duplicates naming another story: {len(bad)} (rules {dict(Counter(r['rule'] for r in bad))}); "
            f"{shared} of them share >= 70% of the shorter raw text's word 5-grams with the copy they name")


def index_bytes(n: int, base: Path, run_size: int) -> None:
    """Bytes per document of the persistent dedup index on disk, SQLite against the compact
    ``shards`` backend (lookup part: band keys + exact hashes; store: records, MinHash, features),
    the corpus added in runs of ``run_size`` kept documents (signatures of generated texts)."""
    from cleaning.config import load_config
    from cleaning.dedup import compute_signatures, dedup_settings
    from cleaning.dedup.index import SqliteIndex
    from cleaning.dedup.shard_index import ShardIndex
    from cleaning.document import Document

    corpus = base / f"index-corpus-{n}.jsonl"
    write_corpus(corpus, n)
    s = dedup_settings(load_config())
    folder = base / f"index-{n}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    sq, sh = SqliteIndex(s, folder / "dedup_index.sqlite3"), ShardIndex(s, folder / "dedup_shards")
    t_sq = t_sh = 0.0
    with corpus.open(encoding="utf-8") as fh:
        run = 0
        while True:
            lines = [next(fh, None) for _ in range(run_size)]
            recs = [json.loads(x) for x in lines if x]
            if not recs:
                break
            docs = [Document(id=f"{run:04d}-{k:06d}", source="gen", text=r["text"], url=r["url"]) for k, r in enumerate(recs)]
            sigs = compute_signatures(docs, load_config())
            t0 = time.process_time()
            sq.add(sigs, run_id=f"run-{run}")
            t1 = time.process_time()
            sh.add(sigs, run_id=f"run-{run}")
            t_sh += time.process_time() - t1
            t_sq += t1 - t0
            run += 1
    parts = sh.bytes_on_disk()
    docs_n = len(sh)
    sq.close()  # checkpoints the WAL into the file
    size_sq = sum(p.stat().st_size for p in folder.glob("dedup_index.sqlite3*"))
    print(f"index of {docs_n:,} documents in {run} runs of {run_size:,}: SQLite {size_sq / docs_n:,.0f} B/doc "
          f"(add {t_sq:.1f} s CPU); shards: lookup {(parts['bands'] + parts['exact']) / docs_n:,.0f} B/doc "
          f"(band keys {parts['bands'] / docs_n:,.0f}, exact hashes {parts['exact'] / docs_n:,.0f}), "
          f"feature store {parts['store'] / docs_n:,.0f} B/doc (add {t_sh:.1f} s CPU)", flush=True)
    corpus.unlink()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100000,300000,1000000")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--words", type=int, default=500)
    ap.add_argument("--keep", help="folder for corpora and outputs (default: a temporary folder)")
    ap.add_argument("--index-bytes", type=int, default=0, metavar="N",
                    help="only measure the dedup index's bytes per document for N generated documents")
    ap.add_argument("--index-run-size", type=int, default=10_000)
    args = ap.parse_args()
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="scale_bench_"))
    base.mkdir(parents=True, exist_ok=True)
    if args.index_bytes:
        index_bytes(args.index_bytes, base, args.index_run_size)
        return
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; --workers {args.workers}", flush=True)
    rows = []
    for n in [int(x) for x in args.sizes.split(",") if x]:
        corpus = base / f"corpus-{n}.jsonl"
        t0 = time.perf_counter()
        truth = write_corpus(corpus, n, args.words)
        mb = corpus.stat().st_size / 1e6
        print(f"\n== {n:,} documents ({mb:,.0f} MB, generated in {time.perf_counter() - t0:.0f} s)", flush=True)
        out = base / f"out-{n}"
        shutil.rmtree(out, ignore_errors=True)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        load0 = os.getloadavg()[0]
        cmd = [sys.executable, "-m", "flows", "run", str(corpus), "--out", str(out), "--workers", str(args.workers)]
        peaks: dict[str, float] = {}
        wall, total, res = run_measured(cmd, env, peaks)
        if res.returncode != 0:
            print(f"newsclean failed ({res.returncode}):\n{res.stderr[-3000:]}")
            break
        report = json.loads((out / "report.json").read_text())
        pr = pairwise(out, truth)
        workers = {k: v for k, v in peaks.items() if k.startswith("child")}
        print(f"wall {wall:,.0f} s, {n / wall:,.1f} docs/s, {1000 * wall / n:.2f} ms/doc; load average "
              f"{load0:.1f} -> {os.getloadavg()[0]:.1f}")
        print(f"peak RSS: flow process {peaks.get('main', 0):,.0f} MB, whole tree {total:,.0f} MB")
        for name, v in sorted(workers.items(), key=lambda kv: -kv[1])[:6]:
            print(f"  {name}: {v:,.0f} MB")
        print(f"counts {report['counts']}")
        print(f"dedup vs truth: P {pr['precision']:.4f} R {pr['recall']:.4f} (true pairs {pr['true_pairs']:,}, "
              f"predicted {pr['predicted_pairs']:,}, over {pr['documents']:,} kept + duplicate documents)")
        print(false_duplicates(out, corpus, truth))
        print("stage seconds: " + ", ".join(f"{k} {v:.0f}" for k, v in sorted(report["timings_seconds"].items())), flush=True)
        rows.append((n, wall, peaks.get("main", 0)))
        if not args.keep:
            shutil.rmtree(out, ignore_errors=True)
            corpus.unlink()
    if len(rows) > 1:
        n0, w0, _ = rows[0]
        for n, w, _ in rows[1:]:
            print(f"time per document at {n:,} vs {n0:,}: {(w / n) / (w0 / n0):.2f}x")


if __name__ == "__main__":
    main()
