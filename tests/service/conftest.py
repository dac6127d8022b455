"""Fixtures for the service tests (helpers live in ``svc_helpers``)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # svc_stub, svc_helpers

from svc_helpers import Running, start_thread_server  # noqa: E402


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Callable[..., Running]]:
    """``service(**ServiceConfig fields)`` starts a stub-trainer service; all are stopped at the end."""
    import svc_stub

    from chameleon_trainer.service.app import ServiceConfig

    started: list[Running] = []

    def start(**kw: Any) -> Running:
        kw.setdefault("data_dir", tmp_path / f"data{len(started)}")
        kw.setdefault("runner", svc_stub.runner)
        kw.setdefault("predictor_loader", svc_stub.load)
        r = start_thread_server(ServiceConfig(**kw))
        started.append(r)
        return r

    yield start
    for r in started:
        r.stop()



@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.delenv("CHAMELEON_TOKEN", raising=False)
    monkeypatch.delenv("CHAMELEON_SERVICE_RUNNER", raising=False)
