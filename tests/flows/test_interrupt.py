"""Ctrl-C and SIGTERM on `newsclean run`: out within seconds, one line, and the next run finishes
the work exactly as an uninterrupted run would have done it."""

from __future__ import annotations

import json
import os
import random
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from flows.pipeline import newsclean_flow

ROOT = Path(__file__).resolve().parents[2]
OUTPUTS = ("corpus.jsonl", "rejected.jsonl", "duplicates.jsonl")
INTERRUPT_LINE = re.compile(r"^newsclean: (interrupted \(Ctrl-C\)|terminated \(SIGTERM\)): stopped, nothing half-done")

pytestmark = pytest.mark.slow


N_DOCS = 400
# Small batches keep a 400-document run long enough to be interrupted mid-way ("batch 1 done"
# arrives after 40 documents) while the suite pays for 5x fewer documents than a default run.
SMALL_BATCHES = "[pipeline]\nbatch_size = 40\nmax_batches_in_flight = 2\n"


def generate_corpus(path: Path, n: int = N_DOCS, seed: int = 15) -> None:
    """n JSONL news records built from the seed articles' sentences: mostly distinct stories,
    every tenth an exact copy of the one before, every 25th too short to keep."""
    sentences: list[str] = []
    for p in sorted((ROOT / "seeds").glob("*.txt")):
        for line in p.read_text(encoding="utf-8").splitlines()[1:]:
            sentences += [s for s in re.split(r"(?<=[.!?])\s+", line) if len(s.split()) >= 6]
    rng = random.Random(seed)
    prev = ""
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            if i % 10 == 9:
                text = prev
            elif i % 25 == 24:
                text = "Too short to be an article."
            else:
                paras = [" ".join(rng.sample(sentences, 4)) for _ in range(rng.randint(3, 6))]
                text = f"Story number {i} from the generated wire.\n\n" + "\n\n".join(paras)
            prev = text
            fh.write(json.dumps({"url": f"https://site{i % 7}.example/news/{i}", "title": f"Story {i}", "text": text}) + "\n")


@pytest.fixture(scope="module")
def corpus(prefect_harness, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, bytes]]:
    """Generated documents, the small-batch config, and the outputs of one uninterrupted run."""
    where = tmp_path_factory.mktemp("interrupt")
    inputs = where / "wire.jsonl"
    generate_corpus(inputs)
    cfg = where / "small-batches.toml"
    cfg.write_text(SMALL_BATCHES, encoding="utf-8")
    out = where / "reference"
    newsclean_flow(inputs=[str(inputs)], out=str(out), config_path=str(cfg))
    return inputs, cfg, {name: (out / name).read_bytes() for name in OUTPUTS}


def _interrupt(inputs: Path, out: Path, when: str, sig: int, group: bool, env: dict[str, str],
               *extra: str) -> tuple[int, float, str, list[int]]:
    """Run the CLI, send `sig` when `when` is logged (to the whole process group, as a terminal's
    Ctrl-C does, or to the process alone, as `kill` does); (exit code, seconds to exit, output
    after the signal, pids of the run's child processes at the signal)."""
    cmd = [sys.executable, "-m", "flows", "run", str(inputs), "--out", str(out), *extra]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    seen, after, sent, children = b"", b"", None, []
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([proc.stdout], [], [], 0.2)
            chunk = os.read(proc.stdout.fileno(), 65536) if ready else b""
            if sent is None:
                seen += chunk
                if when.encode() in seen:
                    children = [c.pid for c in psutil.Process(proc.pid).children(recursive=True)]
                    (os.killpg if group else os.kill)(proc.pid, sig)
                    sent = time.monotonic()
            else:
                after += chunk
            if ready and not chunk:
                break
        proc.wait(timeout=max(deadline - time.monotonic(), 1))
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert sent is not None, f"never saw {when!r}: {seen.decode(errors='replace')[-2000:]}"
    return proc.returncode, time.monotonic() - sent, after.decode(errors="replace"), children


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env.update(PYTHONPATH=str(ROOT), PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="120", **extra)
    return env


def _assert_one_line(after: str) -> None:
    lines = [line for line in after.splitlines() if line.strip()]
    # Lines already logged when the signal arrived may still be in the pipe; nothing after ours.
    assert lines and INTERRUPT_LINE.match(lines[-1]), after[-3000:]
    assert sum(bool(INTERRUPT_LINE.match(line)) for line in lines) == 1
    assert "Traceback" not in after and "Exception ignored" not in after and "Error logging to API" not in after, after[-3000:]
    assert not any("| ERROR" in line or "| WARNING" in line for line in lines), after[-3000:]


@pytest.mark.parametrize(("when", "temporary_server", "workers"), [
    ("batch 1 done", True, "0"),            # batches still being processed, in threads
    (f"validating {N_DOCS} inputs", False, "2"),  # Great Expectations at work; batches were in worker processes
])
def test_ctrl_c_stops_within_seconds_in_one_line_and_the_rerun_matches(
        corpus, tmp_path: Path, when: str, temporary_server: bool, workers: str) -> None:
    from prefect.settings import PREFECT_API_URL

    inputs, cfg, expected = corpus
    out = tmp_path / "out"
    # The first case runs as a user does, with the CLI's own temporary Prefect server (which a
    # terminal's Ctrl-C used to kill too, leaving the run retrying for minutes); the second
    # reuses the test server to keep the suite fast.
    env = _env() if temporary_server else _env(PREFECT_API_URL=PREFECT_API_URL.value())
    code, seconds, after, children = _interrupt(inputs, out, when, signal.SIGINT, True, env, "--workers", workers,
                                             "--config", str(cfg))
    assert code == 130, after[-3000:]
    assert seconds < 10, f"took {seconds:.1f} s to stop"
    _assert_one_line(after)
    time.sleep(0.5)
    assert not [pid for pid in children if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE], \
        "a child process (the temporary Prefect server?) outlived the run"

    report = newsclean_flow(inputs=[str(inputs)], out=str(out), config_path=str(cfg))
    assert report["counts"]["accounting_ok"]
    for name in OUTPUTS:
        assert (out / name).read_bytes() == expected[name], f"{name} after Ctrl-C at {when!r} differs from an uninterrupted run"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_kill_stops_the_run_and_its_temporary_server(corpus, tmp_path: Path, sig: int) -> None:
    """`kill PID` reaches the run alone: it must not leave its temporary server running (issue 13)."""
    inputs, cfg, _ = corpus
    out = tmp_path / "out"
    code, seconds, after, children = _interrupt(inputs, out, "Beginning flow run", sig, False, _env(),
                                                "--config", str(cfg))
    assert seconds < 10
    if sig == signal.SIGTERM:
        assert code == 143, after[-3000:]
        _assert_one_line(after)
    else:
        assert code == -signal.SIGKILL
    assert children, "the temporary Prefect server runs as a child of the CLI"
    time.sleep(0.5)
    assert not [pid for pid in children if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]
