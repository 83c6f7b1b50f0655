"""The command line's error boundary: one line for every error a user can act on, no traceback.

Errors are raised deep (config, inputs, state, the dedup index, validation, the disk) and
caught here, once: :func:`classify` turns a known error into an exit code and a message, and
:class:`QuietConsole` keeps Prefect from printing the same error as tracebacks on the way out.
Anything not recognised is a bug, and keeps its traceback.

Exit codes: 0 done, 1 the run failed (validation gate, disk full, out of memory, Redis lost),
2 a usage, config or input error found before work started, 3 the state folder is in use,
130 interrupted (Ctrl-C), 143 terminated (SIGTERM).
"""

from __future__ import annotations

import errno
import logging
import sqlite3
from typing import Any

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_LOCKED = 3


def _user_error_types() -> tuple[type[BaseException], ...]:
    """Errors that are about the user's data, config or machine: never retried, never a traceback."""
    from cleaning.config import ConfigError
    from cleaning.dedup import DedupConfigError, IndexMismatchError
    from cleaning.ingest import InputError
    from cleaning.state import StateError, StateLocked
    from cleaning.validation import ValidationFailed

    return (ConfigError, DedupConfigError, IndexMismatchError, InputError, StateError, StateLocked, ValidationFailed)


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and its causes (``raise … from``) and contexts, innermost last."""
    seen: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and cur not in seen:
        seen.append(cur)
        cur = cur.__cause__ or cur.__context__
    return seen


def _disk_full(exc: BaseException) -> bool:
    for e in _chain(exc):
        if isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if isinstance(e, sqlite3.OperationalError) and "disk is full" in str(e):
            return True
        if "database or disk is full" in str(e) or "No space left on device" in str(e):
            return True
    return False


def _redis_error(exc: BaseException) -> BaseException | None:
    try:
        import redis
    except ImportError:  # pragma: no cover - redis is a dependency
        return None
    for e in _chain(exc):
        if isinstance(e, redis.RedisError):
            return e
        if isinstance(e, ConnectionError) and "redis" in str(e).lower():
            return e
    return None


def is_user_error(exc: BaseException) -> bool:
    """True for errors a retry cannot fix: the user's config, inputs or machine, not a glitch."""
    return (isinstance(exc, (*_user_error_types(), MemoryError)) or _disk_full(exc))


def retry_unless_user_error(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect ``retry_condition_fn``: retry a task for passing faults, not for a user error
    (a bad setting fails three times the same way, and prints three tracebacks)."""
    exc = getattr(state, "data", None)
    return not (isinstance(exc, BaseException) and is_user_error(exc))


def classify(exc: BaseException) -> tuple[int, str] | None:
    """(exit code, one-line message) for an error the user can act on; None for a bug."""
    from cleaning.config import ConfigError
    from cleaning.state import StateLocked
    from cleaning.validation import ValidationFailed

    if isinstance(exc, ValidationFailed):
        return EXIT_FAILED, f"the run failed validation and was not committed: {exc}"
    if isinstance(exc, StateLocked):
        return EXIT_LOCKED, str(exc)
    if isinstance(exc, ConfigError):  # found by the preflight, whatever caused it
        return EXIT_USAGE, str(exc)
    if _disk_full(exc):
        inner = next((e for e in reversed(_chain(exc)) if _disk_full(e)), exc)
        where = f" ({inner.filename})" if isinstance(inner, OSError) and inner.filename else ""
        return EXIT_FAILED, (f"disk full{where}: {first_line(inner)}; nothing of this run was committed — "
                             "free some space and run the same command again")
    if isinstance(exc, MemoryError):
        return EXIT_FAILED, ("out of memory; nothing of this run was committed — lower [pipeline] batch_size or "
                             "max_batches_in_flight, or limit the input size ([pipeline] max_input_bytes)")
    redis_exc = _redis_error(exc)
    if redis_exc is not None:
        return EXIT_FAILED, (f"the Redis dedup index stopped answering: {first_line(redis_exc)}; nothing of this run "
                             "was committed — check [dedup.index] redis_url and that Redis is running")
    if isinstance(exc, _user_error_types()):
        return EXIT_USAGE, str(exc)
    if isinstance(exc, (NotADirectoryError, IsADirectoryError, PermissionError, FileExistsError)):
        return EXIT_USAGE, first_line(exc)
    if isinstance(exc, (OSError, sqlite3.Error)):
        # A failing part, not a bug: an I/O error, a broken state database. One line says which.
        return EXIT_FAILED, (f"{first_line(exc)}; nothing of this run was committed — "
                             "fix it and run again to finish this run's work")
    return None


def first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


class QuietConsole(logging.Filter):
    """On Prefect's console handlers: errors the boundary prints itself are not printed again
    as tracebacks (the API log keeps them), and after an interrupt nothing more is printed."""

    def __init__(self) -> None:
        super().__init__("newsclean-quiet-console")
        self.silent = False

    def filter(self, record: logging.LogRecord) -> bool:
        if self.silent:
            return False
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None and (isinstance(exc, KeyboardInterrupt) or classify_safely(exc) is not None):
            return False
        message = record.getMessage()
        if "termination signal" in message:
            # Prefect's own SIGTERM handler runs first and logs the crash: the CLI says it once.
            self.silent = True
            return False
        if record.levelno >= logging.ERROR or "Finished in state Failed" in message:
            if any(name in message for name in _USER_ERROR_NAMES):
                return False
        return True


# Names that appear in Prefect's "Finished in state Failed('… ValidationFailed: …')" lines.
_USER_ERROR_NAMES = ("ValidationFailed", "ConfigError", "StateError", "StateLocked", "InputError",
                     "IndexMismatchError", "DedupConfigError", "MemoryError", "disk is full",
                     "No space left on device", "redis", "Redis")


def classify_safely(exc: BaseException) -> tuple[int, str] | None:
    try:
        return classify(exc)
    except Exception:  # a logging filter must never raise
        return None


def console_handlers() -> list[logging.Handler]:
    """Prefect's console handlers, wherever its logging config attached them."""
    from prefect.logging.handlers import PrefectConsoleHandler

    loggers = [logging.getLogger()] + [lg for lg in logging.Logger.manager.loggerDict.values()
                                       if isinstance(lg, logging.Logger)]
    found: list[logging.Handler] = []
    for lg in loggers:
        for h in lg.handlers:
            if isinstance(h, PrefectConsoleHandler) and h not in found:
                found.append(h)
    return found
