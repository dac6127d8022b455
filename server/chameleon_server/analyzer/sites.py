"""Finding the ML API call sites of a function, however the client was reached.

A call counts when its method is one of the APIs' and its receiver is (or may be) the right client:
``vision.ImageAnnotatorClient()`` under any alias, ``boto3.client('rekognition')`` or a session's,
a client kept on ``self`` or in a module global, or a parameter (distinctive method names only).
A receiver that is clearly something else (an instance of the app's own wrapper class, ``self``
in a class that defines the method) is not a site: precision over recall.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from . import apis
from .symbols import Scope, resolve_number, resolve_text

MAX_CHASE = 8


@dataclass
class SiteCall:
    node: ast.Call
    api: str
    top_k: int | None = None
    min_score: float | None = None
    http: bool = False  # REST: the value is an HTTP response, .json() gives the JSON
    returns_list: bool = False  # the old vision API returns the annotations themselves
    operation: bool = False  # a long-running operation: the response is its .result()


def _call_name(f: ast.expr) -> str:
    if isinstance(f, ast.Name):
        return f.id
    if isinstance(f, ast.Attribute):
        return f.attr
    return ""


def client_service(expr: ast.expr, scope: Scope, depth: int = 0) -> str | None:
    """'vision', 'language', 'speech', 'rekognition', 'comprehend', 'other' (not a client) or None (unknown)."""
    if depth > MAX_CHASE:
        return None
    if isinstance(expr, ast.Call):
        name = _call_name(expr.func)
        if name in apis.CLIENT_CLASSES:
            return apis.CLIENT_CLASSES[name]
        # ImageAnnotatorClient.from_service_account_json(...) and other factory class methods
        f = expr.func
        while isinstance(f, ast.Attribute):
            f = f.value
            n = _call_name(f) if isinstance(f, (ast.Attribute, ast.Name)) else ""
            if n in apis.CLIENT_CLASSES:
                return apis.CLIENT_CLASSES[n]
        if name == "client" or name == "resource":
            svc = expr.args[0] if expr.args else next((k.value for k in expr.keywords if k.arg == "service_name"), None)
            text = resolve_text(svc, scope) if svc is not None else ""
            return apis.BOTO_SERVICES.get(text, "other" if text else None)
        if isinstance(expr.func, ast.Name) and expr.func.id in scope.module.functions:
            # a factory in this module: what does it return?
            fn = scope.module.functions[expr.func.id]
            rets = [r.value for r in _returns(fn) if r.value is not None]
            if rets:
                sub = Scope(scope.module, fn)
                return _service_of({client_service(r, sub, depth + 1) for r in rets[:4]})
            return None
        # SomeClass(...) / SomeClass.from_file(...): an instance of the app's own or a library's class
        root = expr.func
        while isinstance(root, ast.Attribute):
            root = root.value
        head = expr.func.id if isinstance(expr.func, ast.Name) else (root.id if isinstance(root, ast.Name) else "")
        if head[:1].isupper() or head in scope.module.classes:
            return "other"
        return None
    if isinstance(expr, ast.Await):
        return client_service(expr.value, scope, depth + 1)
    found = None
    if isinstance(expr, ast.Name):
        if expr.id in ("self", "cls"):
            return "other"
        found = scope.lookup(expr.id)
        if found is None:
            ann = scope.param_annotation(expr.id) if scope.func is not None else None
            if ann is not None:
                text = ast.unparse(ann)
                for cls_name, svc in apis.CLIENT_CLASSES.items():
                    if cls_name in text:
                        return svc
                for key, svc in (("Rekognition", "rekognition"), ("Comprehend", "comprehend")):
                    if key in text:
                        return svc
            return None
    elif isinstance(expr, ast.Attribute):
        found = scope.attr_lookup(expr)
        if found is None:
            return None
    else:
        return None
    vals, sc = found
    return _service_of({client_service(v, sc, depth + 1) for v in vals})


def _service_of(found: set[str | None]) -> str | None:
    """What several possible values are: a provider's client if any is one, else unknown if any is, else 'other'."""
    for svc in ("vision", "language", "speech", "rekognition", "comprehend"):
        if svc in found:
            return svc
    return None if None in found else "other"


def _returns(fn: ast.AST) -> list[ast.Return]:
    out = []
    stack = list(getattr(fn, "body", []))
    while stack:
        n = stack.pop()
        if isinstance(n, ast.Return):
            out.append(n)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        else:
            for f in ("body", "orelse", "finalbody"):
                stack.extend(getattr(n, f, []) or [])
            for h in getattr(n, "handlers", []) or []:
                stack.extend(h.body)
    return out


_CLIENT_HINTS = ("client", "rekognition", "rek", "comprehend", "vision", "language", "speech", "aws", "gcp",
                 "google", "boto", "annotator", "service", "api")


def _imports_provider(scope: Scope) -> bool:
    """Does the module import a provider's SDK (so an unresolved receiver is likely one of its clients)?"""
    for mod, name in scope.module.imports.values():
        root = (mod or name or "").split(".")[0]
        if root in ("google", "googleapiclient", "boto3", "botocore", "aioboto3", "aiobotocore"):
            return True
    return False


def _chain_call(expr: ast.expr, scope: Scope, depth: int = 0) -> ast.Call | None:
    """The call an expression is, or was assigned from (`request = svc.images().annotate(...)`)."""
    if isinstance(expr, ast.Call):
        return expr
    if isinstance(expr, ast.Name) and depth < 3:
        found = scope.lookup(expr.id)
        if found and len(found[0]) >= 1:
            return _chain_call(found[0][-1], found[1], depth + 1)
    return None


def _made_by(expr: ast.expr, scope: Scope, method: str) -> bool:
    """Is ``expr`` the result of a ``.method(...)`` call (directly or through a variable)?"""
    c = _chain_call(expr, scope)
    return c is not None and isinstance(c.func, ast.Attribute) and c.func.attr == method


def _kw(call: ast.Call, *names: str) -> ast.expr | None:
    for k in call.keywords:
        if k.arg in names:
            return k.value
    return None


def _features_in(node: ast.AST) -> list[str]:
    """Feature names (`LABEL_DETECTION`) written in a node, as an attribute or a string."""
    found = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute) and apis.FEATURE_RE.fullmatch(sub.attr):
            found.append(sub.attr)
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str) and apis.FEATURE_RE.fullmatch(sub.value):
            found.append(sub.value)
    return found


def _feature_api(call: ast.Call, scope: Scope, unit_text: str, module_text: str) -> tuple[str | None, int | None]:
    found = _features_in(call)
    for sub in ast.walk(call):
        lk = scope.lookup(sub.id) if isinstance(sub, ast.Name) else None
        if lk:  # features = [...] passed by name
            for v in lk[0][:3]:
                found.extend(_features_in(v))
    if not found:
        found = apis.FEATURE_RE.findall(unit_text) or apis.FEATURE_RE.findall(module_text)
    top_k = None
    m = apis.MAX_RESULTS_RE.search(unit_text)
    if m:
        top_k = int(m.group(1))
    for feat, api in apis.FEATURES:
        if feat in found:
            return api, top_k
    return None, None


def classify_call(call: ast.Call, scope: Scope, unit_text: str, module_text: str,
                  local_functions: set[str]) -> SiteCall | None:
    """The API a call makes, or None. Never raises on odd code."""
    f = call.func
    if isinstance(f, ast.Attribute):
        meth = f.attr
        if meth in apis.OLD_VISION_METHODS and _made_by(f.value, scope, "image"):
            n = resolve_number(_kw(call, "limit"), scope) if _kw(call, "limit") is not None else None
            return SiteCall(call, apis.OLD_VISION_METHODS[meth], top_k=int(n) if n else None, returns_list=True)
        if meth == "execute":
            inner = _chain_call(f.value, scope)
            if inner is not None and isinstance(inner.func, ast.Attribute) and inner.func.attr in apis.DISCOVERY_METHODS:
                api = apis.DISCOVERY_METHODS[inner.func.attr]
                top_k = None
                if api == "vision":
                    api, top_k = _feature_api(inner, scope, unit_text, module_text)
                    if api is None:
                        return None
                return SiteCall(call, api, top_k=top_k)
            return None
        if meth in apis.METHODS:
            api, need = apis.METHODS[meth]
            recv = f.value
            if isinstance(recv, ast.Name) and recv.id in ("self", "cls"):
                return None  # the app's own method of that name
            svc = client_service(recv, scope)
            if svc == "other" or (svc is not None and svc != need):
                return None
            if svc is None:
                rtext = ast.unparse(recv).lower()
                if meth not in apis.DISTINCTIVE:
                    if "speech" not in rtext:
                        return None
                elif not (_imports_provider(scope) or any(h in rtext for h in _CLIENT_HINTS)):
                    return None  # an unknown object in a file that uses no provider library: the app's own method
            top_k = None
            min_score = None
            if not api:
                api, top_k = _feature_api(call, scope, unit_text, module_text)
                if api is None:
                    return None
            k = _kw(call, "max_results", "MaxLabels")
            if k is not None:
                n = resolve_number(k, scope)
                top_k = int(n) if n is not None else top_k
            k = _kw(call, "MinConfidence")
            if k is not None:
                n = resolve_number(k, scope)
                min_score = n / 100.0 if n is not None else None
            return SiteCall(call, api, top_k=top_k, min_score=min_score, operation=meth in apis.OPERATION_METHODS)
        if meth in apis.HTTP_FUNCS:
            return _rest(call, scope, unit_text, module_text)
    elif isinstance(f, ast.Name):
        if f.id in local_functions:
            return None
        if f.id in apis.HTTP_FUNCS:
            return _rest(call, scope, unit_text, module_text)
    return None


def _rest(call: ast.Call, scope: Scope, unit_text: str, module_text: str) -> SiteCall | None:
    url_expr = call.args[0] if call.args else _kw(call, "url")
    if isinstance(call.func, ast.Attribute) and call.func.attr == "request" and len(call.args) >= 2:
        url_expr = call.args[1]
    if url_expr is None:
        return None
    url = resolve_text(url_expr, scope)
    if not url and isinstance(url_expr, ast.Name):
        return None
    for marker, api in apis.REST_MARKERS.items():
        if marker in url:
            if api == "vision":
                api2, top_k = _feature_api(call, scope, unit_text, module_text)
                if api2 is None:
                    return None
                return SiteCall(call, api2, top_k=top_k, http=True)
            return SiteCall(call, api, http=True)
    return None
