"""Fashion scenes: 2x2 mosaics of real Fashion-MNIST items with a Google-style label hierarchy.

Each item class expands to Cloud-Vision-like labels (the product name, its parents, and its WordNet
hypernyms: Sneaker -> Sneakers, Athletic shoe, Gym shoe, Shoe, Footwear, Covering...). A scene's true
labels are the union over its items plus scene labels (``Fashion``, ``Outfit``). Tiles may be empty.
Scenes for the generic model, for the app's training data, for validation and for testing are
built from disjoint item pools (the test pool is Fashion-MNIST's own t10k split).
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path

import numpy as np

from . import wordnet

FMNIST_DIR = Path("/usr/share/datasets/fashion-mnist")
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

# Google-style labels per item class, most specific first.
_GOOGLE: dict[int, list[str]] = {
    0: ["T-shirt", "Top", "Sleeve", "Active shirt", "Clothing"],
    1: ["Trousers", "Pants", "Jeans", "Clothing"],
    2: ["Sweater", "Outerwear", "Sleeve", "Woolen", "Clothing"],
    3: ["Dress", "Day dress", "One-piece garment", "Clothing"],
    4: ["Coat", "Jacket", "Outerwear", "Sleeve", "Clothing"],
    5: ["Sandal", "Shoe", "Footwear", "Slipper"],
    6: ["Shirt", "Dress shirt", "Collar", "Top", "Sleeve", "Clothing"],
    7: ["Sneakers", "Athletic shoe", "Walking shoe", "Shoe", "Footwear"],
    8: ["Bag", "Handbag", "Shoulder bag", "Fashion accessory", "Luggage & bags"],
    9: ["Boot", "Ankle boot", "Work boots", "Shoe", "Footwear"],
}
# WordNet synsets (data.noun offsets) of each class's leaf concept.
_WORDNET: dict[int, str] = {0: "03595614", 1: "04489008", 2: "04021028", 3: "03236735", 4: "03057021",
                            5: "04133789", 6: "04197391", 7: "03472535", 8: "02773037", 9: "02872752"}
_WORDNET_TOO_GENERAL = {"Artifact", "Whole", "Object", "Physical entity", "Entity", "Instrumentality"}
SCENE_LABELS = ["Fashion", "Outfit"]
_CLOTHING = {0, 1, 2, 3, 4, 6}
_FOOTWEAR = {5, 7, 9}


@lru_cache(maxsize=1)
def class_labels() -> dict[int, list[str]]:
    """Per class, its full label set (Google-style names plus WordNet ancestors), deduplicated."""
    out = {}
    for c, names in _GOOGLE.items():
        labels = list(names)
        if wordnet.available():
            labels += [a for a in wordnet.ancestors(_WORDNET[c]) if a not in _WORDNET_TOO_GENERAL]
        seen: list[str] = []
        for lab in labels:
            if lab.casefold() not in {s.casefold() for s in seen}:
                seen.append(lab)
        out[c] = seen
    return out


@lru_cache(maxsize=1)
def vocabulary() -> list[str]:
    vocab: list[str] = []
    for c in range(10):
        for lab in class_labels()[c]:
            if lab not in vocab:
                vocab.append(lab)
    return vocab + SCENE_LABELS


def scene_labels(classes: list[int]) -> list[str]:
    """True labels of a scene holding these item classes (empty tiles excluded)."""
    out: list[str] = []
    for c in classes:
        for lab in class_labels()[c]:
            if lab not in out:
                out.append(lab)
    if classes:
        out.append("Fashion")
    if set(classes) & _CLOTHING and set(classes) & _FOOTWEAR:
        out.append("Outfit")
    return out


def _read_idx(path: Path) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[:4], "big")
    ndim = magic & 0xFF
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


@lru_cache(maxsize=2)
def load_items(split: str) -> tuple[np.ndarray, np.ndarray]:
    """(images uint8 [N,28,28], classes [N]) of Fashion-MNIST ``train`` or ``t10k``."""
    if not (FMNIST_DIR / f"{split}-images-idx3-ubyte.gz").exists():
        raise FileNotFoundError(f"Fashion-MNIST not found in {FMNIST_DIR} (Debian package dataset-fashion-mnist)")
    x = _read_idx(FMNIST_DIR / f"{split}-images-idx3-ubyte.gz")
    y = _read_idx(FMNIST_DIR / f"{split}-labels-idx1-ubyte.gz").astype(np.int64)
    return x, y


def make_scenes(pool: np.ndarray, n: int, seed: int, p_empty: float = 0.35) -> np.ndarray:
    """``[n, 4]`` item indices (into the item array) drawn from ``pool``; -1 is an empty tile.

    Every scene holds at least one item.
    """
    rng = np.random.default_rng(seed)
    idx = rng.choice(pool, size=(n, 4), replace=True)
    empty = rng.random((n, 4)) < p_empty
    none = empty.all(axis=1)
    empty[none, rng.integers(0, 4, size=int(none.sum()))] = False
    idx[empty] = -1
    return idx


def render_scene(tiles: list[np.ndarray | None]) -> np.ndarray:
    """A 56x56 uint8 mosaic from four 28x28 tiles (``None`` = empty, black)."""
    out = np.zeros((56, 56), dtype=np.uint8)
    for i, t in enumerate(tiles):
        if t is not None:
            r, c = divmod(i, 2)
            out[28 * r: 28 * r + 28, 28 * c: 28 * c + 28] = t
    return out


def split_scene(img: np.ndarray) -> list[np.ndarray]:
    """The four 28x28 tiles of a 56x56 mosaic, in reading order."""
    return [img[28 * r: 28 * r + 28, 28 * c: 28 * c + 28] for r in range(2) for c in range(2)]
