"""The extraction fallback (``[extract.fallback]``, cleaning/extract.py) page by page: how many
pages look like a failed extraction, how many took another extractor and which, what it did to
each set's extraction scores, and what it costs in CPU.

For every page of ``waddle-dev``, ``scrapinghub-dev`` and ``wcxb-dev-articles``,
``extract_html`` runs with the fallback off and on (alternating which goes first, best of
``--repeats`` CPU times each, ``time.process_time`` in this process). Scores are the sets' own
(see extraction_eval.py): ScrapingHub word 4-gram P/R/F1, WCXB word-bag F1 and with/without
snippets, waddle word-bag F1 against the reference (characters for Chinese). Library level,
extraction only (no cleaning, no quality filters): the whole-CLI figures are
rejections_bench.py and extraction_eval.py --cli.

    .venv/bin/python benchmarks/extract_fallback_bench.py [--devdata DIR] [--sets ...] [--repeats 2]
                                                          [--jobs 1] [--out FILE.jsonl]

Development data, tuned on: figures for tuning, not claims.
"""

from __future__ import annotations

import argparse
import copy
import gzip
import json
import re
import sys
import time
from collections import Counter, defaultdict
from multiprocessing import get_context
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import extraction_eval as ee  # noqa: E402

DEFAULT_DEVDATA = ROOT.parent / "shared" / "devdata"


def load_pages(devdata: Path, sets: list[str]) -> list[dict[str, Any]]:
    pages = [p for p in ee.load_pages(devdata, None) if {"scrapinghub": "scrapinghub-dev",
                                                            "wcxb": "wcxb-dev-articles"}[p["set"]] in sets]
    if "waddle-dev" in sets:
        wd = devdata / "waddle-dev"
        labels = json.loads((wd / "labels.json").read_text(encoding="utf-8"))
        for pid in sorted(labels):
            ref = (wd / "reference" / f"{pid}.txt").read_text(encoding="utf-8", errors="replace")
            pages.append({"set": "waddle", "id": pid, "html": str(wd / "html" / f"{pid}.html.gz"), "url": None,
                          "truth": re.sub(r"</?p>", "\n", ref), "lang": labels[pid]["language"]})
    return pages


_STATE: dict[str, Any] = {}


def _configs() -> tuple[dict[str, Any], dict[str, Any]]:
    if not _STATE:
        from cleaning.config import load_config

        on = load_config()
        off = copy.deepcopy(on)
        off["extract"]["fallback"]["enabled"] = False
        _STATE["cfg"] = (off, on)
    return _STATE["cfg"]


def _scores(page: dict[str, Any], text: str) -> dict[str, Any]:
    s: dict[str, Any] = {}
    s["P4"], s["R4"] = ee.shingle_pr(text, page["truth"])
    if page.get("lang") == "zh":  # word bag of characters: Chinese is written without spaces
        def chars(x: str) -> str:
            return " ".join(ch for ch in x if not ch.isspace())
        s["Pb"], s["Rb"], s["Fb"] = ee.bag_prf(chars(text), chars(page["truth"]))
    else:
        s["Pb"], s["Rb"], s["Fb"] = ee.bag_prf(text, page["truth"])
    if page["set"] == "wcxb":
        nt = ee.norm(text)
        s["with_found"] = sum(ee.norm(x) in nt for x in page["with"])
        s["without_leaked"] = sum(ee.norm(x) in nt for x in page["without"])
        s["n_with"], s["n_without"] = len(page["with"]), len(page["without"])
    return s


def run_page(args: tuple[dict[str, Any], int]) -> dict[str, Any]:
    page, repeats = args
    from cleaning.decode import decode_html
    from cleaning.extract import _looks_failed, extract_html

    off, on = _configs()
    raw = gzip.open(page["html"]).read()
    html = decode_html(raw).text
    times: dict[str, list[float]] = {"off": [], "on": []}
    results: dict[str, Any] = {}
    for r in range(repeats):
        order = ("off", "on") if r % 2 == 0 else ("on", "off")
        for name in order:
            t0 = time.process_time()
            results[name] = extract_html(html, page["url"], off if name == "off" else on)
            times[name].append(time.process_time() - t0)
    texts = {k: (v or {}).get("text") or "" for k, v in results.items()}
    rec = {"set": page["set"], "id": page["id"], "lang": page.get("lang"),
           "cpu_off": min(times["off"]), "cpu_on": min(times["on"]),
           "suspect": _looks_failed(texts["off"], on["extract"]["fallback"])[0],
           "extractor": (results["on"] or {}).get("extractor", "none"),
           "scores": {k: _scores(page, t) for k, t in texts.items()}}
    if texts["on"] != texts["off"]:
        rec["texts"] = texts
    return rec


def report(recs: list[dict[str, Any]]) -> None:
    by_set: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in recs:
        by_set[r["set"]].append(r)
        if r["set"] == "waddle":
            by_set[f"waddle/{r['lang']}"].append(r)
    print(f"{'set':<14}{'pages':>6}{'suspect':>9}{'switched':>9}{'cpu off':>9}{'cpu on':>9}{'ratio':>7}   scores off -> on")
    for name in sorted(by_set):
        rs = by_set[name]
        n = len(rs)
        sus = sum(r["suspect"] for r in rs)
        sw = sum(r["extractor"] not in ("trafilatura", "none") for r in rs)
        c_off = sum(r["cpu_off"] for r in rs)
        c_on = sum(r["cpu_on"] for r in rs)

        def avg(k: str, which: str) -> float:
            return sum(r["scores"][which][k] for r in rs) / n

        if name == "scrapinghub":
            f_off = ee.f1(avg("P4", "off"), avg("R4", "off"))
            f_on = ee.f1(avg("P4", "on"), avg("R4", "on"))
            sc = f"4-gram F1 {f_off:.4f} -> {f_on:.4f}"
        elif name == "wcxb":
            nw = sum(r["scores"]["off"]["n_with"] for r in rs)
            nwo = sum(r["scores"]["off"]["n_without"] for r in rs)
            w = [sum(r["scores"][k]["with_found"] for r in rs) / nw for k in ("off", "on")]
            lk = [sum(r["scores"][k]["without_leaked"] for r in rs) / nwo for k in ("off", "on")]
            sc = (f"bag F1 {avg('Fb', 'off'):.4f} -> {avg('Fb', 'on'):.4f}, with {w[0]:.4f} -> {w[1]:.4f}, "
                  f"leaked {lk[0]:.4f} -> {lk[1]:.4f}")
        else:
            sc = f"bag F1 {avg('Fb', 'off'):.4f} -> {avg('Fb', 'on'):.4f}"
        print(f"{name:<14}{n:>6}{sus:>9}{sw:>9}{c_off / n * 1000:>7.1f}ms{c_on / n * 1000:>7.1f}ms"
              f"{c_on / c_off if c_off else 0:>7.3f}   {sc}")
    print("\nextractors used:", dict(Counter(r["extractor"] for r in recs)))
    print("\npages whose text changed (bag F1 off -> on, 4-gram P/R):")
    for r in recs:
        if "texts" in r:
            a, b = r["scores"]["off"], r["scores"]["on"]
            print(f"  {r['set']:<12}{(r['lang'] or ''):<4}{r['id'][:60]:<62}{r['extractor']:<20}"
                  f"F {a['Fb']:.2f}->{b['Fb']:.2f}  P {a['P4']:.2f}->{b['P4']:.2f}  R {a['R4']:.2f}->{b['R4']:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--devdata", type=Path, default=DEFAULT_DEVDATA)
    ap.add_argument("--sets", default="waddle-dev,scrapinghub-dev,wcxb-dev-articles")
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "extract_fallback_bench.jsonl")
    args = ap.parse_args()
    pages = load_pages(args.devdata, args.sets.split(","))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    recs = []
    with args.out.open("w", encoding="utf-8") as fh:
        work = [(p, args.repeats) for p in pages]
        if args.jobs > 1:
            with get_context("fork").Pool(args.jobs) as pool:
                it = pool.imap(run_page, work, chunksize=4)
                for rec in it:
                    recs.append(rec)
                    fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        else:
            for w in work:
                rec = run_page(w)
                recs.append(rec)
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    report(recs)


if __name__ == "__main__":
    main()
