"""A run killed at any point of its commit is finished by the next run: nothing lost or doubled.

(Split from test_incremental.py so `make test`'s two workers share the slow subprocess runs.)"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flow_helpers import EXTRA_STORY, OUTPUTS, all_ids
from flows.pipeline import newsclean_flow

ROOT = Path(__file__).resolve().parents[2]


CRASH_POINTS = ["after_first_batch", "before_commit", "after_commit", "after_index", "before_view_marker"]


@pytest.fixture(scope="module")
def reference_run(prefect_harness, tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path, fixtures_dir: Path):
    """A folder of inputs and the outputs of one uninterrupted run over it."""
    inputs = tmp_path_factory.mktemp("crash_inputs")
    shutil.copytree(seeds_dir, inputs / "seeds")
    shutil.copytree(fixtures_dir / "html", inputs / "html")
    (inputs / "extra.txt").write_text(EXTRA_STORY, encoding="utf-8")
    (inputs / "empty.html").write_bytes(b"")
    out = tmp_path_factory.mktemp("reference")
    newsclean_flow(inputs=[str(inputs)], out=str(out), config_path=str(_small_batches(out)))
    return inputs, all_ids(out)


def _small_batches(where: Path) -> Path:
    cfg = where.parent / f"{where.name}-small.toml"
    cfg.write_text("[pipeline]\nbatch_size = 2\nmax_batches_in_flight = 1\n", encoding="utf-8")
    return cfg


@pytest.mark.slow
@pytest.mark.parametrize("point", CRASH_POINTS)
def test_killed_run_is_finished_by_the_next_with_nothing_lost_or_doubled(reference_run, tmp_path: Path, point: str) -> None:
    from prefect.settings import PREFECT_API_URL

    inputs, expected = reference_run
    out = tmp_path / "out"
    cfg = _small_batches(out)
    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), "PYTHONPATH": str(ROOT), "NEWSCLEAN_CRASH_AT": point}
    cmd = [sys.executable, "-m", "flows", "run", str(inputs), "--out", str(out), "--config", str(cfg)]
    killed = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=180)
    assert killed.returncode == -9, killed.stderr[-2000:]

    report = newsclean_flow(inputs=[str(inputs)], out=str(out), config_path=str(cfg))
    assert report["counts"]["accounting_ok"]
    got = all_ids(out)
    for name in OUTPUTS:
        assert sorted(got[name]) == sorted(expected[name]), f"{name} after a kill at {point}"
        assert len(got[name]) == len(set(got[name])), f"{name} has a document twice after a kill at {point}"
    assert not list((out / ".staging").glob("*/*")), "staging left behind"
    assert not list((out / "state").glob("pending-index-*")), "pending index left behind"
