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


# --------------------------------------------------------------------------- Parquet parts

OUTPUT_FORMATS = ("jsonl", "parquet", "both")
PARQUET_DIR = "parquet"  # out/parquet/<kind>/part-*.parquet: one folder per kind, readable as a dataset
PARQUET_KINDS = ("corpus", "duplicates", "rejected")
_PARQUET_ROWS = 20_000  # rows per row group (and per conversion step: bounded memory)
# Columns of each kind, in sorted order like the JSON keys. "json" columns hold nested or
# mixed-type values (lists of removals, free-form metadata, a filter's measured value) as
# JSON text with sorted keys, the same text the JSONL line has for them.
_COLUMNS: dict[str, dict[str, str]] = {
    "corpus": {"author": "str", "cluster_id": "str", "cluster_size": "int", "content_hash": "str", "id": "str",
               "language": "str", "language_score": "float", "metadata": "json", "published": "str",
               "removed": "json", "sitename": "str", "source": "str", "text": "str", "title": "str", "url": "str",
               "word_count": "int"},
    "duplicates": {"cluster_id": "str", "containment": "float", "duplicate_of": "str", "id": "str",
                   "jaccard": "float", "method": "str", "reason": "str", "removed": "json", "rule": "str",
                   "settings_version": "str", "shared": "int", "shingles": "int", "shingles_of": "int",
                   "similarity": "float", "source": "str", "url": "str"},
    "rejected": {"detail": "str", "id": "str", "language": "str", "reason": "str", "source": "str", "text": "str",
                 "threshold": "json", "title": "str", "url": "str", "value": "json", "word_count": "int"},
}


def output_format(config: dict[str, Any]) -> str:
    """``[output] format``: "jsonl" (default), "parquet" or "both"; a ConfigError otherwise."""
    from .config import ConfigError

    fmt = (config.get("output") or {}).get("format", "jsonl")
    if fmt not in OUTPUT_FORMATS:
        raise ConfigError(f"[output] format must be one of {list(OUTPUT_FORMATS)}, got {fmt!r}")
    return fmt


def parquet_schema(kind: str) -> Any:
    """The fixed Arrow schema of a kind's Parquet parts (every column nullable)."""
    import pyarrow as pa

    types = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(), "json": pa.string()}
    return pa.schema([pa.field(name, types[t]) for name, t in _COLUMNS[kind].items()])


def jsonl_part_to_parquet(src: Path, dst: Path, kind: str) -> int:
    """Write the records of one JSONL part as a Parquet file with the kind's fixed schema, in
    the part's order (deterministic: same records, same bytes). A key the schema does not
    know is an error, not a dropped column. Returns the number of rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = _COLUMNS[kind]
    schema = parquet_schema(kind)
    known = set(columns)
    n = 0

    def table(rows: list[dict[str, Any]]) -> Any:
        data: dict[str, list[Any]] = {}
        for name, t in columns.items():
            if t == "json":
                data[name] = [None if r.get(name) is None else dumps_value(r[name]) for r in rows]
            elif t == "float":
                data[name] = [None if r.get(name) is None else float(r[name]) for r in rows]
            else:
                data[name] = [r.get(name) for r in rows]
        return pa.Table.from_pydict(data, schema=schema)

    with atomic_writer(dst, binary=True) as fh:
        writer = pq.ParquetWriter(fh, schema, compression="zstd", write_statistics=True)
        try:
            rows: list[dict[str, Any]] = []
            for rec in read_jsonl(src):
                extra = set(rec) - known
                if extra:
                    raise ValueError(f"{src}: {kind} record {rec.get('id')!r} has fields the Parquet schema "
                                     f"does not know: {sorted(extra)} (add them to cleaning/output.py _COLUMNS)")
                rows.append(rec)
                if len(rows) == _PARQUET_ROWS:
                    writer.write_table(table(rows), row_group_size=_PARQUET_ROWS)
                    n += len(rows)
                    rows = []
            if rows or n == 0:  # an empty part still gets a file with the schema
                writer.write_table(table(rows), row_group_size=_PARQUET_ROWS)
                n += len(rows)
        finally:
            writer.close()
    return n


def dumps_value(value: Any) -> str:
    """A nested value as the JSON text a JSONL line has for it (sorted keys, UTF-8 kept)."""
    return replace_surrogates(json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(", ", ": ")))


def sync_parquet(out_dir: Path, manifest: dict[str, Any], create: bool = True) -> dict[str, int]:
    """Make ``out/parquet/<kind>/`` hold one Parquet file per committed JSONL part of the
    manifest (``part-000003.jsonl`` -> ``part-000003.parquet``): convert the parts that have
    no twin yet (or a twin older than the part) and delete twins whose part is gone (after
    ``compact`` or ``retract``). With ``create`` False, only a Parquet folder that already
    exists is kept in step. Returns the number of files written per kind."""
    root = out_dir / PARQUET_DIR
    if not create and not root.is_dir():
        return {}
    written = {}
    for kind in PARQUET_KINDS:
        folder = root / kind
        folder.mkdir(parents=True, exist_ok=True)
        want = {Path(p["file"]).with_suffix(".parquet").name: out_dir / p["file"] for p in manifest["parts"].get(kind, [])}
        n = 0
        for name, src in sorted(want.items()):
            dst = folder / name
            if not dst.is_file() or dst.stat().st_mtime_ns < src.stat().st_mtime_ns:
                jsonl_part_to_parquet(src, dst, kind)
                n += 1
        for f in folder.glob("*.parquet"):
            if f.name not in want:
                f.unlink()
        written[kind] = n
    return written
