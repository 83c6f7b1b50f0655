"""A failing part (Redis down, a full disk, no memory) ends a run with one line, not a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_redis_down_is_one_line(prefect_harness, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "redis.toml"
    cfg.write_text('[dedup.index]\nbackend = "redis"\nredis_url = "redis://127.0.0.1:1/0"\n', encoding="utf-8")
    code = main(["run", str(ROOT / "seeds"), "--out", str(tmp_path / "out"), "--config", str(cfg)])
    err = capsys.readouterr().err
    assert code == 2, "found by the preflight, before any work"
    lines = [ln for ln in err.splitlines() if ln.startswith("newsclean: error:")]
    assert len(lines) == 1 and "127.0.0.1:1" in lines[0] and "redis" in lines[0].lower(), err[-2000:]
    assert "Traceback" not in err
