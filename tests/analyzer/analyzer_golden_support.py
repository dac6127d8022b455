"""Golden abstracts: every fixture app (and every top-level example) with its expected JSON.

Regenerate after an intended change with ``python tests/analyzer/analyzer_golden_support.py`` and review
the diff (``git diff tests/analyzer/golden``): a golden is a claim about what the app decides.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
APPS = HERE / "apps"
GOLDEN = HERE / "golden"


def cases() -> list[tuple[str, Path]]:
    """(golden name, path): single-file apps and examples, plus each app directory as a whole."""
    out: list[tuple[str, Path]] = []
    for p in sorted(APPS.iterdir()):
        if p.suffix == ".py":
            out.append((f"apps__{p.stem}", p))
        elif p.is_dir() and not p.name.startswith((".", "__")):
            out.append((f"apps__{p.name}", p))
    for p in sorted((REPO / "examples").glob("*.py")):
        out.append((f"examples__{p.stem}", p))
    return out


def analyze_case(path: Path) -> dict:
    """The abstract of a case with paths relative to the repo root (stable across machines)."""
    from chameleon_server.analyzer import analyze_paths

    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        rel = path.relative_to(REPO).as_posix()
        return analyze_paths([rel]).to_dict()
    finally:
        os.chdir(cwd)


def update() -> None:
    GOLDEN.mkdir(exist_ok=True)
    for name, path in cases():
        data = analyze_case(path)
        (GOLDEN / f"{name}.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {name}.json ({len(data['sites'])} sites)")


if __name__ == "__main__":
    sys.path.insert(0, str(REPO / "server"))
    update()
