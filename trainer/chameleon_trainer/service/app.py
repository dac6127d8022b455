"""The FastAPI application: the job API under ``/v1/``, health, and the provider-compatible serving
routes (mounted from ``chameleon_trainer.serving``). ``create_app`` wires a store, a model registry
and an executor together; tests call it directly with an injected runner.
"""

from __future__ import annotations

import asyncio
import json
import logging
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, AsyncIterator, Callable

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, StreamingResponse

from chameleon_server import __version__

from . import auth
from .executor import LocalExecutor, local_invoke
from .jobspec import BadJobRequest, JobRequest, build_spec
from .limits import BodySizeLimit
from .models import ModelNotFound, ModelRegistry
from .runner import Runner, generic_model_dir, list_datasets, resolve_runner
from .store import TERMINAL, JobStore

log = logging.getLogger("chameleon.service")

DEFAULT_MAX_BODY = 20 * 1024 * 1024  # Google Vision caps a JSON request at 40 MB, one image at 20 MB


@dataclass
class ServiceConfig:
    data_dir: Path
    token: str | None = None
    workers: int = 1
    backend: str = "local"  # "local" (threads in this process) | "subprocess" | "ray"
    ray_address: str | None = None
    max_body: int = DEFAULT_MAX_BODY
    runner: Runner | None = None  # None: CHAMELEON_SERVICE_RUNNER or chameleon_trainer.api.customize
    check_datasets: bool = True
    predictor_loader: Callable[[Path], Any] | None = None  # None: chameleon_trainer.api.load_predictor
    devices: list[str] | None = None  # subprocess backend: worker i gets CUDA_VISIBLE_DEVICES=devices[i]
    extra: dict[str, Any] = field(default_factory=dict)


def create_app(cfg: ServiceConfig) -> FastAPI:
    data_dir = Path(cfg.data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    token = auth.load_or_create_token(data_dir, cfg.token)
    store = JobStore(data_dir / "jobs.sqlite")
    interrupted = store.recover()
    if interrupted:
        log.warning("marked %d job(s) interrupted by the last shutdown: %s", len(interrupted), ", ".join(interrupted))
    registry = ModelRegistry(data_dir / "models", generic_dir=generic_model_dir, loader=cfg.predictor_loader)
    runner = cfg.runner or resolve_runner()
    if cfg.backend == "subprocess":
        from .subprocess_backend import SubprocessExecutor

        executor: Any = SubprocessExecutor(store, data_dir, cfg.runner, workers=cfg.workers, devices=cfg.devices)
    elif cfg.backend == "ray":
        from .ray_backend import RayExecutor

        executor = RayExecutor(store, data_dir, runner, address=cfg.ray_address, workers=cfg.workers)
    else:
        executor = LocalExecutor(store, data_dir, local_invoke(runner), workers=cfg.workers)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await asyncio.to_thread(executor.start)
        yield
        executor.stop(timeout=1.0)  # a running job is not waited for: it is marked interrupted below
        executor.mark_interrupted([job.id for job in store.list(limit=10_000) if job.state == "running"])

    app = FastAPI(
        title="ChameleonAPI trainer service",
        version=__version__,
        description="Customization jobs, models and provider-compatible serving. See the service README.",
        lifespan=lifespan,
        docs_url=None,  # the interactive docs load scripts from a CDN; the schema is at /openapi.json
        redoc_url=None,
    )
    app.state.store = store
    app.state.registry = registry
    app.state.executor = executor
    app.state.token = token
    app.state.data_dir = data_dir
    app.add_middleware(BodySizeLimit, max_body=cfg.max_body)

    def require_token(request: Request) -> None:
        if not auth.check(auth.token_from_headers(request.headers, request.query_params.get("key")), token):
            raise HTTPException(401, "missing or wrong bearer token (see DATA_DIR/token)",
                                headers={"WWW-Authenticate": "Bearer"})

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errs = []
        for e in exc.errors():
            loc = ".".join(str(x) for x in e.get("loc", ()) if x != "body")
            errs.append(f"{loc}: {e.get('msg')}" if loc else str(e.get("msg")))
        return JSONResponse({"detail": "malformed request: " + "; ".join(errs)}, status_code=422)

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        log.exception("internal error on %s %s", request.method, request.url.path)
        return JSONResponse({"detail": f"internal error ({type(exc).__name__}); see the service log"}, status_code=500)

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    authed = [Depends(require_token)]

    # -- jobs ---------------------------------------------------------------------------------
    datasets_cache: dict[str, Any] = {}

    def datasets() -> list[dict[str, Any]] | None:
        if "v" not in datasets_cache:
            datasets_cache["v"] = list_datasets() if cfg.check_datasets else None
        return datasets_cache["v"]

    def get_job_or_404(job_id: str) -> Any:
        job = store.get(job_id)
        if job is None:
            raise HTTPException(404, f"no job {job_id!r}")
        return job

    @app.post("/v1/jobs", status_code=201, dependencies=authed, tags=["jobs"],
              openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                  "schema": JobRequest.model_json_schema(ref_template="#/components/schemas/{model}")}}}})
    async def submit_job(request: Request) -> dict[str, Any]:
        """Queue a customization job for one call site (from an abstract, or from an app's source)."""
        raw = await request.body()
        if not raw.strip():
            raise HTTPException(400, "empty request body; send a JSON job request")
        try:
            body = json.loads(raw)
        except ValueError as e:
            raise HTTPException(400, f"the request body is not valid JSON: {e}") from None
        except RecursionError:
            raise HTTPException(400, "the request body is nested too deeply") from None
        try:
            spec = await asyncio.to_thread(build_spec, body, await asyncio.to_thread(datasets))
        except BadJobRequest as e:
            raise HTTPException(400, str(e)) from None
        except RecursionError:
            raise HTTPException(400, "the request body is nested too deeply") from None
        if spec.base_model is not None:  # a model this service holds: never a path from the request
            try:
                spec.base_model_dir = str(registry.path(spec.base_model))
            except ModelNotFound:
                raise HTTPException(400, f"unknown base_model {spec.base_model!r}: use a model id from "
                                         "GET /v1/models or generic-<dataset>") from None
        job = await asyncio.to_thread(store.create, {"spec": spec.to_dict()}, dataset=spec.dataset,
                                      api=spec.site.api, abstract_hash=spec.site.decision_hash())
        executor.submit(job.id)
        return job.public()

    @app.get("/v1/jobs", dependencies=authed, tags=["jobs"])
    def list_jobs() -> list[dict[str, Any]]:
        return [j.public() for j in store.list()]

    @app.get("/v1/jobs/{job_id}", dependencies=authed, tags=["jobs"])
    def get_job(job_id: str) -> dict[str, Any]:
        return get_job_or_404(job_id).public()

    @app.post("/v1/jobs/{job_id}/cancel", dependencies=authed, tags=["jobs"])
    def cancel_job(job_id: str) -> dict[str, Any]:
        job = get_job_or_404(job_id)
        if job.state in TERMINAL:
            return job.public()
        return store.request_cancel(job_id).public()  # type: ignore[union-attr]

    @app.get("/v1/jobs/{job_id}/log", dependencies=authed, tags=["jobs"], response_class=PlainTextResponse)
    def job_log(job_id: str) -> str:
        get_job_or_404(job_id)
        p = data_dir / "logs" / f"{job_id}.log"
        return p.read_text(encoding="utf-8", errors="replace") if p.is_file() else ""

    @app.get("/v1/jobs/{job_id}/events", dependencies=authed, tags=["jobs"],
             response_class=StreamingResponse, responses={200: {"content": {"text/event-stream": {}}}})
    async def job_events(job_id: str, request: Request) -> StreamingResponse:
        """Server-sent events: ``event: progress`` with the job JSON on each change, then ``event: end``."""
        get_job_or_404(job_id)

        async def stream() -> AsyncIterator[bytes]:
            seq = -1
            idle = 0.0
            while True:
                job = await asyncio.to_thread(store.get, job_id)
                if job is None:
                    return
                if job.state in TERMINAL:
                    yield f"event: end\ndata: {json.dumps(job.public())}\n\n".encode()
                    return
                if job.seq != seq:
                    seq = job.seq
                    idle = 0.0
                    yield f"event: progress\ndata: {json.dumps(job.public())}\n\n".encode()
                elif idle >= 15.0:
                    idle = 0.0
                    yield b": keep-alive\n\n"
                if await request.is_disconnected():
                    return
                await asyncio.sleep(0.1)
                idle += 0.1

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    # -- models and datasets ----------------------------------------------------------------------
    def model_or_404(fn: Any, *args: Any) -> Any:
        try:
            return fn(*args)
        except ModelNotFound as e:
            raise HTTPException(404, str(e.args[0])) from None

    @app.get("/v1/models", dependencies=authed, tags=["models"])
    def list_models() -> list[dict[str, Any]]:
        return registry.list()

    @app.get("/v1/models/{model_id}", dependencies=authed, tags=["models"])
    def get_model(model_id: str) -> dict[str, Any]:
        return model_or_404(registry.info, model_id)

    @app.get("/v1/models/{model_id}/vocabulary", dependencies=authed, tags=["models"])
    def model_vocabulary(model_id: str) -> list[str]:
        return model_or_404(registry.vocabulary, model_id)

    @app.get("/v1/models/{model_id}/report.png", dependencies=authed, tags=["models"], response_class=FileResponse)
    def model_report(model_id: str) -> FileResponse:
        return FileResponse(model_or_404(registry.file, model_id, "report.png"), media_type="image/png")

    @app.get("/v1/models/{model_id}/curves.png", dependencies=authed, tags=["models"], response_class=FileResponse)
    def model_curves(model_id: str) -> FileResponse:
        return FileResponse(model_or_404(registry.file, model_id, "curves.png"), media_type="image/png")

    @app.get("/v1/datasets", dependencies=authed, tags=["models"])
    def get_datasets() -> list[dict[str, Any]]:
        ds = datasets()
        if ds is None:
            raise HTTPException(503, "the trainer is not installed in this service")
        return ds

    # -- serving --------------------------------------------------------------------------------
    from chameleon_trainer.serving.routes import serving_router

    app.include_router(serving_router(registry, token))
    return app
