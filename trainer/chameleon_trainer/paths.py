"""Where cached data, features and generic models live (``~/.cache/chameleon-api`` by default).

Expensive things (frozen backbone features, sentence embeddings, generic models) are computed once
per dataset and cached here so that customizing one app only trains a small head.
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_root() -> Path:
    root = Path(os.environ.get("CHAMELEON_CACHE", Path.home() / ".cache" / "chameleon-api"))
    root.mkdir(parents=True, exist_ok=True)
    return root


def cache_dir(*parts: str) -> Path:
    p = cache_root().joinpath(*parts)
    p.mkdir(parents=True, exist_ok=True)
    return p
