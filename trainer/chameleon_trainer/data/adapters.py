"""Adapters for the data users bring, turned into labelled items for customization.

A user dataset is named by a spec string wherever a dataset name is accepted:

- ``texts-csv:PATH``: a CSV with columns ``text`` and ``labels`` (labels separated by ``|``);
- ``images-csv:PATH``: a CSV with columns ``image`` (a path, relative to the CSV) and ``labels``;
- ``images-folder:PATH``: one sub-folder per label (``PATH/Sneakers/*.png``);
- ``openimages:LABELS_CSV,CLASSES_CSV,IMAGES_DIR``: Open Images image-level labels
  (``ImageID,Source,LabelName,Confidence``; ``Confidence`` 1 = verified positive, 0 = verified
  negative) with the class-description CSV (``LabelName,DisplayName``) and ``IMAGES_DIR/<ImageID>.jpg``.

Labels are matched to the generic model's vocabulary case-insensitively; labels the model cannot
output are reported (``unknown_labels``) and dropped, since no output of the model can express them.
Verified negatives are kept as such; unverified labels count as absent (as the app would see them).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"}
KINDS = ("texts-csv", "images-csv", "images-folder", "openimages")


@dataclass
class LabelledItems:
    task: str  # "image_classification" | "text_classification"
    inputs: list  # encoded image bytes, or texts
    labels: list[list[str]]
    negatives: list[list[str]] = field(default_factory=list)
    unknown_labels: dict[str, int] = field(default_factory=dict)


def is_user_dataset(name: str) -> bool:
    return name.split(":", 1)[0] in KINDS and ":" in name


def _split_labels(s: str) -> list[str]:
    return [x.strip() for x in (s or "").split("|") if x.strip()]


def load(spec: str) -> LabelledItems:
    kind, _, arg = spec.partition(":")
    if kind == "texts-csv":
        with open(arg, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        _need(rows, ("text", "labels"), arg)
        return LabelledItems("text_classification", [r["text"] for r in rows], [_split_labels(r["labels"]) for r in rows])
    if kind == "images-csv":
        base = Path(arg).parent
        with open(arg, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        _need(rows, ("image", "labels"), arg)
        return LabelledItems("image_classification", [(base / r["image"]).read_bytes() for r in rows],
                             [_split_labels(r["labels"]) for r in rows])
    if kind == "images-folder":
        inputs, labels = [], []
        for d in sorted(p for p in Path(arg).iterdir() if p.is_dir()):
            for f in sorted(d.iterdir()):
                if f.suffix.lower() in IMAGE_SUFFIXES:
                    inputs.append(f.read_bytes())
                    labels.append([d.name])
        return LabelledItems("image_classification", inputs, labels)
    if kind == "openimages":
        try:
            labels_csv, classes_csv, images_dir = arg.split(",")
        except ValueError:
            raise ValueError("openimages:LABELS_CSV,CLASSES_CSV,IMAGES_DIR") from None
        with open(classes_csv, newline="", encoding="utf-8") as f:
            names = {row[0]: row[1] for row in csv.reader(f) if len(row) >= 2}
        pos: dict[str, list[str]] = {}
        neg: dict[str, list[str]] = {}
        with open(labels_csv, newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                name = names.get(r["LabelName"], r["LabelName"])
                (pos if float(r.get("Confidence", 1)) >= 0.5 else neg).setdefault(r["ImageID"], []).append(name)
        ids = sorted(set(pos) | set(neg))
        inputs, labels, negatives = [], [], []
        for i in ids:
            p = Path(images_dir) / f"{i}.jpg"
            if p.exists():
                inputs.append(p.read_bytes())
                labels.append(pos.get(i, []))
                negatives.append(neg.get(i, []))
        return LabelledItems("image_classification", inputs, labels, negatives)
    raise ValueError(f"unknown dataset format {kind!r}; one of {KINDS}")


def _need(rows: list[dict], cols: tuple[str, ...], path: str) -> None:
    if rows and not all(c in rows[0] for c in cols):
        raise ValueError(f"{path}: needs columns {cols}, has {tuple(rows[0])}")


def to_vocabulary(items: LabelledItems, vocabulary: list[str]) -> LabelledItems:
    """Map labels onto the model's vocabulary (case-insensitive), counting those it cannot output."""
    index = {v.casefold(): v for v in vocabulary}
    unknown: dict[str, int] = {}
    out = []
    for labs in items.labels:
        keep = []
        for lab in labs:
            v = index.get(lab.casefold())
            if v is None:
                unknown[lab] = unknown.get(lab, 0) + 1
            elif v not in keep:
                keep.append(v)
        out.append(keep)
    return LabelledItems(items.task, items.inputs, out, items.negatives, unknown)
