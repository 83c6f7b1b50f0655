"""Sharded LSH candidates: plain functions over Parquet shards that any engine can map.

The single-process dedup (resolve.py) sorts the band keys of every signature of the run in one
process. Here the same candidate pairs come from independent pieces of work:

1. ``write_band_shard`` (per batch, where the signatures are computed): the batch's band keys
   as Parquet files, one per band-key range (``range-007/shard-000012.parquet``), rows sorted
   by (band, key, id), plus the batch's (content_hash, id) pairs partitioned by hash range;
2. ``exact_copies_in_range`` (per content-hash range): the ids that are exact copies of an
   earlier id (only one member of an exact group enters LSH, as in resolve.py);
3. ``candidate_pairs_in_range`` (per band-key range): buckets of equal (band, key) over all
   shards, the same pairs resolve.py's ``candidate_pairs`` makes (all pairs of a bucket up to
   ``max_bucket`` members, a chain plus a star in id order above), as sorted (id, id) pairs;
4. ``merge_pairs``: the union, sorted: what ``resolve_duplicates(..., candidates=...)`` takes.

Every row of a (band, key) bucket lands in one range (the range is the key's top bits), so a
range task sees whole buckets and the union equals the single-process pairs exactly. Memory per
task follows one range, not the run.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

from .settings import DedupSettings
from .signature import DocSignature, band_keys

BANDS_DIR = "bands"
EXACT_DIR = "exact"


def _range_bits(n_ranges: int) -> int:
    if n_ranges < 1 or n_ranges & (n_ranges - 1) or n_ranges > 4096:
        raise ValueError(f"n_ranges must be a power of two in [1, 4096], got {n_ranges}")
    return n_ranges.bit_length() - 1


def _key_range(keys: np.ndarray, n_ranges: int) -> np.ndarray:
    bits = _range_bits(n_ranges)
    if bits == 0:
        return np.zeros(len(keys), dtype=np.int64)
    return (keys.view(np.uint64) >> np.uint64(64 - bits)).astype(np.int64)


def _hash_range(hashes: list[str], n_ranges: int) -> np.ndarray:
    bits = _range_bits(n_ranges)
    top = np.array([int(h[:4], 16) for h in hashes], dtype=np.int64)  # content hashes are hex
    return top >> (16 - bits) if bits else np.zeros(len(hashes), dtype=np.int64)


def _write(table, path: Path) -> None:  # type: ignore[no-untyped-def]
    import pyarrow.parquet as pq

    from ..output import atomic_writer

    with atomic_writer(path, binary=True) as fh:
        pq.write_table(table, fh, compression="zstd")


def write_band_shard(sigs: list[DocSignature], folder: Path, shard: int, s: DedupSettings,
                     n_ranges: int = 16) -> int:
    """One batch's band keys (documents with enough features) and exact hashes, partitioned by
    range into ``folder``. Returns the number of band rows written."""
    import pyarrow as pa

    folder = Path(folder)
    near = [x for x in sigs if x.n_shingles >= s.min_shingles and x.minhash is not None and x.features is not None]
    n_rows = 0
    if near:
        keys = band_keys(np.stack([x.minhash for x in near]), s)  # (n, bands)
        n, bands = keys.shape
        flat = keys.ravel()
        band = np.tile(np.arange(bands, dtype=np.int16), n)
        doc = np.repeat(np.arange(n), bands)
        ids = np.array([x.id for x in near], dtype=object)
        rng = _key_range(flat, n_ranges)
        for r in range(n_ranges):
            sel = np.flatnonzero(rng == r)
            order = np.lexsort((ids[doc[sel]], flat[sel], band[sel]))
            sel = sel[order]
            table = pa.table({"band": pa.array(band[sel], pa.int16()), "key": pa.array(flat[sel], pa.int64()),
                              "id": pa.array(ids[doc[sel]].tolist(), pa.string())})
            _write(table, folder / BANDS_DIR / f"range-{r:03d}" / f"shard-{shard:06d}.parquet")
            n_rows += len(sel)
    hashes = [x.content_hash for x in sigs]
    rng = _hash_range(hashes, n_ranges) if sigs else np.zeros(0, np.int64)
    for r in range(n_ranges):
        rows = sorted((hashes[i], sigs[i].id) for i in np.flatnonzero(rng == r).tolist())
        table = pa.table({"content_hash": pa.array([h for h, _ in rows], pa.string()),
                          "id": pa.array([i for _, i in rows], pa.string())})
        _write(table, folder / EXACT_DIR / f"range-{r:03d}" / f"shard-{shard:06d}.parquet")
    return n_rows


def _read_range(folder: Path, kind: str, r: int):  # type: ignore[no-untyped-def]
    import pyarrow as pa
    import pyarrow.parquet as pq

    files = sorted((Path(folder) / kind / f"range-{r:03d}").glob("shard-*.parquet"))
    if not files:
        return None
    return pa.concat_tables([pq.read_table(f) for f in files])


def exact_copies_in_range(folder: Path, r: int) -> list[str]:
    """Ids in content-hash range ``r`` whose text is an exact copy of a smaller id's (they are
    matched by their hash, not through LSH), sorted."""
    table = _read_range(folder, EXACT_DIR, r)
    if table is None:
        return []
    rows = sorted(zip(table.column("content_hash").to_pylist(), table.column("id").to_pylist()))
    return sorted(i for k, (h, i) in enumerate(rows) if k and rows[k - 1][0] == h)


def candidate_pairs_in_range(folder: Path, r: int, max_bucket: int,
                             exclude: Iterable[str] = ()) -> list[tuple[str, str]]:
    """Candidate pairs (smaller id first) of band-key range ``r`` over all shards, sorted; ids in
    ``exclude`` (exact copies) take no part."""
    table = _read_range(folder, BANDS_DIR, r)
    if table is None:
        return []
    ids = np.array(table.column("id").to_pylist(), dtype=object)
    band = table.column("band").to_numpy()
    key = table.column("key").to_numpy()
    skip = set(exclude)
    if skip:
        keep = np.array([i not in skip for i in ids], dtype=bool)
        ids, band, key = ids[keep], band[keep], key[keep]
    if len(ids) < 2:
        return []
    order = np.lexsort((ids, key, band))  # buckets of equal (band, key), members in id order
    ids, band, key = ids[order], band[order], key[order]
    brk = np.flatnonzero((band[1:] != band[:-1]) | (key[1:] != key[:-1])) + 1
    starts = np.r_[0, brk]
    sizes = np.diff(np.r_[starts, len(ids)])
    pairs: set[tuple[str, str]] = set()
    for st, m in zip(starts[sizes > 1].tolist(), sizes[sizes > 1].tolist()):
        members = ids[st : st + m].tolist()
        if m <= max_bucket:
            pairs.update((members[a], members[b]) for a in range(m) for b in range(a + 1, m))
        else:  # chain plus star, as resolve.candidate_pairs links a large bucket
            pairs.update(zip(members[:-1], members[1:]))
            pairs.update((members[0], x) for x in members[2:])
    return sorted(pairs)


def merge_pairs(parts: Iterable[list[tuple[str, str]]]) -> list[tuple[str, str]]:
    """The union of the ranges' pairs, sorted (a pair can come from several bands and ranges)."""
    out: set[tuple[str, str]] = set()
    for p in parts:
        out.update(p)
    return sorted(out)


def sharded_candidates(folder: Path, s: DedupSettings, n_ranges: int = 16,
                       map_fn=map) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """All steps after the shards are written, each range an independent call through
    ``map_fn(function, ranges)`` (the builtin ``map``, a thread pool's ``map``, or a Dask
    client's map-and-gather: the functions are module-level, so they pickle)."""
    from functools import partial

    ranges = list(range(n_ranges))
    exact = [i for part in map_fn(partial(exact_copies_in_range, folder), ranges) for i in part]
    return merge_pairs(map_fn(partial(_pairs_of_range, folder, s.max_bucket, tuple(exact)), ranges))


def _pairs_of_range(folder: Path, max_bucket: int, exclude: tuple[str, ...], r: int) -> list[tuple[str, str]]:
    return candidate_pairs_in_range(folder, r, max_bucket, exclude)
