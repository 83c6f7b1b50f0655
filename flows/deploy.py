"""Scheduled runs without any set-up: ``newsclean serve`` serves the flow with ``flow.serve``.

``flow.serve`` registers a deployment with the Prefect API and then polls for its runs and
executes them in subprocesses, so one long-lived process is the whole scheduler: no work pool,
no worker. For the work-pool way, see ``prefect.yaml`` at the project root.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

DEFAULT_DEPLOYMENT_NAME = "newsclean-serve"


def serve_parameters(inputs: list[str], out: str, config: str | None, state_dir: str | None) -> dict[str, Any]:
    """Flow parameters with absolute paths: served runs execute in another process and folder."""

    def absolute(p: str) -> str:
        return p if "://" in p else os.path.abspath(p)

    return {
        "inputs": [absolute(i) for i in inputs],
        "out": absolute(out),
        "config_path": absolute(config) if config else None,
        "state_dir": absolute(state_dir) if state_dir else None,
    }


def cmd_serve(args: argparse.Namespace) -> int:
    """Check the inputs and config once, then serve until interrupted (Ctrl-C)."""
    from cleaning.config import ConfigError, load_config
    from cleaning.ingest import InputError, resolve_inputs

    inputs = [str(i) for i in (args.inputs or ["seeds"])]
    try:
        load_config(args.config)
        resolve_inputs(inputs)
    except (InputError, ConfigError) as exc:
        print(f"newsclean: error: {exc}", file=sys.stderr)
        return 2
    if args.cron:
        from prefect.client.schemas.schedules import CronSchedule

        try:
            CronSchedule(cron=args.cron)
        except ValueError:
            print(f"newsclean: error: --cron {args.cron!r} is not a valid cron expression "
                  '(five fields, e.g. "0 * * * *" for hourly)', file=sys.stderr)
            return 2
    if not os.environ.get("PREFECT_API_URL"):
        print(
            "newsclean: note: PREFECT_API_URL is not set, so this serves against a temporary local API "
            "that no UI shows. Start `prefect server start` and export "
            "PREFECT_API_URL=http://127.0.0.1:4200/api to see runs, logs and artifacts.",
            file=sys.stderr,
        )
    from flows.pipeline import newsclean_flow

    parameters = serve_parameters(inputs, str(args.out), args.config, args.state_dir)
    newsclean_flow.serve(
        name=args.name,
        cron=args.cron or None,
        parameters=parameters,
        description=f"newsclean over {', '.join(parameters['inputs'])} into {parameters['out']}",
        tags=["newsclean"],
        limit=1,  # one run at a time: runs share the output and state folders
    )
    return 0


def add_serve_command(sub: argparse._SubParsersAction) -> None:
    """Register ``newsclean serve`` on the CLI's sub-command parser."""
    serve = sub.add_parser(
        "serve",
        help="serve the flow as a Prefect deployment, on a cron schedule or on demand",
        description="Register a deployment of the newsclean flow and run its scheduled and manual runs "
                    "in this process until interrupted. Set PREFECT_API_URL to a Prefect server to see "
                    "the runs in its UI.",
    )
    serve.add_argument("inputs", nargs="*", help="files, folders or globs each run reads (default: seeds)")
    serve.add_argument("--out", default="output", type=Path, help="output folder (default: output)")
    serve.add_argument("--config", default=None, help="TOML file overriding the default settings")
    serve.add_argument("--state-dir", default=None, help="state folder (default: <out>/state)")
    serve.add_argument("--cron", default=None,
                       help='cron schedule, e.g. "0 * * * *" for hourly (default: no schedule; runs start '
                            "from the UI, `prefect deployment run` or run_deployment)")
    serve.add_argument("--name", default=DEFAULT_DEPLOYMENT_NAME,
                       help=f"deployment name (default: {DEFAULT_DEPLOYMENT_NAME}); runs are "
                            f"`newsclean/<name>`")
    serve.set_defaults(func=cmd_serve)
