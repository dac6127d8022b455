"""Held-out inputs for showing a customized model at work: real Fashion-MNIST *test* items (never
seen in training: the trainer draws training scenes from the train items only) rendered as 2x2
scene PNGs, with their true labels so the right decision is known."""

from __future__ import annotations

import numpy as np


def fashion_scenes(n: int, seed: int = 2026) -> list[tuple[bytes, list[str]]]:
    from chameleon_trainer.data import fashion
    from chameleon_trainer.predictor import encode_png

    items, classes = fashion.load_items("t10k")
    idx = fashion.make_scenes(np.arange(len(items)), n, seed)
    out = []
    for row in idx:
        tiles = [items[j] if j >= 0 else None for j in row]
        labels = fashion.scene_labels([int(classes[j]) for j in row if j >= 0])
        out.append((encode_png(fashion.render_scene(tiles)), labels))
    return out
