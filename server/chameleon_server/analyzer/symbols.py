"""What a module defines at its top level, and static resolution of constants.

Label lists, thresholds and URLs are usually constants: module-level names, class attributes,
names imported from another module of the project, lists built with ``+`` / ``extend`` /
``append``. Resolving them here keeps the flow analysis about data flow only. When a value is
computed at run time (read from a file, a database, an environment variable) resolution says
so instead of guessing.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .source import Parsed

if TYPE_CHECKING:  # pragma: no cover
    from .workspace import Workspace

MAX_DEPTH = 12
RUNTIME_CALLS = {
    "open": "read from a file at run time",
    "read": "read from a file at run time",
    "readlines": "read from a file at run time",
    "load": "loaded at run time",
    "loads": "loaded at run time",
    "read_csv": "read from a file at run time",
    "getenv": "read from the environment at run time",
    "get": "computed at run time",
    "fetchall": "read from a database at run time",
    "execute": "read from a database at run time",
    "query": "read from a database at run time",
}


@dataclass
class ClassInfo:
    node: ast.ClassDef
    methods: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=dict)
    attrs: dict[str, list[ast.expr]] = field(default_factory=dict)  # class body assignments
    self_attrs: dict[str, list[ast.expr]] = field(default_factory=dict)  # self.x = ... in methods
    bases: list[str] = field(default_factory=list)


@dataclass
class Labels:
    """A resolved label list (possibly empty with a reason)."""

    labels: list[str]
    name: str | None = None
    unresolved: str | None = None
    at: dict[str, Any] | None = None  # span of the literal, with "file"
    spans: list[dict[str, Any]] | None = None
    groups: list[tuple[str, list[str]]] | None = None  # dict literal: value -> keys with that value


@dataclass
class ModuleInfo:
    parsed: Parsed
    file: str  # as it is reported in Site.file
    modname: str | None = None
    consts: dict[str, list[ast.expr]] = field(default_factory=dict)
    const_reasons: dict[str, str] = field(default_factory=dict)  # names set inside `with open(...)`
    extends: dict[str, list[ast.expr]] = field(default_factory=dict)  # NAME.extend/append/+= at top level
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=dict)
    classes: dict[str, ClassInfo] = field(default_factory=dict)
    imports: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # local -> (module, name)
    workspace: "Workspace | None" = None

    @property
    def tree(self) -> ast.Module:
        return self.parsed.tree  # type: ignore[return-value]

    def mutated_elsewhere(self, name: str) -> bool:
        """Is an (empty) list filled by code we do not evaluate (``FOOD.append(x)`` in a loop or function)?"""
        text = "\n".join(self.parsed.lines)
        return bool(re.search(r"\b" + re.escape(name) + r"\s*(\.\s*(append|extend|add|update|insert)\s*\(|\+=|\|=)",
                              text))

    def imported_module(self, local: str) -> "ModuleInfo | None":
        imp = self.imports.get(local)
        if imp is None or self.workspace is None:
            return None
        mod, name = imp
        if name is None:
            return self.workspace.module_info(mod, self.file)
        # `from pkg import mod` may name a module
        return self.workspace.module_info(f"{mod}.{name}" if mod else name, self.file)

    def imported_symbol(self, local: str) -> tuple["ModuleInfo", str] | None:
        imp = self.imports.get(local)
        if imp is None or self.workspace is None or imp[1] is None:
            return None
        if not imp[0]:
            return None
        info = self.workspace.module_info(imp[0], self.file)
        if info is None:
            return None
        return info, imp[1]


def _import_base(node: ast.ImportFrom, modname: str | None) -> str:
    if not node.level:
        return node.module or ""
    parts = (modname or "").split(".")
    # a module's package is its name minus the last part (an __init__ is named after the package)
    pkg = parts[: max(0, len(parts) - node.level)] if parts != [""] else []
    base = ".".join(pkg)
    if node.module:
        base = f"{base}.{node.module}" if base else node.module
    return base


def build_module(parsed: Parsed, file: str, modname: str | None = None, workspace: "Workspace | None" = None) -> ModuleInfo:
    info = ModuleInfo(parsed=parsed, file=file, modname=modname, workspace=workspace)
    tree = parsed.tree
    if tree is None:
        return info

    def visit_block(body: list[ast.stmt]) -> None:
        for stmt in body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                info.functions[stmt.name] = stmt
            elif isinstance(stmt, ast.ClassDef):
                info.classes[stmt.name] = _build_class(stmt)
            elif isinstance(stmt, ast.Assign):
                for t in stmt.targets:
                    if isinstance(t, ast.Name):
                        info.consts.setdefault(t.id, []).append(stmt.value)
                    elif isinstance(t, (ast.Tuple, ast.List)) and isinstance(stmt.value, (ast.Tuple, ast.List)):
                        for a, b in zip(t.elts, stmt.value.elts):
                            if isinstance(a, ast.Name):
                                info.consts.setdefault(a.id, []).append(b)
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
                info.consts.setdefault(stmt.target.id, []).append(stmt.value)
            elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
                info.extends.setdefault(stmt.target.id, []).append(stmt.value)
            elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
                f = stmt.value.func
                if (isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name)
                        and f.attr in ("extend", "append", "add", "update") and stmt.value.args):
                    arg = stmt.value.args[0]
                    if f.attr in ("append", "add"):
                        arg = ast.List(elts=[arg], ctx=ast.Load())
                    info.extends.setdefault(f.value.id, []).append(arg)
            elif isinstance(stmt, ast.Import):
                for a in stmt.names:
                    if a.asname:
                        info.imports[a.asname] = (a.name, None)
                    else:
                        info.imports[a.name.split(".")[0]] = (a.name.split(".")[0], None)
            elif isinstance(stmt, ast.ImportFrom):
                base = _import_base(stmt, modname)
                for a in stmt.names:
                    if a.name != "*":
                        info.imports[a.asname or a.name] = (base, a.name)
            elif isinstance(stmt, ast.With):
                before = set(info.consts)
                visit_block(stmt.body)
                reason = next((_runtime_reason(it.context_expr) for it in stmt.items), None)
                if reason and reason != "computed at run time":
                    for name in set(info.consts) - before:
                        info.const_reasons[name] = reason
            elif isinstance(stmt, (ast.If, ast.Try)) and not _is_main_guard(stmt):
                visit_block(stmt.body)  # `try: import x except ImportError: ...`, `if TYPE_CHECKING:`
                for h in getattr(stmt, "handlers", []):
                    visit_block(h.body)

    visit_block(tree.body)
    return info


def _is_main_guard(stmt: ast.stmt) -> bool:
    return (isinstance(stmt, ast.If) and isinstance(stmt.test, ast.Compare)
            and isinstance(stmt.test.left, ast.Name) and stmt.test.left.id == "__name__")


def _build_class(node: ast.ClassDef) -> ClassInfo:
    ci = ClassInfo(node=node, bases=[b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases])
    for stmt in node.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            ci.methods[stmt.name] = stmt
            for sub in _walk_statements(stmt.body):
                if isinstance(sub, ast.Assign):
                    for t in sub.targets:
                        if (isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name)
                                and t.value.id == "self"):
                            ci.self_attrs.setdefault(t.attr, []).append(sub.value)
        elif isinstance(stmt, ast.Assign):
            for t in stmt.targets:
                if isinstance(t, ast.Name):
                    ci.attrs.setdefault(t.id, []).append(stmt.value)
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
            ci.attrs.setdefault(stmt.target.id, []).append(stmt.value)
    return ci


# ---------------------------------------------------------------------------------------------
# Resolution of constant expressions


class Scope:
    """Where names are looked up: a function's local assignments, its class, its module."""

    def __init__(self, module: ModuleInfo, func: ast.AST | None = None, cls: ClassInfo | None = None,
                 local_assigns: dict[str, list[ast.expr]] | None = None):
        self.module = module
        self.func = func
        self.cls = cls
        self._locals = local_assigns
        self.overrides: dict[str, list[ast.expr]] = {}  # constant arguments bound by a caller

    @property
    def locals(self) -> dict[str, list[ast.expr]]:
        if self._locals is None and self.func is not None:
            self._locals = getattr(self.func, "_chameleon_locals", None)  # computed once per parsed function
        if self._locals is None:
            self._locals = {}
            if self.func is not None:
                try:
                    self.func._chameleon_locals = self._locals  # type: ignore[attr-defined]
                except AttributeError:  # pragma: no cover
                    pass
                if isinstance(self.func, ast.Lambda):
                    return self._locals
                _collect_assigns(self.func.body, self._locals)  # type: ignore[attr-defined]
        return self._locals

    def param_default(self, name: str) -> ast.expr | None:
        f = self.func
        if not isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return None
        a = f.args
        pos = a.posonlyargs + a.args
        defaults = [None] * (len(pos) - len(a.defaults)) + list(a.defaults)
        for p, d in zip(pos, defaults):
            if p.arg == name:
                return d
        for p, d in zip(a.kwonlyargs, a.kw_defaults):
            if p.arg == name:
                return d
        return None

    def is_param(self, name: str) -> bool:
        f = self.func
        if not isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return False
        a = f.args
        return any(p.arg == name for p in a.posonlyargs + a.args + a.kwonlyargs)

    def param_annotation(self, name: str) -> ast.expr | None:
        f = self.func
        if not isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return None
        a = f.args
        for p in a.posonlyargs + a.args + a.kwonlyargs:
            if p.arg == name:
                return p.annotation
        return None

    def lookup(self, name: str) -> tuple[list[ast.expr], "Scope"] | None:
        """The expressions assigned to a name, and the scope to resolve them in."""
        if name in self.overrides:
            return self.overrides[name], self
        if self.func is not None:
            if name in self.locals:
                return self.locals[name], self
            d = self.param_default(name)
            if d is not None:
                return [d], self
            if self.is_param(name):
                return None
        m = self.module
        if name in m.consts:
            vals = list(m.consts[name]) + list(m.extends.get(name, []))
            return vals, Scope(m)
        sym = m.imported_symbol(name)
        if sym is not None:
            other, oname = sym
            if oname in other.consts:
                return list(other.consts[oname]) + list(other.extends.get(oname, [])), Scope(other)
        return None

    def expr_lookup(self, expr: ast.expr) -> tuple[list[ast.expr], "Scope"] | None:
        """`lookup` for a name, `attr_lookup` for an attribute; None for any other expression."""
        if isinstance(expr, ast.Name):
            return self.lookup(expr.id)
        if isinstance(expr, ast.Attribute):
            return self.attr_lookup(expr)
        return None

    def attr_lookup(self, node: ast.Attribute) -> tuple[list[ast.expr], "Scope"] | None:
        base = node.value
        if isinstance(base, ast.Name):
            if base.id in ("self", "cls") and self.cls is not None:
                ci = self.cls
                if node.attr in ci.attrs:
                    return ci.attrs[node.attr], Scope(self.module, cls=ci)
                if node.attr in ci.self_attrs:
                    return ci.self_attrs[node.attr], Scope(self.module, cls=ci)
                for b in ci.bases:  # a base class in the same module
                    bci = self.module.classes.get(b)
                    if bci is not None and node.attr in bci.attrs:
                        return bci.attrs[node.attr], Scope(self.module, cls=bci)
                return None
            ci = self.module.classes.get(base.id)
            if ci is not None and node.attr in ci.attrs:
                return ci.attrs[node.attr], Scope(self.module, cls=ci)
            other = self.module.imported_module(base.id)
            if other is not None and node.attr in other.consts:
                return list(other.consts[node.attr]) + list(other.extends.get(node.attr, [])), Scope(other)
            sym = self.module.imported_symbol(base.id)  # `from config import Settings` ... Settings.X
            if sym is not None:
                om, oname = sym
                oci = om.classes.get(oname)
                if oci is not None and node.attr in oci.attrs:
                    return oci.attrs[node.attr], Scope(om, cls=oci)
        return None


_BLOCKS = (ast.If, ast.For, ast.AsyncFor, ast.While)
_WITHS = (ast.With, ast.AsyncWith)


def _collect_assigns(body: list[ast.stmt], out: dict[str, list[ast.expr]]) -> None:
    """``name = value`` assignments in a function body and its nested blocks (not nested defs): the hot path
    of constant resolution, so a plain loop rather than a generic walk."""
    for st in body:
        t = type(st)
        if t is ast.Assign:
            for tg in st.targets:  # type: ignore[attr-defined]
                if type(tg) is ast.Name:
                    out.setdefault(tg.id, []).append(st.value)  # type: ignore[attr-defined]
        elif t is ast.AnnAssign:
            if type(st.target) is ast.Name and st.value is not None:  # type: ignore[attr-defined]
                out.setdefault(st.target.id, []).append(st.value)  # type: ignore[attr-defined]
        elif t in _BLOCKS:
            _collect_assigns(st.body, out)  # type: ignore[attr-defined]
            _collect_assigns(st.orelse, out)  # type: ignore[attr-defined]
        elif t in _WITHS:
            _collect_assigns(st.body, out)  # type: ignore[attr-defined]
        elif t is ast.Try or t.__name__ == "TryStar":
            _collect_assigns(st.body, out)  # type: ignore[attr-defined]
            for h in st.handlers:  # type: ignore[attr-defined]
                _collect_assigns(h.body, out)
            _collect_assigns(st.orelse, out)  # type: ignore[attr-defined]
            _collect_assigns(st.finalbody, out)  # type: ignore[attr-defined]
        elif t.__name__ == "Match":
            for c in st.cases:  # type: ignore[attr-defined]
                _collect_assigns(c.body, out)


def _walk_statements(body: list[ast.stmt]):
    """Statements of a function body, nested blocks included, nested defs excluded (no expressions)."""
    stack = list(reversed(body))
    while stack:
        n = stack.pop()
        yield n
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for f in ("body", "orelse", "finalbody"):
            sub = getattr(n, f, None)
            if sub:
                stack.extend(reversed(sub))
        for h in getattr(n, "handlers", ()) or ():
            stack.extend(reversed(h.body))
        for c in getattr(n, "cases", ()) or ():
            stack.extend(reversed(c.body))


def _runtime_reason(expr: ast.AST) -> str:
    for sub in ast.walk(expr):
        if isinstance(sub, ast.Call):
            f = sub.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
            if name in RUNTIME_CALLS:
                return RUNTIME_CALLS[name]
    if isinstance(expr, ast.Subscript) and isinstance(expr.value, ast.Attribute) and expr.value.attr == "environ":
        return "read from the environment at run time"
    return "computed at run time"


def resolve_strings(expr: ast.expr, scope: Scope, depth: int = 0, want_spans: bool = True) -> Labels:
    """A label list from a constant expression. Never raises."""
    try:
        return _resolve(expr, scope, depth, want_spans)
    except RecursionError:
        return Labels([], unresolved="too deeply nested to resolve")


def _span(scope: Scope, node: ast.AST) -> dict[str, Any]:
    sp = scope.module.parsed.span(node)
    return {"file": scope.module.file, **sp}


def _resolve(expr: ast.expr, scope: Scope, depth: int, want_spans: bool) -> Labels:
    why = getattr(expr, "_chameleon_unresolved", None)
    if why:  # a caller's argument we could not resolve either, with the caller's reason
        return Labels([], name=getattr(expr, "_chameleon_name", None), unresolved=why)
    if depth > MAX_DEPTH:
        return Labels([], unresolved="constant defined through too many names")
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        sp = _span(scope, expr) if want_spans else None
        return Labels([expr.value], at=sp, spans=[{"label": expr.value, **{k: v for k, v in sp.items() if k != "file"}}] if sp else None)
    if isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
        out: list[str] = []
        spans: list[dict[str, Any]] = []
        reason = None
        for e in expr.elts:
            if isinstance(e, ast.Starred):
                e = e.value
            if isinstance(e, ast.Constant) and isinstance(e.value, str):
                out.append(e.value)
                if want_spans:
                    sp = scope.module.parsed.span(e)
                    spans.append({"label": e.value, **sp})
            elif isinstance(e, ast.Constant):
                continue
            else:
                sub = _resolve(e, scope, depth + 1, False)
                out.extend(sub.labels)
                reason = reason or sub.unresolved
        return Labels(out, unresolved=reason if not out else None,
                      at=_span(scope, expr) if want_spans else None, spans=spans or None)
    if isinstance(expr, ast.Dict):
        keys: list[str] = []
        groups: dict[str, list[str]] = {}
        spans = []
        for k, v in zip(expr.keys, expr.values):
            if isinstance(k, ast.Constant) and isinstance(k.value, str):
                keys.append(k.value)
                if want_spans:
                    spans.append({"label": k.value, **scope.module.parsed.span(k)})
                gname = _value_name(v)
                groups.setdefault(gname, []).append(k.value)
        scalar = all(isinstance(v, (ast.Constant, ast.Name, ast.Attribute)) for v in expr.values)
        return Labels(keys, at=_span(scope, expr) if want_spans else None, spans=spans or None,
                      groups=list(groups.items()) if scalar else None)  # {label: outcome} only
    if isinstance(expr, ast.Name):
        found = scope.lookup(expr.id)
        if found is None:
            if scope.func is not None and scope.is_param(expr.id):
                return Labels([], name=expr.id, unresolved=f"'{expr.id}' is a parameter, known only at run time")
            imp = scope.module.imports.get(expr.id)
            if imp is not None:
                where = imp[0] or "."
                return Labels([], name=expr.id, unresolved=f"'{expr.id}' is imported from {where}, which was not found")
            return Labels([], name=expr.id, unresolved=f"'{expr.id}' is not defined statically")
        vals, sc = found
        res = _merge([_resolve(v, sc, depth + 1, want_spans) for v in vals])
        res.name = getattr(vals[0], "_chameleon_name", None) or expr.id
        if not res.labels and expr.id in sc.module.const_reasons and sc.func is None:
            res.unresolved = sc.module.const_reasons[expr.id]
        elif not res.labels and not res.unresolved and sc.module.mutated_elsewhere(expr.id):
            res.unresolved = f"'{expr.id}' is filled at run time"
        return res
    if isinstance(expr, ast.Attribute):
        found = scope.attr_lookup(expr)
        if found is None:
            if expr.attr in ("value",):
                return Labels([], unresolved="computed at run time")
            return Labels([], name=expr.attr, unresolved=f"'{ast.unparse(expr)}' is not defined statically")
        vals, sc = found
        res = _merge([_resolve(v, sc, depth + 1, want_spans) for v in vals])
        res.name = expr.attr
        return res
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Add, ast.BitOr)):
        a = _resolve(expr.left, scope, depth + 1, want_spans)
        b = _resolve(expr.right, scope, depth + 1, want_spans)
        m = _merge([a, b])
        m.at = _span(scope, expr) if want_spans else None
        return m
    if isinstance(expr, ast.Call):
        f = expr.func
        fname = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
        if fname in ("set", "frozenset", "list", "tuple", "sorted") and len(expr.args) == 1:
            return _resolve(expr.args[0], scope, depth + 1, want_spans)
        if fname in ("set", "frozenset", "list", "tuple") and not expr.args:
            return Labels([])
        if fname == "split" and isinstance(f, ast.Attribute) and isinstance(f.value, ast.Constant) \
                and isinstance(f.value.value, str):
            sep = expr.args[0].value if expr.args and isinstance(expr.args[0], ast.Constant) else None
            parts = [p.strip() for p in f.value.value.split(sep)] if sep else f.value.value.split()
            return Labels([p for p in parts if p], at=_span(scope, expr) if want_spans else None)
        if fname == "map" and len(expr.args) == 2 and isinstance(expr.args[0], ast.Attribute) \
                and expr.args[0].attr in _STR_TRANSFORMS:
            inner = _resolve(expr.args[1], scope, depth + 1, False)
            fn = _STR_TRANSFORMS[expr.args[0].attr]
            return Labels([fn(x) for x in inner.labels], name=inner.name, unresolved=inner.unresolved,
                          at=_span(scope, expr) if want_spans else None)
        if fname == "keys" and isinstance(f, ast.Attribute):
            r = _resolve(f.value, scope, depth + 1, want_spans)
            r.groups = None
            return r
        if fname == "values" and isinstance(f, ast.Attribute):
            d = _deref_dict(f.value, scope, depth)
            if d is not None:
                dd, sc = d
                return _merge([_resolve(v, sc, depth + 1, want_spans) for v in dd.values])
        if fname == "get" and isinstance(f, ast.Attribute) and expr.args:
            d = _deref_dict(f.value, scope, depth)
            if d is not None:
                dd, sc = d
                key = expr.args[0]
                for k, v in zip(dd.keys, dd.values):
                    if isinstance(k, ast.Constant) and isinstance(key, ast.Constant) and k.value == key.value:
                        return _resolve(v, sc, depth + 1, want_spans)
        return Labels([], unresolved=_runtime_reason(expr))
    if isinstance(expr, ast.Subscript):
        d = _deref_dict(expr.value, scope, depth)
        key = expr.slice
        if d is not None and isinstance(key, ast.Constant):
            dd, sc = d
            for k, v in zip(dd.keys, dd.values):
                if isinstance(k, ast.Constant) and k.value == key.value:
                    r = _resolve(v, sc, depth + 1, want_spans)
                    r.name = str(key.value)
                    return r
        return Labels([], unresolved=_runtime_reason(expr))
    if isinstance(expr, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
        return _resolve_comprehension(expr, scope, depth, want_spans)
    return Labels([], unresolved=_runtime_reason(expr))


_STR_TRANSFORMS = {"lower": str.lower, "upper": str.upper, "casefold": str.casefold, "strip": str.strip,
                   "title": str.title, "capitalize": str.capitalize}


def _resolve_comprehension(expr: ast.ListComp | ast.SetComp | ast.GeneratorExp, scope: Scope, depth: int,
                           want_spans: bool) -> Labels:
    """`[x.lower() for x in FOOD]`: a constant list, transformed element-wise."""
    if len(expr.generators) != 1 or expr.generators[0].ifs or not isinstance(expr.generators[0].target, ast.Name):
        return Labels([], unresolved=_runtime_reason(expr))
    g = expr.generators[0]
    var = g.target.id  # type: ignore[union-attr]
    src = _resolve(g.iter, scope, depth + 1, False)
    if not src.labels:
        return Labels([], unresolved=src.unresolved or _runtime_reason(expr))
    elt = expr.elt
    fns = []
    while isinstance(elt, ast.Call) and isinstance(elt.func, ast.Attribute) and not elt.args \
            and elt.func.attr in _STR_TRANSFORMS:
        fns.append(_STR_TRANSFORMS[elt.func.attr])
        elt = elt.func.value
    if not (isinstance(elt, ast.Name) and elt.id == var):
        return Labels([], unresolved=_runtime_reason(expr))
    out = []
    for lab in src.labels:
        for fn in reversed(fns):
            lab = fn(lab)
        out.append(lab)
    return Labels(out, name=src.name, at=_span(scope, expr) if want_spans else None)


def _value_name(v: ast.expr) -> str:
    if isinstance(v, ast.Constant):
        return str(v.value)
    try:
        return ast.unparse(v)[:40]
    except Exception:  # pragma: no cover
        return "?"


def _deref_dict(expr: ast.expr, scope: Scope, depth: int) -> tuple[ast.Dict, Scope] | None:
    for _ in range(MAX_DEPTH):
        if isinstance(expr, ast.Dict):
            return expr, scope
        found = scope.expr_lookup(expr)
        if not found:
            return None
        vals, scope = found
        expr = vals[0]
    return None


def deref_dict(expr: ast.expr, scope: Scope) -> tuple[ast.Dict, Scope] | None:
    try:
        return _deref_dict(expr, scope, 0)
    except RecursionError:
        return None


def _merge(parts: list[Labels]) -> Labels:
    out: list[str] = []
    spans: list[dict[str, Any]] = []
    reason = None
    at = None
    groups = None
    for p in parts:
        for lab in p.labels:
            if lab not in out:
                out.append(lab)
        if p.spans:
            spans.extend(p.spans)
        if p.unresolved and not p.labels:
            reason = reason or p.unresolved
        at = at or p.at
        if p.groups and len(parts) == 1:
            groups = p.groups
    return Labels(out, unresolved=None if out else reason, at=at, spans=spans or None, groups=groups)


def resolve_number(expr: ast.expr | None, scope: Scope, depth: int = 0) -> float | None:
    if expr is None or depth > MAX_DEPTH:
        return None
    if isinstance(expr, ast.Constant) and isinstance(expr.value, (int, float)) and not isinstance(expr.value, bool):
        return float(expr.value)
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, (ast.USub, ast.UAdd)):
        v = resolve_number(expr.operand, scope, depth + 1)
        return None if v is None else (-v if isinstance(expr.op, ast.USub) else v)
    if isinstance(expr, ast.BinOp):
        a = resolve_number(expr.left, scope, depth + 1)
        b = resolve_number(expr.right, scope, depth + 1)
        if a is None or b is None:
            return None
        try:
            if isinstance(expr.op, ast.Mult):
                return a * b
            if isinstance(expr.op, ast.Div):
                return a / b
            if isinstance(expr.op, ast.Add):
                return a + b
            if isinstance(expr.op, ast.Sub):
                return a - b
        except ZeroDivisionError:
            return None
        return None
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id in ("float", "int") and expr.args:
        return resolve_number(expr.args[0], scope, depth + 1)
    if isinstance(expr, ast.Subscript) and isinstance(expr.slice, ast.Constant):  # CONFIG["threshold"]
        d = deref_dict(expr.value, scope)
        if d is not None:
            for k, v in zip(d[0].keys, d[0].values):
                if isinstance(k, ast.Constant) and k.value == expr.slice.value:
                    return resolve_number(v, d[1], depth + 1)
        return None
    found = scope.expr_lookup(expr)
    if found:
        vals, sc = found
        if len(vals) == 1:
            return resolve_number(vals[0], sc, depth + 1)
    return None


def resolve_text(expr: ast.expr | None, scope: Scope, depth: int = 0) -> str:
    """Every constant string an expression is built from, concatenated (URLs, feature names)."""
    if expr is None or depth > MAX_DEPTH:
        return ""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    if isinstance(expr, ast.JoinedStr):
        return "".join(resolve_text(v, scope, depth + 1) for v in expr.values)
    if isinstance(expr, ast.FormattedValue):
        return resolve_text(expr.value, scope, depth + 1)
    if isinstance(expr, ast.BinOp):
        return resolve_text(expr.left, scope, depth + 1) + resolve_text(expr.right, scope, depth + 1)
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "format":
        return resolve_text(expr.func.value, scope, depth + 1)
    found = scope.expr_lookup(expr)
    if found:
        vals, sc = found
        return "".join(resolve_text(v, sc, depth + 1) for v in vals[:3])
    return ""


def const_value(expr: ast.expr, scope: Scope | None = None) -> Any:
    """A literal constant (for CHOICE values), or a marker object when not constant."""
    if isinstance(expr, ast.Constant):
        return expr.value
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.USub) and isinstance(expr.operand, ast.Constant):
        return -expr.operand.value  # type: ignore[operator]
    if isinstance(expr, ast.Attribute):  # Enum members: Bin.COMPOST
        try:
            return ast.unparse(expr)
        except Exception:  # pragma: no cover
            return NOT_CONST
    return NOT_CONST


class _NotConst:
    def __repr__(self) -> str:
        return "<not constant>"


NOT_CONST = _NotConst()

