"""`chameleon demo`: the whole loop on the embedded defaults, as the README's main command runs it.

1. analyze an unmodified example app (its decision abstract);
2. start a local trainer service (a child process, as the language server would) and customize a
   model for the app's decision, following the job's progress;
3. write the app's `.chameleon/` redirect config;
4. run the unmodified app under `chameleon run` on held-out inputs twice, once pointed at the generic
   model and once at the customized one, and print its decisions side by side with the right answer.

The app is copied into a scratch workspace; its file is never changed. An app for the demo reads
image paths from argv and prints ``path<TAB>decision`` per image (see ``demo_apps/wardrobe.py``).
Import is light (argument definitions only); the work imports the trainer lazily.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

DEMO_APP = Path(__file__).resolve().parent / "demo_apps" / "wardrobe.py"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="the whole loop: analyze an app, customize, serve, run it redirected, compare",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--app", default=str(DEMO_APP), help="an image app: argv = image paths, prints path<TAB>decision")
    p.add_argument("--dataset", default="fashion-scenes")
    p.add_argument("--tiny", action="store_true", help="a seconds-long tiny job (smaller data, pixel features)")
    p.add_argument("--show", type=int, default=12, help="held-out inputs shown side by side")
    p.add_argument("--n", type=int, default=300, help="held-out inputs the app decides on (error rates)")
    p.add_argument("--workdir", help="keep the scratch workspace here (default: a temp dir, removed)")
    p.add_argument("--seed", type=int, default=2026, help="which held-out scenes")
    p.set_defaults(func=demo_command)


def _say(msg: str = "") -> None:
    print(msg, flush=True)


def _outcome_of(decision: Any, printed: str) -> Any:
    """Map the app's printed answer back to an outcome of its abstract (via each branch's source)."""
    for i, c in enumerate(decision.categories):
        if c.outcome and printed in c.outcome:
            return i
    if decision.default is not None and decision.default.outcome and printed in decision.default.outcome:
        return None
    return ("unknown", printed)


def _run_app(ws: Path, app: str, files: list[str]) -> list[str]:
    out: list[str] = []
    for i in range(0, len(files), 100):  # keep argv short
        r = subprocess.run([sys.executable, "-m", "chameleon_server", "run", "--", sys.executable, app, *files[i:i + 100]],
                           cwd=ws, capture_output=True, text=True, timeout=600)
        if r.returncode != 0:
            raise SystemExit(f"the app failed under chameleon run:\n{r.stderr[-2000:]}")
        out += [line.split("\t", 1)[1] for line in r.stdout.splitlines() if "\t" in line]
    if len(out) != len(files):
        raise SystemExit(f"the app printed {len(out)} decisions for {len(files)} inputs")
    return out


def demo_command(args: argparse.Namespace) -> int:
    from chameleon_server.analyzer import analyze_source
    from chameleon_server.decision import acceptable
    from chameleon_server.redirect.config import write_redirect
    from chameleon_server.trainer_client import TrainerError, start_local_service

    from .heldout import fashion_scenes

    app_src = Path(args.app)
    scratch = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="chameleon-demo-"))
    scratch.mkdir(parents=True, exist_ok=True)
    ws = scratch / "app"
    ws.mkdir(exist_ok=True)
    app = app_src.name
    shutil.copy(app_src, ws / app)
    source = (ws / app).read_text(encoding="utf-8")
    t_start = time.monotonic()

    _say(f"== 1. analyze {app_src}")
    sites = [s for s in analyze_source(source, app) if s.decision is not None]
    if not sites:
        raise SystemExit(f"{app}: no ML API call whose output the app branches on")
    site = sites[0]
    d = site.decision
    _say(f"   {site.api} at line {site.line}: {d.type}"
         f"{' · ' + d.ordering if d.ordering else ''} · match {d.match}{' (case-insensitive)' if d.case_insensitive else ''}")
    for c in d.categories:
        _say(f"   - {c.name}: {', '.join(c.labels)}  -> {c.outcome}")
    if d.default:
        _say(f"   - otherwise -> {d.default.outcome}")

    _say("\n== 2. customize (a local trainer service, as the editor starts it)")
    svc = start_local_service(scratch / "trainer", startup_timeout=120)
    try:
        _say(f"   service {svc.url}, token in {svc.token_file}")
        with svc.client(timeout=60) as tc:
            try:
                job = tc.submit_job(app_source=source, app_filename=app, line=site.line, dataset=args.dataset,
                                    options={"tiny": True} if args.tiny else {})
            except TrainerError as e:
                raise SystemExit(f"the service refused the job: {e}") from None
            last = {"stage": "", "t": 0.0}

            def show(j: dict[str, Any]) -> None:
                p = j["progress"]
                now = time.monotonic()
                # every stage change, and within a long stage a line every 10 s
                if p["stage"] != last["stage"] or now - last["t"] > 10:
                    total = f"{p['step']}/{p['total']} " if p["total"] and p["total"] > 1 else ""
                    _say(f"   [{p['stage']}] {total}{p['message']}")
                    last.update(stage=p["stage"], t=now)

            final = tc.wait(job["id"], timeout=1800, on_progress=show)
            if final["state"] != "succeeded":
                raise SystemExit(f"job {final['state']}: {final['error']}\n{tc.job_log(job['id'])[-3000:]}")
            m = final["metrics"] or {}
            model_id = final["model_id"]
            meta = tc.get_model(model_id)
            _say(f"   model {model_id}: incorrect decisions on the trainer's held-out test set (n={m.get('n_test')}):")
            for k in ("generic", "calibrated", "basic", "customized"):
                if f"{k}_error" in m:
                    _say(f"     {k:<11} {100 * m[k + '_error']:5.1f}%")

        _say("\n== 3. redirect: .chameleon/redirect.json")
        cfg = write_redirect(ws, site=site, endpoint=svc.url, model_id=model_id, token_file=str(svc.token_file), metrics=m)
        _say(f"   {cfg}")

        _say(f"\n== 4. run the unmodified app under `chameleon run` on {args.n} held-out scenes (Fashion-MNIST test items)")
        scenes = fashion_scenes(args.n, seed=args.seed)
        img_dir = ws / "inputs"
        img_dir.mkdir(exist_ok=True)
        files = []
        for i, (png, _) in enumerate(scenes):
            f = img_dir / f"scene{i:04d}.png"
            f.write_bytes(png)
            files.append(f"inputs/{f.name}")
        base_name = Path(str(meta.get("base_model") or "")).name
        tiny = "-tiny" if args.tiny else ""
        generic_id = f"generic-{args.dataset}{tiny}"
        write_redirect(ws, site=site, endpoint=svc.url, model_id=generic_id, token_file=str(svc.token_file), metrics=None)
        t0 = time.monotonic()
        gen = _run_app(ws, app, files)
        t_gen = time.monotonic() - t0
        write_redirect(ws, site=site, endpoint=svc.url, model_id=model_id, token_file=str(svc.token_file), metrics=m)
        t0 = time.monotonic()
        cus = _run_app(ws, app, files)
        t_cus = time.monotonic() - t0
    finally:
        svc.stop()

    ok_g = ok_c = 0
    rows = []
    for i, ((_, labels), g, c) in enumerate(zip(scenes, gen, cus)):
        right = acceptable(d, labels)
        gi, ci = _outcome_of(d, g), _outcome_of(d, c)
        ok_g += gi in right
        ok_c += ci in right
        rows.append((files[i], labels, g, gi in right, c, ci in right))
    _say(f"   (generic endpoint {generic_id}{' from ' + base_name if base_name else ''}: {t_gen:.1f}s; "
         f"customized {model_id}: {t_cus:.1f}s, {args.n} images each, one process per 100)")
    _say("")
    w = max(len(x) for r in rows for x in (r[2], r[4], "customized")) + 1
    _say(f"   {'input':<16}{'generic':<{w + 3}}{'customized':<{w + 3}}what the scene holds (true items)")
    changed = [r for r in rows if r[2] != r[4]]
    shown = (changed[: args.show // 2] + [r for r in rows if r[2] == r[4]])[: args.show]
    for f, labels, g, gok, c, cok in shown:
        items = ", ".join(x for x in labels if x in _SHORT)[:60] or ", ".join(labels[:3])
        _say(f"   {Path(f).name:<16}{g:<{w}}{'ok' if gok else '--'} {c:<{w}}{'ok' if cok else '--'} {items}")
    n = len(rows)
    _say("   (ok: the decision the scene's true labels call for; --: a wrong decision)")
    _say(f"\n   the app decided differently on {len(changed)} of {n} scenes")
    _say(f"   incorrect decisions of the unmodified app:  generic {100 * (n - ok_g) / n:.1f}%  ->  "
         f"customized {100 * (n - ok_c) / n:.1f}%   (n={n}, same app, same inputs, only the endpoint differs)")
    _say(f"\n   done in {time.monotonic() - t_start:.0f}s; workspace {ws}" + ("" if args.workdir else " (removed)"))
    if not args.workdir:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


# Fashion-MNIST item names (the first label of each class) for a compact "what the scene holds".
_SHORT = {"T-shirt", "Trousers", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneakers", "Bag", "Ankle boot"}
