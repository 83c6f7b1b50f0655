"""Shared fixtures: the seeds, realistic HTML pages, a quiet offline Prefect test harness."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_HOME", str(ROOT / ".prefect"))
if os.environ.get("PYTEST_XDIST_WORKER"):
    # `make test` runs two pytest-xdist workers: each gets its own Prefect home, so the CLI's
    # temporary servers of two workers never migrate one SQLite database at the same time.
    os.environ["PREFECT_HOME"] = os.path.join(os.environ["PREFECT_HOME"], os.environ["PYTEST_XDIST_WORKER"])
    os.makedirs(os.environ["PREFECT_HOME"], exist_ok=True)  # Prefect creates the last level only
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")

import pytest  # noqa: E402

SEEDS_DIR = ROOT / "seeds"
FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS_DIR


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES_DIR


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect API (SQLite in a temp dir) for every flow test in the session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture()
def redis_url() -> str:
    """The test Redis (``NEWSCLEAN_TEST_REDIS_URL``): skipped where unreachable, a failure in CI."""
    import redis

    url = os.environ.get("NEWSCLEAN_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but redis at {url} is unreachable: {exc}")
        pytest.skip(f"redis at {url} unreachable: {exc}")
    return url


CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars")


@pytest.fixture()
def chromium(tmp_path: Path):
    """``chromium(*args)``: Debian's headless Chromium with a fresh profile and no network
    chatter; skipped where it is not installed, a failure in CI."""
    import shutil
    import subprocess

    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if not binary:
        if os.environ.get("CI"):
            pytest.fail("chromium is required in CI (apt-get install -y chromium)")
        pytest.skip("chromium not installed (apt-get update && apt-get install -y chromium)")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        cmd = [binary, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'chromium-profile'}", *args]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=True)

    return run
