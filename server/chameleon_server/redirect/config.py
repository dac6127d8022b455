"""The `.chameleon/` redirect config in an application's workspace (torch-free).

After a customization job succeeds, the language server (or `chameleon customize`/`demo`) records
here which served model answers which call site. `chameleon run` reads it to point the real client
libraries at that model, and the editor reads it to show "customized" or "stale" on the call site.

One JSON file, ``.chameleon/redirect.json``: ``{"version": 1, "entries": [...]}`` with one entry per
(file, api) site. Writes are atomic (temp file + rename) so a reader never sees half a file.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..abstract import Site

CONFIG_DIR = ".chameleon"
CONFIG_FILE = "redirect.json"
CONFIG_VERSION = 1


@dataclass
class RedirectEntry:
    """One call site redirected to one served model."""

    file: str  # workspace-relative POSIX path of the app file (as the site names it)
    api: str  # e.g. "google.vision.label_detection"
    endpoint: str  # the trainer service base URL, e.g. "http://127.0.0.1:8765"
    model_id: str
    abstract_hash: str  # Site.decision_hash() of the site the model was trained for
    line: int | None = None  # the call line when the model was trained (informational)
    token_file: str | None = None  # where the service's bearer token lives (never the token itself)
    metrics: dict[str, Any] | None = None
    created: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def serving_base(self) -> str:
        """The URL prefix under which this model speaks the provider's wire format."""
        return serving_base(self.endpoint, self.model_id)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "RedirectEntry":
        known = {f for f in cls.__dataclass_fields__}  # tolerate fields added later
        return cls(**{k: v for k, v in d.items() if k in known})


def serving_base(endpoint: str, model_id: str) -> str:
    """Model-specific base URL: the model id travels in the path, so the app's code never names it."""
    return f"{endpoint.rstrip('/')}/serve/{model_id}"


def config_path(workspace: Path) -> Path:
    return Path(workspace) / CONFIG_DIR / CONFIG_FILE


def _rel_file(workspace: Path, file: str) -> str:
    """Site files may be absolute or relative; entries always store the workspace-relative form."""
    p = Path(file)
    if p.is_absolute():
        try:
            return p.resolve().relative_to(Path(workspace).resolve()).as_posix()
        except ValueError:
            return p.as_posix()
    return p.as_posix()


def read_redirects(workspace: Path) -> list[RedirectEntry]:
    """Every entry of the workspace's config; an absent or unreadable config is simply empty."""
    path = config_path(workspace)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    entries = data.get("entries") if isinstance(data, dict) else None
    out: list[RedirectEntry] = []
    for e in entries or []:
        try:
            out.append(RedirectEntry.from_dict(e))
        except TypeError:
            continue  # an entry missing required fields is skipped, not fatal
    return out


def write_redirect(
    workspace: Path,
    *,
    site: Site,
    endpoint: str,
    model_id: str,
    token_file: str | None = None,
    metrics: dict[str, Any] | None = None,
) -> Path:
    """Record (or replace) the entry for ``site``'s (file, api); returns the config file's path."""
    workspace = Path(workspace)
    entry = RedirectEntry(
        file=_rel_file(workspace, site.file),
        api=site.api,
        endpoint=endpoint.rstrip("/"),
        model_id=model_id,
        abstract_hash=site.decision_hash(),
        line=site.line,
        token_file=str(token_file) if token_file else None,
        metrics=metrics,
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )
    entries = [e for e in read_redirects(workspace) if (e.file, e.api) != (entry.file, entry.api)]
    entries.append(entry)
    path = config_path(workspace)
    ignore_in_git(path.parent)
    _write_entries(path, entries)
    return path


def ignore_in_git(config_dir: Path) -> None:
    """Create ``config_dir`` with a ``.gitignore`` that ignores all of it: local endpoints and
    trainer data (models, SQLite) must never be committed."""
    config_dir.mkdir(parents=True, exist_ok=True)
    gitignore = config_dir / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text("# written by ChameleonAPI: local endpoints and trainer data\n*\n", encoding="utf-8")


def remove_redirect(workspace: Path, file: str, api: str) -> bool:
    """Drop one entry (the app goes back to the real API); True if it existed."""
    workspace = Path(workspace)
    rel = _rel_file(workspace, file)
    entries = read_redirects(workspace)
    keep = [e for e in entries if (e.file, e.api) != (rel, api)]
    if len(keep) == len(entries):
        return False
    _write_entries(config_path(workspace), keep)
    return True


def find_redirect(workspace: Path, file: str, api: str) -> RedirectEntry | None:
    rel = _rel_file(Path(workspace), file)
    for e in read_redirects(workspace):
        if e.file == rel and e.api == api:
            return e
    return None


def is_stale(entry: RedirectEntry, current_site: Site) -> bool:
    """True when the app's decision logic changed since the model was trained for it."""
    return entry.abstract_hash != current_site.decision_hash()


def find_workspace(start: Path) -> Path | None:
    """The nearest directory at or above ``start`` holding a `.chameleon/redirect.json`."""
    p = Path(start).resolve()
    for d in [p, *p.parents]:
        if (d / CONFIG_DIR / CONFIG_FILE).is_file():
            return d
    return None


def _write_entries(path: Path, entries: list[RedirectEntry]) -> None:
    _atomic_write(path, json.dumps({"version": CONFIG_VERSION, "entries": [e.to_dict() for e in entries]}, indent=2))


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".redirect.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
