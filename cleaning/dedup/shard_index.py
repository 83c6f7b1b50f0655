"""A compact on-disk index of kept documents, sharded by band-key range (``[dedup.index] backend =
"shards"``): near-duplicate lookups read only the band-key ranges their keys fall in, and the
lookup part holds 4-byte band keys and 4-byte row numbers, nothing else.

Layout of the folder (``[dedup.index] shards_dir`` in the state directory)::

    meta.json                     sketch parameters (checked on open), ranges
    segments.json                 committed segments in order: [{"run", "dir", "n"}] (replaced atomically)
    seg-000001/bands-RRR.parquet  per band-key range: (key uint32, row uint32), sorted by key
    seg-000001/exact.parquet      (content hash 16 bytes, row uint32), sorted by hash, then row
    seg-000001/sigs.parquet       the documents (record, MinHash, features) in row order, in row
                                  groups of 1,024: the feature store, read only for the rows a lookup found

One ``add`` (one run) writes one new segment folder and then replaces ``segments.json``: a crash
before that leaves an orphan folder that the next add overwrites, and replaying the same run
after the commit is a no-op (the run is already listed). A band key is stored as the 32 bits
below its range bits, so a lookup can meet a false key; the found documents' full keys are
checked again, so ``candidates`` returns what SqliteIndex returns.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from .index import DedupIndex, _check_meta, _expected_meta
from .settings import DedupSettings
from .signature import DocSignature, band_keys, in_sorted, sorted_unique

ROW_GROUP = 1024


def _range_of(keys: np.ndarray, bits: int) -> tuple[np.ndarray, np.ndarray]:
    """(range number, the 32-bit key stored in that range) of int64 band keys."""
    u = keys.view(np.uint64)
    rng = (u >> np.uint64(64 - bits)).astype(np.int64) if bits else np.zeros(len(u), np.int64)
    low = ((u >> np.uint64(32 - bits)) & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    return rng, low


def _hash16(hashes: Iterable[str]) -> np.ndarray:
    return np.array([bytes.fromhex(h) for h in hashes], dtype="S16")


class ShardIndex(DedupIndex):
    backend = "shards"

    def __init__(self, settings: DedupSettings, folder: Path, n_ranges: int = 64) -> None:
        super().__init__(settings)
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        meta_path = self.folder / "meta.json"
        if meta_path.is_file():
            stored = json.loads(meta_path.read_text(encoding="utf-8"))
            _check_meta(stored, settings, str(self.folder))
            n_ranges = int(stored["n_ranges"])
        else:
            _write_json(meta_path, {**_expected_meta(settings), "n_ranges": n_ranges})
        if n_ranges < 1 or n_ranges & (n_ranges - 1) or n_ranges > 1 << 16:
            raise ValueError(f"n_ranges must be a power of two in [1, 65536], got {n_ranges}")
        self.bits = n_ranges.bit_length() - 1
        self.n_ranges = n_ranges
        seg_path = self.folder / "segments.json"
        self.segments: list[dict[str, Any]] = (json.loads(seg_path.read_text(encoding="utf-8"))
                                               if seg_path.is_file() else [])
        self._bands: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
        self._exact: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    # -- reading ------------------------------------------------------------------------------
    def _seg_dir(self, k: int) -> Path:
        return self.folder / self.segments[k]["dir"]

    def _band_table(self, k: int, r: int) -> tuple[np.ndarray, np.ndarray]:
        got = self._bands.get((k, r))
        if got is None:
            import pyarrow.parquet as pq

            path = self._seg_dir(k) / f"bands-{r:03d}.parquet"
            if path.is_file():
                t = pq.read_table(path)
                got = (t.column("key").to_numpy(), t.column("row").to_numpy())
            else:
                got = (np.empty(0, np.uint32), np.empty(0, np.uint32))
            self._bands[(k, r)] = got
        return got

    def _exact_table(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        got = self._exact.get(k)
        if got is None:
            import pyarrow.parquet as pq

            t = pq.read_table(self._seg_dir(k) / "exact.parquet")
            got = (np.array(t.column("hash").to_pylist(), dtype="S16"), t.column("row").to_numpy())
            self._exact[k] = got
        return got

    def _load(self, k: int, rows: np.ndarray) -> list[DocSignature]:
        """Rows of segment ``k``'s feature store: only the row groups that hold them are read."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        from .shards import _sigs_from_table

        rows = sorted_unique(np.asarray(rows, dtype=np.int64))
        if not len(rows):
            return []
        pf = pq.ParquetFile(self._seg_dir(k) / "sigs.parquet")
        sizes = [pf.metadata.row_group(g).num_rows for g in range(pf.metadata.num_row_groups)]
        first = np.r_[0, np.cumsum(sizes)]  # file row of each group's first row
        group_of = np.searchsorted(first, rows, side="right") - 1
        groups = sorted_unique(group_of).tolist()
        table = pf.read_row_groups(groups)
        at = np.r_[0, np.cumsum([sizes[g] for g in groups])]  # table row of each read group's first row
        pos = {g: int(at[i]) for i, g in enumerate(groups)}
        take = [pos[g] + int(r - first[g]) for g, r in zip(group_of.tolist(), rows.tolist())]
        out = _sigs_from_table(table.take(pa.array(take, pa.int64())))
        run = self.segments[k]["run"]
        for s in out:
            s.run = run
        return out

    def lookup_exact(self, hashes: Iterable[str]) -> dict[str, DocSignature]:
        want = sorted(set(hashes))
        out: dict[str, DocSignature] = {}
        if not want:
            return out
        q = _hash16(want)
        for k in range(len(self.segments)):  # earlier segments first: the first kept wins
            todo = np.array([h not in out for h in want], dtype=bool)
            if not todo.any():
                break
            keys, rows = self._exact_table(k)
            if not len(keys):
                continue
            pos = np.searchsorted(keys, q)
            hit = todo & (pos < len(keys))
            hit[hit] = keys[pos[hit]] == q[hit]  # sorted by (hash, row): pos is the first row of the hash
            if hit.any():
                found = self._load(k, rows[pos[hit]])
                by_row = dict(zip(sorted_unique(rows[pos[hit]].astype(np.int64)).tolist(), found))
                for h, r in zip(np.array(want, dtype=object)[hit].tolist(), rows[pos[hit]].tolist()):
                    out[h] = by_row[int(r)]
        return out

    def candidates(self, minhashes: np.ndarray) -> list[DocSignature]:
        if not len(minhashes) or not self.segments:
            return []
        query = sorted_unique(band_keys(minhashes, self.settings))
        rng, low = _range_of(query, self.bits)
        out: list[DocSignature] = []
        for k in range(len(self.segments)):
            rows = []
            for r in sorted_unique(rng).tolist():
                keys, seg_rows = self._band_table(k, r)
                if not len(keys):
                    continue
                q = low[rng == r]
                lo, hi = np.searchsorted(keys, q, "left"), np.searchsorted(keys, q, "right")
                for a, b in zip(lo[hi > lo].tolist(), hi[hi > lo].tolist()):
                    rows.append(seg_rows[a:b])
            if rows:
                sigs = self._load(k, np.concatenate(rows))
                # 32 stored bits can meet a false key: keep documents sharing a full key
                full = band_keys(np.stack([s.minhash for s in sigs]), self.settings)
                out += [s for s, row in zip(sigs, full) if in_sorted(row, query).any()]
        return sorted(out, key=lambda s: s.id)

    def __len__(self) -> int:
        return sum(int(s["n"]) for s in self.segments)

    def _runs_so_far(self) -> int:
        return len(self.segments)

    def _ids(self) -> set[str]:
        import pyarrow.parquet as pq

        ids: set[str] = set()
        for k in range(len(self.segments)):
            ids.update(pq.read_table(self._seg_dir(k) / "sigs.parquet", columns=["id"]).column("id").to_pylist())
        return ids

    # -- writing ------------------------------------------------------------------------------
    def _add(self, sigs: list[DocSignature], run: str) -> None:
        self._add_chunks(iter([sigs]), run)

    def _add_chunks(self, chunks: Iterator[list[DocSignature]], run: str) -> None:
        """One new segment for the run: signatures streamed into its feature store a row group
        at a time; exact hashes and band keys (16 and ~12 bytes a band per document) gathered
        and written sorted at the end. The segment counts once segments.json names it."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        from .shards import _sig_table, _write

        if any(s["run"] == run for s in self.segments):
            return  # a replay of an add that was committed
        present = self._ids()
        name = f"seg-{len(self.segments) + 1:06d}"
        seg = self.folder / name
        shutil.rmtree(seg, ignore_errors=True)  # an orphan of an add that crashed before its commit
        seg.mkdir(parents=True)
        writer = pq.ParquetWriter(seg / "sigs.parquet", _sig_table([]).schema, compression="zstd")
        hashes: list[bytes] = []
        near_rows: list[np.ndarray] = []
        near_keys: list[np.ndarray] = []
        pending: list[DocSignature] = []
        n = 0

        def flush(final: bool) -> None:
            nonlocal pending
            cut = len(pending) if final else len(pending) - len(pending) % ROW_GROUP
            if cut:
                writer.write_table(_sig_table(pending[:cut]), row_group_size=ROW_GROUP)
                pending = pending[cut:]

        for sigs in chunks:
            new = [s for s in sigs if s.id not in present]
            present.update(s.id for s in new)
            near = [i for i, s in enumerate(new) if self._near_eligible(s)]
            if near:
                keys = band_keys(np.stack([new[i].minhash for i in near]), self.settings)
                near_keys.append(keys.ravel())
                near_rows.append(np.repeat(np.array(near, dtype=np.uint32) + n, keys.shape[1]))
            hashes += [bytes.fromhex(s.content_hash) for s in new]
            pending += new
            n += len(new)
            flush(final=False)
        flush(final=True)
        writer.close()
        order = sorted(range(n), key=lambda i: (hashes[i], i))
        _write(pa.table({"hash": pa.array([hashes[i] for i in order], pa.binary(16)),
                         "row": pa.array(order, pa.uint32())}), seg / "exact.parquet")
        if near_keys:
            keys, rows = np.concatenate(near_keys), np.concatenate(near_rows)
            rng, low = _range_of(keys, self.bits)
            for r in sorted_unique(rng).tolist():
                sel = np.flatnonzero(rng == r)
                o = np.lexsort((rows[sel], low[sel]))
                pq.write_table(pa.table({"key": pa.array(low[sel][o], pa.uint32()), "row": pa.array(rows[sel][o], pa.uint32())}),
                               seg / f"bands-{r:03d}.parquet", compression="zstd",
                               use_dictionary=False, column_encoding={"key": "DELTA_BINARY_PACKED", "row": "DELTA_BINARY_PACKED"})
        _fsync_dir(seg)
        self.segments = [*self.segments, {"run": run, "dir": name, "n": n}]
        _write_json(self.folder / "segments.json", self.segments)

    def bytes_on_disk(self) -> dict[str, int]:
        """Bytes of the lookup part (band keys, exact hashes) and of the feature store."""
        out = {"bands": 0, "exact": 0, "store": 0}
        for k in range(len(self.segments)):
            for p in self._seg_dir(k).iterdir():
                kind = "bands" if p.name.startswith("bands-") else "exact" if p.name == "exact.parquet" else "store"
                out[kind] += p.stat().st_size
        return out


def _write_json(path: Path, value: Any) -> None:
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(value, fh, sort_keys=True)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _fsync_dir(folder: Path) -> None:
    for p in folder.iterdir():
        with open(p, "rb") as fh:
            os.fsync(fh.fileno())
