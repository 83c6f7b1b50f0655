"""Dedup on the user's path: the whole ``newsclean run`` CLI on dedup-dev plus templated negatives.

Inputs (nothing is copied into the project):
- ``../shared/devdata/dedup-dev/docs`` with ``truth.jsonl`` (same ``cluster`` = copies of one
  story; variants carry the operations that made them: trailer, reword, abridge, noise, ...);
- hard negatives written by this script into a temporary folder as one JSONL scrape
  (url, sitename, title, text): distinct stories that share long templates. Four families:
  ``press_release`` (one company: dateline formula, "About ..." paragraph, forward-looking
  statements, media contact; a few releases also reposted on a wire site = true copies),
  ``site_chrome`` (one local site: menu, newsletter box, "most read", footer on every page),
  ``market_brief`` and ``weather_brief`` (automated reports filled from data). Story bodies
  come from the WCXB dev pages (not a source of dedup-dev), so no body is shared by accident.

Scores (pairwise over same-cluster pairs; a rejected document stays alone): precision, recall,
F1, adjusted Rand index; recall by operation and by language; false pairs by kind (which
families/kinds the two wrongly paired documents belong to); documents per second of the whole
CLI run. Then signature throughput on one core beside datasketch's (from dedup_bench).

    .venv/bin/python benchmarks/dedup_eval.py                 # ~1-2 min on 2 cores
    .venv/bin/python benchmarks/dedup_eval.py --keep /tmp/x   # keep inputs and outputs to inspect
    .venv/bin/python benchmarks/dedup_eval.py --no-throughput
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from itertools import combinations
from math import comb
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEVDATA = ROOT.parent / "shared" / "devdata"
DEDUP_DEV = DEVDATA / "dedup-dev"

# ----------------------------------------------------------------------------------------
# Templated hard negatives


def _bodies(n: int, rng: random.Random, words: tuple[int, int]) -> list[list[str]]:
    """``n`` distinct article bodies (lists of paragraphs) from the WCXB dev pages."""
    files = sorted(glob.glob(str(DEVDATA / "wcxb-dev-articles" / "ground-truth" / "*.json")))
    out = []
    for f in files:
        paras = [p.strip() for p in json.loads(Path(f).read_text())["ground_truth"]["main_content"].split("\n")
                 if len(p.split()) >= 25]
        if len(paras) < 2:
            continue
        target = rng.randint(*words)
        body, count = [], 0
        for p in paras:
            body.append(p)
            count += len(p.split())
            if count >= target:
                break
        if count >= words[0]:
            out.append(body)
    rng.shuffle(out)
    if len(out) < n:
        raise SystemExit(f"need {n} WCXB bodies, found {len(out)}")
    return out[:n]


_COMPANY_ABOUT = (
    "About Norvanta Systems\n\nNorvanta Systems, Inc. (NASDAQ: NRVT) is a global provider of industrial "
    "automation software and connected sensing platforms that help manufacturers, utilities and logistics "
    "operators run safer, more efficient and more sustainable operations. Founded in 2004 and headquartered "
    "in Columbus, Ohio, Norvanta serves more than 4,000 customers in 38 countries through a network of "
    "regional offices, channel partners and certified integrators. Its portfolio includes the Norvanta Edge "
    "controller family, the Pulse asset-monitoring suite and the Meridian analytics cloud. For more "
    "information, visit www.norvanta.example and follow the company on LinkedIn."
)
_FORWARD_LOOKING = (
    "Forward-Looking Statements\n\nThis press release contains forward-looking statements within the meaning "
    "of Section 27A of the Securities Act of 1933 and Section 21E of the Securities Exchange Act of 1934, "
    "including statements regarding the expected benefits of new products, partnerships and acquisitions, "
    "future financial performance and market opportunities. Words such as \"anticipate,\" \"believe,\" "
    "\"expect,\" \"intend,\" \"may,\" \"plan,\" \"will\" and similar expressions identify such statements. "
    "These statements are based on current expectations and are subject to risks and uncertainties that "
    "could cause actual results to differ materially, including those described in the company's most recent "
    "Annual Report on Form 10-K and subsequent filings with the Securities and Exchange Commission. Norvanta "
    "undertakes no obligation to update any forward-looking statement, except as required by law."
)
_CONTACT = "Media Contact:\nDana Whitfield\nNorvanta Systems\n+1 614 555 0142\npress@norvanta.example"
_ANNOUNCE = ["today announced", "today reported", "announced today", "today unveiled", "today shared"]


def press_releases(rng: random.Random, bodies: list[list[str]], reposts: int = 5) -> list[dict]:
    docs = []
    for k, body in enumerate(bodies):
        day = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        lead = (f"COLUMBUS, Ohio, {day} /PRNewswire/ -- Norvanta Systems, Inc. (NASDAQ: NRVT) "
                f"{rng.choice(_ANNOUNCE)} the following update.")
        text = "\n\n".join([lead, *body, _COMPANY_ABOUT, _FORWARD_LOOKING, _CONTACT])
        title = " ".join(body[0].split()[:9])
        story = f"pr{k:02d}"
        docs.append({"url": f"https://www.norvanta.example/news/{story}", "sitename": "Norvanta Systems",
                     "title": title, "published": day, "text": text, "_cluster": f"t:{story}",
                     "_family": "press_release"})
        if k < reposts:  # the same release on a wire site: a true copy
            wire = text.replace(" /PRNewswire/ -- ", " (GLOBE NEWSWIRE) -- ")
            docs.append({"url": f"https://www.globenewswire.example/release/{story}", "sitename": "GlobeNewswire",
                         "title": title, "published": day, "text": wire + "\n\nSource: Norvanta Systems",
                         "_cluster": f"t:{story}", "_family": "press_release_copy"})
    return docs


_MENU = "Home | News | Local | Sport | Business | Opinion | Weather | Obituaries | Contact us"
_NEWSLETTER = ("Get the Riverside Gazette morning briefing in your inbox. Sign up for our free daily newsletter "
               "with the top local stories, weather, traffic and events, delivered every weekday at 6 a.m. "
               "You can unsubscribe at any time.")
_MOST_READ = ("Most read\nCouncil approves new budget for riverfront park\nHigh school team wins regional title\n"
              "Road works to close Main Street bridge for two weeks\nLocal bakery celebrates 50 years")
_FOOTER = ("© 2024 Riverside Gazette Media Group. All rights reserved. Privacy Policy | Terms of Use | "
           "Cookie Settings | Advertise with us | Careers")


def site_chrome(rng: random.Random, bodies: list[list[str]]) -> list[dict]:
    docs = []
    for k, body in enumerate(bodies):
        title = " ".join(body[0].split()[:10])
        text = "\n\n".join([_MENU, title, *body, _NEWSLETTER, _MOST_READ, _FOOTER])
        docs.append({"url": f"https://www.riversidegazette.example/local/{k:03d}-story", "sitename": "Riverside Gazette",
                     "title": title, "text": text, "_cluster": f"t:site{k:02d}", "_family": "site_chrome"})
    return docs


_INDEXES = [("S&P 500", 4800), ("Dow Jones Industrial Average", 37000), ("Nasdaq Composite", 15000),
            ("FTSE 100", 7600), ("DAX", 16800), ("Nikkei 225", 33000), ("KOSPI", 2500), ("CAC 40", 7400)]
_SECTORS = ["technology", "energy", "banking", "healthcare", "consumer", "industrial", "utility", "mining"]
_COMPANIES = ["Apex Motors", "Brightline Foods", "Cobalt Mining", "Delta Pharma", "Evergreen Bank", "Fulcrum Energy",
              "Granite Telecom", "Harbor Logistics", "Ionic Chips", "Juniper Retail", "Keystone Insurance",
              "Lumen Airlines", "Meridian Steel", "Northwind Software", "Orchid Biotech", "Pinnacle Homes"]
_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def market_briefs(rng: random.Random, n: int = 25) -> list[dict]:
    docs = []
    for k in range(n):
        idx, base = rng.choice(_INDEXES)
        up = rng.random() < 0.5
        pct = rng.uniform(0.1, 2.5)
        level = base * rng.uniform(0.9, 1.1)
        day = rng.choice(_WEEKDAYS)
        date = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        sector, sector2 = rng.sample(_SECTORS, 2)
        c1, c2, c3 = rng.sample(_COMPANIES, 3)
        vol, avg = rng.randint(600, 1400), rng.randint(700, 1200)
        title = f"{idx} {'rises' if up else 'falls'} {pct:.1f}% as {sector} shares {'lead' if up else 'lag'}"
        paras = [
            f"The {idx} {'rose' if up else 'fell'} {pct:.2f}% to close at {level:,.2f} on {day}, "
            f"{'lifted' if up else 'weighed down'} by {sector} shares, while {sector2} stocks "
            f"{rng.choice(['were mixed', 'edged higher', 'slipped', 'held steady'])}.",
            f"Trading volume was {vol} million shares, {'above' if vol > avg else 'below'} the 30-day average of "
            f"{avg} million. Advancing issues outnumbered decliners by {rng.randint(11, 30) / 10:.1f} to 1"
            if up else
            f"Trading volume was {vol} million shares, {'above' if vol > avg else 'below'} the 30-day average of "
            f"{avg} million. Decliners outnumbered advancing issues by {rng.randint(11, 30) / 10:.1f} to 1.",
            f"Among the biggest movers, {c1} {'gained' if up else 'lost'} {rng.uniform(2, 9):.1f}% to "
            f"{rng.uniform(10, 300):.2f} after {rng.choice(['quarterly results', 'an analyst upgrade', 'a contract win', 'a profit warning', 'a management change'])}, "
            f"and {c2} {rng.choice(['added', 'shed'])} {rng.uniform(1, 6):.1f}%. {c3} was little changed at "
            f"{rng.uniform(10, 300):.2f}.",
            f"In currency markets the dollar traded at {rng.uniform(0.85, 1.0):.4f} euros and "
            f"{rng.uniform(140, 155):.2f} yen. The yield on the 10-year Treasury note "
            f"{rng.choice(['rose', 'fell'])} to {rng.uniform(3.5, 4.9):.2f}%, and Brent crude "
            f"{rng.choice(['settled', 'ended'])} at ${rng.uniform(70, 92):.2f} a barrel.",
            "This article was generated automatically by MarketDesk from exchange data. Prices are delayed by "
            "at least 15 minutes. Past performance is not a guide to future returns.",
        ]
        docs.append({"url": f"https://markets.marketdesk.example/brief/{date}-{k:02d}", "sitename": "MarketDesk",
                     "title": title, "published": date, "text": "\n\n".join(paras),
                     "_cluster": f"t:mkt{k:02d}", "_family": "market_brief"})
    return docs


_CITIES = ["Springfield", "Riverton", "Lakeside", "Fairview", "Georgetown", "Clinton", "Salem", "Madison",
           "Franklin", "Greenville", "Bristol", "Oakland", "Ashland", "Burlington", "Dayton", "Milford"]
_SKIES = ["sunny", "partly cloudy", "mostly cloudy", "overcast", "showery", "foggy in the morning"]


def weather_briefs(rng: random.Random, n: int = 25) -> list[dict]:
    docs = []
    for k in range(n):
        city = rng.choice(_CITIES)
        date = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        hi = rng.randint(-5, 35)
        lo = hi - rng.randint(4, 14)
        sky, sky2 = rng.sample(_SKIES, 2)
        title = f"{city} weather for {date}: {sky}, high of {hi} degrees"
        paras = [
            f"{city} can expect a {sky} {rng.choice(_WEEKDAYS)} with a high of {hi} degrees and a low of {lo} "
            f"degrees overnight. Winds will blow from the {rng.choice(['north', 'south', 'east', 'west', 'northwest', 'southwest'])} "
            f"at {rng.randint(5, 40)} kilometres per hour, with gusts up to {rng.randint(30, 70)}.",
            f"The chance of rain is {rng.randint(0, 100)}% in the morning and {rng.randint(0, 100)}% in the "
            f"afternoon, with {rng.uniform(0, 25):.1f} millimetres expected. Humidity will be around "
            f"{rng.randint(30, 95)}% and the UV index {rng.randint(0, 11)}.",
            f"Tomorrow looks {sky2}, with temperatures between {lo + rng.randint(-3, 3)} and {hi + rng.randint(-3, 3)} "
            f"degrees. Sunrise is at {rng.randint(5, 7)}:{rng.randint(10, 59)} and sunset at "
            f"{rng.randint(17, 20)}:{rng.randint(10, 59)}. Air quality is {rng.choice(['good', 'moderate', 'poor'])}.",
            "This forecast was produced automatically from national weather service data and is updated every "
            "three hours. Check local warnings before travelling.",
        ]
        docs.append({"url": f"https://weather.localwire.example/{city.lower()}/{date}-{k:02d}", "sitename": "LocalWire Weather",
                     "title": title, "published": date, "text": "\n\n".join(paras),
                     "_cluster": f"t:wx{k:02d}", "_family": "weather_brief"})
    return docs


def templated(seed: int = 12) -> list[dict]:
    rng = random.Random(seed)
    bodies = _bodies(50, rng, (80, 180))  # one draw: no body in two families
    return press_releases(rng, bodies[:25]) + site_chrome(rng, bodies[25:]) + market_briefs(rng) + weather_briefs(rng)


# ----------------------------------------------------------------------------------------
# Scoring


def ari(truth: list[str], pred: list[str]) -> float:
    """Adjusted Rand index of two labelings of the same items."""
    n = len(truth)
    cont = Counter(zip(truth, pred))
    sum_ij = sum(comb(v, 2) for v in cont.values())
    sum_a = sum(comb(v, 2) for v in Counter(truth).values())
    sum_b = sum(comb(v, 2) for v in Counter(pred).values())
    expected = sum_a * sum_b / comb(n, 2)
    top = (sum_a + sum_b) / 2
    return 1.0 if top == expected else (sum_ij - expected) / (top - expected)


def _pairs(labels: dict[str, str]) -> set[tuple[str, str]]:
    groups = defaultdict(list)
    for k, v in labels.items():
        groups[v].append(k)
    return {tuple(sorted(p)) for g in groups.values() for p in combinations(sorted(g), 2)}


def _read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()] if path.is_file() else []


def score(info: dict[str, dict], out: Path) -> dict:
    """``info``: input key -> {cluster, kind, lang, ops}. Keys: dev file name, or url of a JSONL row."""
    def key(rec: dict) -> str:
        src = rec.get("source") or ""
        name = Path(src.split(":")[0] if src.endswith(tuple(f":{i}" for i in range(10))) else src).name
        return name if name in info else rec.get("url") or name

    kept = _read(out / "corpus.jsonl")
    dups = _read(out / "duplicates.jsonl")
    rej = _read(out / "rejected.jsonl")
    id_key = {r["id"]: key(r) for r in kept + dups + rej}
    parent = {d["id"]: d["duplicate_of"] for d in dups}

    def root(i: str) -> str:
        seen = 0
        while i in parent and seen < 100:
            i, seen = parent[i], seen + 1
        return i

    pred = {id_key[r["id"]]: r["id"] for r in kept + rej}
    pred.update({id_key[d["id"]]: root(d["id"]) for d in dups})
    missing = sorted(set(info) - set(pred))
    for k in missing:  # never happens when every input is accounted for; scored as alone
        pred[k] = f"missing:{k}"
    truth = {k: v["cluster"] for k, v in info.items()}
    keys = sorted(info)
    tp_pairs, pp = _pairs(truth), _pairs({k: pred[k] for k in keys})
    tp = len(tp_pairs & pp)
    p = tp / len(pp) if pp else 1.0
    r = tp / len(tp_pairs) if tp_pairs else 1.0
    res = {"docs": len(keys), "true_pairs": len(tp_pairs), "pred_pairs": len(pp), "tp": tp,
           "precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
           "ari": ari([truth[k] for k in keys], [pred[k] for k in keys]), "missing": len(missing),
           "rejected": len(rej), "kept": len(kept), "duplicates": len(dups)}
    by_op: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_lang: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for a, b in tp_pairs:
        hit = (a, b) in pp
        ops = {o for o in info[a]["ops"] + info[b]["ops"] if ":" not in o} or {"(none: two bases)"}
        for o in ops:
            by_op[o][0] += hit
            by_op[o][1] += 1
        lang = info[a]["lang"]
        by_lang[lang][0] += hit
        by_lang[lang][1] += 1
    false_kind = Counter(" + ".join(sorted((info[a]["kind"], info[b]["kind"]))) for a, b in pp - tp_pairs)
    res.update(by_op=dict(by_op), by_lang=dict(by_lang), false_by_kind=dict(false_kind))
    true_sizes = Counter(truth.values())
    rej_true = Counter(r.get("reason") for r in rej if key(r) in truth and true_sizes[truth[key(r)]] > 1)
    res["rejected_with_copies"] = dict(rej_true)
    sizes_pred = Counter(pred[k] for k in keys)
    sizes_true = Counter(truth.values())
    res["largest_pred_cluster"] = max(sizes_pred.values())
    res["largest_true_cluster"] = max(sizes_true.values())
    return res


def print_scores(label: str, s: dict) -> None:
    print(f"\n== {label}: {s['docs']} docs ({s['kept']} kept, {s['duplicates']} duplicates, {s['rejected']} rejected;"
          f" {s['missing']} missing)")
    print(f"pairwise P {s['precision']:.4f}  R {s['recall']:.4f}  F1 {s['f1']:.4f}  ARI {s['ari']:.4f}"
          f"   (true pairs {s['true_pairs']}, predicted {s['pred_pairs']}, correct {s['tp']};"
          f" largest cluster predicted {s['largest_pred_cluster']} / true {s['largest_true_cluster']})")
    if s["by_op"]:
        print("recall by operation: " + ", ".join(f"{o} {h / n:.3f} ({h}/{n})" for o, (h, n) in sorted(s["by_op"].items())))
    if s["by_lang"]:
        print("recall by language:  " + ", ".join(f"{o} {h / n:.3f} ({h}/{n})" for o, (h, n) in sorted(s["by_lang"].items())))
    print("false pairs by kind: " + (", ".join(f"{k}: {v}" for k, v in sorted(s["false_by_kind"].items())) or "none"))
    if s["rejected_with_copies"]:
        print("rejected documents that have true copies: " + ", ".join(f"{k}: {v}" for k, v in s["rejected_with_copies"].items()))


# ----------------------------------------------------------------------------------------


def run_cli(inputs: list[Path], out: Path, config: str | None = None) -> tuple[float, dict]:
    env = {**os.environ, "DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_HOME": str(ROOT / ".prefect"), "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90"}
    cmd = [str(ROOT / ".venv" / "bin" / "newsclean"), "run", *map(str, inputs), "--out", str(out)]
    if config:
        cmd += ["--config", config]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
    dt = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-6000:])
        raise SystemExit(f"newsclean run failed with {proc.returncode}")
    return dt, json.loads((out / "report.json").read_text())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--keep", help="folder to keep inputs and outputs in (default: a temporary folder)")
    ap.add_argument("--config", help="a config file passed to newsclean run (to compare settings)")
    ap.add_argument("--no-throughput", action="store_true", help="skip the signature throughput section")
    args = ap.parse_args()
    if not (DEDUP_DEV / "truth.jsonl").is_file():
        raise SystemExit(f"{DEDUP_DEV} not found: this benchmark needs the development data")
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="dedup-eval-"))
    if work.exists():
        shutil.rmtree(work)
    (work / "in").mkdir(parents=True)

    info: dict[str, dict] = {}
    for row in map(json.loads, (DEDUP_DEV / "truth.jsonl").read_text().splitlines()):
        info[row["name"]] = {"cluster": row["cluster"], "kind": row["kind"], "lang": row["lang"], "ops": row["ops"]}
    neg = templated()
    with open(work / "in" / "templated.jsonl", "w", encoding="utf-8") as fh:
        for d in neg:
            info[d["url"]] = {"cluster": d["_cluster"], "kind": d["_family"], "lang": "en",
                              "ops": ["repost"] if d["_family"] == "press_release_copy" else []}
            fh.write(json.dumps({k: v for k, v in d.items() if not k.startswith("_")}, ensure_ascii=False) + "\n")
    print(f"inputs: dedup-dev {sum(1 for k in info if not k.startswith('http'))} docs + {len(neg)} templated "
          f"({', '.join(f'{k} {v}' for k, v in sorted(Counter(d['_family'] for d in neg).items()))})")

    dt, report = run_cli([DEDUP_DEV / "docs", work / "in" / "templated.jsonl"], work / "out", args.config)
    n = report["counts"]["inputs"]
    t_dedup = report.get("timings_seconds", {})
    print(f"newsclean run: {n} inputs in {dt:.1f} s = {n / dt:.1f} docs/s (whole CLI incl. Prefect start-up); "
          f"signatures {t_dedup.get('signatures', 0):.2f} s, dedup {t_dedup.get('dedup', 0):.2f} s")
    everything = score(info, work / "out")
    print_scores("dedup-dev + templated negatives", everything)
    dev_only = {k: v for k, v in info.items() if not k.startswith("http")}
    neg_only = {k: v for k, v in info.items() if k.startswith("http")}
    s_neg = score(neg_only, work / "out")
    print(f"templated negatives alone: false pairs {s_neg['pred_pairs'] - s_neg['tp']}, "
          f"true reposts found {s_neg['tp']}/{s_neg['true_pairs']}; false pairs by family: "
          + (", ".join(f"{k}: {v}" for k, v in sorted(s_neg["false_by_kind"].items())) or "none"))
    s_dev = score(dev_only, work / "out")
    print(f"dedup-dev alone: P {s_dev['precision']:.4f} R {s_dev['recall']:.4f} F1 {s_dev['f1']:.4f} ARI {s_dev['ari']:.4f}")
    removals = report.get("removals_by_rule", {})
    print("removals by rule: " + ", ".join(f"{k} {v}" for k, v in sorted(removals.items())))
    if not args.no_throughput:
        sys.path.insert(0, str(ROOT / "benchmarks"))
        sys.path.insert(0, str(ROOT))
        import dedup_bench

        dedup_bench.throughput(dedup_bench.CorpusBuilder(dedup_bench.load_articles()), 3000)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"inputs and outputs kept in {work}")


if __name__ == "__main__":
    main()
