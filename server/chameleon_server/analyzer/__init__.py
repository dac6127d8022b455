"""Static analysis of Python applications into decision abstracts.

``analyze_source`` (one file, never raises), ``analyze_paths`` (files and directories) and
``Workspace`` (cross-file resolution, unsaved buffers) are the public API; the language server,
the trainer's job spec and ``chameleon analyze`` use only these.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..abstract import Abstract, Site
from .analyze import analyze_module_source
from .workspace import Workspace, read_source, walk_py

__all__ = ["analyze_source", "analyze_paths", "Workspace"]


def analyze_source(source: str, path: str = "<string>", workspace: Workspace | None = None) -> list[Site]:
    """Never raises. Sites of one file, in source order. Broken code: abstracts for the parts that parse."""
    sites, _notes = analyze_module_source(source, path, workspace)
    return sites


def analyze_paths(paths: list[str]) -> Abstract:
    """Files and/or directories. Unreadable files go into ``Abstract.errors``; never raises."""
    out = Abstract()
    for p in paths:
        try:
            if os.path.isdir(p):
                ws = Workspace(p)
                for f in walk_py(str(ws.root)):
                    _one(out, f, ws.display(f), ws)
            elif os.path.isfile(p):
                root = Path(p).resolve().parent
                while (root / "__init__.py").exists() and root.parent != root:
                    root = root.parent  # the directory that holds the top package: absolute imports resolve
                ws = Workspace(root)
                _one(out, str(Path(p).resolve()), p, ws)
            else:
                out.errors.append({"file": p, "error": "no such file or directory"})
        except Exception as e:  # pragma: no cover - defensive: never raise
            out.errors.append({"file": p, "error": f"{type(e).__name__}: {e}"})
    return out


def _one(out: Abstract, real: str, shown: str, ws: Workspace) -> None:
    try:
        src = read_source(real)
    except (OSError, ValueError) as e:
        out.errors.append({"file": shown, "error": str(e)})
        return
    sites, notes = analyze_module_source(src, real, ws)
    internal = ws.display(real)
    for s in sites:
        s.file = shown
        d = s.decision
        if d is None or internal == shown:
            continue
        if d.compare_at and d.compare_at.get("file") == internal:
            d.compare_at["file"] = shown
        for c in d.categories:
            if c.labels_at and c.labels_at.get("file") == internal:
                c.labels_at["file"] = shown
    out.sites.extend(sites)
    fatal = [n for n in notes if n.startswith("cannot analyse") or "internal analyzer error" in n
             or "too deeply" in n or "too large" in n]
    for n in fatal:
        out.errors.append({"file": shown, "error": n})
