"""Text rendering of an abstract for a person reading a terminal."""

from __future__ import annotations

from ..abstract import Abstract, Decision, Site


def _fmt_range(r: tuple) -> str:
    lo, hi = r
    if lo is None:
        return f"score <= {hi:g}"
    if hi is None:
        return f"score >= {lo:g}"
    return f"{lo:g} .. {hi:g}"


def render_decision(d: Decision) -> list[str]:
    head = d.type
    if d.ordering:
        head += f" ({d.ordering.replace('_', ' ')})"
    out = [f"  decision: {head}"]
    if d.type != "score_range":
        cmp = d.match.replace("_", " ") + (", case-insensitive" if d.case_insensitive else ", case-sensitive")
        out.append(f"  match: {cmp}")
    th = []
    if d.min_score is not None:
        th.append(f"min_score {d.min_score:g}")
    if d.top_k is not None:
        th.append(f"top_k {d.top_k}")
    if th:
        out.append("  thresholds: " + ", ".join(th))
    for c in d.categories:
        where = f"line {c.line}" if c.line else "?"
        if c.range is not None:
            what = _fmt_range(c.range)
            if c.labels:
                what += " with labels " + ", ".join(c.labels)
        elif c.unresolved:
            what = f"[unresolved: {c.unresolved}]"
        else:
            what = ", ".join(repr(x) for x in c.labels)
        out.append(f"  - {c.name}: {what} -> {c.outcome or '?'} ({where})")
    if d.default is not None:
        out.append(f"  - default -> {d.default.outcome or '?'} (line {d.default.line})")
    return out


def render_site(s: Site) -> list[str]:
    out = [f"{s.file}:{s.line}:{s.column}: {s.api} ({s.task})"]
    if s.decision is None:
        out.append("  decision: none (the output is only shown, stored or passed on)")
    else:
        out.extend(render_decision(s.decision))
    for n in s.notes:
        out.append(f"  note: {n}")
    return out


def render(abstract: Abstract) -> str:
    lines: list[str] = []
    for s in abstract.sites:
        lines.extend(render_site(s))
        lines.append("")
    n = len(abstract.sites)
    nd = len(abstract.with_decisions())
    lines.append(f"{n} call site(s), {nd} with a decision.")
    for e in abstract.errors:
        lines.append(f"error: {e.get('file')}: {e.get('error')}")
    return "\n".join(lines)
