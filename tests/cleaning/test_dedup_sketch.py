"""The vectorized sketch under concurrency: batches sketched in several threads at once."""

from __future__ import annotations

import threading

import numpy as np

import cleaning.dedup.sketch as sketch

_PARAMS = dict(char_ngram=5, cjk_char_ngram=4, cjk_min_share=0.3, feature_sample=4, num_perm=64, seed=1)
_SENTENCES = [
    "The central bank raised its benchmark rate by a quarter point on Wednesday.",
    "Центральный банк повысил ключевую ставку на четверть пункта в среду.",
    "Η κεντρική τράπεζα αύξησε το επιτόκιο κατά ένα τέταρτο της μονάδας την Τετάρτη.",
    "Bank centralny podniósł w środę stopę referencyjną o ćwierć punktu.",
    "중앙은행은 수요일 기준금리를 0.25%포인트 인상했다.",
    "央行周三将基准利率上调四分之一个百分点。",
]


def _batch(k: int) -> list[str]:
    # Batches of very different lengths, so every thread needs the power tables to grow.
    return [" ".join(_SENTENCES[(k + i) % len(_SENTENCES)] for i in range(j + 1)) * (k + 1)
            for j in range(12 * (k + 1))]


def _cold_start() -> None:
    """Power tables as a fresh process has them (what the race needed to show)."""
    one = np.ones(1, dtype=np.uint64)
    if hasattr(sketch._Powers, "_arrays"):
        sketch._Powers._arrays = (one, one.copy())
    else:  # the layout before the fix: two separately swapped arrays
        sketch._Powers.fwd, sketch._Powers.inv = one, one.copy()


def test_batches_sketched_concurrently_from_a_cold_start_match_serial_results():
    batches = [_batch(k) for k in range(6)]
    expected = [sketch.sketch_batch(b, **_PARAMS) for b in batches]
    for _ in range(8):
        _cold_start()
        results: list[object] = [None] * len(batches)
        errors: list[BaseException] = []
        barrier = threading.Barrier(len(batches))

        def work(i: int) -> None:
            try:
                barrier.wait()
                results[i] = sketch.sketch_batch(batches[i], **_PARAMS)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(len(batches))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors[:1]
        for got, want in zip(results, expected):
            assert got.content_hashes == want.content_hashes
            assert np.array_equal(got.minhashes, want.minhashes)
            assert np.array_equal(got.n_shingles, want.n_shingles)


def _same(a: sketch.BatchSketch, b: sketch.BatchSketch) -> None:
    assert a.content_hashes == b.content_hashes
    assert np.array_equal(a.minhashes, b.minhashes)
    assert np.array_equal(a.n_shingles, b.n_shingles)
    assert np.array_equal(a.char_mode, b.char_mode)
    assert all(np.array_equal(x, y) for x, y in zip(a.features, b.features, strict=True))


# Characters NFKC changes (or that change their neighbour), in each script's own text: an
# ellipsis and a no-break space, a ligature, full-width Latin and a circled digit, a decomposed
# accent that composes, Hangul jamo that compose to syllables, a compatibility ideograph and a
# mathematical bold letter (astral) among emoji.
_UNNORMALIZED = [
    "The central bank\u00a0raised its rate… by a quarter point; the ﬁrst rise since ③ years.",
    "Центральный банк повысил ставку\u2026 на четверть пункта в сре\u0306ду.",
    "Η κεντρικη\u0301 τράπεζα αύξησε το επιτόκιο\u00a0κατά ένα τέταρτο της μονάδας.",
    "Bank centralny podnio\u0301sł w środę stopę o ćwierć punktu\u2026 ＮＢＰ ｗ środę.",
    "\u1100\u1161\u11a8 중앙은행은 수요일 기준금리를 0.25%포인트 인상했다\u2026 ﾃﾞｰﾀ",
    "央行周三将基准利率上调四分之一个百分点\u2026 \uf900 𝐁𝐚𝐧𝐤 😀 rate.",
]


def test_nfkc_is_applied_only_around_unstable_characters_with_the_same_result_as_full_nfkc():
    import unicodedata

    texts = [" ".join(_UNNORMALIZED[(k + i) % len(_UNNORMALIZED)] for i in range(k + 3)) for k in range(18)]
    texts += ["\u0301 starts with a combining mark", "ends with a jamo \u1100", "\u00a0", ""]
    normalized = [unicodedata.normalize("NFKC", t) for t in texts]
    assert normalized != texts
    _same(sketch.sketch_batch(texts, **_PARAMS), sketch.sketch_batch(normalized, **_PARAMS))
    for t, n in zip(texts, normalized, strict=True):  # alone, and beside ASCII-only texts
        _same(sketch.sketch_batch([t, "plain ascii text"], **_PARAMS),
              sketch.sketch_batch([n, "plain ascii text"], **_PARAMS))


def test_features_do_not_depend_on_which_sort_a_batch_takes():
    """A batch of similar sizes sorts features as rows of a padded matrix, a batch with one
    document far longer than the rest as (document, feature) keys: same features either way."""
    texts = [" ".join(_SENTENCES[(k + i) % len(_SENTENCES)] for i in range(k % 5 + 2)) for k in range(30)]
    alone = [sketch.sketch_batch([t], **_PARAMS) for t in texts]
    long_one = " ".join(_SENTENCES) * 200
    for batch in (sketch.sketch_batch(texts, **_PARAMS), sketch.sketch_batch([long_one, *texts], **_PARAMS)):
        got = batch.features[-len(texts):]
        for one, feats in zip(alone, got, strict=True):
            assert np.array_equal(one.features[0], feats)
            assert len(feats) and np.all(np.diff(feats.astype(np.int64)) > 0)  # sorted, distinct


def _pinned_digest(b: sketch.BatchSketch) -> str:
    import hashlib

    h = hashlib.sha256()
    for i, c in enumerate(b.content_hashes):
        h.update(c.encode() + b.minhashes[i].tobytes() + b.features[i].tobytes() + bytes([int(b.char_mode[i])]))
    return h.hexdigest()[:16]


def test_sketch_values_are_pinned_so_a_speed_change_cannot_move_them_silently():
    """Persisted indexes hold these values under ``SCHEME``: a change to the hashing must bump
    it. Texts in seven scripts with NFKC-unstable and astral characters; pinned before the
    vectorization changes of 2026-12-02 (benchmarks/signature_digest.py covers the corpora),
    re-pinned when one-permutation MinHash replaced num_perm permutations (scheme v3; content
    hashes and features unchanged)."""
    texts = _SENTENCES + _UNNORMALIZED + ["البنك المركزي رفع سعر الفائدة الرئيسي ربع نقطة يوم الأربعاء 😀", ""]
    assert sketch.SCHEME == "newsclean-oph-chargram-v3"
    assert _pinned_digest(sketch.sketch_batch(texts, **_PARAMS, minhash_sample=2)) == "6e0b02cf516a47dd"


def test_texts_mixing_ascii_bmp_astral_and_the_separator_sketch_as_they_do_alone():
    """Each text of a batch is encoded on its own (ASCII bytes, or UTF-16 with astral stand-ins):
    whatever its neighbours, a text gets the sketch it gets alone; a NUL in a text is a space."""
    texts = ["plain ascii words here", *_SENTENCES, *_UNNORMALIZED, "emoji 😀😀 𝐁𝐚𝐧𝐤 at the end 🙂",
             "nul\x00inside a text", "nul inside a text", "\x00", ""]
    together = sketch.sketch_batch(texts, **_PARAMS)
    for i, t in enumerate(texts):
        alone = sketch.sketch_batch([t], **_PARAMS)
        assert alone.content_hashes[0] == together.content_hashes[i]
        assert np.array_equal(alone.minhashes[0], together.minhashes[i])
        assert np.array_equal(alone.features[0], together.features[i])
    k = texts.index("nul\x00inside a text")
    assert together.content_hashes[k] == together.content_hashes[k + 1]
    assert np.array_equal(together.minhashes[k], together.minhashes[k + 1])


def _exact_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    inter = len(np.intersect1d(a, b))
    return inter / max(len(a) + len(b) - inter, 1)


def test_one_permutation_minhash_estimates_jaccard_and_densifies_empty_bins():
    """One-permutation MinHash: bin k of a row holds the document's smallest value in bin k
    (by top bits); empty bins are filled from non-empty ones of the same row, deterministically.
    Estimates stay close to the exact Jaccard of the value sets (128 bins: sd <= ~0.045)."""
    params = {**_PARAMS, "num_perm": 128}
    base = [" ".join(_SENTENCES[(k + i) % len(_SENTENCES)] for i in range(8)) for k in range(6)]
    edited = [t.replace("a", "o", 3).replace("е", "и", 3) + " " + _SENTENCES[k % len(_SENTENCES)]
              for k, t in enumerate(base)]
    sk = sketch.sketch_batch(base + edited, **params)
    errors = []
    for k in range(len(base)):
        exact = _exact_jaccard(sk.features[k], sk.features[len(base) + k])
        est = float(np.mean(sk.minhashes[k] == sk.minhashes[len(base) + k]))
        errors.append(abs(est - exact))
    assert np.mean(errors) < 0.06 and max(errors) < 0.15
    # Tiny documents: most bins are empty; every bin of a row with a feature ends up holding
    # one of its own features, rows without features stay all-empty.
    tiny = ["abcde", "abcdefgh fast", "Bank rate", "😀", "", "...", "중앙은행은 수요일"]
    t = sketch.sketch_batch(tiny, **params)
    for feats, row in zip(t.features, t.minhashes, strict=True):
        if len(feats):
            assert set(row.tolist()) <= set(feats.tolist())
            bins = feats.astype(np.uint64) >> np.uint64(25)
            assert np.array_equal(row[bins.astype(np.int64)], feats.astype(np.uint64)) or len(set(bins.tolist())) < len(feats)
        else:
            assert (row == np.iinfo(np.uint64).max).all()
    # Deterministic whatever the batch split, and a pure function of the features.
    split = [sketch.sketch_batch(tiny[i : i + 2], **params) for i in range(0, len(tiny), 2)]
    assert np.array_equal(np.concatenate([s.minhashes for s in split]), t.minhashes)
