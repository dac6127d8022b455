"""Expressions over API outputs: what part of the output an expression holds.

``ExpressionsMixin`` is part of the flow interpreter (``flow.Interp``): attribute and key access
into responses, comprehensions, builtins (``sorted``, ``map``, ``filter``, ``next``, ``max``...),
string methods (``lower``, ``split``...), dict lookups keyed by a label, and calls into the app's
own functions (inlined with their arguments bound).
"""

from __future__ import annotations

import ast
from typing import Any

from . import apis
from .conditions import _merge_tests
from .records import MAP, Branch, Unit, _cat, _expr_name, _expr_text, _group_cats, _stmt_text, site_key
from .symbols import NOT_CONST, ClassInfo, ModuleInfo, const_value, deref_dict, resolve_number, resolve_strings
from .values import BOOL, CHOICE, ITEM, LIST, RESP, RESPS, SCORE, SENT, STR, STRS, Test, Val, fast_replace

MAX_INLINE_DEPTH = 4
MAX_EVAL_DEPTH = 60
MAX_INLINES = 1500


class ExpressionsMixin:
    """The ``eval`` side of the interpreter (mixed into ``flow.Interp``)."""

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
                           loop_exits=self._loop_exits(t.loop),
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
        if "operation" in v.extra:
            return None
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
        cats = _group_cats(labs, groups)
        t = self._make_test(key, cats, node, dict_key=f"dict:{dname}")
        if t is None:
            return None
        line, outcome = node.lineno, _expr_text(self.mod, node)
        b = Branch(test=t, file=self.mod.file, key=(self.mod.file, node.lineno, node.col_offset, 0, t.site),
                   line=line, outcome=outcome, chain=(self.mod.file, node.lineno, node.col_offset), pos=0,
                   kind="lookup", exits=False,
                   loop_exits=self._loop_exits(t.loop))
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
            return None  # score + x is no output value of its own
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
            extra = ("http",) if site.http else ("operation",) if site.operation else ()
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
        if "operation" in v.extra:
            return v.but(extra=()) if m == "result" else None  # operation.result(timeout=90)
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
            sub = type(self)(self.a, unit, env, self.depth + 1, self.active)  # a fresh interpreter for the callee
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
