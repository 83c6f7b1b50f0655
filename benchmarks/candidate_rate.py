"""How many candidate pairs MinHash LSH proposes, true and false, per language and copy operation.

    .venv/bin/python benchmarks/candidate_rate.py                  # dedup-dev + generated 10k/30k
    .venv/bin/python benchmarks/candidate_rate.py --set minhash_char_ngram=5 --set minhash_cjk_char_ngram=4

Every candidate pair is verified exactly, so false candidates cost time, not precision; but their
number per document grows with the corpus when unrelated documents of one language share many
MinHash grams, and at scale that work dominates. This prints, for the configured ``[dedup]``
settings (overridable with ``--set key=value``):

* dedup-dev (``../shared/devdata/dedup-dev``, raw texts, no cleaning): same-story pairs found as
  candidates, overall, per language and per copy operation; unrelated same-language pairs that
  became candidates, per language, as a share of all such pairs;
* generated corpora (``pipeline_bench.py``'s ~500-word English documents, 20% near copies):
  candidate pairs per document at each size, and the share of them that pass verification.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from cleaning.config import load_config  # noqa: E402
from cleaning.dedup import compute_signatures, dedup_settings, resolve_duplicates  # noqa: E402
from cleaning.dedup.resolve import candidate_pairs  # noqa: E402
from cleaning.dedup.signature import band_keys  # noqa: E402
from cleaning.document import Document  # noqa: E402

DEDUP_DEV = ROOT.parent / "shared" / "devdata" / "dedup-dev"


def _value(text: str):  # type: ignore[no-untyped-def]
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def dev_rates(cfg) -> None:  # type: ignore[no-untyped-def]
    truth = [json.loads(line) for line in (DEDUP_DEV / "truth.jsonl").open(encoding="utf-8")]
    docs = [Document(id=t["name"], source=t["name"], text=(DEDUP_DEV / "docs" / t["name"]).read_text(encoding="utf-8"))
            for t in truth]
    sigs = compute_signatures(docs, cfg)
    s = dedup_settings(cfg)
    pairs = {tuple(p) for p in candidate_pairs(band_keys(np.stack([x.minhash for x in sigs]), s), s.max_bucket).tolist()}
    story = [None if t["cluster"].startswith("n:") else t["cluster"] for t in truth]
    lang = [t["lang"] for t in truth]
    found, total = defaultdict(int), defaultdict(int)
    by_op_found, by_op_total = defaultdict(int), defaultdict(int)
    false_c, false_t = defaultdict(int), defaultdict(int)
    for i, j in itertools.combinations(range(len(truth)), 2):
        hit = (i, j) in pairs
        if story[i] is not None and story[i] == story[j]:
            total[lang[i]] += 1
            found[lang[i]] += hit
            for op in {o.split(":")[0] for o in truth[i]["ops"] + truth[j]["ops"]} or {"exact/base"}:
                by_op_total[op] += 1
                by_op_found[op] += hit
        elif lang[i] == lang[j]:
            false_t[lang[i]] += 1
            false_c[lang[i]] += hit
    t_all, f_all = sum(total.values()), sum(found.values())
    print(f"dedup-dev: {len(pairs):,} candidate pairs; same-story pairs found {f_all}/{t_all} ({f_all / t_all:.4f})")
    print("  same-story found by language: " + ", ".join(f"{k} {found[k]}/{total[k]}" for k in sorted(total)))
    print("  same-story found by operation: " + ", ".join(f"{k} {by_op_found[k]}/{by_op_total[k]}" for k in sorted(by_op_total)))
    print("  unrelated same-language pairs made candidates: " + ", ".join(
        f"{k} {false_c[k]}/{false_t[k]:,} ({false_c[k] / false_t[k]:.1e})" for k in sorted(false_t) if false_t[k]))
    fc, ft = sum(false_c.values()), sum(false_t.values())
    print(f"  all unrelated same-language pairs: {fc}/{ft:,} ({fc / ft:.2e})")


def generated_rates(cfg, sizes: list[int]) -> None:  # type: ignore[no-untyped-def]
    from pipeline_bench import write_corpus

    for n in sizes:
        path = Path(tempfile.mkdtemp()) / "corpus.jsonl"
        write_corpus(path, n)
        recs = [json.loads(line) for line in path.open(encoding="utf-8")]
        docs = [Document(id=f"{i:07d}", source="gen", text=r["text"]) for i, r in enumerate(recs)]
        t0 = time.process_time()
        sigs = compute_signatures(docs, cfg)
        t1 = time.process_time()
        out = resolve_duplicates(sigs, cfg, None)
        t2 = time.process_time()
        st = out.stats
        print(f"generated {n:,}: {st['candidate_pairs']:,} candidate pairs ({st['candidate_pairs'] / n:.1f} per document), "
              f"{st['verified_pairs']:,} verified; {len(out.duplicates):,} duplicates; CPU signatures {t1 - t0:.1f} s, "
              f"resolve {t2 - t1:.1f} s", flush=True)
        path.unlink()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a [dedup] setting")
    ap.add_argument("--sizes", default="10000,30000", help="generated corpus sizes (comma-separated; empty to skip)")
    args = ap.parse_args()
    overrides = {k: _value(v) for k, v in (x.split("=", 1) for x in args.set)}
    cfg = load_config(overrides={"dedup": overrides} if overrides else None)
    print("settings:", {k: v for k, v in dedup_settings(cfg).sketch_params().items()}, flush=True)
    if DEDUP_DEV.is_dir():
        dev_rates(cfg)
    sizes = [int(x) for x in args.sizes.split(",") if x]
    generated_rates(cfg, sizes)


if __name__ == "__main__":
    main()
