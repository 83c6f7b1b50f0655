"""The run's candidate pairs verified over shards: common features, verification, resolution.

After ``shards.pairs_step`` the run has candidate pairs (most of them unrelated articles that
share a few sampled features: 87% were rejected at 300k generated documents). Three steps turn
them into verdicts, each a plain function over files in the dedup folder:

1. :func:`common_step` (one task): ONE streamed pass over the signature shards writes the
   features of the documents in a pair to a flat store (``store/``, read memory-mapped by the
   next step) and spills every eligible document's (document, feature) rows into 256 files by
   the feature's top bits; the near-exact copies among the pairs are joined (one story), then
   each group of spill files is counted on its own for the run's common features per site
   (``common.pkl``). Memory: one group of spill files (``COMMON_PASS_BYTES``), not the run.
2. :func:`verify_step` (one task per part, in parallel): the exact measures of a slice of the
   pairs, from the memory-mapped store, common features taken out; the pairs that pass go to
   ``verified/part-K.npy``.
3. :func:`resolve_involved` (one task): groups and kept copies (``resolve._resolve``) over the
   documents of the verified pairs and exact groups only, written to ``verdicts.pkl``.

The outcome equals ``resolve_duplicates`` over every signature: the same common features, the
same verdicts (the resolution re-measures only the pairs that passed), the same stats.
"""

from __future__ import annotations

import mmap
import pickle
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from ..output import atomic_writer
from .settings import dedup_settings
from .shards import (PAIRS_DIR, VERDICTS_FILE, _Earlier, _groups, _near_ok, _read_earlier, _shards,
                     _sigs_from_table, read_signature_shard, sig_shard_path)
from .signature import DocSignature, in_sorted, sorted_unique

STORE_DIR = "store"
SPILL_DIR = "common-spill"
VERIFIED_DIR = "verified"
COMMON_FILE = "common.pkl"
SPILL_FILES = 256  # spill files by the feature's top 8 bits; counted in groups within the budget

# Memory of one counting pass: the (story, feature) rows of a group of spill files are sorted and
# counted at a time (8 bytes a row; a group is a third of this in spill bytes). Measured on the
# 100k scale run's dedup folder, the whole common step peaked at 1,084 MB with 256 MB, 724 MB
# with 128 MB and 500 MB with 64 MB, with the same output and no more CPU (the passes' temporaries
# are several copies of a group's rows, not three).
COMMON_PASS_BYTES = 64 << 20

_VERIFY_CHUNK = 20_000  # pairs measured with one cache of filtered feature sets


def _dump(obj: Any, path: Path) -> None:
    with atomic_writer(path, binary=True) as fh:
        pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)


def _load(path: Path) -> Any:
    with open(path, "rb") as fh:
        return pickle.load(fh)


def spill_groups(sizes: list[int], budget: int) -> list[list[int]]:
    """Consecutive spill files (``sizes`` in bytes) grouped so that a group's rows (~3 copies
    while sorting) stay near ``budget`` bytes; a file larger than that is a group of its own. Each
    file's counts are final on their own, so the grouping never changes the result."""
    groups: list[list[int]] = [[]]
    used = 0
    for k, size in enumerate(sizes):
        if groups[-1] and used + 3 * size > budget:
            groups.append([])
            used = 0
        groups[-1].append(k)
        used += 3 * size
    return [g for g in groups if g]


def _read_pairs(folder: Path) -> tuple[list[str], np.ndarray]:
    """The run's candidate pairs, deduplicated and in (a, b) order, as ``(ids, rows)``: the sorted
    ids of the paired documents and an (n, 2) array of positions in ``ids``. One range file's
    strings at a time (a first pass collects the ids, a second turns each file's pairs into
    codes), not a set of Python string tuples: 5.5M pairs over 800k documents peaked at 1.7 GB
    that way, 0.46 GB this way with the id → code map of the common step (measured)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    pool = pa.default_memory_pool()
    files = sorted((folder / PAIRS_DIR).glob("range-*.parquet"))
    ids = pa.array([], pa.string())
    for f in files:
        t = pq.read_table(f, columns=["a", "b"])
        ids = pc.unique(pa.chunked_array([ids, *t.column("a").chunks, *t.column("b").chunks], pa.string()))
        del t
        pool.release_unused()  # the reader's buffers: freed, but kept by the allocator otherwise
    ids = ids.take(pc.sort_indices(ids))
    n = max(len(ids), 1)
    keys = []
    for f in files:
        t = pq.read_table(f, columns=["a", "b"])
        # codes are ranks of the sorted ids: ordering by (code_a, code_b) is ordering by (a, b)
        keys.append(pc.index_in(t.column("a"), value_set=ids).to_numpy().astype(np.int64) * n
                    + pc.index_in(t.column("b"), value_set=ids).to_numpy().astype(np.int64))
        del t
        pool.release_unused()
    key = np.concatenate(keys) if keys else np.empty(0, np.int64)
    del keys
    key.sort()
    key = key[np.r_[True, key[1:] != key[:-1]]] if len(key) else key
    return ids.to_pylist(), np.stack([key // n, key % n], axis=1)


class _Store:
    """The features of the documents in a candidate pair, by slot: a flat uint32 file and its
    offsets, plus each slot's site code (``sites`` names them)."""

    def __init__(self, folder: Path) -> None:
        d = Path(folder) / STORE_DIR
        meta = _load(d / "meta.pkl")
        self.sites: list[str] = meta["sites"]
        self.site_of = np.load(d / "site_of.npy")
        self.offsets = np.load(d / "offsets.npy")
        n = int(self.offsets[-1])
        self._map: mmap.mmap | None = None
        self.features = np.empty(0, np.uint32)
        if n:
            with open(d / "features.u32", "rb") as fh:
                self._map = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
            # a plain ndarray over the map: slicing a np.memmap object costs ~2 us of bookkeeping
            self.features = np.frombuffer(self._map, dtype=np.uint32, count=n)

    def release(self) -> None:
        """Unmap the pages read so far from this process (``MADV_DONTNEED``): they stay in the page
        cache and fault back in if read again, but the worker's RSS stops counting every page of
        the store it ever touched (2.3 GB at 1M documents). Arrays taken before stay valid."""
        if self._map is not None and hasattr(mmap, "MADV_DONTNEED"):
            self._map.madvise(mmap.MADV_DONTNEED)

    def __len__(self) -> int:
        return len(self.site_of)

    def __getitem__(self, i: int) -> "_Node":
        return _Node(self.features[self.offsets[i]: self.offsets[i + 1]], self.sites[self.site_of[i]])


class _Node:
    """What ``resolve._Verifier`` reads of a document: its features and its site."""

    __slots__ = ("features", "site")

    def __init__(self, features: np.ndarray, site: str) -> None:
        self.features, self.site = features, site


def common_step(folder: Path, config: Any, budget: int | None = None) -> int:
    """Step 1 (see the module docstring): the feature store, the window-filtered pairs as slot
    rows (``store/pairs.npy``) and the run's common features (``common.pkl``). Returns how many
    common features there are."""
    from .resolve import (BLOCKS_KEY, _day_number, _outside_window, _UnionFind, block_candidates, expand_blocks,
                          raw_jaccard, shared_blocks, story_feature_rows, story_labels)

    folder = Path(folder)
    s = dedup_settings(config)
    store = folder / STORE_DIR
    store.mkdir(parents=True, exist_ok=True)
    spill = folder / SPILL_DIR
    spill.mkdir(parents=True, exist_ok=True)
    pair_ids, pair_codes = _read_pairs(folder)
    code_of = dict(zip(pair_ids, range(len(pair_ids))))  # the paired documents
    del pair_ids
    slot_of_code = np.full(len(code_of), -1, dtype=np.int64)
    slot_ids: list[str] = []  # the id of each slot
    _, copies = _groups(folder)
    _, earlier_near = _read_earlier(folder)

    def members():  # type: ignore[no-untyped-def]
        for shard in _shards(folder):
            yield read_signature_shard(folder, shard)
        yield earlier_near

    # One pass: the store (documents in pairs, in stream order) and the spill of every eligible
    # document's features (row = seq << 32 | feature, seq = its position among the eligible).
    site_idx: dict[str, int] = {}
    slot_site: list[int] = []
    slot_day: list[int] = []
    offsets = [0]
    seq_site: list[int] = []
    seq_slot: list[int] = []
    seq_id: list[str] = []
    shift = np.uint32(32 - (SPILL_FILES.bit_length() - 1))
    spill_files = [open(spill / f"part-{k:03d}.u64", "wb") for k in range(SPILL_FILES)]
    try:
        with open(store / "features.u32", "wb") as feats_out:
            for batch in members():
                packed = []
                for x in batch:
                    c = code_of.get(x.id)
                    if c is not None and slot_of_code[c] < 0 and x.features is not None:
                        slot_of_code[c] = len(slot_site)
                        slot_ids.append(x.id)
                        slot_site.append(site_idx.setdefault(x.site or "", len(site_idx)))
                        slot_day.append(_day_number(x.published))
                        f = np.ascontiguousarray(x.features, np.uint32)
                        feats_out.write(f.tobytes())
                        offsets.append(offsets[-1] + len(f))
                    if x.id in copies or not _near_ok(x, s):
                        continue
                    seq = len(seq_site)
                    seq_site.append(site_idx.setdefault(x.site or "", len(site_idx)))
                    seq_slot.append(-1 if c is None else int(slot_of_code[c]))
                    seq_id.append(x.id)
                    if len(x.features):
                        packed.append((np.uint64(seq) << np.uint64(32)) | x.features.astype(np.uint64))
                if packed:
                    rows = np.concatenate(packed)
                    part = ((rows & np.uint64(0xFFFFFFFF)).astype(np.uint32) >> shift).astype(np.int64)
                    order = np.argsort(part, kind="stable")
                    rows, counts = rows[order], np.bincount(part, minlength=SPILL_FILES)
                    for k, (lo, hi) in enumerate(zip(np.r_[0, np.cumsum(counts)[:-1]], np.cumsum(counts))):
                        if hi > lo:
                            rows[lo:hi].tofile(spill_files[k])
    finally:
        for fh in spill_files:
            fh.close()
    names = sorted(site_idx, key=site_idx.get)
    np.save(store / "offsets.npy", np.array(offsets, dtype=np.int64))
    np.save(store / "site_of.npy", np.array(slot_site, dtype=np.int64))

    # The pairs as slot rows, outside the date window dropped (as resolve.py does).
    rows = slot_of_code[pair_codes]
    if (rows < 0).any():
        raise RuntimeError("a candidate pair names a document missing from the signature shards")
    outside = 0
    if s.window_days and len(rows):
        days = np.array(slot_day, dtype=np.int64)
        far = _outside_window(days[rows[:, 0]], days[rows[:, 1]], s.window_days)
        outside = int(far.sum())
        rows = rows[~far]
    np.save(store / "pairs.npy", rows)
    _dump({"sites": names, "ids": slot_ids, "candidates": len(pair_codes), "outside_window": outside},
          store / "meta.pkl")
    del pair_codes, code_of, slot_of_code, slot_ids

    common: dict[str, np.ndarray] = {}
    if len(rows):
        feats = _Store(folder)
        # Near-exact copies among the pairs are one story: their shared text is not "common".
        uf = _UnionFind(len(feats))
        for lo in range(0, len(rows), _VERIFY_CHUNK):
            for a, b in rows[lo: lo + _VERIFY_CHUNK].tolist():
                if raw_jaccard(feats[a].features, feats[b].features) >= s.copy_jaccard:
                    uf.union(a, b)
            feats.release()
        in_pair = np.zeros(len(feats), dtype=bool)
        in_pair[rows.ravel()] = True
        # Story code of every eligible document: (site, copy group) for documents in a pair,
        # a code of its own otherwise.
        site_arr = np.array(seq_site, dtype=np.int64)
        slot_arr = np.array(seq_slot, dtype=np.int64)
        paired = slot_arr >= 0
        paired[paired] = in_pair[slot_arr[paired]]
        roots = np.array([uf.find(k) for k in slot_arr[paired].tolist()], dtype=np.int64)
        story = np.arange(len(site_arr), dtype=np.int64) + len(feats)
        story[paired] = roots  # roots are slots (< len(feats)): apart from the others' codes
        key = site_arr * np.int64(2 * (len(site_arr) + len(feats)) + 1) + story
        _, code = np.unique(key, return_inverse=True)  # one code per (site, story)
        code_site = np.zeros(int(code.max()) + 1 if len(code) else 0, dtype=np.int64)
        code_site[code] = site_arr
        docs = np.bincount(site_arr, minlength=len(names))
        labels = (story_labels(seq_id, story, len(feats) + len(site_arr)) if s.block_min_stories
                  else np.empty(0, np.uint64))
        sizes = [(spill / f"part-{k:03d}.u64").stat().st_size for k in range(SPILL_FILES)]
        groups = spill_groups(sizes, budget or COMMON_PASS_BYTES)

        def paired_rows():  # type: ignore[no-untyped-def]
            """Per group of spill files: (seq, feature) rows whose feature a paired document has."""
            for group in groups:
                raw = np.concatenate([np.fromfile(spill / f"part-{k:03d}.u64", dtype=np.uint64) for k in group])
                if not len(raw):
                    continue
                seq = (raw >> np.uint64(32)).astype(np.int64)
                f = (raw & np.uint64(0xFFFFFFFF)).astype(np.uint32)
                del raw
                universe = sorted_unique(f[paired[seq]])  # only features of paired documents matter
                # Tested file by file: a file's features share their top bits, so each test
                # is against the part of the universe in one 2**24 span (in_sorted's bitmap).
                hit = np.empty(len(f), dtype=bool)
                ends = np.cumsum([sizes[k] // 8 for k in group])
                cuts = np.searchsorted(universe, np.array([k << int(shift) for k in [*group, group[-1] + 1]],
                                                          dtype=np.uint64))
                for j, (a, b) in enumerate(zip(np.r_[0, ends[:-1]], ends)):
                    hit[a:b] = in_sorted(f[a:b], universe[cuts[j]:cuts[j + 1]])
                yield seq[hit], f[hit]

        parts: dict[int, list[np.ndarray]] = {}
        found = []  # block candidates of each group (disjoint feature ranges)
        for seq, f in paired_rows():
            found.append(block_candidates(story[seq], f, s.block_min_stories, labels))
            uniq = sorted_unique((code[seq].astype(np.uint64) << np.uint64(32)) | f.astype(np.uint64))
            del f, seq
            site = code_site[(uniq >> np.uint64(32)).astype(np.int64)]
            keys, counts = np.unique(site * np.int64(1 << 32) + (uniq & np.uint64(0xFFFFFFFF)).astype(np.int64),
                                     return_counts=True)
            del uniq, site
            site_of_key = keys >> 32
            need = np.maximum(s.common_min_docs, s.common_min_share * docs[site_of_key])
            keep = counts >= need
            for i in np.unique(site_of_key[keep]).tolist():
                sel = keep & (site_of_key == i)
                parts.setdefault(i, []).append((keys[sel] & np.int64(0xFFFFFFFF)).astype(np.uint32))
        common = {names[i]: np.sort(np.concatenate(parts[i])) for i in sorted(parts, key=lambda i: names[i])}
        seeds = shared_blocks(found, s.block_min_features)
        if seeds:
            candidates = np.sort(np.concatenate([x for x, _ in found]))
            common[BLOCKS_KEY] = expand_blocks(lambda: (story_feature_rows(story[q], f) for q, f in paired_rows()),
                                               seeds, candidates, s.block_member_share)
    for k in range(SPILL_FILES):
        (spill / f"part-{k:03d}.u64").unlink(missing_ok=True)
    _dump(common, folder / COMMON_FILE)
    return int(sum(len(v) for v in common.values()))


def verify_step(folder: Path, config: Any, part: int, n_parts: int) -> int:
    """Step 2: the exact measures of every ``n_parts``-th block of the pairs, starting at block
    ``part``; the passing pairs (slot rows) go to ``verified/part-K.npy``. Returns how many
    passed."""
    from .resolve import _Verifier

    folder = Path(folder)
    s = dedup_settings(config)
    rows = np.load(folder / STORE_DIR / "pairs.npy", mmap_mode="r")
    common = _load(folder / COMMON_FILE)
    store = _Store(folder)
    passed = []
    for lo in range(part * _VERIFY_CHUNK, len(rows), n_parts * _VERIFY_CHUNK):
        block = np.asarray(rows[lo: lo + _VERIFY_CHUNK])
        verifier = _Verifier(store, common, s)  # type: ignore[arg-type]  # a fresh cache per block
        ok = [k for k, (a, b) in enumerate(block.tolist()) if verifier.measure(a, b).rule is not None]
        passed.append(block[ok])
        del verifier
        store.release()
    out = np.concatenate(passed) if passed else np.empty((0, 2), dtype=np.int64)
    with atomic_writer(folder / VERIFIED_DIR / f"part-{part:03d}.npy", binary=True) as fh:
        np.save(fh, out)
    return len(out)


def resolve_involved(folder: Path, config: Any) -> tuple[dict, dict[str, int]]:
    """Step 3: the run's outcome, identical to ``resolve_duplicates`` over every signature with
    the index. The documents that can be duplicates (in a verified pair, an exact group, or an
    exact copy of an earlier document) are resolved with the verified pairs and the run's common
    features; every other document is kept as a cluster of one. Writes ``verdicts.pkl``
    (duplicates sorted by id, clusters of the involved kept documents); returns the stats and
    the duplicates per method."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from .resolve import resolve_duplicates

    folder = Path(folder)
    s = dedup_settings(config)
    meta = _load(folder / STORE_DIR / "meta.pkl")
    ids: list[str] = meta.pop("ids")
    n_candidates = len(np.load(folder / STORE_DIR / "pairs.npy", mmap_mode="r"))
    verified = [np.load(f) for f in sorted((folder / VERIFIED_DIR).glob("part-*.npy"))]
    rows = np.concatenate(verified) if verified else np.empty((0, 2), dtype=np.int64)
    pair_list = sorted((ids[a], ids[b]) for a, b in rows.tolist())
    del ids
    common = _load(folder / COMMON_FILE)
    members, _ = _groups(folder)
    earlier_exact, earlier_near = _read_earlier(folder)
    wanted = pa.array(sorted(members | {i for p in pair_list for i in p}), pa.string())
    hashes = pa.array(sorted(earlier_exact), pa.string())
    involved: list[DocSignature] = []
    n_docs = n_short = 0
    for shard in _shards(folder):
        t = pq.read_table(sig_shard_path(folder, shard))
        n_docs += t.num_rows
        n_short += int(np.count_nonzero(t.column("n_shingles").to_numpy() < s.min_shingles))
        keep = pc.or_(pc.is_in(t.column("id"), value_set=wanted), pc.is_in(t.column("content_hash"), value_set=hashes))
        involved.extend(_sigs_from_table(t.filter(keep)))
    index = _Earlier(earlier_exact, earlier_near) if earlier_exact or earlier_near else None
    out = resolve_duplicates(involved, config, index, candidates=pair_list, common=common, earlier_in_candidates=True)
    stats = dict(out.stats)
    stats["kept"] += n_docs - len(involved)  # the others: kept, clusters of one
    stats["documents"], stats["short_exact_only"] = n_docs, n_short
    stats["candidate_pairs"] = n_candidates
    stats["rejected_candidate_pairs"] = n_candidates - stats["verified_pairs"]
    stats.pop("pairs_outside_window", None)
    if s.window_days and meta["candidates"]:  # as resolve.py counts them: before the window
        stats["pairs_outside_window"] = meta["outside_window"]
    with atomic_writer(folder / VERDICTS_FILE, binary=True) as fh:
        pickle.dump({"duplicates": out.duplicates, "clusters": out.clusters}, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return stats, dict(Counter(d.method for d in out.duplicates))
