"""One digest of everything the clean stage produces, plus its CPU cost, on generated and real texts.

    .venv/bin/python benchmarks/clean_digest.py [--repeats 3] [--profile SET] [--top 25] [--no-dev]

Texts (each set cleaned with ``clean_document``, the per-document time limit off):
  generated  the 1,000 documents of ``pipeline_bench.py``'s "per-document stage CPU" section
             (the same generator and seed: ~500-word English news-like documents)
  seeds      seeds/*.txt
  labeled    the hand-labeled documents of benchmarks/data/cleaning (cleaning_eval.py)
  dev-*      the texts extracted from the dev sets' HTML pages (ScrapingHub, WCXB, waddle: en, el,
             pl, ru, zh) and the dedup-dev plain-text documents, when /work/shared/devdata exists.
             Extraction is slow and not what is measured here, so the extracted texts are cached
             in ``$NEWSCLEAN_BENCH_CACHE`` (default /tmp/newsclean-bench-cache); --refresh redoes it.

The digest is SHA-256 over every cleaned text, every Removal (rule, start, end, text), the
published date, author and metadata of every document, in order: a speed change must print the
same digest. Each set is cleaned twice (cold line caches, then warm) and both must agree.

CPU per document is ``time.process_time`` over the set, best of ``--repeats``, with the rules'
per-line caches cleared before each round (they fill within the round, as in a real run: chrome
lines repeat across documents, article lines do not). ``--profile SET`` prints cProfile's top
functions by self time for one cold round over that set.
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import hashlib
import json
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from cleaning.clean import clean_document, reset_line_caches  # noqa: E402
from cleaning.config import load_config  # noqa: E402
from cleaning.document import Document  # noqa: E402
from cleaning.extract import document_from_text  # noqa: E402

DEVDATA = Path("/work/shared/devdata")
CACHE = Path(os.environ.get("NEWSCLEAN_BENCH_CACHE", "/tmp/newsclean-bench-cache"))


def generated_docs(cfg: dict) -> list[Document]:
    from pipeline_bench import write_corpus

    with tempfile.TemporaryDirectory() as tmp:  # exactly pipeline_bench.bench_stage_cpu's texts
        write_corpus(Path(tmp) / "c.jsonl", 1000 + 20, 500, seed=7)
        texts = [json.loads(line)["text"] for line in (Path(tmp) / "c.jsonl").open(encoding="utf-8")]
    return [document_from_text(t, f"bench/{i}", cfg, doc_id=f"g{i:06d}") for i, t in enumerate(texts[:1000])]


def seed_docs(cfg: dict) -> list[Document]:
    return [document_from_text(p.read_text(encoding="utf-8"), p.name, cfg, doc_id=p.stem)
            for p in sorted((ROOT / "seeds").glob("*.txt"))]


def labeled_docs(cfg: dict) -> list[Document]:
    from cleaning_eval import load_labeled

    return [Document(id=d.doc_id, source="labeled", text=d.text) for d in load_labeled()]


def _extracted(name: str, html_dir: Path, cfg: dict, refresh: bool) -> list[Document]:
    """Documents extracted from a dev set's HTML pages (cached: extraction is not measured here)."""
    from cleaning.decode import decode_html
    from cleaning.extract import extract_item
    from cleaning.ingest import RawItem, make_id

    cache = CACHE / f"{name}.jsonl"
    if refresh or not cache.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        rows = []
        for p in sorted(html_dir.iterdir()):
            if not p.name.endswith((".html", ".html.gz")):
                continue
            raw = gzip.decompress(p.read_bytes()) if p.suffix == ".gz" else p.read_bytes()
            item = RawItem(id=make_id(p.name, raw), source=p.name, kind="html", content=decode_html(raw).text, size=len(raw))
            doc = extract_item(item, cfg)
            if isinstance(doc, Document):
                rows.append({"id": doc.id, "source": doc.source, "text": doc.text, "author": doc.author,
                             "published": doc.published})
        tmp = cache.with_suffix(".tmp")
        tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        tmp.replace(cache)
    return [Document(id=r["id"], source=r["source"], text=r["text"], author=r["author"], published=r["published"])
            for r in map(json.loads, cache.open(encoding="utf-8"))]


def dev_sets(cfg: dict, refresh: bool) -> dict[str, list[Document]]:
    out: dict[str, list[Document]] = {}
    for name, sub in [("dev-scrapinghub", "scrapinghub-dev/html"), ("dev-wcxb", "wcxb-dev-articles/html"),
                      ("dev-waddle", "waddle-dev/html")]:
        if (DEVDATA / sub).is_dir():
            out[name] = _extracted(name, DEVDATA / sub, cfg, refresh)
    dd = DEVDATA / "dedup-dev" / "docs"
    if dd.is_dir():
        out["dev-dedup"] = [document_from_text(p.read_text(encoding="utf-8", errors="replace"), p.name, cfg, doc_id=p.stem)
                            for p in sorted(dd.glob("*.txt"))]
    return out


def digest_of(docs: list[Document], cfg: dict) -> str:
    h = hashlib.sha256()
    for d in docs:
        c = clean_document(d, cfg)
        rec = [c.id, c.text, [[r.rule, r.start, r.end, r.text] for r in c.removed], c.published, c.author,
               c.metadata]
        h.update(json.dumps(rec, ensure_ascii=False, sort_keys=True).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def best_cpu(docs: list[Document], cfg: dict, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        reset_line_caches(cfg)
        t = time.process_time()
        for d in docs:
            clean_document(d, cfg)
        best = min(best, time.process_time() - t)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--profile", metavar="SET", help="cProfile one cold round over this set (e.g. generated)")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--no-dev", action="store_true", help="skip the dev sets")
    ap.add_argument("--refresh", action="store_true", help="extract the dev pages again")
    args = ap.parse_args()
    cfg = load_config(overrides={"pipeline": {"doc_timeout_seconds": 0}})
    sets = {"generated": generated_docs(cfg), "seeds": seed_docs(cfg), "labeled": labeled_docs(cfg)}
    if not args.no_dev:
        sets.update(dev_sets(cfg, args.refresh))

    total = hashlib.sha256()
    print(f"{'set':<16} {'docs':>5} {'KB/doc':>7} {'CPU ms/doc':>11}  digest")
    for name, docs in sets.items():
        reset_line_caches(cfg)
        cold_digest = digest_of(docs, cfg)
        warm_digest = digest_of(docs, cfg)
        if cold_digest != warm_digest:
            raise SystemExit(f"{name}: cleaning with warm line caches differs from cold ({cold_digest} != {warm_digest})")
        total.update(f"{name}:{cold_digest}\n".encode())
        cpu = best_cpu(docs, cfg, args.repeats)
        kb = sum(len(d.text) for d in docs) / max(len(docs), 1) / 1e3
        print(f"{name:<16} {len(docs):>5} {kb:>7.1f} {cpu / len(docs) * 1e3:>11.3f}  "
              f"{cold_digest[:16]}", flush=True)
    print(f"digest {total.hexdigest()}  (sets: {', '.join(sets)})")

    if args.profile:
        docs = sets[args.profile]
        reset_line_caches(cfg)
        prof = cProfile.Profile()
        prof.enable()
        for d in docs:
            clean_document(d, cfg)
        prof.disable()
        print(f"\ncProfile, one cold round over {args.profile} ({len(docs)} docs), top {args.top} by self time:")
        pstats.Stats(prof).sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
