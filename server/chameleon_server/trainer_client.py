"""A small torch-free client for the trainer service's HTTP API (``/v1/...``).

The language server, `chameleon run` and `chameleon demo` use it; it only needs httpx. The API it
speaks is documented in ``trainer/chameleon_trainer/service/README.md`` (and ``/openapi.json``).

Errors come back as :class:`TrainerError` with the HTTP status and the service's message, so a
caller can show "bad token" or "unknown dataset" to a person without parsing anything.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import httpx

TERMINAL_STATES = frozenset({"succeeded", "failed", "cancelled", "interrupted"})


class TrainerError(Exception):
    """The service answered with an error, or could not be reached (status 0)."""

    def __init__(self, message: str, status: int = 0):
        super().__init__(message)
        self.status = status
        self.message = message


def read_token(token_file: str | os.PathLike[str]) -> str:
    return Path(token_file).read_text(encoding="utf-8").strip()


class TrainerClient:
    """Synchronous client (run it in a thread from async code: ``asyncio.to_thread``)."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        token_file: str | os.PathLike[str] | None = None,
        timeout: float = 30.0,
    ):
        if token is None and token_file is not None:
            token = read_token(token_file)
        self.base_url = base_url.rstrip("/")
        self.token = token
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.Client(base_url=self.base_url, headers=headers, timeout=timeout)

    # -- plumbing -------------------------------------------------------------------------------
    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "TrainerClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _request(self, method: str, path: str, **kw: Any) -> httpx.Response:
        try:
            r = self._http.request(method, path, **kw)
        except httpx.HTTPError as e:
            raise TrainerError(f"trainer service unreachable at {self.base_url}: {e}") from None
        if r.status_code >= 400:
            raise TrainerError(_error_message(r), r.status_code)
        return r

    def _json(self, method: str, path: str, **kw: Any) -> Any:
        return self._request(method, path, **kw).json()

    # -- API --------------------------------------------------------------------------------------
    def healthz(self) -> dict[str, Any]:
        return self._json("GET", "/healthz")

    def submit_job(
        self,
        *,
        dataset: str | None = None,
        abstract: dict[str, Any] | None = None,
        site: int | None = None,
        app_source: str | None = None,
        app_filename: str | None = None,
        line: int | None = None,
        base_model: str | None = None,
        options: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Submit a customization job: either an abstract (doc or single site) or an app's source."""
        body: dict[str, Any] = {"dataset": dataset, "base_model": base_model, "options": options or {}}
        if abstract is not None:
            body["abstract"] = abstract
            if site is not None:
                body["site"] = site
        if app_source is not None:
            body["app_source"] = app_source
            body["app_filename"] = app_filename or "app.py"
            if line is not None:
                body["line"] = line
        return self._json("POST", "/v1/jobs", json=body)

    def list_jobs(self) -> list[dict[str, Any]]:
        return self._json("GET", "/v1/jobs")

    def get_job(self, job_id: str) -> dict[str, Any]:
        return self._json("GET", f"/v1/jobs/{job_id}")

    def cancel_job(self, job_id: str) -> dict[str, Any]:
        return self._json("POST", f"/v1/jobs/{job_id}/cancel")

    def job_log(self, job_id: str) -> str:
        return self._request("GET", f"/v1/jobs/{job_id}/log").text

    def events(self, job_id: str, timeout: float | None = None) -> Iterator[dict[str, Any]]:
        """Job snapshots from the server-sent event stream, until the job ends (or ``timeout``)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            with self._http.stream("GET", f"/v1/jobs/{job_id}/events", timeout=httpx.Timeout(30.0, read=60.0)) as r:
                if r.status_code >= 400:
                    r.read()
                    raise TrainerError(_error_message(r), r.status_code)
                event, data = "message", []
                for line in r.iter_lines():
                    if deadline is not None and time.monotonic() > deadline:
                        return
                    if line == "":
                        if data:
                            yield json.loads("\n".join(data))
                            if event == "end":
                                return
                        event, data = "message", []
                    elif line.startswith("event:"):
                        event = line[6:].strip()
                    elif line.startswith("data:"):
                        data.append(line[5:].lstrip())
        except httpx.HTTPError as e:
            raise TrainerError(f"event stream from {self.base_url} broke: {e}") from None

    def wait(
        self,
        job_id: str,
        timeout: float = 600.0,
        on_progress: Callable[[dict[str, Any]], None] | None = None,
    ) -> dict[str, Any]:
        """Follow a job until it reaches a terminal state; returns the final job."""
        deadline = time.monotonic() + timeout
        job = self.get_job(job_id)
        while job["state"] not in TERMINAL_STATES:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TrainerError(f"job {job_id} still {job['state']} after {timeout:.0f}s")
            try:
                for snap in self.events(job_id, timeout=remaining):
                    job = snap
                    if on_progress:
                        on_progress(job)
            except TrainerError as e:
                if e.status:
                    raise
                time.sleep(0.2)  # stream dropped: fall back to polling once, then resubscribe
            job = self.get_job(job_id)
        return job

    def list_models(self) -> list[dict[str, Any]]:
        return self._json("GET", "/v1/models")

    def get_model(self, model_id: str) -> dict[str, Any]:
        return self._json("GET", f"/v1/models/{model_id}")

    def vocabulary(self, model_id: str) -> list[str]:
        return self._json("GET", f"/v1/models/{model_id}/vocabulary")

    def model_file(self, model_id: str, name: str) -> bytes:
        """``report.png`` or ``curves.png``."""
        return self._request("GET", f"/v1/models/{model_id}/{name}").content

    def list_datasets(self) -> list[dict[str, Any]]:
        return self._json("GET", "/v1/datasets")


def _error_message(r: httpx.Response) -> str:
    try:
        body = r.json()
        detail = body.get("detail", body) if isinstance(body, dict) else body
        if isinstance(detail, list):  # validation errors: "field: problem; ..."
            detail = "; ".join(
                f"{'.'.join(str(x) for x in d.get('loc', [])[1:])}: {d.get('msg')}" if isinstance(d, dict) else str(d)
                for d in detail
            )
        msg = str(detail)
    except ValueError:
        msg = r.text.strip()[:500] or r.reason_phrase
    return f"HTTP {r.status_code}: {msg}"


# -- starting a local service (the embedded default) ---------------------------------------------------


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@dataclass
class LocalService:
    """A trainer service this process started as a child; ``stop()`` ends it."""

    process: subprocess.Popen[bytes]
    url: str
    data_dir: Path
    token_file: Path
    log_path: Path

    @property
    def token(self) -> str:
        return read_token(self.token_file)

    def client(self, timeout: float = 30.0) -> TrainerClient:
        return TrainerClient(self.url, token_file=self.token_file, timeout=timeout)

    def stop(self, timeout: float = 10.0) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)

    def __enter__(self) -> "LocalService":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_local_service(
    data_dir: str | os.PathLike[str],
    *,
    host: str = "127.0.0.1",
    port: int | None = None,
    token: str | None = None,
    extra_args: list[str] | None = None,
    python: str = sys.executable,
    startup_timeout: float = 60.0,
    env: dict[str, str] | None = None,
) -> LocalService:
    """Start `chameleon trainer serve` as a subprocess on loopback and wait until /healthz answers.

    The service itself runs in the child (it needs the trainer extra); this process stays torch-free.
    """
    data_dir = Path(data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    port = port or free_port(host)
    cmd = [python, "-m", "chameleon_server", "trainer", "serve", "--host", host, "--port", str(port),
           "--data-dir", str(data_dir)]
    if token:
        cmd += ["--token", token]
    cmd += extra_args or []
    log_path = data_dir / "service.log"
    log = open(log_path, "ab")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            env={**os.environ, **(env or {})})
    log.close()
    url = f"http://{host}:{port}"
    svc = LocalService(proc, url, data_dir, data_dir / "token", log_path)
    deadline = time.monotonic() + startup_timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log_path.read_text(errors="replace")[-2000:]
            raise TrainerError(f"trainer service exited with {proc.returncode} during startup:\n{tail}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1.0).status_code == 200 and svc.token_file.exists():
                return svc
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    svc.stop()
    raise TrainerError(f"trainer service did not answer on {url} within {startup_timeout:.0f}s (log: {log_path})")
