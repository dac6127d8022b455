"""`chameleon run -- COMMAND...` (placeholder until the redirect lands)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run an app with its ML API clients pointed at the customized endpoint")
    p.add_argument("cmd", nargs=argparse.REMAINDER, metavar="-- COMMAND")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    raise SystemExit("chameleon run: not implemented yet")
