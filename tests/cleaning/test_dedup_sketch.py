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
