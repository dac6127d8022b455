"""From the branches recorded for one API call site to its decision abstract.

The rules (``shared/spec/decision-abstract.md``):
- one category of labels -> ``true_false``;
- several, mutually exclusive (one if/elif chain, or every branch returns/breaks) ->
  ``multi_choice``; ``output_rank`` when the test is on each label inside a loop over the output
  that stops at the first match, else ``category_priority`` (categories tested in code order);
- several that all fire (independent ifs, a loop that does not stop) -> ``multi_select``;
- only numeric tests (sentiment score, a confidence outside a label loop) -> ``score_range``.
A confidence test inside a label loop is a threshold (``min_score``), not a decision of its own.
"""

from __future__ import annotations

import re
from typing import Any

from ..abstract import Category, Decision, Default
from .records import Branch
from .values import Cat

_STOP = {"this", "is", "the", "a", "an", "it", "put", "in", "into", "to", "goes", "your", "please", "item",
         "that", "looks", "like", "of", "be", "should", "you", "can", "i", "f", "return", "print", "with",
         "self", "and", "or", "not", "for", "as", "s", "detected", "found", "image", "photo", "picture"}


def name_from_outcome(outcome: str | None, fallback: str) -> str:
    if outcome:
        m = re.match(r"\s*([A-Za-z_]\w*)\s*=\s*True\b", outcome)  # a flag: found_food = True
        if m:
            return m.group(1)
        m = re.search(r"""['"][^'"]+['"]\s*:\s*['"]([^'"]+)['"]""", outcome)  # {"verdict": "hotdog"}
        m = m or re.search(r"""['"]([^'"]+)['"]""", outcome)
        if m:
            for w in re.findall(r"[A-Za-z][A-Za-z0-9_]*", m.group(1)):
                if w.lower() not in _STOP and len(w) > 1:
                    return w.lower()
        m = re.search(r"\(\s*([A-Z][A-Z0-9_]{2,})\b", outcome)  # GPIO.output(RECYCLE_PIN, True)
        if m:
            return m.group(1).lower()
        m = re.match(r"\s*(?:return\s+|await\s+|[\w.]+\s*=\s*)*([A-Za-z_][\w.]*)\s*\(", outcome)
        if m:
            name = m.group(1).split(".")[-1]
            if name.lower() not in _STOP:
                return name
        m = re.match(r"\s*(?:return\s+)?([A-Za-z_]\w*)\s*$", outcome)
        if m and m.group(1) not in ("True", "False", "None", "break", "continue", "pass"):
            return m.group(1)
    return fallback


def _dict(t: Any) -> dict[str, Any] | None:
    return None if t is None else dict(t)


def _category(c: Cat, line: int | None, outcome: str | None, idx: int) -> Category:
    fallback = c.labels[0] if len(c.labels) == 1 else f"category_{idx + 1}"
    name = c.name or name_from_outcome(outcome, fallback)
    return Category(
        name=name, labels=list(c.labels), line=line, outcome=outcome, unresolved=c.unresolved,
        labels_at=_dict(c.labels_at),
        label_spans=[dict(s) for s in c.label_spans] if c.label_spans else None,
    )


def _sort_key(b: Branch) -> tuple:
    return (b.file, b.chain[1], b.chain[2], b.pos)


def build_decision(branches: list[Branch], notes: list[str]) -> Decision | None:
    if any(b.filter_only for b in branches):
        notes.append("a branch only passes labels on (a filter); only branches on what it passed on decide")
        branches = [b for b in branches if not b.filter_only]
    label = [b for b in branches if b.test.cats]
    score = [b for b in branches if not b.test.cats and b.test.rng is not None]
    d = None
    for b in branches:
        if b.test.approx and b.test.approx not in notes:
            notes.append(b.test.approx)
    if label:
        d = _label_decision(label, score, notes)
    elif score:
        d = _score_decision(score, notes)
    if d is not None:
        _unique_names(d)
    return d


def _slug(text: str | None) -> str | None:
    if not text:
        return None
    m = re.search(r"""['"]([^'"]+)['"]""", text)
    if not m:
        return None
    words = [w.lower() for w in re.findall(r"[A-Za-z0-9]+", m.group(1))]
    return "_".join(words[:4]) or None


def _unique_names(d: Decision) -> None:
    """Two categories never share a name: fall back to the outcome's whole text, then a number."""
    seen: dict[str, int] = {}
    for c in d.categories:
        seen[c.name] = seen.get(c.name, 0) + 1
    dup = {n for n, k in seen.items() if k > 1}
    if not dup:
        return
    used: set[str] = set()
    for i, c in enumerate(d.categories):
        if c.name in dup:
            alt = _slug(c.outcome)
            c.name = alt if alt and alt not in used and alt not in seen else f"{c.name}_{i + 1}"
        used.add(c.name)


def _label_decision(label: list[Branch], score: list[Branch], notes: list[str]) -> Decision | None:
    if any(b.test.derived and not b.aux for b in label):
        # the app decides later on a flag / collection / returned constant: the branches that set it are plumbing
        kept = [b for b in label if b.test.derived or (not b.aux and not b.returns_const)]
        label = kept or label
    # otherwise flags and collected constants that nothing tests later are the decision's outcomes
    # Tests and lookups over the same dict are one decision: keep the richest.
    by_dict: dict[str, list[Branch]] = {}
    for b in label:
        if b.test.dict_key:
            by_dict.setdefault(b.test.dict_key, []).append(b)
    for key, group in by_dict.items():
        best = max(group, key=lambda b: (len(b.test.cats), b.kind == "if"))
        label = [b for b in label if b.test.dict_key != key or b is best]
    label.sort(key=_sort_key)
    tiers = _confidence_tiers(label)
    if tiers is not None:
        return tiers
    first = label[0].test
    min_score = next((b.test.min_score for b in label if b.test.min_score is not None), None)
    thresholds = sorted({b.test.min_score for b in label if b.test.min_score is not None})
    if len(thresholds) > 1:
        notes.append("categories use different score thresholds " + ", ".join(f"{t:g}" for t in thresholds)
                     + f"; min_score is the first branch's ({min_score:g})")
    if min_score is None:
        for s in score:  # `if label.score < 0.7: continue` in the same loop
            if s.test.loop is not None and s.continue_only and s.test.rng and s.test.rng[1] is not None \
                    and s.test.rng[0] is None and not s.test.negated:
                min_score = s.test.rng[1]
    top_k = next((b.test.top_k for b in label if b.test.top_k is not None), None)

    cats: list[Category] = []
    seen: set[tuple[str, ...]] = set()
    default: Default | None = None
    for b in label:
        for c in b.test.cats:
            key = c.labels or (c.name or "",)
            if key in seen and c.labels:
                continue
            seen.add(key)
            if b.test.negated and len(b.test.cats) == 1:
                if b.else_line is not None:
                    line, outcome = b.else_line, b.else_outcome
                elif (b.exits or b.continue_only) and b.after_line is not None:
                    line, outcome = b.after_line, b.after_outcome  # `if x not in L: continue` then act
                else:
                    line, outcome = None, "(no action)"
                cats.append(_category(c, line, outcome, len(cats)))
                if default is None:
                    if b.continue_only:  # skipped labels: with none left, what follows the loop runs
                        default = Default(b.loop_after_line, b.loop_after_outcome) if b.loop_after_line else None
                    else:
                        default = Default(b.line, b.outcome)
            else:
                line, outcome = b.line, b.outcome
                if (b.kind == "lookup" or len(b.test.cats) > 1) and c.name:
                    outcome = f"{b.outcome} -> {c.name!r}"  # one branch, one outcome per dict entry
                cats.append(_category(c, line, outcome, len(cats)))
    if not cats:
        return None

    if default is None:
        default = _default_of(label)

    in_loop = any(b.test.loop is not None for b in label)
    multi_cat = any(len(b.test.cats) > 1 for b in label)
    order_hint = next((b.order for b in label if b.order), None)
    ranked = any(b.test.ranked for b in label)
    # every branch ends the loop (a lookup counts when its loop stops once something was found)
    exits_all = all(b.loop_exits if b.kind == "lookup" else b.exits for b in label)
    places = sorted({b.where for b in label if b.where})
    if len(places) > 1 and not any(b.test.derived for b in label):
        notes.append("the output is decided on in several places (" + ", ".join(places) + "); their categories are combined")
    modes = {(b.test.match, b.test.ci) for b in label}
    if len(modes) > 1:
        notes.append("branches compare labels differently ("
                     + ", ".join(f"{m}{' case-insensitive' if ci else ''}" for m, ci in sorted(modes))
                     + "); match and case follow the first branch")
    if any(b.test.negated and len(b.test.cats) > 1 for b in label):
        notes.append("the branch runs when the listed labels are absent")
    if len(cats) == 1:
        typ, ordering = "true_false", None
    elif in_loop:
        lookups = [b for b in label if b.kind == "lookup"]
        if exits_all or (multi_cat and lookups and all(b.loop_exits for b in lookups)):
            typ, ordering = "multi_choice", order_hint or "output_rank"
        else:
            typ, ordering = "multi_select", None
    else:
        chains = {b.chain for b in label}
        if len(chains) == 1 or all(b.exits for b in label) or multi_cat or ranked:
            typ = "multi_choice"
            ordering = order_hint or ("output_rank" if ranked else "category_priority")
        else:
            typ, ordering = "multi_select", None
    if typ == "multi_select":
        default = None if not any(b.else_line for b in label) else default
    compare = _dict(first.compare_at)
    return Decision(type=typ, categories=cats, ordering=ordering, match=first.match, case_insensitive=first.ci,
                    min_score=min_score, top_k=top_k, default=default, compare_at=compare)


def _default_of(label: list[Branch]) -> Default | None:
    """What runs when no category matches: the else branch, or what follows branches that all leave."""
    last = label[-1]
    if last.else_line is not None:
        return Default(last.else_line, last.else_outcome)
    if all(b.exits for b in label) and last.after_line is not None and last.test.loop is None:
        return Default(last.after_line, last.after_outcome)
    if all(b.exits or b.loop_exits for b in label) and last.loop_after_line is not None:
        return Default(last.loop_after_line, last.loop_after_outcome)
    return None


def _confidence_tiers(label: list[Branch]) -> Decision | None:
    """The same labels tested with different thresholds (`== 'food' and score > 0.9` / `> 0.6`): the
    decision is the range the label's score falls in, and each range carries the labels (spec: score_range)."""
    if len(label) < 2 or any(b.test.min_score is None or len(b.test.cats) != 1 for b in label):
        return None
    if len({b.test.cats[0].labels for b in label}) != 1 or len({b.test.min_score for b in label}) < 2:
        return None
    cats = []
    for i, b in enumerate(label):
        c = _category(b.test.cats[0], b.line, b.outcome, i)
        c.range = (b.test.min_score, None)
        c.name = name_from_outcome(b.outcome, f"tier_{i + 1}")
        cats.append(c)
    default = _default_of(label)
    first = label[0].test
    return Decision(type="score_range", categories=cats, match=first.match, case_insensitive=first.ci,
                    top_k=first.top_k, default=default, compare_at=_dict(first.compare_at))


def _score_decision(score: list[Branch], notes: list[str]) -> Decision | None:
    usable = [b for b in score if not (b.test.loop is not None and b.test.score_kind == "confidence")]
    if not usable:
        notes.append("the output is only filtered by confidence; no branch depends on its labels")
        return None
    usable.sort(key=_sort_key)
    cats: list[Category] = []
    for b in usable:
        lo, hi = b.test.rng  # type: ignore[misc]
        line, outcome = b.line, b.outcome
        if b.test.negated:
            if lo is not None and hi is None:
                lo, hi = None, lo
            elif hi is not None and lo is None:
                lo, hi = hi, None
            else:
                continue
        kind = b.test.score_kind or "score"
        fallback = f"{kind}_{len(cats) + 1}"
        cats.append(Category(name=name_from_outcome(outcome, fallback), line=line, outcome=outcome, range=(lo, hi)))
    if not cats:
        return None
    last = usable[-1]
    default = None
    if last.else_line is not None:
        default = Default(last.else_line, last.else_outcome)
    elif all(b.exits for b in usable) and last.after_line is not None:
        default = Default(last.after_line, last.after_outcome)
    return Decision(type="score_range", categories=cats, default=default, compare_at=_dict(usable[0].test.compare_at))
