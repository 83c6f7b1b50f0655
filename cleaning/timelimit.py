"""A time limit per document: stage functions run in a child process that is killed and
replaced when one document takes too long.

trafilatura (and lxml under it) cannot be interrupted from Python: a thread cannot be stopped
and a signal is only handled between bytecodes, not inside C code. So the per-document stages
that can run away on hostile pages (extraction, cleaning; language and quality too, whose
regexes can crawl on hostile text) run in a long-lived worker process.

The flow's path is :meth:`Sandbox.run_batch`: one round trip per batch. The whole batch goes
to the worker in one message; the worker runs every stage of one document after the other,
writes "document i, stage s started at t" into a small shared memory page at each stage start,
and sends each document's result back as soon as it is done. The parent waits on the pipe until
the current stage's deadline (its start + ``doc_timeout_seconds``); on an overrun it kills the
worker (SIGKILL), rejects that document with reason ``<stage>.timeout``, and sends the rest of
the batch to a fresh worker. A worker that dies (segfault, out of memory) rejects only the
document it was working on (``<stage>.crashed``). So a normal document costs one pickle of the
batch and of its result, not a round trip per stage (``benchmarks/timelimit_overhead.py``).

:meth:`Sandbox.call` (one document, one function, one round trip) is the older per-stage path,
kept for the stage-at-a-time batch functions. A worker start costs ~1-2 s (imports, warm-up),
once per concurrent batch and process (at most one per CPU at once); a worker idle well past
its usual gap between batches is stopped. ``doc_timeout_seconds = 0`` runs the stages in-process
with no limit.

    with sandbox(config) as box:           # None when the limit is off
        result = run_limited("extract", extract_item, item, config, box)
        outcomes = box.run_batch(process_item, items, STAGES)
"""

from __future__ import annotations

import atexit
import importlib
import mmap
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import Config, config_fingerprint
from .document import Rejection, storable_text

_HEADER = struct.Struct("<Q")
# The worker's progress, in a shared page: sequence (odd while being written), document index,
# stage index, stage start (time.monotonic(), one clock for all processes on Linux).
_PROGRESS = struct.Struct("<qqqd")
_IDLE = -1  # document/stage index when the worker is between batches
# A worker must be ready (imports done) within this long; it is not a document's time.
_START_TIMEOUT = 180.0


class DocTimeout(Exception):
    """A document took longer than the limit; its worker was killed."""


class WorkerCrashed(Exception):
    """The worker process died while working on a document (segfault, killed for memory)."""


class StageError(Exception):
    """The stage function raised in the worker; ``kind`` is the exception's type name."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind = kind


@dataclass(frozen=True, slots=True)
class Failure:
    """What :meth:`Sandbox.run_batch` gives for a document the worker did not finish: the
    stage it was in, and ``reason`` ``timeout``, ``crashed`` or ``error`` (``fn`` raised)."""

    stage: str
    reason: str
    detail: str


class _Progress:
    """The shared page: the worker writes where it is, the parent reads it (a seqlock, so a
    read never mixes two writes)."""

    def __init__(self, fd: int) -> None:
        self.map = mmap.mmap(fd, mmap.PAGESIZE)
        self.seq = 0

    def set(self, doc: int, stage: int) -> None:
        self.seq += 1
        _PROGRESS.pack_into(self.map, 0, self.seq, doc, stage, time.monotonic())
        self.seq += 1
        _PROGRESS.pack_into(self.map, 0, self.seq, doc, stage, time.monotonic())

    def get(self) -> tuple[int, int, float]:
        while True:
            seq, doc, stage, t = _PROGRESS.unpack_from(self.map, 0)
            if seq % 2 == 0 and _PROGRESS.unpack_from(self.map, 0)[0] == seq:
                return doc, stage, t


def _send(fd: int, payload: bytes) -> None:
    view = memoryview(_HEADER.pack(len(payload)) + payload)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _read_exact(fd: int, n: int, deadline: float | None) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                raise DocTimeout()
        chunk = os.read(fd, min(n - len(buf), 1 << 20))
        if not chunk:
            raise EOFError("worker closed its pipe")
        buf += chunk
    return bytes(buf)


def _recv(fd: int, deadline: float | None) -> Any:
    (n,) = _HEADER.unpack(_read_exact(fd, _HEADER.size, deadline))
    return pickle.loads(_read_exact(fd, n, deadline))


class Sandbox:
    """One worker process bound to one config. Not thread-safe: one caller at a time (the
    pool in :func:`sandbox` hands each batch its own)."""

    def __init__(self, config: Config, timeout: float) -> None:
        self.config = config
        self.timeout = timeout
        self.fingerprint = config_fingerprint(config)
        self.proc: subprocess.Popen[bytes] | None = None
        self.wfd = self.rfd = -1
        self.starts = 0
        self.progress: _Progress | None = None
        self._progress_file: Any = None
        self.idle_since = self.taken_at = time.monotonic()  # the pool's bookkeeping (see sandbox())
        self.longest_gap = self.longest_busy = 0.0

    def _start(self) -> None:
        if self.progress is None:
            self._progress_file = tempfile.TemporaryFile()
            self._progress_file.truncate(mmap.PAGESIZE)
            self.progress = _Progress(self._progress_file.fileno())
        pfd = self._progress_file.fileno()
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        root = str(Path(__file__).resolve().parent.parent)
        env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
        code = f"from cleaning.timelimit import _worker_main; _worker_main({to_child_r}, {from_child_w}, {pfd})"
        try:
            self.proc = subprocess.Popen([sys.executable, "-c", code], pass_fds=(to_child_r, from_child_w, pfd),
                                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, env=env)
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        self.wfd, self.rfd = to_child_w, from_child_r
        self.starts += 1
        try:
            _send(self.wfd, pickle.dumps(("config", self.config, self.timeout), protocol=pickle.HIGHEST_PROTOCOL))
            if _recv(self.rfd, time.monotonic() + _START_TIMEOUT) != "ready":
                raise WorkerCrashed("worker did not start")
        except (OSError, EOFError, DocTimeout) as exc:
            self.kill()
            raise WorkerCrashed(f"worker did not start: {exc!r}") from None

    def call(self, fn: Callable[[Any, Config], Any], arg: Any) -> Any:
        """``fn(arg, config)`` in the worker, within the time limit. Raises :class:`DocTimeout`,
        :class:`WorkerCrashed` or :class:`StageError`."""
        if self.proc is None or self.proc.poll() is not None:
            self.kill()
            self._start()
        payload = pickle.dumps(("call", fn.__module__, fn.__qualname__, arg), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            _send(self.wfd, payload)
            reply = _recv(self.rfd, time.monotonic() + self.timeout)
        except DocTimeout:
            self.kill()
            raise
        except (OSError, EOFError):
            code = self.kill()
            raise WorkerCrashed(f"worker process died (exit status {code})") from None
        if reply[0] == "ok":
            return reply[1]
        raise StageError(reply[1], reply[2])

    def run_batch(self, fn: Callable[[Any, Config, Callable[[str], None]], Any], items: list[Any],
                  stages: tuple[str, ...], retry_timeouts: bool = True) -> list[Any]:
        """``fn(item, config, mark)`` for every item in the worker, in one round trip: a list
        aligned with ``items`` of ``fn``'s results, or a :class:`Failure` for a document that
        overran a stage's time limit or killed its worker. ``fn`` calls ``mark(stage)`` as each
        of its stages (named in ``stages``) starts: each stage of each document has
        ``timeout`` seconds. ``fn`` must not raise (a raising ``fn`` is a crash of that item).

        A document that overran is tried once more, after the batch, in a fresh worker: a
        rejection is lost text, and a document can overrun once because of the machine rather
        than itself (a 100k run lost two plain-text documents to "extract took longer than
        60 s"; run again, both went through in 0.7 s, worker start included). Only a second
        overrun rejects it."""
        out: list[Any] = [None] * len(items)
        start = 0
        while start < len(items):
            if self.proc is None or self.proc.poll() is not None:
                self.kill()
                self._start()
            start = self._run_from(fn, items, stages, start, out)
        again = [k for k, v in enumerate(out) if isinstance(v, Failure) and v.reason == "timeout"] if retry_timeouts else []
        if again:
            self.kill()  # a new worker: nothing of the first try's state (caches, heap) carries over
            for k, v in zip(again, self.run_batch(fn, [items[k] for k in again], stages, retry_timeouts=False)):
                out[k] = (Failure(v.stage, v.reason, f"{v.detail}; also on a second try in a fresh worker")
                          if isinstance(v, Failure) and v.reason == "timeout" else v)
        return out

    def _run_from(self, fn: Callable[..., Any], items: list[Any], stages: tuple[str, ...], start: int,
                  out: list[Any]) -> int:
        """Send ``items[start:]``; fill ``out`` as results come. Returns where the next worker
        must start (``len(items)`` when the batch is done)."""
        assert self.progress is not None
        self.progress.set(_IDLE, _IDLE)
        sent_at = time.monotonic()
        try:
            _send(self.wfd, pickle.dumps(("batch", fn.__module__, fn.__qualname__, stages, start, items[start:]),
                                         protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            code = self.kill()
            out[start] = Failure(stages[0], "crashed", f"worker process died (exit status {code})")
            return start + 1
        done = start
        last = sent_at  # when the parent last heard of the worker
        while done < len(items):
            seen = self.progress.get()
            doc, stage, t = seen
            if doc < done:  # not started on the next document yet (unpickling the batch, sending a result)
                stage, t = 0, max(t, last)
            deadline = t + self.timeout
            try:
                ready = select.select([self.rfd], [], [], max(deadline - time.monotonic(), 0))[0]
            except InterruptedError:  # pragma: no cover - retried by PEP 475
                ready = []
            if not ready:
                if self.progress.get() != seen:
                    # The worker moved on while we looked (possibly from the previous document,
                    # whose result we had already read, to a later stage of the next one): judge
                    # the stage it is in now, by that stage's own start.
                    continue
                if time.monotonic() < deadline:
                    continue
                state = _process_state(self.proc.pid) if self.proc is not None else None
                self.kill()
                out[done] = Failure(stages[max(stage, 0)], "timeout",
                                    f"{stages[max(stage, 0)]} took longer than {self.timeout:g} s (doc_timeout_seconds); "
                                    f"abandoned{f' (the worker was {state})' if state else ''}")
                return done + 1
            try:
                kind, i, value = _recv(self.rfd, time.monotonic() + self.timeout)
            except (OSError, EOFError, DocTimeout):
                doc, stage, _ = self.progress.get()
                code = self.kill()
                out[done] = Failure(stages[max(stage, 0) if doc == done else 0], "crashed",
                                    f"worker process died (exit status {code})")
                return done + 1
            out[i] = value
            done = i + 1
            last = time.monotonic()
        return done

    def kill(self) -> int | None:
        """Stop the worker now (SIGKILL); the next call starts a new one. Returns its exit status."""
        code = None
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            code = self.proc.wait()
            self.proc = None
        for fd in (self.wfd, self.rfd):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.wfd = self.rfd = -1
        return code


_PROCESS_STATES = {"R": "running", "S": "sleeping", "D": "waiting for the disk", "T": "stopped", "t": "stopped",
                   "Z": "a zombie"}


def _process_state(pid: int) -> str | None:
    """A process's scheduler state (Linux ``/proc``), for a time-out's detail: a worker that was
    running overran on its own; one that was sleeping or waiting for the disk was held up."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            state = fh.read().rsplit(b")", 1)[1].split()[0].decode()
    except (OSError, IndexError, UnicodeDecodeError):
        return None
    return _PROCESS_STATES.get(state, state)


def _worker_main(rfd: int, wfd: int, progress_fd: int = -1) -> None:
    """The worker's loop: run one call (or one batch) at a time until the parent closes the pipe."""
    import logging

    logging.disable(logging.WARNING)  # the parent reports outcomes; library chatter is noise here
    # A terminal's Ctrl-C reaches the whole process group: the run decides what it means (and
    # ends its workers); a worker's own KeyboardInterrupt traceback would only be noise.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    kind, config, timeout = _recv(rfd, None)
    _warm_up(config)
    _send(wfd, pickle.dumps("ready"))
    # If the parent dies without killing us while we are stuck in a document, SIGALRM's default
    # action ends the worker anyway.
    hard_limit = 2 * timeout + 10
    progress = _Progress(progress_fd) if progress_fd >= 0 else None
    while True:
        try:
            msg = _recv(rfd, None)
        except EOFError:
            return
        if msg[0] == "batch":
            _worker_batch(wfd, progress, config, hard_limit, *msg[1:])
            continue
        _, module, qualname, arg = msg
        signal.setitimer(signal.ITIMER_REAL, hard_limit)
        try:
            fn = _resolve(module, qualname)
            reply: tuple[Any, ...] = ("ok", fn(arg, config))
        except Exception as exc:  # noqa: BLE001 - reported to the parent as this document's error
            reply = ("error", type(exc).__name__, str(exc)[:500])
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        try:
            payload = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # noqa: BLE001
            payload = pickle.dumps(("error", type(exc).__name__, f"result cannot be sent back: {exc}"[:500]))
        _send(wfd, payload)


def _resolve(module: str, qualname: str) -> Any:
    fn: Any = importlib.import_module(module)
    for part in qualname.split("."):
        fn = getattr(fn, part)
    return fn


def _worker_batch(wfd: int, progress: _Progress | None, config: Config, hard_limit: float, module: str,
                  qualname: str, stages: tuple[str, ...], start: int, items: list[Any]) -> None:
    """Run a batch: each document's stages one after the other, its progress in the shared
    page, its result sent as soon as it is done. SIGALRM (``hard_limit`` per stage) ends the
    worker if the parent died without killing it."""
    assert progress is not None, "a batch needs the progress page"
    fn = _resolve(module, qualname)
    index = {name: k for k, name in enumerate(stages)}
    i = start

    def mark(stage: str) -> None:
        progress.set(i, index[stage])
        signal.setitimer(signal.ITIMER_REAL, hard_limit)

    for i, item in enumerate(items, start):
        progress.set(i, 0)
        signal.setitimer(signal.ITIMER_REAL, hard_limit)
        try:
            value = fn(item, config, mark)
        except Exception as exc:  # noqa: BLE001 - fn should not raise; if it does, only this item fails
            value = Failure(stages[progress.get()[1]], "error", f"{type(exc).__name__}: {exc}"[:500])
        signal.setitimer(signal.ITIMER_REAL, 0)
        _send(wfd, pickle.dumps(("ok", i, value), protocol=pickle.HIGHEST_PROTOCOL))
    progress.set(_IDLE, _IDLE)


def _warm_up(config: Config) -> None:
    """The first document in a process pays for lazy set-up (trafilatura's, the cleaner's caches,
    langdetect's profiles: ~1 s); pay it before any document's clock starts."""
    from .clean import clean_document
    from .extract import extract_item
    from .ingest import RawItem
    from .language import detect_language
    from .quality import quality_rejection

    page = ("<html><head><title>Warm-up page</title></head><body><article><p>"
            + "The council approved the budget on Monday after a long debate. " * 8 + "</p></article></body></html>")
    try:
        doc = extract_item(RawItem(id="warm-up", source="warm-up", kind="html", content=page), config)
        if not isinstance(doc, Rejection):
            quality_rejection(detect_language(clean_document(doc, config), config), config)
    except Exception:  # noqa: BLE001 - a warm-up failure only means the first document pays
        pass


# -- the pool -----------------------------------------------------------------------------------
# Each worker holds trafilatura, langdetect's profiles and the cleaner's caches (~200-350 MB).
# So a process keeps at most one busy worker per CPU (more only wait for a core, and Prefect's
# thread runner runs up to ``max_batches_in_flight`` batches at once), and a worker left idle for
# much longer than the gaps between its batches is stopped (the batch phase is over: dedup,
# writing and validation follow, and a deployment may sit idle until its next run). The next
# batch starts a fresh one; which process runs a document changes no output.
_idle: list[Sandbox] = []
_all: list[Sandbox] = []
_lock = threading.Lock()
_free = threading.Condition(_lock)
_busy = 0
# An idle worker is stopped after max(IDLE_MIN_SECONDS, IDLE_GAPS x its longest gap between
# batches so far, its longest batch): the work between two batches of a process (signatures,
# staging) is a fraction of a batch's, so a loaded machine stretches both alike.
IDLE_MIN_SECONDS = 5.0
IDLE_GAPS = 4.0
_reaper: threading.Thread | None = None


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


MAX_BUSY = _cpus()


def doc_timeout(config: Config) -> float:
    return float(config["pipeline"].get("doc_timeout_seconds", 0) or 0)


def _idle_limit(box: Sandbox) -> float:
    return max(IDLE_MIN_SECONDS, IDLE_GAPS * box.longest_gap, box.longest_busy)


def release_idle() -> int:
    """Stop this process's idle workers now (a step after the batch phase calls it: its worker
    process will not run another batch of this run). Returns how many were running."""
    n = 0
    with _lock:
        for box in _idle:
            if box.proc is not None:
                box.kill()
                n += 1
    return n


def _reap_idle() -> None:
    """Stop the workers idle for longer than their limit (the reaper thread's loop)."""
    while True:
        time.sleep(1.0)
        with _lock:
            now = time.monotonic()
            for box in _idle:
                if box.proc is not None and now - box.idle_since > _idle_limit(box):
                    box.kill()


@contextmanager
def sandbox(config: Config) -> Iterator[Sandbox | None]:
    """A worker for one batch, reused across batches and threads of this process; ``None`` when
    ``[pipeline] doc_timeout_seconds`` is 0 (stages then run in-process, unlimited). Waits while
    ``MAX_BUSY`` workers of this process are in use."""
    global _busy, _reaper
    timeout = doc_timeout(config)
    if timeout <= 0:
        yield None
        return
    fp = config_fingerprint(config)
    with _lock:
        while _busy >= MAX_BUSY:
            _free.wait()
        _busy += 1
        box = next((b for b in _idle if b.fingerprint == fp and b.timeout == timeout), None)
        if box is not None:
            _idle.remove(box)
            box.longest_gap = max(box.longest_gap, time.monotonic() - box.idle_since)
        else:
            box = Sandbox(config, timeout)
            _all.append(box)
        box.taken_at = time.monotonic()
        if _reaper is None:
            _reaper = threading.Thread(target=_reap_idle, name="newsclean-sandbox-reaper", daemon=True)
            _reaper.start()
    try:
        yield box
    finally:
        with _lock:
            now = time.monotonic()
            box.longest_busy = max(box.longest_busy, now - box.taken_at)
            box.idle_since = now
            _idle.append(box)
            _busy -= 1
            _free.notify()
            # Workers of configs no longer in use (tests, a re-configured deployment) are stopped.
            while len(_idle) > 8:
                old = _idle.pop(0)
                old.kill()
                _all.remove(old)


@atexit.register
def shutdown() -> None:
    """Stop every worker of this process."""
    with _lock:
        for box in _all:
            box.kill()
        _all.clear()
        _idle.clear()


def run_limited(stage: str, fn: Callable[[Any, Config], Any], x: Any, config: Config, box: Sandbox | None) -> Any:
    """``fn(x, config)`` for one document (a RawItem or Document with ``id``, ``source``,
    ``url``), under the time limit when ``box`` is given. Whatever goes wrong becomes that
    document's :class:`Rejection`: ``<stage>.timeout``, ``<stage>.crashed`` or ``<stage>.error``
    (named by stage, so the report's per-stage counts hold)."""
    if box is None:
        try:
            return fn(x, config)
        except Exception as exc:  # noqa: BLE001 - one document must not stop the batch
            return _rejection(x, f"{stage}.error", f"{type(exc).__name__}: {exc}")
    try:
        return box.call(fn, x)
    except DocTimeout:
        return _rejection(x, f"{stage}.timeout", f"{stage} took longer than {box.timeout:g} s (doc_timeout_seconds); abandoned")
    except WorkerCrashed as exc:
        return _rejection(x, f"{stage}.crashed", str(exc))
    except StageError as exc:
        return _rejection(x, f"{stage}.error", str(exc))


def _rejection(x: Any, reason: str, detail: str) -> Rejection:
    return Rejection(x.id, x.source, reason, storable_text(detail[:500]), url=getattr(x, "url", None))
