"""Dedup on real seeds and realistic news: which copies cluster, which stay apart, who is kept."""

from __future__ import annotations

import pickle
import random
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_dedup_fixtures import KO_HYUNDAI, KO_HYUNDAI_COPY, KO_KIA, seed_copies, seed_docs

from cleaning.config import load_config
from cleaning.dedup import (
    DedupConfigError,
    DocSignature,
    compute_signatures,
    content_hash,
    dedup_settings,
    resolve_duplicates,
)
from cleaning.document import Document


@pytest.fixture(scope="module")
def config():
    return load_config()


def _check_partition(sigs: list[DocSignature], outcome) -> None:
    """Every input is kept (in clusters) or a duplicate, exactly once."""
    kept = set(outcome.clusters)
    dups = [d.id for d in outcome.duplicates]
    assert len(dups) == len(set(dups))
    assert kept.isdisjoint(dups)
    assert kept | set(dups) == {s.id for s in sigs}


# --- exact hash ----------------------------------------------------------------------------

def test_content_hash_folds_case_whitespace_and_punctuation():
    a = "Renault Korea Motors (RKM) announces the next step — exports!"
    b = "renault korea motors RKM announces the\n\nnext step: exports"
    assert content_hash(a) == content_hash(b)
    assert content_hash(a) != content_hash("Renault Korea Motors announces the next step exports")
    assert content_hash("ＰＯＬＥＳＴＡＲ ４") == content_hash("polestar 4")  # NFKC full-width


def test_signature_content_hash_equals_content_hash(config):
    docs = seed_docs()
    for sig, doc in zip(compute_signatures(docs, config), docs):
        assert sig.content_hash == content_hash(doc.text)


def test_exact_copy_is_method_exact_with_similarity_one(config):
    docs = seed_docs()
    original = docs[3]
    reformatted = Document(id="zz-reformatted", source="b.txt",
                           text=original.text.upper().replace("\n", " ").replace(".", ";"))
    sigs = compute_signatures([*docs, reformatted], config)
    out = resolve_duplicates(sigs, config, None)
    (dup,) = out.duplicates
    assert (dup.id, dup.duplicate_of, dup.method, dup.similarity) == (
        "zz-reformatted", original.id, "exact", 1.0)
    assert out.stats["exact"] == 1 and out.stats["near"] == 0


# --- the seed copies ---------------------------------------------------------------

def test_seed_copies_cluster_with_their_originals_and_originals_stay_distinct(config):
    originals = seed_docs()
    copies = seed_copies()
    sigs = compute_signatures(originals + [doc for _, doc in copies.values()], config)
    out = resolve_duplicates(sigs, config, None)
    _check_partition(sigs, out)
    assert sorted(out.clusters) == sorted(d.id for d in originals)  # the four stay distinct
    by_id = {d.id: d for d in out.duplicates}
    for copy_id, (original_id, _) in copies.items():
        dup = by_id[copy_id]
        assert dup.duplicate_of == original_id and dup.cluster_id == original_id
        assert dup.method == "near" and 0.8 <= dup.similarity <= 1.0
        assert dup.reason == "longer text"  # undated copies: the complete original wins
        assert out.clusters[original_id] == (original_id, 2)
    assert out.stats["near"] == 3 and out.stats["clusters"] == 3


def test_copies_of_a_story_on_several_sites_are_a_syndication_cluster(config):
    original = replace(seed_docs()[1], url="https://www.autoworld.example/renault-nissan")
    copy = replace(seed_copies()["copy-001-trailer"][1], sitename="Korea Auto Daily")
    out = resolve_duplicates(compute_signatures([original, copy], config), config, None)
    (cluster,) = out.stats["syndication_clusters"]
    assert cluster["size"] == 2
    assert cluster["sites"] == ["Korea Auto Daily", "autoworld.example"]
    assert cluster["representative"] == original.id
    assert out.stats["syndication_clusters_total"] == 1


def test_the_run_stats_name_the_largest_syndication_clusters_and_count_all(config, monkeypatch):
    """report.json lists the largest clusters spanning several sites and counts them all (at
    1M documents the full list was 175k clusters, 42 MB of report)."""
    from cleaning.dedup import resolve

    docs = []
    for k, doc in enumerate(seed_docs()):
        docs += [replace(doc, id=f"{doc.id}-a", url=f"https://a{k}.example/x"),
                 replace(doc, id=f"{doc.id}-b", url=f"https://b{k}.example/x")]
    docs.append(replace(seed_docs()[0], id="third", url="https://c.example/x"))
    monkeypatch.setattr(resolve, "SYNDICATION_LISTED", 2)
    stats = resolve_duplicates(compute_signatures(docs, config), config, None).stats
    assert stats["syndication_clusters_total"] == len(seed_docs())
    assert [c["size"] for c in stats["syndication_clusters"]] == [3, 2]


# --- script-aware shingling ----------------------------------------------------------------

def test_korean_near_duplicates_are_found_and_a_same_topic_story_is_not(config):
    docs = [Document("ko-hyundai", "ko/1.txt", KO_HYUNDAI, published="2024-11-23"),
            Document("ko-hyundai-copy", "ko/2.txt", KO_HYUNDAI_COPY, published="2024-11-23"),
            Document("ko-kia", "ko/3.txt", KO_KIA, published="2024-11-12")]
    sigs = compute_signatures(docs, config)
    assert [s.shingle_kind for s in sigs] == ["cjk_chars"] * 3
    out = resolve_duplicates(sigs, config, None)
    (dup,) = out.duplicates
    assert (dup.id, dup.duplicate_of, dup.method) == ("ko-hyundai-copy", "ko-hyundai", "near")
    assert sorted(out.clusters) == ["ko-hyundai", "ko-kia"]


def test_minhash_grams_keep_copies_close_and_unrelated_articles_of_one_language_apart(config):
    """MinHash (candidates only) runs over its own longer grams (8, CJK 6): a copy keeps its
    estimate, while unrelated articles of one language, which share many short grams ("ation",
    Korean particles), become candidates far less often than on the 5-gram features."""
    texts = [KO_HYUNDAI, KO_HYUNDAI_COPY, KO_KIA, *(d.text for d in seed_docs())]
    docs = [Document(f"d{i}", f"x/{i}.txt", t) for i, t in enumerate(texts)]
    on_features = load_config(overrides={"dedup": {"minhash_char_ngram": 5, "minhash_cjk_char_ngram": 4}})
    est = {}
    for name, cfg in (("long", config), ("features", on_features)):
        m = np.stack([s.minhash for s in compute_signatures(docs, cfg)])
        est[name] = lambda i, j, m=m: float(np.mean(m[i] == m[j]))
    assert est["long"](0, 1) >= 0.75  # the Korean copy (spacing, verbs, byline changed)
    unrelated = [(0, 2), (1, 2)] + [(i, j) for i in range(3, 7) for j in range(i + 1, 7)]  # same topic / English seeds
    assert all(est["long"](i, j) < 0.05 for i, j in unrelated)
    assert sum(est["long"](i, j) for i, j in unrelated) < 0.5 * sum(est["features"](i, j) for i, j in unrelated)


ZH_BYD = (
    "比亚迪与韩国KG移动公司正在就合资建设电动汽车电池工厂进行深入谈判。据首尔业内人士周日透露，双方计划在韩国建立"
    "电池单体工厂，以加强电动汽车电池供应。KG移动公司一位负责人表示，工厂的具体地点和产能尚未最终确定，双方仍在讨论"
    "投资规模。业内人士认为，该工厂最早可能于明年开工建设，初期年产能约为十吉瓦时。KG移动计划在即将推出的中型电动SUV"
    "中使用磷酸铁锂电池，这款车型将于九月上市。自2021年以来，该公司一直与比亚迪合作开发新车型，并计划将比亚迪电池用于"
    "电动皮卡。\n"
)
# Another outlet's copy: three small wording changes and its own reporter credit.
ZH_BYD_COPY = (ZH_BYD.replace("深入谈判", "深度谈判").replace("周日", "星期日").replace("九月", "9月")
               + "（记者 王伟 首尔报道）\n")


def test_chinese_copy_is_found_on_character_ngrams(config):
    """Chinese has no spaces: whole clauses are single "words", so the text is compared on
    character n-grams (cjk_char_ngram for CJK documents); three edited characters keep the copy."""
    docs = [Document("zh-1", "zh/1.txt", ZH_BYD, published="2023-06-11"),
            Document("zh-2", "zh/2.txt", ZH_BYD_COPY, published="2023-06-12")]
    sigs = compute_signatures(docs, config)
    assert sigs[0].shingle_kind == "cjk_chars"
    cjk = resolve_duplicates(sigs, config, None)
    assert [(d.id, d.duplicate_of, d.method) for d in cjk.duplicates] == [("zh-2", "zh-1", "near")]


# --- short documents -----------------------------------------------------------------------

SHORT = [
    "Photo: KG Mobility Newsroom",
    "Photo: Renault Korea Newsroom",
    "Markets close higher on Monday as tech rallies",
    "Markets close higher on Tuesday as tech rallies",
    "Read more: Polestar 4 production starts in Busan",
]


def test_short_documents_are_matched_exactly_only_never_collapsed(config):
    docs = [Document(f"short-{i}", f"s/{i}.txt", t) for i, t in enumerate(SHORT)]
    docs.append(Document("short-9", "s/9.txt", "photo: KG mobility newsroom"))  # exact copy of 0
    sigs = compute_signatures(docs, config)
    assert all(s.n_shingles < dedup_settings(config).min_shingles for s in sigs)
    out = resolve_duplicates(sigs, config, None)
    _check_partition(sigs, out)
    assert [(d.id, d.duplicate_of, d.method) for d in out.duplicates] == [("short-9", "short-0", "exact")]
    assert len(out.clusters) == 5
    assert out.stats["short_exact_only"] == 6


def test_empty_text_gets_a_signature_and_stays_its_own_document(config):
    sigs = compute_signatures([Document("empty", "e.txt", ""), seed_docs()[0]], config)
    assert sigs[0].n_shingles == 0
    out = resolve_duplicates(sigs, config, None)
    assert set(out.clusters) == {"empty", sigs[1].id}


# --- verification --------------------------------------------------------------------------

def test_lsh_candidates_sharing_boilerplate_are_rejected_by_verification(config):
    """With one row per band every shared shingle makes a candidate; verification keeps
    two different Polestar stories that share a long agency boilerplate paragraph apart."""
    boiler = ("\n\nAbout Polestar: Polestar is the Swedish electric performance car brand, "
              "established in 2017 by Volvo Cars and Geely Holding. Polestar cars are available "
              "in 27 markets across Europe, North America and Asia Pacific.\n")
    seeds = seed_docs()
    docs = [replace(seeds[0], text=seeds[0].text + boiler), replace(seeds[3], text=seeds[3].text + boiler)]
    eager = load_config(overrides={"dedup": {"lsh_rows": 1}})
    out = resolve_duplicates(compute_signatures(docs, eager), eager, None)
    assert out.stats["candidate_pairs"] == 1 and out.stats["rejected_candidate_pairs"] == 1
    assert len(out.clusters) == 2 and not out.duplicates


# --- keep policy ---------------------------------------------------------------------------

def _story_versions() -> list[Document]:
    base = seed_docs()[2]
    short = seed_copies()["copy-002-edited"][1]
    return [
        replace(base, id="b-full-late", published="2024-06-03", title="BYD and KGM talks", author="Kim"),
        replace(short, id="a-short-early", published="2024-06-02"),
        replace(base, id="c-full-undated", published=None, title="BYD, KGM in talks"),
    ]


def test_default_policy_keeps_the_earliest_published_copy(config):
    out = resolve_duplicates(compute_signatures(_story_versions(), config), config, None)
    assert list(out.clusters) == ["a-short-early"]
    assert out.clusters["a-short-early"] == ("a-short-early", 3)
    reasons = {d.id: d.reason for d in out.duplicates}
    assert reasons == {"b-full-late": "earliest published", "c-full-undated": "earliest published"}


def test_policy_order_is_data_longest_text_first(config):
    cfg = load_config(overrides={"dedup": {"keep_policy": ["longest_text", "earliest_published"]}})
    out = resolve_duplicates(compute_signatures(_story_versions(), cfg), cfg, None)
    # The two full copies tie on length; then earliest published decides between them.
    assert list(out.clusters) == ["b-full-late"]
    reasons = {d.id: d.reason for d in out.duplicates}
    assert reasons == {"a-short-early": "longer text", "c-full-undated": "earliest published"}


def test_metadata_then_stable_id_break_ties(config):
    base = seed_docs()[3]
    docs = [replace(base, id="m-2", title="SK and Polestar"), replace(base, id="m-1"),
            replace(base, id="m-3", title="SK and Polestar")]
    out = resolve_duplicates(compute_signatures(docs, config), config, None)
    assert list(out.clusters) == ["m-2"]
    assert {d.id: d.reason for d in out.duplicates} == {"m-1": "more metadata", "m-3": "stable id order"}


def test_unknown_keep_criterion_is_a_clear_error():
    with pytest.raises(DedupConfigError, match="unknown criteria.*most_shared"):
        dedup_settings(load_config(overrides={"dedup": {"keep_policy": ["most_shared"]}}))
    with pytest.raises(DedupConfigError, match="exceeds num_perm"):
        dedup_settings(load_config(overrides={"dedup": {"lsh_bands": 100, "lsh_rows": 4}}))


def test_repeated_ids_are_refused(config):
    sigs = compute_signatures(seed_docs()[:1], config)
    with pytest.raises(ValueError, match="unique"):
        resolve_duplicates(sigs + sigs, config, None)


# --- determinism and batching --------------------------------------------------------------

def _corpus() -> list[Document]:
    docs = seed_docs() + [d for _, d in seed_copies().values()] + _story_versions()
    docs += [Document("ko-1", "ko", KO_HYUNDAI), Document("ko-2", "ko", KO_HYUNDAI_COPY),
             Document("ko-3", "ko", KO_KIA)]
    docs += [Document(f"short-{i}", "s", t) for i, t in enumerate(SHORT)]
    return docs


def test_signatures_do_not_depend_on_batching_and_pickle_compactly(config):
    docs = _corpus()
    whole = compute_signatures(docs, config)
    pieces = [s for i in range(0, len(docs), 4) for s in compute_signatures(docs[i : i + 4], config)]
    for a, b in zip(whole, pieces):
        assert a.content_hash == b.content_hash and a.n_shingles == b.n_shingles
        assert a.minhash.dtype == np.uint64 and np.array_equal(a.minhash, b.minhash)
    blob = pickle.dumps(whole[0])
    assert pickle.loads(blob).minhash.tobytes() == whole[0].minhash.tobytes()
    assert np.array_equal(a.features, b.features)
    # No text inside: the MinHash plus 4 bytes per sampled feature.
    assert len(blob) < 1_700 + 4 * len(whole[0].features)


def test_same_outcome_for_any_input_order(config):
    sigs = compute_signatures(_corpus(), config)
    reference = resolve_duplicates(sigs, config, None)
    _check_partition(sigs, reference)
    for seed in range(3):
        shuffled = sigs[:]
        random.Random(seed).shuffle(shuffled)
        again = resolve_duplicates(shuffled, config, None)
        assert again.clusters == reference.clusters
        assert again.duplicates == reference.duplicates
        assert again.stats == reference.stats


def test_large_batches_are_sketched_in_bounded_chunks_with_identical_results(config, monkeypatch):
    import cleaning.dedup.sketch as sketch

    docs = _corpus()
    whole = compute_signatures(docs, config)
    monkeypatch.setattr(sketch, "_MAX_CHUNK_CHARS", 3_000)  # forces a chunk per document or two
    chunked = compute_signatures(docs, config)
    assert [(s.content_hash, s.n_shingles, s.minhash.tobytes()) for s in whole] == [
        (s.content_hash, s.n_shingles, s.minhash.tobytes()) for s in chunked]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 2**32 - 1), max_size=300), st.lists(st.integers(0, 2**32 - 1), max_size=300))
def test_sorted_unique_and_in_sorted_equal_numpy(values: list[int], ref: list[int]) -> None:
    """The sort-based helpers used on dedup's hot paths give exactly np.unique / np.isin."""
    from cleaning.dedup.signature import in_sorted, sorted_unique

    a = np.array(values, dtype=np.uint32)
    r = np.unique(np.array(ref, dtype=np.uint32))
    assert np.array_equal(sorted_unique(a), np.unique(a))
    assert np.array_equal(sorted_unique(np.stack([a, a[::-1]])), np.unique(np.stack([a, a[::-1]])))
    assert np.array_equal(in_sorted(a, r), np.isin(a, r))


@pytest.mark.parametrize("dtype, base", [(np.uint32, 0), (np.uint32, 2**32 - 2**20), (np.uint64, 2**64 - 2**21),
                                         (np.int64, -(2**20)), (np.int64, 2**63 - 2**21)])
@pytest.mark.parametrize("span", [1, 9, 2**15, 2**20])
def test_in_sorted_fast_paths_equal_numpy(dtype: Any, base: int, span: int) -> None:
    """in_sorted's span bitmap (taken for many values) gives exactly np.isin, at the type's
    edges: values below, inside and above ref's span, negative and wrapped."""
    from cleaning.dedup.signature import _CHUNK, _binary_in_sorted, _span_in_sorted, in_sorted

    rng = np.random.default_rng(span)
    info = np.iinfo(dtype)
    lo, hi = max(info.min, base - 2**16), min(info.max, base + span + 2**16)
    offsets = rng.integers(0, hi - lo + 1, _CHUNK + 5000, dtype=np.uint64)  # two chunks
    values = np.array([lo + int(o) for o in offsets.tolist()], dtype=dtype)
    ref = np.unique(np.r_[np.array([base, base + span - 1], dtype=dtype), rng.choice(values, 2000)])
    ref = ref[(ref >= dtype(base)) & (ref <= dtype(base + span - 1))]
    want = np.isin(values, ref)
    assert want.any() and not want.all()
    assert np.array_equal(in_sorted(values, ref), want)
    assert np.array_equal(_span_in_sorted(values, ref, int(ref[-1]) - int(ref[0]) + 1), want)
    assert np.array_equal(_binary_in_sorted(values, ref), want)


def test_date_window_keeps_far_apart_copies_apart_but_not_exact_ones():
    """dedup.window_days: near copies dated further apart than the window stay distinct (in
    Korean, Russian and English); exact copies match whatever their dates; undated copies and
    copies inside the window are still near duplicates; the default (0) has no window."""
    ru = ("Центральный банк сохранил ключевую ставку без изменений, сославшись на замедление инфляции и "
          "неопределённость во внешней торговле, сообщили в пресс-службе регулятора в пятницу. ") * 2
    texts = {"ko": KO_HYUNDAI, "ru": ru, "en": next(iter(seed_docs())).text}
    docs = []
    for lang, text in texts.items():
        words = text.split(" ")
        words[len(words) // 2] = "edited"
        near = " ".join(words)
        docs += [Document(id=f"{lang}-2023", source="s", text=text, published="2023-01-10"),
                 Document(id=f"{lang}-2024-near", source="s", text=near, published="2024-03-01"),
                 Document(id=f"{lang}-2023-near", source="s", text=near.replace("edited", "revised"),
                          published="2023-01-20"),
                 Document(id=f"{lang}-undated-near", source="s", text=near.replace("edited", "changed")),
                 Document(id=f"{lang}-2025-exact", source="s", text=text.upper(), published="2025-06-01")]
    windowed = load_config(overrides={"dedup": {"window_days": 30}})
    plain = load_config()
    out = resolve_duplicates(compute_signatures(docs, windowed), windowed, None)
    of = {d.id: (d.duplicate_of, d.method) for d in out.duplicates}
    for lang in texts:
        assert f"{lang}-2024-near" in out.clusters, lang  # 416 days from its original: its own story
        assert of[f"{lang}-2025-exact"] == (f"{lang}-2023", "exact")
        assert of[f"{lang}-2023-near"] == (f"{lang}-2023", "near")
        assert of[f"{lang}-undated-near"][0] in (f"{lang}-2023", f"{lang}-2024-near")
    ref = resolve_duplicates(compute_signatures(docs, plain), plain, None)
    assert all(f"{lang}-2024-near" not in ref.clusters for lang in texts)
    assert dedup_settings(plain).version != dedup_settings(windowed).version
