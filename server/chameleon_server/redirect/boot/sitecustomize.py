"""Loaded by Python at startup in an app started with `chameleon run` (this directory is put first
on PYTHONPATH). It points the real Google Cloud clients at the customized model without touching the
app: when the app imports a client module, its client class is patched so every instance uses the
REST transport, the model's endpoint (``client_options.api_endpoint``) and the service's token
(static bearer credentials); apps that call the Google REST endpoints with ``requests`` have those
URLs rewritten to the model's endpoint. boto3 needs nothing here: `chameleon run` sets
``AWS_ENDPOINT_URL_REKOGNITION`` and credentials in the environment.

Nothing is imported eagerly (startup stays fast); another ``sitecustomize`` this one shadows is
still run afterwards.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import json
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))

# module -> (client classes, redirect key); "requests.sessions" is the REST path (apps that post to
# https://vision.googleapis.com/v1/images:annotate themselves).
_TARGETS = {
    "google.cloud.vision_v1.services.image_annotator.client": (("ImageAnnotatorClient",), "google.vision"),
    "google.cloud.language_v1.services.language_service.client": (("LanguageServiceClient",), "google.language"),
    "google.cloud.language_v2.services.language_service.client": (("LanguageServiceClient",), "google.language"),
    "requests.sessions": (("Session",), "rest"),
}
_REST_HOSTS = {"https://vision.googleapis.com": "google.vision", "https://language.googleapis.com": "google.language"}


def _patch_requests(module) -> None:
    """Rewrite Google REST URLs to the model's endpoint and present the service token instead of the
    app's API key (the ``key`` parameter is left alone; the service reads the bearer header first)."""
    cfg = _config()
    hosts = {prefix: cfg[key] for prefix, key in _REST_HOSTS.items() if cfg.get(key)}
    session = getattr(module, "Session", None)
    if not hosts or session is None or getattr(session, "_chameleon_redirected", False):
        return
    original = session.request

    def request(self, method, url, *args, __original=original, **kwargs):
        u = url if isinstance(url, str) else str(url)
        for prefix, target in hosts.items():
            if u.startswith(prefix + "/"):
                url = target["base"] + u[len(prefix):]
                if target.get("token"):
                    headers = dict(kwargs.get("headers") or {})
                    headers["Authorization"] = f"Bearer {target['token']}"
                    kwargs["headers"] = headers
                break
        return __original(self, method, url, *args, **kwargs)

    session.request = request
    session._chameleon_redirected = True


def _config() -> dict:
    try:
        return json.loads(os.environ.get("CHAMELEON_REDIRECT") or "{}")
    except ValueError:
        return {}


def _patch(module, class_names, key: str) -> None:
    if key == "rest":
        _patch_requests(module)
        return
    target = _config().get(key)
    if not target:
        return
    for name in class_names:
        cls = getattr(module, name, None)
        if cls is None or getattr(cls, "_chameleon_redirected", False):
            continue
        original = cls.__init__

        def __init__(self, *args, __original=original, __target=target, **kwargs):
            from google.api_core import client_options as co

            opts = kwargs.get("client_options")
            if opts is None:
                opts = co.ClientOptions()
            elif isinstance(opts, dict):
                opts = co.from_dict(opts)
            opts.api_endpoint = __target["base"]
            opts.api_key = None  # credentials below replace any key the app set
            kwargs["client_options"] = opts
            kwargs["transport"] = "rest"
            token = __target.get("token")
            if token:
                from google.oauth2.credentials import Credentials

                kwargs["credentials"] = Credentials(token=token)
            else:
                from google.auth.credentials import AnonymousCredentials

                kwargs["credentials"] = AnonymousCredentials()
            __original(self, *args, **kwargs)

        cls.__init__ = __init__
        cls._chameleon_redirected = True


class _RedirectFinder(importlib.abc.MetaPathFinder):
    """Finds the target modules with the normal machinery, then patches them right after they load."""

    def find_spec(self, fullname, path, target=None):
        if fullname not in _TARGETS:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return None
        loader = spec.loader
        exec_module = loader.exec_module
        class_names, key = _TARGETS[fullname]

        def patched_exec(module, __exec=exec_module):
            __exec(module)
            _patch(module, class_names, key)

        loader.exec_module = patched_exec  # this loader instance serves this one module only
        return spec


def _install() -> None:
    if not _config():
        return
    sys.meta_path.insert(0, _RedirectFinder())
    for name, (class_names, key) in _TARGETS.items():  # already imported (unlikely at startup)
        if name in sys.modules:
            _patch(sys.modules[name], class_names, key)


def _chain() -> None:
    """Run the sitecustomize this file shadows, if any."""
    others = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", others)
    if spec is not None and spec.loader is not None and spec.origin != __file__:
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)


_install()
try:
    import importlib.util

    _chain()
except Exception as e:  # never break the app's startup
    print(f"chameleon: the shadowed sitecustomize failed: {e}", file=sys.stderr)
