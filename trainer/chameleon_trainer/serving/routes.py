"""The serving routes, each in its provider's wire format, under ``/serve/{model_id}``:

- ``POST /serve/{id}/v1/images:annotate`` (Google Cloud Vision REST, LABEL_DETECTION)
- ``POST /serve/{id}/v1/documents:classifyText`` and ``:analyzeSentiment`` (Google NL REST; also ``/v2/``)
- ``POST /serve/{id}`` or ``/serve/{id}/`` with ``X-Amz-Target: RekognitionService.DetectLabels`` or
  ``Comprehend_20171127.DetectSentiment`` (AWS JSON 1.1)

Errors are answered the way each provider does, so the client libraries raise their usual
exceptions (``google.api_core.exceptions.InvalidArgument``, botocore ``ClientError`` with the AWS code).
"""

from __future__ import annotations

import json
from typing import Any, Callable

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from chameleon_trainer.service import auth
from chameleon_trainer.service.models import ModelNotFound, ModelRegistry

from . import formats
from .batching import MicroBatcher

# A wrong token is answered 403, not 401: on 401 google-auth tries to refresh the static token and
# the app would see a RefreshError instead of this message.
DENIED = "The request's credentials are not the trainer service's token (see DATA_DIR/token and `chameleon run`)."
GOOGLE_STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND", 413: "INVALID_ARGUMENT",
                 500: "INTERNAL", 503: "UNAVAILABLE"}


def google_error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": status, "message": message, "status": GOOGLE_STATUS.get(status, "UNKNOWN")}},
                        status_code=status)


def aws_error(code: str, message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"__type": code, "message": message}, status_code=status,
                        headers={"x-amzn-ErrorType": code}, media_type="application/x-amz-json-1.1")


def _sorted(ranked: Any) -> list[tuple[str, float]]:
    return sorted(((str(l), float(s)) for l, s in ranked), key=lambda x: -x[1])


class Engine:
    """Loaded predictors and one micro-batcher per (model, method)."""

    def __init__(self, registry: ModelRegistry):
        self.registry = registry
        self.batchers: dict[tuple[str, str], tuple[Any, MicroBatcher[Any, Any]]] = {}

    def batcher(self, model_id: str, method: str) -> tuple[Any, MicroBatcher[Any, Any]]:
        path = str(self.registry.path(model_id))
        pred = self.registry.predictor(model_id)
        key = (path, method)
        if key not in self.batchers or self.batchers[key][0] is not pred:  # reloaded after LRU eviction
            self.batchers[key] = (pred, MicroBatcher(getattr(pred, method)))
        return self.batchers[key]


def serving_router(registry: ModelRegistry, token: str) -> APIRouter:
    router = APIRouter(tags=["serving"])
    engine = Engine(registry)

    def authorized(request: Request) -> bool:
        return auth.check(auth.token_from_headers(request.headers, request.query_params.get("key")), token)

    async def json_body(request: Request) -> Any:
        raw = await request.body()
        if not raw:
            raise formats.WireError("The request body is empty.")
        try:
            return json.loads(raw)
        except (ValueError, RecursionError):
            raise formats.WireError("The request body is not valid JSON (or nested too deeply).") from None

    async def load(model_id: str, method: str, task: str, on_error: Callable[[int, str], JSONResponse]) -> Any:
        """The batcher of the model that answers; ``a+b`` names several models (one per API of a
        client family, e.g. a topic and a sentiment model behind one language client) and the one
        whose task fits the request answers."""
        tasks = []
        for one in model_id.split("+")[:8]:
            try:
                pred, batcher = await _in_thread(engine.batcher, one, method)
            except ModelNotFound as e:
                return on_error(404, str(e.args[0]))
            if getattr(pred, "task", task) == task:
                return batcher
            tasks.append(f"{one} is a {pred.task} model")
        return on_error(400, f"{'; '.join(tasks)}: no model here can answer a {task} request")

    # -- Google Cloud Vision ------------------------------------------------------------------
    @router.post("/serve/{model_id}/v1/images:annotate")
    async def images_annotate(model_id: str, request: Request) -> Any:
        if not authorized(request):
            return google_error(403, DENIED)
        try:
            items = formats.parse_vision(await json_body(request))
        except formats.WireError as e:
            return google_error(400, str(e))
        b = await load(model_id, "predict_images", "image_classification", google_error)
        if isinstance(b, JSONResponse):
            return b
        good = [it for it in items if it.error is None]
        try:
            ranked = await b.submit([it.image for it in good]) if good else []
        except ValueError:  # the model could not decode one of them: find which, answer the rest
            ranked = []
            for it in good:
                try:
                    ranked.append((await b.submit([it.image]))[0])
                except ValueError as e:
                    it.error = f"Bad image data: {e}."
            good = [it for it in good if it.error is None]
        it_out = iter(ranked)
        outputs = [None if it.error else _sorted(next(it_out)) for it in items]
        return formats.vision_response(items, outputs)

    # -- Google Cloud Natural Language ------------------------------------------------------------
    async def nl(model_id: str, request: Request, kind: str) -> Any:
        if not authorized(request):
            return google_error(403, DENIED)
        try:
            text = formats.parse_nl_document(await json_body(request))
        except formats.WireError as e:
            return google_error(400, str(e))
        if kind == "classify":
            b = await load(model_id, "predict_texts", "text_classification", google_error)
            if isinstance(b, JSONResponse):
                return b
            (ranked,) = await b.submit([text])
            return formats.classify_response(_sorted(ranked))
        b = await load(model_id, "predict_sentiment", "sentiment", google_error)
        if isinstance(b, JSONResponse):
            return b
        ((score, magnitude),) = await b.submit([text])
        return formats.sentiment_response(text, score, magnitude)

    for version in ("v1", "v2"):
        router.add_api_route(f"/serve/{{model_id}}/{version}/documents:classifyText",
                             _bind(nl, "classify"), methods=["POST"], name=f"classify_text_{version}")
        router.add_api_route(f"/serve/{{model_id}}/{version}/documents:analyzeSentiment",
                             _bind(nl, "sentiment"), methods=["POST"], name=f"analyze_sentiment_{version}")

    # -- AWS Rekognition (JSON 1.1 protocol) --------------------------------------------------------
    def aws_bad_request(e: formats.WireError, invalid: str) -> JSONResponse:
        """A rejected request in AWS form; the generic INVALID_ARGUMENT becomes the operation's own code."""
        return aws_error(e.code if e.code != "INVALID_ARGUMENT" else invalid, str(e))

    def aws_load_error(invalid: str) -> Callable[[int, str], JSONResponse]:
        """``load``'s failures in AWS form: a missing model is ResourceNotFound, the rest ``invalid``."""
        return lambda status, msg: aws_error("ResourceNotFoundException" if status == 404 else invalid, msg)

    async def aws(model_id: str, request: Request) -> Any:
        target = request.headers.get("x-amz-target", "")
        if not authorized(request):
            return aws_error("UnrecognizedClientException", "The security token included in the request is invalid.", 400)
        if target == "Comprehend_20171127.DetectSentiment":
            return await comprehend(model_id, request)
        if target != "RekognitionService.DetectLabels":
            return aws_error("UnknownOperationException", f"operation {target or '(none)'} is not served here")
        try:
            req = formats.parse_detect_labels(await json_body(request))
        except formats.WireError as e:
            return aws_bad_request(e, "InvalidParameterException")
        b = await load(model_id, "predict_images", "image_classification", aws_load_error("InvalidParameterException"))
        if isinstance(b, JSONResponse):
            return b
        try:
            (ranked,) = await b.submit([req.image])
        except ValueError:
            return aws_error("InvalidImageFormatException", "Request has invalid image format")
        return JSONResponse(formats.detect_labels_response(_sorted(ranked), req), media_type="application/x-amz-json-1.1")

    async def comprehend(model_id: str, request: Request) -> Any:
        try:
            text = formats.parse_detect_sentiment(await json_body(request))
        except formats.WireError as e:
            return aws_bad_request(e, "InvalidRequestException")
        b = await load(model_id, "predict_sentiment", "sentiment", aws_load_error("InvalidRequestException"))
        if isinstance(b, JSONResponse):
            return b
        ((score, magnitude),) = await b.submit([text])
        return JSONResponse(formats.detect_sentiment_response(score, magnitude), media_type="application/x-amz-json-1.1")

    router.add_api_route("/serve/{model_id}", aws, methods=["POST"], name="aws_json")
    router.add_api_route("/serve/{model_id}/", aws, methods=["POST"], name="aws_json_slash")
    return router


def _bind(fn: Callable[..., Any], kind: str) -> Callable[..., Any]:
    async def route(model_id: str, request: Request) -> Any:
        return await fn(model_id, request, kind)

    return route


async def _in_thread(fn: Callable[..., Any], *args: Any) -> Any:
    import asyncio

    return await asyncio.to_thread(fn, *args)
