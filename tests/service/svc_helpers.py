"""Helpers for the service tests: real uvicorn servers on 127.0.0.1 random ports in a thread, the
sample site and job body, polling for a job state. (A uniquely named module, not conftest, so test
modules can import it whatever other conftest files the suite has.)"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent


@dataclass
class Running:
    url: str
    token: str
    data_dir: Path
    app: Any
    server: Any
    thread: threading.Thread

    def client(self, token: str | None = "default", **kw: Any) -> httpx.Client:
        tok = self.token if token == "default" else token
        headers = {"Authorization": f"Bearer {tok}"} if tok else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30.0, **kw)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(15)


def free_port() -> int:
    from chameleon_server.trainer_client import free_port as fp

    return fp()


def start_thread_server(cfg: Any) -> Running:
    import uvicorn

    from chameleon_trainer.service.app import create_app

    app = create_app(cfg)
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    t = threading.Thread(target=server.run, daemon=True)
    t.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not t.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    token = (Path(cfg.data_dir) / "token").read_text().strip()
    return Running(f"http://127.0.0.1:{port}", token, Path(cfg.data_dir), app, server, t)


def wait_state(client: httpx.Client, job_id: str, states: set[str], timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(f"/v1/jobs/{job_id}").json()
        if job["state"] in states:
            return job
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} stuck in {job['state']}: {job}")
        time.sleep(0.05)


SITE = {
    "file": "app.py", "api": "google.vision.label_detection", "task": "image_classification",
    "line": 10, "column": 5, "end_line": 10, "end_column": 40,
    "decision": {"type": "multi_choice", "ordering": "output_rank", "match": "first_word",
                 "case_insensitive": True, "min_score": None, "top_k": None,
                 "categories": [{"name": "compost", "labels": ["food"], "line": 12, "outcome": "return 'compost'"},
                                {"name": "recycle", "labels": ["plastic", "glass", "paper"], "line": 14,
                                 "outcome": "return 'recycle'"}],
                 "default": {"line": 16, "outcome": "return 'trash'"}},
}


def job_body(**kw: Any) -> dict:
    body = {"abstract": {"version": 1, "sites": [SITE]}, "dataset": "fashion-scenes", "options": {}}
    body.update(kw)
    return body
