"""The generic model per dataset: plays the ML API the app calls today.

Trained once on the *generic* objective (multi-label BCE over the whole vocabulary, or MSE on the
sentiment score) from the dataset's generic split, never on any one app's labels, and cached under
``~/.cache/chameleon-api/models/<dataset>/generic``. Its test-set quality is recorded in its
``metrics.json`` so that the report can say how good the "API" is.
"""

from __future__ import annotations

import fcntl
import json
import time
from pathlib import Path
from typing import Callable

import torch
import torch.nn.functional as F

from . import datasets
from .api import ProgressEvent
from .models import build_head, save_model
from .modeldir import atomic_dir
from .outputs import head_logits, ranked_outputs
from .paths import cache_dir
from .train import fit

# Epoch budgets; the epoch with the best validation score (label mAP, or score MAE) is kept, so the
# generic model is trained to its best on the generic objective (a fair "API", not a weakened one).
GENERIC_EPOCHS = {"fashion-scenes": 30, "fortunes": 150, "vader": 60}
GENERIC_VERSION = 3  # bump to retrain cached generic models after a change here
TINY_VERSION = 2  # the same for the tiny stand-ins used by tests


def generic_dir_path(dataset: str, tiny: bool = False) -> Path:
    if tiny:
        return cache_dir("models") / f"{dataset}-tiny" / f"generic-v{GENERIC_VERSION}-t{TINY_VERSION}"
    return cache_dir("models") / dataset / f"generic-v{GENERIC_VERSION}"


def ensure_generic(dataset: str, tiny: bool = False, progress: Callable[[ProgressEvent], None] | None = None) -> Path:
    """The generic model directory, trained now (under a file lock) if it is not cached yet."""
    if dataset not in datasets.DATASETS:
        from .api import CustomizeError

        raise CustomizeError(f"unknown dataset {dataset!r}; known: {', '.join(datasets.DATASETS)}")
    final = generic_dir_path(dataset, tiny)
    if (final / "meta.json").exists():
        return final
    lock = final.parent / ".lock"
    final.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "w") as lf:
        fcntl.flock(lf, fcntl.LOCK_EX)
        try:
            if not (final / "meta.json").exists():
                _train_generic(dataset, tiny, final, progress)
        finally:
            fcntl.flock(lf, fcntl.LOCK_UN)
    return final


def _emit(progress, stage, step, total, message="", metrics=None):
    if progress is not None:
        progress(ProgressEvent(stage, step, total, message, metrics))


def generic_quality(dataset: str, logits: torch.Tensor, split) -> dict:
    """Test-set quality of the generic model, the numbers an API vendor would quote."""
    info = datasets.get(dataset)
    if info.task == "sentiment":
        pred = torch.tanh(logits)
        y = split.y
        mae = float((pred - y).abs().mean())
        corr = float(torch.corrcoef(torch.stack([pred, y]))[0, 1])
        return {"test_mae": round(mae, 4), "test_pearson": round(corr, 4), "n_test": len(y)}
    probs = torch.sigmoid(logits)
    y = split.y
    vocab = datasets.vocabulary(dataset)
    ranked = ranked_outputs(probs, vocab, info.output_top_k, info.output_min_score)
    tp = fp = fn = 0
    for out, labs in zip(ranked, split.labels):
        got = {lab for lab, _ in out}
        tp += len(got & set(labs))
        fp += len(got - set(labs))
        fn += len(set(labs) - got)
    prec, rec = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    # Mean average precision over labels that occur in the test split.
    aps = []
    for j in range(y.shape[1]):
        if y[:, j].sum() == 0:
            continue
        order = probs[:, j].argsort(descending=True)
        hits = y[order, j]
        prec_at = hits.cumsum(0) / torch.arange(1, len(hits) + 1)
        aps.append(float((prec_at * hits).sum() / hits.sum()))
    return {"test_precision": round(prec, 4), "test_recall": round(rec, 4),
            "test_f1": round(2 * prec * rec / max(prec + rec, 1e-9), 4),
            "test_mAP": round(sum(aps) / max(len(aps), 1), 4), "n_test": len(y),
            "output": f"top {info.output_top_k}, score >= {info.output_min_score}"}


def _train_generic(dataset: str, tiny: bool, final: Path, progress) -> None:
    info = datasets.get(dataset)
    torch.manual_seed(1234)
    t0 = time.time()
    splits = datasets.load_splits(dataset, tiny, lambda st, i, n, m: _emit(progress, st, i, n, m))
    t_data = time.time() - t0
    vocab = datasets.vocabulary(dataset)
    tr = splits.generic
    kind = "score" if info.task == "sentiment" else "labels"
    head = build_head(kind, tr.x.shape[-1], len(vocab))
    y = tr.y
    if kind == "labels":
        def loss_fn(logits, bi):
            return F.binary_cross_entropy_with_logits(logits, y[bi].to(logits.device))
    else:
        def loss_fn(logits, bi):
            return F.mse_loss(torch.tanh(logits), y[bi].to(logits.device))
    epochs = 80 if tiny else GENERIC_EPOCHS[dataset]

    def validate(h):  # the generic objective's own validation score (lower is better)
        q = generic_quality(dataset, head_logits(h, splits.val.x), splits.val)
        return q["test_mae"] if kind == "score" else -q["test_mAP"]

    res = fit(head, tr.x, loss_fn, epochs=epochs, lr=1e-3, seed=1234, validate=validate,
              on_step=lambda s, n, l: _emit(progress, "generic", s, n, f"training the generic {dataset} model", {"loss": l}))
    head.cpu()
    quality = generic_quality(dataset, head_logits(head, splits.test.x), splits.test)
    extra = {}
    if datasets.backbone(dataset, tiny) == "effnet":
        feats = datasets.fashion_tile_features(tiny)
        extra = {"pca_mean": torch.from_numpy(feats["pca_mean"]), "pca_comps": torch.from_numpy(feats["pca_comps"])}
    with atomic_dir(final) as tmp:
        save_model(tmp, head, kind, datasets.backbone(dataset, tiny), vocab, extra)
        meta = {"kind": "generic", "task": info.task, "api": info.apis[0], "apis": list(info.apis),
                "dataset": dataset, "tiny": tiny, "base_model": None, "backbone": datasets.backbone(dataset, tiny),
                "vocabulary_size": len(vocab), "output_top_k": info.output_top_k,
                "output_min_score": info.output_min_score, "objective": "multi-label BCE over the whole vocabulary"
                if kind == "labels" else "MSE on the score", "epochs": epochs, "best_epoch": res.best_epoch, "n_train": len(tr),
                "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "seed": 1234,
                "stage_seconds": {"data": round(t_data, 2), "generic": round(res.seconds, 2)}}
        (tmp / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
        (tmp / "metrics.json").write_text(json.dumps(quality, indent=2) + "\n")
        (tmp / "curves.json").write_text(json.dumps(res.history) + "\n")
