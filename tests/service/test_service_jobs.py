"""The job API over real HTTP: auth, submit, progress (SSE), cancel, queueing, bad input."""

from __future__ import annotations

import json
import os
import stat
import time

import httpx
import pytest
from svc_helpers import SITE, job_body, wait_state

from chameleon_server.trainer_client import TrainerClient, TrainerError


def test_health_needs_no_token_everything_else_does(service):
    s = service()
    assert httpx.get(f"{s.url}/healthz").json()["status"] == "ok"
    mode = stat.S_IMODE(os.stat(s.data_dir / "token").st_mode)
    assert mode == 0o600
    for path in ("/v1/jobs", "/v1/models", "/v1/datasets", "/v1/jobs/x"):
        assert httpx.get(s.url + path).status_code == 401
        r = httpx.get(s.url + path, headers={"Authorization": "Bearer wrong"})
        assert r.status_code == 401 and "token" in r.json()["detail"]
    assert httpx.post(s.url + "/v1/jobs", json=job_body()).status_code == 401
    with s.client() as c:
        assert c.get("/v1/jobs").json() == []
    schema = httpx.get(s.url + "/openapi.json").json()
    assert "/v1/jobs" in schema["paths"] and "/v1/jobs/{job_id}/events" in schema["paths"]


def test_token_given_is_used_and_kept_on_restart(service, tmp_path):
    s = service(token="s3cret-token", data_dir=tmp_path / "d")
    assert s.token == "s3cret-token"
    with s.client() as c:
        assert c.get("/v1/jobs").status_code == 200
    s.stop()
    s2 = service(data_dir=tmp_path / "d")  # no token: the stored one is reused
    assert s2.token == "s3cret-token"


def test_job_runs_streams_progress_and_publishes_a_model(service):
    s = service()
    with TrainerClient(s.url, token=s.token) as tc:
        job = tc.submit_job(abstract={"version": 1, "sites": [SITE]}, dataset="fashion-scenes",
                            options={"steps": 6, "delay": 0.25})
        assert job["state"] == "queued" and job["api"] == SITE["api"]
        snaps = list(tc.events(job["id"], timeout=30))
        final = snaps[-1]
        assert final["state"] == "succeeded", final
        steps = [x["progress"]["step"] for x in snaps if x["state"] == "running" and x["progress"]["stage"] == "customize"]
        assert steps and steps == sorted(steps) and max(steps) >= 3
        assert final["model_id"] == job["id"]
        assert final["metrics"]["customized_error"] == 0.1
        model = tc.get_model(final["model_id"])
        assert model["abstract_hash"] == job["abstract_hash"] and model["task"] == "image_classification"
        assert [m["id"] for m in tc.list_models()] == [final["model_id"]]
        assert "Tableware" in tc.vocabulary(final["model_id"])
        assert tc.model_file(final["model_id"], "report.png").startswith(b"\x89PNG")
        with pytest.raises(TrainerError) as e:
            tc.model_file(final["model_id"], "curves.png")
        assert e.value.status == 404
        log = tc.job_log(job["id"])
        assert "[customize] 6/6" in log and "succeeded" in log


def test_raw_sse_stream_format(service):
    s = service()
    with s.client() as c:
        job = c.post("/v1/jobs", json=job_body(options={"steps": 3, "delay": 0.05})).json()
        with c.stream("GET", f"/v1/jobs/{job['id']}/events") as r:
            assert r.headers["content-type"].startswith("text/event-stream")
            text = "".join(r.iter_text())
    events = [b for b in text.split("\n\n") if b.strip()]
    assert events[-1].startswith("event: end\ndata: ")
    assert json.loads(events[-1].split("data: ", 1)[1])["state"] == "succeeded"
    assert all(e.startswith("event: progress\n") for e in events[:-1])


def test_cancel_mid_job_leaves_no_model(service):
    s = service()
    with s.client() as c:
        job = c.post("/v1/jobs", json=job_body(options={"steps": 400, "delay": 0.02})).json()
        deadline = time.monotonic() + 20
        while c.get(f"/v1/jobs/{job['id']}").json()["progress"].get("step", 0) < 3:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        r = c.post(f"/v1/jobs/{job['id']}/cancel")
        assert r.status_code == 200 and r.json()["cancel_requested"] is True
        final = wait_state(c, job["id"], {"cancelled", "succeeded", "failed"})
        assert final["state"] == "cancelled"
        assert "customize" in final["progress"]["message"]
        assert final["model_id"] is None
        assert c.get("/v1/models").json() == []
        assert not (s.data_dir / "models" / job["id"]).exists()
        # cancelling a finished job is a no-op that returns it
        assert c.post(f"/v1/jobs/{job['id']}/cancel").json()["state"] == "cancelled"


def test_one_job_at_a_time_queued_jobs_wait_and_can_be_cancelled(service):
    s = service(workers=1)
    with s.client() as c:
        a = c.post("/v1/jobs", json=job_body(options={"steps": 30, "delay": 0.03})).json()
        b = c.post("/v1/jobs", json=job_body(options={"steps": 2})).json()
        d = c.post("/v1/jobs", json=job_body(options={"steps": 2})).json()
        wait_state(c, a["id"], {"running"})
        assert c.get(f"/v1/jobs/{b['id']}").json()["state"] == "queued"
        assert c.post(f"/v1/jobs/{d['id']}/cancel").json()["state"] == "cancelled"
        assert wait_state(c, a["id"], {"succeeded"})["state"] == "succeeded"
        assert wait_state(c, b["id"], {"succeeded"})["state"] == "succeeded"
        assert c.get(f"/v1/jobs/{d['id']}").json()["state"] == "cancelled"
        ids = {m["id"] for m in c.get("/v1/models").json()}
        assert ids == {a["id"], b["id"]}
        jobs = c.get("/v1/jobs").json()
        assert {j["id"] for j in jobs} == {a["id"], b["id"], d["id"]}


def test_failures_are_reported_with_their_message(service):
    s = service()
    with s.client() as c:
        bad = c.post("/v1/jobs", json=job_body(options={"fail": "labels match nothing"})).json()
        crash = c.post("/v1/jobs", json=job_body(options={"crash": True})).json()
        j1 = wait_state(c, bad["id"], {"failed", "succeeded"})
        j2 = wait_state(c, crash["id"], {"failed", "succeeded"})
    assert j1["state"] == "failed" and j1["error"] == "stub failure: labels match nothing"
    assert j2["state"] == "failed" and "internal error" in j2["error"] and "Traceback" not in j2["error"]


@pytest.mark.parametrize("body,status,needle", [
    (job_body(dataset="no-such-data"), 400, "unknown dataset 'no-such-data'"),
    (job_body(abstract={"version": 1, "sites": [dict(SITE, decision=None)]}), 400, "has no decision"),
    (job_body(abstract={"version": 1, "sites": []}), 400, "no ML API call sites"),
    (job_body(abstract={"version": 7, "sites": []}), 400, "unsupported abstract version"),
    (job_body(abstract={"version": 1, "sites": [dict(SITE, decision={"type": "bogus"})]}), 400, "decision type"),
    (job_body(site=3), 400, "site must be an index"),
    (job_body(options={"cache_dir": "../../etc"}), 400, "looks like a path"),
    (job_body(dataset="../../etc/passwd"), 400, "plain name"),
    (job_body(base_model="no-such-model"), 400, "unknown base_model"),
    (job_body(dataset="fortunes"), 400, "does not serve google.vision.label_detection"),
    ({"dataset": "fashion-scenes"}, 400, "needs an 'abstract'"),
    ([1, 2], 400, "JSON object"),
])
def test_bad_job_requests_get_clear_4xx(service, body, status, needle):
    s = service()
    with s.client() as c:
        r = c.post("/v1/jobs", json=body)
        assert r.status_code == status, r.text
        assert needle in r.json()["detail"]
        assert c.get("/v1/jobs").json() == []


def test_malformed_empty_and_oversized_uploads(service):
    s = service(max_body=50_000)
    with s.client() as c:
        r = c.post("/v1/jobs", content=b"")
        assert r.status_code == 400 and "empty request body" in r.json()["detail"]
        r = c.post("/v1/jobs", content=b'{"abstract": ', headers={"content-type": "application/json"})
        assert r.status_code == 400 and "not valid JSON" in r.json()["detail"]
        r = c.post("/v1/jobs", content=b"[" * 20_000 + b"]" * 20_000)
        assert r.status_code == 400 and "nested too deeply" in r.json()["detail"]
        r = c.post("/v1/jobs", content=json.dumps({"abstract": {"api": "x", "line": "twelve", "decision": None}}))
        assert r.status_code == 400 and "invalid abstract" in r.json()["detail"]
        big = json.dumps(job_body(options={"pad": "x" * 60_000})).encode()
        r = c.post("/v1/jobs", content=big)
        assert r.status_code == 413 and "larger than the limit" in r.json()["detail"]

        def chunks():  # no Content-Length: the limit is enforced while streaming
            for _ in range(10):
                yield b" " * 10_000

        r = c.post("/v1/jobs", content=chunks())
        assert r.status_code == 413
        assert c.get("/v1/jobs").json() == []


def test_unknown_ids_and_path_escapes_are_404(service):
    s = service()
    (s.data_dir / "secret.txt").write_text("x")
    with s.client() as c:
        assert c.get("/v1/jobs/nope").status_code == 404
        assert c.post("/v1/jobs/nope/cancel").status_code == 404
        assert c.get("/v1/jobs/nope/events").status_code == 404
        for mid in ("nope", "..", "..%2F..%2Fsecret.txt", "%2e%2e"):
            r = c.get(f"/v1/models/{mid}")
            assert r.status_code == 404, (mid, r.text)
            assert c.get(f"/v1/models/{mid}/report.png").status_code == 404


def test_datasets_listed_from_the_trainer(service):
    s = service()
    with TrainerClient(s.url, token_file=s.data_dir / "token") as tc:
        names = {d["name"] for d in tc.list_datasets()}
    assert "fashion-scenes" in names


def test_client_reports_an_unreachable_service():
    from chameleon_server.trainer_client import free_port

    with TrainerClient(f"http://127.0.0.1:{free_port()}", token="t", timeout=2) as tc:
        with pytest.raises(TrainerError) as e:
            tc.healthz()
    assert e.value.status == 0 and "unreachable" in str(e.value)


def test_token_sources_in_order(tmp_path, monkeypatch):
    from chameleon_trainer.service.auth import load_or_create_token

    d = tmp_path / "d"
    d.mkdir()
    generated = load_or_create_token(d)
    assert len(generated) >= 24 and (d / "token").read_text().strip() == generated
    assert load_or_create_token(d) == generated  # kept across restarts
    monkeypatch.setenv("CHAMELEON_TOKEN", "from-env")
    assert load_or_create_token(d) == "from-env" and (d / "token").read_text().strip() == "from-env"
    assert load_or_create_token(d, "from-flag") == "from-flag"  # --token wins
    assert os.stat(d / "token").st_mode & 0o077 == 0
