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


def _near_ok(x: DocSignature, s: DedupSettings) -> bool:
    return x.n_shingles >= s.min_shingles and x.minhash is not None and x.features is not None

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
    n_rows = _write_bands(sigs, folder, f"shard-{shard:06d}.parquet", s, n_ranges, earlier=False)
    hashes = [x.content_hash for x in sigs]
    rng = _hash_range(hashes, n_ranges) if sigs else np.zeros(0, np.int64)
    for r in range(n_ranges):
        rows = sorted((hashes[i], sigs[i].id) for i in np.flatnonzero(rng == r).tolist())
        table = pa.table({"content_hash": pa.array([h for h, _ in rows], pa.string()),
                          "id": pa.array([i for _, i in rows], pa.string())})
        _write(table, folder / EXACT_DIR / f"range-{r:03d}" / f"shard-{shard:06d}.parquet")
    return n_rows


def _write_bands(sigs: list[DocSignature], folder: Path, name: str, s: DedupSettings, n_ranges: int,
                 earlier: bool) -> int:
    """Band rows of the near-eligible ``sigs`` as ``bands/range-RRR/<name>``, sorted by (band,
    key, id); ``earlier`` marks documents of the persistent index (kept by earlier runs)."""
    import pyarrow as pa

    near = [x for x in sigs if _near_ok(x, s)]
    if not near:
        return 0
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
                          "id": pa.array(ids[doc[sel]].tolist(), pa.string()),
                          "earlier": pa.array(np.full(len(sel), earlier), pa.bool_())})
        _write(table, folder / BANDS_DIR / f"range-{r:03d}" / name)
    return int(n * bands)


def _read_range(folder: Path, kind: str, r: int):  # type: ignore[no-untyped-def]
    import pyarrow as pa
    import pyarrow.parquet as pq

    files = sorted((Path(folder) / kind / f"range-{r:03d}").glob("*.parquet"))
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
    """Candidate pairs of band-key range ``r`` over all shards, sorted; ids in ``exclude``
    (exact copies) take no part. A pair is (smaller id, larger id) between documents of this
    run, (this run's id, earlier id) with a document of the persistent index (band rows written
    by :func:`merge_earlier`); pairs of two earlier documents are left out (they were
    deduplicated against each other when they were kept). In a bucket this run's documents come
    first, each group in id order: the row order of resolve.py's single-process candidates."""
    table = _read_range(folder, BANDS_DIR, r)
    if table is None:
        return []
    ids = np.array(table.column("id").to_pylist(), dtype=object)
    band = table.column("band").to_numpy()
    key = table.column("key").to_numpy()
    old = (table.column("earlier").to_numpy(zero_copy_only=False) if "earlier" in table.column_names
           else np.zeros(len(ids), dtype=bool))
    skip = set(exclude)
    if skip:
        keep = np.array([i not in skip for i in ids], dtype=bool)
        ids, band, key, old = ids[keep], band[keep], key[keep], old[keep]
    if len(ids) < 2:
        return []
    order = np.lexsort((ids, old, key, band))  # buckets of equal (band, key), new members first
    ids, band, key, old = ids[order], band[order], key[order], old[order]
    brk = np.flatnonzero((band[1:] != band[:-1]) | (key[1:] != key[:-1])) + 1
    starts = np.r_[0, brk]
    sizes = np.diff(np.r_[starts, len(ids)])
    pairs: set[tuple[str, str]] = set()
    for st, m in zip(starts[sizes > 1].tolist(), sizes[sizes > 1].tolist()):
        members = ids[st : st + m].tolist()
        if old[st]:
            continue  # earlier documents only
        if m <= max_bucket:
            got = [(members[a], members[b]) for a in range(m) for b in range(a + 1, m)]
        else:  # chain plus star, as resolve.candidate_pairs links a large bucket
            got = list(zip(members[:-1], members[1:])) + [(members[0], x) for x in members[2:]]
        if old[st : st + m].any():
            is_old = set(members[k] for k in np.flatnonzero(old[st : st + m]).tolist())
            got = [(a, b) for a, b in got if a not in is_old]  # b is the later one in bucket order
        pairs.update(got)
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


# --------------------------------------------------------------------------------------------
# The whole run's dedup as steps over shards (what the flow maps; see resolve_sharded below for
# the same steps in one call). Everything a step hands to the next is a file in ``folder``:
#
#   sigs/shard-B.parquet            every signature of batch B (written by the batch's task)
#   bands/range-R/shard-B.parquet   band rows, exact/range-R/shard-B.parquet (hash, id) rows
#   groups/range-R.parquet          members of exact groups of this run (exact_step)
#   earlier/shard-B.parquet         index documents batch B's signatures find (earlier_step)
#   earlier.parquet, bands/range-R/earlier.parquet   the union, without this run's ids (merge_earlier)
#   pairs/range-R.parquet           candidate pairs of range R (pairs_step)
#   store/, common.pkl              features of the paired documents, the run's common features
#   verified/part-K.npy             the pairs that pass exact verification
#   verdicts.pkl                    duplicates and clusters of the documents that have any
#
# The last three are verification.py's steps: one streamed pass over the shards (common_step),
# verification of slices of the pairs in parallel (verify_step), and the resolution of the
# documents that can be duplicates (in a verified pair, an exact group, or an exact copy of an
# earlier document): uninvolved documents are kept as clusters of one without being held.

SIGS_DIR = "sigs"
GROUPS_DIR = "groups"
EARLIER_DIR = "earlier"
PAIRS_DIR = "pairs"
VERDICTS_FILE = "verdicts.pkl"
N_RANGES = 16  # band-key and content-hash ranges a run's dedup is split into

_STR_FIELDS = ("id", "source", "url", "sitename", "published", "content_hash", "shingle_kind", "run")
_INT_FIELDS = ("text_chars", "n_metadata", "n_shingles")


def _sig_table(sigs: list[DocSignature], **extra: list[bool]):  # type: ignore[no-untyped-def]
    import pyarrow as pa

    cols = {f: pa.array([getattr(x, f) for x in sigs], pa.string()) for f in _STR_FIELDS}
    cols.update({f: pa.array([getattr(x, f) for x in sigs], pa.int64()) for f in _INT_FIELDS})
    cols["minhash"] = pa.array([None if x.minhash is None else np.ascontiguousarray(x.minhash, np.uint64).tobytes()
                                for x in sigs], pa.binary())
    cols["features"] = pa.array([None if x.features is None else np.ascontiguousarray(x.features, np.uint32).tobytes()
                                 for x in sigs], pa.binary())
    cols.update({k: pa.array(v, pa.bool_()) for k, v in extra.items()})
    return pa.table(cols)


def _sigs_from_table(table) -> list[DocSignature]:  # type: ignore[no-untyped-def]
    out = []
    for row in table.select([*_STR_FIELDS, *_INT_FIELDS, "minhash", "features"]).to_pylist():
        mh, feats = row.pop("minhash"), row.pop("features")
        out.append(DocSignature(**row, minhash=None if mh is None else np.frombuffer(mh, np.uint64).copy(),
                                features=None if feats is None else np.frombuffer(feats, np.uint32).copy()))
    return out


def sig_shard_path(folder: Path, shard: int) -> Path:
    return Path(folder) / SIGS_DIR / f"shard-{shard:06d}.parquet"


def write_signature_shard(sigs: list[DocSignature], folder: Path, shard: int, s: DedupSettings,
                          n_ranges: int = N_RANGES) -> None:
    """A batch's signatures (``sigs/shard-B.parquet``) and its band and exact rows per range.
    Rewriting a shard (re-signed documents) replaces every file of it."""
    folder = Path(folder)
    for kind in (BANDS_DIR, EXACT_DIR):
        for r in range(n_ranges):
            (folder / kind / f"range-{r:03d}" / f"shard-{shard:06d}.parquet").unlink(missing_ok=True)
    _write(_sig_table(sigs), sig_shard_path(folder, shard))
    write_band_shard(sigs, folder, shard, s, n_ranges)


def read_signature_shard(folder: Path, shard: int) -> list[DocSignature]:
    import pyarrow.parquet as pq

    return _sigs_from_table(pq.read_table(sig_shard_path(folder, shard)))


def _shards(folder: Path) -> list[int]:
    return sorted(int(p.stem.split("-")[1]) for p in (Path(folder) / SIGS_DIR).glob("shard-*.parquet"))


def exact_step(folder: Path, r: int) -> int:
    """Content-hash range ``r``: the members of this run's exact groups (``copy``: not the
    group's first id, so it enters LSH through that one) as ``groups/range-R.parquet``."""
    import pyarrow as pa

    table = _read_range(folder, EXACT_DIR, r)
    rows = sorted(zip(table.column("content_hash").to_pylist(), table.column("id").to_pylist())) if table else []
    ids, copy = [], []
    for k, (h, i) in enumerate(rows):
        first = k == 0 or rows[k - 1][0] != h
        if not first or (k + 1 < len(rows) and rows[k + 1][0] == h):
            ids.append(i)
            copy.append(not first)
    _write(pa.table({"id": pa.array(ids, pa.string()), "copy": pa.array(copy, pa.bool_())}),
           Path(folder) / GROUPS_DIR / f"range-{r:03d}.parquet")
    return sum(copy)


def _groups(folder: Path) -> tuple[set[str], set[str]]:
    """(every member of an exact group of this run, the copies among them)."""
    import pyarrow.parquet as pq

    members: set[str] = set()
    copies: set[str] = set()
    for f in sorted((Path(folder) / GROUPS_DIR).glob("range-*.parquet")):
        t = pq.read_table(f)
        for i, c in zip(t.column("id").to_pylist(), t.column("copy").to_pylist()):
            members.add(i)
            if c:
                copies.add(i)
    return members, copies


def earlier_step(folder: Path, shard: int, index, s: DedupSettings) -> int:  # type: ignore[no-untyped-def]
    """Batch ``shard``'s lookups in the persistent index (read only): the kept document of each
    content hash of its group heads, and the documents sharing a band key with its heads that
    can be near duplicates, as ``earlier/shard-B.parquet`` (flags ``exact`` and ``near``)."""
    _, copies = _groups(folder)
    heads = [x for x in read_signature_shard(folder, shard) if x.id not in copies]
    found: dict[str, list] = {}  # id -> [signature, exact, near]
    if index is not None and heads:
        for e in index.lookup_exact(sorted({x.content_hash for x in heads})).values():
            found.setdefault(e.id, [e, False, False])[1] = True
        eligible = [x for x in heads if _near_ok(x, s)]
        if eligible:
            for e in index.candidates(np.stack([x.minhash for x in eligible])):
                if _near_ok(e, s):
                    found.setdefault(e.id, [e, False, False])[2] = True
    rows = [found[i] for i in sorted(found)]
    _write(_sig_table([r[0] for r in rows], exact=[r[1] for r in rows], near=[r[2] for r in rows]),
           Path(folder) / EARLIER_DIR / f"shard-{shard:06d}.parquet")
    return len(rows)


def merge_earlier(folder: Path, s: DedupSettings, n_ranges: int = N_RANGES) -> int:
    """The index documents found by every batch, once, without ids of this run (a document is
    never a duplicate of itself): ``earlier.parquet`` and their band rows per range."""
    import pyarrow.parquet as pq

    folder = Path(folder)
    found: dict[str, list] = {}
    for f in sorted((folder / EARLIER_DIR).glob("shard-*.parquet")):
        t = pq.read_table(f)
        for sig, ex, near in zip(_sigs_from_table(t), t.column("exact").to_pylist(), t.column("near").to_pylist()):
            cur = found.setdefault(sig.id, [sig, False, False])
            cur[1] |= ex
            cur[2] |= near
    if found:
        for f in sorted((folder / SIGS_DIR).glob("shard-*.parquet")):
            for i in pq.read_table(f, columns=["id"]).column("id").to_pylist():
                found.pop(i, None)
    rows = [found[i] for i in sorted(found)]
    _write(_sig_table([r[0] for r in rows], exact=[r[1] for r in rows], near=[r[2] for r in rows]),
           folder / "earlier.parquet")
    _write_bands([r[0] for r in rows if r[2]], folder, "earlier.parquet", s, n_ranges, earlier=True)
    return len(rows)


def _read_earlier(folder: Path) -> tuple[dict[str, DocSignature], list[DocSignature]]:
    """(content hash -> the earlier document an exact lookup returned, earlier near candidates)."""
    import pyarrow.parquet as pq

    path = Path(folder) / "earlier.parquet"
    if not path.is_file():
        return {}, []
    t = pq.read_table(path)
    sigs = _sigs_from_table(t)
    exact = {x.content_hash: x for x, ex in zip(sigs, t.column("exact").to_pylist()) if ex}
    near = [x for x, nr in zip(sigs, t.column("near").to_pylist()) if nr]
    return exact, near


def pairs_step(folder: Path, r: int, max_bucket: int) -> int:
    """Band-key range ``r``'s candidate pairs (exact copies excluded) as ``pairs/range-R.parquet``."""
    import pyarrow as pa

    _, copies = _groups(folder)
    pairs = candidate_pairs_in_range(folder, r, max_bucket, copies)
    _write(pa.table({"a": pa.array([a for a, _ in pairs], pa.string()), "b": pa.array([b for _, b in pairs], pa.string())}),
           Path(folder) / PAIRS_DIR / f"range-{r:03d}.parquet")
    return len(pairs)


class _Earlier:
    """The index documents ``merge_earlier`` found, behind the two lookups resolve.py makes."""

    def __init__(self, exact: dict[str, DocSignature], near: list[DocSignature]) -> None:
        self.exact, self.near = exact, near

    def lookup_exact(self, hashes: Iterable[str]) -> dict[str, DocSignature]:
        return {h: self.exact[h] for h in hashes if h in self.exact}

    def candidates(self, minhashes: np.ndarray) -> list[DocSignature]:
        return list(self.near)


def resolve_sharded(folder: Path, config, index=None, map_fn=map,  # type: ignore[no-untyped-def]
                    n_ranges: int = N_RANGES) -> tuple[dict, dict[str, int]]:
    """Every step after the signature shards are written, each map through ``map_fn`` (the
    builtin ``map``, a thread pool's, a Dask client's map-and-gather): what the flow does with
    tasks. ``index``: the persistent index (read only), or None."""
    from functools import partial

    from . import verification
    from .settings import dedup_settings

    s = dedup_settings(config)
    ranges = list(range(n_ranges))
    list(map_fn(partial(exact_step, folder), ranges))
    list(map_fn(partial(_earlier_of, folder, index, s), _shards(folder)))
    merge_earlier(folder, s, n_ranges)
    list(map_fn(partial(_pairs_of, folder, s.max_bucket), ranges))
    verification.common_step(folder, config)
    n_parts = 2
    list(map_fn(partial(verification.verify_step, folder, config, n_parts=n_parts), range(n_parts)))
    return verification.resolve_involved(folder, config)


def _earlier_of(folder: Path, index, s: DedupSettings, shard: int) -> int:  # type: ignore[no-untyped-def]
    return earlier_step(folder, shard, index, s)


def _pairs_of(folder: Path, max_bucket: int, r: int) -> int:
    return pairs_step(folder, r, max_bucket)
