"""What the developer reads: hover Markdown and code-lens titles, from a Site.

Pure functions of (site, vocabulary, customization state) so they can be tested without a client
and reused by any front end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..abstract import Category, Decision, Site
from ..decision import resolve

MAX_MATCHED_SHOWN = 8


@dataclass(frozen=True)
class Customization:
    """The `.chameleon/` state of one call site, as the editor shows it."""

    model_id: str
    stale: bool
    metrics: dict[str, Any] | None = None


def _words(s: str | None) -> str:
    return (s or "").replace("_", "-")


def summary(decision: Decision) -> str:
    """One line: "multi-choice · 3 categories · output-rank" (plus thresholds when the app sets them)."""
    n = len(decision.categories)
    if decision.type == "score_range":
        parts = [_words(decision.type), f"{n} range{'s' if n != 1 else ''}"]
    else:
        parts = [_words(decision.type), f"{n} categor{'ies' if n != 1 else 'y'}"]
    if decision.ordering:
        parts.append(_words(decision.ordering))
    if decision.top_k is not None:
        parts.append(f"top {decision.top_k}")
    if decision.min_score is not None:
        parts.append(f"score ≥ {decision.min_score:g}")
    return " · ".join(parts)


def _pct(x: Any) -> str | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    if v > 1.0:  # already a percentage
        v /= 100.0
    return f"{round(v * 100):d}%"


def metrics_phrase(metrics: dict[str, Any] | None) -> str | None:
    """ "incorrect decisions 29% → 13%" from the trainer's metrics (generic vs customized error)."""
    if not metrics:
        return None
    before = _pct(metrics.get("generic_error"))
    after = _pct(metrics.get("customized_error"))
    if before and after:
        return f"incorrect decisions {before} → {after}"
    if after:
        return f"incorrect decisions {after}"
    return None


def customization_title(c: Customization) -> str:
    if c.stale:
        return "stale: the decision logic changed"
    phrase = metrics_phrase(c.metrics)
    return f"customized · {phrase}" if phrase else "customized"


def _range_text(rng: tuple[float | None, float | None] | None) -> str:
    if rng is None:
        return ""
    lo, hi = rng
    if lo is None and hi is None:
        return "any score"
    if lo is None:
        return f"score ≤ {hi:g}"
    if hi is None:
        return f"score ≥ {lo:g}"
    return f"{lo:g} ≤ score ≤ {hi:g}"


def _code(s: str) -> str:
    s = s.replace("`", "'")
    return f"`{s}`"


def _category_lines(i: int, c: Category, decision: Decision, matched: list[str] | None) -> list[str]:
    head = f"{i + 1}. **{c.name}**"
    if c.range is not None:
        head += f" — {_range_text(c.range)}"
    if c.labels:
        head += " — " + ", ".join(_code(x) for x in c.labels)
    if c.unresolved:
        head += f" — *labels not resolved: {c.unresolved}*"
    if c.outcome:
        head += f" → {_code(c.outcome)}"
    if c.line:
        head += f" (line {c.line})"
    out = [head]
    if matched is not None and c.labels:
        if matched:
            shown = ", ".join(matched[:MAX_MATCHED_SHOWN])
            more = len(matched) - MAX_MATCHED_SHOWN
            out.append(f"   - model labels: {shown}" + (f" (+{more} more)" if more > 0 else ""))
        else:
            out.append("   - model labels: **none** (the model can never trigger this category)")
    return out


def hover_markdown(
    site: Site,
    vocabulary: tuple[str, list[str]] | None = None,
    customization: Customization | None = None,
) -> str:
    """The decision abstract of one call site, as Markdown."""
    lines = [f"**{site.api}** · {site.task.replace('_', ' ')}", ""]
    d = site.decision
    if d is None:
        lines.append("The output is not used in a decision (only shown, stored or passed on): nothing to customize.")
        for note in site.notes:
            lines.append(f"- {note}")
        return "\n".join(lines)
    kind = _words(d.type)
    if d.type == "multi_choice":
        order = {
            "output_rank": "the first output label (in the API's ranked order) that matches a category decides",
            "category_priority": "categories are tested in code order; the first with a matching label wins",
        }.get(d.ordering or "", "")
        lines.append(f"Decision: **{kind}**" + (f", {_words(d.ordering)}: {order}" if order else ""))
    else:
        lines.append(f"Decision: **{kind}**")
    how = []
    if d.type != "score_range":
        how.append(f"match {_words(d.match)}")
        how.append("case-insensitive" if d.case_insensitive else "case-sensitive")
    if d.min_score is not None:
        how.append(f"min score {d.min_score:g}")
    if d.top_k is not None:
        how.append(f"top {d.top_k}")
    if how:
        lines.append("")
        lines.append(" · ".join(how))
    matched: list[list[str]] | None = None
    disjoint = False
    if vocabulary is not None and d.type != "score_range":
        matched = resolve(d, vocabulary[1])
        disjoint = not any(matched) and any(c.labels for c in d.categories)
        if disjoint:  # one remark below instead of "none" under every category
            matched = None
    lines.append("")
    for i, c in enumerate(d.categories):
        lines.extend(_category_lines(i, c, d, matched[i] if matched is not None else None))
    if d.default is not None:
        dl = "Default"
        if d.default.outcome:
            dl += f" → {_code(d.default.outcome)}"
        if d.default.line:
            dl += f" (line {d.default.line})"
        lines.extend(["", dl])
    if vocabulary is not None and d.type != "score_range":
        lines.extend(["", f"Vocabulary: {vocabulary[0]} ({len(vocabulary[1])} labels)"])
        if disjoint:
            lines[-1] += " — none of these labels is in it; set `chameleon.dataset` to a dataset that covers this app"
    if customization is not None:
        lines.extend(["", f"Model `{customization.model_id}`: {customization_title(customization)}"])
    for note in site.notes:
        lines.append(f"- *{note}*")
    return "\n".join(lines)
