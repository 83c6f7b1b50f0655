"""Line-level quality and speed of the cleaner on the hand-labeled set in benchmarks/data/cleaning/.

Prints, per rule and overall: precision of removal (removed lines that were junk), recall of
removal (junk lines removed) and the share of article lines wrongly removed; recall per junk kind
(the labels); then docs/s on 500-word documents. Blank lines are not counted.

    .venv/bin/python benchmarks/cleaning_eval.py [--verbose] [--speed-docs N]

Targets (issue 8): article lines wrongly removed <= 1 %, junk lines removed >= 95 %.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cleaning.clean import clean_text, reset_line_caches  # noqa: E402
from cleaning.config import default_config  # noqa: E402

DATA = ROOT / "benchmarks" / "data" / "cleaning"
KEEP = "k"


@dataclass
class LabeledDoc:
    doc_id: str
    lang: str
    outlet: str
    lines: list[str]
    labels: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def load_labeled(data_dir: Path = DATA) -> list[LabeledDoc]:
    """Parse every ``*.txt`` file: ``=== id lang outlet`` headers, then ``label|line`` rows."""
    docs: list[LabeledDoc] = []
    for path in sorted(data_dir.glob("*.txt")):
        cur: LabeledDoc | None = None
        for n, raw in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
            if raw.startswith("=== "):
                parts = raw[4:].split()
                cur = LabeledDoc(parts[0], parts[1], parts[2] if len(parts) > 2 else "", [], [])
                docs.append(cur)
            elif raw == "":
                continue
            else:
                if cur is None or "|" not in raw:
                    raise ValueError(f"{path.name}:{n}: expected 'label|text' after a '=== id lang' header")
                label, line = raw.split("|", 1)
                cur.labels.append(label.strip())
                cur.lines.append(line)
    return docs


def predicted_rules(doc: LabeledDoc, config: dict) -> list[str | None]:
    """Per line: the rule that removed most of its characters, or None if it was kept."""
    result = clean_text(doc.text, config)
    starts = []
    pos = 0
    for line in doc.lines:
        starts.append((pos, pos + len(line)))
        pos += len(line) + 1
    out: list[str | None] = []
    for a, b in starts:
        covered: Counter[str] = Counter()
        for r in result.removed:
            lo, hi = max(a, r.start), min(b, r.end)
            if lo < hi:
                covered[r.rule] += hi - lo
        rule, chars = covered.most_common(1)[0] if covered else (None, 0)
        out.append(rule if b > a and chars * 2 > (b - a) else None)
    return out


def pct(num: int, den: int) -> str:
    return f"{100.0 * num / den:6.2f}%" if den else "    n/a"


def evaluate(docs: list[LabeledDoc], config: dict, verbose: bool = False) -> dict[str, float]:
    per_rule_tp: Counter[str] = Counter()
    per_rule_fp: Counter[str] = Counter()
    kind_total: Counter[str] = Counter()
    kind_removed: Counter[str] = Counter()
    junk = junk_removed = article = article_removed = 0
    errors: list[str] = []
    for doc in docs:
        pred = predicted_rules(doc, config)
        for line, label, rule in zip(doc.lines, doc.labels, pred):
            if not line.strip():
                continue
            if label == KEEP:
                article += 1
                if rule:
                    article_removed += 1
                    per_rule_fp[rule] += 1
                    errors.append(f"  LOST  {doc.doc_id} [{rule}] {line.strip()[:90]}")
            else:
                junk += 1
                kind_total[label] += 1
                if rule:
                    junk_removed += 1
                    kind_removed[label] += 1
                    per_rule_tp[rule] += 1
                else:
                    errors.append(f"  KEPT  {doc.doc_id} <{label}> {line.strip()[:90]}")

    n_en = sum(1 for d in docs if d.lang == "en")
    n_ko = sum(1 for d in docs if d.lang == "ko")
    print(f"labeled set: {len(docs)} documents ({n_en} en, {n_ko} ko), "
          f"{article} article lines, {junk} junk lines (blank lines not counted)")
    print()
    print(f"{'rule':<20}{'removed':>8}{'junk':>7}{'article':>9}  {'precision':>9}  {'article lost':>12}")
    for rule in sorted(set(per_rule_tp) | set(per_rule_fp)):
        tp, fp = per_rule_tp[rule], per_rule_fp[rule]
        print(f"{rule:<20}{tp + fp:>8}{tp:>7}{fp:>9}  {pct(tp, tp + fp):>9}  {pct(fp, article):>12}")
    print()
    print(f"{'junk kind (label)':<20}{'lines':>8}{'removed':>9}  {'recall':>8}")
    for kind in sorted(kind_total):
        print(f"{kind:<20}{kind_total[kind]:>8}{kind_removed[kind]:>9}  {pct(kind_removed[kind], kind_total[kind]):>8}")
    print()
    precision = junk_removed / (junk_removed + article_removed) if junk_removed + article_removed else 1.0
    recall = junk_removed / junk if junk else 1.0
    lost = article_removed / article if article else 0.0
    print(f"OVERALL precision of removal   {100 * precision:6.2f}%  ({junk_removed}/{junk_removed + article_removed})")
    print(f"OVERALL recall of removal      {100 * recall:6.2f}%  ({junk_removed}/{junk})   target >= 95%")
    print(f"OVERALL article lines removed  {100 * lost:6.2f}%  ({article_removed}/{article})   target <= 1%")
    if verbose and errors:
        print("\nerrors:")
        print("\n".join(errors))
    return {"precision": precision, "recall": recall, "article_lost": lost}


def speed(docs: list[LabeledDoc], config: dict, n_docs: int) -> None:
    """docs/s on ~500-word documents built from the labeled pages (article + their junk)."""
    texts: list[str] = []
    i = 0
    while len(texts) < 50:
        parts: list[str] = []
        words = 0
        while words < 500:
            d = docs[i % len(docs)]
            i += 1
            parts.append(d.text)
            words += len(d.text.split())
        texts.append("\n".join(parts))
    clean_text(texts[0], config)  # build and cache the rules first
    mean_words = sum(len(t.split()) for t in texts) / len(texts)
    print()
    # cold: per-line verdict caches emptied before every document, as if no line had been seen
    # before (a corpus of unique articles); warm: repeated lines hit the caches (boilerplate).
    for label, cold in (("cold", True), ("warm", False)):
        elapsed = 0.0
        for k in range(n_docs):
            if cold:
                reset_line_caches(config)
            t0 = time.perf_counter()
            clean_text(texts[k % len(texts)], config)
            elapsed += time.perf_counter() - t0
        print(f"speed ({label}): {n_docs} documents of ~{mean_words:.0f} words in {elapsed:.2f} s = "
              f"{n_docs / elapsed:,.0f} docs/s ({n_docs * mean_words / elapsed / 1e6:.2f} M words/s), 1 core")


def devdata(root: Path, config: dict) -> None:
    """Word 4-gram P/R of trafilatura's text against the ScrapingHub ground truth, before and after
    cleaning (the benchmark's own metric; see the devdata README). A development split: figures
    for tuning, not claims."""
    import gzip
    import json
    import re

    from cleaning.extract import extract_html

    def shingles(text: str) -> Counter[tuple[str, ...]]:
        w = re.findall(r"\w+", text.lower())
        return Counter(tuple(w[i:i + 4]) for i in range(max(0, len(w) - 3)))

    def pr(pred: str, truth: str) -> tuple[float, float]:
        p, t = shingles(pred), shingles(truth)
        inter = sum((p & t).values())
        return (inter / sum(p.values()) if p else 0.0), (inter / sum(t.values()) if t else 0.0)

    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    sums = [0.0, 0.0, 0.0, 0.0]
    for pid, rec in sorted(truth.items()):
        html = gzip.open(root / "html" / f"{pid}.html.gz").read().decode("utf-8", "replace")
        text = (extract_html(html, rec.get("url"), config, prepare=False) or {}).get("text") or ""
        for k, v in enumerate(pr(text, rec["articleBody"]) + pr(clean_text(text, config).text, rec["articleBody"])):
            sums[k] += v
    n = len(truth)
    p0, r0, p1, r1 = (x / n for x in sums)
    f = lambda p, r: 2 * p * r / (p + r) if p + r else 0.0  # noqa: E731
    print(f"\ndevdata {root.name} ({n} pages), word 4-gram P / R / F1 against ground truth:")
    print(f"  trafilatura           P {p0:.4f}  R {r0:.4f}  F1 {f(p0, r0):.4f}")
    print(f"  trafilatura + clean   P {p1:.4f}  R {r1:.4f}  F1 {f(p1, r1):.4f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--verbose", action="store_true", help="list every wrongly removed / kept line")
    ap.add_argument("--speed-docs", type=int, default=2000, help="documents to time (0 = skip)")
    ap.add_argument("--data", type=Path, default=DATA, help="folder of labeled *.txt files")
    ap.add_argument("--devdata", type=Path, default=None,
                    help="also score trafilatura+clean on a ScrapingHub-format folder "
                         "(e.g. ../shared/devdata/scrapinghub-dev)")
    args = ap.parse_args(argv)
    config = default_config()
    docs = load_labeled(args.data)
    evaluate(docs, config, args.verbose)
    if args.speed_docs:
        speed(docs, config, args.speed_docs)
    if args.devdata:
        devdata(args.devdata, config)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
