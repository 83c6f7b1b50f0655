"""``site_boilerplate``: lines a site repeats on many of its pages, learned from the corpus.

Cleaning rules see one page; a site's template (an "About the company" paragraph, a newsletter
box, a menu or footer line the other rules do not know) is only visible across pages. So the
corpus itself is the evidence: for every site (``sitename``, else the URL host without
``www.``; inputs with neither form one site, the whole input set) we count in how many
documents each normalized line occurs, incrementally in the state directory
(``site_boilerplate.sqlite3``, bounded per site). A line found in at least ``min_docs``
documents and ``min_share`` of the site's documents is its template and is removed, with a
provenance that names the site and the count. It runs after the other cleaning rules and
before dedup signatures, so a template never makes two stories look alike.

The flow (``flows/``) calls, per run: ``site_line_keys`` per batch, ``learn`` over this run's
keys plus the stored counts, ``apply_document`` to each staged document whose site has template
lines, and ``record_run`` once the run is committed.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from dataclasses import dataclass, field, replace
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import xxhash

from ..document import Document, Removal, rebuild_original

RULE = "site_boilerplate"
STATE_FILE = "site_boilerplate.sqlite3"
_WS = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Settings:
    enabled: bool
    min_docs: int
    min_share: float
    min_chars: int
    max_chars: int
    min_kept_chars: int
    max_lines_per_site: int


def settings(config: dict[str, Any]) -> Settings:
    t = config.get("site_boilerplate", {})
    return Settings(bool(t.get("enabled", True)), int(t.get("min_docs", 5)), float(t.get("min_share", 0.3)),
                    int(t.get("min_chars", 12)), int(t.get("max_chars", 3000)), int(t.get("min_kept_chars", 50)),
                    int(t.get("max_lines_per_site", 20000)))


def site_of(doc: Document) -> str:
    """The site a document belongs to: its site name, else its URL host; "" for neither."""
    if doc.sitename and doc.sitename.strip():
        return doc.sitename.strip()
    if doc.url:
        host = (urlsplit(doc.url).hostname or "").removeprefix("www.")
        if host:
            return host
    return ""


def _h(text: str) -> int:
    return xxhash.xxh3_64_intdigest(text.encode("utf-8", "surrogatepass")) & 0x7FFF_FFFF_FFFF_FFFF


def _lines(text: str, s: Settings) -> list[tuple[int, int, int]]:
    """(start, end, hash) of each countable line: its normalized text within the length bounds."""
    out, pos = [], 0
    for raw in text.split("\n"):
        norm = _WS.sub(" ", raw).strip().casefold()
        if s.min_chars <= len(norm) <= s.max_chars and any(c.isalpha() for c in norm):
            out.append((pos, pos + len(raw), _h(norm)))
        pos += len(raw) + 1
    return out


def _aggregate(rows: np.ndarray) -> np.ndarray:
    """(site, line, documents) rows with one row per (site, line), sorted: counts summed."""
    if len(rows) == 0:
        return np.zeros((0, 3), dtype=np.int64)
    order = np.lexsort((rows[:, 1], rows[:, 0]))
    rows = rows[order]
    first = np.r_[True, (rows[1:, 0] != rows[:-1, 0]) | (rows[1:, 1] != rows[:-1, 1])]
    starts = np.flatnonzero(first)
    out = rows[starts].copy()
    out[:, 2] = np.add.reduceat(rows[:, 2], starts)
    return out


def _counted(a: np.ndarray) -> np.ndarray:
    """A (site, line) array of an older pending file as (site, line, 1) rows."""
    return a if a.shape[1] == 3 else np.column_stack([a, np.ones(len(a), dtype=np.int64)])


# Rows a run's evidence may hold in memory before merging compacts them (24 bytes a row).
_COMPACT_ROWS = 2_000_000
# Rows aggregated at a time when the evidence is read back from its files (learn, record).
_CHUNK_ROWS = 2_000_000
_LINE_SPACE = 1 << 63  # line hashes are 63-bit (``_h``): chunks split this range


@dataclass
class RunLines:
    """This run's evidence: per site, how many documents, and per line hash how many documents.

    The (site_hash, line_hash, documents) int64 rows live in memory (``pairs``: one array per
    batch, summed into one sorted array whenever they grow past ``_COMPACT_ROWS``) or, in a
    flow, in files (``files``: raw int64 rows, one file per batch, see :meth:`spill`). A run of
    a million documents has ~10 million distinct lines: the flow process holds the file names
    only, and :meth:`row_chunks` reads them back a range of line hashes at a time."""

    site_names: dict[int, str] = field(default_factory=dict)
    site_docs: Counter[int] = field(default_factory=Counter)
    pairs: list[np.ndarray] = field(default_factory=list)
    _compacted: int = 0  # rows the last compaction left
    files: list[str] = field(default_factory=list)

    def merge(self, other: RunLines) -> None:
        self.site_names.update(other.site_names)
        self.site_docs.update(other.site_docs)
        self.files.extend(other.files)
        self.pairs.extend(_counted(a) for a in other.pairs)
        # Compact when the rows reach twice what the last compaction left (and the budget): a
        # corpus with ~2M distinct lines per run otherwise re-sorted all of them at every batch
        # (measured at 1M generated documents: the flow's merge ran for 10+ minutes).
        total = sum(len(a) for a in self.pairs)
        if len(self.pairs) > 1 and total > max(_COMPACT_ROWS, 2 * self._compacted):
            self.pairs = [_aggregate(np.concatenate([_counted(a) for a in self.pairs]))]
            self._compacted = len(self.pairs[0])

    def spill(self, path: Path) -> RunLines:
        """The same evidence with its in-memory rows written to ``path`` (raw int64 rows)."""
        rows = _aggregate(np.concatenate([_counted(a) for a in self.pairs])) if self.pairs else None
        files = list(self.files)
        if rows is not None and len(rows):
            write_rows(path, [rows])
            files.append(str(path))
        return RunLines(dict(self.site_names), Counter(self.site_docs), [], 0, files)

    def n_rows(self) -> int:
        """Rows before aggregation across batches (an upper bound of the distinct lines)."""
        return sum(len(a) for a in self.pairs) + sum(Path(f).stat().st_size // 24 for f in self.files)

    def row_chunks(self, extra: np.ndarray | None = None, max_rows: int = 0) -> Iterator[np.ndarray]:
        """The aggregated (site, line, documents) rows (plus ``extra`` rows, e.g. stored counts),
        a range of line hashes at a time: each (site, line) is in exactly one chunk, whole, and
        a chunk holds about ``max_rows`` rows (default ``_CHUNK_ROWS``) whatever the run's size."""
        extra = np.zeros((0, 3), dtype=np.int64) if extra is None else extra
        total = self.n_rows() + len(extra)
        n = max(1, -(-total // (max_rows or _CHUNK_ROWS)))
        bounds = [(k * _LINE_SPACE) // n for k in range(n + 1)]
        for lo, hi in zip(bounds, bounds[1:]):
            parts = []
            for a in self._sources(extra):
                parts.append(a if n == 1 else a[(a[:, 1] >= lo) & (a[:, 1] < hi)])
            rows = _aggregate(np.concatenate(parts)) if parts else np.zeros((0, 3), dtype=np.int64)
            if len(rows):
                yield rows

    def _sources(self, extra: np.ndarray) -> Iterator[np.ndarray]:
        yield from (_counted(a) for a in self.pairs)
        for f in self.files:
            yield read_rows(Path(f))
        if len(extra):
            yield extra

    def rows(self) -> np.ndarray:
        """(site, line, documents) rows, one per distinct (site, line), sorted (all in memory:
        for tests and small runs; the flow reads :meth:`row_chunks`)."""
        chunks = list(self.row_chunks(max_rows=1 << 62))
        return chunks[0] if chunks else np.zeros((0, 3), dtype=np.int64)

    def counts(self) -> dict[tuple[int, int], int]:
        return {(a, b): c for a, b, c in self.rows().tolist()}


def write_rows(path: Path, chunks: Iterable[np.ndarray]) -> int:
    """(site, line, documents) rows appended to a raw int64 file; returns the rows written."""
    n = 0
    with open(path, "wb") as fh:
        for rows in chunks:
            fh.write(np.ascontiguousarray(rows, dtype=np.int64).tobytes())
            n += len(rows)
    return n


def read_rows(path: Path) -> np.ndarray:
    """A :func:`write_rows` file, memory-mapped (read-only) as an (n, 3) int64 array."""
    if path.stat().st_size == 0:
        return np.zeros((0, 3), dtype=np.int64)
    return np.memmap(path, dtype=np.int64, mode="r").reshape(-1, 3)


def site_line_keys(docs: list[Document], config: dict[str, Any]) -> RunLines:
    """One batch's evidence (each document counts a line once)."""
    s = settings(config)
    out = RunLines()
    if not s.enabled:
        return out
    for d in docs:
        site = site_of(d)
        sh = _h("site:" + site)
        out.site_names[sh] = site
        out.site_docs[sh] += 1
        hashes = sorted({h for _, _, h in _lines(d.text, s)})
        if hashes:
            out.pairs.append(np.array([[sh, h, 1] for h in hashes], dtype=np.int64))
    if len(out.pairs) > 1:  # one array per batch, lines shared within the batch counted once
        out.pairs = [_aggregate(np.concatenate(out.pairs))]
    return out


@dataclass(frozen=True)
class Model:
    """Template lines per site: (site_hash, line_hash) -> documents sharing it, and site sizes."""

    lines: dict[tuple[int, int], int]
    site_docs: dict[int, int]
    site_names: dict[int, str]

    def __bool__(self) -> bool:
        return bool(self.lines)


def _connect(state_dir: Path) -> sqlite3.Connection:
    db = sqlite3.connect(Path(state_dir) / STATE_FILE, isolation_level=None, timeout=30)
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS sites (site INTEGER PRIMARY KEY, name TEXT NOT NULL, docs INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS lines (site INTEGER NOT NULL, line INTEGER NOT NULL, docs INTEGER NOT NULL,
            PRIMARY KEY (site, line)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS runs (seq INTEGER PRIMARY KEY);
        """
    )
    return db


def learn(run: RunLines, config: dict[str, Any], state_dir: Path | None) -> Model:
    """Counts of earlier runs (state directory) plus this run's, reduced to the template lines.
    The run's rows are read a chunk at a time (:meth:`RunLines.row_chunks`): memory follows
    the chunk and the template lines, not the run's distinct lines."""
    s = settings(config)
    site_docs = Counter(run.site_docs)
    names = dict(run.site_names)
    stored = np.zeros((0, 3), dtype=np.int64)
    if state_dir is not None and (Path(state_dir) / STATE_FILE).is_file() and site_docs:
        db = _connect(state_dir)
        found: list[tuple[int, int, int]] = []
        try:
            sites = list(site_docs)
            for site, name, n in _for_sites(db, "SELECT site, name, docs FROM sites WHERE site IN ({})", sites):
                site_docs[site] += n
                names.setdefault(site, name)
            found += _for_sites(db, "SELECT site, line, docs FROM lines WHERE site IN ({}) AND docs >= 1", sites)
        finally:
            db.close()
        if found:  # bounded: at most max_lines_per_site per site
            stored = np.array(found, dtype=np.int64)
    # Vectorized over the run's distinct lines: only the template lines become Python objects.
    sites = np.array(sorted(site_docs), dtype=np.int64)
    docs = np.array([site_docs[k] for k in sites.tolist()], dtype=np.float64)
    lines: dict[tuple[int, int], int] = {}
    if len(sites):
        for rows in run.row_chunks(extra=stored):
            site_n = docs[np.searchsorted(sites, rows[:, 0])]
            keep = (rows[:, 2] >= s.min_docs) & (rows[:, 2] >= s.min_share * site_n)
            lines.update({(a, b): n for a, b, n in rows[keep].tolist()})
    lines = dict(sorted(lines.items()))
    return Model(lines, {k: site_docs[k] for k in sorted({a for a, _ in lines})}, names)


def apply_document(doc: Document, model: Model, config: dict[str, Any]) -> Document:
    """``doc`` without its site's template lines (each removal names the site and its count).
    A document that would keep fewer than ``min_kept_chars`` characters is left as it is: it is
    all template, and removing everything would hide it, not clean it."""
    s = settings(config)
    site = site_of(doc)
    sh = _h("site:" + site)
    if sh not in model.site_docs:
        return doc
    text = doc.text
    spans: list[tuple[int, int, int]] = []
    for a, b, h in _lines(text, s):
        n = model.lines.get((sh, h))
        if n:
            end = b
            while end < len(text) and text[end] == "\n":  # the line's own line breaks go with it
                end += 1
            spans.append((a, end, n))
    if not spans:
        return doc
    removed_chars = sum(e - a for a, e, _ in spans)
    if len(text.strip()) - removed_chars < s.min_kept_chars:
        return doc
    original = rebuild_original(text, doc.removed)
    segments = _kept_segments(len(original), doc.removed)
    label = site or "(input set)"
    new_removals: list[Removal] = []
    for a, e, n in spans:
        for oa, ob in _to_original(a, e, segments):
            new_removals.append(Removal(RULE, original[oa:ob], oa, ob,
                                        detail=f"site {label}: line in {n} of {model.site_docs[sh]} documents"))
    kept = []
    pos = 0
    for a, e, _ in spans:
        kept.append(text[pos:a])
        pos = e
    kept.append(text[pos:])
    new_text = "".join(kept)
    return replace(doc, text=new_text, removed=sorted(doc.removed + new_removals, key=lambda r: r.start))


def _kept_segments(n: int, removed: list[Removal]) -> list[tuple[int, int]]:
    """Intervals of the original text that the current text is made of, in order."""
    segs, pos = [], 0
    for r in sorted(removed, key=lambda r: r.start):
        if r.start > pos:
            segs.append((pos, r.start))
        pos = max(pos, r.end)
    if pos < n:
        segs.append((pos, n))
    return segs


def _to_original(a: int, e: int, segments: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Current-text span [a, e) as one or more original-text spans."""
    out, cur = [], 0
    for sa, sb in segments:
        length = sb - sa
        lo, hi = max(a, cur), min(e, cur + length)
        if lo < hi:
            out.append((sa + lo - cur, sa + hi - cur))
        cur += length
        if cur >= e:
            break
    return out


def record_run(run: RunLines, config: dict[str, Any], state_dir: Path, seq: int) -> None:
    """Add a committed run's counts to the state (once per run: a replay is a no-op). Per site
    only the ``max_lines_per_site`` most shared lines are kept, so the state stays bounded.

    Streamed: lines the state already holds get their counts added; of the run's other lines
    only each site's ``max_lines_per_site`` most shared can survive the trim (ties by line, as
    the trim breaks them), so only those are inserted - the same state as inserting every line
    and trimming, without writing a million-document run's ten million lines first."""
    s = settings(config)
    if not run.site_docs:
        return
    db = _connect(state_dir)
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            if db.execute("SELECT 1 FROM runs WHERE seq = ?", (seq,)).fetchone():
                db.execute("ROLLBACK")
                return
            db.execute("INSERT INTO runs VALUES (?)", (seq,))
            db.executemany("INSERT INTO sites VALUES (?, ?, ?) ON CONFLICT(site) DO UPDATE SET docs = docs + excluded.docs",
                           [(k, run.site_names.get(k, ""), n) for k, n in sorted(run.site_docs.items())])
            known = _stored_keys(db, sorted(run.site_docs))
            upsert = ("INSERT INTO lines VALUES (?, ?, ?) ON CONFLICT(site, line) "
                      "DO UPDATE SET docs = docs + excluded.docs")
            best = np.zeros((0, 3), dtype=np.int64)  # each site's most shared new lines so far
            for rows in run.row_chunks():
                held = _isin_rows(rows, known)
                _executemany_rows(db, upsert, rows[held])
                best = _top_per_site(np.concatenate([best, rows[~held]]), s.max_lines_per_site)
            _executemany_rows(db, upsert, best)
            for (site,) in db.execute("SELECT site FROM lines GROUP BY site HAVING COUNT(*) > ?",
                                      (s.max_lines_per_site,)).fetchall():
                db.execute("DELETE FROM lines WHERE site = ? AND line NOT IN (SELECT line FROM lines WHERE site = ? "
                           "ORDER BY docs DESC, line LIMIT ?)", (site, site, s.max_lines_per_site))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    finally:
        db.close()


def _for_sites(db: sqlite3.Connection, sql: str, sites: list[int]) -> list[tuple[Any, ...]]:
    """The rows of ``sql`` (``site IN ({})``) for these sites, 500 sites a query (SQLite's
    parameter limit)."""
    found: list[tuple[Any, ...]] = []
    for lo in range(0, len(sites), 500):
        chunk = sites[lo : lo + 500]
        found += db.execute(sql.format(",".join("?" * len(chunk))), chunk)
    return found


def _stored_keys(db: sqlite3.Connection, sites: list[int]) -> np.ndarray:
    """(site, line) rows the state holds for these sites, sorted (bounded per site)."""
    found = _for_sites(db, "SELECT site, line FROM lines WHERE site IN ({})", sites)
    return np.array(sorted(found), dtype=np.int64).reshape(-1, 2)


def _isin_rows(rows: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Which (site, line, ...) rows have their (site, line) among the sorted ``keys``."""
    if not len(keys) or not len(rows):
        return np.zeros(len(rows), dtype=bool)
    kv = np.ascontiguousarray(keys[:, :2]).view([("s", np.int64), ("l", np.int64)]).ravel()
    rv = np.ascontiguousarray(rows[:, :2]).view([("s", np.int64), ("l", np.int64)]).ravel()
    pos = np.minimum(np.searchsorted(kv, rv), len(kv) - 1)
    return kv[pos] == rv


def _top_per_site(rows: np.ndarray, k: int) -> np.ndarray:
    """Each site's ``k`` rows with the most documents (ties: the smaller line hash first)."""
    if len(rows) <= k:
        return rows
    rows = rows[np.lexsort((rows[:, 1], -rows[:, 2], rows[:, 0]))]
    starts = np.r_[0, np.flatnonzero(rows[1:, 0] != rows[:-1, 0]) + 1]
    rank = np.arange(len(rows)) - np.repeat(starts, np.diff(np.r_[starts, len(rows)]))
    return rows[rank < k]


def _executemany_rows(db: sqlite3.Connection, sql: str, rows: np.ndarray, step: int = 100_000) -> None:
    for lo in range(0, len(rows), step):
        db.executemany(sql, rows[lo : lo + step].tolist())
