"""Rejected share on genuine articles, through the whole ``newsclean run`` CLI (the user's path).

Every page of the three development sets is a real news article with a human-made reference
text, so every rejection is a false rejection. For each set the pages are gunzipped into a
temporary folder as ``<id>.html`` and ``newsclean run <folder> --out <tmp>`` runs once, as a
user would run it; then ``corpus.jsonl``, ``duplicates.jsonl`` and ``rejected.jsonl`` are read
back and matched to pages by file name.

Printed: per set (and per waddle language) pages, kept, duplicates, rejected and the rejected
share; the language label accuracy on waddle-dev (every page: kept rows by their ``language``,
rejected rows by theirs, duplicates by their kept copy's); then every rejected page with its
reason, value and detail.

    .venv/bin/python benchmarks/rejections_bench.py [--devdata DIR] [--sets waddle-dev,...]
                                                    [--config my.toml] [--keep DIR]

``run_cli_on_pages`` is shared with ``extraction_eval.py --cli`` (whole-CLI extraction scores).
Development data, tuned on: figures for tuning, not claims.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DEVDATA = ROOT.parent / "shared" / "devdata"
SETS = ("waddle-dev", "scrapinghub-dev", "wcxb-dev-articles")
# The rejected-share target of issue 11, per set and per waddle language.
MAX_REJECTED_SHARE = 0.005
MIN_LANGUAGE_ACCURACY = 0.99


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({"DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                "PREFECT_HOME": str(ROOT / ".prefect"),
                "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90"})
    return env


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def run_cli_on_pages(pages: dict[str, Path], workdir: Path, config: Path | None = None,
                     code_root: Path | None = None) -> dict[str, dict[str, Any]]:
    """Run ``newsclean run`` on the pages (id → gzipped HTML) and return id → outcome.

    An outcome is ``{"outcome": "corpus"|"duplicate"|"rejected"|"missing", "row": the output row,
    "language": the language the run gave the page}``; a duplicate's language and text are its
    kept copy's.
    """
    folder = workdir / "pages"
    folder.mkdir(parents=True)
    for pid, gz in pages.items():
        (folder / f"{pid}.html").write_bytes(gzip.open(gz).read())
    out = workdir / "out"
    cmd = [str(ROOT / ".venv" / "bin" / "newsclean"), "run", str(folder), "--out", str(out)]
    env = _env()
    if code_root is not None:  # another checkout's code (a "before" figure), with this venv
        cmd = [str(ROOT / ".venv" / "bin" / "python"), "-m", "flows", *cmd[1:]]
        env["PYTHONPATH"] = str(code_root)
    if config is not None:
        cmd += ["--config", str(config)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=code_root)
    if proc.returncode != 0:
        sys.exit(f"rejections_bench: newsclean run failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    corpus = _read_jsonl(out / "corpus.jsonl")
    by_id = {r["id"]: r for r in corpus}
    outcomes: dict[str, dict[str, Any]] = {}

    def page_of(source: str) -> str:
        name = Path(source.split("@")[0]).name
        return name[: -len(".html")] if name.endswith(".html") else name

    for r in corpus:
        outcomes[page_of(r["source"])] = {"outcome": "corpus", "row": r, "language": r.get("language"),
                                          "text": r.get("text") or ""}
    for r in _read_jsonl(out / "duplicates.jsonl"):
        kept = by_id.get(r.get("duplicate_of"), {})
        outcomes[page_of(r["source"])] = {"outcome": "duplicate", "row": r, "language": kept.get("language"),
                                          "text": kept.get("text") or ""}
    for r in _read_jsonl(out / "rejected.jsonl"):
        outcomes[page_of(r["source"])] = {"outcome": "rejected", "row": r, "language": r.get("language"),
                                          "text": ""}
    for pid in pages:
        outcomes.setdefault(pid, {"outcome": "missing", "row": {}, "language": None, "text": ""})
    return outcomes


def load_set(devdata: Path, name: str) -> tuple[dict[str, Path], dict[str, str]]:
    """(page id → gzipped HTML path, page id → language label where the set has labels)."""
    html = devdata / name / "html"
    if not html.is_dir():
        sys.exit(f"rejections_bench: {html} not found; pass --devdata DIR")
    pages = {p.name[: -len(".html.gz")]: p for p in sorted(html.glob("*.html.gz"))}
    labels_path = devdata / name / "labels.json"
    labels = {}
    if labels_path.is_file():
        labels = {k: v["language"] for k, v in json.loads(labels_path.read_text(encoding="utf-8")).items()}
    return pages, labels


def _lang_match(predicted: str | None, label: str) -> bool:
    return bool(predicted) and predicted.split("-")[0].lower() == label.lower()


def report_set(name: str, outcomes: dict[str, dict[str, Any]], labels: dict[str, str]) -> list[tuple[str, bool]]:
    counts = Counter(o["outcome"] for o in outcomes.values())
    n = len(outcomes)
    share = counts["rejected"] / n if n else 0.0
    checks = [(f"{name}: rejected share {share:.4f} <= {MAX_REJECTED_SHARE}", share <= MAX_REJECTED_SHARE)]
    print(f"\n== {name}: {n} pages: corpus {counts['corpus']}, duplicates {counts['duplicate']}, "
          f"rejected {counts['rejected']} ({share:.2%})" + (f", MISSING {counts['missing']}" if counts["missing"] else ""))
    if labels:
        by_lang: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for pid, o in outcomes.items():
            by_lang[labels.get(pid, "?")].append({**o, "pid": pid})
        print(f"{'language':<10}{'pages':>6}{'rejected':>10}{'share':>9}{'label right':>13}")
        right_all = 0
        for lang in sorted(by_lang):
            os_ = by_lang[lang]
            rej = sum(o["outcome"] == "rejected" for o in os_)
            right = sum(_lang_match(o["language"], lang) for o in os_)
            right_all += right
            print(f"{lang:<10}{len(os_):>6}{rej:>10}{rej / len(os_):>9.2%}{right / len(os_):>13.2%}")
            checks.append((f"{name} {lang}: rejected share {rej / len(os_):.4f} <= {MAX_REJECTED_SHARE}",
                           rej / len(os_) <= MAX_REJECTED_SHARE))
        acc = right_all / n
        print(f"{'all':<10}{n:>6}{counts['rejected']:>10}{share:>9.2%}{acc:>13.2%}")
        checks.append((f"{name}: language label right {acc:.4f} >= {MIN_LANGUAGE_ACCURACY}", acc >= MIN_LANGUAGE_ACCURACY))
        wrong = Counter((labels.get(pid), o["language"]) for pid, o in outcomes.items()
                        if not _lang_match(o["language"], labels.get(pid, "")))
        if wrong:
            print("  wrong labels (truth, given): " + ", ".join(f"{t}→{g}: {c}" for (t, g), c in wrong.most_common()))
    reasons = Counter(o["row"].get("reason") for o in outcomes.values() if o["outcome"] == "rejected")
    if reasons:
        print("  reasons: " + ", ".join(f"{r} {c}" for r, c in reasons.most_common()))
    for pid, o in sorted(outcomes.items()):
        if o["outcome"] == "rejected":
            row = o["row"]
            lang = f" [{labels[pid]}]" if pid in labels else ""
            print(f"  REJECTED {pid[:70]}{lang}: {row.get('reason')} value={row.get('value')} "
                  f"threshold={row.get('threshold')} language={row.get('language')} — {str(row.get('detail'))[:150]}")
    return checks


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--devdata", type=Path, default=DEFAULT_DEVDATA)
    ap.add_argument("--sets", default=",".join(SETS), help="comma-separated set names")
    ap.add_argument("--config", type=Path, default=None, help="TOML passed to newsclean run --config")
    ap.add_argument("--keep", type=Path, default=None, help="keep each run's folder under this directory")
    ap.add_argument("--code-root", type=Path, default=None,
                    help="run the newsclean code of another checkout (e.g. a `git archive` of main before a change)")
    args = ap.parse_args()
    checks: list[tuple[str, bool]] = []
    for name in args.sets.split(","):
        pages, labels = load_set(args.devdata, name)
        work = Path(tempfile.mkdtemp(prefix=f"rejections-{name}-"))
        t0 = time.perf_counter()
        try:
            outcomes = run_cli_on_pages(pages, work, args.config, args.code_root)
        finally:
            if args.keep is not None:
                dest = args.keep / name
                shutil.rmtree(dest, ignore_errors=True)
                shutil.copytree(work / "out", dest, dirs_exist_ok=True)
            shutil.rmtree(work, ignore_errors=True)
        print(f"\nnewsclean run on {len(pages)} pages of {name}: {time.perf_counter() - t0:.1f} s")
        checks += report_set(name, outcomes, labels)
    print("\ntargets (issue 11; development data, tuned on):")
    for text, ok in checks:
        print(f"  [{'met' if ok else 'MISSED'}] {text}")


if __name__ == "__main__":
    main()
