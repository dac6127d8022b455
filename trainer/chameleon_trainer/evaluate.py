"""Incorrect-decision rates, computed the way the app computes its decisions.

A model's logits become the API-like ranked output (``outputs.ranked_outputs``: the dataset's top-k
and score cut), then ``chameleon_server.decision.decide`` runs the app's rule on it and the result
is compared with ``acceptable`` on the true labels. The *calibrated* baseline is the generic model
with per-category logit offsets (i.e. the app's thresholds) tuned on validation data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from chameleon_server.decision import decide

from .appspec import AppSpec
from .outputs import ranked_outputs


@dataclass
class Transform:
    """A post-hoc change of the generic model's output: per-label logit offsets, or an affine
    rescale of the sentiment logit. The identity for every model but *calibrated*."""

    offsets: torch.Tensor | None = None
    scale: float = 1.0
    shift: float = 0.0

    def apply(self, z: torch.Tensor) -> torch.Tensor:
        if self.offsets is not None:
            z = z + self.offsets
        return z * self.scale + self.shift

    def to_dict(self) -> dict:
        return {"offsets": None if self.offsets is None else [round(float(v), 3) for v in self.offsets],
                "scale": self.scale, "shift": self.shift}


def decisions(spec: AppSpec, z: torch.Tensor, top_k: int, min_score: float) -> list:
    d = spec.decision
    if d.type == "score_range":
        return [decide(d, score=s) for s in torch.tanh(z.float()).tolist()]
    ranked = ranked_outputs(torch.sigmoid(z.float()), spec.vocabulary, top_k, min_score)
    return [decide(d, r) for r in ranked]


def wrong(spec: AppSpec, z: torch.Tensor, truths: list[set], top_k: int, min_score: float) -> np.ndarray:
    """Boolean per example: the app's decision on this model's output is incorrect."""
    return np.array([p not in t for p, t in zip(decisions(spec, z, top_k, min_score), truths)], dtype=bool)


def error_rate(spec: AppSpec, z: torch.Tensor, truths: list[set], top_k: int, min_score: float) -> float:
    w = wrong(spec, z, truths, top_k, min_score)
    return float(w.mean()) if len(w) else 0.0


def calibrate(spec: AppSpec, z_val: torch.Tensor, truths: list[set], top_k: int, min_score: float,
              rounds: int = 2) -> Transform:
    """Tune the app's thresholds on validation data: per-category logit offsets by coordinate
    descent over a grid (labels), or an affine rescale of the score (sentiment)."""
    if spec.type == "score_range":
        best = (error_rate(spec, z_val, truths, top_k, min_score), 1.0, 0.0)
        for a in np.arange(0.5, 2.51, 0.1):
            for b in np.arange(-0.5, 0.501, 0.05):
                e = error_rate(spec, z_val * a + b, truths, top_k, min_score)
                if e < best[0] - 1e-12:
                    best = (e, float(a), float(b))
        return Transform(scale=round(best[1], 3), shift=round(best[2], 3))
    v = z_val.shape[1]
    owner = [-1] * v
    for c, idx in enumerate(spec.cat_index):
        for i in idx:
            if owner[i] < 0:
                owner[i] = c
    cats = [c for c in range(len(spec.cat_index)) if spec.cat_index[c]]
    off = np.zeros(len(spec.cat_index))

    def offsets_of(o: np.ndarray) -> torch.Tensor:
        return torch.tensor([o[owner[i]] if owner[i] >= 0 else 0.0 for i in range(v)], dtype=torch.float32)

    best_e = error_rate(spec, z_val, truths, top_k, min_score)
    grid = np.arange(-6.0, 6.01, 0.5)
    for _ in range(rounds):
        improved = False
        for c in cats:
            for g in grid:
                trial = off.copy()
                trial[c] = g
                e = error_rate(spec, z_val + offsets_of(trial), truths, top_k, min_score)
                if e < best_e - 1e-12:
                    best_e, off, improved = e, trial, True
        if not improved:
            break
    return Transform(offsets=offsets_of(off))


def mcnemar(wrong_a: np.ndarray, wrong_b: np.ndarray) -> dict:
    """Exact McNemar test on paired per-example errors (two-sided binomial on discordant pairs)."""
    from scipy.stats import binomtest

    b = int((wrong_a & ~wrong_b).sum())  # a wrong, b right
    c = int((~wrong_a & wrong_b).sum())
    p = 1.0 if b + c == 0 else float(binomtest(b, b + c, 0.5).pvalue)
    return {"a_only_wrong": b, "b_only_wrong": c, "p_value": p}


def relative_reduction(base: float, new: float) -> float:
    return 0.0 if base <= 0 else (base - new) / base


def _nan_to_none(x: float) -> float | None:
    return None if (x is None or (isinstance(x, float) and math.isnan(x))) else x
