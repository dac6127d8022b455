"""Running jobs out of the request path.

:class:`LocalExecutor` keeps a FIFO of job ids and ``workers`` threads (default 1: one training job
per device at a time; queued jobs wait their turn). Torch releases the GIL in its kernels, so the
HTTP side stays responsive while a job trains. The Ray backend (``ray_backend.py``) reuses
:func:`run_job` with a different way of calling the runner.

Everything a job does is recorded: state and progress in the SQLite store, a text log in
``DATA_DIR/logs/<id>.log`` (served at ``/v1/jobs/{id}/log``), the model in ``DATA_DIR/models/<id>``.
"""

from __future__ import annotations

import json
import logging
import queue
import shutil
import threading
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from .jobspec import JobSpec
from .runner import JobCancelled, JobInputError, ProgressFn, Runner, StopFn
from .store import JobStore

log = logging.getLogger("chameleon.service")

# How a backend invokes the runner for one job: (job_id, spec, out_dir, progress, should_stop, log) -> None
Invoke = Callable[[str, JobSpec, Path, ProgressFn, StopFn, Callable[[str], None]], None]


class JobLog:
    """Append-only text log of one job (timestamps in UTC)."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def __call__(self, line: str) -> None:
        stamp = datetime.now(timezone.utc).strftime("%H:%M:%S.%f")[:-3]
        with self._lock, open(self.path, "a", encoding="utf-8") as f:
            f.write(f"{stamp} {line.rstrip()}\n")


def run_job(store: JobStore, data_dir: Path, job_id: str, invoke: Invoke) -> None:
    """Take one queued job through to a terminal state; never raises."""
    if not store.mark_running(job_id):
        return  # cancelled while it waited
    job = store.get(job_id)
    assert job is not None
    jlog = JobLog(Path(data_dir) / "logs" / f"{job_id}.log")
    out_dir = Path(data_dir) / "models" / job_id
    try:
        spec = JobSpec.from_dict(job.request["spec"])
    except Exception as e:  # a row written by an incompatible version
        store.finish(job_id, "failed", error=f"stored request is unreadable: {e}")
        return
    jlog(f"job {job_id}: {spec.site.api} at {spec.site.file}:{spec.site.line}, dataset {spec.dataset}, options {json.dumps(spec.options)}")

    last = {"t": 0.0, "stage": None}

    def progress(ev: dict[str, Any]) -> None:
        p = {"stage": str(ev.get("stage", "")), "step": int(ev.get("step") or 0),
             "total": int(ev.get("total") or 0), "message": str(ev.get("message") or "")}
        now = time.monotonic()
        # Throttle store writes (a batch loop can report hundreds per second), never drop a stage change.
        if p["stage"] != last["stage"] or now - last["t"] > 0.2 or p["step"] >= p["total"] or ev.get("metrics"):
            last.update(t=now, stage=p["stage"])
            store.set_progress(job_id, p, ev.get("metrics"))
            jlog(f"[{p['stage']}] {p['step']}/{p['total']} {p['message']}")

    stop_cache = {"t": 0.0, "v": False}

    def should_stop() -> bool:
        now = time.monotonic()
        if not stop_cache["v"] and now - stop_cache["t"] > 0.1:
            stop_cache.update(t=now, v=store.cancel_requested(job_id))
        return bool(stop_cache["v"])

    t0 = time.monotonic()
    try:
        invoke(job_id, spec, out_dir, progress, should_stop, jlog)
        if not (out_dir / "meta.json").is_file():
            raise RuntimeError("the trainer finished without writing a model directory")
        try:
            metrics = json.loads((out_dir / "metrics.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            metrics = None
        jlog(f"succeeded in {time.monotonic() - t0:.1f}s: model {job_id}")
        if not store.finish(job_id, "succeeded", model_id=job_id, metrics=metrics,
                            message=f"model {job_id} ready"):
            jlog("the job was cancelled as it finished; the model is kept")
    except JobCancelled as e:
        jlog(f"cancelled: {e}")
        store.finish(job_id, "cancelled", message=f"cancelled during {store.get(job_id).progress.get('stage')}")  # type: ignore[union-attr]
        _remove_partial(out_dir)
    except JobInputError as e:
        jlog(f"failed: {e}")
        store.finish(job_id, "failed", error=str(e))
        _remove_partial(out_dir)
    except Exception as e:  # a bug or a crash in the trainer: keep the traceback in the log, not in the API
        jlog("failed with an internal error:\n" + traceback.format_exc())
        log.exception("job %s failed", job_id)
        store.finish(job_id, "failed", error=f"internal error in the trainer: {type(e).__name__}: {e} (see the job log)")
        _remove_partial(out_dir)


def _remove_partial(out_dir: Path) -> None:
    """A failed/cancelled job leaves no model (a finished one elsewhere is never touched)."""
    if out_dir.exists() and not (out_dir / "meta.json").is_file():
        shutil.rmtree(out_dir, ignore_errors=True)


def local_invoke(runner: Runner) -> Invoke:
    def invoke(job_id: str, spec: JobSpec, out_dir: Path, progress: ProgressFn, should_stop: StopFn,
               jlog: Callable[[str], None]) -> None:
        runner(spec, out_dir, progress, should_stop)

    return invoke


class LocalExecutor:
    """``workers`` threads taking job ids from a FIFO queue."""

    def __init__(self, store: JobStore, data_dir: Path, invoke: Invoke, workers: int = 1):
        self.store = store
        self.data_dir = Path(data_dir)
        self.invoke = invoke
        self.workers = max(1, int(workers))
        self._q: queue.Queue[str] = queue.Queue()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for i in range(self.workers):
            t = threading.Thread(target=self._loop, name=f"chameleon-worker-{i}", daemon=True)
            t.start()
            self._threads.append(t)
        for job in self.store.queued():  # jobs queued before a restart keep their turn
            self.submit(job.id)

    def submit(self, job_id: str) -> None:
        self._q.put(job_id)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                job_id = self._q.get(timeout=0.2)
            except queue.Empty:
                continue
            run_job(self.store, self.data_dir, job_id, self.invoke)

    def mark_interrupted(self, job_ids: list[str]) -> None:
        """Jobs this service is abandoning (it is stopping): interrupted, not failed or cancelled."""
        for job_id in job_ids:
            self.store.finish(job_id, "interrupted",
                              error="the trainer service was stopped while this job was running; submit it again")

    def stop(self, timeout: float = 5.0) -> None:
        """Stop taking jobs; a running job is asked to stop and, if it does not in time, left to the
        next start's recovery (it becomes ``interrupted``)."""
        self._stop.set()
        for t in self._threads:
            t.join(timeout)
