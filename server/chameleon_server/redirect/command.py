"""`chameleon run [--workspace DIR] -- COMMAND...`: run an unmodified app with its ML API clients
pointed at the customized models named in the workspace's `.chameleon/redirect.json`.

Torch-free: it reads the config, builds an environment (``env.py``) and execs the command. When the
config's loopback service is down (the editor that started it has exited), it starts it again from
its data directory as a child process for the duration of the run.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from .config import find_workspace, is_stale, read_redirects
from .env import choose_targets, redirect_env


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run an app with its ML API clients pointed at the customized endpoint",
                       description="Run COMMAND with google-cloud-vision, google-cloud-language and boto3 "
                                   "redirected to the models in .chameleon/redirect.json.")
    p.add_argument("--workspace", help="the directory holding .chameleon/ (default: found from the cwd or the script)")
    p.add_argument("--show", action="store_true", help="print where each API goes, then run")
    p.add_argument("cmd", nargs=argparse.REMAINDER, metavar="-- COMMAND")
    p.set_defaults(func=run)
    try:  # `chameleon demo` lives with the trainer service (it needs the trainer extra)
        from chameleon_trainer.service import demo
    except ImportError:
        return
    demo.register(sub)


def stale_warnings(entries: list, workspace: Path, script: str | None) -> list[str]:
    """Entries for the script whose call site's decision changed since its model was trained."""
    if not script:
        return []
    path = Path(script).resolve()
    try:
        rel = path.relative_to(Path(workspace).resolve()).as_posix()
        source = path.read_text(encoding="utf-8")
        from ..analyzer import analyze_source

        sites = list(analyze_source(source, rel))
    except Exception:  # not in the workspace, unreadable, or no analyzer: nothing to say
        return []
    out = []
    for e in entries:
        if e.file != rel:
            continue
        same_api = [s for s in sites if s.api == e.api]
        if same_api and all(is_stale(e, s) for s in same_api):
            out.append(f"{rel}: the {e.api} decision changed since model {e.model_id} was trained for it "
                       "(stale); customize it again")
    return out


def _script_of(cmd: list[str]) -> str | None:
    for a in cmd[1:]:
        if a.endswith(".py"):
            return a
    return None


def run(args: argparse.Namespace) -> int:
    cmd = list(args.cmd)
    if cmd and cmd[0] == "--":
        cmd = cmd[1:]
    if not cmd:
        print("usage: chameleon run [--workspace DIR] -- COMMAND...", file=sys.stderr)
        return 2
    script = _script_of(cmd)
    if args.workspace:
        workspace = Path(args.workspace)
    else:
        workspace = find_workspace(Path.cwd()) or (find_workspace(Path(script).parent) if script else None)
    if workspace is None:
        print("chameleon run: no .chameleon/redirect.json here or above (customize a call site first)", file=sys.stderr)
        return 2
    entries = read_redirects(workspace)
    if not entries:
        print(f"chameleon run: {workspace}/.chameleon/redirect.json has no entries", file=sys.stderr)
        return 2
    for warning in stale_warnings(entries, workspace, script):
        print(f"chameleon run: warning: {warning}", file=sys.stderr)
    targets = choose_targets(entries, workspace, script)
    for t in targets.values():
        if not t.token:
            print(f"chameleon run: warning: no token for {t.api} (its token file is missing or unreadable); "
                  "the service will refuse the requests", file=sys.stderr)
    if args.show or os.environ.get("CHAMELEON_RUN_VERBOSE"):
        for t in targets.values():
            print(f"chameleon run: {t.api} -> {t.base}", file=sys.stderr)
    started = ensure_services(targets)
    env = redirect_env(targets)
    if not started:
        try:
            os.execvpe(cmd[0], cmd, env)
        except OSError as e:
            print(f"chameleon run: cannot run {cmd[0]}: {e}", file=sys.stderr)
            return 127
    try:  # a service was started for this run: run the app as a child, then stop the service
        try:
            proc = subprocess.Popen(cmd, env=env)
        except OSError as e:
            print(f"chameleon run: cannot run {cmd[0]}: {e}", file=sys.stderr)
            return 127
        while True:
            try:
                return proc.wait()
            except KeyboardInterrupt:
                proc.send_signal(signal.SIGINT)  # the app decides how to end; wait for it
    finally:
        for svc in started:
            svc.stop()


def ensure_services(targets: dict) -> list:
    """Start the embedded trainer service from its data directory when a loopback endpoint is down.

    The language server stops the service it started when the editor exits; the config still names
    its URL and token file (``DATA_DIR/token``). If nothing answers there, the service is started
    again on the same port from that data directory (as a child: this process stays torch-free),
    and stopped when the app exits.
    """
    import httpx

    from ..trainer_client import TrainerError, start_local_service

    started, seen = [], set()
    for t in targets.values():
        if not t.endpoint or t.endpoint in seen:
            continue
        seen.add(t.endpoint)
        try:
            if httpx.get(f"{t.endpoint}/healthz", timeout=2.0).status_code == 200:
                continue
        except httpx.HTTPError:
            pass
        url = urlsplit(t.endpoint)
        data_dir = t.token_file.parent if t.token_file else None
        if url.hostname not in ("127.0.0.1", "localhost") or data_dir is None or not (data_dir / "jobs.sqlite").is_file():
            print(f"chameleon run: warning: the trainer service at {t.endpoint} does not answer", file=sys.stderr)
            continue
        try:
            svc = start_local_service(data_dir, host=url.hostname, port=url.port, startup_timeout=120)
        except TrainerError as e:
            print(f"chameleon run: warning: could not restart the trainer service from {data_dir}: {e}", file=sys.stderr)
            continue
        print(f"chameleon run: started the trainer service from {data_dir} on {t.endpoint} "
              "(it stops when the app exits)", file=sys.stderr)
        started.append(svc)
    return started
