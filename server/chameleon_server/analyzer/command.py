"""`chameleon analyze PATH... [--json]` (placeholder until the analyzer lands)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("analyze", help="print the decision abstract of each ML API call in PATHs")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--json", action="store_true", help="print the abstract as JSON (shared spec, format v1)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    raise SystemExit("chameleon analyze: not implemented yet")
