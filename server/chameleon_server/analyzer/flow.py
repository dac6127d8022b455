"""Flow analysis: from an API call's result to the branches that depend on it.

An abstract interpreter over a function's statements, in order, with an environment that maps
names to ``Val`` (what part of the API output a name holds). Conditions over such values become
``Test``s; every ``if``/``elif``/ternary/dict lookup that depends on one is recorded as a
``Branch``. Helpers are followed: a function called with an output-derived argument is
interpreted with that argument bound (depth-limited), and a function that returns an
output-derived value gets a summary that its callers (in this module or, through the
workspace, in others) pick up.
"""

from __future__ import annotations

import ast
import bisect
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from . import apis
from .sites import SiteCall, classify_call
from .symbols import NOT_CONST, ClassInfo, ModuleInfo, Scope, const_value, deref_dict, resolve_number, resolve_strings
from .values import (BOOL, CHOICE, fast_replace, ITEM, LIST, RESP, RESPS, SCORE, SENT, STR, STRS, Cat, Test, Val, span_tuple)

CATLIST = "catlist"      # the value list of `for name, words in CATEGORIES.items()`
CONSTELEM = "constelem"  # an element of a constant label list being iterated
CATKEY = "catkey"
MAP = "map"  # a dict the app fills with outputs: results[path] = labels

MAX_INLINE_DEPTH = 4
MAX_EVAL_DEPTH = 60
MAX_UNIT_RUNS = 400
MAX_INLINES = 1500
_WORD_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


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


class Analysis:
    """One analysis run: sites, branches, function summaries, across the modules it touches."""

    def __init__(self, module: ModuleInfo):
        self.module = module
        self.sites: dict[tuple, SiteCall] = {}
        self.branches: dict[tuple, Branch] = {}
        self.summaries: dict[tuple, Val] = {}
        self.class_taint: dict[tuple, Val] = {}
        self.module_taint: dict[tuple, Val] = {}  # (file, name) -> Val
        self.runs = 0
        self.pending_lookups: dict[tuple, Branch] = {}  # dict lookups not (yet) used for anything
        self.branch_of_test: dict[int, tuple] = {}  # id(Test) -> key of the branch it guards
        self.inlines = 0  # helper interpretations so far (bounded: helpers calling helpers multiply)
        self.notes: list[str] = []
        self._units_by_module: dict[str, list[Unit]] = {}
        self._text_cache: dict[tuple, str] = {}
        self._indexes: dict[str, tuple[list[int], list[Unit], dict[str, list[int]]]] = {}
        self._texts: dict[str, tuple[str, list[int]]] = {}
        self._importers: dict[str, list[ModuleInfo]] = {}

    # -- units -------------------------------------------------------------------------------
    def units(self, info: ModuleInfo) -> list[Unit]:
        if info.file in self._units_by_module:
            return self._units_by_module[info.file]
        out = [Unit(info, None, None, "<module>")]
        if info.parsed.tree is not None:
            for name, fn in info.functions.items():
                out.append(Unit(info, fn, None, name))
            for cname, ci in info.classes.items():
                for mname, fn in ci.methods.items():
                    out.append(Unit(info, fn, ci, f"{cname}.{mname}"))
        self._units_by_module[info.file] = out
        return out

    def unit_text(self, unit: Unit) -> str:
        k = unit.key
        if k not in self._text_cache:
            lo, hi = unit.line_range()
            lines = unit.module.parsed.lines
            if unit.func is None:
                self._text_cache[k] = "\n".join(lines)
            else:
                self._text_cache[k] = "\n".join(lines[lo - 1: hi])
        return self._text_cache[k]

    def _index(self, info: ModuleInfo) -> tuple[list[int], list[Unit], dict[str, list[int]]]:
        """Function units sorted by first line, and word -> lines where it occurs (built once)."""
        idx = self._indexes.get(info.file)
        if idx is None:
            funcs = sorted((u for u in self.units(info) if u.func is not None), key=lambda u: u.line_range()[0])
            idx = ([u.line_range()[0] for u in funcs], funcs, {})
            self._indexes[info.file] = idx
        return idx

    def _text(self, info: ModuleInfo) -> tuple[str, list[int]]:
        """The module's text and the offset where each line starts (built once)."""
        t = self._texts.get(info.file)
        if t is None:
            offs = [0]
            for ln in info.parsed.lines:
                offs.append(offs[-1] + len(ln) + 1)
            t = ("\n".join(info.parsed.lines), offs)
            self._texts[info.file] = t
        return t

    def unit_at(self, info: ModuleInfo, line: int) -> Unit:
        starts, funcs, _ = self._index(info)
        i = bisect.bisect_right(starts, line) - 1
        if i >= 0:
            lo, hi = funcs[i].line_range()
            if lo <= line <= hi:
                return funcs[i]
        return self.units(info)[0]

    def units_at_lines(self, info: ModuleInfo, lines: Iterable[int]) -> list[Unit]:
        out: list[Unit] = []
        for ln in lines:
            u = self.unit_at(info, ln)
            if u not in out:
                out.append(u)
        return out

    def units_mentioning(self, info: ModuleInfo, word: str, pattern: re.Pattern[str] | None = None) -> list[Unit]:
        text, offs = self._text(info)
        lines = []
        i = text.find(word)
        n = len(word)
        while i >= 0:
            before = text[i - 1] if i else " "
            after = text[i + n] if i + n < len(text) else " "
            if not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_"):
                ln = bisect.bisect_right(offs, i)
                if pattern is None or pattern.search(info.parsed.lines[ln - 1]):
                    lines.append(ln)
            i = text.find(word, i + n)
        return self.units_at_lines(info, lines)

    # -- driver ------------------------------------------------------------------------------
    def run(self, candidate_lines: list[int]) -> None:
        units = self.units_at_lines(self.module, candidate_lines)
        units.sort(key=lambda u: u.func is not None)  # module-level code first: it sets globals
        self._drain(units)

    def _drain(self, pending: list[Unit]) -> None:
        seen_runs: dict[tuple, int] = {}
        while pending and self.runs < MAX_UNIT_RUNS:
            u = pending.pop(0)
            if seen_runs.get(u.key, 0) >= 3:
                continue
            seen_runs[u.key] = seen_runs.get(u.key, 0) + 1
            self.runs += 1
            interp = Interp(self, u, {}, 0)
            ret = interp.run_unit()
            for new in interp.new_units:
                if new not in pending:
                    pending.append(new)
            if u.func is not None and ret is not None and self.summaries.get(u.key) != ret:
                self.summaries[u.key] = ret
                pending.extend(x for x in self._callers(u) if x not in pending)

    def _callers(self, unit: Unit) -> list[Unit]:
        name = unit.qualname.split(".")[-1]
        pat = re.compile(r"\b" + re.escape(name) + r"\s*\(")
        out = [u for u in self.units_mentioning(unit.module, name, pat) if u.key != unit.key]
        ws = unit.module.workspace
        if ws is not None:  # functions imported elsewhere, methods called on subclasses elsewhere
            if unit.module.file not in self._importers:
                self._importers[unit.module.file] = ws.importers_of(unit.module.file)
            for other in self._importers[unit.module.file]:
                if other.file == unit.module.file:
                    continue
                out.extend(self.units_mentioning(other, name, pat))
        return out

    # -- sites ---------------------------------------------------------------------------------
    def site_for(self, call: ast.Call, scope: Scope, unit: Unit) -> SiteCall | None:
        key = site_key(scope.module, call)
        if key in self.sites:
            return self.sites[key]
        f = call.func
        name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
        if name not in apis.METHODS and name not in apis.HTTP_FUNCS and name not in ("execute", "detect_text"):
            return None
        local_fns = set(scope.module.functions)
        try:
            sc = classify_call(call, scope, self.unit_text(unit), "\n".join(scope.module.parsed.lines)
                               if name not in apis.METHODS or name in ("annotate_image", "batch_annotate_images") else "",
                               local_fns)
        except RecursionError:
            sc = None
        if sc is not None:
            self.sites[key] = sc
        return sc

    def record(self, b: Branch) -> None:
        self.branches[b.key] = b


class Interp:
    """Interprets one function body (or the module's top-level code) abstractly."""

    def __init__(self, analysis: Analysis, unit: Unit, env: dict[str, Val], depth: int,
                 active: tuple = ()):
        self.a = analysis
        self.unit = unit
        self.mod = unit.module
        self.scope = Scope(unit.module, unit.func, unit.cls)
        self.env: dict[str, Val] = env
        self.depth = depth
        self.active = active + (unit.key,)
        self.tests: list[Test] = []  # enclosing branch tests
        self.loops: list[tuple[int, Val | None, bool]] = []  # (loop id, iterated value, loop body exits)
        self.loop_after: dict[int, ast.stmt | None] = {}  # loop id -> else-clause or next statement
        # loops of the callers this helper was inlined from: id -> (body exits, after line, after text)
        self.outer: dict[int, tuple[bool, int | None, str | None]] = {}
        self.ret: Val | None = None
        self.new_units: list[Unit] = []
        self._eval_depth = 0

    # -- entry -----------------------------------------------------------------------------------
    def run_unit(self) -> Val | None:
        try:
            self.block(self.unit.body)
        except RecursionError:
            self.a.notes.append(f"{self.unit.qualname}: code nested too deeply, analysis stopped there")
        return self.ret

    # -- statements ------------------------------------------------------------------------------
    def block(self, body: list[ast.stmt]) -> None:
        for i, stmt in enumerate(body):
            nxt = body[i + 1] if i + 1 < len(body) else None
            try:
                self.stmt(stmt, nxt)
            except RecursionError:
                raise
            except Exception as e:  # a construct we do not model must never stop the analysis
                self.a.notes.append(f"line {getattr(stmt, 'lineno', '?')}: skipped ({type(e).__name__})")

    def stmt(self, s: ast.stmt, nxt: ast.stmt | None) -> None:
        if isinstance(s, ast.Assign):
            v = self.eval(s.value)
            for t in s.targets:
                self.bind(t, v, s.value)
        elif isinstance(s, ast.AnnAssign):
            if s.value is not None:
                self.bind(s.target, self.eval(s.value), s.value)
        elif isinstance(s, ast.AugAssign):
            v = self.eval(s.value)
            if isinstance(s.target, ast.Name):
                if v is not None and v.kind in (SCORE, BOOL, CHOICE):
                    self.env.pop(s.target.id, None)  # a sum of scores is no output value of its own
                elif v is not None:
                    old = self.env.get(s.target.id)
                    self.env[s.target.id] = (v.but(match="substring") if v.kind == STR else v) if old is None else old
                elif self.tests:
                    self._choice(s.target.id, ("+=",))
        elif isinstance(s, ast.Expr):
            self.eval(s.value)
        elif isinstance(s, ast.If):
            self.if_chain(s, nxt)
        elif isinstance(s, (ast.For, ast.AsyncFor)):
            self.for_loop(s, nxt)
        elif isinstance(s, ast.While):
            t = self.test(s.test)
            if t is not None:
                self._record_arms(s, [(t, s.body)], s.orelse, nxt)
            self.loops.append((id(s), None, _exits(s.body)))
            self.block(s.body)
            self.loops.pop()
            self.block(s.orelse)
        elif isinstance(s, ast.Return):
            if s.value is not None:
                v = self.eval(s.value)
                if v is None and self.tests:
                    c = const_value(s.value)
                    if c is not NOT_CONST:
                        t = self.tests[-1]
                        if t.loop is not None and any(lid == t.loop for lid, _, _ in self.loops):
                            t = fast_replace(t, ranked=True)
                        v = Val(CHOICE, t.site, choice=((c, t),))
                if v is not None:
                    self._use(v)
                    self.ret = self._join(self.ret, v)
        elif isinstance(s, (ast.With, ast.AsyncWith)):
            for item in s.items:
                v = self.eval(item.context_expr)
                if item.optional_vars is not None:
                    self.bind(item.optional_vars, v, item.context_expr)
            self.block(s.body)
        elif isinstance(s, ast.Try) or type(s).__name__ == "TryStar":
            self.block(s.body)  # type: ignore[attr-defined]
            for h in s.handlers:  # type: ignore[attr-defined]
                self.block(h.body)
            self.block(s.orelse)  # type: ignore[attr-defined]
            self.block(s.finalbody)  # type: ignore[attr-defined]
        elif isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self._nested_def(s)
        elif isinstance(s, ast.ClassDef):
            pass
        elif type(s).__name__ == "Match":
            self.match_stmt(s, nxt)

    def _nested_def(self, fn: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        lo, hi = fn.lineno, fn.end_lineno or fn.lineno
        text = "\n".join(self.mod.parsed.lines[lo - 1: hi])
        if apis.CANDIDATE_RE.search(text) or any(
                re.search(r"\b" + re.escape(n) + r"\b", text) for n in self.env if self.env.get(n) is not None):
            unit = Unit(self.mod, fn, self.unit.cls, f"{self.unit.qualname}.<locals>.{fn.name}")
            sub = Interp(self.a, unit, dict(self.env), self.depth + 1, self.active)
            for p in self._params(fn):
                sub.env.pop(p, None)
            sub.run_unit()

    @staticmethod
    def _params(fn: ast.AST) -> list[str]:
        a = fn.args  # type: ignore[attr-defined]
        names = [p.arg for p in a.posonlyargs + a.args + a.kwonlyargs]
        if a.vararg:
            names.append(a.vararg.arg)
        if a.kwarg:
            names.append(a.kwarg.arg)
        return names

    def bind(self, target: ast.expr, v: Val | None, value_node: ast.expr | None = None) -> None:
        if isinstance(target, ast.Name):
            if v is None:
                if self.tests and value_node is not None:
                    c = const_value(value_node)
                    if c is not NOT_CONST:
                        self._choice(target.id, c)
                        return
                self.env.pop(target.id, None)
                if self.unit.func is None:
                    self.a.module_taint.pop((self.mod.file, target.id), None)
            else:
                if v.kind in (ITEM, STR) and v.test is None and self.tests:
                    # found = label inside `if label... in PETS:` -- the variable is set iff a label matched
                    t = next((t for t in reversed(self.tests) if t.cats and t.site == v.site), None)
                    if t is not None:
                        v = v.but(test=t)
                self.env[target.id] = v
                if self.unit.func is None and self.depth == 0:
                    key = (self.mod.file, target.id)
                    if self.a.module_taint.get(key) != v:
                        self.a.module_taint[key] = v
                        # functions reading this global see the output too
                        for u in self.a.units_mentioning(self.mod, target.id):
                            if u.func is not None and u.key != self.unit.key:
                                self.new_units.append(u)
        elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self":
            k = f"self.{target.attr}"
            if v is None:
                self.env.pop(k, None)
            else:
                self.env[k] = v
                if self.unit.cls is not None:
                    ck = (self.mod.file, self.unit.cls.node.name, target.attr)
                    if self.a.class_taint.get(ck) != v:
                        self.a.class_taint[ck] = v
                        pat = re.compile(r"self\." + re.escape(target.attr) + r"\b")
                        for u in self.a.units_mentioning(self.mod, target.attr, pat):
                            if u.cls is self.unit.cls and u.key != self.unit.key:
                                self.new_units.append(u)
        elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) and v is not None \
                and v.kind in (LIST, STRS, RESP, STR, ITEM, SCORE, SENT):
            # results[path] = labels: a dict whose values are outputs
            self.env[target.value.id] = Val(MAP, v.site, extra=(v,))
        elif isinstance(target, (ast.Tuple, ast.List)):
            vals: list[Val | None]
            if isinstance(value_node, (ast.Tuple, ast.List)) and len(value_node.elts) == len(target.elts):
                vals = [self.eval(e) for e in value_node.elts]
                for t, e, vv in zip(target.elts, value_node.elts, vals):
                    self.bind(t, vv, e)
                return
            for t in target.elts:
                self.bind(t, None)
        elif isinstance(target, ast.Starred):
            self.bind(target.value, v)

    def _choice(self, name: str, const: Any) -> None:
        t = self.tests[-1]
        if t.loop is not None and any(lid == t.loop and ex for lid, _, ex in self.loops):
            t = fast_replace(t, ranked=True)
        old = self.env.get(name)
        entry = ((const, t),)
        if old is not None and old.kind == CHOICE:
            if entry[0] not in old.choice:
                self.env[name] = old.but(choice=old.choice + entry)
        else:
            self.env[name] = Val(CHOICE, t.site, choice=entry)

    def _join(self, a: Val | None, b: Val) -> Val:
        if a is None:
            return b
        if a.kind == CHOICE and b.kind == CHOICE:
            return a.but(choice=a.choice + tuple(c for c in b.choice if c not in a.choice))
        if a.kind == CHOICE:
            return b
        return a

    def _merge_envs(self, base: dict[str, Val], arms: list[dict[str, Val]]) -> dict[str, Val]:
        out = dict(base)
        for env in arms:
            for k, v in env.items():
                cur = out.get(k)
                if cur is None:
                    out[k] = v
                elif cur is not v:
                    out[k] = self._join(cur, v) if (cur.kind == CHOICE or v.kind == CHOICE) else v
        return out

    def if_chain(self, s: ast.If, nxt: ast.stmt | None) -> None:
        arms: list[tuple[ast.expr, list[ast.stmt]]] = []
        node: ast.stmt = s
        orelse: list[ast.stmt] = []
        while True:
            assert isinstance(node, ast.If)
            arms.append((node.test, node.body))
            if len(node.orelse) == 1 and isinstance(node.orelse[0], ast.If):
                node = node.orelse[0]
                continue
            orelse = node.orelse
            break
        tests = [self.test(t) for t, _ in arms]
        # a label test nested in a score test on the same output: the score test is a threshold
        if self.tests:
            outer = self.tests[-1]
            if outer.rng is not None and not outer.cats and outer.rng[0] is not None:
                tests = [t if (t is None or not t.cats or t.site != outer.site or t.min_score is not None)
                         else _with_min(t, outer.rng[0]) for t in tests]
            elif (outer.cats and len(arms) == 1 and not orelse and tests[0] is not None and not tests[0].cats
                  and tests[0].rng is not None and tests[0].rng[0] is not None and tests[0].rng[1] is None
                  and not tests[0].negated and tests[0].site == outer.site and tests[0].item_level):
                # `if label in R:` / `if label.score > 0.8:` -> a threshold on the label test
                key = self.a.branch_of_test.get(id(outer))
                b0 = self.a.branches.get(key) if key else None
                if b0 is not None and b0.test.min_score is None:
                    b0.test = _with_min(b0.test, tests[0].rng[0])
                    tests = [None]
        recorded = [(t, body) for t, (_, body) in zip(tests, arms)]
        if any(t is not None for t in tests):
            self._record_arms(s, recorded, orelse, nxt)
        base = self.env
        arm_envs = []
        for t, (_, body) in zip(tests, arms):
            self.env = dict(base)
            if t is not None:
                self.tests.append(t)
            self.block(body)
            if t is not None:
                self.tests.pop()
            arm_envs.append(self.env)
        self.env = dict(base)
        neg = next((t for t in reversed(tests) if t is not None), None)
        if neg is not None and orelse:
            self.tests.append(neg.negate())
        self.block(orelse)
        if neg is not None and orelse:
            self.tests.pop()
        arm_envs.append(self.env)
        self.env = self._merge_envs(base, arm_envs)

    def _record_arms(self, s: ast.stmt, arms: list[tuple[Test | None, list[ast.stmt]]],
                     orelse: list[ast.stmt], nxt: ast.stmt | None) -> None:
        else_line, else_outcome = _stmt_text(self.mod, _first_real(orelse)) if orelse else (None, None)
        after_line, after_outcome = _stmt_text(self.mod, nxt)
        expanded: list[tuple[int, Test, list[ast.stmt]]] = []
        for pos, (t, body) in enumerate(arms):
            if t is not None:
                expanded.append((pos, fast_replace(t, others=()) if t.others else t, body))
                expanded.extend((pos, o, body) for o in t.others)
        for pos, t, body in expanded:
            first = _first_real(body)
            line, outcome = _stmt_text(self.mod, first)
            loop_exits = any(lid == t.loop for lid, _, ex in self.loops if ex) if t.loop else False
            la_line, la_out = _stmt_text(self.mod, self.loop_after.get(t.loop)) if t.loop else (None, None)
            exits = _exits(body)
            if t.loop is not None and t.loop in self.outer and not any(lid == t.loop for lid, _, _ in self.loops):
                # a helper called from inside the caller's loop: the caller's loop decides what exits
                loop_exits, la_line, la_out = self.outer[t.loop]
                exits = loop_exits
            b = Branch(
                loop_after_line=la_line, loop_after_outcome=la_out,
                test=t, file=self.mod.file, key=(self.mod.file, id(body), pos, t.site),
                line=line or s.lineno, outcome=outcome or "", chain=(self.mod.file, s.lineno, s.col_offset),
                pos=pos, else_line=else_line, else_outcome=else_outcome, after_line=after_line,
                after_outcome=after_outcome, exits=exits, aux=_is_aux(body),
                continue_only=all(isinstance(x, (ast.Continue, ast.Pass)) for x in body),
                loop_exits=loop_exits, order=self._order_for(t),
                returns_const=(len(body) == 1 and isinstance(body[0], ast.Return)
                               and isinstance(body[0].value, ast.Constant)),
                filter_only=_collects_only(body) and not orelse and self._appends_outputs(body),
            )
            b.key = (self.mod.file, s.lineno, s.col_offset, pos, t.site)
            b.where = self.unit.qualname
            self.a.record(b)
            self.a.branch_of_test[id(t)] = b.key

    def _appends_outputs(self, body: list[ast.stmt]) -> bool:
        """Do the collecting calls in this block pass outputs on (not constants the app lists)?"""
        saved = self.env
        self.env = dict(saved)  # a dry run: assignments in the block feed the next statements
        try:
            return self._passes_outputs(body)
        finally:
            self.env = saved

    def _passes_outputs(self, body: list[ast.stmt]) -> bool:
        for st in body:
            if isinstance(st, ast.Assign):
                v = self.eval(st.value)
                if v is None or v.kind in (CONSTELEM, CATKEY, CHOICE, BOOL):
                    return False
                for t in st.targets:
                    if isinstance(t, ast.Name):
                        self.env[t.id] = v
                continue
            call = st.value if isinstance(st, ast.Expr) else None
            if isinstance(call, ast.Call) and call.args:
                v = self.eval(call.args[-1])
                if v is None or v.kind in (CONSTELEM, CATKEY, CHOICE):
                    return False
            elif isinstance(call, (ast.Yield, ast.YieldFrom)) and call.value is not None:
                v = self.eval(call.value)
                if v is None or v.kind in (CONSTELEM, CATKEY, CHOICE):
                    return False
        return True

    def _order_for(self, t: Test) -> str | None:
        if t.dict_key and t.dict_key.startswith("loop:"):
            # categories iterated in a loop: which loop is outer decides the ordering
            ids = [lid for lid, _, _ in self.loops]
            cat_loop = int(t.dict_key.split(":")[1])
            if t.loop in ids and cat_loop in ids:
                return "output_rank" if ids.index(t.loop) < ids.index(cat_loop) else "category_priority"
            return "category_priority"
        return None

    def for_loop(self, s: ast.For | ast.AsyncFor, nxt: ast.stmt | None) -> None:
        it = self.eval(s.iter)
        lid = id(s)
        exits = _exits(s.body)
        after = _first_real(s.orelse) if s.orelse else nxt
        if after is None and self.loops:  # last statement of an outer loop: what follows that loop
            after = self.loop_after.get(self.loops[-1][0])
        self.loop_after[lid] = after
        elem = self._element(it, lid) if it is not None else None
        if elem is None and it is None:
            elem = self._const_iteration(s, lid)
        if elem is not None and isinstance(elem, tuple):
            # (key, value) pairs of a category dict, or enumerate()
            tgt = s.target
            if isinstance(tgt, (ast.Tuple, ast.List)) and len(tgt.elts) == 2:
                self.bind(tgt.elts[0], elem[0])
                self.bind(tgt.elts[1], elem[1])
            else:
                self.bind(tgt, None)
        else:
            self.bind(s.target, elem)
        self.loops.append((lid, it, exits))
        self.block(s.body)
        self.loops.pop()
        if it is not None and s.orelse:
            pass
        self.block(s.orelse)

    def _element(self, it: Val, lid: int) -> Any:
        k = it.kind
        if k == LIST:
            return it.but(kind=ITEM, loop=lid)
        if k == STRS:
            return it.but(kind=STR, loop=lid, match=("word" if it.match == "word" else it.match))
        if k == RESPS:
            return it.but(kind=RESP, loop=None)
        if k == RESP and it.api == "google.speech.streaming_recognize":
            return it.but(loop=None)  # an iterator of responses
        if k == MAP:
            return None  # iterating a dict gives its keys (ours), not outputs
        if k == "mapitems":
            return (None, it.extra[0].but(loop=lid) if it.extra[0].kind in (ITEM, STR) else it.extra[0])
        if k == "mapvalues":
            inner = it.extra[0]
            return inner.but(loop=lid) if inner.kind in (ITEM, STR) else inner
        if k == "enumerate":
            inner = it.extra[0]
            return (None, self._element(inner, lid))
        return None

    def _const_iteration(self, s: ast.For | ast.AsyncFor, lid: int) -> Any:
        """`for word in FOOD:` / `for bin, words in CATEGORIES.items():` over constants."""
        site = self._any_site() or ()  # constants carry no site; the tests take the output's
        itx = s.iter
        if isinstance(itx, ast.Call) and isinstance(itx.func, ast.Attribute) and itx.func.attr == "items" \
                and not itx.args:
            d = deref_dict(itx.func.value, self.scope)
            if d is None:
                labs = resolve_strings(itx.func.value, self.scope, want_spans=False)
                if not labs.unresolved:
                    return None
                # categories kept in a dict that only exists at run time (loaded from a file, say)
                cat = Cat(name=labs.name or _expr_name(itx.func.value), labels=(), unresolved=labs.unresolved)
                return (Val(CATKEY, site), Val(CATLIST, site, loop=lid, extra=(cat,)))
            dd, sc = d
            if dd.values and all(isinstance(v, ast.Constant) for v in dd.values):
                # {label: outcome}: the key is the label, categories group keys by outcome
                labs = resolve_strings(dd, sc)
                if not labs.labels or not labs.groups:
                    return None
                cats = [Cat(name=g, labels=tuple(ls), labels_at=span_tuple(labs.at),
                            label_spans=_spans_for(labs.spans, ls)) for g, ls in labs.groups]
                return (Val(CONSTELEM, site, loop=lid, extra=tuple(cats)), Val(CATKEY, site))
            cats = []
            for k, v in zip(dd.keys, dd.values):
                if isinstance(k, ast.Constant):
                    labs = resolve_strings(v, sc)
                    cats.append(Cat(name=str(k.value), labels=tuple(labs.labels), unresolved=labs.unresolved,
                                    labels_at=span_tuple(labs.at),
                                    label_spans=tuple(tuple(x.items()) for x in labs.spans) if labs.spans else None))
            if not cats:
                return None
            return (Val(CATKEY, site), Val(CATLIST, site, loop=lid, extra=tuple(cats)))
        if isinstance(itx, (ast.Name, ast.Attribute, ast.List, ast.Tuple, ast.Set)):
            labs = resolve_strings(itx, self.scope)  # a dict iterates over its keys
            if labs.labels:
                cat = Cat(name=labs.name, labels=tuple(labs.labels), labels_at=span_tuple(labs.at),
                          label_spans=tuple(tuple(x.items()) for x in labs.spans) if labs.spans else None)
                return Val(CONSTELEM, site, loop=lid, extra=(cat,))
        return None

    def _any_site(self) -> tuple | None:
        for v in self.env.values():
            if v is not None and v.site:
                return v.site
        return next(iter(self.a.sites), None)

    def match_stmt(self, s: Any, nxt: ast.stmt | None) -> None:
        subj = self.eval(s.subject)
        arms: list[tuple[Test | None, list[ast.stmt]]] = []
        orelse: list[ast.stmt] = []
        for case in s.cases:
            pat = case.pattern
            labels = _match_labels(pat)
            if labels is None:
                if type(pat).__name__ == "MatchAs" and pat.pattern is None:
                    orelse = case.body
                    continue
                arms.append((None, case.body))
                continue
            t = None
            if subj is not None and subj.kind == STR:
                t = self._label_test(subj, Cat(None, tuple(labels)), case.pattern, subj.match)
            arms.append((t, case.body))
        if any(t is not None for t, _ in arms):
            self._record_arms(s, arms, orelse, nxt)
        base = self.env
        envs = []
        for t, body in arms + [(None, orelse)]:
            self.env = dict(base)
            if t is not None:
                self.tests.append(t)
            self.block(body)
            if t is not None:
                self.tests.pop()
            envs.append(self.env)
        self.env = self._merge_envs(base, envs)

    # -- expressions -----------------------------------------------------------------------------
    def eval(self, e: ast.expr | None) -> Val | None:
        if e is None:
            return None
        self._eval_depth += 1
        try:
            if self._eval_depth > MAX_EVAL_DEPTH:
                return None
            return self._eval(e)
        finally:
            self._eval_depth -= 1

    def _eval(self, e: ast.expr) -> Val | None:
        if isinstance(e, ast.Name):
            v = self.env.get(e.id)
            if v is None and e.id not in self.env:
                v = self.a.module_taint.get((self.mod.file, e.id))
            return v
        if isinstance(e, ast.Attribute):
            if isinstance(e.value, ast.Name) and e.value.id == "self":
                v = self.env.get(f"self.{e.attr}")
                if v is None and self.unit.cls is not None:
                    v = self.a.class_taint.get((self.mod.file, self.unit.cls.node.name, e.attr))
                return v
            base = self.eval(e.value)
            return self._field(base, e.attr) if base is not None else None
        if isinstance(e, ast.Subscript):
            return self._subscript(e)
        if isinstance(e, ast.Call):
            return self._call(e)
        if isinstance(e, ast.Await):
            return self.eval(e.value)
        if isinstance(e, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
            return self._comprehension(e.elt, e.generators)
        if isinstance(e, ast.DictComp):
            keys = self._comprehension(e.key, e.generators)
            if keys is not None and keys.kind == STRS:
                vals = self._comprehension(e.value, e.generators)
                if vals is not None and vals.kind == SCORE:  # {label: score}: a score per label
                    return keys.but(extra=keys.extra + ("scoremap", vals.scale, vals.score_kind))
            return keys
        if isinstance(e, (ast.Compare, ast.BoolOp)) or (isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.Not)):
            t = self.test(e)
            if t is not None:
                return Val(BOOL, t.site, test=t)
            if isinstance(e, ast.BoolOp):  # `labels or []`
                for v in e.values:
                    r = self.eval(v)
                    if r is not None and r.kind != BOOL:
                        return r
            return None
        if isinstance(e, ast.IfExp):
            t = self.test(e.test)
            if t is not None:
                line, outcome = e.body.lineno, _expr_text(self.mod, e.body)
                b = Branch(test=t, file=self.mod.file, key=(self.mod.file, e.lineno, e.col_offset, 0, t.site),
                           line=line, outcome=outcome, chain=(self.mod.file, e.lineno, e.col_offset), pos=0,
                           else_line=e.orelse.lineno, else_outcome=_expr_text(self.mod, e.orelse), exits=True,
                           loop_exits=any(lid == t.loop for lid, _, ex in self.loops if ex) if t.loop else False,
                           order=self._order_for(t))
                if t.loop is not None:
                    b.loop_after_line, b.loop_after_outcome = _stmt_text(self.mod, self.loop_after.get(t.loop))
                self.a.record(b)
                c1, c2 = const_value(e.body), const_value(e.orelse)
                if c1 is not NOT_CONST and c2 is not NOT_CONST:
                    return Val(CHOICE, t.site, choice=((c1, t), (c2, t.negate())))
            a, b2 = self.eval(e.body), self.eval(e.orelse)
            return a or b2
        if isinstance(e, ast.BinOp):
            return self._binop(e)
        if isinstance(e, ast.NamedExpr):
            v = self.eval(e.value)
            self.bind(e.target, v, e.value)
            return v
        if isinstance(e, ast.Starred):
            return self.eval(e.value)
        if isinstance(e, (ast.List, ast.Tuple, ast.Set)):
            for x in e.elts:
                v = self.eval(x)
                if v is not None and v.kind in (STR, ITEM):
                    return v.but(kind=STRS if v.kind == STR else LIST, loop=None)
            return None
        if isinstance(e, ast.JoinedStr):
            for x in e.values:
                if isinstance(x, ast.FormattedValue):
                    self.eval(x.value)
            return None
        if isinstance(e, ast.Dict):  # {'texture': 'smooth' if 'smooth' in labels else 'normal'}
            for x in list(e.keys) + list(e.values):
                if x is not None:
                    self.eval(x)
            return None
        if isinstance(e, ast.Lambda):
            return None
        return None

    def _field(self, v: Val, name: str) -> Val | None:
        k = v.kind
        if "http" in v.extra:
            return v if name in ("text", "content") else None
        if name == "_pb":
            return v  # the raw protobuf behind a proto-plus message
        if k in (RESP, ITEM):
            if name in apis.LIST_FIELDS:
                return v.but(kind=LIST, loop=v.loop if k == ITEM else None)
            if name in apis.RESPS_FIELDS and k == RESP:
                return v.but(kind=RESPS)
            if name in apis.SENT_FIELDS:
                return v.but(kind=SENT)
            if name in apis.CONTAINER_FIELDS:
                return v.but(kind=ITEM, loop=None, match="substring")
            if name in apis.STR_FIELDS:
                if k == RESP and name != "Sentiment":
                    return None
                match = v.match if k == ITEM else "exact"
                return v.but(kind=STR, match=match)
            if name in apis.SCORE_FIELDS and k == ITEM:
                return v.but(kind=SCORE, scale=apis.scale_of(v.api, name), score_kind=apis.score_kind(name))
            if name == "json":
                return v
            return None
        if k == SENT:
            if name == "score":
                return v.but(kind=SCORE, score_kind="sentiment", scale=1.0)
            if name == "magnitude":
                return v.but(kind=SCORE, score_kind="magnitude", scale=1.0)
            if name in ("Positive", "Negative", "Neutral", "Mixed"):
                return v.but(kind=SCORE, score_kind="sentiment_probability", scale=1.0)
        return None

    def _subscript(self, e: ast.Subscript) -> Val | None:
        base = self.eval(e.value)
        sl = e.slice
        if base is not None and base.kind == MAP:
            return base.extra[0]
        if base is None:
            # a dict lookup keyed by a label: BINS[label]
            key = self.eval(sl)
            if key is not None and key.kind == STR:
                return self._lookup(e.value, key, e, None)
            return None
        if isinstance(sl, ast.Constant) and isinstance(sl.value, str):
            if base.kind == STRS and "scoremap" in base.extra:
                return self._score_of_label(base, sl)
            return self._field(base, sl.value)
        if isinstance(sl, ast.Slice):
            lo = resolve_number(sl.lower, self.scope) if sl.lower is not None else 0.0
            hi = resolve_number(sl.upper, self.scope) if sl.upper is not None else None
            if base.kind in (LIST, STRS, RESPS) and lo == 0 and hi is not None and hi > 0 and sl.step is None:
                k = int(hi)
                return base.but(top_k=k if base.top_k is None else min(base.top_k, k))
            return base
        idx = resolve_number(sl, self.scope) if not isinstance(sl, ast.Slice) else None
        if base.kind == LIST:
            if base.loop is not None:  # result.alternatives[0] inside a loop over results
                return base.but(kind=ITEM)
            if idx == 0:
                return base.but(kind=ITEM, top_k=1)
            return base.but(kind=ITEM)
        if base.kind == RESPS:
            return base.but(kind=RESP)
        if base.kind == STRS:
            if "split" in base.extra:
                if idx == 0:
                    return base.but(kind=STR, match="first_word" if base.match == "word" else base.match,
                                    extra=())
                return base.but(kind=STR, extra=())
            return base.but(kind=STR, loop=None, top_k=1 if idx == 0 else base.top_k)
        return None

    def _regex_test(self, e: ast.Call, how: str) -> Test | None:
        """``re.search(r"cat|dog", label, re.I)``: a plain alternation of words is a label list."""
        subject = self.eval(e.args[1])
        if subject is None or subject.kind != STR:
            return None
        pat = e.args[0]
        text = pat.value if isinstance(pat, ast.Constant) and isinstance(pat.value, str) else None
        if text is None:
            return None
        core = text
        for wrap in (r"\b", "^", "$"):
            core = core.replace(wrap, "")
        if core.startswith("(?:") and core.endswith(")"):
            core = core[3:-1]
        elif core.startswith("(") and core.endswith(")"):
            core = core[1:-1]
        words = core.split("|")
        if not words or not all(re.fullmatch(r"[\w &'/-]+", w) for w in words):
            return None  # a real pattern: not a label list
        flags = ast.unparse(e.args[2]) if len(e.args) > 2 else ""
        flags += "".join(ast.unparse(k.value) for k in e.keywords if k.arg == "flags")
        ci = subject.ci or "I" in flags.replace("IGNORECASE", "I").split(".")[-1] or "IGNORECASE" in flags
        word = r"\b" in text and not any(" " in w for w in words)  # \bcat\b is a whole word
        match = "exact" if (how == "fullmatch" or (text.startswith("^") and text.endswith("$"))) else \
            "prefix" if (how == "match" or text.startswith("^")) else ("word" if word else "substring")
        spans = self.mod.parsed.span(pat)
        cat = Cat(name=None, labels=tuple(words), labels_at=span_tuple({"file": self.mod.file, **spans}))
        t = self._make_test(subject.but(ci=ci), (cat,), e, match=match)
        return t

    def _score_of_label(self, m: Val, key: ast.expr) -> Val | None:
        """``scores.get('Dog', 0)`` on a {label: score} dict: the score of one label."""
        labs = resolve_strings(key, self.scope)
        if not labs.labels:
            return None
        i = m.extra.index("scoremap")
        scale, kind = m.extra[i + 1], m.extra[i + 2]
        return m.but(kind=SCORE, scale=scale, score_kind=kind, loop=None, extra=("label", _cat(labs)))

    def _lookup(self, dict_expr: ast.expr, key: Val, node: ast.expr, default: ast.expr | None) -> Val | None:
        d = deref_dict(dict_expr, self.scope)
        if d is None:
            return None
        labs = resolve_strings(d[0], d[1])
        if not labs.labels:
            return None
        dname = _expr_name(dict_expr)
        groups = labs.groups or [(dname, labs.labels)]
        cats = tuple(Cat(name=g, labels=tuple(ls), labels_at=span_tuple(labs.at),
                         label_spans=_spans_for(labs.spans, ls)) for g, ls in groups)
        t = self._make_test(key, cats, node, dict_key=f"dict:{dname}")
        if t is None:
            return None
        line, outcome = node.lineno, _expr_text(self.mod, node)
        b = Branch(test=t, file=self.mod.file, key=(self.mod.file, node.lineno, node.col_offset, 0, t.site),
                   line=line, outcome=outcome, chain=(self.mod.file, node.lineno, node.col_offset), pos=0,
                   kind="lookup", exits=False,
                   loop_exits=any(lid == t.loop for lid, _, ex in self.loops if ex) if t.loop else False)
        if t.loop is not None:
            b.loop_after_line, b.loop_after_outcome = _stmt_text(self.mod, self.loop_after.get(t.loop))
        if default is not None:
            b.else_line, b.else_outcome = default.lineno, _expr_text(self.mod, default)
        b.where = self.unit.qualname
        # recorded once the value is used for something that differs per entry (a branch, a return, a call,
        # a collection): a lookup only printed or logged decides nothing
        self.a.pending_lookups[b.key] = b
        return Val(CHOICE, t.site, choice=tuple((g, fast_replace(t, cats=(c,)))
                                               for (g, _), c in zip(groups, cats)), extra=("lookup", b.key))

    def _use(self, v: Val | None) -> None:
        """A looked-up value reached a use that depends on which entry matched: record its lookup."""
        if v is not None and v.kind == CHOICE and "lookup" in v.extra:
            b = self.a.pending_lookups.get(v.extra[v.extra.index("lookup") + 1])
            if b is not None:
                self.a.record(b)

    def _binop(self, e: ast.BinOp) -> Val | None:
        a, b = self.eval(e.left), self.eval(e.right)
        if b is not None and b.kind == SCORE and a is None and isinstance(e.op, ast.Mult):
            n = resolve_number(e.left, self.scope)  # 100 * score
            return b.but(scale=b.scale * n) if n else None
        if a is not None and a.kind == SCORE and b is None:
            n = resolve_number(e.right, self.scope)
            if n:
                if isinstance(e.op, ast.Mult):
                    return a.but(scale=a.scale * n)
                if isinstance(e.op, ast.Div):
                    return a.but(scale=a.scale / n)
            return a if isinstance(e.op, (ast.Add, ast.Sub)) and False else None
        if a is not None and a.kind in (LIST, STRS) and isinstance(e.op, ast.Add):
            return a
        if b is not None and b.kind in (LIST, STRS) and isinstance(e.op, ast.Add):
            return b
        if isinstance(e.op, ast.BitAnd) and (a is not None or b is not None):
            t = self.test(e)
            return Val(BOOL, t.site, test=t) if t else None
        if a is not None and a.kind == STR and isinstance(e.op, ast.Add):
            return a.but(match="substring")
        return None

    def _comprehension(self, elt: ast.expr, gens: list[ast.comprehension]) -> Val | None:
        saved = dict(self.env)
        src: Val | None = None
        filters: list[Test] = []
        min_score = None
        try:
            for g in gens:
                it = self.eval(g.iter)
                if it is None:
                    # iterating a constant list: `any(w in label for w in FOOD)`
                    fake = ast.For(target=g.target, iter=g.iter, body=[], orelse=[])
                    el = self._const_iteration(fake, 0)  # type: ignore[arg-type]
                    if isinstance(el, tuple):
                        if isinstance(g.target, ast.Tuple) and len(g.target.elts) == 2:
                            self.bind(g.target.elts[0], el[0])
                            self.bind(g.target.elts[1], el[1])
                    else:
                        self.bind(g.target, el)
                    continue
                el = self._element(it, 0)
                if isinstance(el, tuple):
                    if isinstance(g.target, ast.Tuple) and len(g.target.elts) == 2:
                        self.bind(g.target.elts[1], el[1])
                else:
                    self.bind(g.target, el.but(loop=None) if el is not None else None)
                src = src or it
                for cond in g.ifs:
                    t = self.test(cond)
                    if t is None:
                        continue
                    if t.rng is not None and not t.cats:
                        if t.rng[0] is not None and not t.negated:
                            min_score = t.rng[0]
                        elif t.rng[1] is not None and t.negated:
                            min_score = t.rng[1]
                    elif not t.negated:  # "labels not in IGNORE" keeps no category of its own
                        filters.append(t)
            v = self.eval(elt)
            if v is None:
                return None
            if v.kind == BOOL:
                return v  # any(...)/all(...) operand
            if v.kind == RESP and (src is None or src.kind != RESP):
                return v.but(kind=RESPS, loop=None)  # [client.label_detection(image=i) for i in images]
            if src is None:
                return None
            ms = min_score if min_score is not None else v.min_score
            if v.kind == STR:
                out = v.but(kind=STRS, loop=None, min_score=ms, top_k=src.top_k,
                            extra=tuple(x for x in v.extra if x != "split"))
            elif v.kind == ITEM:
                out = v.but(kind=LIST, loop=None, min_score=ms, top_k=src.top_k)
            elif v.kind == RESP:
                out = v.but(kind=RESPS, loop=None)  # [client.label_detection(image=i) for i in images]
            elif v.kind in (SCORE, LIST):
                out = v.but(loop=None)
            else:
                return None
            if filters:
                out = out.but(test=_merge_tests(filters))
            return out
        finally:
            for k in list(self.env):
                if k not in saved:
                    del self.env[k]
            self.env.update(saved)

    def _call(self, e: ast.Call) -> Val | None:
        f0 = e.func
        if isinstance(f0, ast.Name) and f0.id in self.env:
            self._use(self.env.get(f0.id))  # action = ACTIONS.get(label); action()
        elif isinstance(f0, (ast.Subscript, ast.Call)):
            self._use(self.eval(f0))  # ACTIONS[label]()
        site = self.a.site_for(e, self.scope, self.unit)
        if site is not None:
            # evaluate the arguments too: a label list passed along, lambdas...
            key = site_key(self.mod, e)
            extra = ("http",) if site.http else ()
            return Val(LIST if site.returns_list else RESP, key, api=site.api, top_k=site.top_k,
                       min_score=site.min_score, extra=extra)
        f = e.func
        if isinstance(f, ast.Attribute):
            recv = self.eval(f.value)
            m = f.attr
            if recv is not None:
                return self._method(recv, m, e)
            # CONST.get(label), set(...).intersection(labels), ' '.join(labels)
            if m == "get" and e.args:
                key = self.eval(e.args[0])
                if key is not None and key.kind == STR:
                    return self._lookup(f.value, key, e, e.args[1] if len(e.args) > 1 else None)
            if m in ("intersection", "isdisjoint", "issubset", "issuperset") and e.args:
                t = self.test(e)
                return Val(BOOL, t.site, test=t) if t else None
            if m in ("search", "match", "fullmatch") and len(e.args) >= 2 and isinstance(f.value, ast.Name) \
                    and f.value.id == "re":
                t = self._regex_test(e, m)
                return Val(BOOL, t.site, test=t) if t else None
            if m == "join" and e.args:
                v = self.eval(e.args[0])
                if v is not None and v.kind == STRS:
                    return v.but(kind=STR, match="substring")
                return None
            if m in ("loads", "to_dict", "MessageToDict") and e.args:
                v = self.eval(e.args[0])  # json.loads(r.text), type(resp).to_dict(resp)
                return v.but(extra=()) if v is not None and v.kind == RESP else None
        name = f.id if isinstance(f, ast.Name) else None
        if name is not None:
            builtin = self._builtin(name, e)
            if builtin is not False:
                return builtin  # type: ignore[return-value]
        return self._user_call(e)

    def _method(self, v: Val, m: str, e: ast.Call) -> Val | None:
        k = v.kind
        if k == MAP:
            if m == "items":
                return v.but(kind="mapitems")
            if m == "values":
                return v.but(kind="mapvalues")
            if m == "get" and e.args:
                return v.extra[0]
            return None
        if m == "json" or (m in ("to_dict", "MessageToDict") and k == RESP):
            return v.but(extra=())
        if k == STR:
            if m in apis.CASE_METHODS:
                return v.but(ci=True)
            if m in apis.KEEP_METHODS:
                return v
            if m == "split":
                sep = e.args[0] if e.args else None
                if sep is None or (isinstance(sep, ast.Constant) and isinstance(sep.value, str) and not sep.value.strip()):
                    return v.but(kind=STRS, match="word", extra=v.extra + ("split",))
                return v.but(kind=STRS, match="substring", extra=v.extra + ("split",))
            if m in ("startswith", "endswith"):
                t = self.test(e)
                return Val(BOOL, t.site, test=t) if t else None
            return None
        if k in (RESP, ITEM, SENT) and m == "get" and e.args:
            a0 = e.args[0]
            if isinstance(a0, ast.Constant) and isinstance(a0.value, str):
                return self._field(v, a0.value)
            return None
        if k in (LIST, STRS):
            if m in ("copy",):
                return v
            if m == "get":
                if k == STRS and "scoremap" in v.extra and e.args:
                    return self._score_of_label(v, e.args[0])
                return None
        if k == STR and m == "get":
            return None
        if m in ("items", "keys", "values") and k in (STRS,):
            return v
        return None

    def _builtin(self, name: str, e: ast.Call) -> Any:
        args = e.args
        if name in ("list", "tuple", "set", "frozenset", "sorted", "reversed", "iter") and args:
            v = self.eval(args[0])
            if v is None:
                return None
            if name == "sorted":
                key = next((kw.value for kw in e.keywords if kw.arg == "key"), None)
                if key is not None and v.kind == LIST and "core" not in ast.unparse(key).lower() \
                        and "onfidence" not in ast.unparse(key):
                    return v  # sorted by something else: order changed, keep the values
            return v
        if name in ("str", "round", "int", "float"):
            return self.eval(args[0]) if args else None
        if name in ("any", "all", "bool") and args:
            t = self.test(e)
            return Val(BOOL, t.site, test=t) if t else None
        if name == "enumerate" and args:
            v = self.eval(args[0])
            return Val("enumerate", v.site, extra=(v,)) if v is not None else None
        if name in ("filter",) and len(args) == 2:
            v = self.eval(args[1])
            fn = args[0]
            if v is not None and isinstance(fn, ast.Lambda) and fn.args.args:
                el = self._element(v, 0)
                if isinstance(el, Val):
                    saved = dict(self.env)
                    self.env[fn.args.args[0].arg] = el.but(loop=None)
                    t = self.test(fn.body)
                    self.env = saved
                    if t is not None and t.cats and not t.negated:
                        return v.but(test=t)
                    if t is not None and t.rng is not None and t.rng[0] is not None and t.rng[1] is None:
                        return v.but(min_score=t.rng[0])
            return v
        if name == "map" and len(args) == 2:
            it = self.eval(args[1])
            fn = args[0]
            if it is None:
                return None
            if isinstance(fn, ast.Lambda) and fn.args.args:
                el = self._element(it, 0)
                if isinstance(el, Val):
                    saved = dict(self.env)
                    self.env[fn.args.args[0].arg] = el.but(loop=None)
                    out = self.eval(fn.body)
                    self.env = saved
                    if out is not None and out.kind == STR:
                        return out.but(kind=STRS)
                return None
            if isinstance(fn, ast.Attribute) and fn.attr in apis.CASE_METHODS and it.kind == STRS:
                return it.but(ci=True)
            if isinstance(fn, ast.Name) and fn.id == "str":
                return it
            return None
        if name in ("max", "min") and args:
            v = self.eval(args[0])
            if v is not None and v.kind == LIST:
                return v.but(kind=ITEM, loop=None, top_k=1)
            if v is not None and v.kind == SCORE:
                return v
            return None
        if name == "next" and args:
            v = self.eval(args[0])
            if v is not None and v.kind in (LIST, STRS):
                el = self._element(v, 0)  # the first match, or the default: truthy iff something matched
                return el.but(loop=None, test=v.test) if isinstance(el, Val) else None
            return None
        if name in ("MessageToDict", "MessageToJson") and args:
            v = self.eval(args[0])
            return v.but(extra=()) if v is not None else None
        if name in ("len", "print", "isinstance", "type", "hasattr", "getattr", "abs", "sum"):
            for x in args:
                self.eval(x)
            return None
        return False  # not a builtin we model

    # -- calls into the app's own functions --------------------------------------------------
    def _resolve_function(self, e: ast.Call) -> tuple[Unit, bool] | None:
        f = e.func
        mod = self.mod
        if isinstance(f, ast.Name):
            if f.id in mod.functions:
                fn = mod.functions[f.id]
                return Unit(mod, fn, None, f.id), False
            if f.id in mod.classes:
                return None
            sym = mod.imported_symbol(f.id)
            if sym is not None:
                other, oname = sym
                if oname in other.functions:
                    return Unit(other, other.functions[oname], None, oname), False
            return None
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name):
            if f.value.id in ("self", "cls") and self.unit.cls is not None:
                found = _find_method(mod, self.unit.cls, f.attr)
                if found is not None:
                    m2, ci, fn = found
                    return Unit(m2, fn, ci, f"{ci.node.name}.{f.attr}"), True
                return None
            other = mod.imported_module(f.value.id)
            if other is not None and f.attr in other.functions:
                return Unit(other, other.functions[f.attr], None, f.attr), False
            ci = mod.classes.get(f.value.id)
            if ci is not None and f.attr in ci.methods:
                return Unit(mod, ci.methods[f.attr], ci, f"{ci.node.name}.{f.attr}"), False
        return None

    def _user_call(self, e: ast.Call) -> Val | None:
        arg_vals = [self.eval(a) for a in e.args]
        kw_vals = {k.arg: self.eval(k.value) for k in e.keywords if k.arg}
        # methods on a tainted list the app collects into: matches.append(label)
        f = e.func
        if isinstance(f, ast.Attribute) and f.attr in ("append", "add", "extend", "insert") and isinstance(f.value, ast.Name):
            v = next((x for x in arg_vals if x is not None), None)
            self._use(v)
            tgt = f.value.id
            if v is not None and v.kind in (STR, ITEM, STRS, LIST):
                kind = STRS if v.kind in (STR, STRS) else LIST
                test = next((t for t in reversed(self.tests) if t.cats and t.site == v.site), None)
                # `if c.confidence > 0.7: topics.append(c.name)`: the collection keeps only confident outputs
                ms = next((t.rng[0] for t in reversed(self.tests) if not t.cats and t.rng and t.rng[0] is not None
                           and t.rng[1] is None and not t.negated and t.site == v.site and t.item_level), None)
                self.env[tgt] = v.but(kind=kind, loop=None, test=test,
                                      min_score=ms if ms is not None else v.min_score)
                return None
            if v is None and self.tests and e.args:
                c = const_value(e.args[-1])
                if c is not NOT_CONST:
                    self._choice(tgt, c)
            return None
        resolved = self._resolve_function(e)
        if resolved is None:
            return None
        unit, is_method = resolved
        if any(v is not None for v in arg_vals) or any(v is not None for v in kw_vals.values()):
            if self.depth >= MAX_INLINE_DEPTH or unit.key in self.active or self.a.inlines >= MAX_INLINES:
                return self.a.summaries.get(unit.key)
            self.a.inlines += 1
            fn = unit.func
            assert fn is not None
            params = [p.arg for p in fn.args.posonlyargs + fn.args.args]
            if is_method and params and params[0] in ("self", "cls"):
                params = params[1:]
            env: dict[str, Val] = {}
            consts: dict[str, list[ast.expr]] = {}
            for p, v, node in zip(params, arg_vals, e.args):
                if v is not None:
                    env[p] = v
                else:
                    c = self._const_arg(node)
                    if c is not None:
                        consts[p] = [c]
            for kw in e.keywords:
                if kw.arg and kw_vals.get(kw.arg) is None:
                    c = self._const_arg(kw.value)
                    if c is not None:
                        consts[kw.arg] = [c]
            for k, v in kw_vals.items():
                if v is not None:
                    env[k] = v
            if unit.cls is not None and unit.cls is self.unit.cls:
                for k, v in self.env.items():
                    if k.startswith("self."):
                        env.setdefault(k, v)
            sub = Interp(self.a, unit, env, self.depth + 1, self.active)
            sub.outer = dict(self.outer)
            for lid, _, ex in self.loops:
                sub.outer[lid] = (ex, *_stmt_text(self.mod, self.loop_after.get(lid)))
            if consts:
                sub.scope.overrides.update(consts)
            ret = sub.run_unit()
            self.new_units.extend(sub.new_units)
            return ret if ret is not None else self.a.summaries.get(unit.key)
        return self.a.summaries.get(unit.key)

    def _const_arg(self, node: ast.expr) -> ast.expr | None:
        """A caller's constant argument, as a literal the callee's scope can resolve."""
        n = resolve_number(node, self.scope)
        if n is not None:
            return ast.copy_location(ast.Constant(n), node)
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node
        if isinstance(node, (ast.Name, ast.Attribute, ast.List, ast.Tuple, ast.Set)):
            labs = resolve_strings(node, self.scope, want_spans=False)
            if labs.labels:
                out = ast.List(elts=[ast.copy_location(ast.Constant(x), node) for x in labs.labels], ctx=ast.Load())
                out._chameleon_name = labs.name  # type: ignore[attr-defined]
                return ast.copy_location(out, node)
            if labs.unresolved and isinstance(node, (ast.Name, ast.Attribute)) and self.eval(node) is None:
                # the caller's reason is the real one (`category_dict` loaded from JSON, passed in)
                marker = ast.copy_location(ast.Constant(None), node)
                marker._chameleon_unresolved = labs.unresolved  # type: ignore[attr-defined]
                marker._chameleon_name = labs.name  # type: ignore[attr-defined]
                return marker
        return None

    # -- conditions ------------------------------------------------------------------------------
    def test(self, e: ast.expr) -> Test | None:
        try:
            return self._test(e)
        except RecursionError:
            raise
        except Exception:
            return None

    def _test(self, e: ast.expr) -> Test | None:
        if isinstance(e, ast.BoolOp):
            parts = [self.test(v) for v in e.values]
            parts = [p for p in parts if p is not None]
            if not parts:
                return None
            if isinstance(e.op, ast.Or):
                return _or_tests(parts, e, self.mod)
            return _and_tests(parts)
        if isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.Not):
            t = self.test(e.operand)
            return t.negate() if t is not None else None
        if isinstance(e, ast.Compare):
            return self._compare(e)
        if isinstance(e, ast.Call):
            f = e.func
            if isinstance(f, ast.Name) and f.id in ("any", "all", "bool") and e.args:
                a0 = e.args[0]
                v = self.eval(a0)
                if v is None:
                    return None
                if v.kind == BOOL and v.test is not None:
                    t = v.test
                    approx = "all() over the labels is approximated by any()" if f.id == "all" else t.approx
                    return fast_replace(t, loop=None, item_level=False, approx=approx)
                return self._truthy(v)
            if isinstance(f, ast.Name) and f.id == "len" and e.args:
                v = self.eval(e.args[0])
                return self._truthy(v) if v is not None else None
            if isinstance(f, ast.Attribute):
                recv = self.eval(f.value)
                if recv is not None and recv.kind == STR and f.attr == "startswith" and e.args:
                    arg = self.eval(e.args[0])
                    if arg is not None and arg.kind == CONSTELEM:
                        return self._label_test(recv, arg.extra[0], e, "prefix", other=arg)
                    if arg is not None:
                        return None
                    labs = resolve_strings(e.args[0], self.scope)
                    if labs.labels or labs.unresolved:
                        return self._label_test(recv, _cat(labs), e, "prefix")
                    return None
                if recv is None and f.attr in ("startswith",) and e.args:
                    arg = self.eval(e.args[0])
                    # CONSTELEM.startswith(label)? rare
                    return None
                if f.attr in ("intersection", "isdisjoint", "issubset", "issuperset") and e.args:
                    other = self.eval(e.args[0])
                    mine = recv
                    labs_expr = f.value if mine is None else e.args[0]
                    coll = other if mine is None else mine
                    if coll is None or coll.kind not in (STRS, STR):
                        return None
                    labs = resolve_strings(labs_expr, self.scope)
                    t = self._label_test(coll, _cat(labs), e, coll.match)
                    return t.negate() if (t is not None and f.attr == "isdisjoint") else t
            v = self.eval(e)
            if v is not None:
                return self._truthy(v)
            return None
        if isinstance(e, ast.BinOp) and isinstance(e.op, ast.BitAnd):
            a, b = self.eval(e.left), self.eval(e.right)
            coll, other = (a, e.right) if a is not None else (b, e.left)
            if coll is None or coll.kind != STRS:
                return None
            labs = resolve_strings(other, self.scope)
            return self._label_test(coll, _cat(labs), e, coll.match)
        v = self.eval(e)
        if v is None:
            return None
        return self._truthy(v)

    def _truthy(self, v: Val) -> Test | None:
        if v.kind == BOOL:
            return v.test
        if v.kind == CHOICE:
            self._use(v)
            truthy = [(c, t) for c, t in v.choice if c not in (None, False, 0, "", NOT_CONST)]
            if not truthy or len({repr(c) for c, _ in truthy}) > 1:
                return None  # `if category:` with several possible values passes the choice on
            return _union_choice([t for _, t in truthy])
        if v.kind in (LIST, STRS, ITEM, STR) and v.test is not None:
            return fast_replace(v.test, loop=None, item_level=False, derived=True)
        return None

    def _compare(self, e: ast.Compare) -> Test | None:
        ops, comps = e.ops, e.comparators
        left = e.left
        if len(ops) == 2 and all(isinstance(o, (ast.Lt, ast.LtE, ast.Gt, ast.GtE)) for o in ops):
            mid = self.eval(comps[0])
            if mid is not None and mid.kind == SCORE:
                lo = resolve_number(left, self.scope)
                hi = resolve_number(comps[1], self.scope)
                if isinstance(ops[0], (ast.Gt, ast.GtE)):
                    lo, hi = hi, lo
                if lo is None and hi is None:
                    return None
                return self._score_test(mid, lo, hi, e)
            return None
        if len(ops) != 1:
            return None
        op, right = ops[0], comps[0]
        lv, rv = self.eval(left), self.eval(right)
        if isinstance(op, (ast.In, ast.NotIn)):
            t = self._in_test(left, lv, right, rv, e)
            if t is not None and isinstance(op, ast.NotIn):
                t = t.negate()
            return t
        if isinstance(op, (ast.Eq, ast.NotEq)) and isinstance(left, ast.Call) and isinstance(left.func, ast.Name) \
                and left.func.id == "len" and left.args and resolve_number(right, self.scope) == 0:
            inner = self.eval(left.args[0])  # len(matches) == 0
            t = self._truthy(inner) if inner is not None else None
            if t is None:
                return None
            return t.negate() if isinstance(op, ast.Eq) else t
        if isinstance(op, (ast.Eq, ast.NotEq, ast.Is, ast.IsNot)):
            val, other, onode = (lv, rv, right) if lv is not None else (rv, lv, left)
            if val is None:
                return None
            neg = isinstance(op, (ast.NotEq, ast.IsNot))
            if val.kind == STR:
                if other is not None and other.kind == CONSTELEM:
                    t = self._label_test(val, other.extra[0], e, val.match, other=other)
                    return t.negate() if (neg and t is not None) else t
                if other is not None:
                    return None  # two outputs compared with each other: no listed label
                labs = resolve_strings(onode, self.scope)
                if not labs.labels and isinstance(onode, ast.Constant):
                    return None  # `label == None`
                t = self._label_test(val, _cat(labs), e, val.match)
                return t.negate() if (neg and t is not None) else t
            if val.kind == CHOICE:
                self._use(val)
                c = const_value(onode)
                if c is NOT_CONST:
                    labs = resolve_strings(onode, self.scope)
                    c = labs.labels[0] if len(labs.labels) == 1 else NOT_CONST
                if c is None:
                    rest = [(cc, t) for cc, t in val.choice if cc is not None]
                    if len({repr(cc) for cc, _ in rest}) > 1:
                        return None
                    t = _union_choice([t for _, t in rest])
                    return None if t is None else (t if neg else t.negate())
                tests = [t for cc, t in val.choice if cc == c]
                if not tests:
                    return None
                t = _union_choice(tests)
                return t.negate() if (neg and t is not None) else t
            if val.kind == SCORE:
                return None
            if val.kind in (LIST, STRS, BOOL):
                t = self._truthy(val)
                if t is None:
                    return None
                c = const_value(onode)
                if c in (False, None):
                    neg = not neg
                return t.negate() if neg else t
            return None
        if isinstance(op, (ast.Lt, ast.LtE, ast.Gt, ast.GtE)):
            # len(x) > 0
            if isinstance(left, ast.Call) and isinstance(left.func, ast.Name) and left.func.id == "len" and left.args:
                n = resolve_number(right, self.scope)
                inner = self.eval(left.args[0])
                if inner is None or n is None:
                    return None
                t = self._truthy(inner)
                if t is None:
                    return None
                if isinstance(op, ast.Gt) and n == 0 or isinstance(op, ast.GtE) and n == 1:
                    return t
                if isinstance(op, ast.Lt) and n == 1 or isinstance(op, ast.LtE) and n == 0:
                    return t.negate()
                return None
            if lv is not None and lv.kind == SCORE:
                n = resolve_number(right, self.scope)
                if n is None:
                    return None
                if isinstance(op, (ast.Gt, ast.GtE)):
                    return self._score_test(lv, n, None, e)
                return self._score_test(lv, None, n, e)
            if rv is not None and rv.kind == SCORE:
                n = resolve_number(left, self.scope)
                if n is None:
                    return None
                if isinstance(op, (ast.Lt, ast.LtE)):
                    return self._score_test(rv, n, None, e)
                return self._score_test(rv, None, n, e)
            if lv is not None and lv.kind == CHOICE:
                tests = [t for c, t in lv.choice]
                return _union_choice(tests)
        return None

    def _score_test(self, v: Val, lo: float | None, hi: float | None, node: ast.expr) -> Test:
        s = v.scale or 1.0
        lo = None if lo is None else round(lo / s, 6)
        hi = None if hi is None else round(hi / s, 6)
        if "label" in v.extra and lo is not None and hi is None:
            # scores.get('Dog', 0) > 0.8: the label 'Dog' among the outputs above 0.8
            cat = v.extra[v.extra.index("label") + 1]
            return Test(site=v.site, cats=(cat,), match=v.match, ci=v.ci, top_k=v.top_k, min_score=lo,
                        compare_at=span_tuple({"file": self.mod.file, **self.mod.parsed.span(node)}))
        return Test(site=v.site, rng=(lo, hi), score_kind=v.score_kind, loop=v.loop,
                    item_level=v.score_kind in ("confidence",), top_k=v.top_k, min_score=v.min_score,
                    compare_at=span_tuple({"file": self.mod.file, **self.mod.parsed.span(node)}))

    def _in_test(self, left: ast.expr, lv: Val | None, right: ast.expr, rv: Val | None, e: ast.expr) -> Test | None:
        if lv is not None and lv.kind == STR:
            if rv is not None:
                if rv.kind == CATLIST:
                    return self._label_test(lv, None, e, lv.match, catlist=rv)
                if rv.kind == CONSTELEM:
                    return self._label_test(lv, rv.extra[0], e, lv.match, other=rv)
                return None
            if isinstance(right, ast.Constant) and isinstance(right.value, str):
                return None  # label in 'some text'
            labs = resolve_strings(right, self.scope)
            d = deref_dict(right, self.scope)
            if labs.groups and d is not None:
                groups = labs.groups
                if len(groups) > 1:
                    cats = tuple(Cat(name=g, labels=tuple(ls), labels_at=span_tuple(labs.at),
                                     label_spans=_spans_for(labs.spans, ls)) for g, ls in groups)
                    return self._make_test(lv, cats, e, dict_key=f"dict:{_expr_name(right)}")
                labs.groups = None
            return self._label_test(lv, _cat(labs), e, lv.match)
        if rv is not None and rv.kind in (STR, STRS):
            match = "substring" if rv.kind == STR and rv.match != "word" else rv.match
            if rv.kind == STR and rv.match == "word":
                match = "word"
            if lv is not None and lv.kind == CONSTELEM:
                return self._label_test(rv, lv.extra[0], e, match, other=lv)
            if lv is not None:
                return None
            labs = resolve_strings(left, self.scope)
            if not labs.labels and not labs.unresolved:
                return None
            return self._label_test(rv, _cat(labs), e, match)
        if rv is not None and rv.kind == LIST and lv is None:
            return None
        if rv is not None and rv.kind == CHOICE:
            c = const_value(left)
            tests = [t for cc, t in rv.choice if cc == c]
            return _union_choice(tests) if tests else None
        return None

    def _label_test(self, v: Val, cat: Cat | None, node: ast.expr, match: str, other: Val | None = None,
                    catlist: Val | None = None) -> Test | None:
        if catlist is not None:
            cats = tuple(catlist.extra)
            return self._make_test(v, cats, node, match=match, dict_key=f"loop:{catlist.loop}")
        if other is not None and other.kind == CONSTELEM:
            # `for word in FOOD: if word in names:` -- the loop over the constant decides the ordering
            cats = tuple(other.extra) if len(other.extra) > 1 else (cat or other.extra[0],)
            real_loop = next((ex for lid, _, ex in self.loops if lid == other.loop), None) if other.loop else None
            if real_loop is False and len(cats) == 1 and v.loop is None:
                # the loop over the constant does not stop: each listed label acts on its own
                c = cats[0]
                spans = {dict(sp).get("label"): sp for sp in (c.label_spans or ())}
                cats = tuple(Cat(name=lab, labels=(lab,), labels_at=c.labels_at,
                                 label_spans=(spans[lab],) if lab in spans else None) for lab in c.labels)
            key = f"loop:{other.loop}" if real_loop is not None else None
            t = self._make_test(v, cats, node, match=match, dict_key=key)
            if t is not None and v.loop is None and real_loop is not None:
                t = fast_replace(t, loop=other.loop)
            return t
        assert cat is not None
        return self._make_test(v, (cat,), node, match=match)

    def _make_test(self, v: Val, cats: tuple[Cat, ...], node: ast.expr, match: str | None = None,
                   dict_key: str | None = None) -> Test | None:
        cats = tuple(c for c in cats if c.labels or c.unresolved)
        if not cats:
            return None  # an empty constant list never matches: nothing is decided here
        return Test(site=v.site, cats=cats, match=match or v.match, ci=v.ci, top_k=v.top_k,
                    min_score=v.min_score, loop=v.loop, dict_key=dict_key, item_level=v.kind in (STR, ITEM),
                    compare_at=span_tuple({"file": self.mod.file, **self.mod.parsed.span(node)}))


def _find_method(mod: ModuleInfo, ci: ClassInfo, name: str, depth: int = 0):
    """A method of a class or of its base classes (in this module or imported), with where it lives."""
    if name in ci.methods:
        return mod, ci, ci.methods[name]
    if depth > 4:
        return None
    for base in ci.bases:
        if base in mod.classes and mod.classes[base] is not ci:
            r = _find_method(mod, mod.classes[base], name, depth + 1)
        else:
            sym = mod.imported_symbol(base)
            r = None
            if sym is not None and sym[1] in sym[0].classes:
                r = _find_method(sym[0], sym[0].classes[sym[1]], name, depth + 1)
        if r is not None:
            return r
    return None


def _test_fields(t: Test) -> dict[str, Any]:
    return {f: getattr(t, f) for f in Test.__dataclass_fields__}


def _with_min(t: Test, m: float) -> Test:
    return fast_replace(t, min_score=m)


def _cat(labs: Any) -> Cat:
    return Cat(name=labs.name, labels=tuple(labs.labels), unresolved=labs.unresolved,
               labels_at=span_tuple(labs.at),
               label_spans=tuple(tuple(x.items()) for x in labs.spans) if labs.spans else None)


def _spans_for(spans: list | None, labels: list[str]) -> tuple | None:
    if not spans:
        return None
    out = tuple(tuple(s.items()) for s in spans if s.get("label") in labels)
    return out or None


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


def _by_site(parts: list[Test], combine, *args) -> Test:
    """Combine per API call; tests on other calls ride along in ``others``."""
    sites: list[tuple] = []
    for p in parts:
        if p.site not in sites:
            sites.append(p.site)
    if len(sites) == 1:
        return combine(parts, *args)
    groups = [combine([p for p in parts if p.site == s], *args) for s in sites]
    return fast_replace(groups[0], others=tuple(groups[1:]))


def _or_tests(parts: list[Test], e: ast.expr, info: ModuleInfo) -> Test:
    return _by_site(parts, _or_one, e, info)


def _and_tests(parts: list[Test]) -> Test:
    return _by_site(parts, _and_one)


def _or_one(parts: list[Test], e: ast.expr, info: ModuleInfo) -> Test:
    label = [p for p in parts if p.cats and not p.negated]
    if len(label) >= 1 and all(p.site == label[0].site for p in label):
        if len(label) == 1:
            return label[0]
        base = label[0]
        same_multi = all(len(p.cats) == 1 for p in label)
        cats = (_merge_cats(c for p in label for c in p.cats),) if same_multi else base.cats
        return Test(**{**_test_fields(base), "cats": cats,
                       "compare_at": span_tuple({"file": info.file, **info.parsed.span(e)})})
    score = [p for p in parts if p.rng is not None]
    return score[0] if score else parts[0]


def _and_one(parts: list[Test]) -> Test:
    label = [p for p in parts if p.cats]
    score = [p for p in parts if p.rng is not None and not p.cats]
    if label:
        t = label[0]
        for s in score:
            if s.site == t.site and s.rng and s.rng[0] is not None and not s.negated and s.item_level:
                t = _with_min(t, s.rng[0])
        return t
    if score:
        kind = next((s.score_kind for s in score if s.score_kind == "sentiment"), score[0].score_kind)
        same = [s for s in score if s.score_kind == kind and not s.negated]
        if not same:
            return score[0]
        lo = max((s.rng[0] for s in same if s.rng and s.rng[0] is not None), default=None)
        hi = min((s.rng[1] for s in same if s.rng and s.rng[1] is not None), default=None)
        return fast_replace(same[0], rng=(lo, hi))
    return parts[0]


def _union_choice(tests: list[Test]) -> Test | None:
    if not tests:
        return None
    if len(tests) == 1:
        return fast_replace(tests[0], loop=None, item_level=False, derived=True)
    base = tests[0]
    cats: list[Cat] = []
    for t in tests:
        for c in t.cats:
            if c not in cats:
                cats.append(c)
    return fast_replace(base, cats=(_merge_cats(cats),) if cats else (), loop=None,
                   item_level=False, derived=True)


def _merge_tests(tests: list[Test]) -> Test:
    return tests[0] if len(tests) == 1 else _union_choice(tests) or tests[0]
