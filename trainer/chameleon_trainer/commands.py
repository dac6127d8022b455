"""Trainer subcommands: `trainer serve`, `customize`, `bench`.

Imported by the CLI for argument definitions only: nothing heavy at import time (torch and the
trainer modules are imported inside the command functions).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    _register_serve(sub)
    _register_customize(sub)
    _register_bench(sub)


# ---------------------------------------------------------------- trainer serve (service module)
def _register_serve(sub: argparse._SubParsersAction) -> None:
    t = sub.add_parser("trainer", help="the trainer service")
    tsub = t.add_subparsers(dest="trainer_command", metavar="COMMAND")
    s = tsub.add_parser("serve", help="start the trainer/serving HTTP service")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8765)
    s.add_argument("--data-dir", default=".chameleon-trainer")
    _add_serve_args(s)


def _add_serve_args(s: argparse.ArgumentParser) -> None:
    """The rest of `trainer serve` (owned by the service module; imported lazily when it runs)."""
    s.add_argument("--token", default=None, help="bearer token (default: $CHAMELEON_TOKEN, else generated into DATA_DIR/token)")
    s.add_argument("--backend", choices=["local", "subprocess", "ray"], default="local",
                   help="where jobs run: threads in the service, a worker process per job, or a Ray cluster")
    s.add_argument("--ray-address", default=None, help="an existing Ray cluster, e.g. 127.0.0.1:6379")
    s.add_argument("--workers", type=int, default=1, help="jobs run at once (default 1: one job per device)")
    s.add_argument("--devices", default=None, help="subprocess backend: GPUs for the workers, e.g. 0,1 (worker i gets one)")
    s.set_defaults(func=_serve)


def _serve(args: argparse.Namespace) -> int:
    from .service.main import serve_command

    return serve_command(args)


# ---------------------------------------------------------------- customize
def _add_training_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dataset", help="dataset name (default: the one that stands in for the site's API)")
    p.add_argument("--base-model", help="a generic model directory (default: the dataset's generic model)")
    p.add_argument("--epochs", type=int, help="fine-tuning epochs (default per dataset)")
    p.add_argument("--max-train", type=int, help="use at most this many training examples")
    p.add_argument("--tiny", action="store_true", help="tiny data and backbone: an end-to-end run in seconds")


def _register_customize(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("customize", help="train a model customized to an app's decisions",
                       description="Analyze APP.py (or read --abstract FILE.json), then customize a model to each "
                                   "site with a decision and write a model directory with metrics and a report.")
    c.add_argument("app", nargs="?", help="an application source file to analyze")
    c.add_argument("--abstract", help="a decision abstract JSON file instead of APP.py")
    c.add_argument("--site", type=int, help="customize only this site (index among sites with a decision)")
    c.add_argument("--out", default="runs/models", help="where model directories are written (default runs/models)")
    c.add_argument("--seed", type=int, default=0)
    c.add_argument("--json", action="store_true", help="print the metrics as JSON")
    _add_training_args(c)
    c.set_defaults(func=_customize)


def _options(args: argparse.Namespace) -> dict:
    opts: dict = {}
    if args.epochs:
        opts["epochs"] = args.epochs
    if args.max_train:
        opts["max_train"] = args.max_train
    if args.tiny:
        opts["tiny"] = True
    return opts


def _sites(args: argparse.Namespace):
    from chameleon_server.abstract import Abstract

    if args.abstract:
        ab = Abstract.load(args.abstract)
        origin = Path(args.abstract).stem.replace(".abstract", "")
    elif args.app:
        from chameleon_server.analyzer import analyze_source

        ab = Abstract(sites=analyze_source(Path(args.app).read_text(encoding="utf-8"), args.app))
        origin = Path(args.app).stem
    else:
        raise SystemExit("chameleon customize: give APP.py or --abstract FILE.json")
    sites = ab.with_decisions()
    if not sites:
        raise SystemExit(f"chameleon customize: no ML API call with a decision in {args.abstract or args.app}")
    if args.site is not None:
        if not 0 <= args.site < len(sites):
            raise SystemExit(f"chameleon customize: --site {args.site} out of range (0..{len(sites) - 1})")
        return origin, [(args.site, sites[args.site])]
    return origin, list(enumerate(sites))


def _customize(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from .api import CustomizeError, CustomizeRequest, customize, default_dataset

    origin, sites = _sites(args)
    results = []
    for idx, site in sites:
        dataset = args.dataset or default_dataset(site.api)
        if dataset is None:
            print(f"site {idx} ({site.api}, line {site.line}): no dataset stands in for this API; use --dataset",
                  file=sys.stderr)
            return 2
        out = Path(args.out) / f"{origin}-site{idx}-{site.decision_hash()[:8]}"
        print(f"customizing {site.api} at {site.file}:{site.line} ({site.decision.type}) on {dataset} -> {out}",
              file=sys.stderr)
        bar = tqdm(total=1, unit="step", dynamic_ncols=True, file=sys.stderr, leave=False)
        state = {"stage": None}

        def on_progress(ev, bar=bar, state=state):
            if ev.stage != state["stage"]:
                state["stage"] = ev.stage
                bar.reset(total=max(ev.total, 1))
                bar.set_description(ev.stage)
                bar.set_postfix_str("")
            bar.total = max(ev.total, 1)
            bar.n = min(ev.step, bar.total)
            if ev.metrics and "loss" in ev.metrics:
                bar.set_postfix(loss=f"{ev.metrics['loss']:.4f}")
            bar.refresh()

        try:
            mdir = customize(CustomizeRequest(site=site, dataset=dataset, out_dir=out, base_model=args.base_model,
                                              seed=args.seed, options=_options(args)), progress=on_progress)
        except CustomizeError as e:
            bar.close()
            print(f"chameleon customize: {e}", file=sys.stderr)
            return 2
        bar.close()
        m = json.loads((mdir / "metrics.json").read_text())
        meta = json.loads((mdir / "meta.json").read_text())
        results.append({"site": idx, "model_dir": str(mdir), **m, "stage_seconds": meta["stage_seconds"]})
        if not args.json:
            print(f"  incorrect decisions on {m['n_test']} held-out examples: generic {100 * m['generic_error']:.1f}%  "
                  f"calibrated {100 * m['calibrated_error']:.1f}%  basic {100 * m['basic_error']:.1f}%  "
                  f"customized {100 * m['customized_error']:.1f}%  ({100 * m['relative_reduction']:.0f}% fewer than generic)")
            print("  stage seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in meta["stage_seconds"].items()))
            print(f"  model: {mdir}  (report.png, curves.png, metrics.json)")
    if args.json:
        print(json.dumps(results, indent=1))
    return 0


# ---------------------------------------------------------------- bench
def _register_bench(sub: argparse._SubParsersAction) -> None:
    b = sub.add_parser("bench", help="decision-error benchmark",
                       description="Analyze -> customize -> evaluate each app (default: examples/suite), over seeds; "
                                   "prints a table and writes JSON and a PNG chart.")
    b.add_argument("targets", nargs="*", help="APP.py, ABSTRACT.json or directories (default: examples/suite)")
    b.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    b.add_argument("--json", dest="json_path", help="write the results as JSON here")
    b.add_argument("--png", help="write the chart here (default: next to --json)")
    b.add_argument("--out", default="runs/bench", help="where the bench's model directories go")
    _add_training_args(b)
    b.set_defaults(func=_bench)


def _bench(args: argparse.Namespace) -> int:
    import torch

    from .bench import format_table, load_targets, run_bench, write_outputs

    # Many small ops: one thread is as fast and far more robust on a shared, loaded machine.
    torch.set_num_threads(1)

    targets = args.targets or ["examples/suite"]
    apps = load_targets(targets, args.dataset)
    if not apps:
        print("chameleon bench: no call site with a decision in the targets", file=sys.stderr)
        return 2
    for a in apps:
        if a.analyzer_check and a.analyzer_check != "matches":
            print(f"bench: warning: analyzer output for {a.name} {a.analyzer_check}", file=sys.stderr)
    print(f"bench: {len(apps)} apps x {len(args.seeds)} seeds", file=sys.stderr)
    json_path = Path(args.json_path) if args.json_path else None
    png = Path(args.png) if args.png else (json_path.with_suffix(".png") if json_path else None)
    doc = run_bench(apps, args.seeds, Path(args.out), _options(args), log=lambda s: print(s, file=sys.stderr, flush=True),
                    checkpoint=lambda d: write_outputs(d, json_path, None))
    print(format_table(doc))
    write_outputs(doc, json_path, png)
    return 0
