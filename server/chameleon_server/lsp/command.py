"""`chameleon lsp [--stdio | --tcp HOST:PORT]`: start the language server.

The server module is imported only when the command runs, so `chameleon --help` stays fast.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("lsp", help="start the language server (stdio by default)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--stdio", action="store_true", help="talk LSP over stdin/stdout (default)")
    g.add_argument("--tcp", metavar="HOST:PORT", help="listen for one LSP client on a TCP address")
    p.add_argument("--log-file", metavar="PATH", default=os.environ.get("CHAMELEON_LSP_LOG"),
                   help="write the server's log here (stdout carries the protocol)")
    p.set_defaults(func=run)


def parse_hostport(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise SystemExit(f"chameleon lsp: --tcp wants HOST:PORT, got {text!r}")
    return host or "127.0.0.1", int(port)


def run(args: argparse.Namespace) -> int:
    if args.log_file:
        level = os.environ.get("CHAMELEON_LSP_LOG_LEVEL", "INFO").upper()
        logging.basicConfig(filename=args.log_file, level=getattr(logging, level, logging.INFO),
                            format="%(asctime)s %(name)s %(levelname)s %(message)s")
        logging.getLogger("httpx").setLevel(logging.WARNING)  # job polling would log 3 lines a second
    else:
        logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    from .server import server

    try:
        if args.tcp:
            host, port = parse_hostport(args.tcp)
            server.start_tcp(host, port)
        else:
            server.start_io()
    finally:
        # An editor that vanishes without `shutdown` (stdin closed) must not leave the local
        # trainer service it caused to start running forever.
        for svc in server.local_services.values():
            svc.stop_sync()
    return 0
