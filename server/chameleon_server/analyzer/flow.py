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
from typing import Any, Iterable

from . import apis
from .conditions import ConditionsMixin, _with_min
from .expressions import ExpressionsMixin
from .records import (CATKEY, CATLIST, CONSTELEM, MAP, Branch, Unit, _cat, _collects_only, _exits, _expr_name,
                      _first_real, _group_cats, _is_aux, _match_labels, _stmt_text, site_key)
from .sites import SiteCall, _call_name, classify_call
from .symbols import NOT_CONST, ModuleInfo, Scope, const_value, deref_dict, resolve_strings
from .values import (BOOL, CHOICE, ITEM, LIST, RESP, RESPS, SCORE, SENT, STR, STRS, Cat, Test, Val, fast_replace,
                     span_tuple)

MAX_UNIT_RUNS = 400
_WORD_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")



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
        name = _call_name(call.func)
        if name not in apis.METHODS and name not in apis.HTTP_FUNCS and name not in ("execute", "detect_text"):
            return None
        local_fns = set(scope.module.functions)
        try:
            sc = classify_call(call, scope, self.unit_text(unit), self._text(scope.module)[0]
                               if name not in apis.METHODS or name in ("annotate_image", "batch_annotate_images") else "",
                               local_fns)
        except RecursionError:
            sc = None
        if sc is not None:
            self.sites[key] = sc
        return sc

    def record(self, b: Branch) -> None:
        self.branches[b.key] = b


class Interp(ExpressionsMixin, ConditionsMixin):
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
        if self._loop_exits(t.loop):
            t = fast_replace(t, ranked=True)
        old = self.env.get(name)
        entry = ((const, t),)
        if old is not None and old.kind == CHOICE:
            if entry[0] not in old.choice:
                self.env[name] = old.but(choice=old.choice + entry)
        else:
            self.env[name] = Val(CHOICE, t.site, choice=entry)

    def _loop_exits(self, loop: int | None) -> bool:
        """Is `loop` one of the enclosing loops, and does its body leave it (break / return)?"""
        return loop is not None and any(lid == loop and ex for lid, _, ex in self.loops)

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
        neg = next((t for t in reversed(tests) if t is not None), None)
        self._branches(s, [(t, body) for t, (_, body) in zip(tests, arms)], orelse, nxt,
                       neg.negate() if neg is not None and orelse else None)

    def _branches(self, s: ast.stmt, arms: list[tuple[Test | None, list[ast.stmt]]], orelse: list[ast.stmt],
                  nxt: ast.stmt | None, else_test: Test | None = None) -> None:
        """Record the arms of an if/elif chain or a match, then walk each arm (and the else, under
        `else_test`) from the same environment and merge what they assign."""
        if any(t is not None for t, _ in arms):
            self._record_arms(s, arms, orelse, nxt)
        base = self.env
        envs = []
        for t, body in arms + [(else_test, orelse)]:
            self.env = dict(base)
            if t is not None:
                self.tests.append(t)
            self.block(body)
            if t is not None:
                self.tests.pop()
            envs.append(self.env)
        self.env = self._merge_envs(base, envs)

    def _record_arms(self, s: ast.stmt, arms: list[tuple[Test | None, list[ast.stmt]]],
                     orelse: list[ast.stmt], nxt: ast.stmt | None) -> None:
        else_line, else_outcome = _stmt_text(self.mod, _first_real(orelse)) if orelse else (None, None)
        if nxt is None and self.loops:  # last statement of a loop body: when nothing matched, the loop ends
            nxt = self.loop_after.get(self.loops[-1][0])
        after_line, after_outcome = _stmt_text(self.mod, nxt)
        expanded: list[tuple[int, Test, list[ast.stmt]]] = []
        for pos, (t, body) in enumerate(arms):
            if t is not None:
                expanded.append((pos, fast_replace(t, others=()) if t.others else t, body))
                expanded.extend((pos, o, body) for o in t.others)
        for pos, t, body in expanded:
            first = _first_real(body)
            line, outcome = _stmt_text(self.mod, first)
            loop_exits = self._loop_exits(t.loop)
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
        if isinstance(elem, tuple):
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
        self.block(s.orelse)

    def _element(self, it: Val, lid: int) -> Any:
        k = it.kind
        if k == LIST:
            return it.but(kind=ITEM, loop=lid)
        if k == STRS:
            return it.but(kind=STR, loop=lid)
        if k == RESPS:
            return it.but(kind=RESP, loop=None)
        if k == RESP and it.api == "google.speech.streaming_recognize":
            return it.but(loop=None)  # an iterator of responses
        if k == MAP:
            return None  # iterating a dict gives its keys (ours), not outputs
        if k == CATLIST:  # for w in words (a category's labels, bound by an outer loop over categories)
            return Val(CONSTELEM, it.site, loop=it.loop, extra=it.extra)
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
        if isinstance(s.target, (ast.Tuple, ast.List)) and len(s.target.elts) == 2:
            pairs = self._const_pairs(itx, site, lid)
            if pairs is not None:
                return pairs
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
                return (Val(CONSTELEM, site, loop=lid, extra=_group_cats(labs, labs.groups)), Val(CATKEY, site))
            cats = []
            for k, v in zip(dd.keys, dd.values):
                if isinstance(k, ast.Constant):
                    labs = resolve_strings(v, sc)
                    cats.append(_cat(labs, name=str(k.value)))
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

    def _const_pairs(self, itx: ast.expr, site: tuple, lid: int) -> Any:
        """`for label, action in RULES:` over a constant list of (label(s), outcome) pairs."""
        lit = itx
        for _ in range(4):
            if isinstance(lit, (ast.List, ast.Tuple)):
                break
            found = self.scope.lookup(lit.id) if isinstance(lit, ast.Name) else None
            if not found or len(found[0]) != 1:
                return None
            lit = found[0][0]
        if not isinstance(lit, (ast.List, ast.Tuple)) or not lit.elts:
            return None
        groups: dict[str, list[str]] = {}
        multi = False
        for el in lit.elts:
            if not (isinstance(el, (ast.Tuple, ast.List)) and len(el.elts) >= 2):
                return None
            key, val = el.elts[0], el.elts[1]
            labs = resolve_strings(key, self.scope, want_spans=False)
            if not labs.labels:
                return None
            multi = multi or not isinstance(key, ast.Constant)
            gname = str(val.value) if isinstance(val, ast.Constant) else _expr_name(val)
            groups.setdefault(gname, []).extend(labs.labels)
        at = self._at(lit)
        cats = tuple(Cat(name=g, labels=tuple(ls), labels_at=at) for g, ls in groups.items())
        if multi:  # (['Food', 'Fruit'], 'compost'): the first element is a category's label list
            return (Val(CATLIST, site, loop=lid, extra=cats), Val(CATKEY, site))
        return (Val(CONSTELEM, site, loop=lid, extra=cats), Val(CATKEY, site))

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
        self._branches(s, arms, orelse, nxt)

    # -- expressions -----------------------------------------------------------------------------
