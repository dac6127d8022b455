"""One file's sites: parse, find candidate lines, run the flow analysis, assemble decisions."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..abstract import API_TASKS, Site
from . import apis
from .assemble import build_decision
from .flow import Analysis
from .source import parse
from .symbols import build_module

if TYPE_CHECKING:  # pragma: no cover
    from .workspace import Workspace


def analyze_module_source(source: str, path: str, workspace: "Workspace | None" = None) -> tuple[list[Site], list[str]]:
    """Sites of one file and analyzer notes. Never raises."""
    try:
        return _analyze(source, path, workspace)
    except (RecursionError, MemoryError):
        return [], [f"{path}: code too deeply nested to analyse"]
    except Exception as e:  # the analyzer must never take the editor down
        return [], [f"{path}: internal analyzer error ({type(e).__name__}: {e})"]


_HTTP_CALL_RE = re.compile(r"\b(?:post|request)\s*\(")


def _candidate_lines(lines: list[str], source: str) -> list[int]:
    rest = any(m in source for m in apis.REST_MARKERS)
    return [i + 1 for i, ln in enumerate(lines)
            if apis.CANDIDATE_RE.search(ln) or (rest and _HTTP_CALL_RE.search(ln))]


def _analyze(source: str, path: str, workspace: "Workspace | None") -> tuple[list[Site], list[str]]:
    if not isinstance(source, str):
        return [], [f"{path}: not text"]
    if not apis.CANDIDATE_RE.search(source):
        return [], []
    if workspace is not None:
        info = workspace.module_info_for_source(path, source)
        parsed = info.parsed
    else:
        parsed = parse(source)
        info = build_module(parsed, path)
    notes = list(parsed.notes)
    if parsed.tree is None:
        return [], notes + [f"cannot analyse: {parsed.error or 'no statement parses'}"]
    cand = _candidate_lines(parsed.lines, source)
    an = Analysis(info)
    an.run(cand)
    notes.extend(an.notes)
    sites: list[Site] = []
    own = [(k, sc) for k, sc in an.sites.items() if k[0] == info.file]
    own.sort(key=lambda x: (x[0][1], x[0][2]))
    by_site: dict[tuple, list] = {}
    for b in an.branches.values():
        by_site.setdefault(b.test.site, []).append(b)
    for key, sc in own:
        branches = by_site.get(key, [])
        site_notes: list[str] = []
        decision = build_decision(branches, site_notes)
        elsewhere = sorted({b.file for b in branches if b.file != info.file})
        if decision is not None and elsewhere:
            site_notes.append("decided in " + ", ".join(elsewhere) + " (category lines refer to that file)")
        if decision is not None:
            if decision.min_score is None and sc.min_score is not None and decision.type != "score_range":
                decision.min_score = sc.min_score
            if decision.top_k is None and sc.top_k is not None and decision.type != "score_range":
                decision.top_k = sc.top_k
        if parsed.notes:  # the file does not parse as a whole: say what was skipped
            site_notes.extend(parsed.notes)
        span = parsed.span(sc.node)
        sites.append(Site(file=info.file, api=sc.api, task=API_TASKS.get(sc.api, ""), line=span["line"],
                          column=span["column"], end_line=span["end_line"], end_column=span["end_column"],
                          decision=decision, notes=site_notes))
    return sites, notes
