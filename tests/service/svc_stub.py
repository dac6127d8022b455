"""A small stand-in trainer for the service tests: a job runner and a predictor whose behaviour the
tests control (steps, delay, failure) and can predict exactly. The service, HTTP, SQLite, SSE and
the real client libraries around it are all real; the real trainer is exercised in
``test_service_e2e.py``.

Predictions are a pure function of the image's mean colour (or the text's words) and of the model's
``flavour`` ("generic" or "customized"), so a test knows which answer each model gives.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import struct
import time
import zlib
from pathlib import Path

VOCAB = ["Food", "Fast food", "Plastic", "Glass", "Paper", "Tableware"]
TEXT_VOCAB = ["/Computers & Electronics", "/Science", "/Arts & Entertainment", "/Food & Drink"]


def png(rgb: tuple[int, int, int], size: int = 8) -> bytes:
    """A real PNG of one colour (no PIL needed to build it)."""
    raw = b"".join(b"\x00" + bytes(rgb) * size for _ in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def runner(spec, out_dir: Path, progress, should_stop) -> None:
    from chameleon_server.abstract import API_TASKS
    from chameleon_trainer.service.runner import JobCancelled, JobInputError

    opts = spec.options
    if opts.get("fail"):
        raise JobInputError(f"stub failure: {opts['fail']}")
    if opts.get("crash"):
        raise RuntimeError("stub crash")
    if opts.get("hard_crash"):  # what a segfault or the OOM killer looks like from outside
        os._exit(int(opts["hard_crash"]))
    steps, delay = int(opts.get("steps", 4)), float(opts.get("delay", 0.02))
    for i in range(steps):
        if should_stop():
            raise JobCancelled("stopped between batches")
        progress({"stage": "customize", "step": i + 1, "total": steps, "message": f"batch {i + 1}"})
        time.sleep(delay)
    tmp = out_dir.with_name(out_dir.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    task = API_TASKS.get(spec.site.api, "image_classification")
    meta = {"task": task, "api": spec.site.api, "dataset": spec.dataset, "base_model": spec.base_model,
            "abstract_hash": spec.site.decision_hash(), "created": "now", "flavour": opts.get("flavour", "customized"),
            "pid": os.getpid(), "cuda_visible_devices": os.environ.get("CUDA_VISIBLE_DEVICES")}
    (tmp / "meta.json").write_text(json.dumps(meta))
    (tmp / "vocabulary.json").write_text(json.dumps(TEXT_VOCAB if task == "text_classification" else VOCAB))
    (tmp / "metrics.json").write_text(json.dumps({"generic_error": 0.4, "customized_error": 0.1, "n_test": 10}))
    (tmp / "report.png").write_bytes(png((10, 200, 10)))
    os.replace(tmp, out_dir)


def write_model(models_dir: Path, model_id: str, task: str, api: str, flavour: str) -> Path:
    d = Path(models_dir) / model_id
    d.mkdir(parents=True)
    (d / "meta.json").write_text(json.dumps({"task": task, "api": api, "dataset": "stub", "flavour": flavour}))
    (d / "vocabulary.json").write_text(json.dumps(TEXT_VOCAB if task == "text_classification" else VOCAB))
    (d / "metrics.json").write_text(json.dumps({"generic_error": 0.4, "customized_error": 0.1}))
    return d


class StubPredictor:
    """Red images are food, blue ones plastic; the customized flavour ranks 'Tableware' first on
    greenish images, where the generic one says 'Paper'."""

    def __init__(self, model_dir: Path):
        meta = json.loads((Path(model_dir) / "meta.json").read_text())
        self.task = meta["task"]
        self.flavour = meta.get("flavour", "customized")
        self.vocabulary = TEXT_VOCAB if self.task == "text_classification" else VOCAB
        self.calls: list[int] = []

    def _colour(self, data: bytes) -> tuple[float, float, float]:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as im:
            return im.convert("RGB").resize((1, 1)).getpixel((0, 0))  # type: ignore[return-value]

    def predict_images(self, images: list[bytes]) -> list[list[tuple[str, float]]]:
        self.calls.append(len(images))
        out = []
        for data in images:
            r, g, b = self._colour(data)
            if r > g and r > b:
                ranked = [("Food", 0.92), ("Fast food", 0.7), ("Tableware", 0.3), ("Paper", 0.05)]
            elif b > r and b > g:
                ranked = [("Plastic", 0.88), ("Glass", 0.6), ("Tableware", 0.2), ("Paper", 0.1)]
            elif self.flavour == "customized":
                ranked = [("Tableware", 0.81), ("Paper", 0.5), ("Food", 0.3), ("Glass", 0.1)]
            else:
                ranked = [("Paper", 0.75), ("Tableware", 0.62), ("Glass", 0.2), ("Food", 0.1)]
            out.append(ranked)
        return out

    def predict_texts(self, texts: list[str]) -> list[list[tuple[str, float]]]:
        self.calls.append(len(texts))
        out = []
        for t in texts:
            if "computer" in t.lower():
                out.append([("/Computers & Electronics", 0.9), ("/Science", 0.3), ("/Food & Drink", 0.05)])
            else:
                out.append([("/Arts & Entertainment", 0.6), ("/Science", 0.2), ("/Food & Drink", 0.05)])
        return out

    def predict_sentiment(self, texts: list[str]) -> list[tuple[float, float]]:
        self.calls.append(len(texts))
        out = []
        for t in texts:
            words = t.lower().split()
            s = (words.count("good") - words.count("bad")) / max(1, len(words))
            out.append((max(-1.0, min(1.0, s * 2)), float(len(words)) / 10))
        return out


def load(model_dir: Path) -> StubPredictor:
    return StubPredictor(model_dir)
