"""What the per-document time limit costs on normal pages: extract + clean with the stages in a
worker process (``doc_timeout_seconds`` > 0) against in-process (0).

    .venv/bin/python benchmarks/timelimit_overhead.py [HTML_DIR ...] [--repeat 3]

Default pages: /work/shared/devdata/scrapinghub-dev/html (``*.html`` / ``*.html.gz``). Both modes
run the same pages the same number of times after a warm-up (worker started, caches filled);
the figure is the best of ``--repeat`` rounds, per page, and the results are checked identical.
"""

from __future__ import annotations

import argparse
import gzip
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cleaning.config import load_config  # noqa: E402
from cleaning.ingest import RawItem, make_id  # noqa: E402
from cleaning.pipeline import clean_batch, extract_batch  # noqa: E402
from cleaning.timelimit import shutdown  # noqa: E402

DEFAULT_DIR = Path("/work/shared/devdata/scrapinghub-dev/html")


def load_pages(dirs: list[Path]) -> list[RawItem]:
    items = []
    for d in dirs:
        for p in sorted(d.iterdir()):
            if p.name.endswith(".html.gz"):
                data = gzip.decompress(p.read_bytes())
            elif p.name.endswith((".html", ".htm")):
                data = p.read_bytes()
            else:
                continue
            items.append(RawItem(id=make_id(p.name, data), source=p.name, kind="html",
                                 content=data.decode("utf-8", "replace"), size=len(data)))
    return items


def run(items: list[RawItem], timeout: float, repeat: int) -> tuple[float, list]:
    cfg = load_config(overrides={"pipeline": {"doc_timeout_seconds": timeout}})
    clean_batch(extract_batch(items[:3], cfg).docs, cfg)  # warm-up: worker start, imports, caches
    best = float("inf")
    out: list = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        ex = extract_batch(items, cfg)
        cl = clean_batch(ex.docs, cfg)
        best = min(best, time.perf_counter() - t0)
        out = [(d.id, d.text, [r.to_dict() for r in d.removed]) for d in cl.docs] + [(r.id, r.reason) for r in ex.rejected + cl.rejected]
    return best, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dirs", nargs="*", type=Path, default=[DEFAULT_DIR])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    items = load_pages(args.dirs)
    mb = sum(i.size for i in items) / 1e6
    inproc, a = run(items, 0, args.repeat)
    worker, b = run(items, 60, args.repeat)
    shutdown()
    n = len(items)
    print(f"{n} pages, {mb:.1f} MB of HTML, extract + clean, best of {args.repeat}")
    print(f"  in-process (doc_timeout_seconds = 0): {inproc:.3f} s  ({1000 * inproc / n:.1f} ms/page)")
    print(f"  worker     (doc_timeout_seconds = 60): {worker:.3f} s  ({1000 * worker / n:.1f} ms/page)")
    print(f"  overhead: {1000 * (worker - inproc) / n:+.2f} ms/page ({100 * (worker - inproc) / inproc:+.1f}%)")
    print(f"  identical results: {a == b}")


if __name__ == "__main__":
    main()
