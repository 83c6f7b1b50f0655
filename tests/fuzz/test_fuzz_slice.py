"""A fast, fixed slice of benchmarks/fuzz_pipeline.py: mutated real pages, JSONL, WARC, text and
file names through the whole library path; nothing may escape as an exception."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import fuzz_pipeline  # noqa: E402


def test_a_slice_of_the_fuzzer_finds_nothing_escaping() -> None:
    outcomes = fuzz_pipeline.fuzz(21, seed=13, pages=fuzz_pipeline.seed_pages([]), timeout=20.0)
    errors = [f"{o.kind} seed={o.seed}: {o.error}" for o in outcomes if o.error]
    assert errors == []
    assert {o.kind for o in outcomes} == set(fuzz_pipeline.KINDS)
    assert sum(o.kept for o in outcomes) > 0 and sum(sum(o.rejected.values()) for o in outcomes) > 0
