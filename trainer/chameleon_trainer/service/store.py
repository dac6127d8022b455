"""Jobs persisted in SQLite (``DATA_DIR/jobs.sqlite``): a restart of the service loses no job.

One row per job. The request is stored as JSON so a queued job can be re-run after a restart; a
job that was *running* when the service died is marked ``interrupted`` with a message saying so
(its partial output was never published: model directories are written atomically elsewhere).

Every method opens its own short connection: the store is used from the event loop, from worker
threads and from the Ray poller at once, and SQLite (WAL mode) handles that well with short
transactions.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

STATES = ("queued", "running", "succeeded", "failed", "cancelled", "interrupted")
TERMINAL = frozenset({"succeeded", "failed", "cancelled", "interrupted"})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    request TEXT NOT NULL,
    progress TEXT NOT NULL,
    metrics TEXT,
    error TEXT,
    model_id TEXT,
    dataset TEXT,
    api TEXT,
    abstract_hash TEXT,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    seq INTEGER NOT NULL DEFAULT 0,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_created ON jobs(created);
"""


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


@dataclass
class Job:
    id: str
    state: str
    request: dict[str, Any]
    progress: dict[str, Any]
    metrics: dict[str, Any] | None
    error: str | None
    model_id: str | None
    dataset: str | None
    api: str | None
    abstract_hash: str | None
    cancel_requested: bool
    seq: int  # bumped on every change: SSE streams send a snapshot when it moves
    created: str
    updated: str

    def public(self) -> dict[str, Any]:
        """The job as the HTTP API shows it (the contract in the service README)."""
        return {
            "id": self.id,
            "state": self.state,
            "progress": self.progress,
            "metrics": self.metrics,
            "error": self.error,
            "model_id": self.model_id,
            "dataset": self.dataset,
            "api": self.api,
            "abstract_hash": self.abstract_hash,
            "cancel_requested": self.cancel_requested,
            "created": self.created,
            "updated": self.updated,
        }


@dataclass
class JobStore:
    path: Path
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self.path = Path(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._conn() as c:
            c.execute("PRAGMA journal_mode=WAL")
            c.executescript(_SCHEMA)

    @contextmanager
    def _conn(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        conn.row_factory = sqlite3.Row
        try:
            yield conn
        finally:
            conn.close()

    @staticmethod
    def _row(r: sqlite3.Row) -> Job:
        return Job(
            id=r["id"],
            state=r["state"],
            request=json.loads(r["request"]),
            progress=json.loads(r["progress"]),
            metrics=json.loads(r["metrics"]) if r["metrics"] else None,
            error=r["error"],
            model_id=r["model_id"],
            dataset=r["dataset"],
            api=r["api"],
            abstract_hash=r["abstract_hash"],
            cancel_requested=bool(r["cancel_requested"]),
            seq=r["seq"],
            created=r["created"],
            updated=r["updated"],
        )

    def create(self, request: dict[str, Any], *, dataset: str | None, api: str | None, abstract_hash: str | None) -> Job:
        job_id = uuid.uuid4().hex[:12]
        t = now()
        progress = {"stage": "queued", "step": 0, "total": 0, "message": "waiting for a worker"}
        with self._lock, self._conn() as c:
            c.execute(
                "INSERT INTO jobs (id, state, request, progress, dataset, api, abstract_hash, created, updated)"
                " VALUES (?, 'queued', ?, ?, ?, ?, ?, ?, ?)",
                (job_id, json.dumps(request), json.dumps(progress), dataset, api, abstract_hash, t, t),
            )
        job = self.get(job_id)
        assert job is not None
        return job

    def get(self, job_id: str) -> Job | None:
        with self._conn() as c:
            r = c.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return self._row(r) if r else None

    def list(self, limit: int = 200) -> list[Job]:
        with self._conn() as c:
            rows = c.execute("SELECT * FROM jobs ORDER BY created DESC LIMIT ?", (limit,)).fetchall()
        return [self._row(r) for r in rows]

    def queued(self) -> list[Job]:
        with self._conn() as c:
            rows = c.execute("SELECT * FROM jobs WHERE state = 'queued' ORDER BY created").fetchall()
        return [self._row(r) for r in rows]

    def _update(self, job_id: str, where_state: tuple[str, ...] | None = None, **fields: Any) -> bool:
        """Update some columns (JSON-encoding dicts); only if the job is in ``where_state``."""
        cols, vals = [], []
        for k, v in fields.items():
            cols.append(f"{k} = ?")
            vals.append(json.dumps(v) if isinstance(v, (dict, list)) else v)
        cols += ["seq = seq + 1", "updated = ?"]
        vals.append(now())
        sql = f"UPDATE jobs SET {', '.join(cols)} WHERE id = ?"
        vals.append(job_id)
        if where_state:
            sql += f" AND state IN ({','.join('?' * len(where_state))})"
            vals += list(where_state)
        with self._lock, self._conn() as c:
            return c.execute(sql, vals).rowcount > 0

    def mark_running(self, job_id: str) -> bool:
        """queued -> running; False if the job was cancelled before a worker took it."""
        return self._update(
            job_id, ("queued",), state="running",
            progress={"stage": "starting", "step": 0, "total": 0, "message": "a worker took the job"},
        )

    def set_progress(self, job_id: str, progress: dict[str, Any], metrics: dict[str, Any] | None = None) -> None:
        # Keep the stages a job went through (progress.stages), so a client that polls, or a short
        # stage that starts and ends between two reads, still shows what ran.
        job = self.get(job_id)
        seen = list((job.progress.get("stages") or []) if job else [])
        stage = progress.get("stage")
        if stage and stage not in seen:
            seen.append(stage)
        fields: dict[str, Any] = {"progress": {**progress, "stages": seen}}
        if metrics is not None:
            fields["metrics"] = metrics
        self._update(job_id, ("running",), **fields)

    def finish(self, job_id: str, state: str, *, error: str | None = None, model_id: str | None = None,
               metrics: dict[str, Any] | None = None, message: str = "") -> bool:
        assert state in TERMINAL
        job = self.get(job_id)
        if job is None or job.state in TERMINAL:
            return False
        progress = dict(job.progress)
        progress["stage"] = state
        progress["message"] = message or error or state
        if state == "succeeded":
            progress["step"] = progress["total"] = max(progress.get("total") or 0, 1)
        fields: dict[str, Any] = {"state": state, "error": error, "progress": progress}
        if model_id is not None:
            fields["model_id"] = model_id
        if metrics is not None:
            fields["metrics"] = metrics
        return self._update(job_id, ("queued", "running"), **fields)

    def request_cancel(self, job_id: str) -> Job | None:
        """Queued jobs are cancelled at once; running ones get a flag the worker polls."""
        self._update(job_id, ("queued", "running"), cancel_requested=1)
        if self._state(job_id) == "queued":
            self.finish(job_id, "cancelled", message="cancelled before it started")
        return self.get(job_id)

    def _state(self, job_id: str) -> str | None:
        job = self.get(job_id)
        return job.state if job else None

    def cancel_requested(self, job_id: str) -> bool:
        with self._conn() as c:
            r = c.execute("SELECT cancel_requested FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return bool(r and r[0])

    def recover(self) -> list[str]:
        """At startup: jobs left ``running`` by a dead service become ``interrupted``; returns their ids."""
        with self._conn() as c:
            ids = [r[0] for r in c.execute("SELECT id FROM jobs WHERE state = 'running'").fetchall()]
        for job_id in ids:
            self.finish(
                job_id, "interrupted",
                error="the trainer service stopped while this job was running (it was restarted); "
                      "no model was published — submit the job again",
            )
        return ids
