"""Request parsing and response building for each provider's wire format (pure: no HTTP, no torch).

Defaults follow the providers so an app behaves as it does against the real API:
- Google Vision ``LABEL_DETECTION``: ``maxResults`` absent or 0 means 10; ``score`` and ``topicality``
  in 0..1; ``mid`` is a stable id per label (these labels have no Knowledge Graph ids).
  The REST clients send enums as numbers (``$alt=json;enum-encoding=int``), people send names: both work.
- Google NL ``classifyText``: categories ranked by confidence, those under 0.1 dropped (Google returns
  only confident categories), at most 10.
- AWS Rekognition ``DetectLabels``: ``MaxLabels`` default 1000, ``MinConfidence`` default 55 (0..100).
- AWS Comprehend ``DetectSentiment`` from a (score -1..1, magnitude) sentiment model: ``Sentiment`` is
  POSITIVE at score >= 0.25, NEGATIVE at <= -0.25, else MIXED when magnitude >= 1 (strong feelings
  that cancel out, Google's reading of low score + high magnitude), else NEUTRAL; ``SentimentScore``
  has Positive = max(score, 0), Negative = max(-score, 0), and 1 - |score| split between Neutral and
  Mixed (all of it to the one the label names, so the four sum to 1).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
from dataclasses import dataclass
from typing import Any, Sequence

Ranked = Sequence[tuple[str, float]]

VISION_DEFAULT_MAX_RESULTS = 10
NL_MIN_CONFIDENCE = 0.1
NL_MAX_CATEGORIES = 10
AWS_DEFAULT_MAX_LABELS = 1000
AWS_DEFAULT_MIN_CONFIDENCE = 55.0
AWS_MAX_IMAGE_BYTES = 5 * 1024 * 1024  # Rekognition's limit for Image.Bytes

# google.cloud.vision.v1.Feature.Type
VISION_FEATURES = {
    0: "TYPE_UNSPECIFIED", 1: "FACE_DETECTION", 2: "LANDMARK_DETECTION", 3: "LOGO_DETECTION",
    4: "LABEL_DETECTION", 5: "TEXT_DETECTION", 6: "SAFE_SEARCH_DETECTION", 7: "IMAGE_PROPERTIES",
    9: "CROP_HINTS", 10: "WEB_DETECTION", 11: "DOCUMENT_TEXT_DETECTION", 12: "PRODUCT_SEARCH",
    19: "OBJECT_LOCALIZATION",
}


class WireError(ValueError):
    """A request the provider would reject; ``code`` is the provider's error name."""

    def __init__(self, message: str, code: str = "INVALID_ARGUMENT", status: int = 400):
        super().__init__(message)
        self.code = code
        self.status = status


def mid_for(label: str) -> str:
    """A stable, Knowledge-Graph-shaped id for a label (``/m/`` + 7 base-36 digits)."""
    n = int.from_bytes(hashlib.sha1(label.encode()).digest()[:6], "big")
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    s = ""
    for _ in range(7):
        n, r = divmod(n, 36)
        s = digits[r] + s
    return "/m/0" + s


def check_image(data: bytes) -> None:
    """Raise ValueError unless ``data`` decodes as an image (PNG, JPEG, ...)."""
    if not data:
        raise ValueError("empty image")
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as im:
            im.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        raise ValueError(f"bad image data ({type(e).__name__})") from None


def _b64(s: Any, what: str) -> bytes:
    if not isinstance(s, str):
        raise ValueError(f"{what} must be a base64 string")
    try:
        return base64.b64decode(s, validate=False)
    except (binascii.Error, ValueError):
        raise ValueError(f"{what} is not valid base64") from None


# -- Google Cloud Vision: POST /v1/images:annotate ------------------------------------------------


@dataclass
class VisionItem:
    image: bytes | None
    max_results: int
    error: str | None = None  # per-image error (Google answers 200 with responses[i].error)


def parse_vision(body: Any) -> list[VisionItem]:
    if not isinstance(body, dict) or not isinstance(body.get("requests"), list):
        raise WireError("Request must contain a 'requests' list.")
    if not body["requests"]:
        raise WireError("No requests specified.")
    if len(body["requests"]) > 16:
        raise WireError("At most 16 images per images:annotate request.")
    items = []
    for r in body["requests"]:
        if not isinstance(r, dict):
            raise WireError("Each request must be an object.")
        feats = r.get("features") or []
        if not isinstance(feats, list) or not feats:
            items.append(VisionItem(None, 0, "No features specified."))
            continue
        label_feat, others = None, []
        for f in feats:
            t = f.get("type") if isinstance(f, dict) else None
            name = VISION_FEATURES.get(t, t) if isinstance(t, int) else t
            if name == "LABEL_DETECTION":
                label_feat = f
            elif name is not None:
                others.append(str(name))
        if label_feat is None:
            # Asked only for features this model does not serve. (Mixed with LABEL_DETECTION, the labels are
            # answered and the other features come back empty, as when Google finds nothing: no error, since
            # apps commonly raise on any response.error.)
            what = ", ".join(others) if others else "no LABEL_DETECTION feature"
            items.append(VisionItem(None, 0, f"Not served by this customized model: {what} (only LABEL_DETECTION)."))
            continue
        try:
            max_results = int(label_feat.get("maxResults") or label_feat.get("max_results") or 0)
        except (TypeError, ValueError):
            raise WireError("features.maxResults must be an integer.") from None
        if max_results < 0:
            raise WireError("features.maxResults must not be negative.")
        image = r.get("image") or {}
        if not isinstance(image, dict):
            raise WireError("image must be an object.")
        if image.get("source"):
            items.append(VisionItem(None, 0, "image.source (URIs) is not supported by this endpoint; send image.content."))
            continue
        try:
            data = _b64(image.get("content"), "image.content")
            check_image(data)
        except ValueError as e:
            items.append(VisionItem(None, 0, f"Bad image data: {e}."))
            continue
        items.append(VisionItem(data, max_results or VISION_DEFAULT_MAX_RESULTS))
    return items


def vision_labels(ranked: Ranked, max_results: int) -> list[dict[str, Any]]:
    return [{"mid": mid_for(label), "description": label, "score": float(score), "topicality": float(score)}
            for label, score in list(ranked)[:max_results]]


def vision_response(items: list[VisionItem], outputs: list[Ranked | None]) -> dict[str, Any]:
    responses = []
    for item, ranked in zip(items, outputs):
        if item.error is not None:
            responses.append({"error": {"code": 3, "message": item.error}})  # 3 = INVALID_ARGUMENT
        else:
            responses.append({"labelAnnotations": vision_labels(ranked or [], item.max_results)})
    return {"responses": responses}


# -- Google Cloud Natural Language: documents:classifyText / documents:analyzeSentiment ------------


def parse_nl_document(body: Any) -> str:
    if not isinstance(body, dict) or not isinstance(body.get("document"), dict):
        raise WireError("Request must contain a 'document'.")
    doc = body["document"]
    if doc.get("gcsContentUri") or doc.get("gcs_content_uri"):
        raise WireError("document.gcsContentUri is not supported by this endpoint; send document.content.")
    content = doc.get("content")
    if not isinstance(content, str) or not content.strip():
        raise WireError("document.content is empty.")
    if len(content.encode()) > 1_000_000:
        raise WireError("document.content is larger than 1,000,000 bytes.")
    return content


def classify_response(ranked: Ranked) -> dict[str, Any]:
    cats = [{"name": label, "confidence": float(score)} for label, score in ranked if score >= NL_MIN_CONFIDENCE]
    return {"categories": cats[:NL_MAX_CATEGORIES]}


def sentiment_response(text: str, score: float, magnitude: float) -> dict[str, Any]:
    return {
        "documentSentiment": {"score": float(score), "magnitude": float(magnitude)},
        "language": "en",
        "sentences": [{"text": {"content": text, "beginOffset": 0},
                       "sentiment": {"score": float(score), "magnitude": float(magnitude)}}],
    }


# -- AWS Rekognition: DetectLabels (JSON 1.1, X-Amz-Target: RekognitionService.DetectLabels) --------


@dataclass
class AwsDetectLabels:
    image: bytes
    max_labels: int
    min_confidence: float


def parse_detect_labels(body: Any) -> AwsDetectLabels:
    if not isinstance(body, dict) or not isinstance(body.get("Image"), dict):
        raise WireError("1 validation error detected: Value null at 'image' failed to satisfy constraint: Member must not be null",
                        "InvalidParameterException")
    image = body["Image"]
    if image.get("S3Object"):
        raise WireError("S3 objects are not supported by this endpoint; send Image.Bytes.", "InvalidS3ObjectException")
    try:
        data = _b64(image.get("Bytes"), "Image.Bytes")
    except ValueError as e:
        raise WireError(str(e), "InvalidParameterException") from None
    if not data:
        raise WireError("Image.Bytes is empty.", "InvalidParameterException")
    if len(data) > AWS_MAX_IMAGE_BYTES:
        raise WireError(f"Image.Bytes is larger than {AWS_MAX_IMAGE_BYTES} bytes.", "ImageTooLargeException")
    try:
        check_image(data)
    except ValueError:
        raise WireError("Request has invalid image format", "InvalidImageFormatException") from None
    try:
        max_labels = int(body.get("MaxLabels", AWS_DEFAULT_MAX_LABELS))
        min_conf = float(body.get("MinConfidence", AWS_DEFAULT_MIN_CONFIDENCE))
    except (TypeError, ValueError):
        raise WireError("MaxLabels must be an integer and MinConfidence a number.", "InvalidParameterException") from None
    if max_labels < 0 or not 0.0 <= min_conf <= 100.0:
        raise WireError("MaxLabels must be >= 0 and MinConfidence in 0..100.", "InvalidParameterException")
    return AwsDetectLabels(data, max_labels, min_conf)


def aws_labels(ranked: Ranked, max_labels: int, min_confidence: float) -> list[dict[str, Any]]:
    out = []
    for label, score in ranked:
        conf = float(score) * 100.0
        if conf < min_confidence:
            continue
        out.append({"Name": label, "Confidence": conf, "Instances": [], "Parents": [], "Aliases": [], "Categories": []})
        if len(out) >= max_labels:
            break
    return out


def detect_labels_response(ranked: Ranked, req: AwsDetectLabels) -> dict[str, Any]:
    return {"Labels": aws_labels(ranked, req.max_labels, req.min_confidence), "LabelModelVersion": "chameleon-1.0"}


# -- AWS Comprehend: DetectSentiment (JSON 1.1, X-Amz-Target: Comprehend_20171127.DetectSentiment) ----

COMPREHEND_MAX_TEXT_BYTES = 5000
SENTIMENT_LABEL_AT = 0.25
MIXED_MAGNITUDE = 1.0


def parse_detect_sentiment(body: Any) -> str:
    if not isinstance(body, dict):
        raise WireError("The request must be a JSON object.", "InvalidRequestException")
    text = body.get("Text")
    if not isinstance(text, str) or not text.strip():
        raise WireError("Text must be a non-empty string.", "InvalidRequestException")
    if len(text.encode()) > COMPREHEND_MAX_TEXT_BYTES:
        raise WireError(f"Text is larger than {COMPREHEND_MAX_TEXT_BYTES} bytes.", "TextSizeLimitExceededException")
    lang = body.get("LanguageCode", "en")
    if lang != "en":
        raise WireError(f"LanguageCode {lang!r} is not served by this customized model (en only).",
                        "UnsupportedLanguageException")
    return text


def detect_sentiment_response(score: float, magnitude: float) -> dict[str, Any]:
    s = max(-1.0, min(1.0, float(score)))
    if s >= SENTIMENT_LABEL_AT:
        label = "POSITIVE"
    elif s <= -SENTIMENT_LABEL_AT:
        label = "NEGATIVE"
    elif magnitude >= MIXED_MAGNITUDE:
        label = "MIXED"
    else:
        label = "NEUTRAL"
    rest = 1.0 - abs(s)
    return {"Sentiment": label, "SentimentScore": {
        "Positive": max(s, 0.0), "Negative": max(-s, 0.0),
        "Neutral": 0.0 if label == "MIXED" else rest, "Mixed": rest if label == "MIXED" else 0.0}}
