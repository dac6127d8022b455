"""``chameleon bench``: analyzer -> customization -> evaluation for each app, over several seeds.

Targets are app sources (``.py``: analyzed with ``chameleon_server.analyzer``; a hand-written
``<app>.abstract.json`` next to it is checked against the analyzer's output) or abstract JSON files.
Every site with a decision is customized once per seed; generic, calibrated, basic and customized
models are scored on the same held-out test examples. Per app: means and spreads over seeds, the
relative reduction, and paired tests on the same examples (exact McNemar on the per-example
majority-over-seeds error, and a paired bootstrap of the mean error difference). Per decision type
and overall: means over apps. Writes a table, JSON and a PNG chart.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from chameleon_server.abstract import Abstract, Site

MODELS = ("generic", "calibrated", "basic", "customized")


@dataclass
class BenchApp:
    name: str
    site: Site
    dataset: str
    source: str
    analyzer_check: str | None = None  # "matches" / "differs: ..." / None


def _strip(d: dict) -> dict:
    """The parts of a site the trainer depends on (no positions), for comparing abstracts."""
    dec = d.get("decision")
    if dec is None:
        return {"api": d.get("api"), "decision": None}
    cats = [{k: c.get(k) for k in ("name", "labels", "range")} for c in dec.get("categories", [])]
    keep = {k: dec.get(k) for k in ("type", "ordering", "match", "case_insensitive", "min_score", "top_k")}
    return {"api": d.get("api"), "decision": {**keep, "categories": cats}}


def load_targets(targets: list[str], dataset: str | None = None) -> list[BenchApp]:
    from .api import default_dataset

    apps: list[BenchApp] = []
    for t in targets:
        p = Path(t)
        if p.is_dir():
            apps += load_targets(sorted(str(x) for x in p.glob("*.py")), dataset)
            continue
        check = None
        if p.suffix == ".py":
            from chameleon_server.analyzer import analyze_source

            ab = Abstract(sites=analyze_source(p.read_text(encoding="utf-8"), str(p)))
            stored = p.with_suffix(".abstract.json")
            if stored.exists():
                want = [_strip(s.to_dict()) for s in Abstract.load(stored).sites]
                got = [_strip(s.to_dict()) for s in ab.sites]
                check = "matches" if want == got else f"differs from {stored.name}"
        else:
            ab = Abstract.load(p)
        sites = ab.with_decisions()
        for i, s in enumerate(sites):
            name = p.stem.replace(".abstract", "") + (f"#{i}" if len(sites) > 1 else "")
            ds = dataset or default_dataset(s.api)
            if ds is None:
                print(f"bench: skipping {name}: no dataset stands in for {s.api}", file=sys.stderr)
                continue
            apps.append(BenchApp(name, s, ds, str(p), check))
    return apps


def paired_bootstrap(wrong_a: np.ndarray, wrong_b: np.ndarray, n: int = 2000, seed: int = 0) -> float:
    """Two-sided p-value that mean(wrong_a) == mean(wrong_b), resampling the same examples."""
    d = wrong_a.astype(float) - wrong_b.astype(float)
    obs = d.mean()
    if np.all(d == 0):
        return 1.0
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(d), size=(n, len(d)))
    boots = d[idx].mean(axis=1)
    # Share of bootstrap means on the other side of zero, doubled (percentile method).
    p = 2 * min(float((boots <= 0).mean()), float((boots >= 0).mean())) if obs != 0 else 1.0
    return max(min(p, 1.0), 1.0 / n)


def run_bench(apps: list[BenchApp], seeds: list[int], out_dir: Path, options: dict | None = None,
              log: Callable[[str], None] = print, checkpoint: Callable[[dict], None] | None = None) -> dict:
    """Seeds in the outer loop, so an interrupted run still covers every app; ``checkpoint`` gets
    the aggregated document after every (seed, app)."""
    from .api import CustomizeRequest, customize

    out_dir.mkdir(parents=True, exist_ok=True)
    runs: dict[str, list[dict]] = {a.name: [] for a in apps}
    doc: dict = {}
    for seed in seeds:
        for app in apps:
            t0 = time.time()
            mdir = customize(CustomizeRequest(site=app.site, dataset=app.dataset, out_dir=out_dir / "models" / app.name
                                              / f"seed{seed}", seed=seed, options=dict(options or {})))
            rep = json.loads((mdir / "report.json").read_text())
            m = rep["metrics"]
            runs[app.name].append({"seed": seed, **{f"{k}_error": m[f"{k}_error"] for k in MODELS},
                                   "customize_seconds": round(time.time() - t0, 1),
                                   "stage_seconds": rep["meta"]["stage_seconds"],
                                   "wrong": {k: rep["test_wrong"][k] for k in MODELS}})
            log(f"  {app.name} seed {seed}: " + "  ".join(f"{k} {100 * m[f'{k}_error']:.1f}%" for k in MODELS)
                + f"  ({runs[app.name][-1]['customize_seconds']}s)")
            doc = aggregate(apps, runs, options)
            if checkpoint is not None:
                checkpoint(doc)
    return doc


def aggregate(apps: list[BenchApp], runs: dict[str, list[dict]], options: dict | None) -> dict:
    from .evaluate import mcnemar

    rows = []
    for app in apps:
        per_seed = runs.get(app.name) or []
        if not per_seed:
            continue
        wrongs = {k: [np.array([c == "1" for c in r["wrong"][k]]) for r in per_seed] for k in MODELS}
        row = {"app": app.name, "source": app.source, "api": app.site.api, "dataset": app.dataset,
               "decision_type": app.site.decision.type, "ordering": app.site.decision.ordering,
               "n_test": int(len(wrongs["generic"][0])), "seeds": [r["seed"] for r in per_seed],
               "analyzer_check": app.analyzer_check}
        for k in MODELS:
            vals = [r[f"{k}_error"] for r in per_seed]
            row[f"{k}_error"] = float(np.mean(vals))
            row[f"{k}_error_std"] = float(np.std(vals))
        row["relative_reduction"] = _rel(row["generic_error"], row["customized_error"])
        row["customize_seconds"] = float(np.mean([r["customize_seconds"] for r in per_seed]))
        # Paired tests on the same test examples: per example, the error rate over seeds.
        mean_w = {k: np.mean(np.stack(wrongs[k]), axis=0) for k in MODELS}
        maj = {k: mean_w[k] > 0.5 for k in MODELS}
        row["tests"] = {b: {"mcnemar_majority": mcnemar(maj["customized"], maj[b]),
                            "bootstrap_p": paired_bootstrap(mean_w["customized"], mean_w[b])}
                        for b in ("generic", "calibrated", "basic")}
        row["per_seed"] = [{k: v for k, v in r.items() if k != "wrong"} for r in per_seed]
        rows.append(row)
    summary = summarize(rows)
    return {"apps": rows, "by_decision_type": summary["by_type"], "overall": summary["overall"],
            "seeds_done": {a: [r["seed"] for r in rs] for a, rs in runs.items()}, "options": options or {},
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def _rel(base: float, new: float) -> float:
    return 0.0 if base <= 0 else (base - new) / base


def summarize(rows: list[dict]) -> dict:
    def agg(rs: list[dict]) -> dict:
        out = {"n_apps": len(rs)}
        for k in MODELS:
            out[f"{k}_error"] = float(np.mean([r[f"{k}_error"] for r in rs]))
        out["relative_reduction"] = _rel(out["generic_error"], out["customized_error"])
        out["mean_relative_reduction_per_app"] = float(np.mean([r["relative_reduction"] for r in rs]))
        out["customized_beats"] = {b: bool(out["customized_error"] < out[f"{b}_error"]) for b in ("calibrated", "basic")}
        return out

    types: dict[str, list[dict]] = {}
    for r in rows:
        key = r["decision_type"] + (f"/{r['ordering']}" if r["ordering"] else "")
        types.setdefault(key, []).append(r)
    return {"by_type": {k: agg(v) for k, v in sorted(types.items())}, "overall": agg(rows) if rows else {}}


def format_table(doc: dict) -> str:
    lines = []
    hdr = f"{'app':22} {'type':30} {'generic':>14} {'calibrated':>14} {'basic':>14} {'customized':>14} {'reduction':>9} {'p(vs gen/cal/basic)':>22} {'sec':>5}"
    lines.append(hdr)
    lines.append("-" * len(hdr))

    def cell(r, k):
        return f"{100 * r[f'{k}_error']:5.1f}±{100 * r.get(f'{k}_error_std', 0):3.1f}%"

    for r in doc["apps"]:
        t = r["decision_type"] + (f"/{r['ordering']}" if r["ordering"] else "")
        ps = "/".join(f"{r['tests'][b]['bootstrap_p']:.3f}" for b in ("generic", "calibrated", "basic"))
        lines.append(f"{r['app'][:22]:22} {t:30} {cell(r, 'generic'):>14} {cell(r, 'calibrated'):>14} "
                     f"{cell(r, 'basic'):>14} {cell(r, 'customized'):>14} {100 * r['relative_reduction']:8.1f}% "
                     f"{ps:>22} {r['customize_seconds']:5.0f}")
    lines.append("-" * len(hdr))
    for name, s in list(doc["by_decision_type"].items()) + [("OVERALL", doc["overall"])]:
        lines.append(f"{name[:53]:53} {100 * s['generic_error']:13.1f}% {100 * s['calibrated_error']:13.1f}% "
                     f"{100 * s['basic_error']:13.1f}% {100 * s['customized_error']:13.1f}% "
                     f"{100 * s['relative_reduction']:8.1f}%   ({s['n_apps']} apps)")
    return "\n".join(lines)


def write_outputs(doc: dict, json_path: Path | None, png_path: Path | None) -> None:
    from . import report

    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(doc, indent=1) + "\n")
    if png_path is not None and doc["apps"]:
        png_path.parent.mkdir(parents=True, exist_ok=True)
        report.suite_chart(png_path, doc["apps"])


def format_markdown(doc: dict) -> str:
    """The results as Markdown tables (per app with spreads and p-values, then per decision type)."""
    out = ["| app | dataset | decision | generic | calibrated | basic | customized | reduction vs generic "
           "| p vs generic / calibrated / basic (paired bootstrap) | customize s |",
           "|---|---|---|---|---|---|---|---|---|---|"]

    def cell(r, k):
        return f"{100 * r[f'{k}_error']:.1f} ± {100 * r.get(f'{k}_error_std', 0):.1f}"

    for r in doc["apps"]:
        t = r["decision_type"] + (f" / {r['ordering']}" if r["ordering"] else "")
        ps = " / ".join(f"{r['tests'][b]['bootstrap_p']:.3g}" for b in ("generic", "calibrated", "basic"))
        out.append(f"| {r['app']} | {r['dataset']} | {t} | {cell(r, 'generic')} | {cell(r, 'calibrated')} | "
                   f"{cell(r, 'basic')} | {cell(r, 'customized')} | {100 * r['relative_reduction']:.0f}% | {ps} | "
                   f"{r['customize_seconds']:.0f} |")
    out += ["", "| decision type | apps | generic | calibrated | basic | customized | reduction vs generic | "
                "customized < calibrated | customized < basic |", "|---|---|---|---|---|---|---|---|---|"]
    for name, s in list(doc["by_decision_type"].items()) + [("**all apps**", doc["overall"])]:
        out.append(f"| {name} | {s['n_apps']} | {100 * s['generic_error']:.1f} | {100 * s['calibrated_error']:.1f} | "
                   f"{100 * s['basic_error']:.1f} | {100 * s['customized_error']:.1f} | "
                   f"{100 * s['relative_reduction']:.0f}% | {'yes' if s['customized_beats']['calibrated'] else 'no'} | "
                   f"{'yes' if s['customized_beats']['basic'] else 'no'} |")
    return "\n".join(out)
