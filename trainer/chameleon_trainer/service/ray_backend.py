"""Running jobs on an existing Ray cluster (``--backend ray --ray-address HOST:PORT``).

The service keeps its queue, store and HTTP side; each job becomes one Ray task (``num_gpus=1`` when
the cluster has GPUs, else one CPU) that runs the same runner on a cluster node. The model directory
travels back as a tar archive in the task's result, so the node needs no shared filesystem with the
service. Progress and cancellation go through a tiny per-job actor: the task pushes progress events
and polls a stop flag there; the service drains the events into SQLite and sets the flag on cancel.

The runner is named as ``module:function`` (default ``chameleon_trainer.service.runner:customize_runner``)
and must be importable on the cluster's workers (same project installed there).
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import tarfile
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable

from .executor import LocalExecutor
from .jobspec import JobSpec
from .runner import JobCancelled, JobInputError, ProgressFn, Runner, StopFn
from .store import JobStore

DEFAULT_RUNNER = "chameleon_trainer.service.runner:customize_runner"


def runner_name(runner: Runner | None) -> str:
    if runner is None:
        return os.environ.get("CHAMELEON_SERVICE_RUNNER") or DEFAULT_RUNNER
    return f"{runner.__module__}:{runner.__qualname__}"


class _JobControl:
    """Per-job mailbox (a Ray actor): progress events one way, the stop flag the other."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.stop = False

    def push(self, ev: dict[str, Any]) -> None:
        self.events.append(ev)

    def drain(self) -> list[dict[str, Any]]:
        out, self.events = self.events, []
        return out

    def request_stop(self) -> None:
        self.stop = True

    def should_stop(self) -> bool:
        return self.stop


def _remote_job(spec_dict: dict[str, Any], name: str, control: Any) -> bytes:
    """Runs on a Ray worker: the runner into a temp dir, returned as a tar archive."""
    import ray

    from .runner import resolve_runner

    spec = JobSpec.from_dict(spec_dict)
    runner = resolve_runner(name)
    polled = {"t": 0.0, "v": False}

    def should_stop() -> bool:
        now = time.monotonic()
        if not polled["v"] and now - polled["t"] > 0.2:
            polled.update(t=now, v=bool(ray.get(control.should_stop.remote())))
        return bool(polled["v"])

    def progress(ev: dict[str, Any]) -> None:
        control.push.remote(dict(ev, node=ray.util.get_node_ip_address()))

    tmp = Path(tempfile.mkdtemp(prefix="chameleon-job-"))
    try:
        out = tmp / "model"
        runner(spec, out, progress, should_stop)
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w:gz") as tar:
            tar.add(out, arcname="model")
        return buf.getvalue()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _unpack(data: bytes, out_dir: Path) -> None:
    """Extract the archive next to ``out_dir`` then rename: a model appears whole or not at all."""
    partial = out_dir.with_name(out_dir.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        tar.extractall(partial, filter="data")  # "data" refuses absolute paths, links out, devices
    os.replace(partial / "model", out_dir)
    shutil.rmtree(partial, ignore_errors=True)


class RayExecutor(LocalExecutor):
    """LocalExecutor's queue and threads, with each job's work done by a Ray task."""

    def __init__(self, store: JobStore, data_dir: Path, runner: Runner | None, *, address: str | None, workers: int = 1):
        self.address = address
        self.name = runner_name(runner)
        self._refs: dict[str, Any] = {}
        self._refs_lock = threading.Lock()
        super().__init__(store, data_dir, self._invoke, workers=workers)

    def start(self) -> None:
        host, _, port = (self.address or "").rpartition(":")
        if host in ("127.0.0.1", "localhost", "::1"):
            # Otherwise Ray rewrites a loopback address to the machine's outward IP and never connects.
            os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
        try:  # fail fast and clearly: ray.init would retry an unreachable address for minutes
            socket.create_connection((host or "127.0.0.1", int(port)), timeout=5).close()
        except (OSError, ValueError) as e:
            raise SystemExit(f"chameleon trainer serve: no Ray cluster answers at {self.address}: {e}") from None
        import ray

        try:
            ray.init(address=self.address, namespace="chameleon", log_to_driver=False, ignore_reinit_error=True,
                     logging_level="warning")
        except Exception as e:
            raise SystemExit(f"chameleon trainer serve: cannot join the Ray cluster at {self.address}: {e}") from None
        gpus = ray.cluster_resources().get("GPU", 0)
        self._task = ray.remote(num_gpus=1 if gpus else 0, num_cpus=0 if gpus else 1, max_retries=0)(_remote_job)
        self._control = ray.remote(num_cpus=0)(_JobControl)
        super().start()

    def _invoke(self, job_id: str, spec: JobSpec, out_dir: Path, progress: ProgressFn, should_stop: StopFn,
                jlog: Callable[[str], None]) -> None:
        import ray
        from ray.exceptions import RayTaskError, TaskCancelledError

        control = self._control.remote()
        ref = self._task.remote(spec.to_dict(), self.name, control)
        with self._refs_lock:
            self._refs[job_id] = ref
        jlog(f"submitted to the Ray cluster at {self.address} (runner {self.name})")
        asked = False
        try:
            while True:
                ready, _ = ray.wait([ref], timeout=0.2)
                for ev in ray.get(control.drain.remote()):
                    progress(ev)
                if not asked and should_stop():
                    control.request_stop.remote()
                    asked = True
                if ready:
                    break
            try:
                data = ray.get(ref)
            except TaskCancelledError:
                raise JobCancelled("the Ray task was cancelled") from None
            except RayTaskError as e:
                cause = getattr(e, "cause", None)
                if isinstance(cause, (JobCancelled, JobInputError)) or type(cause).__name__ in ("JobCancelled", "JobInputError"):
                    raise (JobCancelled if type(cause).__name__ == "JobCancelled" else JobInputError)(str(cause)) from None
                raise RuntimeError(f"the Ray task failed: {cause or e}") from None
            for ev in ray.get(control.drain.remote()):
                progress(ev)
            _unpack(data, out_dir)
        finally:
            with self._refs_lock:
                self._refs.pop(job_id, None)
            try:
                ray.kill(control)
            except Exception:
                pass

    def stop(self, timeout: float = 5.0) -> None:
        import ray

        with self._refs_lock:
            refs = list(self._refs.values())
            self.mark_interrupted(list(self._refs))
        for ref in refs:  # do not leave orphan training tasks on the cluster
            try:
                ray.cancel(ref, force=True)
            except Exception:
                pass
        super().stop(timeout)
        try:
            ray.shutdown()
        except Exception:
            pass
