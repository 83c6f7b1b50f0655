"""Incremental, crash-safe run state: which inputs were processed, which corpus parts exist.

The state directory (default ``<out>/state/``) holds ``state.sqlite``; the out directory holds
the corpus as parts written by each run (``corpus/part-000001.jsonl`` and likewise for
``rejected/`` and ``duplicates/``) and ``manifest.json`` listing the committed parts.

Commit protocol (each step atomic; a crash between any two is recovered on the next run):

1. the run writes its parts under their final names (not yet listed anywhere);
2. it saves the signatures to add to the dedup index as a *pending* file;
3. ONE SQLite transaction records the run, its parts and every input it processed —
   this is the commit point;
4. the dedup index gets the pending signatures (idempotent), then the pending file goes;
5. ``manifest.json`` and the top-level full view are regenerated from the database.

On start, :meth:`StateStore.recover` deletes parts that no committed run owns (a crashed
run's), replays pending index additions of committed runs, and rewrites the manifest. So a
killed run loses nothing and writes nothing twice: its inputs are simply not yet processed.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .document import storable_text
from .output import atomic_writer

PART_KINDS = ("corpus", "rejected", "duplicates")
MANIFEST_FILE = "manifest.json"
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    seq INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    finished_at TEXT NOT NULL,
    counts TEXT NOT NULL,
    index_pending INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS parts (
    kind TEXT NOT NULL,
    file TEXT NOT NULL,
    seq INTEGER NOT NULL,
    records INTEGER NOT NULL,
    PRIMARY KEY (kind, file)
);
CREATE TABLE IF NOT EXISTS processed (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    skey TEXT NOT NULL,
    seq INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    duplicate_of TEXT,
    superseded_by TEXT
);
CREATE TABLE IF NOT EXISTS retracted (id TEXT PRIMARY KEY, seq INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS processed_skey ON processed (skey);
CREATE INDEX IF NOT EXISTS processed_duplicate_of ON processed (duplicate_of);
"""

# A superseded_by value with this prefix marks a duplicate whose kept copy was superseded:
# hidden from the view and read again (re-deduplicated) by the next pass.
REQUEUED = "requeued:"
_POSITION = re.compile(r"^(.*?)((?::\d+)|(?:@\d+))?$")


class StateLocked(RuntimeError):
    """Another newsclean run holds the state directory."""


class StateError(RuntimeError):
    """The state directory cannot be used with this output folder."""


@dataclass(frozen=True, slots=True)
class ProcessedInput:
    id: str
    source: str
    outcome: str  # "kept" | "duplicate" | "rejected"
    duplicate_of: str | None = None


def identity_key(item: Any) -> str:
    """What makes two inputs "the same document" across runs, so a new version supersedes
    the old one: its url; else the record's own id within its file; else the file's resolved
    path plus the line or WARC offset. Independent of how the path was spelled."""
    if getattr(item, "url", None):
        return storable_text(str(item.url))
    m = _POSITION.match(storable_text(item.source))
    path, position = (m.group(1), m.group(2) or "") if m else (item.source, "")
    resolved = Path(path).resolve().as_posix()
    source_id = (getattr(item, "metadata", None) or {}).get("source_id")
    return storable_text(f"{resolved}#id={source_id}" if source_id else resolved + position)


@dataclass(slots=True)
class NewInputs:
    """What :meth:`StateStore.split_new` decided for one batch of inputs."""

    items: list[Any]  # to process in this run
    skipped: int  # processed before, unchanged
    keys: dict[str, str]  # id -> identity key, for the items to process and the revived
    superseded: dict[str, str]  # earlier id -> the id that replaces it
    revived: list[str]  # earlier versions that are current again (a file changed back)


def pending_sidecars(pending: Path) -> tuple[Path, Path]:
    """The files a pending index entry keeps beside it: the kept signatures, the site-line evidence."""
    return pending.with_suffix(".sigs"), pending.with_suffix(".sitelines")


class StateStore:
    """The state of one output folder across runs. Use :meth:`locked` around a whole run."""

    def __init__(self, state_dir: Path, out_dir: Path) -> None:
        self.state_dir = Path(state_dir)
        self.out_dir = Path(out_dir)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.db_path = self.state_dir / "state.sqlite"
        self.db = sqlite3.connect(self.db_path, isolation_level=None, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(_SCHEMA)
        self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        self._lock_fh: Any = None

    # -- locking ---------------------------------------------------------------------------
    @contextmanager
    def locked(self) -> Iterator[StateStore]:
        """Hold an exclusive lock on the state directory for a whole run or compaction."""
        path = self.state_dir / "lock"
        fh = path.open("a+")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "unknown"
            fh.close()
            raise StateLocked(
                f"state directory {self.state_dir} is in use by another newsclean run ({holder}); "
                "wait for it to finish or use another --out/--state-dir"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} since {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}\n")
        fh.flush()
        self._lock_fh = fh
        try:
            yield self
        finally:
            fh.seek(0)
            fh.truncate()
            fcntl.flock(fh, fcntl.LOCK_UN)
            fh.close()
            self._lock_fh = None

    def close(self) -> None:
        self.db.close()

    # -- queries ---------------------------------------------------------------------------
    def next_seq(self) -> int:
        row = self.db.execute("SELECT COALESCE(MAX(seq), 0) FROM runs").fetchone()
        return int(row[0]) + 1

    def committed_parts(self) -> list[tuple[str, str, int, int]]:
        return self.db.execute("SELECT kind, file, seq, records FROM parts ORDER BY kind, seq, file").fetchall()

    def runs(self) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT seq, name, finished_at, counts FROM runs ORDER BY seq").fetchall()
        return [{"seq": s, "name": n, "finished_at": f, "counts": json.loads(c)} for s, n, f, c in rows]

    def split_new(self, items: Iterable[Any]) -> NewInputs:
        """Which items need processing, and which earlier documents they supersede.

        An item whose id (a hash of its source key and content) was processed by a committed
        run is skipped. An item with an identity key (:func:`identity_key`) seen before with
        other content is new, and supersedes the earlier document. An item whose exact
        content was superseded before (a file changed back) revives that earlier document.
        """
        items = list(items)
        rows: dict[str, str | None] = {}
        for chunk in _chunks([i.id for i in items], 500):
            q = f"SELECT id, superseded_by FROM processed WHERE id IN ({','.join('?' * len(chunk))})"
            rows.update(self.db.execute(q, chunk).fetchall())
        retracted: set[str] = set()
        for chunk in _chunks([i.id for i in items], 500):
            q = f"SELECT id FROM retracted WHERE id IN ({','.join('?' * len(chunk))})"
            retracted.update(r[0] for r in self.db.execute(q, chunk))
        new, revived, keys = [], [], {}
        for item in items:
            state = rows.get(item.id, "absent")
            if state == "absent" or (state or "").startswith(REQUEUED) or item.id in retracted:
                new.append(item)
                keys[item.id] = identity_key(item)
            elif state is not None:
                revived.append(item.id)
                keys[item.id] = identity_key(item)
        current = {keys[i]: i for i in [*(x.id for x in new), *revived]}
        superseded: dict[str, str] = {}
        for chunk in _chunks(list(current), 500):
            q = (f"SELECT id, skey FROM processed WHERE superseded_by IS NULL AND skey IN "
                 f"({','.join('?' * len(chunk))})")
            for old_id, skey in self.db.execute(q, chunk):
                if old_id != current[skey]:
                    superseded[old_id] = current[skey]
        skipped = len(items) - len(new) - len(revived)
        return NewInputs(new, skipped, keys, superseded, revived)

    def hidden_ids(self) -> set[str]:
        """Documents not in the current view: superseded, or requeued for re-deduplication."""
        return {r[0] for r in self.db.execute("SELECT id FROM processed WHERE superseded_by IS NOT NULL")}

    def index_hidden_ids(self) -> set[str]:
        """What the dedup index must not find: documents out of the view and retracted ones."""
        return self.hidden_ids() | {r[0] for r in self.db.execute("SELECT id FROM retracted")}

    def visible_seqs(self) -> dict[str, int]:
        """id -> the run whose part holds its current record (the latest processing wins)."""
        return dict(self.db.execute(_VISIBLE))

    def requeued_count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM processed WHERE superseded_by LIKE ?", (REQUEUED + "%",)).fetchone()[0]

    def bind_out_dir(self) -> None:
        """One state directory serves one output folder: its parts live there."""
        here = self.out_dir.resolve().as_posix()
        row = self.db.execute("SELECT value FROM meta WHERE key = 'out_dir'").fetchone()
        if row is None:
            self.db.execute("INSERT INTO meta VALUES ('out_dir', ?)", (here,))
        elif row[0] != here:
            raise StateError(f"state directory {self.state_dir} belongs to output folder {row[0]}, not {here}; "
                             "use that --out, or another --state-dir")

    # -- commit ----------------------------------------------------------------------------
    def pending_index_path(self, seq: int) -> Path:
        return self.state_dir / f"pending-index-{seq:06d}.pkl"

    def commit_run(self, seq: int, name: str, parts: dict[str, tuple[str, int]], processed: Iterable[ProcessedInput],
                   keys: dict[str, str] | Iterable[tuple[str, str]], superseded: dict[str, str], revived: list[str], counts: dict[str, Any],
                   index_pending: bool) -> int:
        """The commit point: one transaction records the run, its parts, its inputs and what
        they supersede. Returns how many duplicates were requeued because the document they
        copied was superseded (they are re-deduplicated by the next pass)."""
        finished = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        with self._tx() as cur:
            cur.execute("INSERT INTO runs VALUES (?, ?, ?, ?, ?)",
                        (seq, name, finished, json.dumps(counts, sort_keys=True), int(index_pending)))
            cur.executemany("INSERT INTO parts VALUES (?, ?, ?, ?)",
                            [(kind, file, seq, n) for kind, (file, n) in sorted(parts.items())])
            # Streamed in: the keys through a temporary table, the rows one at a time (a run's
            # inputs are never all held as Python objects).
            cur.execute("CREATE TEMP TABLE IF NOT EXISTS run_keys (id TEXT PRIMARY KEY, skey TEXT NOT NULL)")
            cur.execute("DELETE FROM temp.run_keys")
            cur.executemany("INSERT OR REPLACE INTO temp.run_keys VALUES (?, ?)",
                            ((i, storable_text(k)) for i, k in (keys.items() if isinstance(keys, dict) else keys)))
            cur.executemany(
                "INSERT OR REPLACE INTO processed (id, source, skey, seq, outcome, duplicate_of) VALUES "
                "(?, ?, COALESCE((SELECT skey FROM temp.run_keys WHERE id = ?), ?), ?, ?, ?)",
                ((p.id, storable_text(p.source), p.id, storable_text(p.source), seq, p.outcome, p.duplicate_of)
                 for p in processed))
            cur.execute("DELETE FROM retracted WHERE id IN (SELECT id FROM processed WHERE seq = ?)", (seq,))
            cur.execute("DELETE FROM temp.run_keys")
            return self._apply_supersessions(cur, superseded, revived)

    def apply_supersessions(self, superseded: dict[str, str], revived: list[str]) -> int:
        """Record supersessions found by a run that processed nothing new (a file changed back)."""
        with self._tx() as cur:
            return self._apply_supersessions(cur, superseded, revived)

    @staticmethod
    def _apply_supersessions(cur: sqlite3.Cursor, superseded: dict[str, str], revived: list[str]) -> int:
        cur.executemany("UPDATE processed SET superseded_by = NULL WHERE id = ?", [(i,) for i in sorted(revived)])
        cur.executemany("UPDATE processed SET superseded_by = ? WHERE id = ?",
                        [(new, old) for old, new in sorted(superseded.items())])
        requeued = 0
        for old in sorted(superseded):
            cur.execute("UPDATE processed SET superseded_by = ? WHERE outcome = 'duplicate' AND duplicate_of = ? "
                        "AND superseded_by IS NULL", (REQUEUED + old, old))
            requeued += cur.rowcount
        return requeued

    def mark_index_done(self, seq: int) -> None:
        self.db.execute("UPDATE runs SET index_pending = 0 WHERE seq = ?", (seq,))
        self.pending_index_path(seq).unlink(missing_ok=True)
        for side in pending_sidecars(self.pending_index_path(seq)):
            side.unlink(missing_ok=True)

    def pending_index_runs(self) -> list[int]:
        return [r[0] for r in self.db.execute("SELECT seq FROM runs WHERE index_pending = 1 ORDER BY seq")]

    def replace_parts(self, kind: str, old: list[tuple[str, int]], new_file: str, records: int, seq: int) -> None:
        """Compaction's commit point: swap several parts for one in a single transaction; the
        records moved into it now live in part ``seq``."""
        with self._tx() as cur:
            cur.executemany("DELETE FROM parts WHERE kind = ? AND file = ?", [(kind, f) for f, _ in old])
            cur.execute("INSERT INTO parts VALUES (?, ?, ?, ?)", (kind, new_file, seq, records))
            outcome = {"corpus": "kept", "rejected": "rejected", "duplicates": "duplicate"}[kind]
            cur.executemany("UPDATE processed SET seq = ? WHERE seq = ? AND outcome = ?",
                            [(seq, s, outcome) for _, s in old if s != seq])

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Cursor]:
        cur = self.db.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            yield cur
            cur.execute("COMMIT")
        except BaseException:
            # SQLite may have rolled back already (disk full, I/O error): a second ROLLBACK would
            # replace the real error with "cannot rollback - no transaction is active".
            if self.db.in_transaction:
                try:
                    cur.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
            raise

    # -- retraction ------------------------------------------------------------------------
    def retractable(self, paths: Iterable[Path] = (), missing: bool = False) -> list[tuple[str, str, str, str]]:
        """Current kept or duplicate documents read from one of ``paths`` (a file, or anything
        under a folder), or with ``missing``, from a file that no longer exists: ``(id, source,
        skey, why)``. Sources are resolved against the current folder, as the run spelled them."""
        targets = [Path(p).resolve() for p in paths]
        out: list[tuple[str, str, str, str]] = []
        rows = self.db.execute("SELECT id, source, skey FROM processed WHERE superseded_by IS NULL "
                               "AND outcome IN ('kept', 'duplicate') ORDER BY id")
        for doc_id, source, skey in rows:
            m = _POSITION.match(source)
            path = Path(m.group(1) if m else source)
            resolved = path.resolve()
            if any(resolved == t or resolved.is_relative_to(t) for t in targets):
                out.append((doc_id, source, skey, "input retracted with `newsclean retract`"))
            elif missing and not path.exists():
                out.append((doc_id, source, skey, "input file no longer exists (`newsclean retract --prune-missing`)"))
        return out

    def commit_retraction(self, seq: int, part: tuple[str, int], rows: list[tuple[str, str, str, str]]) -> None:
        """One transaction: the retraction is a run whose rejected part holds the retracted
        documents (reason ``retracted``); they leave the corpus and duplicates views, the dedup
        index stops finding them, and an input that comes back is read again."""
        finished = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        with self._tx() as cur:
            cur.execute("INSERT INTO runs VALUES (?, ?, ?, ?, ?)",
                        (seq, f"run-{seq:06d}", finished, json.dumps({"retracted": len(rows)}), 0))
            cur.execute("INSERT INTO parts VALUES (?, ?, ?, ?)", ("rejected", part[0], seq, part[1]))
            cur.executemany("UPDATE processed SET outcome = 'rejected', seq = ?, duplicate_of = NULL WHERE id = ?",
                            [(seq, r[0]) for r in rows])
            cur.executemany("INSERT OR REPLACE INTO retracted VALUES (?, ?)", [(r[0], seq) for r in rows])

    # -- recovery and views ----------------------------------------------------------------
    def recover(self) -> dict[str, Any]:
        """Undo what a killed run left behind: orphan parts, staging folders, temp files."""
        owned = {(k, f) for k, f, _, _ in self.committed_parts()}
        removed: list[str] = []
        for kind in PART_KINDS:
            folder = self.out_dir / kind
            if not folder.is_dir():
                continue
            for f in sorted(folder.iterdir()):
                if f.is_file() and (kind, f.name) not in owned:
                    f.unlink()
                    removed.append(f"{kind}/{f.name}")
        staging = self.out_dir / ".staging"
        if staging.is_dir():
            import shutil

            for d in sorted(staging.iterdir()):
                shutil.rmtree(d, ignore_errors=True)
                removed.append(f".staging/{d.name}")
        for tmp in sorted(self.out_dir.glob(".*.tmp")):
            tmp.unlink(missing_ok=True)
            removed.append(tmp.name)
        committed = {r[0] for r in self.db.execute("SELECT seq FROM runs WHERE index_pending = 1")}
        for f in sorted(self.state_dir.glob("pending-index-*")):
            # the pending file and its sidecars (.sigs, .sitelines) of runs that never committed
            if f.suffix != ".tmp" and int(f.stem.rsplit("-", 1)[1]) not in committed:
                f.unlink()
                removed.append(f"state/{f.name}")
        return {"removed": removed, "pending_index_runs": self.pending_index_runs()}

    def manifest(self) -> dict[str, Any]:
        parts: dict[str, list[dict[str, Any]]] = {k: [] for k in PART_KINDS}
        for kind, file, seq, n in self.committed_parts():
            parts[kind].append({"file": f"{kind}/{file}", "run_seq": seq, "records": n})
        current = dict(self.db.execute(
            "SELECT outcome, COUNT(*) FROM processed WHERE superseded_by IS NULL GROUP BY outcome").fetchall())
        return {
            "schema_version": SCHEMA_VERSION,
            "runs": self.runs(),
            "parts": parts,
            "hidden_ids": sorted(self.hidden_ids()),
            "totals": {"corpus": current.get("kept", 0), "rejected": current.get("rejected", 0),
                       "duplicates": current.get("duplicate", 0)},
        }

    def write_manifest(self) -> dict[str, Any]:
        m = self.manifest()
        with atomic_writer(self.out_dir / MANIFEST_FILE) as fh:
            json.dump(m, fh, indent=2, sort_keys=True, ensure_ascii=False)
            fh.write("\n")
        return m


def _chunks(seq: list[Any], n: int) -> Iterator[list[Any]]:
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


def iter_part_lines(out_dir: Path, parts: list[tuple[str, int]], visible: dict[str, int] | None) -> Iterator[str]:
    """Lines of the given ``(file, run seq)`` parts in order, keeping a record only where it is
    current: ``visible[id]`` names the part that holds a document's latest processing. With
    ``visible`` None every line is kept."""
    for rel, seq in parts:
        with (out_dir / rel).open(encoding="utf-8") as fh:
            for line in fh:
                if visible is None or visible.get(json.loads(line)["id"]) == seq:
                    yield line


_VISIBLE = "SELECT id, seq FROM processed WHERE superseded_by IS NULL"


def read_visible_seqs(db_path: str | Path) -> dict[str, int]:
    """``StateStore.visible_seqs`` read from the state database file (read only), for a task
    that runs away from the flow process."""
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return dict(db.execute(_VISIBLE))
    finally:
        db.close()


class SupersededFilter:
    """A read view of a dedup index that hides superseded documents.

    When a changed input replaces its earlier version, the earlier version must not make the
    new one look like its near-duplicate; it is hidden here instead of deleted from the
    index, so the index stays append-only (and crash-safe).
    """

    def __init__(self, index: Any, hidden_ids: set[str]) -> None:
        self.index = index
        self.hidden = hidden_ids

    def lookup_exact(self, hashes: Iterable[str]) -> dict[str, Any]:
        return {h: s for h, s in self.index.lookup_exact(hashes).items() if s.id not in self.hidden}

    def candidates(self, minhashes: Any) -> list[Any]:
        return [s for s in self.index.candidates(minhashes) if s.id not in self.hidden]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.index, name)


def compact(store: StateStore) -> dict[str, Any]:
    """Merge each kind's parts into one, keeping only current records. Call under the lock.

    Crash-safe like a run: the merged part is written first (an orphan until committed), one
    transaction swaps it in for the old parts, and only then are the old files deleted (an
    interrupted deletion leaves orphans that :meth:`StateStore.recover` removes).
    """
    visible = store.visible_seqs()
    result: dict[str, Any] = {}
    by_kind: dict[str, list[tuple[str, int]]] = {k: [] for k in PART_KINDS}
    for kind, file, seq, _ in store.committed_parts():
        by_kind[kind].append((file, seq))
    for kind, parts in by_kind.items():
        if not parts:
            result[kind] = {"parts_before": 0, "parts_after": 0}
            continue
        first, last = min(s for _, s in parts), max(s for _, s in parts)
        new_name = f"part-{first:06d}-{last:06d}.jsonl"
        if new_name in {f for f, _ in parts}:
            new_name = f"part-{first:06d}-{last:06d}-c.jsonl"
        n = 0
        with atomic_writer(store.out_dir / kind / new_name) as fh:
            for line in iter_part_lines(store.out_dir, [(f"{kind}/{f}", s) for f, s in parts], visible):
                fh.write(line)
                n += 1
        store.replace_parts(kind, parts, new_name, n, last)
        for f, _ in parts:
            if f != new_name:
                (store.out_dir / kind / f).unlink(missing_ok=True)
        result[kind] = {"parts_before": len(parts), "parts_after": 1, "records": n}
    store.write_manifest()
    return result


def retract(store: StateStore, paths: Iterable[str | Path] = (), missing: bool = False) -> dict[str, int]:
    """Move the records of retracted inputs (named ``paths``, or with ``missing`` those whose file
    is gone) out of the corpus and duplicates into rejected, reason ``retracted``. Call under the
    lock. Crash-safe like a run: the part is written first (an orphan until the commit), then one
    transaction commits it; the manifest and full view follow."""
    found = store.retractable([Path(p) for p in paths], missing)
    kinds = dict(store.db.execute("SELECT id, outcome FROM processed WHERE superseded_by IS NULL "
                                  "AND outcome IN ('kept', 'duplicate')").fetchall()) if found else {}
    result = {"retracted": len(found), "kept": sum(1 for r in found if kinds.get(r[0]) == "kept"),
              "duplicates": sum(1 for r in found if kinds.get(r[0]) == "duplicate")}
    if not found:
        return result
    seq = store.next_seq()
    name = f"part-{seq:06d}.jsonl"
    from .output import write_jsonl

    n = write_jsonl(store.out_dir / "rejected" / name,
                    ({"id": i, "source": s, "reason": "retracted", "detail": why, "value": None, "url": None}
                     for i, s, _, why in found))
    store.commit_retraction(seq, (name, n), found)
    manifest = store.write_manifest()
    if (store.out_dir / "corpus.jsonl").is_file():  # the full view is on: rebuild it
        write_full_view(store, manifest)
    return result


def write_full_view(store: StateStore, manifest: dict[str, Any]) -> None:
    """corpus.jsonl, rejected.jsonl and duplicates.jsonl from the committed parts (current records only)."""
    visible = store.visible_seqs()
    for kind in PART_KINDS:
        parts = [(p["file"], p["run_seq"]) for p in manifest["parts"][kind]]
        with atomic_writer(store.out_dir / f"{kind}.jsonl") as fh:
            for line in iter_part_lines(store.out_dir, parts, visible):
                fh.write(line)
