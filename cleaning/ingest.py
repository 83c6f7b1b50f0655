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

A record of an uncompressed JSONL file also carries an :class:`InputRef` (file, byte offset,
length, digest): the flow sends the record to a worker without its text (:func:`detach_content`)
and the worker reads the bytes itself (:func:`attach_content`), so the text does not travel
through the flow process (``[pipeline] inputs_by_reference``).
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
from .document import Rejection, storable_text

HTML_EXTENSIONS = (".html", ".htm")
TEXT_EXTENSIONS = (".txt",)
JSONL_EXTENSIONS = (".jsonl", ".jsonl.gz")
WARC_EXTENSIONS = (".warc", ".warc.gz")
SUPPORTED_EXTENSIONS = HTML_EXTENSIONS + TEXT_EXTENSIONS + JSONL_EXTENSIONS + WARC_EXTENSIONS

_SNIFF_BYTES = 8192


class InputError(Exception):
    """An input path the user named cannot be used at all (missing, matches nothing)."""


@dataclass(frozen=True, slots=True)
class InputRef:
    """Where one record's bytes are: ``length`` bytes at ``offset`` of the file ``path``, with
    blake2b digest ``digest`` (so a file changed between the flow's read and the worker's is
    caught, not misread)."""

    path: str
    offset: int
    length: int
    digest: str


@dataclass(slots=True)
class RawItem:
    """One input document before extraction: its bytes decoded, plus what the container said.
    ``ref``: where a worker can read the record itself; ``content`` is then empty in transit."""

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
    ref: InputRef | None = None


@dataclass(slots=True)
class IngestStats:
    """Counts of things that were read but are not documents (so are not in the accounting)."""

    files: int = 0
    bytes: int = 0
    warc_records_skipped: int = 0
    hidden_files_skipped: int = 0
    excluded_files: int = 0  # under the run's own output or state folder
    broken_links_skipped: int = 0  # symlinks to nothing, or to themselves (a loop)
    special_files_skipped: int = 0  # FIFOs, sockets, device files: not documents, and reading may block
    unreadable_dirs: list[Path] = field(default_factory=list)
    files_done_bytes: int = 0  # sizes of the files read to their end
    file_position: int = 0  # how far into the file being read (JSONL, WARC: its on-disk bytes)

    @property
    def bytes_read(self) -> int:
        """Input bytes read so far (progress of a run over one big JSONL or WARC file, too)."""
        return self.files_done_bytes + self.file_position


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=8).hexdigest()


def detach_content(item: RawItem | Rejection) -> RawItem | Rejection:
    """The item as sent to a worker: without its text when the worker can read it by ``ref``."""
    if isinstance(item, RawItem) and item.ref is not None and item.content:
        return replace(item, content="")
    return item


def attach_content(item: RawItem) -> RawItem | Rejection:
    """The worker's side of :func:`detach_content`: the record's text read from its input file.
    A file the worker cannot read, or whose bytes changed since the flow read them, rejects the
    document with the reason (``ingest.unreadable`` / ``ingest.changed``), never a wrong text."""
    ref = item.ref
    if ref is None or item.content:
        return item
    try:
        with open(ref.path, "rb") as fh:
            fh.seek(ref.offset)
            data = fh.read(ref.length)
    except OSError as exc:
        return Rejection(item.id, item.source, "ingest.unreadable",
                         storable_text(f"cannot read {ref.path} at byte {ref.offset} from the worker: "
                                       f"{exc.strerror or exc} (workers must see the input files, or set "
                                       "[pipeline] inputs_by_reference = false)"), url=item.url)
    if len(data) != ref.length or _digest(data) != ref.digest:
        return Rejection(item.id, item.source, "ingest.changed",
                         storable_text(f"{ref.path} changed while the run read it (the {ref.length} bytes at "
                                       f"byte {ref.offset} differ); re-run to read the new version"), url=item.url)
    content = _record_content(json.loads(data))
    assert content is not None  # the same bytes the flow accepted
    return replace(item, content=content, ref=None)


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
            elif stats is not None:
                _count_skipped(f, stats)
    return sorted(files)


def _count_skipped(f: Path, stats: IngestStats) -> None:
    """A folder entry that is not a regular file: a link to nothing (or a loop) or a FIFO/device."""
    try:
        f.stat()
    except OSError:  # ENOENT for a dangling link, ELOOP for a link to itself
        stats.broken_links_skipped += 1
        return
    stats.special_files_skipped += 1


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


_CHUNK = 1 << 20
# A compressed input is checked against max_compression_ratio once this much has come out of it:
# below that, a high ratio (a file of a few repeated records) costs nothing.
_RATIO_CHECK_AFTER = 64 << 20


class _Limit(Exception):
    """A size limit reached while streaming an input; becomes a rejection with ``reason``."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


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
    # Sources, details and urls go to SQLite and UTF-8 JSONL: lone surrogates (from a file name
    # that is not UTF-8, or a "\ud800" escape) are spelled out instead of breaking the write.
    return Rejection(id=make_id(url or key, content), source=storable_text(source), reason=reason,
                     detail=storable_text(detail), url=storable_text(url) if url is not None else None)


def _reason_for(exc: BaseException) -> str:
    """The rejection reason for an unexpected error while reading or decoding one input."""
    if isinstance(exc, RecursionError):
        return "ingest.too_deep"
    if isinstance(exc, MemoryError):
        return "ingest.too_large"
    if isinstance(exc, UnicodeError):
        return "ingest.encoding"
    return "ingest.error"


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]


def _check_bytes(data: bytes, key: str, source: str, max_bytes: int) -> Rejection | None:
    if not data.strip():
        return _reject(key, source, "ingest.empty", "input is empty or whitespace only", data)
    if len(data) > max_bytes:
        return _reject(key, source, "ingest.too_large", f"{len(data)} bytes > limit {max_bytes}", data[:1024])
    if looks_binary(data):
        return _reject(key, source, "ingest.binary", "content is binary (NUL or control bytes), not text or HTML", data[:1024])
    nul = data.find(b"\x00")
    if nul >= 0:  # past the sniffed head: a damaged file, and NUL must never reach the corpus
        return _reject(key, source, "ingest.binary", f"NUL byte at offset {nul}: a damaged or binary file", data[:1024])
    return None


def _read_file(path: Path, key: str, source: str, max_bytes: int) -> bytes | Rejection:
    """The file's bytes, reading at most ``max_bytes + 1``: a larger file is rejected unread."""
    try:
        with path.open("rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > max_bytes:
                return _reject(key, source, "ingest.too_large", f"{size} bytes > limit {max_bytes}", fh.read(1024))
            return fh.read(max_bytes + 1)
    except OSError as exc:
        return _reject(key, source, "ingest.unreadable", f"cannot read file: {exc.strerror or exc}")


def _from_html_bytes(data: bytes, key: str, source: str, max_bytes: int, url: str | None = None,
                     extra: dict[str, Any] | None = None, http_charset: str | None = None) -> RawItem | Rejection:
    bad = _check_bytes(data, key, source, max_bytes)
    if bad is not None:
        return bad
    try:
        decoded = decode_html(data, http_charset)
    except (DecodeError, UnicodeError, LookupError) as exc:  # UnicodeError: a charset like "undefined"
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
    max_bytes = cfg["pipeline"]["max_input_bytes"]
    data = _read_file(path, key, source, max_bytes)
    if isinstance(data, Rejection):
        yield data
        return
    yield _from_html_bytes(data, key, source, max_bytes)


def _iter_file_text(path: Path, key: str, source: str, cfg: Config) -> Iterator[RawItem | Rejection]:
    max_bytes = cfg["pipeline"]["max_input_bytes"]
    data = _read_file(path, key, source, max_bytes)
    if isinstance(data, Rejection):
        yield data
        return
    bad = _check_bytes(data, key, source, max_bytes)
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
_JSONL_CHECKED_KEYS = ("url", "id", "title", "author", "sitename", "published", "date")


def _bad_field(rec: dict[str, Any]) -> str | None:
    """A metadata field holding a lone surrogate ("\\ud800" in the JSON): it cannot be stored."""
    for k in _JSONL_CHECKED_KEYS:
        v = rec.get(k)
        if isinstance(v, str):
            try:
                v.encode("utf-8")
            except UnicodeEncodeError as exc:
                return f"field {k!r} is not valid Unicode: {exc.reason} at {exc.start}"
    return None


def _record_content(rec: dict[str, Any]) -> str | None:
    """A record's document: its non-blank ``html``, else its non-blank ``text``."""
    html, text = rec.get("html"), rec.get("text")
    return html if isinstance(html, str) and html.strip() else text if isinstance(text, str) and text.strip() else None


def _record_to_item(rec: Any, key: str, source: str, line: bytes, max_bytes: int) -> RawItem | Rejection:
    if not isinstance(rec, dict):
        return _reject(key, source, "ingest.invalid_record", f"JSON line is a {type(rec).__name__}, not an object", line)
    url = rec.get("url") if isinstance(rec.get("url"), str) else None
    bad_field = _bad_field(rec)
    if bad_field is not None:
        return _reject(key, source, "ingest.bad_field", bad_field, line, None if url is None or "url" in bad_field else url)
    content = _record_content(rec)
    html = rec.get("html")
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
    if "\x00" in content:
        return _reject(key, source, "ingest.binary", f"record text has a NUL character at {content.index(chr(0))}", line, url)
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
        published=str(published) if isinstance(published, (str, int)) and published else None,
        author=meta.get("author"),
        sitename=meta.get("sitename"),
        size=len(line),
        metadata=extra,
    )


class _Meter:
    """Counts what comes out of a compressed input and stops a compression bomb early."""

    def __init__(self, raw: Any, compressed: bool, pipeline: dict[str, Any]) -> None:
        self.raw = raw
        self.compressed = compressed
        self.total = 0
        self.max_total = int(pipeline["max_decompressed_bytes"])
        self.max_ratio = float(pipeline["max_compression_ratio"])

    def add(self, n: int) -> None:
        self.total += n
        if not self.compressed:
            return
        if self.total > self.max_total:
            raise _Limit("ingest.decompression_limit", f"more than {self.max_total} bytes decompressed (max_decompressed_bytes)")
        if self.total > _RATIO_CHECK_AFTER:
            used = max(self.raw.tell(), 1)
            if self.total > self.max_ratio * used:
                raise _Limit("ingest.decompression_limit",
                             f"{self.total} bytes out of {used} compressed bytes, a ratio over {self.max_ratio:g} "
                             "(max_compression_ratio): a compression bomb, not a corpus")


def _iter_lines(fh: Any, meter: _Meter, max_line: int) -> Iterator[tuple[int, bytes | None, int, bytes, int]]:
    """Non-blank lines as ``(line number, bytes with the newline, length, head, offset)``, read
    in chunks so that no line longer than ``max_line`` is ever held: such a line comes as
    ``None`` (its bytes counted and dropped, its first KB kept as ``head``). ``offset``: where the
    line starts in the (decompressed) stream. Runs of blank lines are skipped a chunk at a time."""
    lineno = 0
    base = 0  # stream offset of the current chunk
    pending: list[bytes] = []
    pending_len = 0
    head = b""
    overlong = False
    # read1: what one gzip read gives, so a corrupt member later in the file does not take the
    # lines before it down with it.
    read = fh.read1 if hasattr(fh, "read1") else fh.read
    while True:
        chunk = read(_CHUNK)
        if not chunk:
            break
        meter.add(len(chunk))
        if not pending_len and not chunk.strip():  # nothing but blank lines (and maybe the start of one)
            lineno += chunk.count(b"\n")
            tail = chunk[chunk.rfind(b"\n") + 1:]
            if tail:
                pending, pending_len, head = [tail], len(tail), tail[:1024]
            base += len(chunk)
            continue
        start = 0
        n = len(chunk)
        while start < n:
            nl = chunk.find(b"\n", start)
            end = n if nl < 0 else nl + 1
            piece = chunk[start:end]
            if not pending_len:
                head = piece[:1024]
            if not overlong:
                if pending_len + len(piece) > max_line:
                    overlong = True
                    pending = []
                else:
                    pending.append(piece)
            pending_len += len(piece)
            start = end
            if nl < 0:
                break
            lineno += 1
            offset = base + end - pending_len
            if overlong:
                yield lineno, None, pending_len, head, offset
            else:
                line = pending[0] if len(pending) == 1 else b"".join(pending)
                if line.strip():
                    yield lineno, line, pending_len, head, offset
            pending, pending_len, overlong = [], 0, False
        base += n
    if pending_len:
        lineno += 1
        offset = base - pending_len
        if overlong:
            yield lineno, None, pending_len, head, offset
        else:
            line = b"".join(pending)
            if line.strip():
                yield lineno, line, pending_len, head, offset


def _jsonl_line(line: bytes, lkey: str, src: str, lineno: int, max_bytes: int) -> RawItem | Rejection:
    try:
        rec = json.loads(line)
    except UnicodeDecodeError as exc:
        return _reject(lkey, src, "ingest.encoding", f"line is not valid UTF-8: {exc}", line)
    except json.JSONDecodeError as exc:
        return _reject(lkey, src, "ingest.invalid_json", f"line {lineno} is not valid JSON ({exc.msg} at column {exc.colno}); truncated?", line)
    except RecursionError:
        return _reject(lkey, src, "ingest.too_deep", f"line {lineno} nests JSON arrays/objects deeper than the parser follows", line[:1024])
    return _record_to_item(rec, lkey, src, line, max_bytes)


def _iter_jsonl(path: Path, key: str, source: str, cfg: Config,
                stats: IngestStats | None = None) -> Iterator[RawItem | Rejection]:
    pipeline = cfg["pipeline"]
    max_bytes = pipeline["max_input_bytes"]
    max_line = int(pipeline["max_line_bytes"])
    compressed = path.name.lower().endswith(".gz")
    # A gzip stream has no offsets a worker could seek to: its records travel with their text.
    by_reference = bool(pipeline["inputs_by_reference"]) and not compressed
    abs_path = os.path.abspath(path)
    lineno = 0
    yielded = False
    try:
        with path.open("rb") as raw, (gzip.GzipFile(fileobj=raw, mode="rb") if compressed else raw) as fh:
            meter = _Meter(raw, compressed, pipeline)
            for lineno, line, length, head, offset in _iter_lines(fh, meter, max_line):
                src = f"{source}:{lineno}"
                lkey = f"{key}:{lineno}"
                yielded = True
                if stats is not None:
                    stats.file_position = raw.tell()
                if line is None:
                    yield _reject(lkey, src, "ingest.too_large", f"line {lineno} is {length} bytes > limit {max_line} (max_line_bytes)", head)
                    continue
                try:
                    item = _jsonl_line(line, lkey, src, lineno, max_bytes)
                    if by_reference and isinstance(item, RawItem):
                        item.ref = InputRef(abs_path, offset, length, _digest(line))
                    yield item
                except Exception as exc:  # noqa: BLE001 - one bad line must not stop the file
                    yield _reject(lkey, src, _reason_for(exc), f"line {lineno}: {_describe(exc)}", line[:1024])
    except _Limit as exc:
        yielded = True
        yield _reject(f"{key}:{lineno + 1}", f"{source}:{lineno + 1}", exc.reason, f"stopped reading after line {lineno}: {exc.detail}")
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


def _read_body(record: Any, max_bytes: int) -> tuple[bytes, bool]:
    """Up to ``max_bytes + 1`` bytes of a record's payload, and whether the record was cut short
    (the archive ends before the length its header declares)."""
    stream = record.content_stream()
    parts: list[bytes] = []
    got = 0
    while got <= max_bytes:
        chunk = stream.read(min(_CHUNK, max_bytes + 1 - got))
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
    body = b"".join(parts)
    truncated = got <= max_bytes and getattr(record.raw_stream, "limit", 0) > 0
    return body, truncated


def _http_status(record: Any) -> int | None:
    """The response's HTTP status code, or None when the record has no readable status line."""
    try:
        return int(record.http_headers.get_statuscode())
    except (AttributeError, TypeError, ValueError):
        return None


def _iter_warc(path: Path, key: str, source: str, cfg: Config, stats: IngestStats) -> Iterator[RawItem | Rejection]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    class _Iterator(ArchiveIterator):  # type: ignore[misc]
        # warcio writes the rest of the offending line to stderr (megabytes on a damaged
        # archive); one line is enough.
        INC_RECORD = ("newsclean: " + storable_text(source).replace("{", "{{").replace("}", "}}")
                      + ": data after offset {0} is not a WARC record (bad Content-Length?)\n")

    max_bytes = cfg["pipeline"]["max_input_bytes"]
    offset = 0
    records = 0
    try:
        with path.open("rb") as fh:
            it = _Iterator(fh)
            for record in it:
                records += 1
                url = record.rec_headers.get_header("WARC-Target-URI")
                if record.rec_type != "response" or "html" not in _http_content_type(record):
                    stats.warc_records_skipped += 1
                    continue
                # Read the body before asking for the offset: warcio's get_record_offset()
                # consumes the rest of the current record.
                error: Exception | None = None
                truncated = False
                try:
                    body, truncated = _read_body(record, max_bytes)
                except Exception as exc:  # noqa: BLE001 - a broken record must not stop the archive
                    body, error = b"", exc
                offset = it.get_record_offset()
                stats.file_position = offset
                src = f"{source}@{offset}"
                rkey = f"{key}@{offset}"
                if error is not None:
                    yield _reject(rkey, src, "ingest.warc_record", f"cannot read record body: {error}", url=url)
                    continue
                if truncated:
                    yield _reject(rkey, src, "ingest.truncated_record",
                                  f"the archive ends inside this record ({len(body)} bytes of its body read): "
                                  "a page cut mid-text is not kept", body[:1024], url)
                    continue
                status = _http_status(record)
                if status is not None and not 200 <= status < 300:
                    # A 404 or 500 page is the server's error page, not the article: say so,
                    # rather than let it fail (or pass) extraction as if it were one.
                    line = record.http_headers.statusline if record.http_headers else str(status)
                    yield replace(_reject(rkey, src, "ingest.http_status",
                                          f"HTTP response {line}: not a page of content", body[:1024], url),
                                  value=status)
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


def _guarded(items: Iterator[RawItem | Rejection], key: str, source: str) -> Iterator[RawItem | Rejection]:
    """The per-input boundary: an unexpected error while reading one file becomes a rejection
    of (the rest of) that file, and the run goes on with the next."""
    n = 0
    try:
        for item in items:
            n += 1
            yield item
    except Exception as exc:  # noqa: BLE001 - includes MemoryError and RecursionError
        where = f"after {n} record(s)" if n else "while reading"
        yield _reject(f"{key}!{n}", source, _reason_for(exc), f"{where}: {_describe(exc)}")


def _iter_all(inputs: Iterable[str | Path], config: Config, stats: IngestStats,
              exclude: Iterable[str | Path] = ()) -> Iterator[RawItem | Rejection]:
    paths = resolve_inputs(inputs, stats, exclude)
    for d in stats.unreadable_dirs:
        yield _reject(d.as_posix(), d.as_posix(), "ingest.unreadable", "cannot list folder (permission denied?)")
    for path, key in paths:
        source = path.as_posix()
        stats.files += 1
        try:
            size = path.stat().st_size
        except OSError:
            size = 0
        stats.bytes += size
        stats.file_position = 0
        if storable_text(source) != source:
            # A name that is not valid UTF-8 (bytes kept by the OS as surrogates) cannot be
            # stored as text anywhere downstream; it is named with \xNN escapes instead.
            yield _reject(key, source, "ingest.bad_name", "file name is not valid UTF-8; rename the file to read it")
            stats.files_done_bytes += size
            continue
        if _has_extension(path, HTML_EXTENSIONS):
            reader = _iter_file_html(path, key, source, config)
        elif _has_extension(path, TEXT_EXTENSIONS):
            reader = _iter_file_text(path, key, source, config)
        elif _has_extension(path, JSONL_EXTENSIONS):
            reader = _iter_jsonl(path, key, source, config, stats)
        elif _has_extension(path, WARC_EXTENSIONS):
            reader = _iter_warc(path, key, source, config, stats)
        else:
            yield _reject(key, source, "ingest.unsupported_type",
                          f"unsupported file type {path.suffix or '(none)'}; expected one of {', '.join(SUPPORTED_EXTENSIONS)}")
            stats.files_done_bytes += size
            continue
        yield from _guarded(reader, key, source)
        stats.files_done_bytes += size
        stats.file_position = 0
