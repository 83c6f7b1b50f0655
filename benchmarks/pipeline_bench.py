"""Speed and memory of the whole `newsclean run` CLI, per stage, per worker count, against the
script a user would write instead.

    .venv/bin/python benchmarks/pipeline_bench.py                       # 10k / 50k / 200k, workers 0/1/2, HTML, naive
    .venv/bin/python benchmarks/pipeline_bench.py --sizes 10000 --workers 2 --no-html

What it prints:

1. CPU per document of every per-document stage (library calls in this process, CPU time
   via ``time.process_time``, after a warm-up; the per-document time limit is off so the
   stage's own cost is measured, not the pipe to its worker).
2. For each corpus size (generated JSONL of ~500-word English news-like documents built from
   the seeds' sentences and the WCXB dev articles' English sentences, a third with a seed
   trailer, 20% near copies of an earlier document with one word changed)
   and each ``--workers`` value: the whole CLI as a user runs it (a subprocess, including
   Python start-up and Prefect's temporary server when none is configured): wall seconds,
   docs/s, MB/s, peak RSS of the whole process tree (sampled every 0.1 s: CLI + worker
   processes + server), the report's per-stage seconds (wall, summed over batches), and
   whether the three output files are byte-identical to the first worker count's.
3. In the same run, the naive script (JSONL → seeded langdetect → datasketch MinHash(128) over
   word 3-grams + MinHashLSH(threshold 0.7) → kept JSONL) on the same corpus, and the ratio.
4. The HTML dev pages (ScrapingHub and WCXB dev sets in ../shared/devdata, when present):
   newsclean end to end against a plain ``trafilatura.extract`` loop over the same files with
   the same number of processes.

Timings on a shared machine are noisy: compare ratios printed by the same run, and repeat.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_HOME", str(ROOT / ".prefect"))
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")

DEVDATA = ROOT.parent / "shared" / "devdata"
HTML_DIRS = [DEVDATA / "scrapinghub-dev" / "html", DEVDATA / "wcxb-dev-articles" / "html"]
OUTPUTS = ("corpus.jsonl", "duplicates.jsonl", "rejected.jsonl")


# --------------------------------------------------------------------------- generated corpus


def seed_sentences() -> tuple[list[str], list[str]]:
    """Article sentences from the seeds (bodies) and their trailers, for realistic documents."""
    from cleaning.config import load_config
    from cleaning.extract import document_from_text
    from cleaning.pipeline import clean_batch

    cfg = load_config()
    cfg["pipeline"]["doc_timeout_seconds"] = 0
    sentences: list[str] = []
    trailers: list[str] = []
    for p in sorted((ROOT / "seeds").glob("*.txt")):
        doc = document_from_text(p.read_text(encoding="utf-8"), str(p), cfg)
        res = clean_batch([doc], cfg).docs
        body = res[0].text if res else doc.text
        sentences += [s for s in re.split(r"(?<=[.!?”\"])\s+", body) if len(s.split()) > 6]
        trailers += [r.text for r in (res[0].removed if res else []) if len(r.text) > 40]
    return sentences, trailers


def sentence_pool() -> tuple[list[str], list[str]]:
    """Seed sentences plus, when the dev data is present, the English sentences of the WCXB dev
    articles' ground-truth text (~25k): with the seeds' ~100 sentences alone, any two generated
    documents share several sentences, and dedup meets hundreds of thousands of candidate pairs
    no real corpus has."""
    sentences, trailers = seed_sentences()
    gt = DEVDATA / "wcxb-dev-articles" / "ground-truth"
    if gt.is_dir():
        for p in sorted(gt.glob("*.json")):
            truth = json.loads(p.read_text(encoding="utf-8")).get("ground_truth")
            text = truth.get("main_content") if isinstance(truth, dict) else None
            for s in re.split(r"(?<=[.!?])\s+", text or ""):
                if len(s.split()) > 6 and sum(c.isascii() for c in s) > 0.97 * len(s):
                    sentences.append(s.strip())
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


def compose_text(rng: random.Random, sentences: list[str], words: int) -> str:
    """A news-like text of about ``words`` words: random sentences (numbers varied), three per
    paragraph."""
    parts: list[str] = []
    count = 0
    while count < words:
        s = re.sub(r"\d+", lambda m: str(rng.randint(2, 9999)), rng.choice(sentences))
        parts.append(s)
        count += len(s.split())
    return "\n\n".join("\n".join(parts[j:j + 3]) for j in range(0, len(parts), 3))


def write_corpus(path: Path, n: int, words: int = 500, seed: int = 11) -> None:
    """``n`` JSONL text records; every fifth is a near copy (one word changed) of an earlier one."""
    rng = random.Random(seed)
    sentences, trailers = sentence_pool()
    made: list[str] = []
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            if i % 5 == 4:
                words_ = rng.choice(made[-2000:]).split(" ")
                words_[rng.randrange(len(words_))] = "edited"
                text = " ".join(words_)
            else:
                text = compose_text(rng, sentences, words)
                if i % 3 == 0 and trailers:
                    text += "\n\n" + rng.choice(trailers)
                made.append(text)
                if len(made) > 4000:
                    del made[:2000]
            fh.write(json.dumps({"url": f"https://news.example/{i}", "text": text}, ensure_ascii=False) + "\n")


# --------------------------------------------------------------------------- measuring a process tree


def run_measured(cmd: list[str], env: dict[str, str] | None = None,
                 peaks: dict[str, float] | None = None) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """(wall seconds, peak RSS in MB of the process and all its descendants, result). With
    ``peaks``, also each process's own peak RSS in MB: "main" and "child <pid> <command>"."""
    import psutil

    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    own = peaks if peaks is not None else {}
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        try:
            root = psutil.Process(proc.pid)
        except psutil.NoSuchProcess:
            return
        names: dict[int, str] = {}
        while not done.is_set():
            total = 0
            try:
                children = root.children(recursive=True)
            except psutil.NoSuchProcess:
                break
            except psutil.Error:
                done.wait(0.1)
                continue
            procs = [("main", root)]
            for p in children:
                # A child may exit between the listing and this: skip it this round. (This loop
                # used to stop at the first such race, so peaks after it went unseen: at 1M
                # documents it reported a 514 MB flow peak while the flow reached 943 MB.)
                try:
                    if p.pid not in names:
                        names[p.pid] = f"child {p.pid} {' '.join(p.cmdline()[1:3])[:60]}"
                except psutil.Error:
                    continue
                procs.append((names[p.pid], p))
            for name, p in procs:
                try:
                    rss = p.memory_info().rss
                except psutil.Error:
                    continue
                total += rss
                own[name] = max(own.get(name, 0.0), rss / 1e6)
            peak = max(peak, total)
            done.wait(0.1)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    done.set()
    th.join()
    return wall, peak / 1e6, subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def newsclean_cmd(inputs: list[str], out: Path, workers: int) -> list[str]:
    return [sys.executable, "-m", "flows", "run", *inputs, "--out", str(out), "--workers", str(workers)]


def run_newsclean(inputs: list[str], out: Path, workers: int) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    wall, rss, res = run_measured(newsclean_cmd(inputs, out, workers), env)
    if res.returncode != 0:
        raise SystemExit(f"newsclean failed ({res.returncode}):\n{res.stderr[-3000:]}")
    report = json.loads((out / "report.json").read_text())
    return {"wall": wall, "rss": rss, "report": report}


# --------------------------------------------------------------------------- the naive script


NAIVE = r'''
import json, sys
from datasketch import MinHash, MinHashLSH
from langdetect import DetectorFactory, detect
DetectorFactory.seed = 0
lsh = MinHashLSH(threshold=0.7, num_perm=128)
with open(sys.argv[1], encoding="utf-8") as fin, open(sys.argv[2], "w", encoding="utf-8") as fout:
    for i, line in enumerate(fin):
        rec = json.loads(line)
        text = rec["text"]
        try:
            lang = detect(text)
        except Exception:
            lang = "und"
        words = text.split()
        m = MinHash(num_perm=128)
        for j in range(max(1, len(words) - 2)):
            m.update(" ".join(words[j:j + 3]).encode("utf-8"))
        if lsh.query(m):
            continue
        lsh.insert(str(i), m)
        rec["language"] = lang
        fout.write(json.dumps(rec, ensure_ascii=False) + "\n")
'''


def run_naive(src: Path, out: Path) -> dict:
    script = out.parent / "naive.py"
    script.write_text(NAIVE, encoding="utf-8")
    wall, rss, res = run_measured([sys.executable, str(script), str(src), str(out)])
    if res.returncode != 0:
        raise SystemExit(f"naive script failed:\n{res.stderr[-3000:]}")
    kept = sum(1 for _ in out.open(encoding="utf-8"))
    return {"wall": wall, "rss": rss, "kept": kept}


TRAFILATURA_LOOP = r'''
import sys
from multiprocessing import Pool
import trafilatura
def one(path):
    with open(path, "rb") as fh:
        html = fh.read().decode("utf-8", errors="replace")
    return trafilatura.extract(html) is not None
if __name__ == "__main__":
    files = [l.strip() for l in open(sys.argv[1]) if l.strip()]
    procs = int(sys.argv[2])
    if procs <= 1:
        ok = sum(map(one, files))
    else:
        with Pool(procs) as pool:
            ok = sum(pool.map(one, files, chunksize=8))
    print(ok)
'''


# --------------------------------------------------------------------------- the sections


def bench_stage_cpu(n_docs: int, words: int) -> None:
    """CPU ms per document of each per-document stage, in this process."""
    from cleaning import dedup
    from cleaning.config import load_config
    from cleaning.document import Document
    from cleaning.extract import document_from_text
    from cleaning.pipeline import clean_batch, language_batch, quality_batch

    cfg = load_config()
    cfg["pipeline"]["doc_timeout_seconds"] = 0  # the stage itself, not the pipe to a time-limit worker
    with tempfile.TemporaryDirectory() as tmp:  # the same generator as the whole-run corpora
        write_corpus(Path(tmp) / "c.jsonl", n_docs + 20, words, seed=7)
        texts = [json.loads(line)["text"] for line in (Path(tmp) / "c.jsonl").open(encoding="utf-8")]
    texts, warm_texts = texts[:n_docs], texts[n_docs:]
    warm = [Document(id=f"w{i}", source="warm", text=t) for i, t in enumerate(warm_texts)]
    dedup.compute_signatures(quality_batch(language_batch(clean_batch(warm, cfg).docs, cfg).docs, cfg).docs, cfg)
    mb = sum(len(t.encode()) for t in texts) / 1e6
    print(f"per-document stage CPU (1 process, {n_docs} documents of ~{words} words, {mb:.1f} MB, time.process_time):")

    def timed(label: str, fn, arg):  # type: ignore[no-untyped-def]
        t = time.process_time()
        res = fn(arg)
        dt = time.process_time() - t
        print(f"  {label:<22} {1000 * dt / n_docs:7.3f} ms/doc  {n_docs / dt:8.0f} docs/s  {mb / dt:6.1f} MB/s")
        return res

    docs = timed("extract (text records)", lambda ts: [replace(document_from_text(t, f"bench/{i}", cfg), id=f"d{i:06d}")
                                                      for i, t in enumerate(ts)], texts)
    cleaned = timed("clean", lambda d: clean_batch(d, cfg).docs, docs)
    tagged = timed("language", lambda d: language_batch(d, cfg).docs, cleaned)
    kept = timed("quality", lambda d: quality_batch(d, cfg).docs, tagged)
    sigs = timed("signatures", lambda d: dedup.compute_signatures(d, cfg), kept)
    timed("dedup resolve", lambda s: dedup.resolve_duplicates(s, cfg, None), sigs)


def _stage_line(report: dict) -> str:
    return ", ".join(f"{k} {v:.1f}" for k, v in sorted(report["timings_seconds"].items()))


def _same_outputs(a: Path, b: Path) -> bool:
    return all((a / n).read_bytes() == (b / n).read_bytes() for n in OUTPUTS)


def bench_plain(sizes: list[int], workers: list[int], tmp: Path, naive: bool) -> None:
    for n in sizes:
        src = tmp / f"corpus-{n}.jsonl"
        write_corpus(src, n)
        mb = src.stat().st_size / 1e6
        print(f"\nplain text, {n} JSONL documents, {mb:.1f} MB:")
        print(f"  {'run':<22} {'wall s':>8} {'docs/s':>8} {'MB/s':>6} {'peak RSS MB':>12}  outputs  stage seconds (report, summed over batches)")
        first: Path | None = None
        walls: dict[int, float] = {}
        for w in workers:
            out = tmp / f"out-{n}-w{w}"
            r = run_newsclean([str(src)], out, w)
            walls[w] = r["wall"]
            same = "ref" if first is None else ("same" if _same_outputs(first, out) else "DIFFER")
            first = first or out
            c = r["report"]["counts"]
            print(f"  newsclean --workers {w:<2} {r['wall']:8.1f} {n / r['wall']:8.0f} {mb / r['wall']:6.2f} {r['rss']:12.0f}  {same:<7}  "
                  f"{_stage_line(r['report'])}  [kept {c['kept']}, dup {c['duplicates']}, rej {c['rejected']}]")
        if 1 in walls and 2 in walls:
            print(f"  speed-up --workers 2 vs 1: {walls[1] / walls[2]:.2f}x")
        if naive:
            nv = run_naive(src, tmp / f"naive-{n}.jsonl")
            print(f"  {'naive script':<22} {nv['wall']:8.1f} {n / nv['wall']:8.0f} {mb / nv['wall']:6.2f} {nv['rss']:12.0f}  "
                  f"(kept {nv['kept']})")
            print("  newsclean speed vs naive: " + ", ".join(f"--workers {w}: {nv['wall'] / t:.2f}x" for w, t in walls.items()))
        for w in workers:
            shutil.rmtree(tmp / f"out-{n}-w{w}", ignore_errors=True)
        src.unlink()


def bench_html(workers: list[int], tmp: Path) -> None:
    dirs = [d for d in HTML_DIRS if d.is_dir()]
    if not dirs:
        print("\nHTML dev pages: not found (../shared/devdata), skipped")
        return
    # The dev pages are stored gzipped (.html.gz); both sides read the same plain .html copies.
    import gzip

    pages = tmp / "html-pages"
    files = []
    for d in dirs:
        (pages / d.parent.name).mkdir(parents=True, exist_ok=True)
        for p in sorted(d.iterdir()):
            if p.name.endswith((".html", ".htm", ".html.gz", ".htm.gz")):
                target = pages / d.parent.name / p.name.removesuffix(".gz")
                target.write_bytes(gzip.decompress(p.read_bytes()) if p.suffix == ".gz" else p.read_bytes())
                files.append(str(target))
    dirs = [pages / d.parent.name for d in dirs]
    mb = sum(Path(f).stat().st_size for f in files) / 1e6
    listing = tmp / "html-files.txt"
    listing.write_text("\n".join(files), encoding="utf-8")
    loop = tmp / "trafilatura_loop.py"
    loop.write_text(TRAFILATURA_LOOP, encoding="utf-8")
    print(f"\nHTML dev pages ({', '.join(d.name for d in dirs)}): {len(files)} pages, {mb:.1f} MB:")
    for w in workers:
        r = run_newsclean([str(d) for d in dirs], tmp / f"html-w{w}", w)
        procs = max(1, w)
        t_wall, t_rss, res = run_measured([sys.executable, str(loop), str(listing), str(procs)])
        if res.returncode != 0:
            raise SystemExit(f"trafilatura loop failed:\n{res.stderr[-3000:]}")
        print(f"  newsclean --workers {w}: {r['wall']:6.1f} s, {len(files) / r['wall']:5.1f} pages/s, {mb / r['wall']:5.2f} MB/s, "
              f"peak RSS {r['rss']:.0f} MB | trafilatura.extract loop, {procs} process(es): {t_wall:6.1f} s, "
              f"peak RSS {t_rss:.0f} MB | newsclean / loop = {r['wall'] / t_wall:.2f}  ({_stage_line(r['report'])})")
        shutil.rmtree(tmp / f"html-w{w}", ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,50000,200000", help="plain-text corpus sizes (comma-separated; empty to skip)")
    ap.add_argument("--workers", default="0,1,2", help="--workers values to run (comma-separated)")
    ap.add_argument("--stage-docs", type=int, default=1000, help="documents for the per-stage CPU figures (0 to skip)")
    ap.add_argument("--words", type=int, default=500)
    ap.add_argument("--no-naive", action="store_true", help="skip the naive script")
    ap.add_argument("--no-html", action="store_true", help="skip the HTML dev pages")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    workers = [int(w) for w in args.workers.split(",") if w.strip()]
    print(f"machine: {os.cpu_count()} CPUs, load average at start {os.getloadavg()[0]:.1f}")
    if args.stage_docs:
        bench_stage_cpu(args.stage_docs, args.words)
    with tempfile.TemporaryDirectory(prefix="newsclean-bench-") as tmp:
        bench_plain(sizes, workers, Path(tmp), not args.no_naive)
        if not args.no_html:
            bench_html(workers, Path(tmp))
    print(f"\nload average at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
