"""``newsclean`` command line: run the flow, validate a corpus, explain a document's cleaning."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from flows import interrupt

if TYPE_CHECKING:
    from flows.local_server import TemporaryServer

QUIET_ENV = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
}


def _quiet_offline_env() -> None:
    """Defaults for quiet offline runs; a user's own environment wins."""
    for key, value in QUIET_ENV.items():
        os.environ.setdefault(key, value)
    os.environ.setdefault("PREFECT_HOME", str(Path.cwd() / ".prefect"))


def _fail(message: str, code: int = 2) -> int:
    print(f"newsclean: error: {message}", file=sys.stderr)
    return code


def _print_summary(report: dict) -> None:
    c = report["counts"]
    again = report.get("requeue_pass")
    requeue_line = (f"newsclean: re-deduplicated {c['requeued']} duplicates of superseded documents → "
                    f"{again['kept']} kept, {again['duplicates']} duplicates, {again['rejected']} rejected") if again else None
    if report["run"].get("nothing_to_do") and requeue_line:
        print(requeue_line)
        return
    if report["run"].get("nothing_to_do"):
        print(f"newsclean: nothing to do — all {c['skipped_already_processed']} inputs were processed by earlier runs"
              f" (corpus: {report['corpus_totals']['corpus']} documents in {report['run']['out']}/)")
        return
    if c.get("skipped_already_processed"):
        print(f"newsclean: skipped {c['skipped_already_processed']} inputs already processed by earlier runs")
    print(f"newsclean: {c['inputs']} inputs → {c['kept']} kept, {c['duplicates']} duplicates, {c['rejected']} rejected")
    if requeue_line:
        print(requeue_line)
    for reason, n in report["rejected_by_reason"].items():
        print(f"  rejected {reason}: {n}")
    for rule, n in report["removals_by_rule"].items():
        print(f"  removed by {rule}: {n}")
    out = report["run"]["out"]
    print(f"  outputs in {out}/ (corpus.jsonl, rejected.jsonl, duplicates.jsonl)")
    print(f"  report: {Path(out) / 'report.html'} (also report.md, report.json)")
    if report.get("validation"):
        print(f"  validation: {_validation_line(report['validation'])}; Data Docs: {Path(out) / 'validation' / 'index.html'}")


def _check_folder(label: str, path: Path) -> None:
    """The folder exists or can be made: no file in the way, a writable parent."""
    from cleaning.config import ConfigError

    if path.exists() and not path.is_dir():
        raise ConfigError(f"{label} {path} is a file, not a folder")
    for parent in path.absolute().parents:
        if parent.exists():
            if not parent.is_dir():
                raise ConfigError(f"{label} {path}: {parent} is a file, not a folder")
            if not path.exists() and not os.access(parent, os.W_OK | os.X_OK):
                raise ConfigError(f"{label} {path}: cannot create it, {parent} is not writable")
            return


def _check_redis(cfg: dict) -> None:
    """A Redis dedup index must answer before any work starts (not after every batch was read)."""
    from cleaning.config import ConfigError
    from cleaning.dedup import dedup_settings

    settings = dedup_settings(cfg)
    if settings.backend != "redis":
        return
    import redis

    try:
        client = redis.Redis.from_url(settings.redis_url, socket_connect_timeout=3, socket_timeout=3)
        client.ping()
        client.close()
    except (redis.RedisError, ValueError, OSError) as exc:
        raise ConfigError(f"cannot reach the Redis dedup index at {settings.redis_url} ([dedup.index] redis_url): "
                          f"{exc}") from exc


def _validation_line(validation: dict) -> str:
    warnings = validation.get("warnings", [])
    return "passed" + (f" with {len(warnings)} warning(s)" if warnings else "")


def _preflight(cfg: dict, out: Path, state: Path | None) -> None:
    """User errors found before any work starts, so they get a message, not a traceback."""
    from cleaning.config import ConfigError
    from cleaning.dedup import DedupConfigError, dedup_settings
    from cleaning.validation import check_severity_names

    for label, path in (("--out", out), ("--state-dir", state)):
        if path is not None:
            _check_folder(label, path)
    try:
        dedup_settings(cfg)
    except DedupConfigError as exc:
        raise ConfigError(str(exc)) from exc
    check_severity_names(cfg)
    _check_redis(cfg)
    _check_dedup_index(cfg, state or out / "state")


def _check_dedup_index(cfg: dict, state: Path) -> None:
    """An index that lost documents since the last run (Redis restarted empty, file deleted)
    stops the run before any work, with the way out (`newsclean reindex`)."""
    from cleaning.config import ConfigError
    from cleaning.dedup import IndexMismatchError, open_index
    from cleaning.dedup.index import COUNT_FILE

    if not (state / COUNT_FILE).is_file():
        return
    try:
        open_index(cfg, state).close()
    except IndexMismatchError as exc:
        raise ConfigError(str(exc)) from exc
    except (ConnectionError, OSError):
        return  # an unreachable index is reported by the run itself, in one line


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # vanished or unreadable: ingest reports it
        return 0


def cmd_run(args: argparse.Namespace) -> int:
    from cleaning.config import load_config
    from cleaning.ingest import resolve_inputs

    inputs = args.inputs or ["seeds"]
    cfg = load_config(args.config)
    found = resolve_inputs(inputs)
    _preflight(cfg, Path(args.out), Path(args.state_dir) if args.state_dir else None)
    from flows.local_server import confirm_temporary_server, launch_temporary_server

    # Prefect's temporary server (when none is configured) boots on the other core while this
    # process imports Prefect, the flow and (for a small run) Great Expectations: start-up costs
    # max(server, imports), not the sum. It is launched before anything here imports Prefect.
    server = launch_temporary_server()
    try:
        input_bytes = sum(_size(p) for p, _ in found)
        if args.workers is None and not args.dask_address and not args.dask_workers:
            from flows.pipeline import auto_workers

            args.workers = auto_workers(cfg, input_bytes)
        server = confirm_temporary_server(server)
    except BaseException:
        if server is not None:
            server.kill()
        raise
    # Great Expectations (with pandas, ~190 MB resident) is imported early only for a small run,
    # where its ~6 s of import are most of the start-up; a large run imports it when it validates,
    # so the flow process does not carry it through the whole batch phase (issue 14).
    small = input_bytes < int(cfg["pipeline"].get("process_pool_min_bytes", 0))
    try:
        from cleaning.timelimit import doc_timeout

        return _run_flow(args, inputs, server, small, time_limited=doc_timeout(cfg) > 0)
    finally:
        if server is not None:
            if interrupt.requested():
                server.kill()
            else:
                server.stop()


def _run_flow(args: argparse.Namespace, inputs: list[str], server: TemporaryServer | None, small: bool = True,
              time_limited: bool = True) -> int:
    from flows.boundary import QuietConsole, console_handlers
    from flows.local_server import startup_timeout
    from flows.pipeline import flow_with_runner

    quiet = QuietConsole()
    guard = interrupt.InterruptGuard(on_first_signal=lambda: setattr(quiet, "silent", True))
    if server is not None:
        guard.cleanups.append(server.kill)
        guard.keep_pids.add(server.process.pid)
    with guard:
        try:
            if server is not None:
                if small:
                    import great_expectations  # noqa: F401  (every run validates; paid while the server boots)

                server.wait_ready(startup_timeout())
                server.use()
            handlers = console_handlers()
            for h in handlers:
                h.addFilter(quiet)
            report = flow_with_runner(args.workers, args.dask_address, args.dask_workers, time_limited)(
                inputs=[str(i) for i in inputs], out=str(args.out), config_path=args.config,
                state_dir=args.state_dir, show_progress=True)
        except KeyboardInterrupt:
            if guard.signum is None:
                raise
            code = guard.say()
            interrupt.kill_children(set())
            return code
        except Exception as exc:
            from cleaning.validation import ValidationFailed

            if guard.signum is not None:  # whatever the interrupt turned into on its way out
                code = guard.say()
                interrupt.kill_children(set())
                return code
            if isinstance(exc, ValidationFailed):
                print(f"newsclean: the run failed validation and was not committed:\n{exc}", file=sys.stderr)
                print(f"  see {Path(args.out) / 'report.html'} and {Path(args.out) / 'validation' / 'index.html'}",
                      file=sys.stderr)
                return 1
            raise
    _print_summary(report)
    return 0


def _state_paths(args: argparse.Namespace) -> tuple[Path, Path, int | None]:
    """``--out``, its state directory, and an exit code if no run ever committed there."""
    out = Path(args.out)
    state = Path(args.state_dir) if args.state_dir else out / "state"
    if not (state / "state.sqlite").is_file():
        return out, state, _fail(f"no newsclean state in {state}: run `newsclean run --out {out}` first")
    return out, state, None


def _with_locked_state(args: argparse.Namespace, operation: Any) -> tuple[Any, int | None]:
    """``operation(store)`` on the recovered state, holding its lock: (result, None), or (None,
    exit code) when there is no state (2) or another run holds it (3, as for ``run``)."""
    from cleaning.state import StateLocked, StateStore

    out, state, missing = _state_paths(args)
    if missing is not None:
        return None, missing
    store = StateStore(state, out)
    try:
        with store.locked():
            store.recover()
            return operation(store), None
    except StateLocked as exc:
        return None, _fail(str(exc), code=3)
    finally:
        store.close()


def _sync_parquet(args: argparse.Namespace) -> None:
    """Parquet twins follow the parts that compact / retract replaced (when the output has them)."""
    from cleaning.output import sync_parquet

    out = Path(args.out)
    sync_parquet(out, json.loads((out / "manifest.json").read_text(encoding="utf-8")), create=False)


def cmd_compact(args: argparse.Namespace) -> int:
    from cleaning.state import compact

    result, code = _with_locked_state(args, compact)
    if code is not None:
        return code
    _sync_parquet(args)
    for kind, r in result.items():
        print(f"{kind}: {r['parts_before']} part(s) → {r['parts_after']}" + (f", {r['records']} records" if "records" in r else ""))
    return 0


def cmd_retract(args: argparse.Namespace) -> int:
    """Move the records of deleted or unwanted inputs out of the corpus, with reason ``retracted``."""
    from cleaning.state import retract

    if not args.paths and not args.prune_missing:
        return _fail("name the inputs to retract (files or folders), or use --prune-missing")
    result, code = _with_locked_state(args, lambda store: retract(store, args.paths, args.prune_missing))
    if code is not None:
        return code
    _sync_parquet(args)
    print(f"newsclean: retracted {result['retracted']} documents ({result['kept']} from the corpus, "
          f"{result['duplicates']} duplicates); they are in {Path(args.out) / 'rejected.jsonl'} with reason `retracted`")
    return 0


def cmd_reindex(args: argparse.Namespace) -> int:
    """Rebuild the dedup index from the committed corpus parts (lost Redis data, a deleted file)."""
    from cleaning.config import ConfigError, load_config
    from cleaning.dedup.reindex import rebuild_index
    from cleaning.state import StateError, StateLocked
    from flows.boundary import first_line

    out, state, missing = _state_paths(args)
    if missing is not None:
        return missing
    try:
        result = rebuild_index(load_config(args.config), out, state)
    except StateLocked as exc:
        return _fail(str(exc), code=3)
    except (ConfigError, StateError) as exc:
        return _fail(str(exc))
    except (ConnectionError, OSError) as exc:
        return _fail(f"{first_line(exc)}; the index was not rebuilt, run reindex again", code=1)
    print(f"newsclean: dedup index rebuilt from {result['runs']} corpus part(s): {result['documents']} documents")
    return 0


def _find(path: Path, doc_id: str) -> dict | None:
    if not path.is_file():
        return None
    needle = f'"id": {json.dumps(doc_id, ensure_ascii=False)}'
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if needle in line:
                rec = json.loads(line)
                if rec.get("id") == doc_id:
                    return rec
    return None


def _print_html_dropped(metadata: dict) -> None:
    """What the HTML pre-pass dropped before extraction (not in the text, so not marked in it)."""
    dropped = metadata.get("html_dropped") or []
    if dropped:
        print(f"{len(dropped)} HTML element(s) dropped before extraction:")
        for d in dropped:
            print(f"  [{d.get('category')}] <{d.get('tag')}> {str(d.get('excerpt', ''))[:100]}")


def cmd_explain(args: argparse.Namespace) -> int:
    """Where a document went and, for kept ones, its original text with every cut marked."""
    from cleaning.clean import explain_removals
    from cleaning.document import Removal, rebuild_original

    out = Path(args.out)
    if not (out / "corpus.jsonl").is_file():
        return _fail(f"no corpus in {out}: run `newsclean run --out {out}` first")
    rec = _find(out / "corpus.jsonl", args.id)
    if rec is not None:
        removed = [Removal(**r) for r in rec["removed"]]
        print(f"{rec['id']}  kept  source={rec['source']}")
        print(f"title: {rec.get('title')}  published: {rec.get('published')}  language: {rec.get('language')}")
        rules = sorted({r.rule for r in removed})
        print(f"{len(removed)} removed span(s)" + (f" by {', '.join(rules)}" if rules else "") + "; marked [-rule: text-]")
        _print_html_dropped(rec.get("metadata") or {})
        print("-" * 72)
        print(explain_removals(rebuild_original(rec["text"], removed), removed))
        return 0
    rec = _find(out / "duplicates.jsonl", args.id)
    if rec is not None:
        print(f"{rec['id']}  duplicate ({rec['method']}, similarity {rec['similarity']}) of {rec['duplicate_of']}"
              f"  source={rec['source']}")
        if rec.get("reason"):
            print(f"why the other copy was kept: {rec['reason']}")
        removed = rec.get("removed") or []
        print(f"{len(removed)} span(s) removed from this copy before it was compared:")
        for r in removed:
            if r["text"].strip():
                print(f"  [-{r['rule']}: {r['text'].strip()[:200]}-]")
        print(f"see: newsclean explain {rec['duplicate_of']} --out {out}")
        return 0
    rec = _find(out / "rejected.jsonl", args.id)
    if rec is not None:
        print(f"{rec['id']}  rejected: {rec['reason']}  source={rec['source']}")
        print(f"detail: {rec['detail']}")
        measured = [f"{k}: {rec[k]}" for k in ("value", "threshold", "language", "word_count") if rec.get(k) is not None]
        if measured:
            print("  ".join(measured))
        if rec.get("title"):
            print(f"title: {rec['title']}")
        if rec.get("text"):
            print("-" * 72)
            print(rec["text"])
        return 0
    return _fail(f"no document with id {args.id!r} in {out}/ (corpus, duplicates or rejected)", code=1)


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate an existing corpus file against the clean_corpus suite, without a pipeline run."""
    from cleaning.config import ConfigError, load_config
    from cleaning.validation import validate_corpus_file

    path = Path(args.path)
    if not path.is_file():
        return _fail(f"corpus file does not exist: {path}")
    try:
        cfg = load_config(args.config)
    except ConfigError as exc:
        return _fail(str(exc))
    out = Path(args.out) if args.out else path.parent
    try:
        report = validate_corpus_file(path, cfg, out)
    except (ValueError, ConfigError) as exc:
        return _fail(str(exc))
    print(report.to_markdown())
    print(f"Data Docs: {report.data_docs_index}")
    if report.critical_failures:
        return 1
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse with a "did you mean" for a mistyped flag or command (Python 3.14's
    ``suggest_on_error`` does this for commands only, and we run on 3.11)."""

    def error(self, message: str) -> NoReturn:  # type: ignore[override]
        super().error(message + _suggestion(self, message))


def _option_strings(parser: argparse.ArgumentParser) -> list[str]:
    found: list[str] = []
    for action in parser._actions:
        found += [o for o in action.option_strings if o.startswith("--")]
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found += _option_strings(sub)
    return sorted(set(found))


def _suggestion(parser: argparse.ArgumentParser, message: str) -> str:
    import difflib
    import re

    unknown = re.search(r"unrecognized arguments: (.*)", message)
    if unknown:
        for token in unknown.group(1).split():
            if token.startswith("--"):
                close = difflib.get_close_matches(token.split("=")[0], _option_strings(parser), n=1, cutoff=0.6)
                if close:
                    return f" (did you mean {close[0]}?)"
    choice = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
    if choice:
        close = difflib.get_close_matches(choice.group(1), re.findall(r"'([^']*)'", choice.group(2)), n=1, cutoff=0.6)
        if close:
            return f" (did you mean {close[0]}?)"
    return ""


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="newsclean", description="Clean and deduplicate scraped news corpora.")
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the pipeline (default input: seeds/, output: output/)")
    run.add_argument("inputs", nargs="*", help="files, folders or globs (.html .txt .jsonl[.gz] .warc[.gz])")
    run.add_argument("--out", default="output", help="output folder (default: output)")
    run.add_argument("--config", default=None, help="TOML file overriding the default settings")
    run.add_argument("--state-dir", default=None, help="state folder (default: <out>/state)")
    run.add_argument("--workers", type=int, default=None,
                     help="worker processes for the per-document stages (default: one per CPU when the inputs are "
                          "large enough to pay for starting them, see [pipeline] process_pool_min_bytes; "
                          "0: threads in this process)")
    run.add_argument("--dask-workers", type=int, default=0,
                     help="run tasks on a local Dask cluster with this many worker processes instead")
    run.add_argument("--dask-address", default=None, help="run tasks on an existing Dask cluster (tcp://host:8786)")
    run.set_defaults(func=cmd_run)

    compact = sub.add_parser("compact", help="merge the corpus parts written by earlier runs into one")
    compact.add_argument("--out", default="output", help="output folder (default: output)")
    compact.add_argument("--state-dir", default=None, help="state folder (default: <out>/state)")
    compact.set_defaults(func=cmd_compact)

    retract_p = sub.add_parser("retract", help="move the records of deleted or unwanted inputs out of the corpus "
                                               "(to rejected.jsonl, reason `retracted`)")
    retract_p.add_argument("paths", nargs="*", help="input files or folders whose documents to retract")
    retract_p.add_argument("--prune-missing", action="store_true",
                           help="retract every document whose input file no longer exists")
    retract_p.add_argument("--out", default="output", help="output folder (default: output)")
    retract_p.add_argument("--state-dir", default=None, help="state folder (default: <out>/state)")
    retract_p.set_defaults(func=cmd_retract)

    reindex = sub.add_parser("reindex", help="rebuild the dedup index from the committed corpus (after lost Redis data)")
    reindex.add_argument("--out", default="output", help="output folder (default: output)")
    reindex.add_argument("--config", default=None, help="TOML file overriding the default settings (same as the runs)")
    reindex.add_argument("--state-dir", default=None, help="state folder (default: <out>/state)")
    reindex.set_defaults(func=cmd_reindex)

    explain = sub.add_parser("explain", help="show what cleaning removed from one document, and why")
    explain.add_argument("id", help="document id (from corpus.jsonl, duplicates.jsonl or rejected.jsonl)")
    explain.add_argument("--out", default="output", help="output folder of the run (default: output)")
    explain.set_defaults(func=cmd_explain)

    validate = sub.add_parser("validate", help="validate an existing corpus file (JSONL or Parquet)")
    validate.add_argument("path", help="corpus.jsonl or a Parquet file with the same columns")
    validate.add_argument("--config", default=None, help="TOML file overriding the default settings")
    validate.add_argument("--out", default=None, help="where to put validation/ Data Docs (default: beside the file)")
    validate.set_defaults(func=cmd_validate)

    from flows.deploy import add_serve_command

    add_serve_command(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    """Every command behind one error boundary: a user error is one line and an exit code
    (see :mod:`flows.boundary`); only a bug shows a traceback."""
    _quiet_offline_env()
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("newsclean: interrupted (Ctrl-C)", file=sys.stderr)
        return 130
    except Exception as exc:
        from flows.boundary import classify

        known = classify(exc)
        if known is None:
            raise
        code, message = known
        return _fail(message, code)


if __name__ == "__main__":
    sys.exit(main())


def console_main() -> NoReturn:
    """The ``newsclean`` console script (and ``python -m flows``): :func:`main`, then exit
    without tearing the interpreter down. Every exit handler still runs (Prefect delivers its
    queued logs and events, time-limit workers are stopped) and output is flushed; only the
    final freeing of every module and object is skipped — after a run that imported Prefect,
    Great Expectations and pandas it took seconds, on a process that is about to end anyway."""
    import atexit

    try:
        code = main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (``newsclean run … | head``)
            pass
    os._exit(code)

