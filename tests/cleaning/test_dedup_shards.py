"""Sharded LSH candidates (cleaning/dedup/shards.py) equal the single-process ones, and give the
same dedup outcome, whether the ranges run in a loop, a thread pool or a 2-worker Dask cluster."""

from __future__ import annotations

import random
from dataclasses import replace
import re
from concurrent.futures import ThreadPoolExecutor
import pickle
from pathlib import Path

import numpy as np
import pytest

from cleaning.config import load_config
from cleaning.dedup import compute_signatures, dedup_settings, resolve_duplicates
from cleaning.dedup.resolve import candidate_pairs
from cleaning.dedup import MemoryIndex
from cleaning.dedup.shards import VERDICTS_FILE, resolve_sharded, sharded_candidates, write_band_shard, \
    write_signature_shard
from cleaning.state import SupersededFilter
from cleaning.dedup.signature import band_keys
from cleaning.document import Document

_BLOCK = ("About the company: a leading provider of industrial components and services with operations "
          "in more than forty countries. This release contains forward-looking statements that involve "
          "risks and uncertainties; actual results may differ materially from those expressed or implied. ")


def _corpus(seeds_dir: Path) -> list[Document]:
    """Stories composed from the seeds' sentences, with near copies (edited words, dropped
    sentences), exact copies and 40 templated releases sharing one long block (LSH buckets far
    larger than max_bucket, so the chain-plus-star linking is exercised)."""
    rng = random.Random(11)
    sentences = [s for p in sorted(seeds_dir.glob("*.txt"))
                 for s in re.split(r"(?<=[.!?])\s+", p.read_text(encoding="utf-8")) if len(s.split()) >= 6]
    docs: list[Document] = []
    for k in range(160):
        story = rng.sample(sentences, 6)
        docs.append(Document(id=f"d{k:04d}", source="gen", text=" ".join(story), url=f"https://s{k % 7}.example/{k}"))
        if k % 3 == 0:
            words = " ".join(story).split(" ")
            for _ in range(3):
                words[rng.randrange(len(words))] = rng.choice(["edited", "changed", "new"])
            docs.append(Document(id=f"d{k:04d}-near", source="gen", text=" ".join(words), url=f"https://m.example/{k}"))
        if k % 10 == 0:
            docs.append(Document(id=f"d{k:04d}-exact", source="gen", text=" ".join(story).upper()))
        if k % 4 == 0:
            docs.append(Document(id=f"t{k:04d}", source="gen", text=f"Release {k}: " + rng.choice(sentences) + " " + _BLOCK * 3,
                                 sitename="Template Co"))
    rng.shuffle(docs)
    return docs


@pytest.fixture(scope="module")
def setup(seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    cfg = load_config()
    s = dedup_settings(cfg)
    docs = _corpus(seeds_dir)
    folder = tmp_path_factory.mktemp("shards")
    sigs = []
    for shard, lo in enumerate(range(0, len(docs), 37)):  # batches as the flow's tasks see them
        batch = compute_signatures(docs[lo : lo + 37], cfg)
        write_band_shard(batch, folder, shard, s, n_ranges=8)
        sigs += batch
    return cfg, s, sigs, folder


def _single_process_pairs(sigs, s) -> list[tuple[str, str]]:
    heads = {}
    for x in sorted(sigs, key=lambda x: x.id):
        heads.setdefault(x.content_hash, x)
    nodes = sorted((x for x in heads.values() if x.n_shingles >= s.min_shingles), key=lambda x: x.id)
    pairs = candidate_pairs(band_keys(np.stack([x.minhash for x in nodes]), s), s.max_bucket)
    return sorted((nodes[a].id, nodes[b].id) for a, b in pairs.tolist())


def test_sharded_candidates_equal_the_single_process_pairs(setup) -> None:
    _, s, sigs, folder = setup
    expected = _single_process_pairs(sigs, s)
    assert len(expected) > 100
    assert sharded_candidates(folder, s, n_ranges=8) == expected
    with ThreadPoolExecutor(4) as pool:
        assert sharded_candidates(folder, s, n_ranges=8, map_fn=pool.map) == expected


def test_sharded_candidates_give_the_same_outcome(setup) -> None:
    cfg, s, sigs, folder = setup
    reference = resolve_duplicates(sigs, cfg, None)
    sharded = resolve_duplicates(sigs, cfg, None, candidates=sharded_candidates(folder, s, n_ranges=8))
    assert reference.stats["near"] > 20 and reference.stats["exact"] > 5
    assert sharded.duplicates == reference.duplicates
    assert sharded.clusters == reference.clusters
    assert sharded.stats == reference.stats


@pytest.mark.slow
def test_sharded_candidates_on_a_two_worker_dask_cluster(setup) -> None:
    from distributed import Client, LocalCluster

    _, s, sigs, folder = setup
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        def dask_map(fn, items):  # type: ignore[no-untyped-def]
            return client.gather(client.map(fn, list(items)))

        assert sharded_candidates(folder, s, n_ranges=8, map_fn=dask_map) == _single_process_pairs(sigs, s)
        reference = resolve_duplicates(sigs, setup[0], None)
        _assert_same(reference, *_sharded_outcome(sigs, setup[0], folder.parent / "sharded-dask", None, dask_map))


def _sharded_outcome(sigs, cfg, folder: Path, index, map_fn=map, batch: int = 80):
    import pickle

    s = dedup_settings(cfg)
    for shard, lo in enumerate(range(0, len(sigs), batch)):
        write_signature_shard(sigs[lo : lo + batch], folder, shard, s, n_ranges=8)
    stats, methods = resolve_sharded(folder, cfg, index, map_fn=map_fn, n_ranges=8)
    verdicts = pickle.loads((folder / VERDICTS_FILE).read_bytes())
    return stats, methods, verdicts


def _assert_same(reference, stats, methods, verdicts) -> None:
    assert stats == reference.stats
    assert verdicts["duplicates"] == reference.duplicates
    kept = {d for d in reference.clusters if reference.clusters[d][1] > 1 or d in verdicts["clusters"]}
    assert {k: v for k, v in reference.clusters.items() if k in kept} == verdicts["clusters"]
    # every other kept document is a cluster of one, never held by the sharded steps
    assert all(v == (k, 1) for k, v in reference.clusters.items() if k not in kept)
    assert methods == {m: sum(d.method == m for d in reference.duplicates) for m in ("exact", "near")
                       if any(d.method == m for d in reference.duplicates)}


def test_sharded_resolution_equals_the_single_process_one(setup, tmp_path: Path) -> None:
    """Pairs verified, groups and kept copies: the sharded steps (verdicts of the involved
    documents only) give the single-process outcome, stats included."""
    cfg, _, sigs, _ = setup
    reference = resolve_duplicates(sigs, cfg, None)
    assert reference.stats["common_features"] > 0 and reference.stats["groups_split"] >= 0
    _assert_same(reference, *_sharded_outcome(sigs, cfg, tmp_path, None))


@pytest.mark.parametrize("budget", [1, 64 << 10])
def test_common_features_counted_in_groups_of_spill_files_give_the_same_outcome(
        setup, tmp_path: Path, budget: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Bounded memory: a small budget counts the common features one group of spill files (by
    the features' top bits) at a time, 256 groups for a budget of one byte; the outcome, the
    common features included, is the single-process one."""
    import cleaning.dedup.verification as verification

    cfg, _, sigs, _ = setup
    sizes = [8 * 1000] * verification.SPILL_FILES
    assert len(verification.spill_groups(sizes, 1)) == verification.SPILL_FILES
    assert len(verification.spill_groups(sizes, 64 << 10)) > 1
    assert len(verification.spill_groups(sizes, 1 << 40)) == 1
    assert [k for g in verification.spill_groups(sizes, 64 << 10) for k in g] == list(range(verification.SPILL_FILES))
    monkeypatch.setattr(verification, "COMMON_PASS_BYTES", budget)
    reference = resolve_duplicates(sigs, cfg, None)
    _assert_same(reference, *_sharded_outcome(sigs, cfg, tmp_path, None))


def test_verification_parts_and_the_feature_store(setup, tmp_path: Path) -> None:
    """The store holds exactly each paired document's features; the pairs verified in any
    number of parts are the same set, and each passing pair passes resolve.py's verifier."""
    import numpy as np

    import cleaning.dedup.verification as verification
    from cleaning.dedup.shards import read_signature_shard, _shards

    cfg, _, sigs, _ = setup
    folder = tmp_path / "one"
    _sharded_outcome(sigs, cfg, folder, None)
    store = verification._Store(folder)
    ids = pickle.loads((folder / verification.STORE_DIR / "meta.pkl").read_bytes())["ids"]
    by_id = {x.id: x for b in _shards(folder) for x in read_signature_shard(folder, b)}
    assert len(ids) == len(store) > 100
    for k, i in enumerate(ids):
        assert np.array_equal(store[k].features, by_id[i].features) and store[k].site == (by_id[i].site or "")
    verified = set()
    for n_parts in (1, 3):
        for f in (folder / verification.VERIFIED_DIR).glob("*.npy"):
            f.unlink()
        total = sum(verification.verify_step(folder, cfg, k, n_parts) for k in range(n_parts))
        got = {tuple(r) for f in (folder / verification.VERIFIED_DIR).glob("*.npy") for r in np.load(f).tolist()}
        assert len(got) == total > 10
        verified = verified or got
        assert got == verified


def test_sharded_resolution_against_an_index_and_a_date_window(setup, tmp_path: Path) -> None:
    """Incremental: a third of the corpus kept by an earlier run is in the index (one of its
    documents reappears in this run and must not be its own duplicate); a date window is set."""
    cfg, s, sigs, _ = setup
    cfg = {**cfg, "dedup": {**cfg["dedup"], "window_days": 30}}
    rng = random.Random(3)
    dated = [replace(x, published=None if k % 5 == 0 else f"2024-{1 + k % 12:02d}-{1 + k % 28:02d}")
             for k, x in enumerate(sigs)]
    order = sorted(dated, key=lambda x: x.id)
    first, rest = order[::3], [x for k, x in enumerate(order) if k % 3]
    index = MemoryIndex(dedup_settings(cfg))
    earlier = resolve_duplicates(first, cfg, None)
    index.add([x for x in first if x.id in earlier.clusters], run_id="run-000001")
    rest = rest + [next(x for x in first if x.id in earlier.clusters)]
    rng.shuffle(rest)
    reference = resolve_duplicates(rest, cfg, SupersededFilter(index, {x.id for x in rest}))
    assert reference.stats["duplicates_of_earlier_runs"] > 10 and reference.stats.get("pairs_outside_window")
    _assert_same(reference, *_sharded_outcome(rest, cfg, tmp_path, index))


def test_shards_index_finds_what_the_sqlite_index_finds(setup, tmp_path: Path) -> None:
    """The compact index (4-byte keys per band-key range, features in a separate store) returns
    the same candidates and exact matches as SqliteIndex, and costs far fewer bytes per document
    for near-duplicate lookups."""
    from cleaning.dedup.index import SqliteIndex
    from cleaning.dedup.shard_index import ShardIndex

    cfg, s, sigs, _ = setup
    order = sorted(sigs, key=lambda x: x.id)
    runs = [order[0::3], order[1::3]]
    sq, sh = SqliteIndex(s, tmp_path / "i.sqlite3"), ShardIndex(s, tmp_path / "shards", n_ranges=8)
    for k, run in enumerate(runs):
        sq.add(run, run_id=f"r{k}")
        sh.add(run, run_id=f"r{k}")
    sh = ShardIndex(s, tmp_path / "shards")  # reopened
    probe = order[2::3] + order[:20]
    mh = np.stack([x.minhash for x in probe])
    want, got = sq.candidates(mh), sh.candidates(mh)
    assert len(want) > 20
    assert [(x.id, x.run, x.content_hash, x.minhash.tobytes(), x.features.tobytes()) for x in got] == \
        [(x.id, x.run, x.content_hash, x.minhash.tobytes(), x.features.tobytes()) for x in want]
    hashes = [x.content_hash for x in probe]
    assert {h: x.id for h, x in sh.lookup_exact(hashes).items()} == {h: x.id for h, x in sq.lookup_exact(hashes).items()}
    assert len(sh.lookup_exact(hashes)) >= 20
    size = sh.bytes_on_disk()
    assert size["bands"] + size["exact"] < 300 * len(sh)
    sq.close()


def test_candidate_pairs_read_as_codes_are_the_pairs_deduplicated_in_order(tmp_path) -> None:
    """The common step reads the range files' pairs as integer codes: the same pairs (a pair
    found in two band ranges once), in sorted (a, b) order."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from cleaning.dedup.shards import PAIRS_DIR
    from cleaning.dedup.verification import _read_pairs

    rng = random.Random(7)
    ids = [f"{rng.getrandbits(64):016x}" for _ in range(300)]
    (tmp_path / PAIRS_DIR).mkdir()
    expected = set()
    for r in range(5):
        pairs = [tuple(sorted(rng.sample(ids, 2))) for _ in range(400)] + sorted(expected)[:50]  # repeats across files
        expected.update(pairs)
        pq.write_table(pa.table({"a": [a for a, _ in pairs], "b": [b for _, b in pairs]}),
                       tmp_path / PAIRS_DIR / f"range-{r:03d}.parquet")
    got_ids, rows = _read_pairs(tmp_path)
    assert got_ids == sorted({i for p in expected for i in p})
    assert [(got_ids[a], got_ids[b]) for a, b in rows.tolist()] == sorted(expected)
