"""Issue 4 end to end with the REAL trainer (tiny job): the service analyses an unmodified app, customizes
a model for its decision, and the app run under `chameleon run` gets its answers from that model over
HTTP through the real google-cloud-vision client; on held-out inputs its decisions are the customized
model's, not the generic one's."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from chameleon_server.analyzer import analyze_source
from chameleon_server.decision import decide
from chameleon_server.redirect.config import is_stale, read_redirects, write_redirect
from chameleon_server.trainer_client import TrainerClient

APP = Path(__file__).resolve().parents[2] / "trainer" / "chameleon_trainer" / "service" / "demo_apps" / "wardrobe.py"
OUTCOME = {0: "shoe rack", 1: "hook", None: "drawer"}
VISION_DEFAULT_MAX_RESULTS = 10


def run_app(ws: Path, files: list[str]) -> list[str]:
    r = subprocess.run([sys.executable, "-m", "chameleon_server", "run", "--", sys.executable, "wardrobe.py", *files],
                       cwd=ws, capture_output=True, text=True, timeout=180, env={**os.environ, "PYTHONPATH": ""})
    assert r.returncode == 0, r.stderr
    return [line.split("\t")[1] for line in r.stdout.splitlines()]


def test_unmodified_app_gets_customized_answers(tmp_path):
    pytest.importorskip("torch")
    import conftest

    from chameleon_trainer import api
    from chameleon_trainer.service.app import ServiceConfig
    from chameleon_trainer.service.heldout import fashion_scenes

    ws = tmp_path / "ws"
    ws.mkdir()
    shutil.copy(APP, ws / "wardrobe.py")
    source = (ws / "wardrobe.py").read_text()
    (site,) = analyze_source(source, "wardrobe.py")
    svc = conftest.start_thread_server(ServiceConfig(data_dir=tmp_path / "data"))  # the real trainer
    try:
        with TrainerClient(svc.url, token_file=svc.data_dir / "token") as tc:
            job = tc.submit_job(app_source=source, app_filename="wardrobe.py", line=site.line,
                                dataset="fashion-scenes", options={"tiny": True})
            stages = set()
            final = tc.wait(job["id"], timeout=240, on_progress=lambda j: stages.add(j["progress"]["stage"]))
            assert final["state"] == "succeeded", (final, tc.job_log(job["id"]))
            assert {"customize", "evaluate"} <= stages
            m = final["metrics"]
            assert m["customized_error"] < m["generic_error"]
            model_dir = svc.data_dir / "models" / final["model_id"]
            assert tc.get_model(final["model_id"])["abstract_hash"] == site.decision_hash()

        write_redirect(ws, site=site, endpoint=svc.url, model_id=final["model_id"],
                       token_file=str(svc.data_dir / "token"), metrics=m)
        (entry,) = read_redirects(ws)
        assert not is_stale(entry, site)

        # Held-out scenes; the decisions each model leads the app to, computed in-process.
        customized = api.load_predictor(model_dir)
        generic_dir = Path(json.loads((model_dir / "meta.json").read_text())["base_model"])
        generic = api.load_predictor(generic_dir)
        scenes = fashion_scenes(160, seed=7)
        images = [b for b, _ in scenes]
        dec_c = [OUTCOME[decide(site.decision, r[:VISION_DEFAULT_MAX_RESULTS])] for r in customized.predict_images(images)]
        dec_g = [OUTCOME[decide(site.decision, r[:VISION_DEFAULT_MAX_RESULTS])] for r in generic.predict_images(images)]
        differ = [i for i in range(len(images)) if dec_c[i] != dec_g[i]]
        same = [i for i in range(len(images)) if dec_c[i] == dec_g[i]]
        assert len(differ) >= 3, "the tiny customized model should change some decisions"
        pick = differ[:12] + same[:6]
        files = []
        for i in pick:
            (ws / f"scene{i}.png").write_bytes(images[i])
            files.append(f"scene{i}.png")

        got = run_app(ws, files)
        assert got == [dec_c[i] for i in pick]
        assert sum(g != dec_g[i] for g, i in zip(got, pick)) == len(differ[:12])

        # Same app, same files, config pointed at the generic model: the generic decisions come back.
        gen_id = "generic-fashion-scenes-tiny"
        assert generic_dir.resolve() == (svc.app.state.registry.path(gen_id)).resolve()
        write_redirect(ws, site=site, endpoint=svc.url, model_id=gen_id, token_file=str(svc.data_dir / "token"),
                       metrics=None)
        assert run_app(ws, files) == [dec_g[i] for i in pick]
        assert (ws / "wardrobe.py").read_text() == source
    finally:
        svc.stop()
