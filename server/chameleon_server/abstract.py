"""The decision abstract (format v1, ``shared/spec/decision-abstract.md``) as dataclasses.

Every part of the project speaks this contract: the analyzer produces it, the language server
shows it, the trainer turns it into a loss, and the redirect config records its hash. Keeping the
JSON mapping in one place means the spec is enforced once, here.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

FORMAT_VERSION = 1

DECISION_TYPES = ("true_false", "multi_choice", "multi_select", "score_range")
ORDERINGS = ("output_rank", "category_priority")
MATCH_MODES = ("exact", "first_word", "word", "substring", "prefix")

# api -> task, from the spec's table.
API_TASKS: dict[str, str] = {
    "google.vision.label_detection": "image_classification",
    "google.vision.object_localization": "object_detection",
    "google.vision.text_detection": "ocr",
    "google.vision.document_text_detection": "ocr",
    "google.language.classify_text": "text_classification",
    "google.language.analyze_sentiment": "sentiment",
    "google.speech.recognize": "speech_recognition",
    "google.speech.streaming_recognize": "speech_recognition",
    "aws.rekognition.detect_labels": "image_classification",
    "aws.comprehend.detect_sentiment": "sentiment",
}


class AbstractFormatError(ValueError):
    """Raised when a JSON document is not a valid decision abstract."""


@dataclass
class Category:
    """One group of labels (or one score range) and the branch it leads to."""

    name: str
    labels: list[str] = field(default_factory=list)
    line: int | None = None
    outcome: str | None = None
    range: tuple[float | None, float | None] | None = None  # score_range only
    unresolved: str | None = None  # why the labels could not be resolved statically
    # Optional (emitted only when set): where the label list literal is, for hover and diagnostics.
    labels_at: dict[str, Any] | None = None  # {"file", "line", "column", "end_line", "end_column"}
    label_spans: list[dict[str, Any]] | None = None  # [{"label", "line", "column", "end_line", "end_column"}]

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.name}
        if self.range is not None:
            d["range"] = [self.range[0], self.range[1]]
            if self.labels:
                d["labels"] = list(self.labels)
        else:
            d["labels"] = list(self.labels)
        d["line"] = self.line
        d["outcome"] = self.outcome
        if self.unresolved is not None:
            d["unresolved"] = self.unresolved
        if self.labels_at is not None:
            d["labels_at"] = dict(self.labels_at)
        if self.label_spans is not None:
            d["label_spans"] = [dict(x) for x in self.label_spans]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Category":
        if not isinstance(d, dict) or "name" not in d:
            raise AbstractFormatError(f"category must be an object with a 'name': {d!r}")
        rng = d.get("range")
        if rng is not None:
            if not (isinstance(rng, (list, tuple)) and len(rng) == 2):
                raise AbstractFormatError(f"category {d['name']!r}: range must be [low, high]")
            rng = (None if rng[0] is None else float(rng[0]), None if rng[1] is None else float(rng[1]))
        labels = d.get("labels") or []
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            raise AbstractFormatError(f"category {d['name']!r}: labels must be a list of strings")
        return cls(
            name=str(d["name"]),
            labels=list(labels),
            line=d.get("line"),
            outcome=d.get("outcome"),
            range=rng,
            unresolved=d.get("unresolved"),
            labels_at=dict(d["labels_at"]) if isinstance(d.get("labels_at"), dict) else None,
            label_spans=[dict(x) for x in d["label_spans"]] if isinstance(d.get("label_spans"), list) else None,
        )


@dataclass
class Default:
    """The branch taken when no category matches."""

    line: int | None = None
    outcome: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "outcome": self.outcome}

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> "Default | None":
        if d is None:
            return None
        if not isinstance(d, dict):
            raise AbstractFormatError("default must be an object or null")
        return cls(line=d.get("line"), outcome=d.get("outcome"))


@dataclass
class Decision:
    """How the application turns the API's output into one of its branches."""

    type: str
    categories: list[Category] = field(default_factory=list)
    ordering: str | None = None  # multi_choice only
    match: str = "exact"
    case_insensitive: bool = False
    min_score: float | None = None
    top_k: int | None = None
    default: Default | None = None
    # Optional (emitted only when set): span of the comparison that decides, with "file".
    compare_at: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        d = {
            "type": self.type,
            "ordering": self.ordering,
            "match": self.match,
            "case_insensitive": self.case_insensitive,
            "min_score": self.min_score,
            "top_k": self.top_k,
            "categories": [c.to_dict() for c in self.categories],
            "default": self.default.to_dict() if self.default else None,
        }
        if self.compare_at is not None:
            d["compare_at"] = dict(self.compare_at)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> "Decision | None":
        if d is None:
            return None
        if not isinstance(d, dict):
            raise AbstractFormatError("decision must be an object or null")
        typ = d.get("type")
        if typ not in DECISION_TYPES:
            raise AbstractFormatError(f"decision type must be one of {DECISION_TYPES}, got {typ!r}")
        ordering = d.get("ordering")
        if ordering is not None and ordering not in ORDERINGS:
            raise AbstractFormatError(f"ordering must be one of {ORDERINGS}, got {ordering!r}")
        match = d.get("match") or "exact"
        if match not in MATCH_MODES:
            raise AbstractFormatError(f"match must be one of {MATCH_MODES}, got {match!r}")
        cats = d.get("categories") or []
        if not isinstance(cats, list):
            raise AbstractFormatError("categories must be a list")
        min_score = d.get("min_score")
        top_k = d.get("top_k")
        return cls(
            type=typ,
            categories=[Category.from_dict(c) for c in cats],
            ordering=ordering,
            match=match,
            case_insensitive=bool(d.get("case_insensitive", False)),
            min_score=None if min_score is None else float(min_score),
            top_k=None if top_k is None else int(top_k),
            default=Default.from_dict(d.get("default")),
            compare_at=dict(d["compare_at"]) if isinstance(d.get("compare_at"), dict) else None,
        )


@dataclass
class Site:
    """One ML API call site and the decision the application makes with its output."""

    file: str
    api: str
    task: str
    line: int
    column: int
    end_line: int
    end_column: int
    decision: Decision | None = None
    notes: list[str] = field(default_factory=list)  # analyzer remarks (optional extra field)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "file": self.file,
            "api": self.api,
            "task": self.task,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "decision": self.decision.to_dict() if self.decision else None,
        }
        if self.notes:
            d["notes"] = list(self.notes)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Site":
        if not isinstance(d, dict):
            raise AbstractFormatError("site must be an object")
        try:
            api = str(d["api"])
            return cls(
                file=str(d.get("file", "")),
                api=api,
                task=str(d.get("task") or API_TASKS.get(api, "")),
                line=int(d.get("line", 0)),
                column=int(d.get("column", 0)),
                end_line=int(d.get("end_line", d.get("line", 0))),
                end_column=int(d.get("end_column", d.get("column", 0))),
                decision=Decision.from_dict(d.get("decision")),
                notes=list(d.get("notes") or []),
            )
        except KeyError as e:
            raise AbstractFormatError(f"site is missing {e.args[0]!r}") from None

    def decision_hash(self) -> str:
        """A stable hash of what the trained model depends on (api + decision, not positions).

        Moving code around must not mark a model stale; changing labels, thresholds or the
        decision type must.
        """
        payload = {"api": self.api, "decision": _strip_positions(self.decision.to_dict()) if self.decision else None}
        blob = json.dumps(payload, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


_POSITION_KEYS = ("line", "outcome", "labels_at", "label_spans", "compare_at")  # where, not what


def _strip_positions(d: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in d.items() if k not in _POSITION_KEYS}
    out["categories"] = [
        {k: v for k, v in c.items() if k not in _POSITION_KEYS} for c in d.get("categories", [])
    ]
    out["default"] = None
    return out


@dataclass
class Abstract:
    """The top-level document: every site found in the analysed files."""

    sites: list[Site] = field(default_factory=list)
    version: int = FORMAT_VERSION
    errors: list[dict[str, Any]] = field(default_factory=list)  # files that could not be analysed

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"version": self.version, "sites": [s.to_dict() for s in self.sites]}
        if self.errors:
            d["errors"] = list(self.errors)
        return d

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Abstract":
        if not isinstance(d, dict):
            raise AbstractFormatError("an abstract must be a JSON object")
        version = d.get("version", FORMAT_VERSION)
        if version != FORMAT_VERSION:
            raise AbstractFormatError(f"unsupported abstract version {version!r} (this tool reads {FORMAT_VERSION})")
        if "sites" in d:
            sites = d["sites"]
            if not isinstance(sites, list):
                raise AbstractFormatError("'sites' must be a list")
            return cls(sites=[Site.from_dict(s) for s in sites], version=version, errors=list(d.get("errors") or []))
        if "api" in d:  # a single site is accepted too, for convenience
            return cls(sites=[Site.from_dict(d)])
        raise AbstractFormatError("an abstract needs a 'sites' list")

    @classmethod
    def from_json(cls, text: str) -> "Abstract":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise AbstractFormatError(f"not valid JSON: {e}") from None
        return cls.from_dict(data)

    @classmethod
    def load(cls, path: str | Path) -> "Abstract":
        return cls.from_json(Path(path).read_text(encoding="utf-8"))

    def with_decisions(self) -> list[Site]:
        return [s for s in self.sites if s.decision is not None]


def merge(abstracts: Iterable[Abstract]) -> Abstract:
    out = Abstract()
    for a in abstracts:
        out.sites.extend(a.sites)
        out.errors.extend(a.errors)
    return out
