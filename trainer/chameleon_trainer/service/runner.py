"""What a worker does with a job: the *runner* function, injectable so the job machinery (queue,
cancellation, restart, Ray) is independent of the trainer.

A runner is ``runner(spec, out_dir, progress, should_stop) -> None``: it writes a complete model
directory at ``out_dir`` (atomically), calls ``progress({"stage", "step", "total", "message",
"metrics"?})`` as it goes, polls ``should_stop()`` and raises :class:`JobCancelled` when it returns
True, and raises :class:`JobInputError` for bad input (unknown dataset, labels that match nothing...).

The default runner is :func:`customize_runner` (``chameleon_trainer.api.customize``). Another one can
be named with ``CHAMELEON_SERVICE_RUNNER=module:function`` (used by the tests for a deterministic
slow job, and a hook for other trainers).
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any, Callable

from .jobspec import JobSpec

ProgressFn = Callable[[dict[str, Any]], None]
StopFn = Callable[[], bool]
Runner = Callable[[JobSpec, Path, ProgressFn, StopFn], None]


class JobCancelled(Exception):
    """The job saw ``should_stop()`` and stopped."""


class JobInputError(Exception):
    """The job's input is wrong in a way only training could find; the message is shown as is."""


def customize_runner(spec: JobSpec, out_dir: Path, progress: ProgressFn, should_stop: StopFn) -> None:
    from chameleon_trainer import api

    req = api.CustomizeRequest(site=spec.site, dataset=spec.dataset, out_dir=Path(out_dir),
                               base_model=spec.base_model_dir, seed=spec.seed, options=dict(spec.options))

    def on_event(ev: Any) -> None:
        progress({"stage": ev.stage, "step": ev.step, "total": ev.total, "message": ev.message or "",
                  "metrics": getattr(ev, "metrics", None)})

    try:
        api.customize(req, progress=on_event, should_stop=should_stop)
    except api.CancelledError as e:
        raise JobCancelled(str(e) or "cancelled") from None
    except api.CustomizeError as e:
        raise JobInputError(str(e)) from None


def list_datasets() -> list[dict[str, Any]] | None:
    """The trainer's datasets, or None when the trainer is not importable (then names are not checked)."""
    try:
        from chameleon_trainer import api
    except ImportError:
        return None
    return list(api.list_datasets())


def generic_model_dir(name: str) -> Path:
    """``<dataset>`` or ``<dataset>-tiny`` -> that generic model's directory, only if already built
    (training one belongs in a job, never in a serving request)."""
    from chameleon_trainer import generic

    tiny = name.endswith("-tiny")
    dataset = name[: -len("-tiny")] if tiny else name
    return Path(generic.generic_dir_path(dataset, tiny))


def resolve_runner(name: str | None = None) -> Runner:
    name = name or os.environ.get("CHAMELEON_SERVICE_RUNNER")
    if not name:
        return customize_runner
    mod, _, fn = name.partition(":")
    if not fn:
        raise ValueError(f"CHAMELEON_SERVICE_RUNNER must be 'module:function', got {name!r}")
    return getattr(importlib.import_module(mod), fn)
