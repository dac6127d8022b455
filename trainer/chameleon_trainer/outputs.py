"""Turning a head's scores into an API-like output: labels ranked by score, cut to the API's top-k
and minimum score. Serving and evaluation share this function so that the decisions measured in
the benchmark are the decisions a served model makes."""

from __future__ import annotations

import torch


def ranked_outputs(probs: torch.Tensor, vocabulary: list[str], top_k: int, min_score: float) -> list[list[tuple[str, float]]]:
    """``probs [N,V]`` in 0..1 -> per row, ``[(label, score), ...]`` best first (``top_k=0``: no cap)."""
    k = probs.shape[1] if not top_k else min(top_k, probs.shape[1])
    vals, idx = probs.float().topk(k, dim=1)
    vals, idx = vals.tolist(), idx.tolist()
    out = []
    for vs, ix in zip(vals, idx):
        out.append([(vocabulary[i], round(float(v), 6)) for v, i in zip(vs, ix) if v >= min_score])
    return out


def sentiment_outputs(logits: torch.Tensor) -> list[float]:
    return torch.tanh(logits.float()).tolist()


@torch.no_grad()
def head_logits(head: torch.nn.Module, x: torch.Tensor, batch_size: int = 1024) -> torch.Tensor:
    head.eval()
    torch.set_flush_denormal(True)
    dev = next(head.parameters()).device
    outs = [head(x[s: s + batch_size].to(dev)).float().cpu() for s in range(0, len(x), batch_size)]
    return torch.cat(outs) if outs else torch.zeros(0)
