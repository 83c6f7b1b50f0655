"""The output contract: record shapes and atomic, deterministic JSONL writing."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from .document import Document, Removal, replace_surrogates

CORPUS_FILE = "corpus.jsonl"
REJECTED_FILE = "rejected.jsonl"
DUPLICATES_FILE = "duplicates.jsonl"
REPORT_JSON = "report.json"
REPORT_MD = "report.md"
REPORT_HTML = "report.html"


def dumps(record: dict[str, Any]) -> str:
    """One JSON line: sorted keys, UTF-8 kept readable, so equal records give equal bytes.

    A lone surrogate anywhere in the record (it cannot be written as UTF-8 and would fail the
    whole part) becomes U+FFFD; ingest rejects such inputs, this is the last line of defence."""
    return replace_surrogates(json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(", ", ": ")))


def corpus_record(doc: Document, content_hash: str) -> dict[str, Any]:
    """A kept document as written to ``corpus.jsonl``."""
    return {
        "id": doc.id,
        "source": doc.source,
        "url": doc.url,
        "title": doc.title,
        "published": doc.published,
        "author": doc.author,
        "sitename": doc.sitename,
        "language": doc.language,
        "language_score": doc.language_score,
        "text": doc.text,
        "word_count": doc.word_count,
        "content_hash": content_hash,
        "removed": [r.to_dict() for r in doc.removed],
        "cluster_id": doc.cluster_id,
        "cluster_size": doc.cluster_size,
        "metadata": doc.metadata,
    }


def staged_record(doc: Document) -> dict[str, Any]:
    """Everything needed to rebuild a Document after the dedup decision (internal staging)."""
    return {
        "id": doc.id, "source": doc.source, "url": doc.url, "title": doc.title, "published": doc.published,
        "author": doc.author, "sitename": doc.sitename, "language": doc.language,
        "language_score": doc.language_score, "text": doc.text, "metadata": doc.metadata,
        "removed": [r.to_dict() for r in doc.removed],
    }


def document_from_staged(rec: dict[str, Any]) -> Document:
    removed = [Removal(**r) for r in rec.pop("removed", [])]
    return Document(removed=removed, **rec)


def _umask() -> int:
    """The process umask, read without changing it where Linux tells it (``os.umask`` can only
    be read by setting it, which would race with other threads creating files)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextmanager
def atomic_writer(path: Path, binary: bool = False) -> Iterator[IO[Any]]:
    """Write to a temp file beside ``path`` and rename it into place only on success.

    A crash mid-write leaves the previous file (or none), never a half-written one. The file
    gets the mode ``open()`` would give it (0666 less the umask), not the temp file's 0600.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with (os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="\n")) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write bytes atomically (temp file, fsync, rename)."""
    with atomic_writer(path, binary=True) as fh:
        fh.write(data)


def write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> int:
    """Atomically write records as JSON lines; returns how many were written."""
    n = 0
    with atomic_writer(path) as fh:
        for rec in records:
            fh.write(dumps(rec))
            fh.write("\n")
            n += 1
    return n


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)
