"""Cross-file resolution for a project: module lookup, unsaved buffers, who imports whom.

The language server keeps one ``Workspace`` per workspace folder and feeds it the editor's
unsaved buffers (``update``). Modules are parsed lazily and cached by content, so re-analysing a
file on every keystroke re-parses only that file. ``dependents`` says which files to re-analyse
when one changes: the files that import it (their constants and helpers come from it) and the
modules it imports (an API call there may be decided by code here).
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from .source import parse
from .symbols import ModuleInfo, build_module

SKIP_DIRS = {"node_modules", "site-packages", "dist-packages", "__pycache__", "venv", "env", "build", "dist"}
MAX_FILES = 20_000
MAX_READ_BYTES = 8_000_000
GRAPH_BUDGET_S = 3.0

_IMPORT_RE = re.compile(r"^\s*(?:from\s+(\.*[\w.]*)\s+import\s+([^#\n]+)|import\s+([^#\n]+))", re.M)


def skip_dir(name: str, path: str | None = None) -> bool:
    if name.startswith(".") or name in SKIP_DIRS:
        return True
    if path is not None and os.path.exists(os.path.join(path, "pyvenv.cfg")):
        return True  # a virtualenv under any name
    return False


def walk_py(root: str) -> list[str]:
    """``*.py`` files under ``root`` (sorted), skipping virtualenvs, site-packages, node_modules, hidden dirs."""
    out: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not skip_dir(d, os.path.join(dirpath, d)))
        for f in sorted(filenames):
            if f.endswith(".py") and not f.startswith("."):
                out.append(os.path.join(dirpath, f))
                if len(out) >= MAX_FILES:
                    return out
    return out


def read_source(path: str) -> str:
    """Text of a Python file, honouring a PEP 263 coding line. Raises OSError/ValueError with a clear message."""
    import io
    import tokenize

    size = os.path.getsize(path)
    if size > MAX_READ_BYTES:
        raise ValueError(f"file too large to analyse ({size} bytes)")
    with open(path, "rb") as f:
        data = f.read()
    try:
        enc, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as e:
        head = data.split(b"\n", 2)[:2]
        if any(re.search(rb"^[ \t\f]*#.*?coding[:=]", h) for h in head):
            raise ValueError(f"bad encoding declaration: {e}") from None
        enc = "utf-8"  # undecodable bytes in the first lines: report them below
    try:
        return data.decode(enc)
    except (UnicodeDecodeError, LookupError) as e:
        raise ValueError(f"not valid {enc} text ({e.__class__.__name__} at byte {getattr(e, 'start', '?')})") from None


class Workspace:
    """Cross-file resolution: module constants / helper functions imported from other modules."""

    def __init__(self, root: str | Path, overlay: dict[str, str] | None = None):
        self.root = Path(root).resolve()
        self._overlay: dict[str, str] = {}
        self._cache: dict[str, tuple[str, ModuleInfo]] = {}
        self._disk: dict[str, tuple[tuple[int, int], str]] = {}
        self._abs: dict[str, str] = {}
        self._files: list[str] | None = None
        self._imports: dict[str, set[str]] | None = None  # abs path -> abs paths it imports
        for p, src in (overlay or {}).items():
            self.update(p, src)

    # -- paths ---------------------------------------------------------------------------------
    def abspath(self, path: str | Path) -> str:
        key = str(path)
        hit = self._abs.get(key)
        if hit is None:
            p = Path(path)
            if not p.is_absolute():
                p = self.root / p
            hit = str(p.resolve())
            if len(self._abs) < 100_000:
                self._abs[key] = hit
        return hit

    def display(self, path: str | Path) -> str:
        ap = Path(self.abspath(path))
        try:
            return ap.relative_to(self.root).as_posix()
        except ValueError:
            return Path(path).as_posix()

    def modname(self, abspath: str) -> str | None:
        try:
            rel = Path(abspath).relative_to(self.root)
        except ValueError:
            return None
        parts = list(rel.with_suffix("").parts)
        if parts and parts[-1] == "__init__":
            parts = parts[:-1]
        if parts and parts[0] == "src":
            parts = parts[1:]
        return ".".join(parts) if parts else None

    def files(self) -> list[str]:
        if self._files is None:
            self._files = [str(Path(f).resolve()) for f in walk_py(str(self.root))]
        out = list(self._files)
        for p in self._overlay:
            if p not in out:
                out.append(p)
        return out

    # -- buffers -------------------------------------------------------------------------------
    def update(self, path: str, source: str | None) -> None:
        """Set (or with None: drop) an unsaved buffer."""
        ap = self.abspath(path)
        if source is None:
            self._overlay.pop(ap, None)
        else:
            self._overlay[ap] = source
        self._cache.pop(ap, None)
        if self._imports is not None:
            self._imports[ap] = self._scan_imports(ap)

    def source(self, abspath: str) -> str | None:
        """An unsaved buffer, else the file on disk (re-read only when its mtime or size changed)."""
        if abspath in self._overlay:
            return self._overlay[abspath]
        try:
            st = os.stat(abspath)
        except OSError:
            self._disk.pop(abspath, None)
            return None
        stamp = (st.st_mtime_ns, st.st_size)
        hit = self._disk.get(abspath)
        if hit is not None and hit[0] == stamp:
            return hit[1]
        try:
            text = read_source(abspath)
        except (OSError, ValueError):
            return None
        self._disk[abspath] = (stamp, text)
        return text

    # -- modules -------------------------------------------------------------------------------
    def module_info_for_source(self, path: str, source: str) -> ModuleInfo:
        ap = self.abspath(path)
        cached = self._cache.get(ap)
        if cached is not None and cached[0] == source:
            return cached[1]
        info = build_module(parse(source), self.display(path), self.modname(ap), self)
        self._cache[ap] = (source, info)
        return info

    def module_info_path(self, abspath: str) -> ModuleInfo | None:
        src = self.source(abspath)
        if src is None:
            return None
        return self.module_info_for_source(abspath, src)

    def find_module(self, modname: str, from_file: str | None = None) -> str | None:
        if not modname or modname.startswith(".") or "/" in modname:
            return None
        rel = modname.replace(".", "/")
        bases = [self.root, self.root / "src"]
        if from_file:
            bases.insert(0, Path(self.abspath(from_file)).parent)
        for base in bases:
            for cand in (base / f"{rel}.py", base / rel / "__init__.py"):
                s = str(cand)
                if s in self._overlay or cand.is_file():
                    return str(cand.resolve()) if s not in self._overlay else s
        return None

    def module_info(self, modname: str, from_file: str | None = None) -> ModuleInfo | None:
        p = self.find_module(modname, from_file)
        return self.module_info_path(p) if p else None

    # -- import graph --------------------------------------------------------------------------
    def _scan_imports(self, abspath: str) -> set[str]:
        src = self.source(abspath) or ""
        out: set[str] = set()
        me = self.modname(abspath) or ""
        for m in _IMPORT_RE.finditer(src):
            if m.group(1) is not None:
                base = m.group(1)
                if base.startswith("."):
                    level = len(base) - len(base.lstrip("."))
                    pkg = me.split(".")[: max(0, len(me.split(".")) - level)]
                    rest = base.lstrip(".")
                    base = ".".join(pkg + ([rest] if rest else []))
                names = [n.strip().split(" as ")[0].strip("() ") for n in m.group(2).split(",")]
                cands = [base] + [f"{base}.{n}" if base else n for n in names if n]
            else:
                cands = [n.strip().split(" as ")[0].strip() for n in m.group(3).split(",")]
            for c in cands:
                p = self.find_module(c, abspath)
                if p and p != abspath:
                    out.add(p)
        return out

    def _graph(self) -> dict[str, set[str]]:
        """Who imports whom, built on first need (bounded in time: the editor waits on it)."""
        if self._imports is None:
            self._imports = {}
            deadline = time.perf_counter() + GRAPH_BUDGET_S
            for f in self.files():
                self._imports[f] = self._scan_imports(f)
                if time.perf_counter() > deadline:
                    break  # a huge tree: the files scanned so far, plus buffers as they are updated
        return self._imports

    def importers_of(self, file: str) -> list[ModuleInfo]:
        """Modules that import ``file`` (a display or absolute path)."""
        ap = self.abspath(file)
        out = []
        for f, deps in self._graph().items():
            if ap in deps and f != ap:
                info = self.module_info_path(f)
                if info is not None:
                    out.append(info)
        return out

    def dependents(self, path: str) -> set[str]:
        """Files (absolute paths, ``path`` itself excluded) whose abstracts may change if ``path`` changes."""
        ap = self.abspath(path)
        g = self._graph()
        if ap not in g:
            g[ap] = self._scan_imports(ap)
        out: set[str] = set()
        # importers, transitively (constants and helpers flow into them)
        stack = [ap]
        while stack:
            cur = stack.pop()
            for f, deps in g.items():
                if cur in deps and f not in out and f != ap:
                    out.add(f)
                    stack.append(f)
        # modules imported by it or by its importers, transitively (their API calls may be decided there)
        stack = [ap, *out]
        seen = set(stack)
        while stack:
            cur = stack.pop()
            for d in g.get(cur, set()):
                if d not in seen:
                    seen.add(d)
                    out.add(d)
                    stack.append(d)
        out.discard(ap)
        return out
