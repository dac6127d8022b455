"""``Predictor``: a model directory ready to serve, batched, API-like ranked outputs.

Raw inputs go through the same frozen backbone as at training time (EfficientNet-Lite0 + the fixed
projection per scene tile, or MiniLM for texts), then the head, then the dataset's top-k and score
cut (``outputs.ranked_outputs``), so served outputs are exactly those the benchmark scored.
"""

from __future__ import annotations

import io
import json
import threading
from pathlib import Path

import numpy as np
import torch

from . import backbones
from .data import fashion
from .models import load_model
from .outputs import head_logits, ranked_outputs

SCENE_SIZE = 56


def decode_scene(data: bytes) -> np.ndarray:
    """Encoded image bytes (PNG/JPEG/...) -> 56x56 uint8 grayscale; ``ValueError`` if not an image."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as im:
            im = im.convert("L")
            if im.size != (SCENE_SIZE, SCENE_SIZE):
                im = im.resize((SCENE_SIZE, SCENE_SIZE), Image.BILINEAR)
            return np.asarray(im, dtype=np.uint8).copy()
    except (UnidentifiedImageError, OSError, SyntaxError) as e:
        raise ValueError(f"not a decodable image: {e}") from None


def encode_png(img: np.ndarray) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(img.astype(np.uint8), mode="L").save(buf, format="PNG")
    return buf.getvalue()


class Predictor:
    """What serving calls. ``task`` and ``vocabulary`` describe the model; the predict methods are batched."""

    def __init__(self, model_dir: Path):
        self.model_dir = Path(model_dir)
        self.head, self.payload, self.vocabulary = load_model(self.model_dir)
        self.meta = json.loads((self.model_dir / "meta.json").read_text())
        self.task: str = self.meta["task"]
        self.backbone: str = self.payload["backbone"]
        self.output_top_k: int = int(self.meta.get("output_top_k", 10))
        self.output_min_score: float = float(self.meta.get("output_min_score", 0.0))
        self._lock = threading.Lock()

    # ---------------------------------------------------------------- features
    def _image_features(self, images: list[bytes]) -> torch.Tensor:
        scenes = [decode_scene(b) for b in images]
        tiles = np.stack([t for s in scenes for t in fashion.split_scene(s)]) if scenes else np.zeros((0, 28, 28), np.uint8)
        if self.backbone == "effnet":
            raw = backbones.effnet_tile_features(tiles)
            f = (raw - self.payload["pca_mean"].numpy()) @ self.payload["pca_comps"].numpy()
        elif self.backbone == "pixels":
            f = backbones.pixel_tile_features(tiles)
        else:
            raise ValueError(f"model {self.model_dir} is not an image model")
        return torch.from_numpy(f.astype(np.float32)).reshape(len(scenes), 4, -1)

    def _text_features(self, texts: list[str]) -> torch.Tensor:
        if self.backbone not in ("minilm", "hashing"):
            raise ValueError(f"model {self.model_dir} is not a text model")
        return torch.from_numpy(backbones.embed_texts(self.backbone, list(texts)))

    def _ranked(self, x: torch.Tensor, top_k: int | None, min_score: float | None) -> list[list[tuple[str, float]]]:
        with self._lock, torch.inference_mode():
            z = head_logits(self.head, x)
        k = self.output_top_k if top_k is None else top_k
        ms = self.output_min_score if min_score is None else min_score
        return ranked_outputs(torch.sigmoid(z), self.vocabulary, k, ms)

    # ---------------------------------------------------------------- public
    def predict_images(self, images: list[bytes], top_k: int | None = None,
                       min_score: float | None = None) -> list[list[tuple[str, float]]]:
        """Ranked ``(label, score)`` per image, cut like the API (its top-k, its score threshold)."""
        if self.task != "image_classification":
            raise ValueError(f"this is a {self.task} model")
        if not images:
            return []
        return self._ranked(self._image_features(images), top_k, min_score)

    def predict_texts(self, texts: list[str], top_k: int | None = None,
                      min_score: float | None = None) -> list[list[tuple[str, float]]]:
        """Ranked ``(category path, confidence)`` per text (``classify_text``-like)."""
        if self.task != "text_classification":
            raise ValueError(f"this is a {self.task} model")
        if not texts:
            return []
        return self._ranked(self._text_features(texts), top_k, min_score)

    def predict_sentiment(self, texts: list[str]) -> list[tuple[float, float]]:
        """``(score -1..1, magnitude >= 0)`` per text; magnitude grows with |score| and the sentence count."""
        if self.task != "sentiment":
            raise ValueError(f"this is a {self.task} model")
        if not texts:
            return []
        x = self._text_features(texts)
        with self._lock, torch.inference_mode():
            s = torch.tanh(head_logits(self.head, x)).tolist()
        out = []
        for text, score in zip(texts, s):
            n_sent = max(1, sum(text.count(p) for p in ".!?"))
            out.append((round(float(score), 4), round(abs(float(score)) * n_sent, 4)))
        return out


def load_predictor(model_dir: Path) -> Predictor:
    return Predictor(model_dir)
