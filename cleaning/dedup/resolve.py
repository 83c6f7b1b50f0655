"""Exact hash, LSH candidates, exact verification, clusters checked against their kept copy.

Order of work (all deterministic: documents are sorted by id first, seeds are fixed):
1. exact duplicates: equal ``content_hash`` (this run and the index of earlier runs);
2. one representative per exact group with enough features enters LSH: band keys sorted with
   numpy give candidate pairs (new-new and new-earlier; earlier-earlier pairs are ignored);
3. every candidate is verified EXACTLY on the two feature sets (Jaccard, or containment of the
   smaller in the larger), after removing features common to many stories of the run
   (boilerplate, stock phrases): the MinHash estimate only proposes, it never decides;
4. verified pairs form groups; in each group the keep policy picks the kept copy (a document
   kept by an earlier run always wins: that corpus is immutable) and a member is its duplicate
   only if it passes against THAT copy, not through a chain A~B~C. Members that do not pass
   form groups of their own, round after round. Each duplicate carries its evidence.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..config import Config
from ..document import Duplicate
from .index import DedupIndex
from .policy import policy_key, win_reason
from .settings import DedupSettings, dedup_settings
from .signature import DocSignature, band_keys, in_sorted, sorted_unique

_COMMON_CHUNK = 2_000  # documents whose features are tested against the candidate universe at once

@dataclass(slots=True)
class DedupOutcome:
    """``clusters``: id -> (cluster_id, cluster_size) for every KEPT document of this run.
    ``duplicates``: every other input signature, once. ``stats``: counts and the syndication
    list for the report."""

    clusters: dict[str, tuple[str, int]] = field(default_factory=dict)
    duplicates: list[Duplicate] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)


class _UnionFind:
    """Union by smallest index: the root of a set is its smallest member (deterministic)."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            lo, hi = (ra, rb) if ra < rb else (rb, ra)
            self.parent[hi] = lo


def candidate_pairs(keys: np.ndarray, max_bucket: int) -> np.ndarray:
    """Unique (i, j), i < j, of rows sharing a band key. ``keys``: (n, bands) int64.

    Band by band (each sort fits in cache), a run of equal keys is a bucket. A bucket larger
    than ``max_bucket`` is linked as a chain plus a star (first member) in row order instead
    of all pairs: union-find still connects it, and time stays linear.
    """
    n, bands = keys.shape
    if n < 2:
        return np.empty((0, 2), dtype=np.int64)
    pairs = []
    for b in range(bands):
        col = keys[:, b]
        order = np.argsort(col, kind="stable")  # equal keys stay in row order
        k = col[order]
        starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
        sizes = np.diff(np.r_[starts, n])
        multi = sizes > 1
        if not multi.any():
            continue
        starts, sizes = starts[multi], sizes[multi]
        small = sizes <= max_bucket
        # All pairs of small buckets, vectorized per bucket size (few distinct sizes).
        for m in sorted_unique(sizes[small]).tolist():
            st = starts[small & (sizes == m)]
            iu, ju = np.triu_indices(m, k=1)
            pairs.append(np.stack([order[st[:, None] + iu].ravel(), order[st[:, None] + ju].ravel()], axis=1))
        for st, m in zip(starts[~small].tolist(), sizes[~small].tolist()):
            members = order[st : st + m]
            pairs.append(np.stack([members[:-1], members[1:]], axis=1))  # chain
            pairs.append(np.stack([np.full(m - 2, members[0]), members[2:]], axis=1))  # star
    if not pairs:
        return np.empty((0, 2), dtype=np.int64)
    p = np.concatenate(pairs)
    code = sorted_unique(np.minimum(p[:, 0], p[:, 1]) * n + np.maximum(p[:, 0], p[:, 1]))
    return np.stack([code // n, code % n], axis=1)


@dataclass(frozen=True, slots=True)
class Evidence:
    """Exact measures of one (kept, candidate) pair on their feature sets, common features removed."""

    jaccard: float
    containment: float
    shared: int
    size_a: int  # features of the first document (after removing common ones)
    size_b: int
    rule: str | None  # "jaccard" | "containment" when the pair passes, else None


class _Verifier:
    """Exact set measures between documents, with the run's common features taken out."""

    def __init__(self, nodes: list[DocSignature], common: dict[str, np.ndarray], s: DedupSettings) -> None:
        self.nodes = nodes
        self.common = common
        self.s = s
        self._filtered: dict[tuple[int, tuple[str, ...]], np.ndarray] = {}
        self._cache: dict[tuple[int, int], Evidence] = {}

    def features(self, i: int, sites: tuple[str, ...]) -> np.ndarray:
        """Node ``i``'s features without those common on any of ``sites`` (the pair's sites)."""
        key = (i, sites)
        f = self._filtered.get(key)
        if f is None:
            raw = self.nodes[i].features
            f = np.empty(0, np.uint32) if raw is None else raw
            for site in (*sites, BLOCKS_KEY):
                common = self.common.get(site)
                if common is not None and len(common) and len(f):
                    f = f[~in_sorted(f, common)]  # common: sorted, distinct
            self._filtered[key] = f
        return f

    def measure(self, i: int, j: int) -> Evidence:
        key = (i, j) if i < j else (j, i)
        ev = self._cache.get(key)
        if ev is None:
            sites = tuple(sorted({self.nodes[key[0]].site or "", self.nodes[key[1]].site or ""}))
            a, b = self.features(key[0], sites), self.features(key[1], sites)
            shared = len(np.intersect1d(a, b, assume_unique=True))
            union = len(a) + len(b) - shared
            small = min(len(a), len(b))
            jac = shared / union if union else 0.0
            cont = shared / small if small else 0.0
            rule = None
            if small >= self.s.min_shingles:  # too little left after removing common text: no verdict
                if jac >= self.s.verify_jaccard:
                    rule = "jaccard"
                elif cont >= self.s.verify_containment:
                    rule = "containment"
            ev = Evidence(jac, cont, shared, len(a), len(b), rule)
            self._cache[key] = ev
        if key[0] != i:  # report sizes in the caller's order
            ev = Evidence(ev.jaccard, ev.containment, ev.shared, ev.size_b, ev.size_a, ev.rule)
        return ev


# Key of the shared blocks (any site) in a common-features dict; no site name starts with NUL.
BLOCKS_KEY = "\x00shared-blocks"
_U64 = np.uint64


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64's finalizer, vectorized: a well-spread 64-bit hash of each value."""
    z = x.astype(_U64) + _U64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> _U64(30))) * _U64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> _U64(27))) * _U64(0x94D049BB133111EB)
    return z ^ (z >> _U64(31))


def story_labels(ids: list[str], story: np.ndarray, n_stories: int) -> np.ndarray:
    """A label per story that does not depend on how stories are numbered: the smallest 64-bit
    hash of its documents' ids (``story[k]``: the story of document ``ids[k]``)."""
    import hashlib

    h = np.array([int.from_bytes(hashlib.blake2b(i.encode(), digest_size=8).digest(), "little") for i in ids],
                 dtype=_U64)
    labels = np.full(n_stories, np.iinfo(np.uint64).max, dtype=_U64)
    np.minimum.at(labels, story, h)
    return labels


def block_candidates(story: np.ndarray, feat: np.ndarray, min_stories: int,
                     labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Of (story, feature) rows (duplicates allowed; story < 2**32), the features found in at
    least ``min_stories`` distinct stories, with a sketch of their
    SET of stories (over ``labels[story]``, see :func:`story_labels`, so the keys do not depend on
    the stories' numbering): (feature, key), key = two min-hashes of the set, so two features get the same
    key with probability ~J**2 of their sets (Jaccard J). The features of one passage have
    nearly the same set (a few documents quote part of it); an ordinary phrase's set is its own.
    (Grams found in nearly every story, the language's own, also share a set: they weigh
    nothing in verification either way.)"""
    if not len(feat) or not min_stories:
        return np.empty(0, np.uint32), np.empty(0, _U64)
    packed = sorted_unique((feat.astype(_U64) << _U64(32)) | story.astype(_U64))
    f = packed >> _U64(32)
    starts = np.flatnonzero(np.r_[True, f[1:] != f[:-1]])
    counts = np.diff(np.r_[starts, len(packed)])
    keep = counts >= min_stories
    st = labels[(packed & _U64(0xFFFFFFFF)).astype(np.int64)]
    with np.errstate(over="ignore"):
        m1 = np.minimum.reduceat(_mix64(st), starts)[keep]
        m2 = np.minimum.reduceat(_mix64(st ^ _U64(0x5DEECE66D)), starts)[keep]
        key = _mix64(m1) ^ m2
    return f[starts][keep].astype(np.uint32), key


def shared_blocks(found: list[tuple[np.ndarray, np.ndarray]], min_features: int) -> list[np.ndarray]:
    """The seeds of the blocks: ``block_candidates`` results (of disjoint feature ranges)
    grouped by story-set key, the groups of at least ``min_features`` features, each sorted."""
    if not found:
        return []
    f = np.concatenate([x for x, _ in found])
    h = np.concatenate([y for _, y in found])
    if not len(f):
        return []
    order = np.lexsort((f, h))
    h, f = h[order], f[order]
    starts = np.flatnonzero(np.r_[True, h[1:] != h[:-1]])
    sizes = np.diff(np.r_[starts, len(h)])
    return [f[a: a + m] for a, m in zip(starts.tolist(), sizes.tolist()) if m >= min_features]


def story_feature_rows(story: np.ndarray, feat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(story, feature) rows, each once (a story copied on two sites has one row per site)."""
    packed = sorted_unique((story.astype(_U64) << _U64(32)) | feat.astype(_U64))
    return (packed >> _U64(32)).astype(np.int64), (packed & _U64(0xFFFFFFFF)).astype(np.uint32)


SYNDICATION_LISTED = 100  # syndication clusters named in the run stats / report, largest first
_BLOCK_STORY_SHARE = 0.5  # a story carries a block when it has this share of the block's seed features


def expand_blocks(chunks: Any, seeds: list[np.ndarray], candidates: np.ndarray, member_share: float) -> np.ndarray:
    """The features of every block, sorted: each seed group (features with nearly the same set of
    stories) plus every candidate feature found in ``member_share`` of the stories that carry
    the block. The seeds are the passage's rarest grams; its other grams also occur elsewhere
    (a word of the passage in other articles), so their sets are larger, yet they are the same
    text. ``chunks()`` yields (story, feature) rows, each (story, feature) once, and all rows of
    a feature in one chunk (the spill groups of ``verification.common_step`` split by feature),
    as often as asked: each chunk is counted and reduced on its own, so memory follows the
    chunk (at 1M documents, gathering every carrier row first took a worker to 6 GB).
    """
    if not seeds:
        return np.empty(0, np.uint32)
    seed_f = np.concatenate(seeds)
    order = np.argsort(seed_f, kind="stable")
    seed_f = seed_f[order]
    seed_g = np.repeat(np.arange(len(seeds), dtype=np.int64), [len(g) for g in seeds])[order]
    # 1. The stories carrying each block.
    keys, counts = np.empty(0, _U64), np.empty(0, np.int64)  # (block, story) -> seed features seen
    for story, feat in chunks():
        hit = in_sorted(feat, seed_f)
        if hit.any():
            g = seed_g[np.searchsorted(seed_f, feat[hit])]
            k, c = np.unique((g.astype(_U64) << _U64(32)) | story[hit].astype(_U64), return_counts=True)
            keys, counts = _sum_counts(np.concatenate([keys, k]), np.concatenate([counts, c]))
    if not len(keys):
        return np.sort(seed_f)
    g_of = (keys >> _U64(32)).astype(np.int64)
    carries = counts >= _BLOCK_STORY_SHARE * np.array([len(g) for g in seeds])[g_of]
    carrier_story = (keys[carries] & _U64(0xFFFFFFFF)).astype(np.int64)
    carrier_g = g_of[carries]
    order = np.lexsort((carrier_g, carrier_story))  # by story; a story in two blocks counts for the first
    carrier_story, carrier_g = carrier_story[order], carrier_g[order]
    first = np.r_[True, carrier_story[1:] != carrier_story[:-1]] if len(carrier_story) else np.zeros(0, bool)
    carrier_story, carrier_g = carrier_story[first], carrier_g[first]
    n_carriers = np.bincount(carrier_g, minlength=len(seeds))
    # 2. Candidate features in member_share of a block's carriers.
    extra = [seed_f.astype(np.uint32)]
    for story, feat in chunks():
        sel = in_sorted(feat, candidates) & in_sorted(story, carrier_story)
        if sel.any():  # a feature's rows are all in this chunk: its count is complete here
            g = carrier_g[np.searchsorted(carrier_story, story[sel])]
            keys, counts = np.unique((g.astype(_U64) << _U64(32)) | feat[sel].astype(_U64), return_counts=True)
            g_of = (keys >> _U64(32)).astype(np.int64)
            ok = counts >= member_share * n_carriers[g_of]
            extra.append((keys[ok] & _U64(0xFFFFFFFF)).astype(np.uint32))
    return sorted_unique(np.concatenate(extra))


def _sum_counts(keys: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct keys with the counts of equal keys summed."""
    if not len(keys):
        return keys, counts
    order = np.argsort(keys, kind="stable")
    keys, counts = keys[order], counts[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    return keys[starts], np.add.reduceat(counts, starts)


def raw_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    shared = len(np.intersect1d(a, b, assume_unique=True))
    union = len(a) + len(b) - shared
    return shared / union if union else 0.0


def common_features(nodes: list[DocSignature], members: list[int], pairs: np.ndarray,
                    s: DedupSettings) -> dict[str, np.ndarray]:
    """Per site, the features found in at least ``common_min_docs`` distinct stories of that
    site and ``common_min_share`` of its documents among ``members``, and under ``BLOCKS_KEY``
    the passages shared verbatim by ``block_min_stories`` stories of any sites (:func:`shared_blocks`) (site: ``DocSignature.site``,
    "" when unknown). Templates are a site's (one company's releases, one site's chrome, one
    bot's briefs), so counting per site keeps a large mixed corpus from making ordinary
    phrases "common", while a syndicated story (one copy per site) is never common.

    Only features of documents in a candidate pair can matter, so only those are counted
    (memory follows the candidates, not the run). Near-exact copies (raw Jaccard >=
    ``copy_jaccard``) count as one story, so a widely copied story keeps its own text."""
    if not len(pairs):
        return {}
    in_pairs = sorted_unique(pairs.ravel()).tolist()
    universe = sorted_unique(np.concatenate([nodes[members[k]].features for k in in_pairs]))
    uf = _UnionFind(len(members))
    for a, b in pairs.tolist():
        if raw_jaccard(nodes[members[a]].features, nodes[members[b]].features) >= s.copy_jaccard:
            uf.union(a, b)
    site_names = sorted({nodes[m].site or "" for m in members})
    site_idx = {name: i for i, name in enumerate(site_names)}
    member_site = np.array([site_idx[nodes[m].site or ""] for m in members], dtype=np.int64)
    site_docs = np.bincount(member_site, minlength=len(site_names))
    n = np.int64(len(members))
    # One membership test per chunk of documents rather than per document: np.isin sorts the
    # universe on every call, which made this loop O(documents x universe) (it was 30% of a
    # 10k run's flow-process time). Same keys as testing document by document.
    codes, feats_hit = [], []
    for lo in range(0, len(members), _COMMON_CHUNK):
        chunk = range(lo, min(lo + _COMMON_CHUNK, len(members)))
        feats = [nodes[members[k]].features for k in chunk]
        f = np.concatenate(feats) if feats else np.empty(0, np.uint32)
        if not len(f):
            continue
        code = np.array([member_site[k] * n + uf.find(k) for k in chunk], dtype=np.int64)  # (site, story)
        code = np.repeat(code, [len(x) for x in feats])
        hit = in_sorted(f, universe)
        if hit.any():
            codes.append(code[hit])
            feats_hit.append(f[hit])
    if not codes:
        return {}
    code, feat = np.concatenate(codes), np.concatenate(feats_hit)
    if len(site_names) * int(n) < (1 << 31):  # (site, story, feature) packed in one integer: a plain sort
        packed = sorted_unique((code.astype(np.uint64) << np.uint64(32)) | feat.astype(np.uint64))
        rows_code = (packed >> np.uint64(32)).astype(np.int64)
        rows_feat = (packed & np.uint64(0xFFFFFFFF)).astype(np.int64)
    else:
        rows = np.unique(np.stack([code, feat.astype(np.int64)], axis=1), axis=0)
        rows_code, rows_feat = rows[:, 0], rows[:, 1]
    site_feature = (rows_code // n) * np.int64(1 << 32) + rows_feat  # one row per (site, story, feature)
    found = []
    if s.block_min_stories:
        labels = story_labels([nodes[m].id for m in members], np.array([uf.find(k) for k in range(len(members))]), len(members))
        found = [block_candidates(rows_code % n, rows_feat, s.block_min_stories, labels)]
    keys, counts = np.unique(site_feature, return_counts=True)
    site_of_key = keys >> 32
    need = np.maximum(s.common_min_docs, s.common_min_share * site_docs[site_of_key])
    keep = counts >= need
    out: dict[str, np.ndarray] = {}
    for i in np.unique(site_of_key[keep]).tolist():
        sel = keep & (site_of_key == i)
        out[site_names[i]] = np.sort((keys[sel] & np.int64(0xFFFFFFFF)).astype(np.uint32))
    seeds = shared_blocks(found, s.block_min_features)
    if seeds:
        rows = story_feature_rows((rows_code % n).astype(np.int64), rows_feat)
        blocks = expand_blocks(lambda: [rows], seeds, np.sort(found[0][0]), s.block_member_share)
        out[BLOCKS_KEY] = blocks
    return out


def resolve_duplicates(sigs: list[DocSignature], config: Config,
                       index: DedupIndex | None, candidates: list[tuple[str, str]] | None = None,
                       common: dict[str, np.ndarray] | None = None, earlier_in_candidates: bool = False) -> DedupOutcome:
    """Decide, for every signature of this run, kept (with its cluster) or duplicate of whom.
    Reads ``index`` (documents kept by earlier runs) but never writes it.

    The cyclic garbage collector is paused meanwhile: this builds ~10 acyclic objects per
    document, and each full collection re-walks every live signature, which made time per
    document grow with corpus size (measured at 100k: 5.3 s with GC, 3.2 s without).

    ``candidates``: the LSH candidate pairs as (id, id), computed elsewhere over shards
    (cleaning/dedup/shards.py); the same pairs give the same outcome. They cover this run's
    documents only, so an index that proposes near candidates of its own is refused, unless
    ``earlier_in_candidates`` says the pairs include (new, earlier) pairs of the index's documents
    too (cleaning/dedup/shards.py with the index's band rows). ``common``: the run's common
    features per site (:func:`common_features`), computed elsewhere over the whole run, for a
    call that sees only the documents that can be duplicates (shards.resolve_involved)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _resolve(sigs, dedup_settings(config), index, candidates, common, earlier_in_candidates)
    finally:
        if was_enabled:
            gc.enable()


def _day_number(published: str | None) -> int:
    """Days since 0001-01-01 of an ISO date (its first 10 characters), -1 when unknown."""
    from datetime import date

    try:
        return date.fromisoformat(published[:10]).toordinal() if published else -1
    except ValueError:
        return -1


def _outside_window(a, b, window: int):  # type: ignore[no-untyped-def]
    """Both dates known (>= 0) and more than ``window`` days apart (scalars or arrays)."""
    return (np.asarray(a) >= 0) & (np.asarray(b) >= 0) & (np.abs(np.asarray(a) - np.asarray(b)) > window)


def _near_ok(x: DocSignature, s: DedupSettings) -> bool:
    return x.n_shingles >= s.min_shingles and x.minhash is not None and x.features is not None


def _resolve(sigs: list[DocSignature], s: DedupSettings, index: DedupIndex | None,
             candidates: list[tuple[str, str]] | None = None, common: dict[str, np.ndarray] | None = None,
             earlier_in_candidates: bool = False) -> DedupOutcome:
    new = sorted(sigs, key=lambda x: x.id)
    ids = [x.id for x in new]
    if len(set(ids)) != len(ids):
        dup_ids = sorted({i for i in ids if ids.count(i) > 1})[:5]
        raise ValueError(f"resolve_duplicates: document ids must be unique, repeated: {dup_ids}")
    for x in new:
        if x.minhash is not None and len(x.minhash) != s.num_perm:
            raise ValueError(
                f"signature {x.id} has {len(x.minhash)} minhash values, config num_perm is "
                f"{s.num_perm}: signatures were computed with another [dedup] config")
    n = len(new)
    stats: dict[str, Any] = {"documents": n}

    # 1. Exact groups within the run; their first member (by id) stands for the group.
    group_head: dict[str, int] = {}
    for i, x in enumerate(new):
        group_head.setdefault(x.content_hash, i)
    earlier_exact = index.lookup_exact(group_head) if index is not None else {}

    # 2. LSH over one member per exact group with enough features.
    heads = sorted(group_head.values())
    eligible = [i for i in heads if _near_ok(new[i], s)]
    stats["short_exact_only"] = sum(1 for x in new if x.n_shingles < s.min_shingles)
    earlier_near: list[DocSignature] = []
    if index is not None and eligible:
        earlier_near = [e for e in index.candidates(np.stack([new[i].minhash for i in eligible]))
                        if _near_ok(e, s)]
    earlier: dict[str, DocSignature] = {e.id: e for e in earlier_near}
    for e in earlier_exact.values():
        earlier.setdefault(e.id, e)
    earlier_list = sorted(earlier.values(), key=lambda e: e.id)
    nodes: list[DocSignature] = new + earlier_list  # node = position here
    node_of_earlier = {e.id: n + k for k, e in enumerate(earlier_list)}

    # Units: one per exact group of this run (its head) and one per earlier document.
    unit_members: dict[int, list[int]] = defaultdict(list)
    for i, x in enumerate(new):
        unit_members[group_head[x.content_hash]].append(i)
    exact_link: dict[int, int] = {}  # run unit -> earlier node with the same content hash
    for h in heads:
        e = earlier_exact.get(new[h].content_hash)
        if e is not None:
            exact_link[h] = node_of_earlier[e.id]

    lsh_nodes = eligible + sorted(node_of_earlier[e.id] for e in earlier_near)
    pairs = np.empty((0, 2), dtype=np.int64)
    if candidates is not None:
        if earlier_near and not earlier_in_candidates:
            raise ValueError("sharded candidates cover this run's documents only; the index proposed "
                             f"{len(earlier_near)} earlier documents: use the single-process candidates")
        pos = {nodes[node].id: k for k, node in enumerate(lsh_nodes)}
        rows = sorted((pos[a], pos[b]) for a, b in candidates)  # ids ordered as rows: a < b
        pairs = np.array(rows, dtype=np.int64).reshape(-1, 2)
    elif len(lsh_nodes) > 1:
        mh = np.stack([nodes[i].minhash for i in lsh_nodes])
        pairs = candidate_pairs(band_keys(mh, s), s.max_bucket)
        # Earlier documents were already deduplicated against each other: skip those pairs.
        pairs = pairs[pairs[:, 0] < len(eligible)]
    if s.window_days and len(pairs):
        days = np.array([_day_number(nodes[i].published) for i in lsh_nodes], dtype=np.int64)
        far = _outside_window(days[pairs[:, 0]], days[pairs[:, 1]], s.window_days)
        pairs = pairs[~far]
        stats["pairs_outside_window"] = int(far.sum())
    if common is None:
        common = common_features(nodes, lsh_nodes, pairs, s)
    verifier = _Verifier(nodes, common, s)
    uf = _UnionFind(len(nodes))
    n_verified = 0
    for a, b in pairs.tolist():
        na, nb = lsh_nodes[a], lsh_nodes[b]
        if verifier.measure(na, nb).rule is not None:
            n_verified += 1
            uf.union(na, nb)
    for h, e in exact_link.items():
        uf.union(h, e)
    stats["candidate_pairs"] = len(pairs)
    stats["verified_pairs"] = n_verified
    stats["rejected_candidate_pairs"] = len(pairs) - n_verified
    stats["common_features"] = int(sum(len(v) for v in common.values()))

    # 3. Groups, then kept copies; every duplicate passes against the copy it names.
    components: dict[int, list[int]] = defaultdict(list)
    for u in heads:
        components[uf.find(u)].append(u)
    for k in range(n, len(nodes)):
        components[uf.find(k)].append(k)
    out = DedupOutcome()
    n_exact = n_near = n_earlier = n_split = 0
    syndication = []
    key = policy_key(s.keep_policy)
    best_of = {u: min((new[i] for i in unit_members[u]), key=key) for u in heads}
    for comp in components.values():
        remaining = sorted(comp)
        first = True
        while any(u < n for u in remaining):
            olds = [u for u in remaining if u >= n]
            if olds:
                rep_unit = min(olds, key=lambda u: key(nodes[u]))
                rep = nodes[rep_unit]
            else:
                rep_unit = min(remaining, key=lambda u: key(best_of[u]))
                rep = best_of[rep_unit]
            claimed, evidence = [], {}
            for u in remaining:
                if u == rep_unit or u >= n:
                    continue
                if exact_link.get(u) == rep_unit:
                    claimed.append(u)
                    continue
                if s.window_days and _outside_window(_day_number(rep.published), _day_number(nodes[u].published),
                                                     s.window_days):
                    continue  # joined through a chain, but too far in time from the kept copy
                ev = verifier.measure(rep_unit, u)
                if ev.rule is not None:
                    claimed.append(u)
                    evidence[u] = ev
            if not first and (rep_unit < n or claimed):
                n_split += 1
            first = False
            run_units = ([] if rep_unit >= n else [rep_unit]) + claimed
            run_members = [new[i] for u in run_units for i in unit_members[u]]
            if rep_unit < n:
                out.clusters[rep.id] = (rep.id, len(run_members))
            for u in run_units:
                ev = evidence.get(u)
                for i in unit_members[u]:
                    x = new[i]
                    if x.id == rep.id:
                        continue
                    exact = x.content_hash == rep.content_hash
                    reason = (f"already in corpus (run {rep.run})" if rep_unit >= n
                              else win_reason(rep, x, s.keep_policy))
                    out.duplicates.append(_duplicate(x, rep, exact, reason, ev, s))
                    n_exact += exact
                    n_near += not exact
                    n_earlier += rep_unit >= n
            everyone = ([rep] if rep_unit >= n else []) + run_members
            sites = sorted({x.site for x in everyone if x.site})
            if len(everyone) > 1 and len(sites) > 1:
                syndication.append({"cluster_id": rep.id, "size": len(everyone), "sites": sites,
                                    "representative": rep.id, "in_earlier_run": rep_unit >= n})
            done = set(run_units) | {rep_unit}
            remaining = [u for u in remaining if u not in done]
    out.duplicates.sort(key=lambda d: d.id)
    out.clusters = dict(sorted(out.clusters.items()))
    syndication.sort(key=lambda c: (-c["size"], c["cluster_id"]))
    stats.update({
        "kept": len(out.clusters), "exact": n_exact, "near": n_near,
        "duplicates_of_earlier_runs": n_earlier,
        "clusters": sum(1 for _, size in out.clusters.values() if size > 1),
        "groups_split": n_split,
        # The largest ones, as the report's highlight: every cluster is in the outputs
        # (cluster_id); a million-document run has ~175k, which made report.json 42 MB.
        "syndication_clusters": syndication[:SYNDICATION_LISTED],
        "syndication_clusters_total": len(syndication),
    })
    out.stats = stats
    return out


def _duplicate(x: DocSignature, rep: DocSignature, exact: bool, reason: str, ev: Evidence | None,
               s: DedupSettings) -> Duplicate:
    """The duplicate row with its evidence: the exact measures against ``duplicate_of``."""
    if exact or ev is None:
        n_x = int(len(x.features)) if x.features is not None else x.n_shingles
        n_r = int(len(rep.features)) if rep.features is not None else rep.n_shingles
        return Duplicate(id=x.id, source=x.source, duplicate_of=rep.id, similarity=1.0, method="exact",
                         url=x.url, cluster_id=rep.id, reason=reason, jaccard=1.0, containment=1.0,
                         shingles=n_x, shingles_of=n_r, shared=min(n_x, n_r), rule="exact_hash",
                         settings_version=s.version)
    # ev is (rep, x) ordered: size_a is the kept copy's
    return Duplicate(id=x.id, source=x.source, duplicate_of=rep.id,
                     similarity=round(max(ev.jaccard, ev.containment), 4), method="near", url=x.url,
                     cluster_id=rep.id, reason=reason, jaccard=round(ev.jaccard, 4),
                     containment=round(ev.containment, 4), shingles=ev.size_b, shingles_of=ev.size_a,
                     shared=ev.shared, rule=ev.rule, settings_version=s.version)
