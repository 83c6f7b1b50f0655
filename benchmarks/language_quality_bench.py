"""Language identification and quality filters: speed and accuracy, printed, never asserted.

    .venv/bin/python benchmarks/language_quality_bench.py [--passes N]

Prints
1. the CJK script fix: how many Chinese (and Korean/Japanese) fixtures and paragraphs
   langdetect gets wrong on its own, and how many after the script check;
2. the langdetect engine (cleaning/langdetect_engine.py) against langdetect's own Detector:
   how many results are identical, and the time of each;
3. accuracy of detection on the whole text vs on bounded samples, by sample size and
   langdetect trials, on the multilingual fixtures and on long mixed documents built from
   them (an article in one language with a paragraph of another at the end): document
   language, whether language_shares found the foreign paragraph, the largest change of
   language_score against whole text with 7 trials, and docs/s;
4. accuracy and cost of paragraph labelling for language_shares: langdetect by trials and
   length, and the naive-Bayes vote that screens paragraphs before langdetect;
5. docs/s of detect_language, quality_rejection and measure_quality on 500-word documents.
Single process; times are CPU seconds of this process (time.process_time), so other work
on the shared machine does not distort them. Fixtures: tests/cleaning/fixtures/multilingual_news.toml and seeds/.
"""

from __future__ import annotations

import argparse
import sys
import time
import tomllib
from itertools import cycle
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))  # pipeline_bench's document generator (section 6)

from cleaning.config import load_config  # noqa: E402
from cleaning.document import Document  # noqa: E402
from cleaning.langdetect_engine import engine, reference_probabilities  # noqa: E402
from cleaning.language import detect_language, identify, paragraphs  # noqa: E402
from cleaning.quality import measure_quality, quality_rejection  # noqa: E402
from cleaning.scripts import script_word_count  # noqa: E402

FIXTURES = tomllib.loads((ROOT / "tests/cleaning/fixtures/multilingual_news.toml").read_text("utf-8"))["doc"]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
BASE = load_config()


def cfg(**language) -> dict:
    return load_config(overrides={"language": language}) if language else BASE


def engine_vs_langdetect(by_lang: dict[str, list[str]]) -> None:
    print("\n== 2. langdetect engine vs langdetect's Detector (same profiles, seed 0)")
    units = [d["text"] for d in FIXTURES] + [p for paras in by_lang.values() for p in paras]
    units += [s.read_text("utf-8") for s in SEEDS]
    for n_trial in (7, 2):
        same = sum(engine().probabilities(t, 0, n_trial) == reference_probabilities(t, 0, n_trial) for t in units)
        print(f"  n_trial {n_trial}: identical (label, probability) lists {same}/{len(units)} texts "
              f"(fixtures, their paragraphs, seeds)")
    samples = [t[:1500] for t in units if len(t) >= 1000]
    for label, fn in (("langdetect Detector", reference_probabilities), ("engine", engine().probabilities)):
        row = []
        for n_trial in (7, 3, 1):
            start = time.process_time()
            for t in samples:
                fn(t, 0, n_trial)
            row.append(f"n_trial {n_trial}: {(time.process_time() - start) / len(samples) * 1000:.2f} ms")
        print(f"  {label:20s} per text of 1000-1500 chars ({len(samples)} texts): " + "   ".join(row))


def paragraphs_by_language() -> dict[str, list[str]]:
    """Paragraphs of the single-language fixtures, grouped by their language."""
    out: dict[str, list[str]] = {}
    for d in FIXTURES:
        if d.get("mixed"):
            continue
        out.setdefault(d["lang"], []).extend(paragraphs(d["text"]))
    out["en"].extend(p for s in SEEDS for p in paragraphs(s.read_text("utf-8")) if len(p) > 200)
    return out


def cjk_fix() -> None:
    print("== 1. CJK script check (langdetect alone vs with the script check)")
    off = cfg(script={"cjk_min_share": 1.01})  # the rule can never apply
    for group, langs in (("Chinese", {"zh"}), ("Korean+Japanese", {"ko", "ja"})):
        docs = [d for d in FIXTURES if d["lang"] in langs and not d.get("mixed")]
        units = [(d["text"], d["lang"]) for d in docs]
        units += [(p, d["lang"]) for d in docs for p in paragraphs(d["text"])]
        for label, config in (("before (langdetect only)", off), ("after  (script check)", BASE)):
            wrong_docs = [d["id"] for d in docs if identify(d["text"], config).language != d["lang"]]
            wrong_units = sum(identify(t, config).language != lang for t, lang in units)
            print(f"  {group:16s} {label}: documents wrong {len(wrong_docs)}/{len(docs)} {wrong_docs}; "
                  f"documents+paragraphs wrong {wrong_units}/{len(units)}")
    raw = [identify(d["text"], off) for d in FIXTURES if d.get("variant") == "zh-tw"]
    print(f"  Traditional Chinese labels from langdetect alone: {[g.language for g in raw]}")


def mixed_documents(by_lang: dict[str, list[str]], chars: int = 2400) -> tuple[list[tuple[str, str]], list[str]]:
    """(text, majority language) documents: ~`chars` of one language's paragraphs + one paragraph
    of another at the end; and the foreign paragraph's language for each."""
    docs, minors = [], []
    langs = sorted(by_lang)
    for major in langs:
        body: list[str] = []
        for p in cycle(by_lang[major]):
            body.append(p)
            if sum(map(len, body)) >= chars:
                break
        for minor in langs:
            if minor != major:
                docs.append(("\n".join(body + [by_lang[minor][-1]]), major))
                minors.append(minor)
    return docs, minors


def accuracy_vs_sample(by_lang: dict[str, list[str]]) -> None:
    print("\n== 3. Whole text vs bounded sample, by langdetect trials (detect_language incl. shares)")
    fixtures = [(d["text"], d["lang"]) for d in FIXTURES]
    mixed, minors = mixed_documents(by_lang)
    mean_mixed = sum(len(t) for t, _ in mixed) / len(mixed)
    print(f"  sets: {len(fixtures)} fixture articles (mean {sum(len(t) for t, _ in fixtures) / len(fixtures):.0f} chars); "
          f"{len(mixed)} long mixed documents (mean {mean_mixed:.0f} chars, one foreign paragraph at the end)")
    reference = {}
    whole7 = cfg(sample_chars=10**9, n_trial=7)
    for i, (t, _) in enumerate(fixtures + mixed):
        reference[i] = detect_language(Document(id="r", source="b", text=t), whole7).language_score
    settings = [("whole text", 10**9, 3), ("first 1500 chars", 1500, 1), ("3 slices, 3000", 3000, 3),
                ("3 slices, 1500", 1500, 3), ("3 slices, 900", 900, 3), ("3 slices, 600", 600, 3),
                ("3 slices, 300", 300, 3)]
    for label, size, slices in settings:
        for n_trial in (7, 3, 2):
            config = cfg(sample_chars=size, sample_slices=slices, n_trial=n_trial)
            ok_fix = sum(detect_language(Document(id="f", source="b", text=t), config).language == lang
                         for t, lang in fixtures)
            start = time.process_time()
            results = [detect_language(Document(id="m", source="b", text=t), config) for t, _ in mixed]
            elapsed = time.process_time() - start
            fixture_results = [detect_language(Document(id="f", source="b", text=t), config) for t, _ in fixtures]
            ok_mixed = sum(r.language == lang for r, (_, lang) in zip(results, mixed))
            found = sum(minor in r.metadata.get("language_shares", {}) for r, minor in zip(results, minors))
            drift = max(abs(r.language_score - reference[i]) for i, r in enumerate(fixture_results + results))
            misses = sorted({f"{lang}->{r.language}" for r, (_, lang) in zip(results, mixed) if r.language != lang})
            print(f"  {label:17s} n_trial {n_trial}  fixtures {ok_fix}/{len(fixtures)}  mixed {ok_mixed}/{len(mixed)}  "
                  f"foreign paragraph in shares {found}/{len(mixed)}  max score change {drift:.4f}  "
                  f"{len(mixed) / elapsed:5.0f} docs/CPU-s  {misses if misses else ''}")


def paragraph_settings(by_lang: dict[str, list[str]]) -> None:
    """Per-paragraph labelling (for language_shares) on Latin-script paragraphs."""
    from cleaning.language import langdetect_probabilities
    from cleaning.scripts import count_scripts

    units = [(p, lang) for lang, paras in sorted(by_lang.items()) for p in paras
             if count_scripts(p).cjk_share < 0.5 and count_scripts(p).letters >= 40]
    print(f"\n== 4. Paragraph labelling for language_shares: {len(units)} Latin-script paragraphs "
          f"(Hangul/Han/Kana paragraphs are decided by script, no langdetect call)")
    for max_chars in (100, 200, 300):
        row = []
        for n_trial in (7, 3, 2, 1):
            start = time.process_time()
            ok = sum(langdetect_probabilities(p[:max_chars], 0, n_trial)[0][0] == lang for p, lang in units)
            ms = (time.process_time() - start) / len(units) * 1000
            row.append(f"n_trial {n_trial}: {ok}/{len(units)} {ms:.2f} ms")
        print(f"  langdetect, first {max_chars} chars  " + "   ".join(row))
    for max_chars in (100, 200, 300):
        row = []
        for max_ngrams in (50, 100, 200, 10**6):
            start = time.process_time()
            ok = sum(engine().vote(p[:max_chars], max_ngrams) == lang for p, lang in units)
            ms = (time.process_time() - start) / len(units) * 1000
            row.append(f"{'all' if max_ngrams == 10**6 else max_ngrams} n-grams: {ok}/{len(units)} {ms:.3f} ms")
        print(f"  vote, first {max_chars} chars        " + "   ".join(row))
    mixed, minors = mixed_documents(by_lang)
    no_vote = cfg(paragraphs={"vote": False})
    reference = [detect_language(Document(id="m", source="b", text=t), no_vote).metadata.get("language_shares")
                 for t, _ in mixed]
    print(f"  language_shares with the vote screen vs langdetect on every paragraph ({len(mixed)} mixed documents):")
    for max_ngrams in (50, 100, 200):
        config = cfg(paragraphs={"vote_max_ngrams": max_ngrams})
        start = time.process_time()
        shares = [detect_language(Document(id="m", source="b", text=t), config).metadata.get("language_shares")
                  for t, _ in mixed]
        elapsed = time.process_time() - start
        same = sum(a == b for a, b in zip(shares, reference))
        found = sum(minor in (sh or {}) for sh, minor in zip(shares, minors))
        print(f"    vote_max_ngrams {max_ngrams:3d}: shares identical {same}/{len(mixed)}, foreign paragraph "
              f"found {found}/{len(mixed)}, {len(mixed) / elapsed:.0f} docs/CPU-s")
    start = time.process_time()
    for t, _ in mixed:
        detect_language(Document(id="m", source="b", text=t), no_vote)
    print(f"    no vote (langdetect, n_trial 2, on every paragraph): {len(mixed) / (time.process_time() - start):.0f} docs/CPU-s")


def five_hundred_word_docs(by_lang: dict[str, list[str]]) -> tuple[list[Document], list[Document]]:
    """English 500-word documents cut from the seeds and the English fixture (no repeats), and
    one ~500-word document per other language built by cycling that language's paragraphs."""
    english: list[Document] = []
    body: list[str] = []
    for p in [p for s in SEEDS for p in paragraphs(s.read_text("utf-8"))] + paragraphs(FIXTURES[0]["text"]):
        body.append(p)
        if len(" ".join(body).split()) >= 500:
            english.append(Document(id=f"en{len(english)}", source="bench", text="\n".join(body)))
            body = []
    others = []
    for lang, paras in sorted(by_lang.items()):
        if lang == "en":
            continue
        body: list[str] = []
        for p in cycle(paras):
            body.append(p)
            if script_word_count("\n".join(body), 1.5) >= 500:
                break
        others.append(Document(id=f"{lang}500", source="bench", text="\n".join(body)))
    return english, others


def throughput(docs: list[Document], passes: int) -> None:
    total_chars = sum(len(d.text) for d in docs) * passes
    whole = cfg(sample_chars=10**9)
    no_shares = cfg(paragraphs={"min_chars": 10**9})
    no_vote = cfg(paragraphs={"vote": False})
    whole_no_shares = cfg(sample_chars=10**9, paragraphs={"min_chars": 10**9})
    runs = [
        ("detect_language (default)", lambda d: detect_language(d, BASE)),
        ("detect_language (whole text)", lambda d: detect_language(d, whole)),
        ("detect_language (no vote: langdetect/par.)", lambda d: detect_language(d, no_vote)),
        ("detect_language (sample, no shares)", lambda d: detect_language(d, no_shares)),
        ("detect_language (whole, no shares)", lambda d: detect_language(d, whole_no_shares)),
        ("quality_rejection", lambda d: quality_rejection(d, BASE)),
        ("measure_quality (all filters)", lambda d: measure_quality(d, BASE)),
        ("detect_language + quality_rejection", lambda d: (detect_language(d, BASE), quality_rejection(d, BASE))),
    ]
    for label, fn in runs:
        start = time.process_time()
        for _ in range(passes):
            for d in docs:
                fn(d)
        elapsed = time.process_time() - start
        n = len(docs) * passes
        print(f"  {label:44s} {n / elapsed:8.0f} docs/CPU-s  {total_chars / elapsed / 1e6:6.2f} M chars/CPU-s")


def stages_side_by_side(n_docs: int, rounds: int) -> None:
    """clean, language and quality on benchmarks/pipeline_bench.py's kind of documents, in CPU time.

    pipeline_bench.py times each stage once by the wall clock; on a shared machine another
    process can halve one stage's figure and not the next. Here every round builds fresh
    documents (a new seed), empties the cleaner's line caches and the language engine's
    word cache (both warm up within a run, as in pipeline_bench), and times the three
    stages one after the other in CPU seconds. Profiles are already loaded (see section 2).
    """
    import random

    from cleaning.clean import reset_line_caches
    from cleaning.pipeline import clean_batch, language_batch, quality_batch
    from pipeline_bench import make_docs

    totals = {"clean": [], "language (detect+keep)": [], "quality filters": []}
    for r in range(rounds):
        texts = make_docs(n_docs, 500, random.Random(100 + r))
        docs = [Document(id=f"d{i:06d}", source=f"bench/{i}", text=t) for i, t in enumerate(texts)]
        reset_line_caches(BASE)
        engine().clear_word_cache()
        start = time.process_time()
        cleaned = clean_batch(docs, BASE).docs
        totals["clean"].append(time.process_time() - start)
        start = time.process_time()
        tagged = language_batch(cleaned, BASE).docs
        totals["language (detect+keep)"].append(time.process_time() - start)
        start = time.process_time()
        quality_batch(tagged, BASE)
        totals["quality filters"].append(time.process_time() - start)
    print(f"\n== 6. Stages side by side on pipeline_bench.py's documents ({rounds} rounds x {n_docs} fresh "
          f"~500-word documents, cold caches each round, CPU time; docs/CPU-s per round)")
    for name, seconds in totals.items():
        print(f"  {name:24s} " + "  ".join(f"{n_docs / x:6.0f}" for x in seconds) +
              f"   mean {sum(seconds) / len(seconds) / n_docs * 1000:.3f} ms/doc")
    both = [a + b for a, b in zip(totals["language (detect+keep)"], totals["quality filters"])]
    print(f"  {'language + quality':24s} " + "  ".join(f"{n_docs / x:6.0f}" for x in both) +
          f"   mean {sum(both) / len(both) / n_docs * 1000:.3f} ms/doc")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=40, help="timing passes over each document set")
    parser.add_argument("--stage-docs", type=int, default=300, help="documents for section 6 (0 to skip)")
    parser.add_argument("--only-stages", action="store_true", help="run section 6 only")
    args = parser.parse_args()
    detect_language(Document(id="warm", source="b", text=FIXTURES[0]["text"]), BASE)  # profile load
    if args.only_stages:
        stages_side_by_side(args.stage_docs, 3)
        return
    by_lang = paragraphs_by_language()
    cjk_fix()
    engine_vs_langdetect(by_lang)
    accuracy_vs_sample(by_lang)
    paragraph_settings(by_lang)
    english, others = five_hundred_word_docs(by_lang)
    print(f"\n== 5. Throughput on 500-word documents ({args.passes} passes, 1 core)")
    print(f"  English: {len(english)} distinct 500+-word documents of seed paragraphs "
          f"(mean {sum(len(d.text) for d in english) / len(english):.0f} chars)")
    throughput(english, args.passes)
    print(f"  Other languages: {len(others)} documents ({', '.join(d.id for d in others)}), "
          f"mean {sum(len(d.text) for d in others) / len(others):.0f} chars; paragraphs repeat, so "
          f"quality_rejection exits early at dup_lines; measure_quality runs every filter")
    throughput(others, args.passes)
    if args.stage_docs:
        stages_side_by_side(args.stage_docs, 3)


if __name__ == "__main__":
    main()
