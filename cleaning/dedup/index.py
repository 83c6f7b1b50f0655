"""Persistent index of the documents earlier runs KEPT, so a scheduled run dedups new documents
against the whole corpus without re-reading it.

Three backends behind one small interface:
- ``sqlite`` (default): one file in the state directory; signatures as numpy blobs, LSH band
  keys in an indexed table, each ``add`` one transaction.
- ``memory``: the same in process (no state directory, tests, one-off runs).
- ``redis``: several workers share one index. Band lookup is datasketch's ``MinHashLSH`` with
  redis storage (LeanMinHash objects built from our signatures); signatures and exact hashes
  are plain redis hashes under the same prefix.

Every backend records the sketch parameters (scheme, num_perm, seed, shingle sizes, bands,
rows, ...) and refuses to open with different ones: a changed config must be a clear error,
not an index that silently never matches (ENVIRONMENT.md: datasketch 2.x returns [] for 1.x
sketches).
"""

from __future__ import annotations

import itertools
import json
import os
import pickle
import sqlite3
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import numpy as np

from ..config import Config
from .settings import DedupSettings, dedup_settings
from .signature import DocSignature, band_keys, sorted_unique
from .sketch import SCHEME

SCHEMA_VERSION = 2  # 2: feature sets stored for exact verification


class IndexMismatchError(RuntimeError):
    """A persisted index was built with other sketch parameters than the current config."""


class IndexLostError(IndexMismatchError):
    """The index holds fewer documents than the state directory recorded after the last run
    (a Redis restart without persistence, a deleted index file): new copies of documents it
    lost would enter the corpus. ``newsclean reindex`` rebuilds it from the committed parts."""


SHARDS_DIR = "dedup_shards"  # backend "shards": the folder of cleaning/dedup/shard_index.py in the state directory
COUNT_FILE = "dedup_index_count.json"  # in the state directory: documents in the index after the last add


def _expected_meta(s: DedupSettings) -> dict[str, Any]:
    return {"schema_version": SCHEMA_VERSION, "scheme": SCHEME, **s.sketch_params()}


def _check_meta(stored: dict[str, Any], s: DedupSettings, where: str) -> None:
    expected = _expected_meta(s)
    diff = {k: (stored.get(k), v) for k, v in expected.items() if stored.get(k) != v}
    if diff:
        detail = ", ".join(f"{k}: index has {a!r}, config has {b!r}" for k, (a, b) in sorted(diff.items()))
        raise IndexMismatchError(
            f"dedup index {where} was built with different parameters ({detail}); its signatures "
            "cannot be compared with new ones. Use the original [dedup] settings, rebuild the index "
            "from the committed corpus with `newsclean reindex --out <folder>` (needed after an "
            "upgrade that changed the scheme), or use a new state directory / redis prefix."
        )


def _sig_record(s: DocSignature) -> dict[str, Any]:
    return {"id": s.id, "source": s.source, "url": s.url, "sitename": s.sitename,
            "published": s.published, "text_chars": s.text_chars, "n_metadata": s.n_metadata,
            "content_hash": s.content_hash, "n_shingles": s.n_shingles,
            "shingle_kind": s.shingle_kind, "run": s.run}


def _sig_from(record: dict[str, Any], minhash: bytes, features: bytes | None) -> DocSignature:
    feats = np.frombuffer(features, dtype=np.uint32).copy() if features is not None else None
    return DocSignature(minhash=np.frombuffer(minhash, dtype=np.uint64).copy(), features=feats, **record)


def _feature_bytes(s: DocSignature) -> bytes:
    """The feature set as stored: 4 bytes per feature (sorted uint32), ~2-3 KB per article."""
    return np.ascontiguousarray(s.features if s.features is not None else [], dtype=np.uint32).tobytes()


class DedupIndex(ABC):
    """Signatures of documents kept by earlier runs. Read by ``resolve_duplicates`` (which
    never writes), written by ``add`` once a run's outputs are safely on disk."""

    backend: str = ""

    def __init__(self, settings: DedupSettings) -> None:
        self.settings = settings

    @abstractmethod
    def lookup_exact(self, hashes: Iterable[str]) -> dict[str, DocSignature]:
        """content_hash -> the kept signature with that hash (first kept wins)."""

    @abstractmethod
    def candidates(self, minhashes: np.ndarray) -> list[DocSignature]:
        """Kept signatures sharing at least one LSH band with any row of ``minhashes``."""

    @abstractmethod
    def _add(self, sigs: list[DocSignature], run: str) -> None: ...

    @abstractmethod
    def __len__(self) -> int: ...

    @abstractmethod
    def _runs_so_far(self) -> int: ...

    def add(self, sigs: Iterable[DocSignature], run_id: str | None = None) -> None:
        """Persist KEPT signatures (atomically where the backend allows). ``run_id`` names the
        run in later reasons ("already in corpus (run X)"); default: the run's ordinal."""
        batch = self._checked(sigs)
        if batch:
            self._add(batch, run_id or str(self._runs_so_far() + 1))

    def add_stream(self, chunks: Iterable[Iterable[DocSignature]], run_id: str | None = None) -> int:
        """``add`` for a run too big to hold at once: its kept signatures a chunk (a batch) at a
        time, still one run (one transaction / one segment where the backend has them); returns
        how many were given. The sqlite and shard backends write chunk by chunk; the others
        gather the chunks first."""
        nonempty = (c for c in map(self._checked, chunks) if c)
        first = next(nonempty, None)
        if first is None:  # nothing kept: no run recorded, as with add([])
            return 0
        counted = 0

        def counting() -> Iterator[list[DocSignature]]:
            nonlocal counted
            for c in itertools.chain([first], nonempty):
                counted += len(c)
                yield c

        self._add_chunks(counting(), run_id or str(self._runs_so_far() + 1))
        return counted

    def _add_chunks(self, chunks: Iterator[list[DocSignature]], run: str) -> None:
        self._add(sorted((s for c in chunks for s in c), key=lambda s: s.id), run)

    def _checked(self, sigs: Iterable[DocSignature]) -> list[DocSignature]:
        batch = sorted(sigs, key=lambda s: s.id)
        bad = [s.id for s in batch if s.minhash is None or len(s.minhash) != self.settings.num_perm]
        if bad:
            raise ValueError(f"signatures without a {self.settings.num_perm}-value minhash: {bad[:5]}")
        return batch

    def close(self) -> None:
        """Release the backend (file handle, connection)."""

    def __enter__(self) -> DedupIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _near_eligible(self, s: DocSignature) -> bool:
        return s.n_shingles >= self.settings.min_shingles


class MemoryIndex(DedupIndex):
    """In-process index: nothing survives the process."""

    backend = "memory"

    def __init__(self, settings: DedupSettings) -> None:
        super().__init__(settings)
        self._sigs: dict[str, DocSignature] = {}
        self._exact: dict[str, str] = {}
        self._buckets: dict[int, list[str]] = {}
        self._runs = 0

    def lookup_exact(self, hashes: Iterable[str]) -> dict[str, DocSignature]:
        return {h: self._sigs[self._exact[h]] for h in hashes if h in self._exact}

    def candidates(self, minhashes: np.ndarray) -> list[DocSignature]:
        if not len(minhashes) or not self._buckets:
            return []
        ids = {i for k in sorted_unique(band_keys(minhashes, self.settings)).tolist()
               for i in self._buckets.get(k, ())}
        return [self._sigs[i] for i in sorted(ids)]

    def _add(self, sigs: list[DocSignature], run: str) -> None:
        self._runs += 1
        near = [s for s in sigs if s.id not in self._sigs and self._near_eligible(s)]
        keys = band_keys(np.stack([s.minhash for s in near]), self.settings) if near else []
        for s in sigs:
            if s.id in self._sigs:
                continue
            s = _sig_from(_sig_record(s) | {"run": run}, s.minhash.tobytes(), _feature_bytes(s))
            self._sigs[s.id] = s
            self._exact.setdefault(s.content_hash, s.id)
        for s, row in zip(near, keys):
            for k in row.tolist():
                self._buckets.setdefault(k, []).append(s.id)

    def _runs_so_far(self) -> int:
        return self._runs

    def __len__(self) -> int:
        return len(self._sigs)


class SqliteIndex(DedupIndex):
    """One SQLite file: ``docs`` (metadata + minhash blob), ``bands`` (key -> doc), ``meta``."""

    backend = "sqlite"

    def __init__(self, settings: DedupSettings, path: Path) -> None:
        super().__init__(settings)
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA busy_timeout=30000")  # another worker may be adding
        self._db.executescript(
            """
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS runs (seq INTEGER PRIMARY KEY, run TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS docs (
                rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, content_hash TEXT NOT NULL,
                record TEXT NOT NULL, minhash BLOB NOT NULL, features BLOB);
            CREATE INDEX IF NOT EXISTS docs_content_hash ON docs(content_hash, rid);
            CREATE TABLE IF NOT EXISTS bands (key INTEGER NOT NULL, rid INTEGER NOT NULL,
                PRIMARY KEY (key, rid)) WITHOUT ROWID;
            """
        )
        stored = {k: json.loads(v) for k, v in self._db.execute("SELECT key, value FROM meta")}
        if stored:
            _check_meta(stored, settings, str(path))
        else:
            with self._tx():
                self._db.executemany("INSERT INTO meta VALUES (?, ?)",
                                     [(k, json.dumps(v)) for k, v in _expected_meta(settings).items()])

    def _tx(self):
        db = self._db

        class _Tx:
            def __enter__(self_inner):
                db.execute("BEGIN IMMEDIATE")

            def __exit__(self_inner, exc_type, *_):
                db.execute("ROLLBACK" if exc_type else "COMMIT")

        return _Tx()

    def _load(self, rows: Iterable[tuple[str, bytes, bytes | None]]) -> list[DocSignature]:
        return [_sig_from(json.loads(rec), blob, feats) for rec, blob, feats in rows]

    def lookup_exact(self, hashes: Iterable[str]) -> dict[str, DocSignature]:
        out: dict[str, DocSignature] = {}
        hs = sorted(set(hashes))
        for lo in range(0, len(hs), 500):
            chunk = hs[lo : lo + 500]
            rows = self._db.execute(
                f"SELECT content_hash, record, minhash, features FROM docs WHERE content_hash IN "
                f"({','.join('?' * len(chunk))}) ORDER BY rid", chunk).fetchall()
            for h, rec, blob, feats in rows:
                if h not in out:
                    out[h] = self._load([(rec, blob, feats)])[0]
        return out

    def candidates(self, minhashes: np.ndarray) -> list[DocSignature]:
        if not len(minhashes):
            return []
        keys = sorted_unique(band_keys(minhashes, self.settings)).tolist()
        db = self._db
        db.execute("CREATE TEMP TABLE IF NOT EXISTS q (key INTEGER PRIMARY KEY)")
        db.execute("DELETE FROM q")
        db.executemany("INSERT INTO q VALUES (?)", ((k,) for k in keys))
        rows = db.execute(
            "SELECT record, minhash, features FROM docs WHERE rid IN "
            "(SELECT DISTINCT b.rid FROM q JOIN bands b ON b.key = q.key) ORDER BY id").fetchall()
        db.execute("DELETE FROM q")
        return self._load(rows)

    def _add(self, sigs: list[DocSignature], run: str) -> None:
        self._add_chunks(iter([sigs]), run)

    def _add_chunks(self, chunks: Iterator[list[DocSignature]], run: str) -> None:
        """One transaction for the run, its signatures written a chunk at a time."""
        with self._tx():
            self._db.execute("INSERT INTO runs (run) VALUES (?)", (run,))
            for sigs in chunks:
                self._insert(sigs, run)

    def _insert(self, sigs: list[DocSignature], run: str) -> None:
        db = self._db
        last_rid = db.execute("SELECT COALESCE(MAX(rid), 0) FROM docs").fetchone()[0]
        db.executemany(
            "INSERT OR IGNORE INTO docs (id, content_hash, record, minhash, features) VALUES (?,?,?,?,?)",
            ((s.id, s.content_hash, json.dumps(_sig_record(s) | {"run": run}, sort_keys=True),
              np.ascontiguousarray(s.minhash, dtype=np.uint64).tobytes(), _feature_bytes(s)) for s in sigs))
        # Rows with a higher rid are exactly the ones this call inserted (ids already
        # present were ignored): only those get band rows.
        rid_of = dict(db.execute("SELECT id, rid FROM docs WHERE rid > ?", (last_rid,)))
        near = [s for s in sigs if s.id in rid_of and self._near_eligible(s)]
        if near:
            keys = band_keys(np.stack([s.minhash for s in near]), self.settings)
            rids = np.repeat(np.array([rid_of[s.id] for s in near], dtype=np.int64), keys.shape[1])
            flat = keys.ravel().astype(np.int64)
            # In primary-key order: B-tree appends instead of random inserts (same rows).
            order = np.lexsort((rids, flat))
            db.executemany("INSERT OR IGNORE INTO bands VALUES (?, ?)",
                           zip(flat[order].tolist(), rids[order].tolist()))

    def _runs_so_far(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM docs").fetchone()[0]

    def close(self) -> None:
        self._db.close()


def _redis_params(url: str) -> dict[str, Any]:
    """``redis://[user:pass@]host:port/db`` -> keyword arguments for ``redis.Redis``."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        raise ValueError(f"redis_url must start with redis:// (got {url!r})")
    params: dict[str, Any] = {"host": parts.hostname or "127.0.0.1", "port": parts.port or 6379,
                              "db": int(parts.path.strip("/") or 0)}
    if parts.username:
        params["username"] = unquote(parts.username)
    if parts.password:
        params["password"] = unquote(parts.password)
    if parts.scheme == "rediss":
        params["ssl"] = True
    return params


class RedisIndex(DedupIndex):
    """Shared index in redis: datasketch ``MinHashLSH`` (redis storage) finds candidates;
    ``<prefix>:sig`` / ``<prefix>:exact`` / ``<prefix>:meta`` hold signatures, exact hashes and
    the sketch parameters."""

    backend = "redis"

    def __init__(self, settings: DedupSettings, url: str, prefix: str) -> None:
        import redis
        from datasketch import MinHashLSH

        super().__init__(settings)
        self.prefix = prefix
        params = _redis_params(url)
        self._r = redis.Redis(**params)
        try:
            self._r.ping()
        except redis.RedisError as exc:
            raise ConnectionError(f"dedup index: redis at {url} is unreachable: {exc}") from exc
        meta_key = f"{prefix}:meta"
        expected = {k: json.dumps(v) for k, v in _expected_meta(settings).items()}
        self._r.hsetnx(meta_key, "schema_version", expected["schema_version"])  # claim the prefix
        stored = self._r.hgetall(meta_key)
        if len(stored) == 1:  # we (or a racing worker with the same config) just created it
            self._r.hset(meta_key, mapping=expected)
            stored = self._r.hgetall(meta_key)
        _check_meta({k.decode(): json.loads(v) for k, v in stored.items()}, settings, f"{url} {prefix}")
        self._lsh = MinHashLSH(
            num_perm=settings.num_perm, params=(settings.lsh_bands, settings.lsh_rows),
            storage_config={"type": "redis", "basename": f"{prefix}:lsh".encode(), "redis": params},
        )

    def _lean(self, minhash: np.ndarray):
        from datasketch import LeanMinHash

        # The values are ours (SCHEME), not datasketch's permutations; "affine64" only tells
        # datasketch they are uint64 so it bands and serializes them as they are.
        return LeanMinHash(seed=self.settings.seed, hashvalues=minhash, scheme="affine64")

    def _fetch(self, ids: list[str]) -> list[DocSignature]:
        if not ids:
            return []
        raw = self._r.hmget(f"{self.prefix}:sig", ids)
        out = []
        for blob in raw:
            if blob is None:  # LSH written, signature not (yet): treat as absent
                continue
            head, _, rest = blob.partition(b"\n")
            cut = 8 * self.settings.num_perm
            out.append(_sig_from(json.loads(head), rest[:cut], rest[cut:]))
        return out

    def lookup_exact(self, hashes: Iterable[str]) -> dict[str, DocSignature]:
        hs = sorted(set(hashes))
        if not hs:
            return {}
        ids = self._r.hmget(f"{self.prefix}:exact", hs)
        found = {h: i.decode() for h, i in zip(hs, ids) if i is not None}
        sigs = {s.id: s for s in self._fetch(sorted(set(found.values())))}
        return {h: sigs[i] for h, i in found.items() if i in sigs}

    def candidates(self, minhashes: np.ndarray) -> list[DocSignature]:
        """Same buckets as ``MinHashLSH.query``, but one pipelined ``getmany`` per band for a
        whole block of documents: ``query`` costs one round trip per band per document
        (measured ~300 docs/s on loopback), too slow for a scheduled batch."""
        lsh = self._lsh
        ids: set[str] = set()
        for lo in range(0, len(minhashes), 2000):
            block = minhashes[lo : lo + 2000]
            for (start, end), table in zip(lsh.hashranges, lsh.hashtables):
                # lsh._H is how MinHashLSH turns a band of a MinHash into its bucket key.
                buckets = table.getmany(*[lsh._H(row[start:end]) for row in block])
                for members in buckets:
                    ids.update(pickle.loads(k) if lsh.prepickle else k for k in members)
        return sorted(self._fetch(sorted(ids)), key=lambda s: s.id)

    def _add(self, sigs: list[DocSignature], run: str) -> None:
        """Idempotent: LSH buckets first, then signatures and exact hashes in one MULTI/EXEC. A
        document counts as indexed once its signature is there, so an add interrupted at any
        point is completed by replaying it (bucket members are sets: re-inserting is harmless);
        before, the signature went first and a replay skipped documents whose buckets were
        never written, which were then never found again."""
        existing = self._r.hmget(f"{self.prefix}:sig", [s.id for s in sigs])
        new = [s for s, e in zip(sigs, existing) if e is None]
        with self._lsh.insertion_session() as session:
            for s in new:
                if self._near_eligible(s):
                    session.insert(s.id, self._lean(s.minhash), check_duplication=False)
        pipe = self._r.pipeline(transaction=True)
        pipe.rpush(f"{self.prefix}:runs", run)
        for s in new:
            head = json.dumps(_sig_record(s) | {"run": run}, sort_keys=True).encode()
            pipe.hset(f"{self.prefix}:sig", s.id,
                      head + b"\n" + s.minhash.astype(np.uint64).tobytes() + _feature_bytes(s))
            pipe.hsetnx(f"{self.prefix}:exact", s.content_hash, s.id)
        pipe.execute()

    def _runs_so_far(self) -> int:
        return int(self._r.llen(f"{self.prefix}:runs"))

    def __len__(self) -> int:
        return int(self._r.hlen(f"{self.prefix}:sig"))

    def close(self) -> None:
        self._r.close()


def _namespace(state_dir: Path | None) -> str:
    """A Redis index belongs to one corpus, like the state directory that records it: its keys
    live under an id kept in that directory (workers sharing the state share the index; a new
    output folder starts a new index instead of finding "copies" of a corpus it does not have)."""
    if state_dir is None:  # library use without a state directory: one shared default index
        return "default"
    path = Path(state_dir) / "redis_namespace"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(uuid.uuid4().hex + "\n", encoding="utf-8")
        os.replace(tmp, path)
    return path.read_text(encoding="utf-8").strip()


def open_index(config: Config, state_dir: Path | None) -> DedupIndex:
    """The index of documents kept by earlier runs: ``[dedup.index] backend`` decides where;
    with ``state_dir=None`` the sqlite backend falls back to memory (nothing to persist into)."""
    s = dedup_settings(config)
    if s.backend == "redis":
        index: DedupIndex = RedisIndex(s, s.redis_url, f"{s.redis_prefix}:{_namespace(state_dir)}")
    elif s.backend == "memory" or state_dir is None:
        return MemoryIndex(s)
    elif s.backend == "shards":
        from .shard_index import ShardIndex

        index = ShardIndex(s, Path(state_dir) / SHARDS_DIR)
    else:
        index = SqliteIndex(s, Path(state_dir) / s.sqlite_file)
    try:
        check_index_count(index, Path(state_dir) if state_dir is not None else None)
    except IndexLostError:
        index.close()
        raise
    return index


def _where(index: DedupIndex) -> str:
    if isinstance(index, RedisIndex):
        return f"redis index {index.settings.redis_url} {index.prefix}"
    if isinstance(index, SqliteIndex):
        return f"index file {index.path}"
    if index.backend == "shards":
        return f"index folder {index.folder}"
    return "index"


def check_index_count(index: DedupIndex, state_dir: Path | None) -> None:
    """Refuse an index that lost documents since the last run recorded its count."""
    if state_dir is None or not (state_dir / COUNT_FILE).is_file():
        return
    recorded = json.loads((state_dir / COUNT_FILE).read_text(encoding="utf-8"))
    if recorded.get("backend") != index.backend:
        return  # another backend was configured since: its count says nothing about this one
    have = len(index)
    if have < int(recorded["documents"]):
        raise IndexLostError(
            f"the dedup {_where(index)} holds {have} documents, but {recorded['documents']} were recorded "
            f"after the last run ({state_dir / COUNT_FILE}): it lost data (a Redis restart without "
            "persistence, a deleted or replaced index file?). Copies of the lost documents would enter the "
            "corpus unnoticed, so the run stops. Rebuild the index from the committed corpus with "
            "`newsclean reindex --out <output folder>`.")


def record_index_count(index: DedupIndex, state_dir: Path) -> None:
    """After an add: how many documents the index holds, for ``check_index_count`` next time."""
    if index.backend == "memory":
        return
    tmp = state_dir / (COUNT_FILE + ".tmp")
    tmp.write_text(json.dumps({"backend": index.backend, "documents": len(index)}) + "\n", encoding="utf-8")
    os.replace(tmp, state_dir / COUNT_FILE)


def drop_index(config: Config, state_dir: Path) -> None:
    """Delete the persisted index of this state directory (sqlite file, or the redis keys under
    its prefix) and its recorded count: the first step of ``rebuild_index``."""
    s = dedup_settings(config)
    (state_dir / COUNT_FILE).unlink(missing_ok=True)
    if s.backend == "redis":
        import redis

        r = redis.Redis(**_redis_params(s.redis_url))
        try:
            prefix = f"{s.redis_prefix}:{_namespace(state_dir)}"
            for key in r.scan_iter(match=f"{prefix}:*", count=1000):
                r.delete(key)
        finally:
            r.close()
    elif s.backend == "shards":
        import shutil

        shutil.rmtree(state_dir / SHARDS_DIR, ignore_errors=True)
    elif s.backend == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            (state_dir / (s.sqlite_file + suffix)).unlink(missing_ok=True)
