"""What the flow analysis records: branches, analysis units, and helpers over statements.

A ``Branch`` is one arm of an ``if``/``elif``/ternary/dict lookup whose condition depends on an API
output; ``assemble`` turns a call's branches into its decision.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any, Iterable

from .symbols import ClassInfo, ModuleInfo
from .values import Cat, Test, span_tuple

CATLIST = "catlist"      # the value list of `for name, words in CATEGORIES.items()`
CONSTELEM = "constelem"  # an element of a constant label list being iterated
CATKEY = "catkey"
MAP = "map"  # a dict the app fills with outputs: results[path] = labels


@dataclass
class Branch:
    test: Test
    file: str
    key: tuple
    line: int
    outcome: str
    chain: tuple
    pos: int
    else_line: int | None = None
    else_outcome: str | None = None
    after_line: int | None = None
    after_outcome: str | None = None
    exits: bool = False
    continue_only: bool = False
    aux: bool = False
    returns_const: bool = False  # `return True`: a caller may decide on it
    filter_only: bool = False  # the branch only collects outputs for later (a filter, not a decision)
    loop_exits: bool = False
    kind: str = "if"
    loop_after_line: int | None = None  # what runs when the loop over the output finds nothing
    loop_after_outcome: str | None = None
    order: str | None = None  # ordering forced by the loop structure (category dict loops)
    where: str = ""  # the function the branch is in
    defaults: list[tuple[str, Any]] = field(default_factory=list)


@dataclass
class Unit:
    module: ModuleInfo
    func: ast.FunctionDef | ast.AsyncFunctionDef | None
    cls: ClassInfo | None
    qualname: str

    @property
    def key(self) -> tuple:
        return (self.module.file, self.qualname)

    @property
    def body(self) -> list[ast.stmt]:
        if self.func is not None:
            return self.func.body
        tree = self.module.tree
        return [s for s in tree.body if not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]

    def line_range(self) -> tuple[int, int]:
        if self.func is None:
            return (1, 10**9)
        return (self.func.lineno, getattr(self.func, "end_lineno", self.func.lineno) or self.func.lineno)


def site_key(info: ModuleInfo, node: ast.AST) -> tuple:
    return (info.file, node.lineno, node.col_offset)  # type: ignore[attr-defined]


def _stmt_text(info: ModuleInfo, stmt: ast.stmt | None) -> tuple[int | None, str | None]:
    if stmt is None:
        return None, None
    text = info.parsed.line_text(stmt.lineno).strip()
    if len(text) > 80:
        text = text[:77] + "..."
    return stmt.lineno, text


def _first_real(body: list[ast.stmt]) -> ast.stmt | None:
    for s in body:
        if isinstance(s, ast.Pass):
            continue
        if isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant) and isinstance(s.value.value, str):
            continue
        return s
    return body[0] if body else None


def _exits(body: list[ast.stmt], in_loop: bool = True) -> bool:
    """Does this block end the enclosing loop or function early (return, break, raise, exit())?"""
    for s in body:
        if isinstance(s, (ast.Return, ast.Raise)):
            return True
        if isinstance(s, ast.Break) and in_loop:
            return True
        if isinstance(s, ast.Expr) and isinstance(s.value, ast.Call):
            f = s.value.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
            if name in ("exit", "abort", "_exit"):
                return True
        if isinstance(s, ast.If) and (_exits(s.body, in_loop) or _exits(s.orelse, in_loop)):
            return True
        if isinstance(s, (ast.With, ast.AsyncWith)) and _exits(s.body, in_loop):
            return True
        if isinstance(s, ast.Try) and (_exits(s.body, in_loop) or any(_exits(h.body, in_loop) for h in s.handlers)):
            return True
        if isinstance(s, (ast.For, ast.While, ast.AsyncFor)) and _exits(s.body, False):
            return True  # a return inside an inner loop
    return False


def _is_aux(body: list[ast.stmt]) -> bool:
    """Only sets flags / collects matches / returns a constant: the decision may be made later."""
    if not body:
        return False
    for s in body:
        if isinstance(s, (ast.Break, ast.Continue, ast.Pass)):
            continue
        if isinstance(s, ast.Assign) and isinstance(s.value, (ast.Constant, ast.Name, ast.Attribute)):
            if all(isinstance(t, ast.Name) for t in s.targets):
                continue
        if isinstance(s, ast.AugAssign) and isinstance(s.target, ast.Name):
            continue
        if (isinstance(s, ast.Expr) and isinstance(s.value, ast.Call) and isinstance(s.value.func, ast.Attribute)
                and s.value.func.attr in ("append", "add", "extend")):
            continue
        return False
    return True


def _collects_only(body: list[ast.stmt]) -> bool:
    """Only passes values on (``tags.append(label.description)``, ``yield label``, ``best = label``):
    a filter, not a decision (whether the values passed on are outputs is checked by the caller)."""
    seen = False
    for s in body:
        if isinstance(s, (ast.Continue, ast.Pass, ast.Break)):
            continue
        if isinstance(s, ast.Assign) and not isinstance(s.value, ast.Constant) \
                and all(isinstance(t, ast.Name) for t in s.targets):
            seen = True
            continue
        if isinstance(s, ast.Expr) and isinstance(s.value, (ast.Yield, ast.YieldFrom)):
            if s.value.value is None or isinstance(s.value.value, ast.Constant):
                return False
            seen = True
            continue
        if (isinstance(s, ast.Expr) and isinstance(s.value, ast.Call) and isinstance(s.value.func, ast.Attribute)
                and s.value.func.attr in ("append", "add", "extend", "update", "insert") and s.value.args
                and not isinstance(s.value.args[-1], ast.Constant)):
            seen = True
            continue
        return False
    return seen


def _merge_cats(cats: Iterable[Cat]) -> Cat:
    labels: list[str] = []
    names: list[str] = []
    spans: list = []
    reason = None
    at = None
    for c in cats:
        for lab in c.labels:
            if lab not in labels:
                labels.append(lab)
        if c.name and c.name not in names:
            names.append(c.name)
        if c.label_spans:
            spans.extend(c.label_spans)
        reason = reason or c.unresolved
        at = at or c.labels_at
    name = names[0] if len(names) == 1 else None
    return Cat(name=name, labels=tuple(labels), unresolved=None if labels else reason,
               labels_at=at, label_spans=tuple(spans) or None)


def _expr_name(e: ast.expr) -> str:
    if isinstance(e, ast.Name):
        return e.id
    if isinstance(e, ast.Attribute):
        return e.attr
    return "lookup"


def _expr_text(info: ModuleInfo, e: ast.expr) -> str:
    lines = info.parsed.lines
    try:
        if e.lineno == e.end_lineno:
            line = lines[e.lineno - 1]
            b = line.encode("utf-8")
            text = b[e.col_offset:e.end_col_offset].decode("utf-8", "replace")
        else:
            text = lines[e.lineno - 1].strip()
    except Exception:
        text = ""
    return text[:80]


def _match_labels(pat: Any) -> list[str] | None:
    n = type(pat).__name__
    if n == "MatchValue" and isinstance(pat.value, ast.Constant) and isinstance(pat.value.value, str):
        return [pat.value.value]
    if n == "MatchOr":
        out = []
        for p in pat.patterns:
            sub = _match_labels(p)
            if sub is None:
                return None
            out.extend(sub)
        return out
    return None


def _spans_for(spans: list | None, labels: list[str]) -> tuple | None:
    if not spans:
        return None
    out = tuple(tuple(s.items()) for s in spans if s.get("label") in labels)
    return out or None


def _group_cats(labs: Any, groups: list[tuple[str, list[str]]]) -> tuple[Cat, ...]:
    """One category per group of a resolved dict's keys (`{label: outcome}` keys grouped by outcome)."""
    return tuple(Cat(name=g, labels=tuple(ls), labels_at=span_tuple(labs.at), label_spans=_spans_for(labs.spans, ls))
                 for g, ls in groups)


def _cat(labs: Any, name: str | None = None) -> Cat:
    """A category of resolved labels, named after the constant unless `name` is given."""
    return Cat(name=labs.name if name is None else name, labels=tuple(labs.labels), unresolved=labs.unresolved,
               labels_at=span_tuple(labs.at),
               label_spans=tuple(tuple(x.items()) for x in labs.spans) if labs.spans else None)
