"""Fuzz the library path: mutated real HTML, JSONL, WARC, text and file names through
ingest → extract → clean → language → quality → signatures → output → state.

    .venv/bin/python benchmarks/fuzz_pipeline.py [--inputs 2000] [--seed 1] [--pages DIR ...]

Every input is one file written to a scratch folder and run alone through the same calls the
flow makes, with small limits (so limit paths are hit too) and the per-document time limit on.
An *escaped exception* is anything the library raises instead of turning it into a rejection;
the invariants checked besides: every ingested item ends as a document or a rejection, every
output line encodes as UTF-8 and parses back, no NUL reaches a document's text, and the state
store accepts every source. Prints inputs tried, exceptions escaped (with the input kind and
seed to reproduce), and the slowest inputs. Seed pages: the test fixtures, plus any folders of
``*.html``/``*.html.gz`` given (e.g. the dev sets; never copied anywhere).

The test suite runs a fast slice of this (tests/fuzz/test_fuzz_slice.py).
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import random
import shutil
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cleaning import dedup  # noqa: E402
from cleaning.config import load_config  # noqa: E402
from cleaning.document import Rejection  # noqa: E402
from cleaning.ingest import RawItem, iter_inputs  # noqa: E402
from cleaning.output import corpus_record, dumps, staged_record  # noqa: E402
from cleaning.pipeline import clean_batch, extract_batch, language_batch, quality_batch  # noqa: E402
from cleaning.state import ProcessedInput, StateStore  # noqa: E402

FIXTURE_PAGES = ROOT / "tests" / "fixtures" / "html"
KINDS = ("html", "jsonl", "jsonl.gz", "warc", "warc.gz", "txt", "name")
CHARSETS = ["undefined", "utf-16", "utf-7", "base64", "x-mac-roman", "euc-kr", "iso-8859-1", "", "utf-8;", "cp1252",
            "shift_jis", "koi8-r", "rot13", "idna", "utf-32", "zlib", "hex", "punycode", "latin-1\x00", "gb18030"]
ODD_VALUES: list[Any] = [None, True, 0, -1, 1.5e308, float("inf") if False else 1e-9, [], {}, ["x"], {"a": {"b": []}},
                         "", " ", "\ud800", "x\udcffy", "\x00", "\u202e", "ﷺ" * 50, "2023-02-30", "9999-99-99", "a" * 5000]


def small_config(timeout: float) -> dict[str, Any]:
    return load_config(overrides={"pipeline": {
        "max_input_bytes": 2_000_000, "max_line_bytes": 1_000_000, "max_decompressed_bytes": 8_000_000,
        "doc_timeout_seconds": timeout,
    }})


def seed_pages(dirs: list[Path]) -> list[bytes]:
    pages = [p.read_bytes() for p in sorted(FIXTURE_PAGES.glob("*.html"))]
    for d in dirs:
        for p in sorted(d.iterdir()):
            if p.name.endswith(".html.gz"):
                pages.append(gzip.decompress(p.read_bytes()))
            elif p.name.endswith((".html", ".htm")):
                pages.append(p.read_bytes())
    return pages


# -- mutators ------------------------------------------------------------------------------------
def mutate_bytes(rnd: random.Random, data: bytes) -> bytes:
    """One to four structural or byte-level mutations of a real document."""
    b = bytearray(data)
    for _ in range(rnd.randint(1, 4)):
        op = rnd.randrange(12)
        pos = rnd.randrange(len(b) + 1) if b else 0
        if op == 0 and b:  # flip bytes
            for _ in range(rnd.randint(1, 50)):
                b[rnd.randrange(len(b))] = rnd.randrange(256)
        elif op == 1:  # truncate
            del b[pos:]
        elif op == 2:  # repeat a slice many times
            end = min(len(b), pos + rnd.randint(1, 400))
            b[pos:pos] = bytes(b[pos:end]) * rnd.randint(2, 300)
        elif op == 3:  # deep nesting
            tag = rnd.choice([b"<div>", b"<b><i>", b"<table><tr><td>", b"<ul><li>", b"<p>"])
            b[pos:pos] = tag * rnd.randint(100, 20_000)
        elif op == 4:  # odd declared charset
            cs = rnd.choice(CHARSETS).encode("utf-8", "surrogatepass")
            b[0:0] = b'<meta charset="' + cs + b'">'
        elif op == 5:  # NUL and control bytes
            b[pos:pos] = bytes(rnd.choice([0, 1, 7, 8, 27, 127]) for _ in range(rnd.randint(1, 20)))
        elif op == 6:  # invalid UTF-8 / encoded surrogates
            b[pos:pos] = rnd.choice([b"\xed\xa0\x80", b"\xff\xfe", b"\xc3", b"\xf4\x90\x80\x80", b"\xef\xbb\xbf"])
        elif op == 7:  # mojibake: a UTF-8 run decoded as Latin-1 and re-encoded
            end = min(len(b), pos + 2000)
            seg = bytes(b[pos:end]).decode("utf-8", "ignore").encode("utf-8").decode("latin-1").encode("utf-8")
            b[pos:end] = seg
        elif op == 8:  # many near-copies of a paragraph (cleaning's comparisons)
            para = b"<p>RSS%d Seoul shares rose as chipmakers gained on hopes of a recovery in memory prices.</p>"
            b[pos:pos] = b"".join(para % rnd.randrange(10_000) for _ in range(rnd.randint(10, 3000)))
        elif op == 9:  # huge attribute or comment
            b[pos:pos] = b"<!-- " + b"x" * rnd.randint(1000, 300_000) + b" -->"
        elif op == 10:  # scripts mixed in
            b[pos:pos] = rnd.choice(["한국어 기사 본문입니다. ", "Русский текст. ", "中文新闻。", "نص عربي. ", "Ελληνικά. "]).encode() * rnd.randint(1, 500)
        else:  # swap two slices
            if len(b) > 10:
                i, j = sorted(rnd.sample(range(len(b)), 2))
                b[i:j] = bytes(reversed(b[i:j]))
    return bytes(b)


def _odd_json_text(rnd: random.Random, value: Any) -> str:
    if isinstance(value, str):
        # lone surrogates must be written as JSON escapes
        return json.dumps(value, ensure_ascii=True)
    return json.dumps(value)


def make_jsonl(rnd: random.Random, pages: list[bytes]) -> bytes:
    lines = []
    for _ in range(rnd.randint(1, 6)):
        page = mutate_bytes(rnd, rnd.choice(pages)) if rnd.random() < 0.7 else rnd.choice(pages)
        text = page.decode("utf-8", "replace")
        rec: dict[str, str] = {rnd.choice(["html", "text"]): json.dumps(text, ensure_ascii=rnd.random() < 0.5)}
        for k in ("url", "id", "title", "author", "sitename", "published", "date"):
            if rnd.random() < 0.4:
                rec[k] = _odd_json_text(rnd, rnd.choice(ODD_VALUES))
            elif rnd.random() < 0.3:
                rec[k] = json.dumps(f"https://news.example/{rnd.randrange(100)}" if k == "url" else f"{k} {rnd.randrange(100)}")
        line = "{" + ", ".join(f"{json.dumps(k)}: {v}" for k, v in rec.items()) + "}"
        r = rnd.random()
        if r < 0.08:
            line = "[" * rnd.randint(1000, 200_000)
        elif r < 0.14:
            line = line[: rnd.randrange(len(line) + 1)]
        elif r < 0.18:
            line = json.dumps(rnd.choice(ODD_VALUES), ensure_ascii=True)
        elif r < 0.22:
            line = "\n" * rnd.randint(1, 5000)
        lines.append(line)
    return ("\n".join(lines) + rnd.choice(["\n", "", "\r\n"])).encode("utf-8", "surrogatepass")


def make_warc(rnd: random.Random, pages: list[bytes], gz: bool) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=gz)
    for n in range(rnd.randint(1, 4)):
        body = mutate_bytes(rnd, rnd.choice(pages)) if rnd.random() < 0.6 else rnd.choice(pages)
        ctype = rnd.choice(["text/html", "text/html; charset=utf-8", f"text/html; charset={rnd.choice(CHARSETS)}",
                            "image/png", "text/html; charset=\"euc-kr\"", "TEXT/HTML;CHARSET=ISO-8859-1", ""])
        headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
        w.write_record(w.create_warc_record(f"https://news.example/{n}", "response", payload=io.BytesIO(body),
                                            http_headers=headers, length=len(body)))
    data = buf.getvalue()
    if rnd.random() < 0.5:
        data = mutate_bytes(rnd, data) if rnd.random() < 0.5 else data[: rnd.randrange(len(data) + 1)]
    return data


def make_name(rnd: random.Random) -> bytes:
    if rnd.random() < 0.5:  # bytes that are not UTF-8
        stem = bytes(rnd.choice([rnd.randrange(1, 256), ord("a")]) for _ in range(rnd.randint(1, 60)))
    else:  # valid but odd: newlines, RTL marks, emoji, spaces, very long
        parts = ["기사", "\n", " ", "\u202e", "😀", "..", "-", "%", "\\", "ﷺ", "a" * rnd.randint(1, 150), "#", "?"]
        stem = "".join(rnd.choice(parts) for _ in range(rnd.randint(1, 8))).encode()[:200]
    stem = stem.replace(b"/", b"_").replace(b"\x00", b"_") or b"x"
    if not stem.strip(b"."):  # "." and ".." name folders, not files
        stem = b"x" + stem
    return stem + rnd.choice([b".txt", b".html", b".jsonl", b".htm", b".TXT", b".jsonl.gz", b".warc", b"", b".pdf"])


def make_input(rnd: random.Random, kind: str, pages: list[bytes]) -> tuple[bytes, bytes]:
    """(file name, content) for one fuzz input."""
    if kind == "html":
        return b"page.html", mutate_bytes(rnd, rnd.choice(pages))
    if kind == "jsonl":
        return b"feed.jsonl", make_jsonl(rnd, pages)
    if kind == "jsonl.gz":
        data = gzip.compress(make_jsonl(rnd, pages), compresslevel=1)
        if rnd.random() < 0.3:
            data = data[: rnd.randrange(len(data) + 1)]
        elif rnd.random() < 0.1:
            data = gzip.compress(b"\n" * rnd.randint(1, 20_000_000), compresslevel=1)
        return b"feed.jsonl.gz", data
    if kind in ("warc", "warc.gz"):
        return f"crawl.{kind}".encode(), make_warc(rnd, pages, kind == "warc.gz")
    if kind == "txt":
        text = rnd.choice(pages)
        return b"story.txt", mutate_bytes(rnd, text[: rnd.randint(0, 20_000)])
    name = make_name(rnd)
    body = rnd.choice(pages) if name.lower().endswith((b".html", b".htm")) else b"Seoul shares rose on Monday as chipmakers gained. " * 5
    return name, body


# -- one input through the library -------------------------------------------------------------------
@dataclass
class Outcome:
    kind: str
    seed: int
    seconds: float
    items: int = 0
    kept: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    error: str | None = None


def run_one(kind: str, seed: int, pages: list[bytes], cfg: dict[str, Any], scratch: Path) -> Outcome:
    rnd = random.Random(seed)
    name, data = make_input(rnd, kind, pages)
    folder = scratch / f"in-{seed}"
    folder.mkdir()
    (Path(os.fsdecode(os.fsencode(folder) + b"/" + name))).write_bytes(data)
    out = Outcome(kind, seed, 0.0)
    t0 = time.perf_counter()
    try:
        items = list(iter_inputs([str(folder)], cfg))
        out.items = len(items)
        ex = extract_batch(items, cfg)
        cl = clean_batch(ex.docs, cfg)
        la = language_batch(cl.docs, cfg)
        qu = quality_batch(la.docs, cfg)
        rejected = ex.rejected + cl.rejected + la.rejected + qu.rejected
        sigs = dedup.compute_signatures(qu.docs, cfg)
        hashes = {s.id: s.content_hash for s in sigs}
        if len(qu.docs) + len(rejected) != len(items):
            raise AssertionError(f"accounting: {len(items)} items -> {len(qu.docs)} docs + {len(rejected)} rejected")
        lines = [dumps(staged_record(d)) for d in qu.docs] + [dumps(corpus_record(d, hashes[d.id])) for d in qu.docs]
        lines += [dumps(r.to_dict()) for r in rejected]
        for line in lines:
            json.loads(line.encode("utf-8"))
        for d in qu.docs:
            if "\x00" in d.text:
                raise AssertionError(f"NUL in the text of {d.source}")
        store = StateStore(scratch / f"state-{seed}", scratch)
        try:
            split = store.split_new(items)
            store.commit_run(1, "run-000001", {}, [ProcessedInput(d.id, d.source, "kept") for d in qu.docs]
                             + [ProcessedInput(r.id, r.source, "rejected") for r in rejected],
                             split.keys, split.superseded, split.revived, {}, index_pending=False)
        finally:
            store.close()
        out.kept = len(qu.docs)
        out.rejected = Counter(r.reason for r in rejected)
    except Exception as exc:  # noqa: BLE001 - this is what the fuzzer looks for
        out.error = "".join(traceback.format_exception_only(type(exc), exc)).strip()[:300]
        out.error += "\n    at " + traceback.extract_tb(exc.__traceback__)[-1].filename.rsplit("/", 2)[-1] \
            + f":{traceback.extract_tb(exc.__traceback__)[-1].lineno}"
    out.seconds = time.perf_counter() - t0
    shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(scratch / f"state-{seed}", ignore_errors=True)
    return out


def fuzz(n: int, seed: int, pages: list[bytes], timeout: float = 10.0, progress: bool = False) -> list[Outcome]:
    cfg = small_config(timeout)
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="newsclean-fuzz-") as tmp:
        for i in range(n):
            kind = KINDS[i % len(KINDS)]
            outcomes.append(run_one(kind, seed * 1_000_003 + i, pages, cfg, Path(tmp)))
            if progress and (i + 1) % 25 == 0:
                slowest = max(outcomes, key=lambda o: o.seconds)
                print(f"  ... {i + 1} inputs, {sum(1 for o in outcomes if o.error)} escaped, slowest so far "
                      f"{slowest.seconds:.2f} s ({slowest.kind} seed={slowest.seed})", file=sys.stderr, flush=True)
    return outcomes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--inputs", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=10.0, help="doc_timeout_seconds for the run")
    ap.add_argument("--pages", nargs="*", type=Path, default=[], help="more folders of seed pages")
    args = ap.parse_args()
    pages = seed_pages(args.pages)
    t0 = time.perf_counter()
    outcomes = fuzz(args.inputs, args.seed, pages, args.timeout, progress=True)
    total = time.perf_counter() - t0
    errors = [o for o in outcomes if o.error]
    reasons: Counter[str] = Counter()
    for o in outcomes:
        reasons.update(o.rejected)
    print(f"{len(outcomes)} inputs tried ({len(pages)} seed pages, seed {args.seed}) in {total:.1f} s; "
          f"{sum(o.items for o in outcomes)} items ingested, {sum(o.kept for o in outcomes)} kept")
    print(f"exceptions escaped: {len(errors)}")
    for o in errors[:20]:
        print(f"  {o.kind} seed={o.seed}: {o.error}")
    print("slowest inputs:")
    for o in sorted(outcomes, key=lambda o: -o.seconds)[:5]:
        print(f"  {o.seconds:6.2f} s  {o.kind} seed={o.seed}  items={o.items} rejected={dict(o.rejected)}")
    print("rejections by reason:", ", ".join(f"{k} {v}" for k, v in sorted(reasons.items())))


if __name__ == "__main__":
    main()
