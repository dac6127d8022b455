"""`chameleon lsp [--stdio | --tcp HOST:PORT]` (placeholder until the server lands)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("lsp", help="start the language server (stdio by default)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--stdio", action="store_true", help="talk LSP over stdin/stdout (default)")
    g.add_argument("--tcp", metavar="HOST:PORT", help="listen for one LSP client on a TCP address")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    raise SystemExit("chameleon lsp: not implemented yet")
