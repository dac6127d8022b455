"""Bearer-token auth, like Jupyter: a token from ``--token`` or ``$CHAMELEON_TOKEN``, else one is
generated on first start. Either way it is written to ``DATA_DIR/token`` (mode 0600) so local
clients (the language server, `chameleon run`) can read it without it ever appearing in a URL.

The serving routes accept the same token in the forms the real client libraries can carry it:
``Authorization: Bearer`` (google-auth static-token credentials), ``x-goog-api-key``, and the AWS
access key id of a SigV4 ``Authorization`` header (boto3 with ``AWS_ACCESS_KEY_ID=<token>``).
"""

from __future__ import annotations

import hmac
import os
import re
import secrets
from pathlib import Path

_SIGV4_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/")


def load_or_create_token(data_dir: Path, token: str | None = None) -> str:
    """The service's token; written to ``data_dir/token`` with 0600 permissions."""
    path = Path(data_dir) / "token"
    token = token or os.environ.get("CHAMELEON_TOKEN") or None
    if token is None and path.is_file():
        existing = path.read_text(encoding="utf-8").strip()
        if existing:
            return existing
    token = token or secrets.token_urlsafe(24)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(token + "\n")
    os.chmod(path, 0o600)  # an existing file keeps its old mode through O_TRUNC
    return token


def _eq(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def token_from_headers(headers: dict[str, str] | object, query_key: str | None = None) -> str | None:
    """The credential a request presents, whichever of the supported forms it uses."""
    get = headers.get  # type: ignore[attr-defined]
    auth = get("authorization") or ""
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip()
    if auth.startswith("AWS4-HMAC-SHA256"):
        m = _SIGV4_CREDENTIAL.search(auth)
        return m.group(1) if m else None
    api_key = get("x-goog-api-key")
    if api_key:
        return api_key.strip()
    return query_key


def check(presented: str | None, token: str) -> bool:
    return presented is not None and _eq(presented, token)
