"""Extraction quality on real news pages: trafilatura alone vs newsclean (pre-pass + trafilatura +
cleaning), side by side in one run, on the two development sets in ``../shared/devdata``.

(a) ``trafilatura``: ``cleaning.extract.extract_html`` with the pre-extraction HTML pass switched
    off and no cleaning, i.e. exactly trafilatura with the options newsclean passes it.
(b) ``newsclean``: the public API end to end, ``extract_item`` (pre-pass + trafilatura) then
    ``clean_document``, with the default config.
Also shown, for attribution: ``prepass``, the pre-pass + trafilatura without cleaning.

Metrics (see the devdata README):
- ScrapingHub: word 4-gram shingles (``\\w+`` tokens, counted with repeats); per page
  P = |pred & truth| / |pred|, R = |pred & truth| / |truth|; P and R averaged over pages,
  F1 = harmonic mean of the averages. Empty prediction: P = R = 0.
- WCXB: word bag (``\\w+``, lowercased, multiset) P/R/F1 per page, averaged; ``with`` kept =
  share of all must-keep snippets found in the output, ``without`` leaked = share of all
  boilerplate snippets found (both after lowercasing and whitespace normalization).
Then, per cleaning rule / pre-pass category that fired: on the pages where it fired, the mean
delta of P and R against trafilatura alone, and the share of the words it removed that are in
the ground truth (article text it cut).

With ``--cli`` it scores the user's path instead: the whole ``newsclean run`` CLI on a folder of
each set's pages (via ``rejections_bench.run_cli_on_pages``), where a rejected page counts as
empty output and a duplicate as the text of the copy that was kept. ``--config my.toml`` passes
a config to that run (e.g. ``[extract] include_tables = false`` to measure the tables switch).

Then the WCXB ``with`` snippets missing from newsclean's output, by where they went (cut by which
cleaning rule, dropped by the pre-pass, in the output with other quote characters or spacing, or
not extracted; ``--show-missed N`` prints N of each), and the ceiling: how many snippets are not
in their page's visible text with the snippet's own characters at all (measured 2026-12-02: 132
of 1,346, mostly straight quotes typed where the page has curly ones, so at most 0.9019 can be
found under the README's scoring). Straightening the output's typographic quotes instead finds
fewer (newsclean 0.8559 -> 0.8484 with all four quote marks, 0.8492 with the apostrophe only):
125 snippets keep the page's curly quotes. ``--from-details`` reports from an earlier ``--out``.

Per-page details go to ``benchmarks/out/extraction_eval.jsonl`` (texts, removed spans, dropped
elements, missing ``with`` and leaked ``without`` snippets) so failures can be read.

    .venv/bin/python benchmarks/extraction_eval.py [--devdata DIR] [--jobs 2] [--limit N]
    .venv/bin/python benchmarks/extraction_eval.py --cli [--config my.toml]

All figures are on development data that the rules were tuned on: they are for tuning, not claims.
"""

from __future__ import annotations

import argparse
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

DEFAULT_DEVDATA = ROOT.parent / "shared" / "devdata"
OUT = ROOT / "benchmarks" / "out" / "extraction_eval.jsonl"
SYSTEMS = ("trafilatura", "prepass", "newsclean")

_WORD = re.compile(r"\w+")

# ---- metrics ----------------------------------------------------------------------------------


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    """The ScrapingHub benchmark's shingles: ``\\w+`` tokens (case kept), word n-grams with repeats;
    a text shorter than n words is one shingle."""
    toks = _WORD.findall(text or "")
    return Counter(tuple(toks[i:i + n]) for i in range(max(1, len(toks) - n + 1)) if toks[i:i + n])


def shingle_pr(pred: str, truth: str) -> tuple[float, float]:
    p, t = shingles(pred), shingles(truth)
    if not p and not t:
        return 1.0, 1.0
    inter = sum((p & t).values())
    return (inter / sum(p.values()) if p else 0.0), (inter / sum(t.values()) if t else 0.0)


def bag_prf(pred: str, truth: str) -> tuple[float, float, float]:
    p = Counter(_WORD.findall((pred or "").lower()))
    t = Counter(_WORD.findall((truth or "").lower()))
    if not p and not t:
        return 1.0, 1.0, 1.0
    inter = sum((p & t).values())
    prec = inter / sum(p.values()) if p else 0.0
    rec = inter / sum(t.values()) if t else 0.0
    return prec, rec, (2 * prec * rec / (prec + rec) if prec + rec else 0.0)


def norm(s: str) -> str:
    return " ".join((s or "").lower().split())


# Typographic quotes as their ASCII forms: used only to *diagnose* missed snippets (a snippet typed
# with "'" where the page has "’"), never in the scores, which follow the devdata README.
_ASCII_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def words_only(s: str) -> str:
    return " ".join(_WORD.findall((s or "").lower()))


def missed_where(snippet: str, rec: dict[str, Any]) -> str:
    """Why one ``with`` snippet is missing from newsclean's output: cut by a cleaning rule (which),
    dropped by the pre-pass, present in the output with other characters (typographic quotes;
    other punctuation or spacing), or not extracted (not in trafilatura's text either)."""
    out = rec["texts"]["newsclean"]
    if norm(snippet).translate(_ASCII_QUOTES) in norm(out).translate(_ASCII_QUOTES):
        return "in output, other quote characters"
    if words_only(snippet) in words_only(out):
        return "in output, other punctuation/spacing"
    key = words_only(snippet)
    for r in rec["removed"]:
        if key and key in words_only(r["text"]):
            return f"cut by cleaning rule {r['rule']}"
    if key in words_only(rec["texts"]["prepass"]):
        return "cut by cleaning (across several removed spans)"
    if key in words_only(rec["texts"]["trafilatura"]):
        return "dropped by the pre-pass"
    return "not extracted"


def snippet_ceiling(pages: list[dict[str, Any]]) -> tuple[int, int]:
    """(WCXB ``with`` snippets, those not in the page's visible text with their own characters):
    no extractor that keeps the page's characters can find the latter under the README's scoring
    (lowercase + whitespace only). Visible text: the parsed page without script/style/noscript/
    template, its text pieces joined with and without spaces (snippets were cut both ways)."""
    from trafilatura.utils import load_html

    total = absent = 0
    for page in pages:
        if page["set"] != "wcxb":
            continue
        tree = load_html(gzip.open(page["html"]).read().decode("utf-8", "replace"))
        if tree is None:
            continue
        for el in tree.xpath("//script|//style|//noscript|//template"):
            if el.getparent() is not None:
                el.getparent().remove(el)
        joined, spaced = norm("".join(tree.itertext())), norm(" ".join(tree.itertext()))
        for s in page["with"]:
            total += 1
            absent += norm(s) not in joined and norm(s) not in spaced
    return total, absent


def print_ceiling(pages: list[dict[str, Any]]) -> None:
    total, absent = snippet_ceiling(pages)
    if total:
        print(f"WCXB 'with' ceiling: {absent} of {total} snippets are not in their page's visible text with "
              f"the snippet's characters (typed quotes, spacing): at most {1 - absent / total:.4f} can be found")


def missed_report(recs: list[dict[str, Any]], show: int) -> None:
    """WCXB ``with`` snippets missing from newsclean's output, by where they went."""
    where: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in recs:
        if r["set"] == "wcxb":
            for s in r["metrics"]["newsclean"]["with_missing"]:
                where[missed_where(s, r)].append((r["id"], s))
    total = sum(len(v) for v in where.values())
    print(f"\nWCXB 'with' snippets missing from newsclean's output: {total}, by where they went")
    for name, items in sorted(where.items(), key=lambda kv: -len(kv[1])):
        print(f"  {len(items):>5}  {name}")
        for pid, s in items[:show]:
            print(f"           {pid}: {s[:110]!r}")


def f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


# ---- data -------------------------------------------------------------------------------------


def load_pages(devdata: Path, limit: int | None) -> list[dict[str, Any]]:
    """Page descriptors (paths, not contents: workers read the HTML themselves)."""
    sh = devdata / "scrapinghub-dev"
    wc = devdata / "wcxb-dev-articles"
    if not (sh / "ground-truth.json").is_file() or not (wc / "ground-truth").is_dir():
        sys.exit(f"extraction_eval: development data not found under {devdata} (expected "
                 "scrapinghub-dev/ground-truth.json and wcxb-dev-articles/ground-truth/); "
                 "pass --devdata DIR")
    pages: list[dict[str, Any]] = []
    truth = json.loads((sh / "ground-truth.json").read_text(encoding="utf-8"))
    for pid in sorted(truth):
        pages.append({"set": "scrapinghub", "id": pid, "html": str(sh / "html" / f"{pid}.html.gz"),
                      "url": truth[pid].get("url"), "truth": truth[pid].get("articleBody") or ""})
    for gt_path in sorted((wc / "ground-truth").glob("*.json")):
        gt = json.loads(gt_path.read_text(encoding="utf-8"))
        g = gt["ground_truth"]
        pages.append({"set": "wcxb", "id": gt_path.stem, "html": str(wc / "html" / f"{gt_path.stem}.html.gz"),
                      "url": gt.get("url"), "truth": g.get("main_content") or "",
                      "with": list(g.get("with") or []), "without": list(g.get("without") or [])})
    if limit:
        by_set: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for p in pages:
            by_set[p["set"]].append(p)
        pages = [p for ps in by_set.values() for p in ps[:limit]]
    return pages


# ---- per page ---------------------------------------------------------------------------------

_CFG: dict[str, Any] | None = None


def _config() -> dict[str, Any]:
    global _CFG
    if _CFG is None:
        from cleaning.config import load_config

        _CFG = load_config()
    return _CFG


def _warm_up() -> None:
    """Imports and trafilatura's first-call setup, so per-page timings are steady-state."""
    from cleaning.clean import clean_text
    from cleaning.extract import extract_html

    html = ("<html><body><article><h1>Warm-up</h1>" + "<p>A paragraph of warm-up text for the "
            "extractor, long enough to count as an article.</p>" * 5 + "</article></body></html>")
    for prepare in (False, True):
        extract_html(html, None, _config(), prepare=prepare)
    clean_text("Warm-up text.\n", _config())


def run_page(page: dict[str, Any]) -> dict[str, Any]:
    """All three systems on one page, with timings and what was removed or dropped."""
    from cleaning.clean import clean_document
    from cleaning.document import Document
    from trafilatura.utils import load_html

    from cleaning.extract import extract_html, extract_item
    from cleaning.htmlprep import mark_boilerplate
    from cleaning.ingest import RawItem

    cfg = _config()
    html = gzip.open(page["html"]).read().decode("utf-8", "replace")
    url = page["url"]
    rec: dict[str, Any] = {k: page[k] for k in ("set", "id", "url")}

    t0 = time.perf_counter()
    base = extract_html(html, url, cfg, prepare=False)
    t1 = time.perf_counter()
    prep = extract_html(html, url, cfg, prepare=True)
    t2 = time.perf_counter()
    item = RawItem(id=page["id"], source=page["html"], kind="html", content=html, url=url)
    res = extract_item(item, cfg)
    t3 = time.perf_counter()
    removed: list[dict[str, Any]] = []
    if isinstance(res, Document):
        doc = clean_document(res, cfg)
        nc_text = doc.text
        removed = [{"rule": r.rule, "text": r.text} for r in doc.removed]
    else:
        nc_text = ""
        rec["rejection"] = res.reason
    t4 = time.perf_counter()
    tree = load_html(html)  # the pre-pass on its own: parse + mark (what it adds before trafilatura)
    if tree is not None:
        mark_boilerplate(tree, cfg)
    t5 = time.perf_counter()
    rec["seconds"] = {"trafilatura": t1 - t0, "prepass": t2 - t1, "newsclean": t4 - t2, "clean": t4 - t3,
                      "mark": t5 - t4}
    rec["texts"] = {"trafilatura": (base or {}).get("text") or "", "prepass": (prep or {}).get("text") or "",
                    "newsclean": nc_text}
    rec["removed"] = removed
    rec["dropped"] = (prep or {}).get("dropped", [])
    truth = page["truth"]
    rec["metrics"] = {}
    for name, text in rec["texts"].items():
        m: dict[str, Any] = {}
        m["P4"], m["R4"] = shingle_pr(text, truth)
        m["Pb"], m["Rb"], m["Fb"] = bag_prf(text, truth)
        if page["set"] == "wcxb":
            nt = norm(text)
            m["with_missing"] = [s for s in page["with"] if norm(s) not in nt]
            m["without_leaked"] = [s for s in page["without"] if norm(s) in nt]
        rec["metrics"][name] = m
    if page["set"] == "wcxb":
        rec["n_with"], rec["n_without"] = len(page["with"]), len(page["without"])
    # 4-gram shingles each rule removed (or pre-pass category dropped) that are in the ground
    # truth: the article text it cut
    truth_sh = shingles(truth)
    cut: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    pieces = [(r["rule"], r["text"]) for r in removed]
    pieces += [("prepass:" + d["category"], d["text"]) for d in rec["dropped"]]
    for name, text in pieces:
        sh = shingles(text)
        cut[name][0] += sum(sh.values())
        cut[name][1] += sum((sh & truth_sh).values())
    rec["rule_shingles"] = dict(cut)
    return rec


# ---- report -----------------------------------------------------------------------------------


def summarize(recs: list[dict[str, Any]], which: str) -> None:
    rs = [r for r in recs if r["set"] == which]
    if not rs:
        return
    n = len(rs)
    print(f"\n== {which}: {n} pages ==")
    if which == "scrapinghub":
        print(f"{'system':<13}{'P':>8}{'R':>8}{'F1':>8}   (word 4-gram shingles, averaged per page)")
        for s in SYSTEMS:
            p = sum(r["metrics"][s]["P4"] for r in rs) / n
            rr = sum(r["metrics"][s]["R4"] for r in rs) / n
            print(f"{s:<13}{p:8.4f}{rr:8.4f}{f1(p, rr):8.4f}")
    else:
        n_with = sum(r["n_with"] for r in rs)
        n_without = sum(r["n_without"] for r in rs)
        print(f"{'system':<13}{'P':>8}{'R':>8}{'F1':>8}{'with kept':>11}{'without leaked':>16}"
              f"   (word bag per page; snippets: {n_with} with, {n_without} without)")
        for s in SYSTEMS:
            p = sum(r["metrics"][s]["Pb"] for r in rs) / n
            rr = sum(r["metrics"][s]["Rb"] for r in rs) / n
            ff = sum(r["metrics"][s]["Fb"] for r in rs) / n
            kept = 1 - sum(len(r["metrics"][s]["with_missing"]) for r in rs) / n_with
            leaked = sum(len(r["metrics"][s]["without_leaked"]) for r in rs) / n_without
            print(f"{s:<13}{p:8.4f}{rr:8.4f}{ff:8.4f}{kept:11.4f}{leaked:16.4f}")
    # per rule / pre-pass category: pages where it fired, delta vs trafilatura alone
    fired: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rs:
        for name in sorted({x["rule"] for x in r["removed"]} | {"prepass:" + d["category"] for d in r["dropped"]}):
            fired[name].append(r)
    words: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in rs:
        for rule, (w, in_truth) in r["rule_shingles"].items():
            words[rule][0] += w
            words[rule][1] += in_truth
    pk, rk = ("P4", "R4") if which == "scrapinghub" else ("Pb", "Rb")
    print(f"\n{'rule / pre-pass category':<28}{'pages':>6}{'dP':>9}{'dR':>9}{'shingles':>10}{'in truth':>10}"
          f"\n{'':<28}   deltas on the pages where it fired: pre-pass categories prepass - trafilatura,\n"
          f"{'':<28}   cleaning rules newsclean - prepass; 'in truth': share of the 4-gram shingles it\n"
          f"{'':<28}   removed that occur in the ground truth (cut article text, or text kept elsewhere)")
    for name in sorted(fired):
        ps = fired[name]
        # a pre-pass category against trafilatura alone; a cleaning rule against its input
        new, old = ("prepass", "trafilatura") if name.startswith("prepass:") else ("newsclean", "prepass")
        dp = sum(x["metrics"][new][pk] - x["metrics"][old][pk] for x in ps) / len(ps)
        dr = sum(x["metrics"][new][rk] - x["metrics"][old][rk] for x in ps) / len(ps)
        w, t = words.get(name, (0, 0))
        share = f"{t / w:10.3f}" if w else f"{'':>10}"
        print(f"{name:<28}{len(ps):>6}{dp:+9.4f}{dr:+9.4f}{w:>10}{share}")


def targets(recs: list[dict[str, Any]]) -> None:
    """The issue's targets, checked on this run's figures."""
    sh = [r for r in recs if r["set"] == "scrapinghub"]
    wc = [r for r in recs if r["set"] == "wcxb"]
    if not sh or not wc:
        return

    def pr(system: str) -> tuple[float, float, float]:
        p = sum(r["metrics"][system]["P4"] for r in sh) / len(sh)
        rr = sum(r["metrics"][system]["R4"] for r in sh) / len(sh)
        return p, rr, f1(p, rr)

    def snippets(system: str) -> tuple[float, float]:
        kept = 1 - sum(len(r["metrics"][system]["with_missing"]) for r in wc) / sum(r["n_with"] for r in wc)
        leaked = sum(len(r["metrics"][system]["without_leaked"]) for r in wc) / sum(r["n_without"] for r in wc)
        return kept, leaked

    (tp, _, tf), (np_, _, nf) = pr("trafilatura"), pr("newsclean")
    (tk, tl), (nk, nl) = snippets("trafilatura"), snippets("newsclean")
    checks = [
        (f"ScrapingHub precision {np_:.4f} >= trafilatura {tp:.4f} + 0.02", np_ >= tp + 0.02),
        (f"ScrapingHub F1 {nf:.4f} >= trafilatura {tf:.4f}", nf >= tf),
        (f"WCXB 'without' leaked {nl:.4f} <= half of trafilatura's {tl:.4f}", nl <= tl / 2),
        (f"WCXB 'with' kept {nk:.4f} within 0.005 of trafilatura's {tk:.4f} (or above)", nk >= tk - 0.005),
    ]
    print("\ntargets (issue 7):")
    for text, ok in checks:
        print(f"  [{'met' if ok else 'MISSED'}] {text}")


def cli_scores(pages: list[dict[str, Any]], config: Path | None, code_root: Path | None = None) -> None:
    """Score the whole ``newsclean run`` on each set's pages: rejected = empty output."""
    import shutil
    import tempfile

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from rejections_bench import run_cli_on_pages

    for which in ("scrapinghub", "wcxb"):
        rs = [p for p in pages if p["set"] == which]
        if not rs:
            continue
        work = Path(tempfile.mkdtemp(prefix=f"extraction-cli-{which}-"))
        t0 = time.perf_counter()
        try:
            outcomes = run_cli_on_pages({p["id"]: Path(p["html"]) for p in rs}, work, config, code_root)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        wall = time.perf_counter() - t0
        n = len(rs)
        kinds = Counter(outcomes[p["id"]]["outcome"] for p in rs)
        texts = {p["id"]: outcomes[p["id"]]["text"] for p in rs}
        print(f"\n== {which}: whole CLI (newsclean run), {n} pages in {wall:.1f} s: "
              + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())) + " (rejected = empty output) ==")
        if which == "scrapinghub":
            prs = [shingle_pr(texts[p["id"]], p["truth"]) for p in rs]
            pp, rr = sum(x[0] for x in prs) / n, sum(x[1] for x in prs) / n
            print(f"P {pp:.4f}  R {rr:.4f}  F1 {f1(pp, rr):.4f}   (word 4-gram shingles; target F1 >= 0.975)")
        else:
            bags = [bag_prf(texts[p["id"]], p["truth"]) for p in rs]
            n_with = sum(len(p["with"]) for p in rs)
            n_without = sum(len(p["without"]) for p in rs)
            kept = 1 - sum(sum(norm(x) not in norm(texts[p["id"]]) for x in p["with"]) for p in rs) / n_with
            leaked = sum(sum(norm(x) in norm(texts[p["id"]]) for x in p["without"]) for p in rs) / n_without
            print(f"P {sum(b[0] for b in bags) / n:.4f}  R {sum(b[1] for b in bags) / n:.4f}  "
                  f"F1 {sum(b[2] for b in bags) / n:.4f}  with found {kept:.4f}  without leaked {leaked:.4f}"
                  f"   (targets: with >= 0.92, leaked <= 0.04)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cli", action="store_true", help="score the whole newsclean run CLI instead")
    ap.add_argument("--config", type=Path, default=None, help="with --cli: TOML passed to newsclean run")
    ap.add_argument("--code-root", type=Path, default=None,
                    help="with --cli: run another checkout's code (a `git archive` of an earlier commit)")
    ap.add_argument("--devdata", type=Path, default=DEFAULT_DEVDATA)
    ap.add_argument("--jobs", type=int, default=2, help="worker processes (at most 2)")
    ap.add_argument("--limit", type=int, default=None, help="first N pages of each set (quick runs)")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--show-missed", type=int, default=3, metavar="N",
                    help="print N missed WCXB 'with' snippets per cause (library mode)")
    ap.add_argument("--from-details", action="store_true",
                    help="report from an earlier run's --out file instead of extracting again")
    args = ap.parse_args()
    pages = load_pages(args.devdata, args.limit)
    if args.cli:
        print(f"extraction_eval --cli: {len(pages)} pages from {args.devdata}; DEVELOPMENT data, tuned on")
        cli_scores(pages, args.config, args.code_root)
        print_ceiling(pages)
        return
    if args.from_details:
        recs = [json.loads(line) for line in args.out.open(encoding="utf-8")]
        for which in ("scrapinghub", "wcxb"):
            summarize(recs, which)
        missed_report(recs, args.show_missed)
        print_ceiling(pages)
        return
    jobs = max(1, min(2, args.jobs))
    t0 = time.perf_counter()
    if jobs == 1:
        _warm_up()
        recs = [run_page(p) for p in pages]
    else:
        with get_context("fork").Pool(jobs, initializer=_warm_up) as pool:
            recs = list(pool.imap(run_page, pages, chunksize=4))
    wall = time.perf_counter() - t0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        for r in recs:
            fh.write(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n")
    print(f"extraction_eval: {len(recs)} pages from {args.devdata} in {wall:.1f} s with {jobs} process(es); "
          f"DEVELOPMENT data, tuned on: figures for tuning, not claims")
    for which in ("scrapinghub", "wcxb"):
        summarize(recs, which)
    missed_report(recs, args.show_missed)
    print_ceiling(pages)
    targets(recs)
    secs = {s: sum(r["seconds"][s] for r in recs) for s in ("trafilatura", "prepass", "newsclean", "clean", "mark")}
    print("\nspeed (1 core, sum of per-page times):")
    print(f"  trafilatura alone             {len(recs) / secs['trafilatura']:7.1f} pages/s")
    print(f"  pre-pass + trafilatura        {len(recs) / secs['prepass']:7.1f} pages/s")
    print(f"  pre-pass alone (parse + mark) {len(recs) / secs['mark']:7.1f} pages/s "
          f"({1000 * secs['mark'] / len(recs):.1f} ms/page)")
    print(f"  newsclean (extract + clean)   {len(recs) / secs['newsclean']:7.1f} pages/s "
          f"(cleaning alone {len(recs) / secs['clean']:.0f} pages/s)")
    print(f"\nper-page details: {args.out}")


if __name__ == "__main__":
    main()
