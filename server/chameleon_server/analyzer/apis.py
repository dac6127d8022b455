"""Which calls are ML API calls, and what their responses contain.

Field names cover the client libraries (snake_case attributes), their REST JSON (camelCase keys)
and boto3's dicts (CapitalCase keys), so one table drives the flow analysis for all of them.
"""

from __future__ import annotations

import re

# method name -> (api, service the receiver must be)
METHODS: dict[str, tuple[str, str]] = {
    "label_detection": ("google.vision.label_detection", "vision"),
    "object_localization": ("google.vision.object_localization", "vision"),
    "text_detection": ("google.vision.text_detection", "vision"),
    "document_text_detection": ("google.vision.document_text_detection", "vision"),
    "annotate_image": ("", "vision"),  # api from the feature type
    "batch_annotate_images": ("", "vision"),
    "classify_text": ("google.language.classify_text", "language"),
    "analyze_sentiment": ("google.language.analyze_sentiment", "language"),
    "recognize": ("google.speech.recognize", "speech"),
    "streaming_recognize": ("google.speech.streaming_recognize", "speech"),
    "long_running_recognize": ("google.speech.recognize", "speech"),  # the same model; .result() gives the response
    "detect_labels": ("aws.rekognition.detect_labels", "rekognition"),
    "detect_sentiment": ("aws.comprehend.detect_sentiment", "comprehend"),
}
# Names nobody else uses: a call on a receiver we cannot resolve (a parameter, say) still counts.
DISTINCTIVE = {k for k in METHODS if k not in ("recognize", "streaming_recognize")}
OPERATION_METHODS = {"long_running_recognize"}  # return an operation: the response is its .result()

FEATURES = [  # REST / annotate_image feature type -> api, in order of preference
    ("LABEL_DETECTION", "google.vision.label_detection"),
    ("OBJECT_LOCALIZATION", "google.vision.object_localization"),
    ("DOCUMENT_TEXT_DETECTION", "google.vision.document_text_detection"),
    ("TEXT_DETECTION", "google.vision.text_detection"),
]
FEATURE_RE = re.compile(r"\b(LABEL_DETECTION|OBJECT_LOCALIZATION|DOCUMENT_TEXT_DETECTION|TEXT_DETECTION)\b")
MAX_RESULTS_RE = re.compile(r"""\bmax_?[rR]esults['"]?\s*[:=]\s*(\d+)""")
REST_MARKERS = {
    "images:annotate": "vision",
    "documents:analyzeSentiment": "google.language.analyze_sentiment",
    "documents:classifyText": "google.language.classify_text",
}
HTTP_FUNCS = {"post", "request"}
HTTP_MODULES = {"requests", "httpx", "session", "client", "http", "s", "aiohttp"}

CLIENT_CLASSES = {
    "ImageAnnotatorClient": "vision",
    "ImageAnnotatorAsyncClient": "vision",
    "LanguageServiceClient": "language",
    "LanguageServiceAsyncClient": "language",
    "SpeechClient": "speech",
    "SpeechAsyncClient": "speech",
}
BOTO_SERVICES = {"rekognition": "rekognition", "comprehend": "comprehend"}

# A quick text filter: files without any of these need no further work.
# googleapiclient discovery: service.images().annotate(body=...).execute(), service.documents().analyzeSentiment(...)
DISCOVERY_METHODS = {"annotate": "vision", "analyzeSentiment": "google.language.analyze_sentiment",
                     "classifyText": "google.language.classify_text"}
# google-cloud-vision before 0.25: vision.Client().image(...).detect_labels(limit=3) returns the label list
OLD_VISION_METHODS = {"detect_labels": "google.vision.label_detection", "detect_text": "google.vision.text_detection"}

CANDIDATE_RE = re.compile(
    r"\.(?:" + "|".join(list(METHODS) + list(DISCOVERY_METHODS) + ["detect_text"]) + r")\s*\("
    r"|images:annotate|documents:analyzeSentiment|documents:classifyText"
)

LIST_FIELDS = {
    "label_annotations", "labelAnnotations", "localized_object_annotations", "localizedObjectAnnotations",
    "text_annotations", "textAnnotations", "categories", "Labels", "results", "alternatives", "Parents",
}
RESPS_FIELDS = {"responses"}
SENT_FIELDS = {"document_sentiment", "documentSentiment", "SentimentScore", "sentiment"}
STR_FIELDS = {"description", "name", "Name", "transcript", "Sentiment", "text"}
SCORE_FIELDS = {"score", "confidence", "Confidence", "topicality", "magnitude", "Positive", "Negative", "Neutral", "Mixed"}
CONTAINER_FIELDS = {"full_text_annotation", "fullTextAnnotation"}
CASE_METHODS = {"lower", "upper", "casefold", "title", "capitalize"}
KEEP_METHODS = {"strip", "rstrip", "lstrip", "replace", "copy", "encode", "decode"}


def score_kind(field: str) -> str:
    if field == "magnitude":
        return "magnitude"
    if field in ("Positive", "Negative", "Neutral", "Mixed"):
        return "sentiment_probability"
    return "confidence"


def scale_of(api: str, field: str) -> float:
    return 100.0 if api.startswith("aws.rekognition") and field == "Confidence" else 1.0
