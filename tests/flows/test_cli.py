"""The command line: clear errors without tracebacks, and a summary on success."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flows.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "flows", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_missing_input_is_a_clear_error_without_traceback(tmp_path: Path) -> None:
    res = run_cli("run", str(tmp_path / "no-such-folder"), "--out", str(tmp_path / "out"))
    assert res.returncode == 2
    assert "input path does not exist" in res.stderr and "no-such-folder" in res.stderr
    assert "Traceback" not in res.stderr + res.stdout
    assert not (tmp_path / "out").exists()


def test_bad_config_is_a_clear_error(tmp_path: Path) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text("[pipeline\nbatch_size = 3\n", encoding="utf-8")
    res = run_cli("run", "seeds", "--config", str(cfg), "--out", str(tmp_path / "out"))
    assert res.returncode == 2 and "not valid TOML" in res.stderr and "Traceback" not in res.stderr


def test_run_on_seeds_prints_summary_and_fills_out(prefect_harness, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "small_batches.toml"
    cfg.write_text("[pipeline]\nbatch_size = 1\n", encoding="utf-8")
    code = main(["run", str(ROOT / "seeds"), "--out", str(tmp_path / "out"), "--config", str(cfg)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "4 inputs" in printed and "kept" in printed
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["counts"]["inputs"] == 4 and report["counts"]["accounting_ok"]


def test_explain_and_validate_commands(prefect_harness, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Relative paths, as a user types them (the README's `make run` uses `--out output`)."""
    monkeypatch.chdir(tmp_path)
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    out = Path("out")
    assert main(["run", "seeds", "--out", "out"]) == 0
    capsys.readouterr()
    rows = [json.loads(line) for line in (out / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]
    seed2 = next(r for r in rows if r["source"].endswith("002_cb31e03ef644ea87.txt"))
    assert main(["explain", seed2["id"], "--out", str(out)]) == 0
    shown = capsys.readouterr().out
    assert "[-headline_list: Oil Prices Rebound" in shown and "[-photo_credit: Photo: KG Mobility Newsroom-]" in shown
    assert "BYD, the world's third-largest EV battery producer" in shown
    assert main(["explain", "no-such-id", "--out", str(out)]) == 1

    assert main(["validate", "out/corpus.jsonl", "--out", "v"]) == 0
    assert "clean_corpus" in capsys.readouterr().out
    assert (tmp_path / "v" / "validation" / "index.html").is_file()


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[pipeline]\nbatchsize = 10\n", "unknown setting(s) ['pipeline.batchsize']"),
        ("[pipeline]\nbatch_size = 0\n", "batch_size must be a whole number >= 1"),
        ('[pipeline]\nbatch_size = "ten"\n', 'batch_size must be a whole number, got "ten"'),
        ('[dedup]\nkeep_policy = ["newest"]\n', "newest"),
        ('[validation.severity]\n"clean_corpus.no_such" = "critical"\n', "names no expectation"),
    ],
)
def test_config_mistakes_are_clear_errors(tmp_path: Path, toml: str, message: str) -> None:
    cfg = tmp_path / "my.toml"
    cfg.write_text(toml, encoding="utf-8")
    res = run_cli("run", "seeds", "--config", str(cfg), "--out", str(tmp_path / "out"))
    assert res.returncode == 2, res.stderr
    assert message in res.stderr and "Traceback" not in res.stderr


def test_out_that_is_a_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "out").write_text("not a folder", encoding="utf-8")
    res = run_cli("run", "seeds", "--out", str(tmp_path / "out"))
    assert res.returncode == 2 and "is a file, not a folder" in res.stderr and "Traceback" not in res.stderr
