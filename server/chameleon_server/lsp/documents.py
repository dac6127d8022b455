"""Open documents and their abstracts: analysis on demand, and last-good abstracts for broken code.

Re-analysis is lazy: an edit only marks the document dirty (the server debounces publishing
diagnostics), and a hover or code-lens request analyses a dirty document first, so requests are
never answered from stale text. While a file does not parse, call sites that the analyzer can no
longer see keep their last good abstract, moved to where their call line went.
"""

from __future__ import annotations

import ast
import copy
import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..abstract import Site

Analyze = Callable[[str, str, Any], list[Site]]


def default_analyzer() -> tuple[Analyze, type]:
    """The analyzer's entry points: analyze(source, path, workspace) and its ``Workspace`` class."""
    from ..analyzer import Workspace, analyze_source

    return (lambda source, path, ws=None: analyze_source(source, path, workspace=ws)), Workspace


@dataclass
class Document:
    uri: str
    path: str
    text: str
    version: int | None = None
    sites: list[Site] = field(default_factory=list)
    analyzed_text: str | None = None  # the text `sites` belong to
    good_sites: list[Site] = field(default_factory=list)  # from the last text that parsed
    good_text: str | None = None

    @property
    def dirty(self) -> bool:
        return self.analyzed_text != self.text


def _parses(source: str) -> bool:
    try:
        ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _line_map(old: str, new: str) -> dict[int, int]:
    """1-based line numbers of unchanged old lines -> their line in the new text."""
    a, b = old.splitlines(), new.splitlines()
    out: dict[int, int] = {}
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, _j2 in sm.get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                out[i1 + k + 1] = j1 + k + 1
    return out


def _shift_site(site: Site, lmap: dict[int, int]) -> Site | None:
    """A copy of ``site`` with its lines moved, or None if its call line no longer exists."""
    if site.line not in lmap:
        return None
    s = copy.deepcopy(site)
    delta = lmap[site.line] - site.line

    def mv(n: int | None) -> int | None:
        if n is None:
            return None
        return lmap.get(n, n + delta)

    s.line = lmap[site.line]
    s.end_line = mv(site.end_line) or s.line
    if s.decision is not None:
        for c in s.decision.categories:
            c.line = mv(c.line)
            at = getattr(c, "labels_at", None)
            if isinstance(at, dict) and at.get("file") in (None, site.file):
                at["line"] = mv(at.get("line"))
                at["end_line"] = mv(at.get("end_line"))
            spans = getattr(c, "label_spans", None)
            if isinstance(spans, list) and (not isinstance(at, dict) or at.get("file") in (None, site.file)):
                for sp in spans:
                    if isinstance(sp, dict):
                        sp["line"] = mv(sp.get("line"))
                        sp["end_line"] = mv(sp.get("end_line"))
        if s.decision.default is not None:
            s.decision.default.line = mv(s.decision.default.line)
        cmp_at = getattr(s.decision, "compare_at", None)
        if isinstance(cmp_at, dict):
            cmp_at["line"] = mv(cmp_at.get("line"))
            cmp_at["end_line"] = mv(cmp_at.get("end_line"))
    return s


def analyze_document(doc: Document, analyze: Analyze, workspace: Any = None) -> list[Site]:
    """Analyse ``doc.text`` now; keep last good abstracts for call sites hidden by a syntax error."""
    text = doc.text
    try:
        sites = list(analyze(text, doc.path, workspace))
    except Exception:  # the analyzer promises never to raise; the editor must survive if it does
        sites = []
    parses = len(sites) >= len(doc.good_sites) or _parses(text)
    if parses:
        doc.good_sites, doc.good_text = sites, text
    elif doc.good_text is not None:
        lmap = _line_map(doc.good_text, text)
        have = {s.line for s in sites}
        for old in doc.good_sites:
            moved = _shift_site(old, lmap)
            if moved is not None and moved.line not in have:
                sites.append(moved)
                have.add(moved.line)
        sites.sort(key=lambda s: (s.line, s.column))
    doc.sites, doc.analyzed_text = sites, text
    return sites


def site_at(sites: list[Site], line: int, character: int | None = None) -> Site | None:
    """The call site whose span covers a 1-based line (and 1-based column if given); innermost wins."""
    best: Site | None = None
    for s in sites:
        end_line = s.end_line or s.line
        if not (s.line <= line <= end_line):
            continue
        if character is not None:
            if line == s.line and character < s.column:
                continue
            if line == end_line and s.end_column and character > s.end_column:
                continue
        if best is None or (s.line, s.column) > (best.line, best.column):
            best = s
    return best


def site_on_line(sites: list[Site], line: int, api: str | None = None) -> Site | None:
    """The site a command argument names: by call line (1-based) and, when given, api."""
    cands = [s for s in sites if s.line <= line <= (s.end_line or s.line)]
    if api:
        cands = [s for s in cands if s.api == api] or cands
    return cands[0] if cands else None


def uri_to_path(uri: str) -> str:
    from pygls.uris import to_fs_path

    return to_fs_path(uri) or uri


def relative_file(path: str, root: str | None) -> str:
    if root:
        try:
            return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
        except ValueError:
            pass
    return Path(path).as_posix()
