"""Hostile inputs: one bad input becomes one rejection with a reason, never a crash, and sizes
are enforced while streaming (limits are configured small here so every test is cheap)."""

from __future__ import annotations

import gzip
import io
import json
import os
import zlib
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from cleaning.config import load_config
from cleaning.document import Rejection
from cleaning.ingest import IngestStats, RawItem, iter_inputs

CFG = load_config()
STORY = ("Hyundai Motor said on Tuesday it would build a second battery plant in Georgia, "
         "adding 1,000 jobs to the site near Savannah where it already assembles electric SUVs.")
PAGE = f"<html><head><title>Plant</title></head><body><article><p>{STORY}</p></article></body></html>"


def ingest(*paths: Path | str, cfg: dict | None = None, stats: IngestStats | None = None) -> list[RawItem | Rejection]:
    return list(iter_inputs([str(p) for p in paths], cfg or CFG, stats))


def small(**pipeline: int) -> dict:
    return load_config(overrides={"pipeline": pipeline})


def reasons(items: list[RawItem | Rejection]) -> list[str]:
    return [i.reason if isinstance(i, Rejection) else "ok" for i in items]


def assert_storable(items: list[RawItem | Rejection]) -> None:
    """What ingest hands on must encode as UTF-8: sources, urls and details go to SQLite and JSONL."""
    for i in items:
        for value in (i.source, i.url, getattr(i, "detail", ""), getattr(i, "title", None), getattr(i, "author", None)):
            if value is not None:
                value.encode("utf-8")
        json.dumps(i.to_dict() if isinstance(i, Rejection) else {}, ensure_ascii=False).encode("utf-8")


# -- item 1: file names that are not UTF-8 ---------------------------------------------------------
def test_a_file_name_that_is_not_utf8_is_rejected_and_the_neighbour_kept(tmp_path: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    (d / "good.txt").write_text(STORY, encoding="utf-8")
    with open(os.path.join(os.fsencode(d), b"bad\xff.txt"), "wb") as fh:
        fh.write(STORY.encode())
    items = ingest(d)
    assert sorted(reasons(items)) == ["ingest.bad_name", "ok"]
    bad = next(i for i in items if isinstance(i, Rejection))
    assert "bad\\xff.txt" in bad.source
    assert_storable(items)


# -- item 2: lone surrogates in JSONL fields ---------------------------------------------------------
@pytest.mark.parametrize("field", ["url", "id", "title", "author", "sitename", "published"])
def test_a_lone_surrogate_in_any_field_rejects_that_record_only(tmp_path: Path, field: str) -> None:
    p = tmp_path / "feed.jsonl"
    bad = json.dumps({"text": STORY, "url": "https://news.example/a"})[:-1] + f', "{field}": "x\\udc80y"}}'
    if field == "url":
        bad = json.dumps({"text": STORY})[:-1] + ', "url": "https://news.example/\\ud800"}'
    p.write_text(bad + "\n" + json.dumps({"text": STORY, "url": "https://news.example/b"}) + "\n", encoding="utf-8")
    items = ingest(p)
    assert reasons(items) == ["ingest.bad_field", "ok"]
    assert field in items[0].detail
    assert_storable(items)


@pytest.mark.parametrize("value", [1.5, True, None, ["a"], {"k": 1}])
def test_odd_types_in_metadata_fields_do_not_break_a_record(tmp_path: Path, value: object) -> None:
    p = tmp_path / "feed.jsonl"
    rec = {"text": STORY, "id": value, "title": value, "published": value, "url": value, "author": value}
    p.write_text(json.dumps(rec) + "\n", encoding="utf-8")
    (item,) = ingest(p)
    assert isinstance(item, RawItem)
    assert item.published is None or isinstance(item.published, str)


# -- item 3: a declared charset Python does not know ------------------------------------------------
@pytest.mark.parametrize("charset", ["undefined", "x-user-defined-nonsense", "utf-7;", "base64"])
def test_an_unusable_declared_charset_is_an_encoding_rejection_or_a_page(tmp_path: Path, charset: str) -> None:
    p = tmp_path / "page.html"
    p.write_bytes(f'<html><head><meta charset="{charset}"></head><body><p>{STORY}</p></body></html>'.encode())
    (item,) = ingest(p)
    assert isinstance(item, RawItem) or item.reason == "ingest.encoding"


# -- item 4: deep nesting ---------------------------------------------------------------------------
def test_deeply_nested_json_is_too_deep_not_a_recursion_error(tmp_path: Path) -> None:
    p = tmp_path / "deep.jsonl"
    p.write_text("[" * 100_000 + "\n" + json.dumps({"text": STORY}) + "\n", encoding="utf-8")
    items = ingest(p)
    assert reasons(items) == ["ingest.too_deep", "ok"]


# -- item 5: sizes enforced while streaming ----------------------------------------------------------
def test_a_huge_sparse_text_file_is_rejected_without_reading_it(tmp_path: Path) -> None:
    p = tmp_path / "huge.txt"
    with p.open("wb") as fh:
        fh.write(STORY.encode())
        fh.truncate(30 * 2**30)  # 30 GiB, sparse: costs nothing on disk
    (item,) = ingest(p)
    assert item.reason == "ingest.too_large"


def test_an_oversized_html_file_is_too_large(tmp_path: Path) -> None:
    p = tmp_path / "big.html"
    p.write_bytes(PAGE.encode() + b" " * 5000)
    (item,) = ingest(p, cfg=small(max_input_bytes=1000))
    assert item.reason == "ingest.too_large"


def _gz_stream(path: Path, chunk: bytes, total: int) -> None:
    """Gzip ``total`` bytes of ``chunk`` repeats without holding them in memory."""
    with gzip.open(path, "wb", compresslevel=1) as fh:
        for _ in range(total // len(chunk)):
            fh.write(chunk)


def test_a_gzip_of_zeros_hits_the_decompression_limit_quickly(tmp_path: Path) -> None:
    p = tmp_path / "bomb.jsonl.gz"
    _gz_stream(p, b"\x00" * (1 << 20), 256 << 20)  # 256 MiB of zeros, ~250 KB on disk
    items = ingest(p)
    assert reasons(items)[-1] in {"ingest.decompression_limit", "ingest.too_large"}
    assert "ingest.decompression_limit" in reasons(items)


def test_a_gzip_of_newlines_stops_at_the_configured_limit(tmp_path: Path) -> None:
    p = tmp_path / "blank.jsonl.gz"
    with gzip.open(p, "wb") as fh:
        fh.write((json.dumps({"text": STORY}) + "\n").encode())
        for _ in range(8):
            fh.write(b"\n" * (1 << 20))
    items = ingest(p, cfg=small(max_decompressed_bytes=2 << 20))
    assert reasons(items) == ["ok", "ingest.decompression_limit"]


def test_an_overlong_jsonl_line_is_too_large_and_the_next_line_still_read(tmp_path: Path) -> None:
    p = tmp_path / "long.jsonl.gz"
    with gzip.open(p, "wb") as fh:
        fh.write(b'{"text": "' + b"a" * (3 << 20) + b'"}\n')
        fh.write((json.dumps({"text": STORY}) + "\n").encode())
    items = ingest(p, cfg=small(max_line_bytes=1 << 20))
    assert reasons(items) == ["ingest.too_large", "ok"]
    assert items[1].source.endswith(":2")


def _warc(path: Path, bodies: list[bytes]) -> None:
    with path.open("wb") as fh:
        w = WARCWriter(fh, gzip=path.name.endswith(".gz"))
        for n, body in enumerate(bodies):
            h = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            w.write_record(w.create_warc_record(f"https://news.example/{n}", "response", payload=io.BytesIO(body),
                                                http_headers=h, length=len(body)))


class _Zeros(io.RawIOBase):
    """A stream of n zero bytes, never held in memory."""

    def __init__(self, n: int) -> None:
        self.left = n

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[no-untyped-def]
        k = min(len(b), self.left)
        b[:k] = bytes(k)
        self.left -= k
        return k


def test_a_warc_record_over_the_limit_is_rejected_without_reading_it_whole(tmp_path: Path) -> None:
    p = tmp_path / "big.warc.gz"
    with p.open("wb") as fh:
        w = WARCWriter(fh, gzip=True)
        h = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        n = 160 << 20  # ~160 KB compressed
        w.write_record(w.create_warc_record("https://news.example/big", "response",
                                            payload=io.BufferedReader(_Zeros(n)), http_headers=h, length=n))
        h2 = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        w.write_record(w.create_warc_record("https://news.example/ok", "response", payload=io.BytesIO(PAGE.encode()),
                                            http_headers=h2, length=len(PAGE.encode())))
    import tracemalloc

    tracemalloc.start()
    items = ingest(p, cfg=small(max_input_bytes=1 << 20))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert reasons(items) == ["ingest.too_large", "ok"]
    # warcio inflates 16 KB of compressed input at a time (16 MiB of zeros): bounded, not the body.
    assert peak < 100 << 20, f"read {peak} bytes into memory for a record over a 1 MiB limit"


# -- item 8: truncated WARC record -------------------------------------------------------------------
@pytest.mark.parametrize("name", ["cut.warc", "cut.warc.gz"])
def test_a_warc_cut_mid_record_is_a_truncated_record(tmp_path: Path, name: str) -> None:
    import random

    rnd = random.Random(7)
    words = " ".join(rnd.choice(["Seoul", "market", "shares", "rose", "Kia", "plant"]) + str(rnd.random()) for _ in range(4000))
    page = f"<html><body><article><p>{STORY}</p><p>{words}</p></article></body></html>".encode()
    p = tmp_path / name
    _warc(p, [PAGE.encode(), page])
    data = p.read_bytes()
    p.write_bytes(data[: len(data) - len(data) // 4])
    items = ingest(p)
    assert reasons(items)[0] == "ok"
    assert reasons(items)[-1] == "ingest.truncated_record"
    assert not any(isinstance(i, RawItem) and i.url.endswith("/1") for i in items)


# -- item 9: NUL bytes anywhere -----------------------------------------------------------------------
@pytest.mark.parametrize("where", ["html", "txt", "jsonl", "warc"])
def test_nul_bytes_after_the_first_8kb_are_handled_like_in_the_first(tmp_path: Path, where: str) -> None:
    pad = "<!-- " + "x" * 9000 + " -->"
    page = f"<html><body>{pad}<p>{STORY}</p><p>after\x00the nul</p></body></html>"
    text = "y " * 5000 + STORY + "\x00 more"
    if where == "html":
        p = tmp_path / "p.html"
        p.write_bytes(page.encode())
    elif where == "txt":
        p = tmp_path / "p.txt"
        p.write_bytes(text.encode())
    elif where == "jsonl":
        p = tmp_path / "p.jsonl"
        p.write_text(json.dumps({"text": text}) + "\n", encoding="utf-8")
    else:
        p = tmp_path / "p.warc"
        _warc(p, [page.encode()])
    items = ingest(p)
    assert not any(isinstance(i, RawItem) and "\x00" in i.content for i in items)
    assert reasons(items) == ["ingest.binary"]


# -- item 15: links that go nowhere, FIFOs --------------------------------------------------------------
def test_dangling_and_looping_links_and_fifos_are_counted(tmp_path: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    (d / "ok.txt").write_text(STORY, encoding="utf-8")
    (d / "gone.txt").symlink_to(tmp_path / "missing.txt")
    (d / "loop.txt").symlink_to(d / "loop.txt")
    os.mkfifo(d / "pipe.txt")
    stats = IngestStats()
    items = ingest(d, stats=stats)
    assert reasons(items) == ["ok"]
    assert stats.broken_links_skipped == 2
    assert stats.special_files_skipped == 1


# -- the boundary itself -------------------------------------------------------------------------------
def test_an_unexpected_error_inside_one_file_becomes_its_rejection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import cleaning.ingest as ingest_mod

    (tmp_path / "a.html").write_bytes(PAGE.encode())
    (tmp_path / "b.txt").write_text(STORY, encoding="utf-8")

    def boom(*args, **kwargs):  # a bug or an exotic failure in a decoder
        raise ValueError("decoder exploded")

    monkeypatch.setattr(ingest_mod, "decode_html", boom)
    items = ingest(tmp_path)
    assert reasons(items) == ["ingest.error", "ok"]
    assert "decoder exploded" in items[0].detail


def test_corrupt_gzip_member_mid_file_is_recorded(tmp_path: Path) -> None:
    p = tmp_path / "x.jsonl.gz"
    good = gzip.compress((json.dumps({"text": STORY}) + "\n").encode())
    p.write_bytes(good + b"\x1f\x8b\x08\x00garbage-not-deflate" + zlib.compress(b"zz"))
    items = ingest(p)
    assert reasons(items)[0] == "ok" and reasons(items)[-1] == "ingest.corrupt_archive"


def test_an_error_in_one_documents_stage_rejects_that_document_only(monkeypatch: pytest.MonkeyPatch) -> None:
    import cleaning.pipeline as pipeline_mod
    from cleaning.document import Document

    real = pipeline_mod.clean_document

    def clean_or_fail(doc: Document, config: dict) -> Document:
        if "poison" in doc.text:
            raise RecursionError("maximum recursion depth exceeded")
        return real(doc, config)

    monkeypatch.setattr(pipeline_mod, "clean_document", clean_or_fail)
    docs = [Document(id="a", source="a.txt", text=STORY), Document(id="b", source="b.txt", text=STORY + " poison")]
    res = pipeline_mod.clean_batch(docs, load_config(overrides={"pipeline": {"doc_timeout_seconds": 0}}))
    assert [d.id for d in res.docs] == ["a"]
    assert [(r.id, r.reason) for r in res.rejected] == [("b", "clean.error")]


# -- item 7: declared charsets checked against the bytes (the decoder, cleaning/decode.py) ----------
def test_a_utf8_page_declaring_latin1_is_read_as_utf8_not_kept_as_mojibake(tmp_path: Path) -> None:
    text = "Café Motors und Škoda: Überraschung in Köln, Kraków i Łódź."
    good, wrong = tmp_path / "good.html", tmp_path / "wrong.html"
    good.write_bytes(f'<html><head><meta charset="utf-8"></head><body><p>{text}</p></body></html>'.encode())
    wrong.write_bytes(f'<html><head><meta charset="iso-8859-1"></head><body><p>{text}</p></body></html>'.encode())
    a, b = ingest(good, wrong)
    assert text in a.content and text in b.content and "Ã" not in b.content


def test_a_warc_records_http_charset_is_used(tmp_path: Path) -> None:
    text = "현대차 노조가 임금협상을 타결했다. 기아도 다음 주 협상을 시작한다."
    p = tmp_path / "ko.warc"
    with p.open("wb") as fh:
        w = WARCWriter(fh, gzip=False)
        body = f"<html><body><p>{text}</p></body></html>".encode("euc-kr")
        h = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=EUC-KR")], protocol="HTTP/1.1")
        w.write_record(w.create_warc_record("https://news.example/ko", "response", payload=io.BytesIO(body),
                                            http_headers=h, length=len(body)))
    (item,) = ingest(p)
    assert isinstance(item, RawItem) and text in item.content


def test_a_bad_warc_content_length_costs_one_line_of_log(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "bad {len}.warc"
    big = PAGE.replace("</p>", "</p>" + "<p>" + STORY * 200 + "</p>").encode()
    _warc(p, [big, PAGE.encode()])
    data = p.read_bytes()
    i = data.index(b"Content-Length: ") + len(b"Content-Length: ")
    j = data.index(b"\r\n", i)
    p.write_bytes(data[:i] + str(int(data[i:j]) - 20_000).encode() + data[j:])  # declared 20 KB short
    ingest(p)
    err = capsys.readouterr().err
    assert len(err) < 500 and "not a WARC record" in err, err[:300]
