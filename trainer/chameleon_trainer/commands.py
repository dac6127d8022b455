"""Trainer subcommands: `trainer serve`, `customize`, `bench` (placeholders until they land).

Imported by the CLI for argument definitions only: nothing heavy at import time.
"""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    t = sub.add_parser("trainer", help="the trainer service")
    tsub = t.add_subparsers(dest="trainer_command", metavar="COMMAND")
    s = tsub.add_parser("serve", help="start the trainer/serving HTTP service")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8765)
    s.add_argument("--data-dir", default=".chameleon-trainer")
    _add_serve_args(s)
    c = sub.add_parser("customize", help="train a model customized to an app's decisions")
    c.add_argument("app", nargs="?")
    c.add_argument("--abstract")
    c.add_argument("--site", type=int)
    c.add_argument("--dataset")
    c.set_defaults(func=_todo)
    b = sub.add_parser("bench", help="decision-error benchmark")
    b.add_argument("targets", nargs="*")
    b.set_defaults(func=_todo)


def _add_serve_args(s: argparse.ArgumentParser) -> None:
    """The rest of `trainer serve` (owned by the service module; imported lazily when it runs)."""
    s.add_argument("--token", default=None, help="bearer token (default: $CHAMELEON_TOKEN, else generated into DATA_DIR/token)")
    s.add_argument("--backend", choices=["local", "ray"], default="local")
    s.add_argument("--ray-address", default=None, help="an existing Ray cluster, e.g. 127.0.0.1:6379")
    s.add_argument("--workers", type=int, default=1, help="jobs run at once (default 1: one job per device)")
    s.set_defaults(func=_serve)


def _serve(args: argparse.Namespace) -> int:
    from .service.main import serve_command

    return serve_command(args)


def _todo(args: argparse.Namespace) -> int:
    raise SystemExit(f"chameleon {args.command}: not implemented yet")
