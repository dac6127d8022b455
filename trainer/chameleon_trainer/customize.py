"""``customize()``: from one call site's decision to a complete, evaluated model directory.

Stages (each reported as ``ProgressEvent`` and timed): data -> generic -> features (resolve the
abstract, build targets) -> basic -> customize -> evaluate -> report. The generic model, the
calibrated generic model, the basic fine-tune and the decision-aware fine-tune are all scored on
the same held-out test examples, which neither training nor tuning ever sees.
"""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from chameleon_server.abstract import Abstract

from . import datasets, evaluate, report
from .data import adapters
from .data.base import Split, Splits
from .api import CancelledError, CustomizeError, CustomizeRequest, ProgressEvent
from .appspec import build_spec, truth_sets
from .generic import ensure_generic
from .losses import basic_loss, decision_loss, generic_loss, make_targets
from .modeldir import atomic_dir
from .models import load_model, save_model
from .outputs import head_logits
from .train import fit

# Per dataset, chosen on the VALIDATION split (mean validation decision error over the suite's apps,
# seed 0; grid: epochs x lr x generic weight), separately for the basic baseline and for the
# customized model so that neither is handicapped. The test split played no part.
DEFAULT_EPOCHS = {"fashion-scenes": 12, "fortunes": 80, "vader": 40}
DEFAULT_LR = {"fashion-scenes": 1e-3, "fortunes": 1e-3, "vader": 1e-3}
DEFAULT_GENERIC_WEIGHT = {"fashion-scenes": 0.05, "fortunes": 0.05, "vader": 0.2}
BASIC_EPOCHS = {"fashion-scenes": 12, "fortunes": 80, "vader": 40}
BASIC_LR = {"fashion-scenes": 1e-3, "fortunes": 3e-3, "vader": 1e-3}
DEFAULTS = {"lr": 5e-4, "generic_weight": 0.2, "margin": 1.0, "batch_size": 256}


class _Progress:
    def __init__(self, fn: Callable[[ProgressEvent], None] | None, should_stop: Callable[[], bool] | None):
        self.fn, self.should_stop = fn, should_stop
        self.t0 = time.time()
        self.stage_seconds: dict[str, float] = {}
        self._stage, self._start = None, time.time()

    def stage(self, name: str, message: str = "") -> None:
        self._close()
        self._stage, self._start = name, time.time()
        self.emit(name, 0, 1, message)
        self.check()

    def _close(self) -> None:
        if self._stage is not None:
            self.stage_seconds[self._stage] = round(self.stage_seconds.get(self._stage, 0) + time.time() - self._start, 2)

    def finish(self) -> None:
        self._close()
        self._stage = None

    def emit(self, stage: str, step: int, total: int, message: str = "", metrics: dict | None = None) -> None:
        if self.fn is not None:
            self.fn(ProgressEvent(stage, step, total, message, metrics))

    def check(self) -> None:
        if self.should_stop is not None and self.should_stop():
            raise CancelledError("cancelled")


USER_BASE = {"image_classification": "fashion-scenes", "text_classification": "fortunes"}


def _validate(req: CustomizeRequest) -> datasets.DatasetInfo:
    if adapters.is_user_dataset(req.dataset):
        task = "text_classification" if req.dataset.startswith("texts-") else "image_classification"
        info = datasets.get(USER_BASE[task])
        if req.site.decision is None:
            raise CustomizeError(f"{req.site.file}:{req.site.line}: {req.site.api} has no decision to customize for")
        if req.site.task and req.site.task != task:
            raise CustomizeError(f"{req.site.api} is a {req.site.task} API but {req.dataset!r} holds {task} data")
        return info
    if req.dataset not in datasets.DATASETS:
        raise CustomizeError(f"unknown dataset {req.dataset!r}; known: {', '.join(datasets.DATASETS)}")
    info = datasets.get(req.dataset)
    site = req.site
    if site.decision is None:
        raise CustomizeError(f"{site.file}:{site.line}: {site.api} has no decision to customize for "
                             "(its output is only shown or stored)")
    if site.task and site.task != info.task:
        raise CustomizeError(f"{site.api} is a {site.task} API but dataset {req.dataset!r} is {info.task}")
    if info.task == "sentiment" and site.decision.type != "score_range":
        raise CustomizeError(f"dataset {req.dataset!r} has scores only; a {site.decision.type} decision on "
                             "sentiment labels is not supported")
    return info


def _calibration(base: Path, req: CustomizeRequest, spec, z_val, t_val, k, ms) -> evaluate.Transform:
    """The calibrated baseline depends only on the generic model and the decision (not the seed):
    computed once per (generic model, decision) and cached next to the generic model."""
    tiny = "-tiny" if (req.options or {}).get("tiny") else ""
    path = base / "calibrations" / f"{req.site.decision_hash()}{tiny}-{len(t_val)}.json"
    if path.exists():
        d = json.loads(path.read_text())
        off = None if d["offsets"] is None else torch.tensor(d["offsets"], dtype=torch.float32)
        return evaluate.Transform(offsets=off, scale=d["scale"], shift=d["shift"])
    calib = evaluate.calibrate(spec, z_val, t_val, k, ms)
    try:
        path.parent.mkdir(exist_ok=True)
        tmp = path.with_suffix(f".tmp{time.time_ns()}")
        tmp.write_text(json.dumps(calib.to_dict()))
        tmp.rename(path)
    except OSError:
        pass  # a read-only base model still works, just without the cache
    return calib


def fold_transform(head: torch.nn.Module, t: evaluate.Transform) -> None:
    """Fold the calibrated baseline's output transform into the head's last layer, so that the
    decision-aware fine-tune starts from the app-calibrated generic model (its epoch 0 is exactly
    *calibrated*, and the best validation epoch is kept)."""
    last = head.out if hasattr(head, "out") else head.net[-1]
    with torch.no_grad():
        if t.offsets is not None:
            last.bias += t.offsets.to(last.bias.device)
        last.weight *= t.scale
        last.bias.mul_(t.scale).add_(t.shift)


def _user_splits(items: adapters.LabelledItems, base: Path, vocab: list[str]) -> tuple[Splits, dict]:
    """Featurize the user's data with the base model's backbone and split it 60/20/20 (fixed order)."""
    from .predictor import Predictor

    items = adapters.to_vocabulary(items, vocab)
    if len(items.inputs) < 10:
        raise CustomizeError(f"need at least 10 labelled examples, got {len(items.inputs)}")
    pred = Predictor(base)
    try:
        x = pred._image_features(items.inputs) if items.task == "image_classification" else pred._text_features(items.inputs)
    except ValueError as e:
        raise CustomizeError(str(e)) from None
    index = {v: i for i, v in enumerate(vocab)}
    y = torch.zeros(len(items.labels), len(vocab))
    for i, labs in enumerate(items.labels):
        for lab in labs:
            y[i, index[lab]] = 1.0
    perm = np.random.default_rng(5).permutation(len(items.inputs))
    a, b = int(0.6 * len(perm)), int(0.8 * len(perm))

    def part(ix):
        ix = np.sort(ix)
        return Split(x[torch.from_numpy(ix)], y[torch.from_numpy(ix)], [items.labels[i] for i in ix], [])

    tr = part(perm[:a])
    return Splits(generic=tr, train=tr, val=part(perm[a:b]), test=part(perm[b:])), {
        "n": len(items.inputs), "unknown_labels": items.unknown_labels}


def run_customize(req: CustomizeRequest, progress=None, should_stop=None) -> Path:
    info = _validate(req)
    opts = dict(req.options or {})
    tiny = bool(opts.get("tiny", False))
    seed = int(req.seed)
    pr = _Progress(progress, should_stop)

    user = adapters.is_user_dataset(req.dataset)
    pr.stage("data", f"loading {req.dataset}")
    if user:
        try:
            items = adapters.load(req.dataset)
        except (OSError, ValueError, KeyError) as e:
            raise CustomizeError(f"cannot read {req.dataset!r}: {e}") from None
    else:
        splits = datasets.load_splits(req.dataset, tiny, lambda st, i, n, m: pr.emit("data", i, n, m))

    pr.stage("generic", "generic model")
    base = Path(req.base_model) if req.base_model else ensure_generic(info.name, tiny, progress)
    if not (base / "weights.pt").exists():
        raise CustomizeError(f"base model {base} is not a model directory")
    head0, payload, vocab = load_model(base)
    kind = payload["kind"]
    user_report = None
    if user:
        pr.stage("features", "backbone features of the user's data")
        splits, user_report = _user_splits(items, base, vocab)

    pr.stage("features", "resolving the decision against the vocabulary")
    spec = build_spec(req.site, vocab, info.output_top_k, info.output_min_score)
    train = splits.train
    max_train = opts.get("max_train")
    if max_train and int(max_train) < len(train):
        keep = torch.randperm(len(train), generator=torch.Generator().manual_seed(seed))[: int(max_train)].sort().values

        train = Split(train.x[keep], train.y[keep], [train.labels[i] for i in keep] if train.labels else [],
                      [train.scores[i] for i in keep] if train.scores else [])
    t_train = truth_sets(spec, train.labels, train.scores)
    t_val = truth_sets(spec, splits.val.labels, splits.val.scores)
    t_test = truth_sets(spec, splits.test.labels, splits.test.scores)
    targets = make_targets(spec, t_train, train.scores)
    k, ms = info.output_top_k, info.output_min_score
    z_val_g = head_logits(head0, splits.val.x)
    z_test_g = head_logits(head0, splits.test.x)

    epochs = int(opts.get("epochs", 5 if tiny else DEFAULT_EPOCHS[info.name]))
    lr = float(opts.get("lr", DEFAULT_LR.get(info.name, DEFAULTS["lr"])))
    lam = float(opts.get("generic_weight", DEFAULT_GENERIC_WEIGHT.get(info.name, DEFAULTS["generic_weight"])))
    basic_epochs = int(opts.get("basic_epochs", opts.get("epochs", 5 if tiny else BASIC_EPOCHS[info.name])))
    basic_lr = float(opts.get("basic_lr", opts.get("lr", BASIC_LR.get(info.name, DEFAULTS["lr"]))))
    margin = float(opts.get("margin", DEFAULTS["margin"]))
    bs = int(opts.get("batch_size", DEFAULTS["batch_size"]))

    def validate(h):
        return evaluate.error_rate(spec, head_logits(h, splits.val.x), t_val, k, ms)

    def stepper(stage):
        return lambda s, n, loss: pr.emit(stage, s, n, f"{stage} fine-tune", {"loss": round(loss, 5)})

    calib = _calibration(base, req, spec, z_val_g, t_val, k, ms)

    pr.stage("basic", "basic fine-tune (plain loss on the app's labels)")
    torch.manual_seed(seed)
    head_b = copy.deepcopy(head0)
    yb = train.y
    fit_b = fit(head_b, train.x, lambda z, bi: basic_loss(z, yb[bi].to(z.device), spec, kind), epochs=basic_epochs, lr=basic_lr,
                batch_size=bs, seed=seed, validate=validate, should_stop=should_stop, on_step=stepper("basic"))

    pr.stage("customize", "decision-aware fine-tune")
    torch.manual_seed(seed)
    head_c = copy.deepcopy(head0)
    if opts.get("init_calibrated", True):
        fold_transform(head_c, calib)

    def loss_c(z, bi):
        tg = type(targets)(targets.acc[bi], targets.forbid[bi],
                           None if targets.lo is None else targets.lo[bi], None if targets.hi is None else targets.hi[bi])
        return decision_loss(z, spec, tg, margin) + lam * generic_loss(z, yb[bi].to(z.device), kind)

    fit_c = fit(head_c, train.x, loss_c, epochs=epochs, lr=lr, batch_size=bs, seed=seed, validate=validate,
                should_stop=should_stop, on_step=stepper("customize"))

    pr.stage("evaluate", "scoring generic / calibrated / basic / customized on held-out test data")
    head_b.cpu(), head_c.cpu()
    wrong = {
        "generic": evaluate.wrong(spec, z_test_g, t_test, k, ms),
        "calibrated": evaluate.wrong(spec, calib.apply(z_test_g), t_test, k, ms),
        "basic": evaluate.wrong(spec, head_logits(head_b, splits.test.x), t_test, k, ms),
        "customized": evaluate.wrong(spec, head_logits(head_c, splits.test.x), t_test, k, ms),
    }
    errors = {m: float(w.mean()) for m, w in wrong.items()}
    val_errors = {"generic": evaluate.error_rate(spec, z_val_g, t_val, k, ms),
                  "calibrated": evaluate.error_rate(spec, calib.apply(z_val_g), t_val, k, ms),
                  "basic": fit_b.best_val, "customized": fit_c.best_val}
    tests = {m: evaluate.mcnemar(wrong["customized"], wrong[m]) for m in ("generic", "calibrated", "basic")}
    pr.check()

    pr.stage("report", "writing the model directory")
    generic_quality = json.loads((base / "metrics.json").read_text()) if (base / "metrics.json").exists() else {}
    metrics = {
        "decision_type": spec.type, "ordering": spec.decision.ordering,
        "generic_error": errors["generic"], "calibrated_error": errors["calibrated"],
        "basic_error": errors["basic"], "customized_error": errors["customized"],
        "relative_reduction": evaluate.relative_reduction(errors["generic"], errors["customized"]),
        "n_test": len(t_test), "n_train": len(train), "n_val": len(t_val),
        "val_errors": val_errors, "mcnemar_customized_vs": tests,
        "generic_model_quality": generic_quality,
        "user_data": user_report,
        "best_epoch": {"basic": fit_b.best_epoch, "customized": fit_c.best_epoch},
    }
    pr.finish()
    out = Path(req.out_dir)
    with atomic_dir(out) as tmp:
        extra = {k2: v for k2, v in payload.items() if k2 in ("pca_mean", "pca_comps")}
        save_model(tmp, head_c, kind, payload["backbone"], vocab, extra)
        meta = {"kind": "customized", "task": info.task, "api": req.site.api, "dataset": req.dataset, "tiny": tiny,
                "base_model": str(base), "backbone": payload["backbone"], "vocabulary_size": len(vocab),
                "output_top_k": k, "output_min_score": ms, "abstract_hash": req.site.decision_hash(),
                "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "seed": seed,
                "options": opts, "epochs": epochs, "lr": lr, "generic_weight": lam,
                "basic_epochs": basic_epochs, "basic_lr": basic_lr, "stage_seconds": dict(pr.stage_seconds),
                "total_seconds": round(time.time() - pr.t0, 2)}
        (tmp / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
        (tmp / "abstract.json").write_text(Abstract(sites=[req.site]).to_json() + "\n")
        (tmp / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
        rep = {"meta": meta, "metrics": metrics, "resolution": spec.summary(), "calibration": calib.to_dict(),
               "histories": {"basic": fit_b.history, "customized": fit_c.history},
               "test_wrong": {m: "".join("1" if b else "0" for b in w) for m, w in wrong.items()}}
        (tmp / "report.json").write_text(json.dumps(rep, indent=1) + "\n")
        title = f"{req.site.api} · {spec.type} · {req.dataset} (n={len(t_test)})"
        report.error_bars(tmp / "report.png", errors, title)
        report.curves(tmp / "curves.png", {"basic": fit_b.history, "customized": fit_c.history})
    pr.emit("report", 1, 1, "done", {k2: metrics[k2] for k2 in ("generic_error", "calibrated_error", "basic_error",
                                                                 "customized_error")})
    return out
