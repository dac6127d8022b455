""""Customize this API": submit a job, follow it, report progress, write the redirect config.

The flow runs as an asyncio task beside the server's request handling (the trainer does the work
in its own process), so the editor stays responsive. Progress reaches the editor twice: standard
work-done progress (``$/progress``, cancellable from the editor's UI) and the
``chameleon/jobProgress`` notification that the VS Code extension turns into a status-bar item.
"""

from __future__ import annotations

import asyncio
import copy
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp

from ..abstract import Abstract, Site
from ..trainer_client import TERMINAL_STATES
from .service import ServiceError, TrainerService

if TYPE_CHECKING:
    from .server import ChameleonLanguageServer

JOB_PROGRESS = "chameleon/jobProgress"
POLL_SECONDS = 0.3
MAX_JOB_SECONDS = 6 * 3600  # a job that runs longer is left to the service; the editor stops following it
MAX_POLL_FAILURES = 20


@dataclass
class Job:
    """A customization job this server follows."""

    id: str
    uri: str
    line: int
    api: str
    site: Site  # workspace-relative file, as recorded in the redirect config
    root: Path
    service: TrainerService
    progress_token: str | None = None
    state: str = "queued"
    stage: str = ""
    step: int = 0
    total: int = 0
    message: str = ""
    error: str | None = None
    model_id: str | None = None
    metrics: dict[str, Any] | None = None
    task: asyncio.Task | None = field(default=None, repr=False)

    @property
    def percent(self) -> int | None:
        if self.total and self.total > 0:
            return max(0, min(100, int(100 * self.step / self.total)))
        return None

    def notification(self) -> dict[str, Any]:
        return {
            "jobId": self.id,
            "uri": self.uri,
            "line": self.line,
            "state": self.state,
            "stage": self.stage,
            "step": self.step,
            "total": self.total,
            "message": self.message,
        }


def _client_supports_progress(ls: "ChameleonLanguageServer") -> bool:
    caps = ls.client_capabilities
    return bool(caps and caps.window and caps.window.work_done_progress)


class JobManager:
    def __init__(self, ls: "ChameleonLanguageServer") -> None:
        self.ls = ls
        self.jobs: dict[str, Job] = {}

    def running_for(self, uri: str, line: int) -> Job | None:
        for j in self.jobs.values():
            if j.uri == uri and j.line == line and j.state not in TERMINAL_STATES:
                return j
        return None

    def running_for_site(self, uri: str, site: Site) -> Job | None:
        for j in self.jobs.values():
            if j.uri == uri and j.api == site.api and j.state not in TERMINAL_STATES and j.line == site.line:
                return j
        return None

    async def begin_progress(self, title: str, message: str) -> str | None:
        """Create and begin a cancellable work-done progress (None when the client has none)."""
        ls = self.ls
        if not _client_supports_progress(ls):
            return None
        token = f"chameleon-job-{uuid.uuid4().hex[:12]}"
        try:
            await asyncio.wait_for(ls.work_done_progress.create_async(token), 10)
            ls.work_done_progress.begin(
                token, lsp.WorkDoneProgressBegin(title=title, cancellable=True, message=message, percentage=0)
            )
        except Exception:  # a client that refuses the token still gets jobProgress notifications
            return None
        return token

    def end_progress(self, token: str | None, message: str) -> None:
        if token is not None:
            self.ls.work_done_progress.end(token, lsp.WorkDoneProgressEnd(message=message))
            self.ls.work_done_progress.tokens.pop(token, None)

    async def start(
        self, uri: str, site: Site, root: Path, service: TrainerService, dataset: str | None, token: str | None = None
    ) -> Job:
        """Submit the job for one site and start following it; returns once the service accepted it.

        ``token`` is a work-done progress already begun by the caller (so the editor showed
        something while a local service started); without one, one is created here.
        """
        ls = self.ls
        rel_site = copy.deepcopy(site)
        rel_site.file = ls.relative_file(site.file, root)
        payload = {
            "abstract": Abstract(sites=[rel_site]).to_dict(),
            "site": 0,
            "dataset": dataset,
            "base_model": ls.settings.base_model,
            "options": dict(ls.settings.job_options or {}),
        }
        body = await service.submit(payload)
        job_id = str(body.get("id") or "")
        if not job_id:
            raise ServiceError(f"The trainer service accepted the job but returned no id: {body!r}")
        job = Job(id=job_id, uri=uri, line=site.line, api=site.api, site=rel_site, root=root, service=service)
        self._apply(job, body)
        self.jobs[job_id] = job
        job.progress_token = token or await self.begin_progress(f"Customizing {site.api}", job.message or job.state)
        self._report(job)
        self._notify(job)
        job.task = asyncio.ensure_future(self._follow(job))
        ls.refresh_code_lenses()
        return job

    def _apply(self, job: Job, body: dict[str, Any]) -> None:
        job.state = str(body.get("state") or job.state)
        prog = body.get("progress") or {}
        if isinstance(prog, dict):
            job.stage = str(prog.get("stage") or job.stage or "")
            job.step = int(prog.get("step") or 0)
            job.total = int(prog.get("total") or 0)
            job.message = str(prog.get("message") or "")
        job.error = body.get("error") or job.error
        job.model_id = body.get("model_id") or job.model_id
        if isinstance(body.get("metrics"), dict):
            job.metrics = body["metrics"]

    def _notify(self, job: Job) -> None:
        self.ls.protocol.notify(JOB_PROGRESS, job.notification())

    def _report(self, job: Job) -> None:
        if job.progress_token is None:
            return
        text = " · ".join(x for x in (job.stage, job.message) if x) or job.state
        self.ls.work_done_progress.report(
            job.progress_token, lsp.WorkDoneProgressReport(message=text, percentage=job.percent, cancellable=True)
        )

    def _end(self, job: Job, message: str) -> None:
        self.end_progress(job.progress_token, message)
        job.progress_token = None

    async def _follow(self, job: Job) -> None:
        failures = 0
        last: tuple[Any, ...] | None = None
        last_decile = 0
        deadline = time.monotonic() + MAX_JOB_SECONDS
        try:
            while job.state not in TERMINAL_STATES and time.monotonic() < deadline:
                await asyncio.sleep(POLL_SECONDS)
                try:
                    body = await job.service.job(job.id)
                    if not isinstance(body, dict):
                        raise ValueError(f"unexpected answer {body!r:.200}")
                    failures = 0
                except (ServiceError, ValueError) as e:
                    failures += 1
                    if failures >= MAX_POLL_FAILURES:
                        job.state, job.error = "failed", f"lost contact with the trainer service: {e}"
                        break
                    continue
                self._apply(job, body)
                if job.state in TERMINAL_STATES:
                    break  # _finish ends the progress first, then sends the terminal notification
                snap = (job.state, job.stage, job.step, job.total, job.message)
                if snap != last:
                    lens_changed = last is None or (last[0], last[1]) != snap[:2] or (job.percent or 0) // 10 != last_decile
                    last, last_decile = snap, (job.percent or 0) // 10
                    self._notify(job)
                    self._report(job)
                    if lens_changed:  # the "customizing… 40%" lens: on each stage and every 10 %
                        self.ls.refresh_code_lenses()
            await self._finish(job)
        except asyncio.CancelledError:
            self._end(job, "stopped following the job")
            raise

    async def _finish(self, job: Job) -> None:
        ls = self.ls
        if job.state == "succeeded" and job.model_id:
            try:
                ls.write_redirect(job)
            except Exception as e:  # a read-only workspace must not lose the result silently
                job.error = f"the model {job.model_id} is ready but the .chameleon/ config could not be written: {e}"
                self._end(job, "failed")
                self._notify(job)
                ls.show_message(f"Customization of {job.api}: {job.error}", lsp.MessageType.Error)
                return
            vocab = await job.service.vocabulary(job.model_id)
            if vocab:
                ls.vocab.put_model(job.model_id, vocab)
            from .render import metrics_phrase

            phrase = metrics_phrase(job.metrics) or "done"
            if job.progress_token is not None:  # a job faster than one poll still shows a full bar
                self.ls.work_done_progress.report(
                    job.progress_token, lsp.WorkDoneProgressReport(message="customized", percentage=100)
                )
            self._end(job, f"customized · {phrase}")
            self._notify(job)
            ls.show_message(f"Customized {job.api} (line {job.line}): {phrase}. Model {job.model_id}.", lsp.MessageType.Info)
        elif job.state == "cancelled":
            self._end(job, "cancelled")
            self._notify(job)
            ls.show_message(f"Customization of {job.api} (line {job.line}) was cancelled.", lsp.MessageType.Info)
        else:
            if job.state == "succeeded":  # succeeded without a model: nothing to redirect to
                job.state, job.error = "failed", "the trainer service reported success but no model id"
            if job.state not in TERMINAL_STATES:
                job.state, job.error = "failed", job.error or "the editor stopped following the job (too long)"
            self._end(job, f"{job.state}: {job.error or 'no reason given'}")
            self._notify(job)
            ls.show_message(
                f"Customization of {job.api} (line {job.line}) {job.state}: {job.error or 'no reason given'}",
                lsp.MessageType.Error,
            )
        ls.refresh_code_lenses()
        ls.republish_all()

    async def cancel(self, job_id: str) -> dict[str, Any]:
        job = self.jobs.get(job_id)
        if job is None:
            raise ServiceError(f"No customization job {job_id!r} is known to this editor session.")
        if job.state in TERMINAL_STATES:
            return {"jobId": job.id, "state": job.state}
        body = await job.service.cancel(job.id)
        state = str(body.get("state") or job.state)
        if state not in TERMINAL_STATES:  # a terminal state is reported by the follower, after $/progress end
            self._apply(job, body)
            self._notify(job)
        return {"jobId": job.id, "state": state}

    def job_for_token(self, token: Any) -> Job | None:
        for j in self.jobs.values():
            if j.progress_token is not None and j.progress_token == token:
                return j
        return None

    async def shutdown(self) -> None:
        for j in self.jobs.values():
            if j.task is not None and not j.task.done():
                j.task.cancel()
