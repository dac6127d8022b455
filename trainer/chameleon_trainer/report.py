"""The model directory's pictures: incorrect-decision rate per model, and training curves."""

from __future__ import annotations

from pathlib import Path

MODELS = ("generic", "calibrated", "basic", "customized")
COLORS = {"generic": "#9e9e9e", "calibrated": "#64b5f6", "basic": "#ffb74d", "customized": "#43a047"}


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def error_bars(path: Path, errors: dict[str, float], title: str) -> None:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5.5, 3.4), dpi=100)
    names = [m for m in MODELS if m in errors]
    vals = [100 * errors[m] for m in names]
    bars = ax.bar(names, vals, color=[COLORS[m] for m in names])
    for b, v in zip(bars, vals):
        ax.text(b.get_x() + b.get_width() / 2, v, f"{v:.1f}%", ha="center", va="bottom", fontsize=9)
    ax.set_ylabel("incorrect decisions (%)")
    ax.set_title(title, fontsize=10)
    ax.set_ylim(0, max(vals + [1]) * 1.2)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def curves(path: Path, histories: dict[str, list[dict]]) -> None:
    """Training loss and validation incorrect-decision rate per epoch, for basic and customized."""
    plt = _plt()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(8, 3.2), dpi=100)
    for name, hist in histories.items():
        ep = [h["epoch"] for h in hist if h.get("loss") is not None]
        a1.plot(ep, [h["loss"] for h in hist if h.get("loss") is not None], label=name, color=COLORS.get(name))
        ev = [h["epoch"] for h in hist if h.get("val") is not None]
        a2.plot(ev, [100 * h["val"] for h in hist if h.get("val") is not None], marker="o", label=name,
                color=COLORS.get(name))
    a1.set_xlabel("epoch"), a1.set_ylabel("training loss"), a1.legend(fontsize=8)
    a2.set_xlabel("epoch"), a2.set_ylabel("validation incorrect decisions (%)"), a2.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def suite_chart(path: Path, rows: list[dict]) -> None:
    """Grouped bars per app (means over seeds) for the benchmark."""
    import numpy as np

    plt = _plt()
    fig, ax = plt.subplots(figsize=(max(7, 0.9 * len(rows) + 2), 4), dpi=100)
    x = np.arange(len(rows))
    w = 0.2
    for i, m in enumerate(MODELS):
        vals = [100 * r[f"{m}_error"] for r in rows]
        errs = [100 * r.get(f"{m}_error_std", 0.0) for r in rows]
        ax.bar(x + (i - 1.5) * w, vals, w, yerr=errs, label=m, color=COLORS[m])
    ax.set_xticks(x)
    ax.set_xticklabels([r["app"] for r in rows], rotation=40, ha="right", fontsize=8)
    ax.set_ylabel("incorrect decisions (%)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
