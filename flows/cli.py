"""``newsclean`` command line: run the flow, validate a corpus, explain a document's cleaning."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

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
    if report["run"].get("nothing_to_do"):
        print(f"newsclean: nothing to do — all {c['skipped_already_processed']} inputs were processed by earlier runs"
              f" (corpus: {report['corpus_totals']['corpus']} documents in {report['run']['out']}/)")
        return
    if c.get("skipped_already_processed"):
        print(f"newsclean: skipped {c['skipped_already_processed']} inputs already processed by earlier runs")
    print(f"newsclean: {c['inputs']} inputs → {c['kept']} kept, {c['duplicates']} duplicates, {c['rejected']} rejected")
    for reason, n in report["rejected_by_reason"].items():
        print(f"  rejected {reason}: {n}")
    for rule, n in report["removals_by_rule"].items():
        print(f"  removed by {rule}: {n}")
    print(f"  outputs in {report['run']['out']}/ (corpus.jsonl, rejected.jsonl, duplicates.jsonl, report.md)")


def cmd_run(args: argparse.Namespace) -> int:
    from cleaning.config import ConfigError, load_config
    from cleaning.ingest import InputError, resolve_inputs

    inputs = args.inputs or ["seeds"]
    try:
        load_config(args.config)
        resolve_inputs(inputs)
    except (InputError, ConfigError) as exc:
        return _fail(str(exc))
    from flows.pipeline import newsclean_flow

    report = newsclean_flow(inputs=[str(i) for i in inputs], out=str(args.out), config_path=args.config,
                            state_dir=args.state_dir, show_progress=True)
    _print_summary(report)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="newsclean", description="Clean and deduplicate scraped news corpora.")
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the pipeline (default input: seeds/, output: output/)")
    run.add_argument("inputs", nargs="*", help="files, folders or globs (.html .txt .jsonl[.gz] .warc[.gz])")
    run.add_argument("--out", default="output", help="output folder (default: output)")
    run.add_argument("--config", default=None, help="TOML file overriding the default settings")
    run.add_argument("--state-dir", default=None, help="state folder (default: <out>/state)")
    run.set_defaults(func=cmd_run)

    from flows.deploy import add_serve_command

    add_serve_command(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    _quiet_offline_env()
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
