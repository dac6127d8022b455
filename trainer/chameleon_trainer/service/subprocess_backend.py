"""``--backend subprocess``: each job runs in a fresh worker process (``worker.py``).

Why: a trainer crash (segfault, out of memory) fails one job instead of taking the service down, the
memory a job used is returned when it ends, and with ``--devices 0,1`` worker *i* only sees its own
GPU (``CUDA_VISIBLE_DEVICES``), so ``--workers 2`` trains two jobs on two GPUs without them meeting.
The queue, store and logs are the local executor's.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable

from .executor import LocalExecutor
from .jobspec import JobSpec
from .runner import JobCancelled, JobInputError, ProgressFn, Runner, StopFn
from .store import JobStore


def _runner_name(runner: Runner | None) -> str | None:
    if runner is None:
        return os.environ.get("CHAMELEON_SERVICE_RUNNER") or None
    return f"{runner.__module__}:{runner.__qualname__}"


class SubprocessExecutor(LocalExecutor):
    def __init__(self, store: JobStore, data_dir: Path, runner: Runner | None, *, workers: int = 1,
                 devices: list[str] | None = None):
        self.runner_name = _runner_name(runner)
        self.devices = devices or []
        self._procs: dict[str, subprocess.Popen[str]] = {}
        self._procs_lock = threading.Lock()
        super().__init__(store, data_dir, self._invoke, workers=workers)

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        name = threading.current_thread().name  # "chameleon-worker-<i>"
        if self.devices and name.startswith("chameleon-worker-"):
            i = int(name.rsplit("-", 1)[1])
            env["CUDA_VISIBLE_DEVICES"] = self.devices[i % len(self.devices)]
        return env

    def _invoke(self, job_id: str, spec: JobSpec, out_dir: Path, progress: ProgressFn, should_stop: StopFn,
                jlog: Callable[[str], None]) -> None:
        cmd = [sys.executable, "-m", "chameleon_trainer.service.worker", "--out", str(out_dir)]
        if self.runner_name:
            cmd += ["--runner", self.runner_name]
        env = self._env()
        with open(jlog.path, "a", encoding="utf-8") as stderr:  # type: ignore[attr-defined]
            proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, text=True,
                                    env=env, bufsize=1)
        with self._procs_lock:
            self._procs[job_id] = proc
        jlog(f"worker process {proc.pid}" + (f" on CUDA_VISIBLE_DEVICES={env['CUDA_VISIBLE_DEVICES']}"
                                              if "CUDA_VISIBLE_DEVICES" in env and self.devices else ""))
        lines: queue.Queue[str | None] = queue.Queue()

        def read() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=read, daemon=True).start()
        outcome: dict | None = None
        asked = False
        try:
            assert proc.stdin is not None
            proc.stdin.write(json.dumps(spec.to_dict()) + "\n")
            proc.stdin.flush()
            while True:
                if not asked and should_stop():
                    try:
                        proc.stdin.write("stop\n")
                        proc.stdin.flush()
                    except OSError:
                        pass
                    asked = True
                try:
                    line = lines.get(timeout=0.2)
                except queue.Empty:
                    continue
                if line is None:
                    break
                try:
                    msg = json.loads(line)
                except ValueError:
                    jlog(f"worker: {line.rstrip()}")
                    continue
                if "progress" in msg:
                    progress(msg["progress"])
                else:
                    outcome = msg
            code = proc.wait(30)
        finally:
            with self._procs_lock:
                self._procs.pop(job_id, None)
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
            try:
                if proc.stdin:
                    proc.stdin.close()
            except OSError:
                pass
        if outcome is None:
            raise RuntimeError(f"the worker process exited with code {code} before finishing the job"
                               f"{' (killed by signal ' + str(-code) + ')' if code < 0 else ''}")
        if "cancelled" in outcome:
            raise JobCancelled(outcome["cancelled"])
        if "input_error" in outcome:
            raise JobInputError(outcome["input_error"])
        if "internal_error" in outcome:
            raise RuntimeError(outcome["internal_error"])

    def stop(self, timeout: float = 5.0) -> None:
        with self._procs_lock:
            procs = list(self._procs.values())
            self.mark_interrupted(list(self._procs))
        for p in procs:  # the workers stop on stdin EOF too; be explicit
            try:
                p.terminate()
            except OSError:
                pass
        super().stop(timeout)
        deadline = time.monotonic() + timeout
        for p in procs:
            try:
                p.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
