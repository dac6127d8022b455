"""Conditions over API outputs: which ``if`` tests are label tests, score ranges or neither.

``ConditionsMixin`` is part of the flow interpreter (``flow.Interp``): it turns an expression such
as ``label.description.lower() in FOOD`` or ``-0.2 < s.score < 0.2`` into a ``Test`` (the labels
or range it checks, how labels are compared, thresholds), or None when the condition does not
decide on the output. ``and``/``or`` combinations are merged here too.
"""

from __future__ import annotations

import ast
import re

from .records import CATLIST, CONSTELEM, _cat, _expr_name, _group_cats, _merge_cats
from .symbols import NOT_CONST, ModuleInfo, const_value, deref_dict, resolve_number, resolve_strings
from .values import BOOL, CHOICE, ITEM, LIST, SCORE, STR, STRS, Cat, Test, Val, fast_replace, span_tuple


class ConditionsMixin:
    """The ``test`` side of the interpreter (mixed into ``flow.Interp``)."""

    def _at(self, node: ast.AST) -> tuple | None:
        """Where a node is in this module, frozen for a Test's compare_at / a Cat's labels_at."""
        return span_tuple({"file": self.mod.file, **self.mod.parsed.span(node)})

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
        cat = Cat(name=None, labels=tuple(words), labels_at=self._at(pat))
        t = self._make_test(subject.but(ci=ci), (cat,), e, match=match)
        return t

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
                        compare_at=self._at(node))
        return Test(site=v.site, rng=(lo, hi), score_kind=v.score_kind, loop=v.loop,
                    item_level=v.score_kind in ("confidence",), top_k=v.top_k, min_score=v.min_score,
                    compare_at=self._at(node))

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
                    return self._make_test(lv, _group_cats(labs, groups), e, dict_key=f"dict:{_expr_name(right)}")
                labs.groups = None
            return self._label_test(lv, _cat(labs), e, lv.match)
        if rv is not None and rv.kind in (STR, STRS):
            match = "substring" if rv.kind == STR and rv.match != "word" else rv.match
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
                    compare_at=self._at(node))


def _with_min(t: Test, m: float) -> Test:
    return fast_replace(t, min_score=m)


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
        return fast_replace(base, cats=cats, compare_at=span_tuple({"file": info.file, **info.parsed.span(e)}))
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
