"""Exact verification: every duplicate is checked against the copy it names, with its evidence."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest

from cleaning.config import load_config
from cleaning.dedup import compute_signatures, dedup_settings, resolve_duplicates
from cleaning.document import Document


@pytest.fixture(scope="module")
def config():
    return load_config()


def _shared_vocabulary_corpus(n_stories: int = 120, seed: int = 3) -> tuple[list[Document], dict[str, int]]:
    """Stories drawn from one small vocabulary (so unrelated stories share many word runs),
    each with 0-3 copies: trimmed, letter noise, a sentence changed."""
    rng = random.Random(seed)
    vocab = [w for w in (
        "the government said on monday that prices of energy and food rose again in the capital while "
        "officials warned markets about inflation and the central bank kept its rate unchanged after "
        "talks with unions over wages pensions and taxes in the region where farmers protested against "
        "new rules for water and land as ministers met business leaders to discuss growth jobs and trade"
    ).split()]
    docs, truth = [], {}
    for k in range(n_stories):
        words = [rng.choice(vocab) for _ in range(rng.randint(60, 160))]
        text = " ".join(words)
        copies = [text]
        for c in range(rng.randint(0, 3)):
            op = c % 3
            if op == 0:
                copies.append(" ".join(words[: int(len(words) * 0.85)]))
            elif op == 1:
                copies.append("".join(ch if rng.random() > 0.02 or not ch.isalpha() else rng.choice("aeiou")
                                      for ch in text))
            else:
                w2 = words[:]
                for i in rng.sample(range(len(w2)), 4):
                    w2[i] = rng.choice(vocab)
                copies.append(" ".join(w2))
        for c, t in enumerate(copies):
            doc_id = f"s{k:03d}-{c}"
            docs.append(Document(doc_id, f"gen/{doc_id}.txt", t, published=f"2024-01-{1 + c:02d}"))
            truth[doc_id] = k
    return docs, truth


def test_every_duplicate_passes_its_recorded_thresholds_against_duplicate_of(config):
    s = dedup_settings(config)
    docs, truth = _shared_vocabulary_corpus()
    sigs = compute_signatures(docs, config)
    feats = {x.id: x.features for x in sigs}
    out = resolve_duplicates(sigs, config, None)
    assert out.duplicates
    for d in out.duplicates:
        assert d.settings_version == s.version
        assert d.duplicate_of in out.clusters  # named copy is kept, no chain through a duplicate
        if d.rule == "exact_hash":
            assert d.method == "exact" and d.jaccard == d.containment == 1.0
            continue
        assert d.rule in ("jaccard", "containment")
        threshold = s.verify_jaccard if d.rule == "jaccard" else s.verify_containment
        assert (d.jaccard if d.rule == "jaccard" else d.containment) >= threshold
        # The evidence is self-consistent and measured on these two documents' sets.
        assert d.shingles >= s.min_shingles and d.shingles_of >= s.min_shingles
        assert d.jaccard == round(d.shared / (d.shingles + d.shingles_of - d.shared), 4)
        assert d.containment == round(d.shared / min(d.shingles, d.shingles_of), 4)
        raw_shared = len(np.intersect1d(feats[d.id], feats[d.duplicate_of]))
        assert d.shared <= raw_shared and d.shingles <= len(feats[d.id])
        assert d.shingles_of <= len(feats[d.duplicate_of])


def test_no_cluster_grows_beyond_the_true_one_on_shared_vocabulary(config):
    docs, truth = _shared_vocabulary_corpus()
    out = resolve_duplicates(compute_signatures(docs, config), config, None)
    members = {kept: [kept] for kept in out.clusters}
    for d in out.duplicates:
        members[d.duplicate_of].append(d.id)
    true_size = Counter(truth.values())
    for group in members.values():
        stories = {truth[i] for i in group}
        assert len(stories) == 1, group  # never two stories in one cluster
        assert len(group) <= true_size[stories.pop()]
    found = sum(len(g) - 1 for g in members.values())
    assert found >= 0.9 * (len(docs) - len(true_size))  # and the copies are found


ABOUT = ("About Norvanta Systems. Norvanta Systems, Inc. is a global provider of industrial automation software "
         "and connected sensing platforms that help manufacturers, utilities and logistics operators run safer, "
         "more efficient and more sustainable operations. Founded in 2004 and headquartered in Columbus, Ohio, "
         "Norvanta serves more than 4,000 customers in 38 countries through regional offices and partners. "
         "This press release contains forward-looking statements that are subject to risks and uncertainties.")


def test_a_sites_template_makes_no_duplicate_but_a_story_copied_to_many_sites_does(config):
    """Features common to many stories OF ONE SITE carry no weight; a story syndicated to twelve
    sites (one copy each) is not "common" and its copies stay one cluster."""
    rng = random.Random(5)
    words = ("plant contract revenue quarter orders sensors utilities customers expansion factory rollout "
             "partnership software platform pilot results guidance margin backlog deliveries").split()
    releases = [Document(f"pr-{k:02d}", f"pr/{k}.txt",
                         " ".join(rng.choice(words) + str(rng.randint(0, 99)) for _ in range(40)) + "\n\n" + ABOUT,
                         sitename="Norvanta Systems") for k in range(12)]
    story = " ".join(rng.choice(words) + str(rng.randint(0, 99)) for _ in range(120))
    copies = [Document(f"wire-{k:02d}", f"wire/{k}.txt", story + (" Reuters" if k % 2 else ""), sitename=f"Site {k}")
              for k in range(12)]
    out = resolve_duplicates(compute_signatures(releases + copies, config), config, None)
    assert not [d for d in out.duplicates if d.id.startswith("pr-")]
    wire = [d for d in out.duplicates if d.id.startswith("wire-")]
    assert len(wire) == 11 and len({d.duplicate_of for d in wire}) == 1


def test_the_feature_store_reads_the_same_after_releasing_its_pages(tmp_path) -> None:
    """The verification steps unmap the store's pages between blocks of pairs (so a worker's RSS
    does not count every page it ever read): what is read afterwards, and arrays taken before,
    are unchanged."""
    from cleaning.dedup.verification import STORE_DIR, _dump, _Store

    rng = np.random.default_rng(5)
    docs = [np.sort(rng.choice(1 << 32, size=int(k), replace=False)).astype(np.uint32)
            for k in rng.integers(1, 5000, size=300)]
    d = tmp_path / STORE_DIR
    d.mkdir()
    np.concatenate(docs).tofile(d / "features.u32")
    np.save(d / "offsets.npy", np.cumsum([0] + [len(x) for x in docs]))
    np.save(d / "site_of.npy", np.arange(len(docs)) % 2)
    _dump({"sites": ["a.example", "b.example"]}, d / "meta.pkl")
    store = _Store(tmp_path)
    before = [store[i].features for i in range(len(docs))]
    store.release()
    assert all(np.array_equal(store[i].features, x) for i, x in enumerate(docs))
    assert all(np.array_equal(b, x) for b, x in zip(before, docs))
    assert [store[i].site for i in range(3)] == ["a.example", "b.example", "a.example"]
