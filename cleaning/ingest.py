"""Ingest: turn files, folders and globs into a stream of raw items, one per input document.

Every input either becomes a :class:`RawItem` or a :class:`~cleaning.document.Rejection`
with a named reason; nothing is skipped without a trace. The stream is lazy (one file, one
JSONL line, one WARC record at a time) so memory does not grow with the corpus.

Formats, chosen by extension and checked by content:

* ``.html`` / ``.htm`` — one raw HTML page.
* ``.txt`` — already-extracted article text.
* ``.jsonl`` / ``.jsonl.gz`` — one JSON object a line with ``html`` or ``text`` and optional
  ``url``, ``title``, ``published``/``date``, ``id``, ``author``, ``sitename``.
* ``.warc`` / ``.warc.gz`` — HTTP ``response`` records with an HTML body (warcio); other
  records are counted in :class:`IngestStats` as skipped, not rejected (they are not
  documents).
"""

from __future__ import annotations

import glob
import gzip
import os
import hashlib
import json
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .config import Config
from .decode import DecodeError, charset_from_content_type, decode_html
from .document import Rejection

HTML_EXTENSIONS = (".html", ".htm")
TEXT_EXTENSIONS = (".txt",)
JSONL_EXTENSIONS = (".jsonl", ".jsonl.gz")
WARC_EXTENSIONS = (".warc", ".warc.gz")
SUPPORTED_EXTENSIONS = HTML_EXTENSIONS + TEXT_EXTENSIONS + JSONL_EXTENSIONS + WARC_EXTENSIONS

_SNIFF_BYTES = 8192


class InputError(Exception):
    """An input path the user named cannot be used at all (missing, matches nothing)."""


@dataclass(slots=True)
class RawItem:
    """One input document before extraction: its bytes decoded, plus what the container said."""

    id: str
    source: str
    kind: str  # "html" | "text"
    content: str
    url: str | None = None
    title: str | None = None
    published: str | None = None
    author: str | None = None
    sitename: str | None = None
    size: int = 0
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class IngestStats:
    """Counts of things that were read but are not documents (so are not in the accounting)."""

    files: int = 0
    bytes: int = 0
    warc_records_skipped: int = 0
    hidden_files_skipped: int = 0
    excluded_files: int = 0  # under the run's own output or state folder
    unreadable_dirs: list[Path] = field(default_factory=list)


def make_id(key: str, content: str | bytes) -> str:
    """Stable document id: the same source key (url or relative path) and content, the same id."""
    h = hashlib.blake2b(digest_size=8)
    h.update(key.encode("utf-8", "surrogatepass"))
    h.update(b"\x00")
    h.update(content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def _has_extension(path: Path, exts: tuple[str, ...]) -> bool:
    name = path.name.lower()
    return any(name.endswith(e) for e in exts)


def _walk_files(root: Path, stats: IngestStats | None) -> list[Path]:
    """Files under ``root``, following symlinked folders (once each), hidden ones skipped."""
    files: list[Path] = []
    visited: set[Path] = set()

    def on_error(err: OSError) -> None:
        if stats is not None and err.filename:
            stats.unreadable_dirs.append(Path(err.filename))

    for dirpath, dirnames, filenames in os.walk(root, followlinks=True, onerror=on_error):
        real = Path(dirpath).resolve()
        if real in visited:  # a symlink loop, or a folder reached twice through links
            dirnames[:] = []
            continue
        visited.add(real)
        kept_dirs = []
        for d in sorted(dirnames):
            if d.startswith("."):
                if stats is not None:
                    stats.hidden_files_skipped += sum(len(f) for _, _, f in os.walk(Path(dirpath) / d))
            else:
                kept_dirs.append(d)
        dirnames[:] = kept_dirs
        for name in filenames:
            if name.startswith("."):
                if stats is not None:
                    stats.hidden_files_skipped += 1
                continue
            f = Path(dirpath) / name
            if f.is_file():
                files.append(f)
    return sorted(files)


def resolve_inputs(inputs: Iterable[str | Path], stats: IngestStats | None = None,
                   exclude: Iterable[str | Path] = ()) -> list[tuple[Path, str]]:
    """Expand files, folders (recursively, following symlinks) and globs into ``(path, key)``.

    The key is the path relative to the folder or glob root the user named, so ids do not
    change when the corpus is moved. Order is sorted and so deterministic. Files under an
    ``exclude`` folder (the run's own output and state) are skipped and counted. Raises
    :class:`InputError` for a path that does not exist or a glob that matches nothing.
    """
    excluded = [Path(e).resolve() for e in exclude]
    out: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    for raw in inputs:
        spec = str(raw)
        p = Path(spec)
        if glob.has_magic(spec):
            matches = sorted(Path(m) for m in glob.glob(spec, recursive=True))
            files = [m for m in matches if m.is_file()]
            if not files:
                raise InputError(f"input pattern matches no files: {spec}")
            root = Path(spec.split("*")[0].split("?")[0].split("[")[0] or ".")
            root = root if root.is_dir() else root.parent
            pairs = [(f, f.relative_to(root).as_posix() if f.is_relative_to(root) else f.name) for f in files]
        elif p.is_dir():
            pairs = [(f, f.relative_to(p).as_posix()) for f in _walk_files(p, stats)]
        elif p.is_file():
            pairs = [(p, p.name)]
        elif p.exists():
            raise InputError(f"input is neither a file nor a folder: {spec}")
        else:
            raise InputError(f"input path does not exist: {spec}")
        for f, key in pairs:
            rp = f.resolve()
            if any(rp.is_relative_to(e) for e in excluded):
                if stats is not None:
                    stats.excluded_files += 1
                continue
            if rp not in seen:
                seen.add(rp)
                out.append((f, key))
    return out


def looks_binary(data: bytes) -> bool:
    """NUL bytes or many control characters in the first 8 KB: not a text document."""
    head = data[:_SNIFF_BYTES]
    if b"\x00" in head:
        return True
    if not head:
        return False
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return control / len(head) > 0.05


def decode_text(data: bytes) -> str:
    """Plain text must be UTF-8 (a BOM is tolerated)."""
    return data.decode("utf-8-sig")


def _reject(key: str, source: str, reason: str, detail: str, content: bytes | str = b"", url: str | None = None) -> Rejection:
    return Rejection(id=make_id(url or key, content), source=source, reason=reason, detail=detail, url=url)


def _check_bytes(data: bytes, key: str, source: str, max_bytes: int) -> Rejection | None:
    if not data.strip():
        return _reject(key, source, "ingest.empty", "input is empty or whitespace only", data)
    if len(data) > max_bytes:
        return _reject(key, source, "ingest.too_large", f"{len(data)} bytes > limit {max_bytes}", data[:1024])
    if looks_binary(data):
        return _reject(key, source, "ingest.binary", "content is binary (NUL or control bytes), not text or HTML", data[:1024])
    return None


def _read_file(path: Path, key: str, source: str) -> bytes | Rejection:
    try:
        return path.read_bytes()
    except OSError as exc:
        return _reject(key, source, "ingest.unreadable", f"cannot read file: {exc.strerror or exc}")


def _from_html_bytes(data: bytes, key: str, source: str, max_bytes: int, url: str | None = None,
                     extra: dict[str, Any] | None = None, http_charset: str | None = None) -> RawItem | Rejection:
    bad = _check_bytes(data, key, source, max_bytes)
    if bad is not None:
        return bad
    try:
        decoded = decode_html(data, http_charset)
    except DecodeError as exc:
        return _reject(key, source, "ingest.encoding", f"cannot decode HTML: {exc}", data[:1024], url)
    extra = dict(extra or {})
    if decoded.method == "detected" or (decoded.declared and decoded.method == "utf-8"):
        # The page did not say its encoding, or said a wrong one: record what was used, for audits.
        extra["metadata"] = {**extra.get("metadata", {}), "encoding": decoded.encoding,
                             "encoding_method": decoded.method,
                             **({"declared_encoding": decoded.declared} if decoded.declared else {})}
    return RawItem(id=make_id(url or key, data), source=source, kind="html", content=decoded.text, url=url,
                   size=len(data), **extra)


def _iter_file_html(path: Path, key: str, source: str, cfg: Config) -> Iterator[RawItem | Rejection]:
    data = _read_file(path, key, source)
    if isinstance(data, Rejection):
        yield data
        return
    yield _from_html_bytes(data, key, source, cfg["pipeline"]["max_input_bytes"])


def _iter_file_text(path: Path, key: str, source: str, cfg: Config) -> Iterator[RawItem | Rejection]:
    data = _read_file(path, key, source)
    if isinstance(data, Rejection):
        yield data
        return
    bad = _check_bytes(data, key, source, cfg["pipeline"]["max_input_bytes"])
    if bad is not None:
        yield bad
        return
    try:
        text = decode_text(data)
    except UnicodeDecodeError as exc:
        yield _reject(key, source, "ingest.encoding", f"not valid UTF-8: {exc}", data[:1024])
        return
    yield RawItem(id=make_id(key, data), source=source, kind="text", content=text, size=len(data))


_JSONL_META_KEYS = ("url", "title", "author", "sitename")


def _record_to_item(rec: Any, key: str, source: str, line: bytes, max_bytes: int) -> RawItem | Rejection:
    if not isinstance(rec, dict):
        return _reject(key, source, "ingest.invalid_record", f"JSON line is a {type(rec).__name__}, not an object", line)
    url = rec.get("url") if isinstance(rec.get("url"), str) else None
    html, text = rec.get("html"), rec.get("text")
    content = html if isinstance(html, str) and html.strip() else text if isinstance(text, str) and text.strip() else None
    if content is None:
        has = [k for k in ("html", "text") if k in rec]
        detail = "record has neither an 'html' nor a 'text' field" if not has else f"record's {'/'.join(has)} field is empty or not a string"
        return _reject(key, source, "ingest.no_content", detail, line, url)
    if len(content.encode("utf-8", "surrogatepass")) > max_bytes:
        return _reject(key, source, "ingest.too_large", f"record content > limit {max_bytes} bytes", line[:1024], url)
    try:
        content.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate escape ("\\ud83d") decodes but cannot be stored
        return _reject(key, source, "ingest.encoding", f"record text is not valid Unicode: {exc.reason} at {exc.start}", line, url)
    given_id = rec.get("id")
    published = rec.get("published") or rec.get("date")
    meta = {k: rec[k] for k in _JSONL_META_KEYS if isinstance(rec.get(k), str) and rec[k].strip()}
    # The record's own id is kept as metadata, not used as the document id: ids from different
    # files or days collide ("id": 1), and the document id must change when the content does.
    extra = {"source_id": str(given_id).strip()} if isinstance(given_id, (str, int)) and str(given_id).strip() else {}
    return RawItem(
        id=make_id(url or key, line),
        source=source,
        kind="html" if content is html else "text",
        content=content,
        url=url,
        title=meta.get("title"),
        published=str(published) if published else None,
        author=meta.get("author"),
        sitename=meta.get("sitename"),
        size=len(line),
        metadata=extra,
    )


def _iter_jsonl(path: Path, key: str, source: str, cfg: Config) -> Iterator[RawItem | Rejection]:
    max_bytes = cfg["pipeline"]["max_input_bytes"]
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    lineno = 0
    yielded = False
    try:
        with opener(path, "rb") as fh:
            for lineno, line in enumerate(fh, start=1):
                src = f"{source}:{lineno}"
                lkey = f"{key}:{lineno}"
                if not line.strip():
                    continue
                yielded = True
                try:
                    rec = json.loads(line)
                except UnicodeDecodeError as exc:
                    yield _reject(lkey, src, "ingest.encoding", f"line is not valid UTF-8: {exc}", line)
                    continue
                except json.JSONDecodeError as exc:
                    yield _reject(lkey, src, "ingest.invalid_json", f"line {lineno} is not valid JSON ({exc.msg} at column {exc.colno}); truncated?", line)
                    continue
                yield _record_to_item(rec, lkey, src, line, max_bytes)
    except (OSError, EOFError, zlib.error) as exc:
        yielded = True
        yield _reject(f"{key}:{lineno + 1}", f"{source}:{lineno + 1}", "ingest.corrupt_archive",
                      f"stopped reading after line {lineno}: {exc}")
    if not yielded:
        yield _reject(key, source, "ingest.empty", "JSONL file has no records")


def _http_content_type(record: Any) -> str:
    if record.http_headers is None:
        return ""
    return (record.http_headers.get_header("Content-Type") or "").lower()


def _iter_warc(path: Path, key: str, source: str, cfg: Config, stats: IngestStats) -> Iterator[RawItem | Rejection]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    max_bytes = cfg["pipeline"]["max_input_bytes"]
    offset = 0
    records = 0
    try:
        with path.open("rb") as fh:
            it = ArchiveIterator(fh)
            for record in it:
                records += 1
                url = record.rec_headers.get_header("WARC-Target-URI")
                if record.rec_type != "response" or "html" not in _http_content_type(record):
                    stats.warc_records_skipped += 1
                    continue
                # Read the body before asking for the offset: warcio's get_record_offset()
                # consumes the rest of the current record.
                error: Exception | None = None
                try:
                    body = record.content_stream().read()
                except Exception as exc:  # noqa: BLE001 - a broken record must not stop the archive
                    body, error = b"", exc
                offset = it.get_record_offset()
                src = f"{source}@{offset}"
                rkey = f"{key}@{offset}"
                if error is not None:
                    yield _reject(rkey, src, "ingest.warc_record", f"cannot read record body: {error}", url=url)
                    continue
                date = record.rec_headers.get_header("WARC-Date")
                yield _from_html_bytes(body, rkey, src, max_bytes, url=url,
                                       extra={"metadata": {"crawl_date": date}} if date else None,
                                       http_charset=charset_from_content_type(_http_content_type(record)))
    except (ArchiveLoadFailed, OSError, EOFError, zlib.error, ValueError, AttributeError, KeyError) as exc:
        # warcio raises a variety of errors on malformed headers; all mean "the rest of
        # this archive cannot be read", which is recorded, not fatal to the run.
        yield _reject(f"{key}@{offset}", f"{source}@{offset}", "ingest.corrupt_archive",
                      f"unreadable WARC data after offset {offset}: {exc}")
        return
    if records == 0:
        yield _reject(key, source, "ingest.empty", "WARC file has no records")


def iter_inputs(inputs: Iterable[str | Path], config: Config, stats: IngestStats | None = None,
                exclude: Iterable[str | Path] = ()) -> Iterator[RawItem | Rejection]:
    """Stream every input document as a RawItem or a Rejection, in a deterministic order.

    ``exclude``: folders whose files are never inputs (the run's own output and state).
    """
    stats = stats if stats is not None else IngestStats()
    seen_ids: set[str] = set()
    for item in _iter_all(inputs, config, stats, exclude):
        if item.id in seen_ids:
            # The same url and content twice (a page crawled twice into one WARC, a repeated
            # JSONL line): a copy, not an error. Give it an id from its position so the
            # dedup stage records it as an exact duplicate of the first.
            if isinstance(item, RawItem):
                item.id = make_id(item.source, item.content)
            else:
                item = replace(item, id=make_id(item.source, item.detail))
        seen_ids.add(item.id)
        yield item


def _iter_all(inputs: Iterable[str | Path], config: Config, stats: IngestStats,
              exclude: Iterable[str | Path] = ()) -> Iterator[RawItem | Rejection]:
    paths = resolve_inputs(inputs, stats, exclude)
    for d in stats.unreadable_dirs:
        yield _reject(d.as_posix(), d.as_posix(), "ingest.unreadable", "cannot list folder (permission denied?)")
    for path, key in paths:
        source = path.as_posix()
        stats.files += 1
        try:
            stats.bytes += path.stat().st_size
        except OSError:
            pass
        if _has_extension(path, HTML_EXTENSIONS):
            yield from _iter_file_html(path, key, source, config)
        elif _has_extension(path, TEXT_EXTENSIONS):
            yield from _iter_file_text(path, key, source, config)
        elif _has_extension(path, JSONL_EXTENSIONS):
            yield from _iter_jsonl(path, key, source, config)
        elif _has_extension(path, WARC_EXTENSIONS):
            yield from _iter_warc(path, key, source, config, stats)
        else:
            yield _reject(key, source, "ingest.unsupported_type",
                          f"unsupported file type {path.suffix or '(none)'}; expected one of {', '.join(SUPPORTED_EXTENSIONS)}")
