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
    (tmp_path / "seeds" / "short.txt").write_text(
        "Короткая заметка: в Сеуле открылась новая линия метро, пассажиры довольны.\n", encoding="utf-8")
    seed0 = (ROOT / "seeds" / "000_c890ac01d5c57a8c.txt").read_text(encoding="utf-8")
    # A shorter copy (its last paragraph missing) with a nav line: a duplicate, and the original is kept.
    copy_text = "\n\n".join(seed0.rstrip("\n").split("\n\n")[:-1]) + "\n\nSkip to main content\n"
    (tmp_path / "seeds" / "zz_copy.txt").write_text(copy_text, encoding="utf-8")
    out = Path("out")
    assert main(["run", "seeds", "--out", "out"]) == 0
    capsys.readouterr()
    rows = [json.loads(line) for line in (out / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]
    seed2 = next(r for r in rows if r["source"].endswith("002_cb31e03ef644ea87.txt"))
    assert main(["explain", seed2["id"], "--out", str(out)]) == 0
    shown = capsys.readouterr().out
    assert "[-headline_list: Oil Prices Rebound" in shown and "[-photo_credit: Photo: KG Mobility Newsroom-]" in shown
    assert "BYD, the world's third-largest EV battery producer" in shown
    assert "[-whitespace: -]" not in shown, "a collapsed blank-line run is shown as blank lines, not an empty mark"
    assert main(["explain", "no-such-id", "--out", str(out)]) == 1
    capsys.readouterr()
    rejected = [json.loads(line) for line in (out / "rejected.jsonl").read_text(encoding="utf-8").splitlines()]
    short = next(r for r in rejected if r["source"].endswith("short.txt"))
    assert main(["explain", short["id"], "--out", str(out)]) == 0
    shown = capsys.readouterr().out
    assert f"rejected: {short['reason']}" in shown and "Короткая заметка" in shown, shown
    assert f"value: {short['value']}" in shown and f"threshold: {short['threshold']}" in shown, shown
    dups = [json.loads(line) for line in (out / "duplicates.jsonl").read_text(encoding="utf-8").splitlines()]
    copy = next(d for d in dups if d["source"].endswith("zz_copy.txt"))
    assert main(["explain", copy["id"], "--out", str(out)]) == 0
    shown = capsys.readouterr().out
    assert "[-nav: Skip to main content-]" in shown, shown

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


def _one_error_line(res: subprocess.CompletedProcess[str]) -> str:
    """The whole of what a failed command printed: one `newsclean: error:` line, nothing else."""
    lines = [line for line in (res.stdout + res.stderr).splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("newsclean: error: "), res.stdout + res.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[quality.too_short]\nmin_words = "fifty"\n', '[quality.too_short] min_words must be a whole number, got "fifty"'),
        ('[language]\nkeep = "en,de"\n', '[language] keep must be "all" or a list of language codes, got "en,de"'),
        ('[dedup.index]\nbackend = "redis"\nredis_url = "redis://127.0.0.1:1/0"\n',
         "cannot reach the Redis dedup index at redis://127.0.0.1:1/0"),
    ],
)
def test_user_errors_are_one_line_before_any_work(tmp_path: Path, toml: str, message: str) -> None:
    cfg = tmp_path / "my.toml"
    cfg.write_text(toml, encoding="utf-8")
    res = run_cli("run", "seeds", "--config", str(cfg), "--out", str(tmp_path / "out"))
    assert res.returncode == 2
    assert message in _one_error_line(res)
    assert not (tmp_path / "out").exists(), "nothing is started for a config error"


def test_out_below_a_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "afile.txt").write_text("x", encoding="utf-8")
    res = run_cli("run", "seeds", "--out", str(tmp_path / "afile.txt" / "sub"))
    assert res.returncode == 2
    assert "afile.txt is a file, not a folder" in _one_error_line(res)


def test_a_typo_in_a_flag_gets_a_suggestion() -> None:
    res = run_cli("run", "seeds", "--outt", "x")
    assert res.returncode == 2 and "did you mean --out?" in res.stderr
    res = run_cli("explian", "abc")
    assert res.returncode == 2 and "did you mean explain?" in res.stderr


def test_failed_validation_gate_says_so_once_without_traceback(prefect_harness, tmp_path: Path) -> None:
    from prefect.settings import PREFECT_API_URL

    strict = tmp_path / "strict.toml"
    strict.write_text('[validation.word_count]\nmin = 5000\n\n'
                      '[validation.severity]\n"clean_corpus.word_count_in_bounds" = "critical"\n', encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PREFECT_API_URL": PREFECT_API_URL.value()}
    res = subprocess.run([sys.executable, "-m", "flows", "run", "seeds", "--out", str(tmp_path / "out"), "--config",
                          str(strict)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 1
    printed = res.stdout + res.stderr
    assert "Traceback" not in printed and "| ERROR" not in printed, printed
    assert printed.count("word_count_in_bounds") == 1, printed
    assert "the run failed validation and was not committed" in res.stderr


def test_errors_a_user_can_act_on_are_classified() -> None:
    """Disk full, lost Redis and memory are one line at the boundary (raised from deep inside)."""
    import errno
    import sqlite3

    import redis

    from flows.boundary import classify, is_user_error

    def raised_from(outer: Exception, inner: BaseException) -> Exception:
        try:
            try:
                raise inner
            except BaseException as exc:
                raise outer from exc
        except Exception as caught:
            return caught

    full = raised_from(RuntimeError("cannot rollback - no transaction is active"),
                       sqlite3.OperationalError("database or disk is full"))
    code, message = classify(full)
    assert code == 1 and message.startswith("disk full") and "database or disk is full" in message
    code, message = classify(OSError(errno.ENOSPC, "No space left on device", "/data/out/corpus/part-000001.jsonl"))
    assert code == 1 and "disk full (/data/out/corpus/part-000001.jsonl)" in message
    code, message = classify(raised_from(ConnectionError("dedup index: redis at redis://x:6379/0 is unreachable"),
                                         redis.ConnectionError("Error 111 connecting to x:6379. Connection refused.")))
    assert code == 1 and "Redis dedup index stopped answering" in message
    code, message = classify(MemoryError())
    assert code == 1 and "out of memory" in message and "batch_size" in message
    assert classify(KeyError("a bug")) is None, "a bug keeps its traceback"
    assert is_user_error(full) and not is_user_error(KeyError("x"))


def test_a_user_error_inside_a_task_is_not_retried_and_is_one_line(prefect_harness, tmp_path: Path) -> None:
    """The dedup index of an output folder was built with 128 permutations; a config with 64
    fails inside the dedup task: said once, not retried three times with three tracebacks."""
    from prefect.settings import PREFECT_API_URL

    from flows.pipeline import newsclean_flow

    day1, day2 = tmp_path / "day1", tmp_path / "day2"
    shutil.copytree(ROOT / "seeds", day1)
    day2.mkdir()
    (day2 / "new.txt").write_text((ROOT / "seeds" / "001_856dfffb84b6831f.txt").read_text(encoding="utf-8")
                                  .replace("Ghosn", "Carlos Ghosn"), encoding="utf-8")
    newsclean_flow(inputs=[str(day1)], out=str(tmp_path / "out"))
    other = tmp_path / "other.toml"
    other.write_text("[dedup]\nnum_perm = 64\nlsh_bands = 21\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PREFECT_API_URL": PREFECT_API_URL.value()}
    res = subprocess.run([sys.executable, "-m", "flows", "run", str(day2), "--out", str(tmp_path / "out"), "--config",
                          str(other)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    printed = res.stdout + res.stderr
    assert res.returncode == 2, printed
    assert "Retry" not in printed and "Traceback" not in printed and "| ERROR" not in printed, printed
    errors = [line for line in printed.splitlines() if line.startswith("newsclean: error:")]
    assert len(errors) == 1 and "num_perm" in errors[0], printed
