"""The registered datasets: real data that ships here, turned into cached feature splits.

Each dataset fixes its task, the APIs it stands in for, its vocabulary, its frozen backbone and how
the API-like output is cut (top-k, minimum score). Splits are built deterministically (independent
of the customization seed) so that every model and every seed is scored on the same test examples,
which is what a paired significance test needs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .data import fashion, fortunes, vader
from .data.base import Split, Splits
from .paths import cache_dir

Progress = Callable[[str, int, int, str], None]  # (stage, step, total, message)


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    task: str
    apis: tuple[str, ...]
    description: str
    output_top_k: int  # how many labels the API-like output returns
    output_min_score: float  # labels scored lower are not returned

    def to_dict(self) -> dict:
        return {"name": self.name, "task": self.task, "apis": list(self.apis), "description": self.description,
                "output_top_k": self.output_top_k, "output_min_score": self.output_min_score}


DATASETS: dict[str, DatasetInfo] = {
    "fashion-scenes": DatasetInfo(
        "fashion-scenes", "image_classification",
        ("google.vision.label_detection", "aws.rekognition.detect_labels"),
        "2x2 mosaics of real Fashion-MNIST items (empty tiles allowed), 45 Google-style labels with WordNet "
        "hypernyms; EfficientNet-Lite0 ImageNet features per tile",
        10, 0.5),
    "fortunes": DatasetInfo(
        "fortunes", "text_classification", ("google.language.classify_text",),
        "Debian fortunes, one classify_text-style category path per file (30 topics, 40 paths with parents); "
        "all-MiniLM-L6-v2 embeddings",
        5, 0.3),
    "vader": DatasetInfo(
        "vader", "sentiment", ("google.language.analyze_sentiment", "aws.comprehend.detect_sentiment"),
        "vaderSentiment's 23.7k human-rated sentences (tweets, movie/Amazon reviews, NYT editorials), "
        "score -4..4 mapped to -1..1; all-MiniLM-L6-v2 embeddings",
        0, 0.0),
}

DEFAULT_DATASET_FOR_API = {api: d.name for d in DATASETS.values() for api in d.apis}


def get(name: str) -> DatasetInfo:
    if name not in DATASETS:
        raise KeyError(name)
    return DATASETS[name]


def vocabulary(name: str) -> list[str]:
    if name == "fashion-scenes":
        return fashion.vocabulary()
    if name == "fortunes":
        return fortunes.vocabulary()
    return []


def backbone(name: str, tiny: bool) -> str:
    if name == "fashion-scenes":
        return "pixels" if tiny else "effnet"
    return "hashing" if tiny else "minilm"


# ---------------------------------------------------------------- sizes
_FASHION_SIZES = {
    False: dict(train_items=12000, val_items=3000, test_items=4000, generic=20000, train=6000, val=2000, test=4000),
    True: dict(train_items=1200, val_items=400, test_items=600, generic=1500, train=600, val=300, test=400),
}


def _multi_hot(labels: list[list[str]], vocab: list[str]) -> np.ndarray:
    index = {v: i for i, v in enumerate(vocab)}
    y = np.zeros((len(labels), len(vocab)), dtype=np.float32)
    for i, labs in enumerate(labels):
        for lab in labs:
            y[i, index[lab]] = 1.0
    return y


def _to_split(x: np.ndarray, labels: list[list[str]] | None = None, scores: list[float] | None = None,
              vocab: list[str] | None = None) -> Split:
    import torch

    if scores is not None:
        return Split(torch.from_numpy(x).float(), torch.tensor(scores, dtype=torch.float32), [], list(scores))
    return Split(torch.from_numpy(x).float(), torch.from_numpy(_multi_hot(labels or [], vocab or [])), labels or [], [])


def _noop(stage: str, step: int, total: int, message: str) -> None:
    pass


# ---------------------------------------------------------------- fashion
def fashion_tile_features(tiny: bool, progress: Progress = _noop) -> dict[str, np.ndarray]:
    """Cached per-item features of the item pools (and of an empty tile), after the fixed projection."""
    from . import backbones

    s = _FASHION_SIZES[tiny]
    path = cache_dir("features") / f"fashion-{'pixels-tiny' if tiny else 'effnet'}.npz"
    if path.exists():
        with np.load(path) as z:
            return {k: z[k] for k in z.files}
    xtr, ytr = fashion.load_items("train")
    xte, yte = fashion.load_items("t10k")
    n_tr, n_va, n_te = s["train_items"], s["val_items"], s["test_items"]
    tiles = np.concatenate([xtr[: n_tr + n_va], xte[:n_te], np.zeros((1, 28, 28), np.uint8)])
    classes = np.concatenate([ytr[: n_tr + n_va], yte[:n_te], [-1]])
    if tiny:
        feats = backbones.pixel_tile_features(tiles)
        mean, comps = np.zeros(feats.shape[1], np.float32), np.eye(feats.shape[1], dtype=np.float32)
    else:
        raw = backbones.effnet_tile_features(
            tiles, progress=lambda i, n: progress("features", i, n, "EfficientNet-Lite0 features of scene tiles"))
        mean, comps = backbones.fit_pca(raw[:n_tr])
        feats = (raw - mean) @ comps
    out = {"feats": feats.astype(np.float32), "classes": classes, "pca_mean": mean, "pca_comps": comps,
           "n_train": np.array(n_tr), "n_val": np.array(n_va), "n_test": np.array(n_te)}
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, **out)
    tmp.rename(path)
    return out


def _fashion_splits(tiny: bool, progress: Progress) -> Splits:
    s = _FASHION_SIZES[tiny]
    f = fashion_tile_features(tiny, progress)
    feats, classes = f["feats"], f["classes"]
    n_tr, n_va, n_te = int(f["n_train"]), int(f["n_val"]), int(f["n_test"])
    blank = len(feats) - 1
    pools = {
        "generic": (np.arange(0, n_tr), s["generic"], 101),
        "train": (np.arange(0, n_tr), s["train"], 102),
        "val": (np.arange(n_tr, n_tr + n_va), s["val"], 103),
        "test": (np.arange(n_tr + n_va, n_tr + n_va + n_te), s["test"], 104),
    }
    vocab = fashion.vocabulary()
    out = {}
    for name, (pool, n, seed) in pools.items():
        idx = fashion.make_scenes(pool, n, seed)
        idx = np.where(idx < 0, blank, idx)
        labels = [fashion.scene_labels([int(classes[j]) for j in row if j != blank]) for row in idx]
        out[name] = _to_split(feats[idx], labels=labels, vocab=vocab)
    return Splits(**out)


# ---------------------------------------------------------------- texts
def _text_split_indices(n: int, seed: int = 7) -> dict[str, np.ndarray]:
    perm = np.random.default_rng(seed).permutation(n)
    a, b = int(0.55 * n), int(0.70 * n)
    return {"train": perm[:a], "val": perm[a:b], "test": perm[b:]}


def _cached_text_features(key: str, kind: str, texts: list[str], progress: Progress) -> np.ndarray:
    from . import backbones

    path = cache_dir("features") / f"{key}-{kind}.npy"
    if path.exists():
        x = np.load(path)
        if len(x) == len(texts):
            return x
    x = backbones.embed_texts(kind, texts, progress=lambda i, n: progress("features", i, n, f"{kind} embeddings"))
    tmp = path.with_suffix(".tmp.npy")
    np.save(tmp, x)
    tmp.rename(path)
    return x


def _fortunes_splits(tiny: bool, progress: Progress) -> Splits:
    pairs = fortunes.load_texts(max_per_file=120 if tiny else 350)
    texts = [t for t, _ in pairs]
    x = _cached_text_features("fortunes" + ("-tiny" if tiny else ""), backbone("fortunes", tiny), texts, progress)
    labels = [fortunes.path_labels(c) for _, c in pairs]
    vocab = fortunes.vocabulary()
    idx = _text_split_indices(len(texts))
    sp = {k: _to_split(x[v], labels=[labels[i] for i in v], vocab=vocab) for k, v in idx.items()}
    return Splits(generic=sp["train"], train=sp["train"], val=sp["val"], test=sp["test"])


def _vader_splits(tiny: bool, progress: Progress) -> Splits:
    pairs = vader.load_sentences()
    rng = np.random.default_rng(11)
    keep = np.sort(rng.permutation(len(pairs))[: (3000 if tiny else 12000)])
    pairs = [pairs[i] for i in keep]
    texts = [t for t, _ in pairs]
    x = _cached_text_features("vader" + ("-tiny" if tiny else ""), backbone("vader", tiny), texts, progress)
    scores = [s for _, s in pairs]
    idx = _text_split_indices(len(texts))
    sp = {k: _to_split(x[v], scores=[scores[i] for i in v]) for k, v in idx.items()}
    return Splits(generic=sp["train"], train=sp["train"], val=sp["val"], test=sp["test"])


_SPLITS_CACHE: dict[tuple[str, bool], Splits] = {}


def load_splits(name: str, tiny: bool = False, progress: Progress = _noop) -> Splits:
    """The dataset's splits as tensors (features computed once, then read from the cache)."""
    key = (name, tiny)
    if key not in _SPLITS_CACHE:
        progress("data", 0, 1, f"loading {name}{' (tiny)' if tiny else ''}")
        fn = {"fashion-scenes": _fashion_splits, "fortunes": _fortunes_splits, "vader": _vader_splits}[name]
        _SPLITS_CACHE[key] = fn(tiny, progress)
        progress("data", 1, 1, f"{name} ready")
    return _SPLITS_CACHE[key]


def export_vocabularies(dest) -> None:
    """Torch-free vocabularies for the language server: ``<dataset>.json`` and ``index.json``."""
    from pathlib import Path

    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    for d in DATASETS.values():
        doc = {"dataset": d.name, "task": d.task, "apis": list(d.apis), "output_top_k": d.output_top_k,
               "output_min_score": d.output_min_score, "labels": vocabulary(d.name)}
        (dest / f"{d.name}.json").write_text(json.dumps(doc, indent=1) + "\n")
    (dest / "index.json").write_text(json.dumps(DEFAULT_DATASET_FOR_API, indent=1, sort_keys=True) + "\n")
