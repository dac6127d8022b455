"""`chameleon trainer serve`: build the app from the command line and run it on uvicorn."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from .app import ServiceConfig, create_app


def serve_command(args: argparse.Namespace) -> int:
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: serving on {args.host}, reachable from other machines; keep the token secret",
              file=sys.stderr)
    if args.backend == "ray" and not args.ray_address:
        raise SystemExit("--backend ray needs --ray-address HOST:PORT (an existing Ray cluster)")
    cfg = ServiceConfig(data_dir=Path(args.data_dir), token=args.token, workers=args.workers,
                        backend=args.backend, ray_address=args.ray_address,
                        devices=[d for d in (getattr(args, "devices", None) or "").split(",") if d] or None)
    app = create_app(cfg)
    print(f"chameleon trainer service on http://{args.host}:{args.port} "
          f"(data {cfg.data_dir.resolve()}, token in {cfg.data_dir.resolve() / 'token'})", file=sys.stderr, flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", timeout_graceful_shutdown=5)
    return 0
