"""Where CPU goes on HTML pages: newsclean's stages one by one against ``trafilatura.extract``.

    .venv/bin/python benchmarks/html_stage_cpu.py [--pages 60] [--repeats 3] [HTML_DIR]

CPU seconds (``time.process_time``, plus the time-limit worker's CPU read with psutil), best of
``--repeats`` rounds over the same pages, in this process after a warm-up; the machine is shared,
so CPU, not wall time. Default pages: the first ``--pages`` of the ScrapingHub dev set.
"""

from __future__ import annotations

import argparse
import gzip
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402
from trafilatura.utils import load_html  # noqa: E402

from cleaning.clean import clean_document, reset_line_caches  # noqa: E402
from cleaning.config import load_config  # noqa: E402
from cleaning.decode import decode_html  # noqa: E402
from cleaning.extract import _trafilatura_options, extract_html, extract_item  # noqa: E402
from cleaning.htmlprep import mark_boilerplate  # noqa: E402
from cleaning.ingest import RawItem, make_id  # noqa: E402
from cleaning.language import detect_language  # noqa: E402
from cleaning.pipeline import extract_batch  # noqa: E402
from cleaning.quality import quality_rejection  # noqa: E402
from cleaning.timelimit import shutdown  # noqa: E402

DEFAULT_DIR = Path("/work/shared/devdata/scrapinghub-dev/html")


def children_cpu() -> float:
    total = 0.0
    for c in psutil.Process().children(recursive=True):
        try:
            t = c.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


def best(fn, repeats: int, with_children: bool = False) -> float:  # type: ignore[no-untyped-def]
    out = float("inf")
    for _ in range(repeats):
        reset_line_caches()
        c0 = children_cpu() if with_children else 0.0
        t0 = time.process_time()
        fn()
        dt = time.process_time() - t0
        if with_children:
            dt += children_cpu() - c0
        out = min(out, dt)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", nargs="?", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--pages", type=int, default=60)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    files = sorted(p for p in args.dir.iterdir() if p.name.endswith((".html", ".html.gz")))[: args.pages]
    raw = [gzip.decompress(p.read_bytes()) if p.suffix == ".gz" else p.read_bytes() for p in files]
    html = [decode_html(b).text for b in raw]
    items = [RawItem(id=make_id(p.name, b), source=p.name, kind="html", content=h, size=len(b))
             for p, b, h in zip(files, raw, html)]
    cfg0 = load_config(overrides={"pipeline": {"doc_timeout_seconds": 0}})
    cfg = load_config()
    opts = _trafilatura_options(cfg0)
    n = len(items)
    print(f"{n} pages, {sum(map(len, raw)) / 1e6:.1f} MB; time limit {cfg['pipeline']['doc_timeout_seconds']} s; "
          f"trafilatura options {opts}; CPU ms per page, best of {args.repeats} (time.process_time):")

    docs = [d for d in (extract_item(i, cfg0) for i in items) if hasattr(d, "text")]
    extract_batch(items[:2], cfg)  # start the time-limit worker, warm its caches
    cleaned = [clean_document(d, cfg0) for d in docs]
    tagged = [detect_language(d, cfg0) for d in cleaned]

    def tree_prepass() -> None:
        for h in html:
            t = load_html(h)
            if t is not None:
                mark_boilerplate(t, cfg0)

    rows = [
        ("decode (bytes -> str)", lambda: [decode_html(b) for b in raw], False, n),
        ("trafilatura.extract(html) [the plain loop]", lambda: [trafilatura.extract(h) for h in html], False, n),
        ("  bare_extraction, no metadata, our options", lambda: [trafilatura.bare_extraction(h, with_metadata=False, **opts) for h in html], False, n),
        ("  bare_extraction, with metadata, our options", lambda: [trafilatura.bare_extraction(h, with_metadata=True, **opts) for h in html], False, n),
        ("load_html (parse)", lambda: [load_html(h) for h in html], False, n),
        ("load_html + htmlprep pre-pass", tree_prepass, False, n),
        ("extract_html (pre-pass + trafilatura w/ metadata)", lambda: [extract_html(h, None, cfg0) for h in html], False, n),
        ("extract_item (in-process)", lambda: [extract_item(i, cfg0) for i in items], False, n),
        ("extract_batch, time limit off", lambda: extract_batch(items, cfg0), False, n),
        ("extract_batch, time-limit worker (parent + worker CPU)", lambda: extract_batch(items, cfg), True, n),
        ("clean_document", lambda: [clean_document(d, cfg0) for d in docs], False, len(docs)),
        ("detect_language", lambda: [detect_language(d, cfg0) for d in cleaned], False, len(cleaned)),
        ("quality_rejection", lambda: [quality_rejection(d, cfg0) for d in tagged], False, len(tagged)),
    ]
    for label, fn, kids, count in rows:
        dt = best(fn, args.repeats, kids)
        print(f"  {label:<58} {dt / max(count, 1) * 1e3:8.2f} ms/page  ({count} pages)")
    shutdown()


if __name__ == "__main__":
    main()
