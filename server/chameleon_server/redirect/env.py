"""The environment that redirects an app's ML API clients to its customized models (torch-free).

Google Cloud clients are redirected by the ``boot/sitecustomize.py`` hook, configured through
``CHAMELEON_REDIRECT`` (JSON: ``{"google.vision": {"base", "token"}, "google.language": ...}``).
boto3 reads ``AWS_ENDPOINT_URL_REKOGNITION`` / ``AWS_ENDPOINT_URL_COMPREHEND`` and credentials from the environment; the access key
id carries the service token (the service checks it; the secret is unused).

When several entries name the same API (two files calling label_detection with different models),
one process can only use one endpoint per API: the entry for the script being run wins, else the
newest.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .config import RedirectEntry, serving_base

BOOT_DIR = Path(__file__).resolve().parent / "boot"

# api -> the client family it is redirected through
API_FAMILY = {
    "google.vision.label_detection": "google.vision",
    "google.vision.object_localization": "google.vision",
    "google.language.classify_text": "google.language",
    "google.language.analyze_sentiment": "google.language",
    "aws.rekognition.detect_labels": "aws.rekognition",
    "aws.comprehend.detect_sentiment": "aws.comprehend",
}

# AWS family -> the service-specific endpoint variable botocore reads (AWS_ENDPOINT_URL_<SERVICE>)
AWS_ENDPOINT_VARS = {"aws.rekognition": "AWS_ENDPOINT_URL_REKOGNITION", "aws.comprehend": "AWS_ENDPOINT_URL_COMPREHEND"}


@dataclass
class Target:
    family: str
    base: str  # model-specific base URL
    token: str | None
    model_id: str
    api: str
    endpoint: str = ""  # the service base URL
    token_file: Path | None = None


def _token_path(entry: RedirectEntry, workspace: Path) -> Path | None:
    if not entry.token_file:
        return None
    p = Path(entry.token_file)
    return p if p.is_absolute() else Path(workspace) / p


def _token_for(entry: RedirectEntry, workspace: Path) -> str | None:
    if os.environ.get("CHAMELEON_TOKEN"):
        return os.environ["CHAMELEON_TOKEN"]
    p = _token_path(entry, workspace)
    if p is None:
        return None
    try:
        return p.read_text(encoding="utf-8").strip()
    except OSError:
        return None


def choose_targets(entries: Iterable[RedirectEntry], workspace: Path, script: str | None = None) -> dict[str, Target]:
    """family -> the target its clients are pointed at."""
    script_rel = None
    if script:
        try:
            script_rel = Path(script).resolve().relative_to(Path(workspace).resolve()).as_posix()
        except ValueError:
            script_rel = None
    def rank(e: RedirectEntry) -> tuple[bool, str]:  # sorts the best entry last
        return (e.file == script_rel, e.created)

    best: dict[str, RedirectEntry] = {}  # api -> entry
    for e in sorted(entries, key=rank):
        if e.api in API_FAMILY:
            best[e.api] = e
    out: dict[str, Target] = {}
    for family in sorted(set(API_FAMILY[a] for a in best)):
        es = sorted((e for a, e in best.items() if API_FAMILY[a] == family), key=rank)
        lead = es[-1]
        # Several APIs of one client family (classify_text + analyze_sentiment) on the same service:
        # one endpoint naming all their models ("a+b"); the service picks by the request's task.
        ids = [lead.model_id] + [e.model_id for e in reversed(es[:-1]) if e.endpoint == lead.endpoint and e.model_id != lead.model_id]
        out[family] = Target(family, serving_base(lead.endpoint, "+".join(ids)), _token_for(lead, workspace),
                             "+".join(ids), lead.api, lead.endpoint, _token_path(lead, workspace))
    return out


def redirect_env(targets: dict[str, Target], base_env: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ if base_env is None else base_env)
    env["PYTHONPATH"] = os.pathsep.join([str(BOOT_DIR)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    google = {t.family: {"base": t.base, "token": t.token, "model_id": t.model_id}
              for t in targets.values() if t.family.startswith("google.")}
    env["CHAMELEON_REDIRECT"] = json.dumps(google)
    aws_targets = [t for t in targets.values() if t.family in AWS_ENDPOINT_VARS]
    for t in aws_targets:
        env[AWS_ENDPOINT_VARS[t.family]] = t.base
    if aws_targets:
        aws = aws_targets[-1]  # one set of credentials per process: the services share the token
        env["AWS_ACCESS_KEY_ID"] = aws.token or "chameleon"
        env["AWS_SECRET_ACCESS_KEY"] = "chameleon-unused"
        env.pop("AWS_SESSION_TOKEN", None)
        env.pop("AWS_PROFILE", None)
        env.setdefault("AWS_DEFAULT_REGION", "us-east-1")
        env["AWS_EC2_METADATA_DISABLED"] = "true"
    # The endpoints are on loopback: never send them through a proxy.
    no_proxy = [x for x in (env.get("NO_PROXY") or env.get("no_proxy") or "").split(",") if x]
    for host in ("127.0.0.1", "localhost"):
        if host not in no_proxy:
            no_proxy.append(host)
    env["NO_PROXY"] = env["no_proxy"] = ",".join(no_proxy)
    return env
