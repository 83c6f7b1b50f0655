"""Sharded LSH candidates (cleaning/dedup/shards.py) equal the single-process ones, and give the
same dedup outcome, whether the ranges run in a loop, a thread pool or a 2-worker Dask cluster."""

from __future__ import annotations

import random
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from cleaning.config import load_config
from cleaning.dedup import compute_signatures, dedup_settings, resolve_duplicates
from cleaning.dedup.resolve import candidate_pairs
from cleaning.dedup.shards import sharded_candidates, write_band_shard
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
