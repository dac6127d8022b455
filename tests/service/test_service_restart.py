"""The service killed mid-job (SIGKILL) and restarted on the same data directory: finished models and
jobs survive, the running job is marked interrupted with a clear message, queued ones still run."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import httpx
from svc_helpers import job_body, wait_state

from chameleon_server.trainer_client import start_local_service

HERE = Path(__file__).resolve().parent
ENV = {"CHAMELEON_SERVICE_RUNNER": "svc_stub:runner", "PYTHONPATH": str(HERE)}


def test_kill_mid_job_then_restart(tmp_path):
    data = tmp_path / "data"
    svc = start_local_service(data, env=ENV)
    try:
        c = httpx.Client(base_url=svc.url, headers={"Authorization": f"Bearer {svc.token}"}, timeout=30)
        done = c.post("/v1/jobs", json=job_body(options={"steps": 2})).json()
        assert wait_state(c, done["id"], {"succeeded", "failed"})["state"] == "succeeded"
        running = c.post("/v1/jobs", json=job_body(options={"steps": 500, "delay": 0.02})).json()
        queued = c.post("/v1/jobs", json=job_body(options={"steps": 2})).json()
        deadline = time.monotonic() + 20
        while c.get(f"/v1/jobs/{running['id']}").json()["progress"].get("step", 0) < 3:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        c.close()
        svc.process.send_signal(signal.SIGKILL)
        svc.process.wait(10)
    finally:
        svc.stop()

    svc = start_local_service(data, env=ENV, port=None)
    try:
        with svc.client() as tc, httpx.Client(base_url=svc.url, headers={"Authorization": f"Bearer {svc.token}"}) as c:
            assert tc.get_job(done["id"])["state"] == "succeeded"
            assert done["id"] in {m["id"] for m in tc.list_models()}
            j = tc.get_job(running["id"])
            assert j["state"] == "interrupted"
            assert "stopped while this job was running" in j["error"]
            assert not (data / "models" / running["id"]).exists()
            # the job queued behind it still gets its turn after the restart
            assert wait_state(c, queued["id"], {"succeeded", "failed"})["state"] == "succeeded"
            # and the service takes new work
            again = tc.submit_job(abstract=job_body()["abstract"], dataset="fashion-scenes", options={"steps": 1})
            assert tc.wait(again["id"], timeout=30)["state"] == "succeeded"
    finally:
        svc.stop()


def test_graceful_stop_marks_running_jobs_interrupted(tmp_path):
    data = tmp_path / "data"
    svc = start_local_service(data, env=ENV)
    try:
        with svc.client() as tc:
            job = tc.submit_job(abstract=job_body()["abstract"], dataset="fashion-scenes",
                                options={"steps": 500, "delay": 0.02})
            deadline = time.monotonic() + 20
            while tc.get_job(job["id"])["state"] != "running":
                assert time.monotonic() < deadline
                time.sleep(0.05)
        svc.process.send_signal(signal.SIGTERM)
        assert svc.process.wait(20) is not None
    finally:
        svc.stop()
    from chameleon_trainer.service.store import JobStore

    j = JobStore(data / "jobs.sqlite").get(job["id"])
    assert j.state == "interrupted" and "was stopped" in j.error
