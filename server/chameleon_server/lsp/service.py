"""The trainer service as the language server sees it: a few HTTP calls, and the embedded default.

Everything is async (httpx.AsyncClient) so the server keeps answering hovers while a job runs.
Errors become :class:`ServiceError` with a message meant for the person in the editor: which URL
could not be reached, that the token was refused, what the job reported.

When no ``trainerUrl`` is configured the server starts ``python -m chameleon_server trainer serve``
itself on a free loopback port (:class:`LocalService`), with its data dir under the workspace's
``.chameleon/`` (ignored by git: the redirect writer drops a ``.gitignore`` there). The trainer runs
in that child process; this process never imports torch.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from ..trainer_client import free_port, read_token


class ServiceError(Exception):
    """A failure the user should read as is."""


@dataclass
class TrainerService:
    """One trainer service endpoint and the bearer token to talk to it."""

    url: str
    token: str | None = None
    token_file: str | None = None  # recorded in the redirect config instead of the token itself
    timeout: float = 10.0

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    async def _request(self, method: str, path: str, **kw: Any) -> httpx.Response:
        url = self.url.rstrip("/") + path
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                resp = await client.request(method, url, headers=self._headers(), **kw)
        except httpx.TimeoutException:
            raise ServiceError(f"The trainer service at {self.url} did not answer in time.") from None
        except httpx.HTTPError as e:
            raise ServiceError(
                f"Cannot reach the trainer service at {self.url} ({type(e).__name__}). "
                "Check the chameleon.trainerUrl setting, or clear it to let the editor start a local service."
            ) from None
        if resp.status_code in (401, 403):
            raise ServiceError(
                f"The trainer service at {self.url} refused the token (HTTP {resp.status_code}). "
                "Check the chameleon.token / chameleon.tokenFile settings."
            )
        if resp.status_code >= 400:
            detail: Any = resp.text
            try:
                body = resp.json()
                detail = body.get("detail", body) if isinstance(body, dict) else body
            except ValueError:
                pass
            if not isinstance(detail, str):
                detail = json.dumps(detail)
            raise ServiceError(f"The trainer service answered HTTP {resp.status_code} to {method} {path}: {detail[:500]}")
        return resp

    async def health(self) -> dict[str, Any]:
        return (await self._request("GET", "/healthz")).json()

    async def submit(self, payload: dict[str, Any]) -> dict[str, Any]:
        return (await self._request("POST", "/v1/jobs", json=payload)).json()

    async def job(self, job_id: str) -> dict[str, Any]:
        return (await self._request("GET", f"/v1/jobs/{job_id}")).json()

    async def cancel(self, job_id: str) -> dict[str, Any]:
        return (await self._request("POST", f"/v1/jobs/{job_id}/cancel")).json()

    async def model(self, model_id: str) -> dict[str, Any]:
        return (await self._request("GET", f"/v1/models/{model_id}")).json()

    async def model_file(self, model_id: str, name: str) -> bytes | None:
        try:
            return (await self._request("GET", f"/v1/models/{model_id}/{name}")).content
        except ServiceError:
            return None

    async def vocabulary(self, model_id: str) -> list[str] | None:
        try:
            data = (await self._request("GET", f"/v1/models/{model_id}/vocabulary")).json()
        except (ServiceError, ValueError):
            return None
        if isinstance(data, dict):
            data = data.get("vocabulary") or data.get("labels")
        return [str(x) for x in data] if isinstance(data, list) else None


def read_token_file(path: str | os.PathLike[str] | None) -> str | None:
    if not path:
        return None
    try:
        return read_token(Path(path).expanduser()) or None
    except OSError:
        return None


class LocalService:
    """A trainer service started (or reused) by the language server: the embedded default.

    A running service recorded in ``DATA_DIR/lsp-service.json`` that still answers ``/healthz``
    is reused (another editor window started it); otherwise a child process is started, on the
    port recorded there when it is free, and stopped again when the language server shuts down.
    """

    STATE_FILE = "lsp-service.json"

    def __init__(self, data_dir: Path, start_timeout: float = 120.0, python: str = sys.executable) -> None:
        self.data_dir = Path(data_dir)
        self.python = python  # the interpreter that runs the service (needs the trainer extra)
        self.start_timeout = start_timeout
        self.proc: asyncio.subprocess.Process | None = None
        self.service: TrainerService | None = None
        self._lock = asyncio.Lock()

    def _service_for(self, url: str) -> TrainerService:
        tf = self.data_dir / "token"
        return TrainerService(url=url, token=read_token_file(tf), token_file=str(tf))

    async def _healthy(self, svc: TrainerService) -> bool:
        try:
            await svc.health()
            return True
        except ServiceError:
            return False

    async def ensure(self) -> TrainerService:
        async with self._lock:
            if self.service is not None and (self.proc is None or self.proc.returncode is None):
                if await self._healthy(self.service):
                    return self.service
            reused = await self._reuse()
            if reused is not None:
                self.service = reused
                return reused
            self.service = await self._start()
            return self.service

    def _recorded_url(self) -> str | None:
        """The service url recorded in ``STATE_FILE`` by the last start, if any."""
        try:
            return str(json.loads((self.data_dir / self.STATE_FILE).read_text(encoding="utf-8"))["url"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    async def _reuse(self) -> TrainerService | None:
        url = self._recorded_url()
        if url is None:
            return None
        svc = self._service_for(url)
        return svc if svc.token and await self._healthy(svc) else None

    def _preferred_port(self) -> int:
        """The port this data dir was served on before, when it is free: the redirect config
        recorded that endpoint, so serving there again keeps `.chameleon/` valid across restarts."""
        url = self._recorded_url()
        try:
            port = int((url or "").rsplit(":", 1)[1])
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                s.bind(("127.0.0.1", port))
            return port
        except (OSError, ValueError, IndexError):
            return free_port()

    async def _start(self) -> TrainerService:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        port = self._preferred_port()
        url = f"http://127.0.0.1:{port}"
        log_path = self.data_dir / "lsp-service.log"
        log = open(log_path, "ab")
        try:
            self.proc = await asyncio.create_subprocess_exec(
                self.python, "-m", "chameleon_server", "trainer", "serve",
                "--host", "127.0.0.1", "--port", str(port), "--data-dir", str(self.data_dir),
                stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log,
                start_new_session=True,  # a Ctrl-C in the editor's terminal must not reach it
            )
        finally:
            log.close()
        deadline = time.monotonic() + self.start_timeout
        svc = TrainerService(url=url)
        while time.monotonic() < deadline:
            if self.proc.returncode is not None:
                tail = _tail(log_path)
                if "No module named" in tail or "invalid choice: 'trainer'" in tail:
                    raise ServiceError(
                        "The local trainer service cannot start: this Python lacks the trainer extra "
                        "(pip install 'chameleon-api[trainer]'), or set chameleon.trainerUrl to a running service. "
                        f"Its output: {tail}"
                    )
                raise ServiceError(f"The local trainer service exited at start (code {self.proc.returncode}): {tail}")
            if await self._healthy(svc):
                svc = self._service_for(url)
                if svc.token is None:
                    await asyncio.sleep(0.2)
                    svc = self._service_for(url)
                (self.data_dir / self.STATE_FILE).write_text(json.dumps({"url": url, "pid": self.proc.pid}), encoding="utf-8")
                return svc
            await asyncio.sleep(0.25)
        await self.stop()
        raise ServiceError(f"The local trainer service did not start within {self.start_timeout:.0f} s: {_tail(log_path)}")

    async def stop(self) -> None:
        """Stop the child we started (never a service we merely reused)."""
        proc, self.proc = self.proc, None
        if proc is None or proc.returncode is not None:
            return
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 10)
        except asyncio.TimeoutError:
            proc.kill()
            await proc.wait()
        # the state file stays: it remembers the port for the next start (see _preferred_port)

    def stop_sync(self) -> None:
        """Last resort at exit when the event loop is gone."""
        proc = self.proc
        if proc is not None and proc.returncode is None:
            try:
                proc.terminate()
            except ProcessLookupError:
                pass


def _tail(path: Path, n: int = 600) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-n:].strip() or "(no output)"
    except OSError:
        return "(no log)"
