"""A job in its own process: ``python -m chameleon_trainer.service.worker --out DIR [--runner M:F]``.

Used by the subprocess backend. The job spec arrives as one JSON line on stdin; stdin stays open and a
``stop`` line (or EOF: the service went away) asks the job to stop at its next batch. Progress and the
outcome go to stdout as JSON lines: ``{"progress": {...}}`` then one of ``{"done": true}``,
``{"cancelled": "..."}``, ``{"input_error": "..."}``, ``{"internal_error": "..."}``. Logs and
tracebacks go to stderr (the service appends them to the job's log).
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import traceback
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="chameleon-job-worker")
    ap.add_argument("--out", required=True)
    ap.add_argument("--runner", default=None)
    args = ap.parse_args(argv)
    out = sys.stdout
    sys.stdout = sys.stderr  # anything the trainer prints must not corrupt the protocol
    lock = threading.Lock()

    def send(msg: dict) -> None:
        with lock:
            out.write(json.dumps(msg) + "\n")
            out.flush()

    first = sys.stdin.readline()
    from .jobspec import JobSpec
    from .runner import JobCancelled, JobInputError, resolve_runner

    try:
        spec = JobSpec.from_dict(json.loads(first))
    except Exception as e:
        send({"internal_error": f"unreadable job spec: {e}"})
        return 2
    stop = threading.Event()

    def watch_stdin() -> None:
        for line in sys.stdin:
            if line.strip() == "stop":
                stop.set()
        stop.set()  # EOF: the service is gone; do not train for nobody

    threading.Thread(target=watch_stdin, daemon=True).start()
    try:
        runner = resolve_runner(args.runner)
        runner(spec, Path(args.out), lambda ev: send({"progress": ev}), stop.is_set)
    except JobCancelled as e:
        send({"cancelled": str(e) or "cancelled"})
        return 0
    except JobInputError as e:
        send({"input_error": str(e)})
        return 0
    except Exception as e:
        traceback.print_exc()
        send({"internal_error": f"{type(e).__name__}: {e}"})
        return 1
    send({"done": True})
    return 0


if __name__ == "__main__":
    sys.exit(main())
