"""Ctrl-C and SIGTERM for ``newsclean run``: stop within seconds, say so in one line.

The first signal raises ``KeyboardInterrupt`` in the main thread, so the flow unwinds through
its ``finally`` blocks (state lock released, temp files removed) and Prefect records the run
as crashed; a flag makes the flow refuse to commit even where a library swallowed the
exception (Great Expectations did, during validation). A watchdog ends the process after
``GRACE_SECONDS`` whatever is still running (a batch in a worker thread cannot be
interrupted), and a second signal ends it at once. Both are safe: a run is committed in one
SQLite transaction and the next run cleans up anything a killed one left, exactly as after a
SIGKILL.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

GRACE_SECONDS = 4.0
EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}
_NAMES = {signal.SIGINT: "interrupted (Ctrl-C)", signal.SIGTERM: "terminated (SIGTERM)"}

_requested: int | None = None


def requested() -> bool:
    """True once the run was asked to stop: the flow checks it before committing."""
    return _requested is not None


def ignore_sigint() -> None:
    """Initializer of worker processes: the run, not each worker, answers a Ctrl-C; and a
    worker whose run is gone (killed, even by SIGKILL) ends itself instead of idling forever."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="newsclean-parent-watch", daemon=True).start()


def kill_children(keep: set[int]) -> None:
    """End this process's descendants (worker processes) except ``keep`` (the Prefect server,
    which records the interrupted run)."""
    try:
        import psutil

        children = psutil.Process().children(recursive=True)
    except Exception:  # noqa: BLE001 - best effort while exiting
        return
    for child in children:
        if child.pid in keep:
            continue
        try:
            # multiprocessing's resource tracker stays: killed, it is started again by the next
            # unregister call and prints a KeyError traceback for every semaphore it never saw.
            if any("resource_tracker" in part for part in child.cmdline()):
                continue
            child.kill()
        except Exception:  # noqa: BLE001 - gone already
            pass


def raise_if_requested() -> None:
    if _requested is not None:
        raise KeyboardInterrupt


class InterruptGuard:
    """Installs the SIGINT/SIGTERM handlers for one CLI run (main thread only)."""

    def __init__(self, on_first_signal: Callable[[], None] | None = None, grace: float = GRACE_SECONDS) -> None:
        self.on_first_signal = on_first_signal
        self.grace = grace
        self.keep_pids: set[int] = set()
        self.cleanups: list[Callable[[], None]] = []
        self.signum: int | None = None
        self._said = threading.RLock()
        self._said_it = False
        self._previous: dict[int, Any] = {}
        self._unwrap: Callable[[], None] | None = None

    @property
    def exit_code(self) -> int:
        return EXIT_CODES.get(self.signum or signal.SIGINT, 130)

    def message(self) -> str:
        what = _NAMES.get(self.signum or signal.SIGINT, "interrupted")
        return (f"newsclean: {what}: stopped, nothing half-done was committed — "
                "run the same command again to finish the work")

    def say(self) -> int:
        """Print the one line (once, whoever gets here first); the exit code."""
        with self._said:
            if not self._said_it:
                self._said_it = True
                try:
                    sys.stderr.write(self.message() + "\n")
                    sys.stderr.flush()
                    sys.stdout.flush()
                    # That was the last line: what threads still print while the process goes
                    # (Prefect's log and event workers losing their server) is noise now.
                    devnull = os.open(os.devnull, os.O_WRONLY)
                    os.dup2(devnull, 1)
                    os.dup2(devnull, 2)
                    os.close(devnull)
                except (OSError, ValueError):
                    pass
        return self.exit_code

    def _exit_now(self) -> None:
        code = self.say()
        kill_children(set())
        for cleanup in self.cleanups:
            try:
                cleanup()
            except BaseException:  # noqa: BLE001 - exiting anyway
                pass
        os._exit(code)

    def _arm(self, signum: int) -> None:
        """The first signal: remember it, silence the console, end the workers, start the watchdog."""
        global _requested
        self.signum = signum
        _requested = signum
        if self.on_first_signal is not None:
            self.on_first_signal()
        # Worker processes ignore SIGINT (a Ctrl-C reaches them too) and a batch cannot be
        # interrupted half-way: end them, so the futures the flow waits on fail at once.
        kill_children(self.keep_pids)
        # Exceptions in threads and in __del__ while unwinding are noise now, not news.
        sys.unraisablehook = lambda *_: None
        threading.excepthook = lambda *_: None
        timer = threading.Timer(self.grace, self._exit_now)
        timer.daemon = True
        timer.start()

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.signum is not None:
            self._exit_now()  # a second signal (or Prefect passing on the first): no more waiting
        self._arm(signum)
        raise KeyboardInterrupt

    def _wrap_prefect_sigterm(self) -> None:
        """While a flow runs, Prefect replaces the SIGTERM handler with its own (which records a
        crash, then passes the signal on): arm the guard first, so the watchdog runs from the
        signal, not from whenever Prefect has finished."""
        try:
            import prefect.utilities.engine as engine
        except ImportError:  # pragma: no cover - prefect is a dependency
            return
        original = getattr(engine, "_prefect_sigterm_handler", None)
        if original is None or getattr(original, "__wrapped_by_newsclean__", False):
            return

        def handler(sig_num: int, *args: Any) -> Any:
            if self.signum is None:
                self._arm(sig_num)
            return original(sig_num, *args)

        handler.__wrapped_by_newsclean__ = True  # type: ignore[attr-defined]
        engine._prefect_sigterm_handler = handler
        self._unwrap = lambda: setattr(engine, "_prefect_sigterm_handler", original)

    def __enter__(self) -> InterruptGuard:
        global _requested
        _requested = None
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._previous[sig] = signal.signal(sig, self._handle)
            self._wrap_prefect_sigterm()
        return self

    def __exit__(self, *exc: Any) -> None:
        # Handlers stay installed while an interrupted run unwinds (a second Ctrl-C must still
        # end it at once); they are restored only after a run that was not interrupted.
        if self.signum is None:
            for sig, previous in self._previous.items():
                signal.signal(sig, previous)
            if self._unwrap is not None:
                self._unwrap()
