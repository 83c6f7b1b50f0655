"""A temporary Prefect server started early, so its start-up overlaps the run's own start-up.

Prefect 3 has no mode that runs a flow without an API: with no ``PREFECT_API_URL`` configured
(and ``server.ephemeral.enabled``, the default profile), the first API call starts a temporary
server in a subprocess and waits for it — after the flow's imports and only when the flow is
called, and after importing the whole server application (FastAPI, SQLAlchemy, ~3 s of CPU)
into the calling process just to launch it. The CLI instead launches the same server command
as the very first thing, then does its own imports and set-up while the server boots, and
points Prefect at it (``PREFECT_API_URL``), so flow and task runs land in it exactly as in
Prefect's own temporary server. A configured server (``PREFECT_API_URL`` in the environment,
a profile or ``prefect.toml``) is used as is and nothing is started.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the server gets SIGTERM when the CLI process dies, even by SIGKILL."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


@dataclass
class TemporaryServer:
    """A Prefect server subprocess serving ``api_url`` until :meth:`stop`."""

    process: subprocess.Popen[bytes]
    api_url: str
    started: float

    def wait_ready(self, timeout: float) -> float:
        """Block until the server answers its health check; seconds since launch."""
        deadline = self.started + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"the temporary Prefect server exited with code {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as resp:
                    if resp.status == 200:
                        return time.monotonic() - self.started
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the temporary Prefect server did not answer within {timeout:.0f} s "
                                   "(raise PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, or start one with "
                                   "`prefect server start` and set PREFECT_API_URL)")
            time.sleep(0.05)

    def use(self) -> None:
        """Point this process (and worker processes started from now on) at the server."""
        os.environ["PREFECT_API_URL"] = self.api_url
        from prefect.context import refresh_global_settings_context

        refresh_global_settings_context()

    def stop(self) -> None:
        """Deliver the queued logs and events of the run, then shut the server down."""
        _drain_prefect_workers()
        if os.environ.get("PREFECT_API_URL") == self.api_url:
            del os.environ["PREFECT_API_URL"]
            from prefect.context import refresh_global_settings_context

            refresh_global_settings_context()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


    def kill(self) -> None:
        """Stop the server now, without delivering queued logs (an interrupted run)."""
        if self.process.poll() is None:
            self.process.kill()


def _drain_prefect_workers() -> None:
    """Prefect sends logs and events from background workers; sending them to a stopped server
    would retry for a minute and print connection errors (Prefect's own harness drains too)."""
    try:
        from prefect.events.worker import EventsWorker
        from prefect.logging.handlers import APILogWorker

        APILogWorker.drain_all(timeout=10)
        EventsWorker.drain_all(timeout=10)
    except Exception:  # nothing was started, or the workers are gone already
        pass


def launch_temporary_server() -> TemporaryServer | None:
    """Launch Prefect's temporary server right away, before this process imports Prefect (~2–7 s
    of CPU): unless ``PREFECT_API_URL`` is in the environment, nothing here reads Prefect's
    settings. A profile or ``prefect.toml`` may still configure a server or disable the
    temporary one: :func:`confirm_temporary_server` checks that once Prefect is imported and
    stops a server that is not wanted. The server reads the same settings sources itself
    (environment, ``PREFECT_HOME`` profiles, working directory)."""
    if os.environ.get("PREFECT_API_URL"):
        return None
    port = _free_port()
    env = {
        **os.environ,
        # The same environment Prefect's own SubprocessASGIServer gives its server.
        "PREFECT_UI_ENABLED": "0",
        "PREFECT__SERVER_EPHEMERAL": "1",
        "PREFECT__SERVER_FINAL": "1",
    }
    cmd = [sys.executable, "-m", "uvicorn", "--factory", "prefect.server.api.server:create_app",
           "--host", "127.0.0.1", "--port", str(port), "--log-level", "error", "--lifespan", "on"]
    kwargs = {"preexec_fn": _die_with_parent} if sys.platform.startswith("linux") else {}
    # Its own session: a Ctrl-C in the terminal goes to the run, which stops the server itself
    # (killed with the terminal's process group, it left the run retrying for minutes).
    process = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, start_new_session=True, **kwargs)
    return TemporaryServer(process, f"http://127.0.0.1:{port}/api", time.monotonic())


def confirm_temporary_server(server: TemporaryServer | None) -> TemporaryServer | None:
    """The launched server if Prefect would start a temporary one now; else stop it (a
    configured ``PREFECT_API_URL`` in a profile or ``prefect.toml``, or the temporary server
    disabled) and return None, so the run uses what the user configured."""
    if server is None:
        return None
    from prefect.settings import get_current_settings

    settings = get_current_settings()
    if settings.api.url or not settings.server.ephemeral.enabled:
        server.kill()
        server.process.wait()
        return None
    return server


def startup_timeout() -> float:
    from prefect.settings import get_current_settings

    return float(get_current_settings().server.ephemeral.startup_timeout_seconds)


def prepare() -> str:
    """Boot the temporary server once and stop it, at install time: its first start in a new
    ``PREFECT_HOME`` creates and migrates Prefect's SQLite database and registers the block
    types (~6 s of the ~9.5 s of a first start on 2 cores), work every later start skips. A
    configured server is left alone. Returns what was done, for the installer's log."""
    server = confirm_temporary_server(launch_temporary_server())
    if server is None:
        return "a Prefect server is configured (PREFECT_API_URL) or the temporary one is disabled: nothing to prepare"
    try:
        seconds = server.wait_ready(startup_timeout())
    finally:
        server.stop()
    return f"Prefect's local database is ready ({seconds:.1f} s)"


if __name__ == "__main__":  # `python -m flows.local_server`: what `make install` runs
    print(f"newsclean: {prepare()}")
