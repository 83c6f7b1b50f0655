"""Dedup benchmark: accuracy on a labeled near-duplicate corpus, throughput, memory, scaling.

Source texts: the four seeds plus, when present, the real article bodies of the development
data in ../shared/devdata (read at run time, never copied into the project). From their
sentences the script composes distinct base stories, then realistic copies of them
(different trailers, reworded headline, dropped final paragraphs, small edits, OCR-like
noise, reordered paragraphs, wire bylines: every copy keeps >= 80% of its base's words)
and hard negatives (different stories on the same topic drawn from one source article,
templated stories sharing long boilerplate). Labels are known, so it prints pairwise
precision / recall / F1 and ARI against them.

    .venv/bin/python benchmarks/dedup_bench.py            # full: grid at 10k, scale 10k + 100k (~1.5 min on 2 cores)
    .venv/bin/python benchmarks/dedup_bench.py --quick    # grid at 3k, scale 3k + 20k (~30 s)
    add --redis-url redis://127.0.0.1:6379/15 to time the shared redis index too
"""

from __future__ import annotations

import argparse
import glob
import json
import math
import os
import random
import re
import resource
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cleaning.config import load_config  # noqa: E402
from cleaning.dedup import compute_signatures, open_index, resolve_duplicates  # noqa: E402
from cleaning.document import Document  # noqa: E402

DEVDATA = ROOT.parent / "shared" / "devdata"
_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")

# ----------------------------------------------------------------------------------------
# Source sentences


def load_articles() -> list[list[str]]:
    """Real article texts as lists of sentences (seeds always; dev data when present)."""
    texts = []
    for p in sorted((ROOT / "seeds").glob("*.txt")):
        t = p.read_text(encoding="utf-8")
        texts.append(t.split("\n", 1)[1] if p.name.startswith("000_") else t)
    gt = DEVDATA / "scrapinghub-dev" / "ground-truth.json"
    if gt.is_file():
        texts += [v["articleBody"] for _, v in sorted(json.loads(gt.read_text()).items())]
    for f in sorted(glob.glob(str(DEVDATA / "wcxb-dev-articles" / "ground-truth" / "*.json"))):
        texts.append(json.loads(Path(f).read_text())["ground_truth"]["main_content"])
    articles = []
    for t in texts:
        # 6-60 words: unsplittable run-on "sentences" (tables, lists) would otherwise be shared
        # by many composed stories and make true, unlabeled near-duplicates.
        sents = [s.strip() for line in t.splitlines() for s in _SENT.split(line)
                 if 6 <= len(s.split()) <= 60]
        if len(sents) >= 8:
            articles.append(sents)
    return articles


TRAILERS = [
    "Reporting by Hyonhee Shin; Editing by Kenneth Maxwell",
    "Copyright 2024 The Associated Press. All rights reserved. This material may not be published, broadcast, rewritten or redistributed.",
    "Follow us on Twitter and Facebook for the latest updates from our newsroom.",
    "Sign up for our morning newsletter to get the day's top stories in your inbox.",
    "(c) Yonhap News Agency. Unauthorized reproduction and redistribution prohibited.",
    "Have a news tip? Contact our reporters at tips@example-news.com.",
    "This article was updated to correct the name of the company spokesperson.",
    "Read more: Markets rally as inflation cools for a third straight month",
    "Related: Automakers race to secure battery supply as demand for electric cars grows",
]
BYLINES = ["SEOUL, Nov 23 (Reuters) -", "By Kim Min-seo, Yonhap", "(AP) -", "BUSAN, South Korea -",
           "By Staff Writers", "LONDON (Bloomberg) -", "NEW YORK, March 4 (AFP) -"]
OCR = [("rn", "m"), ("m", "rn"), ("l", "1"), ("O", "0"), ("e", "c"), ("i", "l"), ("h", "b")]
FILLER = ["also", "reportedly", "now", "officially", "further", "still", "recently", "largely"]

TEMPLATES = [
    ("{co} reported quarterly revenue of {n1} million dollars on {day}, {dir} {p1} percent from a year earlier, "
     "as demand in {city} {dir2}. Net income came in at {n2} million dollars. Chief executive {person} said the "
     "company expected {dir3} growth in the coming quarter and would keep investing in new products.",
     "About {co}: The company is a leading provider of industrial components and services with operations in "
     "more than forty countries. This release contains forward-looking statements that involve risks and "
     "uncertainties, including statements about future revenue, margins, demand, supply chain conditions and "
     "currency movements. Actual results may differ materially from those expressed or implied by such statements. "
     "The company undertakes no obligation to update any forward-looking statement after the date of this release. "
     "Investors should read the annual report filed with the securities regulator for a discussion of risk factors. "
     "Media contact: corporate communications office, available on weekdays during business hours."),
    ("{city} will see {w1} skies on {day} with highs near {n1} degrees and lows around {p1} degrees, forecasters at "
     "the national weather service said. Winds from the {w2} could reach {n2} kilometers per hour by the evening, "
     "and {person}, a senior forecaster, warned drivers to expect {dir3} conditions on mountain roads.",
     "The weather service issues forecasts four times a day and updates warnings whenever conditions change. "
     "Residents can check the latest forecast, air quality readings and road conditions on the official website "
     "or the mobile application. In an emergency, call the local emergency number and follow the instructions "
     "of the authorities. Forecasts are provided for general information only and may change at short notice. "
     "Data are provided by the national meteorological agency and partner observation stations across the region."),
]
COMPANIES = ["Hanwha Systems", "Doosan Bobcat", "LS Electric", "Hyosung Heavy", "Kumho Tire", "Mando Corp",
             "Posco Future M", "Lotte Chemical", "Samsung Biologics", "Celltrion", "Naver", "Kakao Mobility"]
CITIES = ["Seoul", "Busan", "Incheon", "Daegu", "Gwangju", "Daejeon", "Ulsan", "Suwon", "Jeju", "Changwon"]
PEOPLE = ["Lee Jae-won", "Park Soo-jin", "Choi Min-ho", "Jung Hae-in", "Kang Ji-young", "Yoon Seok-jin"]


class CorpusBuilder:
    """Deterministic labeled corpus: yields (Document, story_label, copy_of, shared_fraction)."""

    def __init__(self, articles: list[list[str]], seed: int = 7) -> None:
        self.articles = articles
        self.pool = [s for a in articles for s in a]
        self.seed = seed
        self.vocab = sorted({w for s in self.pool[:5000] for w in s.split() if w.isalpha()})

    def _story(self, rng: random.Random, words: int, topic: list[str] | None = None) -> list[str]:
        """Paragraphs of 2-4 sentences; with ``topic``, 60% of sentences come from it."""
        sents, total = [], 0
        while total < words:
            src = topic if topic and rng.random() < 0.6 else self.pool
            s = src[rng.randrange(len(src))]
            sents.append(s)
            total += len(s.split())
        paras, i = [], 0
        while i < len(sents):
            k = rng.randint(2, 4)
            paras.append(" ".join(sents[i : i + k]))
            i += k
        headline = " ".join(sents[0].split()[:rng.randint(6, 10)]).rstrip(",.;:").title()
        return [headline] + paras

    def _copy(self, rng: random.Random, paras: list[str]) -> list[str]:
        p = list(paras)
        n_words = sum(len(x.split()) for x in p)
        # One text-volume change (trailer or dropped ending) + one noise + optional layout ones.
        vol = rng.choice(["trailer", "drop", "none"])
        if vol == "trailer":
            p.append("\n".join(rng.sample(TRAILERS, rng.randint(1, 2))))
        elif vol == "drop" and len(p) > 3:
            dropped = 0
            while len(p) > 3 and dropped + len(p[-1].split()) <= 0.15 * n_words:
                dropped += len(p.pop().split())
        noise = rng.choice(["edits", "ocr", "none"])
        if noise != "none":
            rate = rng.uniform(0.01, 0.04) if noise == "edits" else rng.uniform(0.005, 0.02)
            out = []
            for para in p:
                ws = para.split()
                for j in range(len(ws)):
                    if rng.random() < rate:
                        if noise == "edits":
                            ws[j] = rng.choice(self.vocab) if rng.random() < 0.7 else rng.choice(FILLER) + " " + ws[j]
                        else:
                            a, b = rng.choice(OCR)
                            ws[j] = ws[j].replace(a, b, 1) if a in ws[j] else ws[j][:-1] or ws[j]
                out.append(" ".join(ws))
            p = out
        if rng.random() < 0.3:
            p[0] = " ".join(reversed(p[0].split()[:3])) + " " + " ".join(p[0].split()[3:]) + ": update"
        if rng.random() < 0.3 and len(p) > 4:
            k = rng.randrange(1, len(p) - 2)
            p[k], p[k + 1] = p[k + 1], p[k]
        if rng.random() < 0.3:
            p[1] = rng.choice(BYLINES) + " " + p[1]
        return p

    def _templated(self, rng: random.Random, t: int) -> list[str]:
        body, boiler = TEMPLATES[t]
        fill = dict(co=rng.choice(COMPANIES), n1=rng.randint(10, 35) if t else rng.randint(10, 999), n2=rng.randint(5, 99),
                    p1=rng.randint(1, 30), day=rng.choice(["Monday", "Tuesday", "Wednesday", "Thursday"]),
                    dir=rng.choice(["up", "down"]), dir2=rng.choice(["recovered", "weakened", "held steady"]),
                    dir3=rng.choice(["slower", "stronger", "uneven", "icy", "foggy"]), city=rng.choice(CITIES),
                    person=rng.choice(PEOPLE), w1=rng.choice(["clear", "cloudy", "rainy"]),
                    w2=rng.choice(["north", "west", "southeast"]))
        head = f"{fill['co'] if t == 0 else fill['city']} {['results', 'weather'][t]} for {fill['day']}"
        # Story-specific sentences make it a different story; the boilerplate (30-50% of the
        # words) and the template sentence are what such stories share.
        own = " ".join(self.pool[rng.randrange(len(self.pool))] for _ in range(rng.randint(4, 7)))
        return [head, body.format(**fill), own, boiler]

    def batches(self, n_docs: int, batch: int = 500, words: tuple[int, int] = (150, 700)):
        """Yield lists of (doc, label, copy_of_label_or_None, shared) of about ``batch`` docs."""
        made, story, next_topic = 0, 0, 0
        out = []
        while made < n_docs:
            rng = random.Random(self.seed * 1_000_003 + story)
            kind = rng.random()
            day = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            group: list[tuple[list[str], str, bool]] = []
            if kind < 0.06:  # templated story, its own cluster
                group.append((self._templated(rng, rng.randrange(len(TEMPLATES))), day, False))
            elif kind < 0.07:  # short caption, its own cluster
                s = self.pool[rng.randrange(len(self.pool))]
                group.append(([f"Photo {story}: " + " ".join(s.split()[:6])], day, False))
            else:
                topic = None
                if kind < 0.17 and next_topic < len(self.articles):
                    # Same-topic pair: two stories from disjoint halves of one article. Each
                    # article serves one pair only, or stories reusing it would truly overlap.
                    article = self.articles[next_topic]
                    next_topic += 1
                    topic, other_half = article[0::2], article[1::2]
                base = self._story(rng, rng.randint(*words), topic)
                group.append((base, day, False))
                for _ in range(rng.choice([0, 0, 1, 1, 2, 3, 4])):
                    group.append((self._copy(rng, base), day if rng.random() < 0.5 else
                                  f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", True))
                if topic is not None:
                    made += self._emit(out, [(self._story(rng, rng.randint(*words), other_half), day, False)],
                                       story + 10_000_000, rng)
            made += self._emit(out, group, story, rng)
            story += 1
            if len(out) >= batch:
                yield out
                out = []
        if out:
            yield out

    @staticmethod
    def _emit(out, group, label, rng) -> int:
        base_words = Counter(" ".join(group[0][0]).split())
        for paras, day, is_copy in group:
            text = "\n\n".join(paras)
            shared = 1.0
            if is_copy:
                cw = Counter(text.split())
                shared = sum((cw & base_words).values()) / max(sum(cw.values()), sum(base_words.values()))
            doc = Document(id=f"{rng.getrandbits(56):014x}", source="bench", text=text, published=day,
                           sitename=rng.choice(["Yonhap", "Reuters", "AP", "Korea Herald", "AFP", "Bloomberg"]))
            out.append((doc, label, is_copy, shared))
        return len(group)


# ----------------------------------------------------------------------------------------
# Metrics


def _pairs(counts) -> float:
    return float(sum(c * (c - 1) / 2 for c in counts))


def pairwise_scores(true: list, pred: list) -> dict[str, float]:
    cont = Counter(zip(true, pred))
    tp, t_pairs, p_pairs = _pairs(cont.values()), _pairs(Counter(true).values()), _pairs(Counter(pred).values())
    n_pairs = len(true) * (len(true) - 1) / 2
    p = tp / p_pairs if p_pairs else 1.0
    r = tp / t_pairs if t_pairs else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    expected = t_pairs * p_pairs / n_pairs if n_pairs else 0.0
    ari = (tp - expected) / (0.5 * (t_pairs + p_pairs) - expected) if t_pairs + p_pairs else 1.0
    return {"precision": p, "recall": r, "f1": f1, "ari": ari}


def evaluate(records, outcome) -> dict[str, float]:
    pred_of = {d: c for d, (c, _) in outcome.clusters.items()}
    pred_of.update({d.id: d.cluster_id for d in outcome.duplicates})
    true = [r[1] for r in records]
    pred = [pred_of[r[0]] for r in records]
    m = pairwise_scores(true, pred)
    # Recall on copies with >= 80% shared words: is the copy in its base's predicted cluster?
    base_pred = {r[1]: pred_of[r[0]] for r in records if not r[2]}
    copies = [r for r in records if r[2] and r[3] >= 0.8]
    m["copy_recall_80"] = sum(pred_of[r[0]] == base_pred[r[1]] for r in copies) / max(len(copies), 1)
    m["copies_80"] = len(copies)
    m["copies_below_80"] = sum(1 for r in records if r[2] and r[3] < 0.8)
    return m


# ----------------------------------------------------------------------------------------
# Sections


def build(builder: CorpusBuilder, n: int, config):
    """Signatures and labels for ``n`` docs; returns (sigs, records, seconds in signatures)."""
    sigs, records, t_sig = [], [], 0.0
    for batch in builder.batches(n):
        docs = [b[0] for b in batch]
        t0 = time.perf_counter()
        sigs += compute_signatures(docs, config)
        t_sig += time.perf_counter() - t0
        records += [(b[0].id, b[1], b[2], b[3]) for b in batch]
    return sigs, records, t_sig


def grid(builder: CorpusBuilder, n: int) -> None:
    print(f"\n== Parameter grid on {n} docs (pairwise P/R/F1, ARI, recall of copies sharing >= 80% words)")
    print(f"{'n':>2} {'bands x rows':>12} {'v_jac':>5} {'v_cont':>6} | {'P':>6} {'R':>6} {'F1':>6} "
          f"{'ARI':>6} {'copyR80':>7} {'cands':>7} {'resolve s':>9}")
    for n_sh in (4, 5, 6):
        cfg = load_config(overrides={"dedup": {"char_ngram": n_sh}})
        sigs, records, _ = build(builder, n, cfg)
        for bands, rows in ((42, 3), (32, 4), (25, 5)):
            for vj, vc in ((0.4, 0.7), (0.5, 0.8), (0.6, 0.8), (0.6, 0.85), (0.7, 0.85), (0.7, 0.9)):
                c = load_config(overrides={"dedup": {"char_ngram": n_sh, "lsh_bands": bands, "lsh_rows": rows,
                                                     "verify_jaccard": vj, "verify_containment": vc}})
                t0 = time.perf_counter()
                out = resolve_duplicates(sigs, c, None)
                dt = time.perf_counter() - t0
                m = evaluate(records, out)
                print(f"{n_sh:>2} {f'{bands} x {rows}':>12} {vj:>5} {vc:>6} | {m['precision']:.4f} {m['recall']:.4f} "
                      f"{m['f1']:.4f} {m['ari']:.4f} {m['copy_recall_80']:.4f} {out.stats['candidate_pairs']:>7} {dt:>9.2f}")
    print(f"(copies sharing >= 80% words: {m['copies_80']}, below 80%: {m['copies_below_80']})")


def _shingles(text: str, n: int) -> list[bytes]:
    w = re.findall(r"[^\W_]+", text.lower())
    return [" ".join(w[i : i + n]).encode() for i in range(max(len(w) - n + 1, 0))]


def throughput(builder: CorpusBuilder, n_docs: int) -> None:
    from datasketch import LeanMinHash, MinHash
    from xxhash import xxh32_intdigest

    cfg = load_config()
    n_sh, num_perm = 3, cfg["dedup"]["num_perm"]  # datasketch side: word 3-shingles, as before
    docs = [b[0] for batch in builder.batches(n_docs, words=(500, 500)) for b in batch if b[0].word_count >= 450]
    docs = [Document(d.id, d.source, " ".join(d.text.split(" ")[:500])) for d in docs][:n_docs]
    words = sum(d.word_count for d in docs) / len(docs)
    kb = sum(len(d.text.encode()) for d in docs) / len(docs) / 1024
    print(f"\n== Throughput, 1 process (= 1 core), CPU time (time.process_time, best of 3; load average "
          f"{os.getloadavg()[0]:.1f}), {len(docs)} docs of {words:.0f} words ({kb:.1f} KB), "
          f"newsclean: character {cfg['dedup']['char_ngram']}-gram features; datasketch: {n_sh}-word shingles; num_perm={num_perm}")
    compute_signatures(docs[:50], cfg)  # build lookup tables once
    best = min(_cpu_timed(lambda: [compute_signatures(docs[i : i + 500], cfg) for i in range(0, len(docs), 500)])
               for _ in range(3))
    ours = len(docs) / best
    print(f"newsclean numpy (tokenize + shingle + exact hash + MinHash): {ours:>8,.0f} docs/s")
    sub = docs[: min(len(docs), 600)]

    def update_batch():
        for d in sub:
            m = MinHash(num_perm=num_perm)
            m.update_batch(_shingles(d.text, n_sh))
    ub = len(sub) / min(_cpu_timed(update_batch) for _ in range(3))
    print(f"datasketch MinHash.update_batch (sha1, affine32):          {ub:>8,.0f} docs/s")

    def bulk():
        LeanMinHash_list = [LeanMinHash(m) for m in
                            MinHash.bulk([_shingles(d.text, n_sh) for d in sub], num_perm=num_perm,
                                         hashfunc=xxh32_intdigest)]
        return LeanMinHash_list
    bk = len(sub) / min(_cpu_timed(bulk) for _ in range(3))
    print(f"datasketch MinHash.bulk + LeanMinHash (xxh32):            {bk:>8,.0f} docs/s")
    print(f"speed-up: {ours / ub:.1f}x update_batch, {ours / bk:.1f}x bulk")

    # Accuracy of the estimates against the exact Jaccard of the feature sets (what verification
    # measures), on copy pairs; datasketch gets the same features.
    groups: dict[int, list] = {}
    for batch in builder.batches(3000):
        for b in batch:
            groups.setdefault(b[1], []).append(b[0])
    pairs = [(g[0], c) for g in groups.values() if len(g) > 1 for c in g[1:]][:400]
    flat = [d for p in pairs for d in p]
    sigs = compute_signatures(flat, cfg)
    dsk = MinHash.bulk([[int(x).to_bytes(4, "little") for x in s.features] for s in sigs], num_perm=num_perm)
    err_ours, err_ds = [], []
    for k in range(len(pairs)):
        fa, fb = sigs[2 * k].features, sigs[2 * k + 1].features
        inter = len(np.intersect1d(fa, fb))
        exact = inter / max(len(fa) + len(fb) - inter, 1)
        err_ours.append(abs(float(np.mean(sigs[2 * k].minhash == sigs[2 * k + 1].minhash)) - exact))
        err_ds.append(abs(dsk[2 * k].jaccard(dsk[2 * k + 1]) - exact))
    print(f"Jaccard estimate vs exact feature-set Jaccard on {len(pairs)} copy pairs: mean |error| newsclean "
          f"{np.mean(err_ours):.4f} (MinHash over 1 in {cfg['dedup']['minhash_sample']} of its own "
          f"{cfg['dedup']['minhash_char_ngram']}-grams, a set other than the features), datasketch "
          f"{np.mean(err_ds):.4f} (theory ~{0.8 * 0.5 / math.sqrt(num_perm):.3f}); only candidates use it, "
          "verification is exact")


def _cpu_timed(fn) -> float:
    """CPU seconds of ``fn()`` in this process: on a shared machine wall time measures the load."""
    t0 = time.process_time()
    fn()
    return time.process_time() - t0


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def scale_child(n: int, tmp: str) -> None:
    """One scale point in a fresh process, so ru_maxrss is this point's peak memory."""
    cfg = load_config()
    builder = CorpusBuilder(load_articles())
    compute_signatures([Document("warm", "warm", builder.pool[0])], cfg)  # lookup tables, once per process
    sigs, records, t_sig = build(builder, n, cfg)
    rss_sig = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    out = resolve_duplicates(sigs, cfg, None)
    t_res = time.perf_counter() - t0
    t0 = time.perf_counter()
    resolve_duplicates(sigs, cfg, None)  # again, warm: first-touch page faults and GC excluded
    t_res_warm = time.perf_counter() - t0
    m = evaluate(records, out)
    index = open_index(cfg, Path(tmp))
    kept = [s for s in sigs if s.id in out.clusters]
    t0 = time.perf_counter()
    index.add(kept, run_id="bench")
    t_add = time.perf_counter() - t0
    # A second run against the persisted index: the same docs must all come back as duplicates.
    t0 = time.perf_counter()
    again = resolve_duplicates(sigs[: min(n, 5000)], cfg, index)
    t_inc = time.perf_counter() - t0
    index.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"n": n, "t_sig": t_sig, "t_resolve": t_res, "t_resolve_warm": t_res_warm, "t_index_add": t_add, "t_incremental": t_inc,
                      "incremental_docs": len(again.duplicates) + len(again.clusters),
                      "incremental_kept": len(again.clusters), "rss_after_sig_mb": rss_sig, "peak_mb": peak,
                      "candidates": out.stats["candidate_pairs"], "kept": out.stats["kept"], **m}))


def scale(points: list[int]) -> None:
    import tempfile

    print("\n== Scale (default config; each point in a fresh process; generation time not counted)")
    print(f"{'docs':>7} | {'sig s':>6} {'resolve s':>9} {'(warm)':>6} {'sig+res us/doc':>14} | {'P':>6} {'R':>6} {'F1':>6} {'ARI':>6} "
          f"{'copyR80':>7} | {'peak MB':>7} | {'index add s':>11} {'rerun 5k s':>10} {'rerun kept':>10}")
    rows = []
    for n in points:
        with tempfile.TemporaryDirectory() as tmp:
            res = subprocess.run([sys.executable, __file__, "--scale-child", str(n), tmp],
                                 capture_output=True, text=True, check=True)
        r = json.loads(res.stdout.strip().splitlines()[-1])
        rows.append(r)
        per = (r["t_sig"] + r["t_resolve"]) / n * 1e6
        print(f"{n:>7} | {r['t_sig']:>6.1f} {r['t_resolve']:>9.2f} {r['t_resolve_warm']:>6.2f} {per:>14.1f} | {r['precision']:.4f} {r['recall']:.4f} "
              f"{r['f1']:.4f} {r['ari']:.4f} {r['copy_recall_80']:.4f} | {r['peak_mb']:>7.0f} | "
              f"{r['t_index_add']:>11.1f} {r['t_incremental']:>10.2f} {r['incremental_kept']:>10}")
    if len(rows) > 1:
        a, b = rows[0], rows[-1]
        ratio = ((b["t_sig"] + b["t_resolve"]) / b["n"]) / ((a["t_sig"] + a["t_resolve"]) / a["n"])
        print(f"time per doc at {b['n']} / at {a['n']}: {ratio:.2f} (1.0 = linear); "
              f"signatures alone {(b['t_sig'] / b['n']) / (a['t_sig'] / a['n']):.2f}, "
              f"resolve alone {(b['t_resolve'] / b['n']) / (a['t_resolve'] / a['n']):.2f} "
              f"(warm {(b['t_resolve_warm'] / b['n']) / (a['t_resolve_warm'] / a['n']):.2f})")


def redis_section(url: str, builder: CorpusBuilder, n: int) -> None:
    """Shared-index cost: datasketch MinHashLSH on redis answers one query per document."""
    import uuid

    import redis

    prefix = f"newsclean-bench:{uuid.uuid4().hex[:8]}"
    cfg = load_config(overrides={"dedup": {"index": {"backend": "redis", "redis_url": url, "redis_prefix": prefix}}})
    sigs, _, _ = build(builder, n, cfg)
    # Copies sit next to their originals in generation order: interleave so that the second
    # half holds copies of documents in the first.
    first, second = sigs[0::2], sigs[1::2]
    client = redis.Redis.from_url(url)
    try:
        with open_index(cfg, None) as index:
            t_add = _timed(lambda: index.add(first, run_id="bench"))
            t0 = time.perf_counter()
            out = resolve_duplicates(second, cfg, index)
            t_res = time.perf_counter() - t0
        print(f"\n== Redis index ({url}): add {len(first)} kept signatures {len(first) / t_add:,.0f} docs/s; "
              f"resolve {len(second)} new docs against it {len(second) / t_res:,.0f} docs/s "
              f"({out.stats['duplicates_of_earlier_runs']} matched earlier docs)")
    finally:
        for key in client.scan_iter(match=f"{prefix}*"):  # only this run's keys
            client.delete(key)
        client.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes (~1 min)")
    ap.add_argument("--no-grid", action="store_true", help="skip the parameter grid")
    ap.add_argument("--throughput-only", action="store_true", help="only the throughput section (3,000 docs)")
    ap.add_argument("--redis-url", help="also time the redis index (e.g. redis://127.0.0.1:6379/15)")
    ap.add_argument("--scale-child", nargs=2, metavar=("N", "TMPDIR"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.scale_child:
        scale_child(int(args.scale_child[0]), args.scale_child[1])
        return
    articles = load_articles()
    print(f"source articles: {len(articles)} ({sum(map(len, articles))} sentences; devdata "
          f"{'found' if DEVDATA.is_dir() else 'absent: seeds only'})")
    builder = CorpusBuilder(articles)
    if args.throughput_only:
        throughput(builder, 3000)
        return
    if not args.no_grid:
        grid(builder, 3000 if args.quick else 10_000)
    throughput(builder, 1000 if args.quick else 3000)
    if args.redis_url:
        redis_section(args.redis_url, builder, 2000 if args.quick else 10_000)
    scale([3000, 20_000] if args.quick else [10_000, 100_000])


if __name__ == "__main__":
    main()
