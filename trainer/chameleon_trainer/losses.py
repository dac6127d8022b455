"""Decision-aware losses (the paper's idea, ``shared/design.md``) and the baselines' plain losses.

Label decisions work in logit space with softplus hinges, which keep a gradient on confidently
wrong examples (a sigmoid-shaped hinge saturates there). With ``m_c`` the highest logit over
category c's labels and ``T`` the logit of the effective score threshold:

- a category that must fire needs ``m_c > max(T, k-th highest logit among labels outside c) + margin``:
  when the API returns only its top k labels, a needed label can be crowded out by labels the app
  ignores, and the hinge pushes it back in (and the crowding labels down);
- a category that must not fire needs ``m_c < T - margin``;
- ``multi_choice``/``output_rank``: the best acceptable category must also outrank every
  non-acceptable category that could fire first (pairwise hinges);
- ``multi_choice``/``category_priority``: the true category must fire and every category tested
  before it must not (later ones do not matter).
- ``score_range``: the score must land inside the interval of scores that produce the true branch,
  with a margin (softplus hinges on the tanh score).

A small weight of the generic loss keeps the rest of the output from rotting.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from chameleon_server.decision import decide

from .appspec import AppSpec

NEG = -30.0


@dataclass
class Targets:
    acc: torch.Tensor  # [N, C] categories that are acceptable to fire (must fire for tf/ms/priority)
    forbid: torch.Tensor  # [N, C] categories that must not fire / must not win
    lo: torch.Tensor | None = None  # [N] score_range: lower end of the true branch's interval (-inf)
    hi: torch.Tensor | None = None  # [N] upper end (+inf)


def logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def branch_interval(spec: AppSpec, score: float) -> tuple[float, float]:
    """The widest interval around ``score`` in which the app takes the same branch (scores in -1..1)."""
    d = spec.decision
    bounds = sorted({b for c in d.categories for b in (c.range or (None, None)) if b is not None} | {-1.0, 1.0})
    bounds = [b for b in bounds if -1.0 <= b <= 1.0]
    target = decide(d, score=score)

    def edge(outwards: list[float], unbounded: float) -> float:
        # Walk outwards segment by segment while the branch stays the same (probing segment midpoints
        # and the boundary points themselves, since ranges may be closed or open as the code writes them).
        prev = score
        for b in outwards:
            if decide(d, score=(b + prev) / 2) != target:
                return prev
            if decide(d, score=b) != target:
                return b
            prev = b
        return unbounded

    return (edge([b for b in reversed(bounds) if b <= score], -math.inf),
            edge([b for b in bounds if b > score], math.inf))


def make_targets(spec: AppSpec, truths: list[set], scores: list[float] | None = None) -> Targets:
    d = spec.decision
    n, c = len(truths), len(d.categories)
    acc = torch.zeros(n, c)
    forbid = torch.zeros(n, c)
    if d.type == "score_range":
        lo = torch.empty(n)
        hi = torch.empty(n)
        for i, s in enumerate(scores or []):
            lo[i], hi[i] = branch_interval(spec, s)
        return Targets(acc, forbid, lo, hi)
    for i, t in enumerate(truths):
        if d.type == "true_false":
            fire = True in t
            acc[i, 0], forbid[i, 0] = float(fire), float(not fire)
        elif d.type == "multi_select":
            (s,) = t
            for j in range(c):
                acc[i, j], forbid[i, j] = float(j in s), float(j not in s)
        elif d.type == "multi_choice":
            if t == {None}:
                forbid[i, :] = 1.0
            elif d.ordering == "output_rank":
                for j in range(c):
                    acc[i, j], forbid[i, j] = float(j in t), float(j not in t)
            else:
                (j,) = t
                acc[i, j] = 1.0
                forbid[i, :j] = 1.0
    return Targets(acc, forbid)


def category_max(z: torch.Tensor, spec: AppSpec) -> torch.Tensor:
    """``m [B, C]``: highest logit over each category's labels (NEG when it resolved to nothing)."""
    cols = []
    for idx in spec.cat_index:
        cols.append(z[:, idx].max(dim=1).values if idx else torch.full((z.shape[0],), NEG, device=z.device))
    return torch.stack(cols, dim=1)


def fire_threshold(z: torch.Tensor, spec: AppSpec) -> torch.Tensor:
    """``[B, C]``: the logit a category must beat to be in the app's kept output (top-k aware)."""
    t = torch.full((z.shape[0], len(spec.cat_index)), logit(spec.threshold), device=z.device)
    if not spec.top_k:
        return t
    cols = []
    for c, idx in enumerate(spec.cat_index):
        others = z.clone() if not idx else z.index_fill(1, torch.tensor(idx, device=z.device), NEG)
        k = spec.top_k  # the category is in the top k iff fewer than k other labels outrank it
        cols.append(others.topk(k, dim=1).values[:, -1] if z.shape[1] - len(idx) >= k else t[:, c])
    return torch.maximum(t, torch.stack(cols, dim=1))


def decision_loss(z: torch.Tensor, spec: AppSpec, tg: Targets, margin: float = 1.0) -> torch.Tensor:
    """The decision-aware loss of a batch (mean over examples), label decisions in logit space."""
    if spec.type == "score_range":
        return score_range_loss(z, tg)
    acc, forbid = tg.acc.to(z.device), tg.forbid.to(z.device)
    m = category_max(z, spec)
    thr = fire_threshold(z, spec)
    t_logit = logit(spec.threshold)
    if spec.type == "multi_choice" and spec.decision.ordering == "output_rank":
        has = acc.amax(dim=1)
        m_acc = torch.where(acc > 0, m, torch.full_like(m, NEG))
        best, arg = m_acc.max(dim=1)
        thr_best = thr.gather(1, arg[:, None]).squeeze(1)
        fire = F.softplus(thr_best + margin - best)
        outrank = (forbid * F.softplus(m - best[:, None] + margin)).sum(dim=1)
        silent = (forbid * F.softplus(m - t_logit + margin)).sum(dim=1)
        return (has * (fire + outrank) + (1 - has) * silent).mean()
    fire = acc * F.softplus(thr + margin - m)
    silent = forbid * F.softplus(m - t_logit + margin)
    return (fire + silent).sum(dim=1).mean()


def score_range_loss(z: torch.Tensor, tg: Targets, margin: float = 0.05, tau: float = 0.05) -> torch.Tensor:
    s = torch.tanh(z)
    lo, hi = tg.lo.to(z.device), tg.hi.to(z.device)
    width = (hi.clamp(max=1.0) - lo.clamp(min=-1.0)).clamp(min=0.0)
    mg = torch.minimum(torch.full_like(width, margin), width / 4)
    low_ok = torch.isfinite(lo)
    high_ok = torch.isfinite(hi)
    l_lo = torch.where(low_ok, tau * F.softplus((lo.nan_to_num(0.0, 0.0, 0.0) + mg - s) / tau), torch.zeros_like(s))
    l_hi = torch.where(high_ok, tau * F.softplus((s - hi.nan_to_num(0.0, 0.0, 0.0) + mg) / tau), torch.zeros_like(s))
    return (l_lo + l_hi).mean() / tau


def generic_loss(z: torch.Tensor, y: torch.Tensor, kind: str) -> torch.Tensor:
    """The generic objective: BCE over every vocabulary label, or MSE of the score."""
    if kind == "score":
        return F.mse_loss(torch.tanh(z), y)
    return F.binary_cross_entropy_with_logits(z, y)


def basic_loss(z: torch.Tensor, y: torch.Tensor, spec: AppSpec, kind: str) -> torch.Tensor:
    """The plain loss restricted to the app's labels (the paper's *basic* fine-tune baseline)."""
    if kind == "score":
        return F.mse_loss(torch.tanh(z), y)
    idx = spec.app_label_indices
    return F.binary_cross_entropy_with_logits(z[:, idx], y[:, idx])
