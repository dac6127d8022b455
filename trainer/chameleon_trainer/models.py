"""The trainable heads that sit on the frozen backbones, and saving/loading them with their vocabulary.

``LabelHead`` scores every vocabulary label for a scene of tiles ``[N,T,D]`` (a shared per-tile MLP,
max- and mean-pooled over tiles, then a linear layer, so scene labels like ``Outfit`` that need two
tiles are learnable) or for a text embedding ``[N,D]``. ``ScoreHead`` regresses a sentiment score
(tanh, -1..1). Both return pre-activation values ("logits") so losses can work in logit space.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from torch import nn


class LabelHead(nn.Module):
    def __init__(self, d_in: int, n_labels: int, hidden: int = 256, dropout: float = 0.1):
        super().__init__()
        self.d_in, self.n_labels, self.hidden = d_in, n_labels, hidden
        self.tile = nn.Sequential(nn.Linear(d_in, hidden), nn.ReLU(), nn.Dropout(dropout))
        self.out = nn.Linear(2 * hidden, n_labels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() == 2:
            x = x[:, None, :]
        h = self.tile(x)
        pooled = torch.cat([h.max(dim=1).values, h.mean(dim=1)], dim=-1)
        return self.out(pooled)


class ScoreHead(nn.Module):
    def __init__(self, d_in: int, hidden: int = 256, dropout: float = 0.1):
        super().__init__()
        self.d_in, self.hidden, self.n_labels = d_in, hidden, 0
        self.net = nn.Sequential(nn.Linear(d_in, hidden), nn.ReLU(), nn.Dropout(dropout), nn.Linear(hidden, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).squeeze(-1)


def build_head(kind: str, d_in: int, n_labels: int, hidden: int | None = None) -> nn.Module:
    if kind == "labels":
        return LabelHead(d_in, n_labels, hidden or 256)
    if kind == "score":
        return ScoreHead(d_in, hidden or 256)
    raise ValueError(kind)


def save_model(dirpath: Path, head: nn.Module, kind: str, backbone: str, vocabulary: list[str],
               extra: dict[str, Any] | None = None) -> None:
    """``weights.pt`` (head state + what the predictor needs to rebuild it) and ``vocabulary.json``."""
    payload = {"kind": kind, "backbone": backbone, "d_in": head.d_in, "hidden": head.hidden,
               "n_labels": len(vocabulary), "state_dict": {k: v.detach().cpu() for k, v in head.state_dict().items()}}
    payload.update(extra or {})
    torch.save(payload, dirpath / "weights.pt")
    (dirpath / "vocabulary.json").write_text(json.dumps(vocabulary, indent=0) + "\n")


def load_model(dirpath: Path) -> tuple[nn.Module, dict[str, Any], list[str]]:
    payload = torch.load(dirpath / "weights.pt", map_location="cpu", weights_only=False)
    head = build_head(payload["kind"], payload["d_in"], payload["n_labels"], payload["hidden"])
    head.load_state_dict(payload["state_dict"])
    head.eval()
    vocab = json.loads((dirpath / "vocabulary.json").read_text())
    return head, payload, vocab
