"""`chameleon analyze PATH... [--json]`: decision abstracts of every ML API call in files or directories."""

from __future__ import annotations

import argparse
import os
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("analyze", help="print the decision abstract of each ML API call in PATHs")
    p.add_argument("paths", nargs="+", metavar="PATH", help="Python files or directories (walks *.py)")
    p.add_argument("--json", action="store_true", help="print the abstract as JSON (shared spec, format v1)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    missing = [p for p in args.paths if not os.path.exists(p)]
    if missing:
        for p in missing:
            print(f"chameleon analyze: {p}: no such file or directory", file=sys.stderr)
        return 2
    from . import analyze_paths
    from .render import render

    abstract = analyze_paths(list(args.paths))
    if args.json:
        print(abstract.to_json())
    else:
        print(render(abstract))
    return 0
