"""Model vocabularies for the editor, torch-free.

The trainer exports each generic model's label vocabulary as JSON under
``chameleon_server/vocabularies/`` (``<dataset>.json`` plus ``index.json``: api -> default dataset).
A customized model's own vocabulary (``GET /v1/models/{id}/vocabulary``) is preferred when the
``.chameleon/`` redirect config names one; the server fetches it and hands it to :meth:`put_model`.
``CHAMELEON_VOCABULARIES`` (a directory) is searched before the packaged one, so a user (or a
test) can add vocabularies without touching the install.
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path
from typing import Any

PACKAGED_DIR = Path(__file__).resolve().parent.parent / "vocabularies"


def _labels_from_json(data: Any) -> list[str] | None:
    """A vocabulary file is a list of labels, or an object holding one (tolerant of both shapes)."""
    if isinstance(data, list):
        return [str(x) for x in data if isinstance(x, (str, int, float))]
    if isinstance(data, dict):
        for key in ("labels", "vocabulary", "names"):
            if isinstance(data.get(key), list):
                items = data[key]
                out = []
                for x in items:
                    if isinstance(x, str):
                        out.append(x)
                    elif isinstance(x, dict) and isinstance(x.get("name") or x.get("label"), str):
                        out.append(x.get("name") or x.get("label"))
                return out
    return None


class Vocabularies:
    """Vocabulary lookup by dataset, by API (via index.json) and by model id; cached in memory."""

    def __init__(self, dirs: list[Path] | None = None) -> None:
        if dirs is None:
            dirs = []
            extra = os.environ.get("CHAMELEON_VOCABULARIES")
            if extra:
                dirs.append(Path(extra))
            dirs.append(PACKAGED_DIR)
        self.dirs = dirs
        self._by_dataset: dict[str, list[str] | None] = {}
        self._by_model: dict[str, list[str]] = {}
        self._index: dict[str, str] | None = None
        self._apis: dict[str, set[str]] = {}

    def index(self) -> dict[str, str]:
        """api -> default dataset, merged over all directories (earlier directories win)."""
        if self._index is None:
            merged: dict[str, str] = {}
            for d in reversed(self.dirs):
                try:
                    data = json.loads((d / "index.json").read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    continue
                if isinstance(data, dict):
                    src = data.get("apis", data) if isinstance(data.get("apis"), dict) else data
                    for api, ds in src.items():
                        if isinstance(ds, str):
                            merged[api] = ds
                        elif isinstance(ds, dict) and isinstance(ds.get("dataset"), str):
                            merged[api] = ds["dataset"]
            self._index = merged
        return self._index

    def default_dataset(self, api: str) -> str | None:
        return self.index().get(api)

    def dataset(self, name: str) -> list[str] | None:
        if name not in self._by_dataset:
            labels = None
            for d in self.dirs:
                try:
                    data = json.loads((d / f"{name}.json").read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    continue
                labels = _labels_from_json(data)
                if labels is not None:
                    if isinstance(data, dict) and isinstance(data.get("apis"), list):
                        self._apis[name] = {str(a) for a in data["apis"]}
                    break
            self._by_dataset[name] = labels
        return self._by_dataset[name]

    def serves(self, name: str, api: str) -> bool:
        """Whether dataset ``name`` stands in for ``api`` (unknown when its file does not say)."""
        self.dataset(name)
        apis = self._apis.get(name)
        return apis is None or api in apis

    def put_model(self, model_id: str, labels: list[str]) -> None:
        self._by_model[model_id] = list(labels)

    def has_model(self, model_id: str) -> bool:
        return model_id in self._by_model

    def for_site(self, api: str, dataset: str | None = None, model_id: str | None = None) -> tuple[str, list[str]] | None:
        """(source name, labels) for a call site: the customized model's, else the dataset's.

        ``dataset`` is the user's setting; it only applies if that vocabulary exists, so a
        text dataset configured globally does not blank out image APIs.
        """
        if model_id and model_id in self._by_model:
            return f"model {model_id}", self._by_model[model_id]
        for name in (dataset, self.default_dataset(api)):
            if name and self.serves(name, api):
                labels = self.dataset(name)
                if labels:
                    return name, labels
        return None


def nearest_labels(label: str, vocabulary: list[str], n: int = 3) -> list[str]:
    """The closest real labels to a listed one (case-insensitive), for diagnostics and quick fixes."""
    folded: dict[str, str] = {}
    for v in vocabulary:
        folded.setdefault(v.casefold(), v)
    hits = difflib.get_close_matches(label.casefold(), list(folded), n=n, cutoff=0.6)
    return [folded[h] for h in hits]
