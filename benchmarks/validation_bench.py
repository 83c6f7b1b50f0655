"""Validation benchmark: seconds per 10k corpus rows for the three GX suites + offline Data Docs.

Rows are the four seeds as the real cleaner leaves them (cleaning.clean.clean_text), repeated
with distinct ids, hashes, URLs and dates, ~3% missing titles and ~half with removals, so the
suites do their real work (the text regexes scan real article lengths). Each size runs in a
fresh output folder; GX's import is timed separately because a flow pays it once.

    .venv/bin/python benchmarks/validation_bench.py                 # 10k and 100k rows
    .venv/bin/python benchmarks/validation_bench.py --sizes 2000    # quick look
"""

from __future__ import annotations

import argparse
import hashlib
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cleaning import validation as v  # noqa: E402
from cleaning.clean import clean_text  # noqa: E402
from cleaning.config import load_config  # noqa: E402


def make_rows(n: int, config: dict) -> tuple[list[dict], list[dict]]:
    rng = random.Random(0)
    seeds = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        result = clean_text(path.read_text("utf-8"), config)
        seeds.append((path.stem, result.text, [r.to_dict() for r in result.removed]))
    rows, raw = [], []
    for i in range(n):
        stem, text, removed = seeds[i % len(seeds)]
        doc_id = f"{stem}-{i:07d}"
        url = f"https://news.example.com/{2000 + i % 25}/{doc_id}"
        day = f"{2000 + i % 25}-{1 + i % 12:02d}-{1 + i % 28:02d}"
        rows.append({
            "id": doc_id, "source": f"crawl/{i // 1000:04d}.warc.gz", "url": url,
            "title": None if rng.random() < 0.03 else f"Story {i} from {stem}",
            "published": None if rng.random() < 0.1 else day, "author": None, "sitename": "news.example.com",
            "language": "en", "language_score": 0.9999, "text": text, "word_count": len(text.split()),
            "content_hash": hashlib.sha256(f"{doc_id}{text}".encode()).hexdigest(),
            "removed": removed, "cluster_id": None, "cluster_size": None, "metadata": {},
        })
        raw.append({"id": doc_id, "source": rows[-1]["source"], "url": url, "content_chars": len(text) + 900,
                    "kind": "html"})
    return rows, raw


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    config = load_config()

    t0 = time.perf_counter()
    import great_expectations  # noqa: F401

    print(f"import great_expectations: {time.perf_counter() - t0:.2f} s (once per process)")
    with tempfile.TemporaryDirectory() as tmp:  # warm-up: first GX run compiles/imports lazily
        rows, raw = make_rows(200, config)
        v.validate_run(Path(tmp), config, raw, rows, {"inputs": 200, "kept": 200, "rejected": 0, "duplicates": 0}, "warmup")

    print(f"{'rows':>8} {'total s':>8} {'s/10k':>7} {'frames':>7} {'validate':>9} {'data_docs':>10} {'offline':>8} "
          f"{'peak RSS MB':>12}  result")
    for n in args.sizes:
        rows, raw = make_rows(n, config)
        summary = {"inputs": n + n // 10, "kept": n, "rejected": n // 20, "duplicates": n // 10 - n // 20}
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            report = v.validate_run(Path(tmp), config, raw, rows, summary, f"bench-{n}")
            total = time.perf_counter() - t
        tm = report.timings
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        verdict = "pass" if not report.failed_names() else f"failed: {sorted(report.failed_names())}"
        print(f"{n:>8} {total:>8.2f} {total / n * 10_000:>7.2f} {tm['frames']:>7.2f} {tm['validate']:>9.2f} "
              f"{tm['data_docs']:>10.2f} {tm['offline']:>8.2f} {peak:>12.0f}  {verdict}")
        del rows, raw


if __name__ == "__main__":
    main()
