"""One small training loop for every head (generic, basic, customized), so that baselines get
exactly the same budget: same optimizer, epochs, batch size and seed. Polls ``should_stop`` between
batches (cancellation mid-epoch) and keeps the state with the best validation score."""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from typing import Callable

import torch

from .api import CancelledError


@dataclass
class FitResult:
    history: list[dict] = field(default_factory=list)  # per epoch: {"epoch", "loss", "val"}
    best_epoch: int = -1
    best_val: float | None = None
    seconds: float = 0.0


def device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def fit(head: torch.nn.Module, x: torch.Tensor, loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
        *, epochs: int, lr: float = 1e-3, weight_decay: float = 1e-4, batch_size: int = 256, seed: int = 0,
        validate: Callable[[torch.nn.Module], float] | None = None,
        should_stop: Callable[[], bool] | None = None,
        on_step: Callable[[int, int, float], None] | None = None) -> FitResult:
    """Train ``head`` in place. ``loss_fn(logits, batch_indices)`` returns a scalar; ``validate`` returns
    a score to minimise (the validation decision error); the best epoch's weights are restored."""
    threads = torch.get_num_threads()
    if device().type == "cpu":
        # The heads are small: one thread is as fast, and many small ops under a loaded machine
        # made multi-threaded runs 5-10x slower (threads waiting on each other at every op).
        torch.set_num_threads(1)
    try:
        return _fit(head, x, loss_fn, epochs=epochs, lr=lr, weight_decay=weight_decay, batch_size=batch_size,
                    seed=seed, validate=validate, should_stop=should_stop, on_step=on_step)
    finally:
        torch.set_num_threads(threads)


def _fit(head, x, loss_fn, *, epochs, lr, weight_decay, batch_size, seed, validate, should_stop, on_step) -> FitResult:
    t0 = time.time()
    torch.set_flush_denormal(True)  # softplus hinges produce denormals that slow CPU backward ~30x
    dev = device()
    head.to(dev)
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW(head.parameters(), lr=lr, weight_decay=weight_decay)
    n = len(x)
    steps_per_epoch = max(1, (n + batch_size - 1) // batch_size)
    total = epochs * steps_per_epoch
    res = FitResult()
    best_state = None
    if validate is not None:
        res.best_val = validate(head)
        res.best_epoch = 0
        best_state = copy.deepcopy(head.state_dict())
        res.history.append({"epoch": 0, "loss": None, "val": res.best_val})
    step = 0
    use_amp = dev.type == "cuda"
    for epoch in range(1, epochs + 1):
        head.train()
        perm = torch.randperm(n, generator=gen)
        tot, cnt = 0.0, 0
        for s in range(0, n, batch_size):
            if should_stop is not None and should_stop():
                raise CancelledError("cancelled")
            bi = perm[s: s + batch_size]
            with torch.autocast(device_type=dev.type, enabled=use_amp):
                logits = head(x[bi].to(dev, non_blocking=True))
            loss = loss_fn(logits.float(), bi)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            tot += float(loss.detach()) * len(bi)
            cnt += len(bi)
            step += 1
            if on_step is not None:
                on_step(step, total, float(loss.detach()))
        rec = {"epoch": epoch, "loss": tot / max(cnt, 1), "val": None}
        if validate is not None:
            v = validate(head)
            rec["val"] = v
            if v < res.best_val - 1e-12:
                res.best_val, res.best_epoch = v, epoch
                best_state = copy.deepcopy(head.state_dict())
        res.history.append(rec)
    if best_state is not None:
        head.load_state_dict(best_state)
    head.eval()
    res.seconds = time.time() - t0
    return res
