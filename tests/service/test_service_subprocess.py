"""`--backend subprocess`: each job in its own worker process; a hard crash fails one job, not the service."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from svc_helpers import job_body, wait_state

HERE = Path(__file__).resolve().parent


def test_jobs_in_worker_processes(service, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(HERE))  # the stub runner, importable in the workers
    import svc_stub

    s = service(backend="subprocess", runner=svc_stub.runner, workers=2, devices=["0", "1"])
    with s.client() as c:
        a = c.post("/v1/jobs", json=job_body(options={"steps": 6, "delay": 0.05})).json()
        b = c.post("/v1/jobs", json=job_body(options={"steps": 6, "delay": 0.05})).json()
        for j in (a, b):
            assert wait_state(c, j["id"], {"succeeded", "failed"})["state"] == "succeeded", c.get(f"/v1/jobs/{j['id']}/log").text
        metas = [json.loads((s.data_dir / "models" / j["id"] / "meta.json").read_text()) for j in (a, b)]
        assert all(m["pid"] != os.getpid() for m in metas) and metas[0]["pid"] != metas[1]["pid"]
        assert sorted(m["cuda_visible_devices"] for m in metas) == ["0", "1"]  # one device per worker
        assert "[customize] 6/6" in c.get(f"/v1/jobs/{a['id']}/log").text

        crash = c.post("/v1/jobs", json=job_body(options={"hard_crash": 9})).json()
        j = wait_state(c, crash["id"], {"failed", "succeeded"})
        assert j["state"] == "failed" and "exited with code 9" in j["error"]
        bad = c.post("/v1/jobs", json=job_body(options={"fail": "no labels"})).json()
        assert wait_state(c, bad["id"], {"failed", "succeeded"})["error"] == "stub failure: no labels"

        slow = c.post("/v1/jobs", json=job_body(options={"steps": 500, "delay": 0.02})).json()
        deadline = time.monotonic() + 30
        while c.get(f"/v1/jobs/{slow['id']}").json()["progress"].get("step", 0) < 3:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        c.post(f"/v1/jobs/{slow['id']}/cancel")
        j = wait_state(c, slow["id"], {"cancelled", "succeeded", "failed"})
        assert j["state"] == "cancelled" and not (s.data_dir / "models" / slow["id"]).exists()
        assert c.get("/healthz").status_code == 200  # the service lived through all of it


def test_stopping_the_service_interrupts_a_worker_job(service, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(HERE))
    import svc_stub

    s = service(backend="subprocess", runner=svc_stub.runner)
    with s.client() as c:
        job = c.post("/v1/jobs", json=job_body(options={"steps": 500, "delay": 0.02})).json()
        deadline = time.monotonic() + 30
        while c.get(f"/v1/jobs/{job['id']}").json()["progress"].get("step", 0) < 2:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    s.stop()
    j = s.app.state.store.get(job["id"])
    assert j.state == "interrupted" and "was stopped" in j.error


def test_worker_stops_when_its_service_is_killed(tmp_path):
    import re
    import signal

    import httpx

    from chameleon_server.trainer_client import start_local_service

    svc = start_local_service(tmp_path / "data", extra_args=["--backend", "subprocess"],
                              env={"CHAMELEON_SERVICE_RUNNER": "svc_stub:runner", "PYTHONPATH": str(HERE)})
    try:
        with httpx.Client(base_url=svc.url, headers={"Authorization": f"Bearer {svc.token}"}) as c:
            job = c.post("/v1/jobs", json=job_body(options={"steps": 3000, "delay": 0.02})).json()
            deadline = time.monotonic() + 30
            while c.get(f"/v1/jobs/{job['id']}").json()["progress"].get("step", 0) < 2:
                assert time.monotonic() < deadline
                time.sleep(0.05)
            pid = int(re.search(r"worker process (\d+)", c.get(f"/v1/jobs/{job['id']}/log").text).group(1))
        svc.process.send_signal(signal.SIGKILL)
        svc.process.wait(10)
        # the worker sees stdin EOF (and its next progress line hits a closed pipe): it stops
        deadline = time.monotonic() + 15
        while Path(f"/proc/{pid}").exists() and "zombie" not in _state(pid):
            assert time.monotonic() < deadline, "the orphaned worker kept training"
            time.sleep(0.1)
        assert not (tmp_path / "data" / "models" / job["id"]).exists()
    finally:
        svc.stop()


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:")[1].split("\n")[0].lower()
    except (OSError, IndexError):
        return "gone"
