"""Digest of the dedup signatures (content hash, MinHash, features) of fixed inputs, and their CPU cost.

    .venv/bin/python benchmarks/signature_digest.py [--rounds N] [--sets a,b]

A speed change to ``cleaning/dedup/sketch.py`` or ``cleaning/dedup/signature.py`` must print
the same digests before and after. Per set, every document's signature (id, content hash,
MinHash bytes, feature bytes, shingle count and kind, text length, metadata count) is hashed
in input order, after computing the set in batches of 500, of 37 and as one batch (the three
must agree: signatures do not depend on the batching). Sets:

* ``generated``: 3,000 documents of ``dedup_bench.py``'s labeled corpus (150-700 words, copies
  with OCR noise, templated stories, captions);
* ``generated-500``: the 500-word documents ``dedup_bench.py`` times for throughput;
* ``edge``: texts built here to reach every branch: NFKC-unstable characters at document edges,
  astral characters, separators inside a text, CJK, empty and punctuation-only texts, a text
  far longer than the rest;
* ``dedup-dev``: every plain-text document of ../shared/devdata/dedup-dev (when present);
* the cleaned inputs of ``language_quality_digest.py`` (its cache in /tmp, when present).

CPU time (``time.process_time``, best of ``--rounds``) of ``compute_signatures`` over each set
in batches of 500 is printed beside the digest, with the load average.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import pickle
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from cleaning.config import load_config  # noqa: E402
from cleaning.dedup import compute_signatures  # noqa: E402
from cleaning.document import Document  # noqa: E402

DEVDATA = ROOT.parent / "shared" / "devdata"
LQ_CACHE = Path("/tmp/newsclean-language-quality-digest")


def _edge_texts() -> list[str]:
    sys.path.insert(0, str(ROOT / "tests" / "cleaning"))
    from test_dedup_sketch import _SENTENCES, _UNNORMALIZED  # seven scripts, NFKC-unstable and astral characters

    base = [*_UNNORMALIZED, _SENTENCES[-2], "日本銀行は水曜日に政策金利を0.25%引き上げた。", "البنك المركزي رفع سعر الفائدة الرئيسي ربع نقطة يوم الأربعاء."]
    out = [
        "", " ", "...", "a", "ab", "abcd", "abcde", "ABCDE abcde", "\x00", "one\x00two three four",
        "\u00a0starts with a no-break space", "ends with a no-break space\u00a0", "\u0301 combining first",
        "ends with a jamo \u1100", "ﬁ", "😀", "😀😀😀😀😀 emoji only words", "𝐁𝐚𝐧𝐤𝐬 raise rates",
        "\ue000 private use \ue001 area", "ß straße STRASSE", "İstanbul ǅemal ﬀ", "x" * 5000,
    ]
    for k in range(60):
        out.append(" ".join(base[(k + i) % len(base)] for i in range(k % 7 + 1)))
    out.append(" ".join(base) * 300)  # far longer than the rest: the key sort in _distinct_per_doc
    for k in range(len(base)):
        out.append((base[k] + "\n") * 40)
    return out


def load_sets(names: list[str] | None) -> dict[str, list[Document]]:
    from dedup_bench import CorpusBuilder, load_articles

    sets: dict[str, list[Document]] = {}
    want = (lambda n: names is None or n in names)
    if want("generated") or want("generated-500"):
        builder = CorpusBuilder(load_articles())
        if want("generated"):
            sets["generated"] = [b[0] for batch in builder.batches(3000) for b in batch][:3000]
        if want("generated-500"):  # exactly dedup_bench.throughput's documents
            docs = [b[0] for batch in builder.batches(3000, words=(500, 500)) for b in batch if b[0].word_count >= 450]
            sets["generated-500"] = [Document(d.id, d.source, " ".join(d.text.split(" ")[:500])) for d in docs][:3000]
    if want("edge"):
        sets["edge"] = [Document(f"edge/{i}", "edge", t, url="https://www.example.com/a" if i % 3 else None,
                                 sitename="Example" if i % 5 == 0 else None, title="T" if i % 2 else None)
                        for i, t in enumerate(_edge_texts())]
    folder = DEVDATA / "dedup-dev" / "docs"
    if want("dedup-dev") and folder.is_dir():
        sets["dedup-dev"] = [Document(p.stem, "dedup-dev", p.read_text("utf-8")) for p in sorted(folder.glob("*.txt"))]
    for p in sorted(LQ_CACHE.glob("*.pickle")) if LQ_CACHE.is_dir() else []:
        name = f"cleaned-{p.stem}"
        if want(name):
            with p.open("rb") as fh:
                sets[name] = pickle.load(fh)
    return sets


def signature_digest(sigs) -> str:
    h = hashlib.sha256()
    for s in sigs:
        h.update(f"{s.id}|{s.content_hash}|{s.n_shingles}|{s.shingle_kind}|{s.text_chars}|{s.n_metadata}|".encode())
        h.update(s.minhash.tobytes())
        h.update(s.features.tobytes())
        h.update(b"\n")
    return h.hexdigest()[:16]


def batched(docs: list[Document], size: int, cfg) -> list:
    out = []
    for i in range(0, len(docs), size):
        out += compute_signatures(docs[i : i + size], cfg)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3, help="timing rounds (best reported)")
    ap.add_argument("--sets", help="comma-separated subset (default: all found)")
    args = ap.parse_args()
    cfg = load_config()
    sets = load_sets(args.sets.split(",") if args.sets else None)
    compute_signatures([Document("warm", "warm", "warm up the lookup tables")], cfg)
    print(f"load average {os.getloadavg()[0]:.1f}")
    print(f"{'set':28s} {'docs':>5s}  {'digest':16s}  {'CPU us/doc':>10s}  {'docs/s':>8s}")
    total = hashlib.sha256()
    for name, docs in sets.items():
        d500 = signature_digest(batched(docs, 500, cfg))
        d37 = signature_digest(batched(docs, 37, cfg))
        d_all = signature_digest(compute_signatures(docs, cfg))
        if not d500 == d37 == d_all:
            raise SystemExit(f"{name}: signatures depend on the batching ({d500} / {d37} / {d_all})")
        best = float("inf")
        for _ in range(args.rounds):
            t0 = time.process_time()
            batched(docs, 500, cfg)
            best = min(best, time.process_time() - t0)
        n = max(len(docs), 1)
        print(f"{name:28s} {len(docs):5d}  {d500}  {1e6 * best / n:10.1f}  {n / max(best, 1e-9):8,.0f}")
        total.update(d500.encode())
    print(f"{'all':28s} {'':5s}  {total.hexdigest()[:16]}  (load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
