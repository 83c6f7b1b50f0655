"""Digest of the language and quality stages' verdicts, and their CPU cost, on fixed inputs.

    .venv/bin/python benchmarks/language_quality_digest.py [--rebuild] [--dump rows.jsonl]
                                                           [--cache DIR] [--sets a,b] [--rounds N]
                                                           [--profile SET] [--stage language|quality|both]

A speed change to ``cleaning/language.py``, ``cleaning/langdetect_engine.py``,
``cleaning/quality.py``, ``cleaning/filters`` or ``cleaning/scripts.py`` must print the same
digests before and after. Inputs are the documents as the language stage receives them
(extracted and cleaned once, then cached as a pickle outside the project, so a change to
extraction or cleaning by someone else does not move these figures; ``--rebuild`` re-makes
them):

* ``generated``: the 1000 documents of ``pipeline_bench.py``'s per-stage section (seed 7);
* ``seeds``: ``seeds/*.txt``;
* ``fixtures``: ``tests/cleaning/fixtures/multilingual_news.toml``;
* ``waddle-dev``, ``scrapinghub-dev``, ``wcxb-dev-articles``: every HTML page, extracted;
* ``dedup-dev``: every plain-text document.

Per document the row is: id, language, language_score, the language metadata
(language_variant, language_reason, language_shares), then the quality verdict: ``pass`` or
the reason with its value, threshold, detail and word count. Printed per set: documents, the
SHA-256 of the rows (first 16 hex), CPU ms per document of the language and quality stages
(``time.process_time``, median of ``--rounds`` rounds, stages called in this process with no
time-limit worker), and the rejected count. ``--dump`` writes every row for a diff.
``--profile SET`` then prints cProfile's top ``--top`` functions by self time for one more
round over that set (``--stage`` picks the language stage, the quality stage or both).
Development data are read from ``../shared/devdata`` when present; figures for tuning only.
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import hashlib
import json
import pickle
import pstats
import statistics
import sys
import time
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from cleaning.config import load_config  # noqa: E402
from cleaning.document import Document, Rejection  # noqa: E402
from cleaning.pipeline import language_batch, quality_batch  # noqa: E402

DEVDATA = ROOT.parent / "shared" / "devdata"
DEFAULT_CACHE = Path("/tmp/newsclean-language-quality-digest")
SETS = ("generated", "seeds", "fixtures", "waddle-dev", "scrapinghub-dev", "wcxb-dev-articles", "dedup-dev")
LANGUAGE_KEYS = ("language_variant", "language_reason", "language_shares")


def _config() -> dict[str, Any]:
    cfg = load_config()
    cfg["pipeline"]["doc_timeout_seconds"] = 0  # the stages themselves, in this process
    return cfg


def _cleaned(docs: list[Document], cfg: dict[str, Any]) -> list[Document]:
    from cleaning.pipeline import clean_batch

    return clean_batch(docs, cfg).docs


def _from_texts(named: list[tuple[str, str]], set_name: str, cfg: dict[str, Any]) -> list[Document]:
    from cleaning.extract import document_from_text

    return _cleaned([replace(document_from_text(text, f"{set_name}/{name}", cfg), id=f"{set_name}/{name}")
                     for name, text in named], cfg)


def _from_html(folder: Path, set_name: str, cfg: dict[str, Any]) -> list[Document]:
    from cleaning.extract import extract_item
    from cleaning.ingest import _from_html_bytes

    docs = []
    for gz in sorted(folder.glob("*.html.gz")):
        name = gz.name.removesuffix(".html.gz")
        item = _from_html_bytes(gzip.open(gz).read(), name, f"{set_name}/{name}", 50_000_000)
        if isinstance(item, Rejection):
            continue
        doc = extract_item(item, cfg)
        if isinstance(doc, Document):
            docs.append(replace(doc, id=f"{set_name}/{name}"))
    return _cleaned(docs, cfg)


def build_inputs(set_name: str, cfg: dict[str, Any]) -> list[Document]:
    """The documents of one set as the language stage receives them (extracted, cleaned)."""
    if set_name == "generated":
        import tempfile

        from pipeline_bench import write_corpus

        with tempfile.TemporaryDirectory() as tmp:  # exactly pipeline_bench's per-stage documents
            write_corpus(Path(tmp) / "c.jsonl", 1000 + 20, 500, seed=7)
            texts = [json.loads(line)["text"] for line in (Path(tmp) / "c.jsonl").open(encoding="utf-8")][:1000]
        return _from_texts([(f"d{i:06d}", t) for i, t in enumerate(texts)], set_name, cfg)
    if set_name == "seeds":
        return _from_texts([(p.stem, p.read_text("utf-8")) for p in sorted((ROOT / "seeds").glob("*.txt"))],
                           set_name, cfg)
    if set_name == "fixtures":
        fixtures = tomllib.loads((ROOT / "tests/cleaning/fixtures/multilingual_news.toml").read_text("utf-8"))["doc"]
        return _from_texts([(f"{i:03d}-{d.get('lang', '')}", d["text"]) for i, d in enumerate(fixtures)],
                           set_name, cfg)
    if set_name == "dedup-dev":
        folder = DEVDATA / "dedup-dev" / "docs"
        return _from_texts([(p.stem, p.read_text("utf-8")) for p in sorted(folder.glob("*.txt"))], set_name, cfg)
    return _from_html(DEVDATA / set_name / "html", set_name, cfg)


def load_inputs(set_name: str, cache: Path, rebuild: bool, cfg: dict[str, Any]) -> list[Document]:
    path = cache / f"{set_name}.pickle"
    if path.is_file() and not rebuild:
        with path.open("rb") as fh:
            return pickle.load(fh)
    docs = build_inputs(set_name, cfg)
    cache.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        pickle.dump(docs, fh)
    return docs


def _row(doc_id: str, tagged: Document | Rejection, verdict: Rejection | None) -> dict[str, Any]:
    if isinstance(tagged, Rejection):
        return {"id": doc_id, "language_stage": [tagged.reason, tagged.value, tagged.detail]}
    row: dict[str, Any] = {"id": doc_id, "language": tagged.language, "score": tagged.language_score}
    row.update({k: tagged.metadata[k] for k in LANGUAGE_KEYS if k in tagged.metadata})
    if verdict is None:
        row["quality"] = "pass"
    else:
        row["quality"] = [verdict.reason, verdict.value, verdict.threshold, verdict.detail, verdict.word_count]
    return row


def run_set(docs: list[Document], cfg: dict[str, Any], rounds: int) -> tuple[list[dict[str, Any]], float, float]:
    """(rows, median language CPU ms/doc, median quality CPU ms/doc)."""
    lang_times, qual_times = [], []
    rows: list[dict[str, Any]] = []
    for _ in range(rounds):
        start = time.process_time()
        tagged = language_batch(docs, cfg)
        lang_times.append(time.process_time() - start)
        start = time.process_time()
        judged = quality_batch(tagged.docs, cfg)
        qual_times.append(time.process_time() - start)
        rejected = {r.id: r for r in judged.rejected}
        lang_rejected = {r.id: r for r in tagged.rejected}
        by_id = {d.id: d for d in tagged.docs}
        round_rows = [_row(d.id, lang_rejected.get(d.id) or by_id[d.id], rejected.get(d.id)) for d in docs]
        if rows and round_rows != rows:
            raise SystemExit("two rounds over the same documents disagree: not deterministic")
        rows = round_rows
    n = max(1, len(docs))
    return rows, 1000 * statistics.median(lang_times) / n, 1000 * statistics.median(qual_times) / n


def digest(rows: list[dict[str, Any]]) -> str:
    blob = "\n".join(json.dumps(r, ensure_ascii=False, sort_keys=True) for r in rows)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def profile(docs: list[Document], cfg: dict[str, Any], name: str, stage: str, top: int) -> None:
    """cProfile's top functions by self time for one round of the chosen stage(s) over ``docs``."""
    prof = cProfile.Profile()
    if stage in ("language", "both"):
        prof.enable()
    tagged = language_batch(docs, cfg)
    prof.disable()
    if stage in ("quality", "both"):
        prof.enable()
    quality_batch(tagged.docs, cfg)
    prof.disable()
    print(f"\ncProfile, {stage} over {name} ({len(docs)} docs), top {top} by self time:")
    pstats.Stats(prof).sort_stats("tottime").print_stats(top)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="where the cleaned inputs are kept")
    ap.add_argument("--rebuild", action="store_true", help="extract and clean the inputs again")
    ap.add_argument("--sets", default=",".join(SETS), help="comma-separated subset of " + ", ".join(SETS))
    ap.add_argument("--rounds", type=int, default=1, help="timing rounds (median reported)")
    ap.add_argument("--dump", type=Path, help="write every row (JSONL) for a diff")
    ap.add_argument("--profile", metavar="SET", help="cProfile one more round over this set")
    ap.add_argument("--stage", choices=("language", "quality", "both"), default="both",
                    help="which stage --profile records")
    ap.add_argument("--top", type=int, default=25, help="functions --profile prints")
    args = ap.parse_args()
    cfg = _config()
    sets = [s for s in args.sets.split(",") if s]
    all_rows: list[dict[str, Any]] = []
    inputs = {}
    for name in sets:
        if name not in ("generated", "seeds", "fixtures") and not (DEVDATA / name).is_dir():
            print(f"{name:18s} skipped (no {DEVDATA / name})")
            continue
        inputs[name] = load_inputs(name, args.cache, args.rebuild, cfg)
    # Warm-up (profiles, class tables, filter objects) outside the timed rounds.
    warm = [replace(d, id=f"warm/{i}") for i, d in enumerate(next(iter(inputs.values()))[:20])] if inputs else []
    quality_batch(language_batch(warm, cfg).docs, cfg)
    print(f"{'set':18s} {'docs':>5s}  {'digest':16s}  {'language':>9s}  {'quality':>9s}  rejected")
    for name, docs in inputs.items():
        rows, lang_ms, qual_ms = run_set(docs, cfg, args.rounds)
        all_rows.extend(rows)
        rejected = sum(1 for r in rows if r.get("quality") != "pass")
        print(f"{name:18s} {len(docs):5d}  {digest(rows)}  {lang_ms:6.3f} ms  {qual_ms:6.3f} ms  {rejected}")
    print(f"{'all':18s} {len(all_rows):5d}  {digest(all_rows)}")
    if args.profile:
        profile(inputs[args.profile], cfg, args.profile, args.stage, args.top)
    if args.dump:
        with args.dump.open("w", encoding="utf-8") as fh:
            for r in all_rows:
                fh.write(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
