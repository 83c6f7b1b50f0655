"""With no Prefect server configured, the CLI's early-started temporary server records the run."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _home_with_a_configured_server(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A PREFECT_HOME whose active profile configures an API URL (nothing listens there)."""
    home = tmp_path / "prefect-home"
    home.mkdir()
    (home / "profiles.toml").write_text('active = "remote"\n\n[profiles.remote]\n'
                                        'PREFECT_API_URL = "http://127.0.0.1:9/api"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env.update(PYTHONPATH=str(ROOT), PREFECT_HOME=str(home))
    return home, env


def test_cli_without_api_url_runs_against_its_own_early_temporary_server(tmp_path: Path) -> None:
    home = tmp_path / "prefect-home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env.update(PYTHONPATH=str(ROOT), PREFECT_HOME=str(home), PREFECT_SERVER_EPHEMERAL_ENABLED="true",
               PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="120")
    # `make install` prepares the server's database first (migrations, block types)...
    prep = subprocess.run([sys.executable, "-m", "flows.local_server"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    assert prep.returncode == 0, prep.stderr[-2000:]
    assert "local database is ready" in prep.stdout
    with sqlite3.connect(home / "prefect.db") as db:
        assert db.execute("select version_num from alembic_version").fetchone()
        assert db.execute("select count(*) from flow_run").fetchone()[0] == 0
    # ...and the run uses that database.
    res = subprocess.run([sys.executable, "-m", "flows", "run", "seeds", "--out", str(tmp_path / "out")], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    assert "4 inputs" in res.stdout
    # Prefect did not start a second server of its own, and nothing was sent to a stopped one.
    assert "Starting temporary server" not in res.stderr
    assert "Error logging to API" not in res.stderr and "connection attempts failed" not in res.stderr.lower()
    # The server saw the flow run and its task runs (its database lives in PREFECT_HOME).
    with sqlite3.connect(home / "prefect.db") as db:
        flows = db.execute("select state_type from flow_run").fetchall()
        n_tasks = db.execute("select count(*) from task_run").fetchone()[0]
        n_logs = db.execute("select count(*) from log").fetchone()[0]
    assert flows == [("COMPLETED",)]
    assert n_tasks >= 4 and n_logs > 0


def test_a_server_configured_in_a_profile_stops_the_early_launched_one(tmp_path: Path) -> None:
    """The server is launched before Prefect's settings are read; a profile that configures an
    API URL is found afterwards, and the launched server is stopped instead of used."""
    home, env = _home_with_a_configured_server(tmp_path)
    script = ("from flows.local_server import launch_temporary_server, confirm_temporary_server\n"
              "s = launch_temporary_server()\n"
              "print(s is not None, confirm_temporary_server(s) is None, s.process.poll() is not None)\n")
    res = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.split() == ["True", "True", "True"]


def test_preparing_with_a_configured_server_touches_nothing(tmp_path: Path) -> None:
    """`make install` with a server configured in a profile starts nothing and creates no database."""
    home, env = _home_with_a_configured_server(tmp_path)
    res = subprocess.run([sys.executable, "-m", "flows.local_server"], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    assert "a Prefect server is configured" in res.stdout
    assert not (home / "prefect.db").exists()
