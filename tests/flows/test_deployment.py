"""Deployments against a REAL local Prefect server: `newsclean serve` and prefect.yaml + a worker.

One server (SQLite in a temp dir, loopback port) for the module. Each test starts its own
long-lived process (the serving CLI, or a process worker), triggers a run with
``run_deployment`` and checks the run completed and wrote the corpus. Every process started
here runs in its own process group and is ended in a ``finally``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PREFECT = str(Path(sys.executable).with_name("prefect"))
SERVER_START_TIMEOUT = 150  # measured ~9-12 s on 2 quiet cores; 60 s timed out at load 15+ (two suites, helpers)
RUN_TIMEOUT = 180  # a seeds run takes ~20 s; 90 s ran out at load 15 with two test workers

pytestmark = [pytest.mark.slow, pytest.mark.timeout(480)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(cmd: list[str], env: dict[str, str], log: Path, cwd: Path = ROOT) -> subprocess.Popen:
    """A child in its own process group, so ending it also ends the runs it spawned."""
    return subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    else:  # the leader exited; children it left behind still carry its group id
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def wait_until(check, timeout: float, what: str, logs: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.5)
    tail = logs.read_text(errors="replace")[-3000:] if logs and logs.exists() else ""
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}\n{tail}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A real `prefect server start` on a free loopback port; yields the env to talk to it."""
    home = tmp_path_factory.mktemp("prefect-home")
    port = free_port()
    env = {**os.environ, "PREFECT_HOME": str(home), "DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{home / 'prefect.db'}"}
    env.pop("PREFECT_API_URL", None)
    log = home / "server.log"
    proc = start([PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)], env, log)
    api = f"http://127.0.0.1:{port}/api"

    def healthy() -> bool:
        if proc.poll() is not None:
            pytest.fail(f"prefect server exited with {proc.returncode}\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(f"{api}/health", timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    try:
        wait_until(healthy, SERVER_START_TIMEOUT, "the Prefect server to be healthy", log)
        yield {**env, "PREFECT_API_URL": api}
    finally:
        stop(proc)


@pytest.fixture
def inputs(tmp_path: Path, seeds_dir: Path) -> Path:
    target = tmp_path / "crawl"
    shutil.copytree(seeds_dir, target)
    return target


def client_call(env: dict[str, str], fn):
    """Run ``fn(client)`` against the test server from this process."""
    import asyncio

    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    async def call():
        async with get_client() as client:
            return await fn(client)

    with temporary_settings(updates={PREFECT_API_URL: env["PREFECT_API_URL"]}):
        return asyncio.run(call())


def read_deployment(env: dict[str, str], name: str):
    from prefect.exceptions import ObjectNotFound

    async def fn(client):
        try:
            return await client.read_deployment_by_name(name)
        except ObjectNotFound:
            return None

    return client_call(env, fn)


def trigger(env: dict[str, str], name: str, **kwargs):
    """``run_deployment`` and wait (bounded) for the run to reach a final state."""
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: env["PREFECT_API_URL"]}):
        return run_deployment(name, timeout=RUN_TIMEOUT, poll_interval=1, **kwargs)


def corpus_ids(out: Path) -> set[str]:
    """Ids of kept documents, from the merged corpus file or the per-run parts."""
    files = [out / "corpus.jsonl"] if (out / "corpus.jsonl").exists() else sorted(out.glob("corpus/*.jsonl"))
    ids = set()
    for f in files:
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rec = json.loads(line)
                assert rec["text"].strip()
                ids.add(rec["id"])
    return ids


def test_newsclean_serve_runs_the_flow_on_demand_and_registers_the_cron(
        server: dict[str, str], inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    env = {**server, "PREFECT_RUNNER_POLL_FREQUENCY": "1"}  # pick up the run within a second, not 10
    log = tmp_path / "serve.log"
    # A yearly cron (1 January) registers a schedule that cannot fire during the test.
    proc = start([sys.executable, "-m", "flows", "serve", str(inputs), "--out", str(out),
                  "--cron", "0 0 1 1 *", "--name", "test-serve"], env, log)
    try:
        deployment = wait_until(lambda: proc.poll() is None and read_deployment(server, "newsclean/test-serve"),
                                120, "`newsclean serve` to register its deployment", log)
        assert [s.schedule.cron for s in deployment.schedules] == ["0 0 1 1 *"]
        assert deployment.parameters["inputs"] == [str(inputs)]
        assert deployment.parameters["out"] == str(out)

        flow_run = trigger(server, "newsclean/test-serve")
        assert flow_run.state.is_completed(), (flow_run.state, log.read_text(errors="replace")[-3000:])
    finally:
        stop(proc)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["counts"]["inputs"] == 4 and report["counts"]["kept"] == 4
    assert len(corpus_ids(out)) == 4


def test_serve_rejects_a_bad_cron_before_touching_the_server(server: dict[str, str], inputs: Path,
                                                            tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "flows", "serve", str(inputs), "--out", str(tmp_path / "o"),
                           "--cron", "61 * * * *"], cwd=ROOT, env=server, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "not a valid cron expression" in done.stderr and "Traceback" not in done.stderr


def test_prefect_yaml_deploys_and_a_process_worker_runs_it(server: dict[str, str], inputs: Path,
                                                          tmp_path: Path) -> None:
    def cli(*args: str) -> str:
        done = subprocess.run([PREFECT, *args], cwd=ROOT, env=server, capture_output=True, text=True, timeout=90)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    cli("work-pool", "create", "newsclean-pool", "--type", "process")
    cli("--no-prompt", "deploy", "--all")
    deployment = read_deployment(server, "newsclean/newsclean-hourly")
    assert deployment.entrypoint == "flows/pipeline.py:newsclean_flow"
    assert deployment.work_pool_name == "newsclean-pool"
    assert [s.schedule.cron for s in deployment.schedules] == ["0 * * * *"]
    assert set(deployment.parameters) == {"inputs", "out", "config_path"}
    assert deployment.global_concurrency_limit.limit == 1  # runs share the output and state folders
    # The code runs from this checkout: no git clone, no copy.
    assert deployment.pull_steps == [{"prefect.deployments.steps.set_working_directory": {"directory": str(ROOT)}}]

    # The worker listens on its own queue, so the hourly schedule's runs (default queue) never
    # start here; only the run triggered below does, with outputs in the temp dir.
    log = tmp_path / "worker.log"
    worker = start([PREFECT, "worker", "start", "--pool", "newsclean-pool", "--work-queue", "test-queue"],
                   {**server, "PREFECT_WORKER_QUERY_SECONDS": "1"}, log)
    out = tmp_path / "out"
    try:
        flow_run = trigger(server, "newsclean/newsclean-hourly", work_queue_name="test-queue",
                           parameters={"inputs": [str(inputs)], "out": str(out)})
        assert flow_run.state.is_completed(), (flow_run.state, log.read_text(errors="replace")[-3000:])
    finally:
        stop(worker)
    assert len(corpus_ids(out)) == 4
