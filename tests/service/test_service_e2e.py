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


def run_app(ws: Path, files: list[str], stderr: list[str] | None = None) -> list[str]:
    r = subprocess.run([sys.executable, "-m", "chameleon_server", "run", "--", sys.executable, "wardrobe.py", *files],
                       cwd=ws, capture_output=True, text=True, timeout=180, env={**os.environ, "PYTHONPATH": ""})
    assert r.returncode == 0, r.stderr
    if stderr is not None:
        stderr.append(r.stderr)
    return [line.split("\t")[1] for line in r.stdout.splitlines()]


def test_unmodified_app_gets_customized_answers(tmp_path):
    pytest.importorskip("torch")
    import svc_helpers

    from chameleon_trainer import api
    from chameleon_trainer.service.app import ServiceConfig
    from chameleon_trainer.service.heldout import fashion_scenes

    ws = tmp_path / "ws"
    ws.mkdir()
    shutil.copy(APP, ws / "wardrobe.py")
    source = (ws / "wardrobe.py").read_text()
    (site,) = analyze_source(source, "wardrobe.py")
    svc = svc_helpers.start_thread_server(ServiceConfig(data_dir=tmp_path / "data"))  # the real trainer
    try:
        with TrainerClient(svc.url, token_file=svc.data_dir / "token") as tc:
            job = tc.submit_job(app_source=source, app_filename="wardrobe.py", line=site.line,
                                dataset="fashion-scenes", options={"tiny": True})
            final = tc.wait(job["id"], timeout=240)
            assert final["state"] == "succeeded", (final, tc.job_log(job["id"]))
            assert {"customize", "evaluate"} <= set(final["progress"]["stages"])
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

        # The service goes away (the editor that started it exited): `chameleon run` starts it again
        # from its data directory on the same port for the run, and the answers are the same.
        write_redirect(ws, site=site, endpoint=svc.url, model_id=final["model_id"],
                       token_file=str(svc.data_dir / "token"), metrics=m)
        svc.stop()
        err: list[str] = []
        assert run_app(ws, files[:6], err) == [dec_c[i] for i in pick[:6]]
        assert "started the trainer service" in err[0]
        import httpx

        with pytest.raises(httpx.HTTPError):  # and stopped it afterwards
            httpx.get(f"{svc.url}/healthz", timeout=2)
    finally:
        svc.stop()


def test_real_trainer_faults(tmp_path):
    """With the real trainer: labels that match nothing fail with the trainer's message; a job cancelled
    mid-epoch stops with no model; corrupt images get each client's usual error; a finished model stays."""
    pytest.importorskip("torch")
    import base64

    import boto3
    import svc_helpers
    import httpx
    from botocore.exceptions import ClientError

    from chameleon_trainer.service.app import ServiceConfig

    (site,) = analyze_source(APP.read_text(), "wardrobe.py")
    abstract = {"version": 1, "sites": [site.to_dict()]}
    svc = svc_helpers.start_thread_server(ServiceConfig(data_dir=tmp_path / "data"))
    try:
        with TrainerClient(svc.url, token_file=svc.data_dir / "token") as tc:
            nothing = dict(site.to_dict())
            nothing["decision"] = dict(nothing["decision"], categories=[{"name": "pets", "labels": ["zebra", "kitten"]}])
            bad = tc.submit_job(abstract=nothing, dataset="fashion-scenes", options={"tiny": True})
            j = tc.wait(bad["id"], timeout=120)
            assert j["state"] == "failed" and "none of the app's labels" in j["error"], j

            job = tc.submit_job(abstract=abstract, dataset="fashion-scenes", options={"tiny": True, "epochs": 40})
            for snap in tc.events(job["id"], timeout=120):
                p = snap["progress"]
                if p["stage"] in ("basic", "customize") and p["step"] >= 2:
                    tc.cancel_job(job["id"])
                    break
            j = tc.wait(job["id"], timeout=60)
            assert j["state"] == "cancelled", j
            assert not (svc.data_dir / "models" / job["id"]).exists()
            assert tc.list_models() == []

            # a corrupt image against the real (generic) model, through both clients' protocols
            r = httpx.post(f"{svc.url}/serve/generic-fashion-scenes-tiny/v1/images:annotate",
                           headers={"Authorization": f"Bearer {svc.token}"},
                           json={"requests": [{"image": {"content": base64.b64encode(b"\x89PNG broken").decode()},
                                               "features": [{"type": "LABEL_DETECTION"}]}]})
            assert r.status_code == 200 and r.json()["responses"][0]["error"]["code"] == 3
            rk = boto3.client("rekognition", endpoint_url=f"{svc.url}/serve/generic-fashion-scenes-tiny",
                              region_name="us-east-1", aws_access_key_id=svc.token, aws_secret_access_key="x")
            with pytest.raises(ClientError) as e:
                rk.detect_labels(Image={"Bytes": b"\xff\xd8\xff not really a jpeg"})
            assert e.value.response["Error"]["Code"] == "InvalidImageFormatException"
            from chameleon_trainer.service.heldout import fashion_scenes

            ((png, labels),) = fashion_scenes(1, seed=3)
            out = rk.detect_labels(Image={"Bytes": png}, MinConfidence=50)
            assert out["Labels"] and all(50 <= l["Confidence"] <= 100 for l in out["Labels"])
    finally:
        svc.stop()


def test_language_app_with_two_real_customized_models(tmp_path):
    """A Google NL app with a sentiment decision and a topic decision: two tiny real jobs (vader,
    fortunes), both models behind one unmodified LanguageServiceClient under `chameleon run`."""
    pytest.importorskip("torch")
    import svc_helpers

    from chameleon_trainer import api
    from chameleon_trainer.service.app import ServiceConfig

    app = Path(__file__).resolve().parent / "apps" / "support_desk.py"
    ws = tmp_path / "ws"
    ws.mkdir()
    shutil.copy(app, ws / app.name)
    source = app.read_text()
    sites = {s.api: s for s in analyze_source(source, app.name)}
    senti, topic = sites["google.language.analyze_sentiment"], sites["google.language.classify_text"]
    assert senti.decision.type == "score_range" and topic.decision.match == "prefix"
    svc = svc_helpers.start_thread_server(ServiceConfig(data_dir=tmp_path / "data"))
    try:
        with TrainerClient(svc.url, token_file=svc.data_dir / "token") as tc:
            jobs = {s.api: tc.submit_job(app_source=source, app_filename=app.name, line=s.line, options={"tiny": True})
                    for s in (senti, topic)}
            assert jobs[senti.api]["dataset"] == "vader" and jobs[topic.api]["dataset"] == "fortunes"  # defaults by api
            done = {api_: tc.wait(j["id"], timeout=240) for api_, j in jobs.items()}
        for api_, j in done.items():
            assert j["state"] == "succeeded", j
            write_redirect(ws, site=sites[api_], endpoint=svc.url, model_id=j["model_id"],
                           token_file=str(svc.data_dir / "token"), metrics=j["metrics"])
        # Inputs: fortunes about computers and law plus others (this checks the transport, not how well
        # the model generalizes), and a few angry lines; the expected routing is computed in-process.
        from chameleon_trainer.data import fortunes

        pool = [t for t, c in fortunes.load_texts(max_per_file=40) if c.startswith(("/Computers", "/Law"))][:40]
        pool += [t for t, c in fortunes.load_texts(max_per_file=2)][:10]
        pool += ["I am furious, this is the worst service ever!", "Terrible, awful, I hate it."]
        pool = [" ".join(t.split()) for t in pool]  # one line each, as the app reads them
        ps = api.load_predictor(svc.data_dir / "models" / done[senti.api]["model_id"])
        pt = api.load_predictor(svc.data_dir / "models" / done[topic.api]["model_id"])

        def expect(t: str) -> str:
            if ps.predict_sentiment([t])[0][0] < -0.5:
                return "escalate"
            names = [n for n, c in pt.predict_texts([t])[0] if c >= 0.1][:10]
            return next((("it-desk" if n.startswith("/Computers") else "legal") for n in names
                         if n.startswith("/Computers") or n.startswith("/Law")), "general")

        by_outcome: dict[str, list[str]] = {}
        for t in pool:
            by_outcome.setdefault(expect(t), []).append(t)
        assert len(by_outcome) >= 2, by_outcome.keys()  # the models, not a constant fallback, decide
        texts = [t for group in by_outcome.values() for t in group[:3]]
        expected = [expect(t) for t in texts]
        r = subprocess.run([sys.executable, "-m", "chameleon_server", "run", "--", sys.executable, app.name],
                           input="\n".join(texts) + "\n", cwd=ws, capture_output=True, text=True, timeout=180,
                           env={**os.environ, "PYTHONPATH": ""})
        assert r.returncode == 0, r.stderr
        assert [line.split("\t")[1] for line in r.stdout.splitlines()] == expected
    finally:
        svc.stop()
