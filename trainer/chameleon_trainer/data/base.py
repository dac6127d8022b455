"""The shapes every dataset hands to training and evaluation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Split:
    """Features of one split plus its ground truth.

    ``x`` is a float tensor: ``[N, tiles, D]`` for image scenes (one feature row per tile) or
    ``[N, D]`` for texts. ``y`` is a multi-hot ``[N, V]`` over the vocabulary for classification,
    or the true scores ``[N]`` (-1..1) for sentiment. ``labels`` keeps the true label names so the
    ground truth of a decision is computed by ``chameleon_server.decision`` exactly as the app would.
    """

    x: Any
    y: Any
    labels: list[list[str]] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)

    def __len__(self) -> int:
        return int(self.x.shape[0])


@dataclass
class Splits:
    """``generic`` trains the generic model; ``train``/``val`` are the app's data (customization and
    threshold calibration); ``test`` is held out from everything and only scored."""

    generic: Split
    train: Split
    val: Split
    test: Split
