"""The trainer's public API: what the job service, serving and the CLI call.

Importing this module is cheap (no torch): heavy modules are imported inside the functions.

- ``customize(req)`` trains a model customized to one call site's decision and writes a complete
  model directory (atomically: built in a temp dir, then renamed).
- ``generic_model_dir(dataset)`` is the generic (API-like) model, trained once and cached.
- ``load_predictor(model_dir)`` gives the batched ``Predictor`` serving calls.
- ``list_datasets()`` names the registered datasets.

Model directory: ``meta.json``, ``weights.pt``, ``vocabulary.json``, ``abstract.json``,
``metrics.json``, ``report.json``, ``report.png``, ``curves.png``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from chameleon_server.abstract import Site

if TYPE_CHECKING:  # pragma: no cover
    from .predictor import Predictor

STAGES = ("data", "generic", "features", "basic", "customize", "evaluate", "report")


@dataclass
class CustomizeRequest:
    """One customization job: a call site with a decision, the data to learn it from, where to write."""

    site: Site
    dataset: str
    out_dir: Path
    base_model: str | None = None  # a generic model directory; None = the dataset's default generic model
    seed: int = 0
    options: dict = field(default_factory=dict)  # {"epochs": int, "max_train": int, "tiny": bool, ...}


@dataclass
class ProgressEvent:
    stage: str  # one of STAGES
    step: int
    total: int
    message: str = ""
    metrics: dict | None = None


class CancelledError(Exception):
    """``should_stop()`` returned true: the job stopped between batches and wrote nothing."""


class CustomizeError(Exception):
    """Bad input: unknown dataset, a site without a decision, labels that match nothing, ..."""


ProgressFn = Callable[[ProgressEvent], None]
StopFn = Callable[[], bool]


def list_datasets() -> list[dict]:
    """``[{"name", "task", "apis", "description", ...}]`` of the registered datasets."""
    from . import datasets

    return [d.to_dict() for d in datasets.DATASETS.values()]


def default_dataset(api: str) -> str | None:
    """The dataset that stands in for an API by default (``google.vision.label_detection`` -> fashion-scenes)."""
    from . import datasets

    return datasets.DEFAULT_DATASET_FOR_API.get(api)


def customize(req: CustomizeRequest, progress: ProgressFn | None = None, should_stop: StopFn | None = None) -> Path:
    """Train, evaluate and write a model customized to ``req.site``'s decision; returns ``req.out_dir``.

    Raises ``CustomizeError`` on bad input and ``CancelledError`` when ``should_stop()`` turns true.
    """
    from .customize import run_customize

    return run_customize(req, progress, should_stop)


def generic_model_dir(dataset: str, tiny: bool = False) -> Path:
    """The dataset's generic model directory (``~/.cache/chameleon-api/models/...``); trains it if missing."""
    from .generic import ensure_generic

    return ensure_generic(dataset, tiny=tiny)


def load_predictor(model_dir: Path) -> "Predictor":
    """A batched predictor for a generic or customized model directory."""
    from .predictor import load_predictor as _load

    return _load(Path(model_dir))
