"""Editor settings for the language server (key ``chameleon``).

They arrive twice: in ``initializationOptions`` at start-up and in ``workspace/didChangeConfiguration``
later (VS Code pushes them; other clients send ``null`` and expect the server to pull with
``workspace/configuration``). One parser for both keeps the two paths from drifting apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from .service import read_token_file

SECTION = "chameleon"


@dataclass(frozen=True)
class Settings:
    """What the user can configure; ``None`` means "use the embedded default"."""

    trainer_url: str | None = None  # None: the server starts a local trainer service itself
    token: str | None = None
    token_file: str | None = None
    dataset: str | None = None  # None: the API's default dataset (vocabularies/index.json)
    base_model: str | None = None
    job_options: dict[str, Any] = field(default_factory=dict)

    def resolved_token(self) -> str | None:
        """The token itself, or the first line of the token file; None when neither is usable."""
        return self.token or read_token_file(self.token_file)


def _str_or_none(v: Any) -> str | None:
    if v is None:
        return None
    s = str(v).strip()
    return s or None


def parse_settings(raw: Any, base: Settings | None = None) -> Settings:
    """Read settings from what a client sent, tolerating the shapes clients really send.

    Accepts ``{"chameleon": {...}}`` or the inner object itself; camelCase keys as in the VS Code
    contract. Keys that are absent keep the value in ``base``; keys present with ``null`` reset it.
    Anything that is not an object leaves ``base`` unchanged.
    """
    base = base or Settings()
    if not isinstance(raw, dict):
        return base
    inner = raw.get(SECTION, raw)
    if not isinstance(inner, dict):
        return base
    changes: dict[str, Any] = {}
    for key, attr in (
        ("trainerUrl", "trainer_url"),
        ("token", "token"),
        ("tokenFile", "token_file"),
        ("dataset", "dataset"),
        ("baseModel", "base_model"),
    ):
        if key in inner:
            changes[attr] = _str_or_none(inner[key])
    if changes.get("trainer_url"):
        changes["trainer_url"] = changes["trainer_url"].rstrip("/")
    if "jobOptions" in inner:
        opts = inner["jobOptions"]
        changes["job_options"] = dict(opts) if isinstance(opts, dict) else {}
    return replace(base, **changes)
