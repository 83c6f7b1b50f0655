"""Ingest: every input becomes a RawItem or a Rejection with a specific reason."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from cleaning.config import load_config
from cleaning.document import Rejection
from cleaning.ingest import IngestStats, InputError, RawItem, iter_inputs, resolve_inputs

CFG = load_config()


def ingest(*paths: Path | str) -> list[RawItem | Rejection]:
    return list(iter_inputs([str(p) for p in paths], CFG))


def only(items: list[RawItem | Rejection]) -> RawItem | Rejection:
    assert len(items) == 1, items
    return items[0]


def write_warc(path: Path, records: list[tuple[str, str, bytes]], status: str = "200 OK") -> None:
    """records: (url, content-type, body) as HTTP responses, plus one request record."""
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=path.name.endswith(".gz"))
        for url, ctype, body in records:
            headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers))
            req = StatusAndHeaders("GET / HTTP/1.1", [("Host", "example.org")], is_http_request=True)
            writer.write_record(writer.create_warc_record(url, "request", payload=io.BytesIO(b""), http_headers=req))


def test_seeds_folder_gives_four_text_items(seeds_dir: Path) -> None:
    items = ingest(seeds_dir)
    assert [type(i) for i in items] == [RawItem] * 4
    assert [Path(i.source).name for i in items] == sorted(p.name for p in seeds_dir.iterdir())
    assert all(i.kind == "text" for i in items)


def test_ids_are_stable_and_independent_of_location(seeds_dir: Path, tmp_path: Path) -> None:
    first = [i.id for i in ingest(seeds_dir)]
    assert first == [i.id for i in ingest(seeds_dir)]
    moved = tmp_path / "elsewhere"
    moved.mkdir()
    for p in seeds_dir.iterdir():
        (moved / p.name).write_bytes(p.read_bytes())
    assert [i.id for i in ingest(moved)] == first
    assert len(set(first)) == 4


def test_id_changes_when_content_changes(tmp_path: Path) -> None:
    p = tmp_path / "a.txt"
    p.write_text("Seoul shares rose on Monday as chipmakers gained.", encoding="utf-8")
    before = only(ingest(p)).id
    p.write_text("Seoul shares fell on Monday as chipmakers slipped.", encoding="utf-8")
    assert only(ingest(p)).id != before


def test_glob_and_recursive_folder(tmp_path: Path, fixtures_dir: Path) -> None:
    sub = tmp_path / "crawl" / "2023" / "05"
    sub.mkdir(parents=True)
    html = (fixtures_dir / "html" / "en_hyundai_georgia.html").read_bytes()
    (sub / "story.html").write_bytes(html)
    (tmp_path / "crawl" / "note.txt").write_text("A short wire note about Kia's EV9 launch in Seoul.", encoding="utf-8")
    (tmp_path / "crawl" / ".DS_Store").write_bytes(b"\x00\x01")
    stats = IngestStats()
    items = list(iter_inputs([str(tmp_path / "crawl")], CFG, stats))
    assert sorted(i.kind for i in items) == ["html", "text"]
    assert stats.hidden_files_skipped == 1
    globbed = ingest(str(tmp_path / "crawl" / "**" / "*.html"))
    assert [i.kind for i in globbed] == ["html"]


def test_nonexistent_path_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        resolve_inputs([str(tmp_path / "nope")])
    with pytest.raises(InputError, match="matches no files"):
        resolve_inputs([str(tmp_path / "*.html")])


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.html", b"", "ingest.empty"),
        ("blank.txt", b"  \n\n ", "ingest.empty"),
        ("photo.html", bytes(range(256)) * 8, "ingest.binary"),
        ("latin1.txt", "Séoul : la Bourse recule après la décision de la banque centrale.".encode("latin-1"), "ingest.encoding"),
        # UTF-8 damaged throughout (valid Hangul between invalid bytes): no encoding fits it
        ("broken.html", b"<html><head><meta charset='utf-8'></head><body><p>" + "현대차 판매".encode() + b"\xff\xfe"
         + "노조 \xed\x95 임금".encode("utf-8", "surrogateescape") + b"\xc3</p></body></html>", "ingest.encoding"),
        ("slides.pdf", b"%PDF-1.7 not a news page", "ingest.unsupported_type"),
    ],
)
def test_bad_files_are_rejected_with_specific_reasons(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    p = tmp_path / name
    p.write_bytes(data)
    item = only(ingest(p))
    assert isinstance(item, Rejection)
    assert item.reason == reason
    assert item.detail and item.source.endswith(name)


def test_declared_legacy_charset_is_honoured(tmp_path: Path) -> None:
    html = '<html><head><meta charset="euc-kr"></head><body><p>현대차 노조가 임금협상을 타결했다.</p></body></html>'
    p = tmp_path / "ko.html"
    p.write_bytes(html.encode("euc-kr"))
    item = only(ingest(p))
    assert isinstance(item, RawItem) and "현대차" in item.content


def test_jsonl_records_and_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps({"url": "https://news.example/a", "text": "Kia opened a plant in Gwangmyeong.", "title": "Kia plant", "date": "2024-03-02"}),
        json.dumps({"id": "wire-7", "html": "<html><body><p>Samsung SDI posts record profit.</p></body></html>"}),
        "",
        '{"url": "https://news.example/c", "text": "Hyundai Mobis',  # truncated line
        json.dumps({"url": "https://news.example/d", "body": "wrong field"}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"url": "https://news.example/e", "text": "   "}),
    ]
    p = tmp_path / "batch.jsonl"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = ingest(p)
    assert len(items) == 6  # the blank line is not a document
    a, b, trunc, nofield, notobj, empty = items
    assert isinstance(a, RawItem) and a.kind == "text" and a.title == "Kia plant" and a.published == "2024-03-02"
    assert a.source.endswith("batch.jsonl:1")
    assert isinstance(b, RawItem) and b.kind == "html" and b.metadata["source_id"] == "wire-7"
    assert isinstance(trunc, Rejection) and trunc.reason == "ingest.invalid_json" and "line 4" in trunc.detail
    assert isinstance(nofield, Rejection) and nofield.reason == "ingest.no_content" and nofield.url == "https://news.example/d"
    assert isinstance(notobj, Rejection) and notobj.reason == "ingest.invalid_record"
    assert isinstance(empty, Rejection) and empty.reason == "ingest.no_content"


def test_jsonl_gz_and_corrupt_gzip(tmp_path: Path) -> None:
    good = tmp_path / "ok.jsonl.gz"
    with gzip.open(good, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"text": "LG Energy Solution expands in Arizona."}) + "\n")
    assert isinstance(only(ingest(good)), RawItem)
    bad = tmp_path / "bad.jsonl.gz"
    bad.write_bytes(gzip.compress(b'{"text": "one"}\n{"text": "two"}\n')[:-12])
    items = ingest(bad)
    assert isinstance(items[-1], Rejection) and items[-1].reason == "ingest.corrupt_archive"


def test_record_ids_are_metadata_not_document_ids(tmp_path: Path) -> None:
    """Record ids collide across files and days ("id": 1); the document id follows content."""
    day1, day2 = tmp_path / "day1.jsonl", tmp_path / "day2.jsonl"
    day1.write_text(json.dumps({"id": 1, "text": "First story about Renault Korea."}) + "\n", encoding="utf-8")
    day2.write_text(json.dumps({"id": 1, "text": "Second story about KG Mobility."}) + "\n", encoding="utf-8")
    a, b = ingest(day1, day2)
    assert isinstance(a, RawItem) and isinstance(b, RawItem)
    assert a.metadata["source_id"] == b.metadata["source_id"] == "1"
    assert a.id != b.id


def test_the_same_page_twice_is_kept_for_dedup_not_rejected(tmp_path: Path) -> None:
    line = json.dumps({"url": "https://news.example/a", "text": "Kia opened a plant in Gwangmyeong."})
    p = tmp_path / "twice.jsonl"
    p.write_text(line + "\n" + line + "\n", encoding="utf-8")
    a, b = ingest(p)
    assert isinstance(a, RawItem) and isinstance(b, RawItem) and a.id != b.id


def test_lone_surrogate_in_a_record_is_rejected(tmp_path: Path) -> None:
    p = tmp_path / "sur.jsonl"
    p.write_text('{"text": "Hyundai welcomed the decision \\ud83d and more text"}\n', encoding="utf-8")
    item = only(ingest(p))
    assert isinstance(item, Rejection) and item.reason == "ingest.encoding"


def test_a_file_of_one_truncated_line_is_one_rejection(tmp_path: Path) -> None:
    p = tmp_path / "cut.jsonl"
    p.write_text('{"url": "https://news.example/x", "text": "trunc', encoding="utf-8")
    item = only(ingest(p))
    assert isinstance(item, Rejection) and item.reason == "ingest.invalid_json"


@pytest.mark.parametrize("name", ["zero.jsonl", "zero.warc"])
def test_empty_container_files_are_rejected(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(b"")
    item = only(ingest(tmp_path / name))
    assert isinstance(item, Rejection) and item.reason == "ingest.empty"


def test_symlinked_folders_are_followed_and_output_folders_excluded(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (real / "three.txt").write_text("Samsung SDI will supply cells to a European carmaker.", encoding="utf-8")
    root = tmp_path / "in"
    root.mkdir()
    (root / "linked").symlink_to(real, target_is_directory=True)
    (root / "loop").symlink_to(root, target_is_directory=True)
    out = root / "out"
    out.mkdir()
    (out / "corpus.jsonl").write_text('{"text": "already cleaned"}\n', encoding="utf-8")
    stats = IngestStats()
    items = list(iter_inputs([str(root)], CFG, stats, exclude=[out]))
    assert [Path(i.source).name for i in items] == ["three.txt"]
    assert stats.excluded_files == 1


def test_warc_html_responses_only(tmp_path: Path, fixtures_dir: Path) -> None:
    html = (fixtures_dir / "html" / "en_hyundai_georgia.html").read_bytes()
    p = tmp_path / "crawl.warc.gz"
    write_warc(p, [
        ("https://www.autoindustrydaily.example/news/2023/05/hyundai-georgia-ev-plant", "text/html; charset=utf-8", html),
        ("https://www.autoindustrydaily.example/logo.png", "image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
    ])
    stats = IngestStats()
    items = list(iter_inputs([str(p)], CFG, stats))
    item = only(items)
    assert isinstance(item, RawItem) and item.kind == "html"
    assert item.url.endswith("hyundai-georgia-ev-plant")
    assert "@" in item.source
    assert stats.warc_records_skipped == 3  # two request records and the PNG response


@pytest.mark.parametrize("status", ["404 Not Found", "503 Service Unavailable", "301 Moved Permanently"])
def test_warc_error_response_is_rejected_with_its_status(tmp_path: Path, status: str) -> None:
    """A crawler's 404 page is the server's error page (here with a real article's HTML, as a
    soft error page can be): rejected as ingest.http_status with the code, not extracted."""
    html = "<html><head><meta charset='utf-8'><title>Seite nicht gefunden</title></head><body>" \
           "<h1>Seite nicht gefunden</h1><p>Die angeforderte Seite existiert nicht mehr. Zurück zur Startseite " \
           "oder nutzen Sie die Suche, um den gewünschten Artikel zu finden.</p></body></html>"
    p = tmp_path / "crawl.warc.gz"
    write_warc(p, [("https://www.zeitung.example/politik/artikel-123", "text/html; charset=utf-8", html.encode())],
               status=status)
    item = only(ingest(p))
    assert isinstance(item, Rejection) and item.reason == "ingest.http_status"
    assert item.value == int(status.split()[0]) and status in item.detail
    assert item.url == "https://www.zeitung.example/politik/artikel-123"


def test_unreadable_warc_is_rejected_not_fatal(tmp_path: Path) -> None:
    p = tmp_path / "broken.warc"
    p.write_bytes(b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 99999\r\n\r\n<html>cut")
    items = ingest(p)
    assert items and all(isinstance(i, Rejection) for i in items)
    assert items[0].reason in {"ingest.corrupt_archive", "ingest.warc_record"}


def test_bytes_read_follows_the_position_in_one_big_jsonl(tmp_path: Path) -> None:
    """Progress of a run over one big JSONL file (the usual shape at scale): the bytes read grow
    with the records, not all at once when the file is opened, and end at the file's size."""
    seeds = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in seeds]
    path = tmp_path / "big.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for i in range(1200):  # ~5 MB: several of the reader's 1 MB chunks
            fh.write(json.dumps({"url": f"https://news.example/{i}", "text": texts[i % len(texts)]},
                                ensure_ascii=False) + "\n")
    size = path.stat().st_size
    stats = IngestStats()
    seen = []
    for n, _ in enumerate(iter_inputs([str(path)], load_config(), stats), 1):
        if n % 100 == 0:
            seen.append(stats.bytes_read)
    assert stats.bytes == size and stats.bytes_read == size
    assert seen == sorted(seen) and seen[0] < size / 2 and len(set(seen)) >= 3


# Records sent to workers by reference ([pipeline] inputs_by_reference): the worker reads the
# record's bytes at (offset, length) and must get exactly the text the flow read.

STORIES = [
    "Hyundai Motor and Kia sold 1.2 million EVs abroad last year.",
    "Российский рынок электромобилей вырос на 40% за первое полугодие.",
    "Η Hyundai ανακοίνωσε νέο εργοστάσιο μπαταριών στην Ευρώπη.",
    "现代汽车宣布在美国佐治亚州建设新的电池工厂。",
    "Kia otworzyła nowe centrum badawcze w Warszawie.",
    "أعلنت هيونداي عن مصنع جديد للسيارات الكهربائية في السعودية.",
]


def _records_file(tmp_path: Path) -> tuple[Path, list[str]]:
    """The seeds and one-line stories in six scripts, with blank lines, CRLF endings, a bad
    line and one record of ~1.5 MB, so lines straddle the reader's 1 MB chunks."""
    seeds = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in seeds] + STORIES
    texts.append("\n\n".join(texts[:4]) * 60)  # ~1.5 MB
    path = tmp_path / "refs.jsonl"
    with path.open("wb") as fh:
        for i, text in enumerate(texts * 3):
            fh.write(json.dumps({"url": f"https://news.example/{i}", "text": text}, ensure_ascii=False).encode())
            fh.write(b"\r\n" if i % 3 == 0 else b"\n")
            if i % 4 == 0:
                fh.write(b"\n  \n")
            if i == 5:
                fh.write(b'{"text": "truncated\n')
    return path, texts * 3


def test_jsonl_records_carry_references_that_read_back_the_same_text(tmp_path: Path) -> None:
    from cleaning.ingest import attach_content, detach_content

    path, texts = _records_file(tmp_path)
    items = ingest(path)
    docs = [x for x in items if isinstance(x, RawItem)]
    assert [d.content for d in docs] == texts
    assert sum(isinstance(x, Rejection) for x in items) == 1  # the truncated line: no reference needed
    raw = path.read_bytes()
    for d in docs:
        assert d.ref is not None and d.ref.path == str(path.resolve())
        assert json.loads(raw[d.ref.offset:d.ref.offset + d.ref.length])["text"] == d.content
        sent = detach_content(d)
        assert sent.content == "" and sent.ref == d.ref and sent.id == d.id  # nothing of the text travels
        back = attach_content(sent)
        assert isinstance(back, RawItem) and back.content == d.content and back.ref is None
        assert (back.id, back.url, back.kind, back.size) == (d.id, d.url, d.kind, d.size)


def test_references_only_where_a_worker_can_seek(tmp_path: Path) -> None:
    """gzip streams have no offsets to seek to, and the setting turns references off."""
    gz = tmp_path / "ok.jsonl.gz"
    with gzip.open(gz, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"text": STORIES[1]}, ensure_ascii=False) + "\n")
    item = only(ingest(gz))
    assert isinstance(item, RawItem) and item.ref is None
    plain = tmp_path / "ok.jsonl"
    plain.write_text(json.dumps({"text": STORIES[2]}, ensure_ascii=False) + "\n", encoding="utf-8")
    off = load_config(overrides={"pipeline": {"inputs_by_reference": False}})
    item = only(list(iter_inputs([str(plain)], off)))
    assert isinstance(item, RawItem) and item.ref is None and item.content == STORIES[2]


def test_a_changed_or_missing_input_rejects_the_referenced_record(tmp_path: Path) -> None:
    """Between the flow's read and the worker's, the file changed or vanished: the record is
    rejected with the reason, never read as other text."""
    from cleaning.ingest import attach_content, detach_content

    path = tmp_path / "live.jsonl"
    path.write_text("".join(json.dumps({"text": s}, ensure_ascii=False) + "\n" for s in STORIES), encoding="utf-8")
    sent = [detach_content(x) for x in ingest(path)]
    path.write_text("".join(json.dumps({"text": s.upper()}, ensure_ascii=False) + "\n" for s in STORIES), encoding="utf-8")
    changed = attach_content(sent[1])
    assert isinstance(changed, Rejection) and changed.reason == "ingest.changed" and changed.id == sent[1].id
    path.unlink()
    gone = attach_content(sent[2])
    assert isinstance(gone, Rejection) and gone.reason == "ingest.unreadable" and "inputs_by_reference" in gone.detail
