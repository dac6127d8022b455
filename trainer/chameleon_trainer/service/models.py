"""Finished models in ``DATA_DIR/models/<id>/`` (one directory per successful job, written atomically
by the trainer), plus the generic models as ``generic-<dataset>``, and a small cache of loaded
predictors for serving.

Model ids come from URLs, so they are checked against a strict pattern and the resolved path must
stay under the models directory: a request can never read a file elsewhere.
"""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, Callable

MODEL_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$")  # no dots: temp dirs (x.partial) are never models
GENERIC_PREFIX = "generic-"
MODEL_FILES = {"report.png": "image/png", "curves.png": "image/png"}


class ModelNotFound(KeyError):
    pass


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


class ModelRegistry:
    def __init__(self, models_dir: Path, *, generic_dir: Callable[[str], Path] | None = None, cache_size: int = 4,
                 loader: Callable[[Path], Any] | None = None):
        self.models_dir = Path(models_dir)
        self._loader = loader
        self.models_dir.mkdir(parents=True, exist_ok=True)
        self._generic_dir = generic_dir
        self._cache: OrderedDict[str, Any] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self._loading: dict[str, threading.Lock] = {}  # per-model locks held while loading

    def path(self, model_id: str) -> Path:
        if not isinstance(model_id, str) or not MODEL_ID_RE.match(model_id) or ".." in model_id:
            raise ModelNotFound(f"invalid model id {model_id!r}")
        p = (self.models_dir / model_id).resolve()
        if p.parent != self.models_dir.resolve():
            raise ModelNotFound(f"invalid model id {model_id!r}")
        if (p / "meta.json").is_file():
            return p
        if model_id.startswith(GENERIC_PREFIX) and self._generic_dir is not None:
            try:
                g = Path(self._generic_dir(model_id[len(GENERIC_PREFIX):]))
            except Exception:
                raise ModelNotFound(f"no model {model_id!r}") from None
            if (g / "meta.json").is_file():
                return g
        raise ModelNotFound(f"no model {model_id!r}")

    def info(self, model_id: str) -> dict[str, Any]:
        p = self.path(model_id)
        meta = _read_json(p / "meta.json") or {}
        return {
            "id": model_id,
            "task": meta.get("task"),
            "api": meta.get("api"),
            "dataset": meta.get("dataset"),
            "base_model": meta.get("base_model"),
            "abstract_hash": meta.get("abstract_hash"),
            "metrics": _read_json(p / "metrics.json"),
            "created": meta.get("created"),
            "files": [f for f in MODEL_FILES if (p / f).is_file()],
        }

    def list(self) -> list[dict[str, Any]]:
        out = []
        for d in sorted(self.models_dir.iterdir()):
            if d.is_dir() and (d / "meta.json").is_file() and MODEL_ID_RE.match(d.name):
                out.append(self.info(d.name))
        return out

    def file(self, model_id: str, name: str) -> Path:
        if name not in MODEL_FILES:
            raise ModelNotFound(f"no file {name!r}")
        f = self.path(model_id) / name
        if not f.is_file():
            raise ModelNotFound(f"model {model_id!r} has no {name}")
        return f

    def vocabulary(self, model_id: str) -> list[str]:
        vocab = _read_json(self.path(model_id) / "vocabulary.json")
        if isinstance(vocab, dict):  # tolerate {"labels": [...]}
            vocab = vocab.get("labels")
        if not isinstance(vocab, list):
            raise ModelNotFound(f"model {model_id!r} has no vocabulary")
        return [v if isinstance(v, str) else str(v.get("name", v)) for v in vocab]

    def predictor(self, model_id: str) -> Any:
        """The loaded model (``chameleon_trainer.api.load_predictor``), kept in a small LRU cache."""
        p = self.path(model_id)
        key = str(p)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
            load_lock = self._loading.setdefault(key, threading.Lock())
        # One load per model even when its first requests arrive together: the others wait for it
        # (loading twice would double the memory and split the micro-batches across two copies).
        with load_lock:
            with self._lock:
                if key in self._cache:
                    self._cache.move_to_end(key)
                    return self._cache[key]
            if self._loader is not None:
                pred = self._loader(p)
            else:
                from chameleon_trainer.api import load_predictor  # torch comes in here, on first use

                pred = load_predictor(p)
            with self._lock:
                self._cache[key] = pred
                self._loading.pop(key, None)
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return pred
