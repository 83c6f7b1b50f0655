"""Which task runner a run gets: worker processes for large inputs on several CPUs, else threads."""

from __future__ import annotations

import pytest

from cleaning.config import ConfigError, load_config
from flows import pipeline


def test_small_inputs_stay_in_process_large_ones_get_a_worker_per_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = load_config()
    limit = cfg["pipeline"]["process_pool_min_bytes"]
    monkeypatch.setattr(pipeline.os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    assert pipeline.auto_workers(cfg, limit - 1) == 0
    assert pipeline.auto_workers(cfg, limit) == 3
    monkeypatch.setattr(pipeline.os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert pipeline.auto_workers(cfg, 10 * limit) == 0  # one CPU: extra processes only cost


def test_runner_choice() -> None:
    from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner

    # With the per-document time limit, N threads drive N time-limit worker processes...
    runner = pipeline.flow_with_runner(workers=2).task_runner
    assert isinstance(runner, ThreadPoolTaskRunner) and runner._max_workers == 2
    # ...without it, N pool processes run the tasks themselves.
    runner = pipeline.flow_with_runner(workers=2, time_limited=False).task_runner
    assert isinstance(runner, ProcessPoolTaskRunner) and runner._max_workers == 2
    assert isinstance(pipeline.flow_with_runner(workers=0).task_runner, ThreadPoolTaskRunner)


def test_process_pool_min_bytes_is_checked(tmp_path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[pipeline]\nprocess_pool_min_bytes = -1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="process_pool_min_bytes"):
        load_config(bad)
