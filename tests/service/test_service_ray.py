"""`--backend ray`: jobs run as Ray tasks on a real local Ray head (loopback only) started here."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from svc_helpers import job_body, wait_state

from chameleon_server.trainer_client import free_port, start_local_service

HERE = Path(__file__).resolve().parent


def _ray_exe() -> str | None:
    import sys

    cand = Path(sys.executable).parent / "ray"
    return str(cand) if cand.exists() else shutil.which("ray")


def _env() -> dict[str, str]:
    # Ray otherwise binds to the machine's outward IP even with --node-ip-address 127.0.0.1.
    return {**os.environ, "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "PYTHONPATH": str(HERE),
            "RAY_USAGE_STATS_ENABLED": "0", "NO_PROXY": "127.0.0.1,localhost"}


@pytest.fixture(scope="module")
def ray_head():
    exe = _ray_exe()
    if exe is None:
        pytest.skip("the ray command is not installed")
    port = free_port()
    tmp = tempfile.mkdtemp(prefix="cray")  # short: Ray's unix sockets live under it
    ports = [free_port() for _ in range(5)]
    cmd = [exe, "start", "--head", "--block", "--port", str(port), "--node-ip-address", "127.0.0.1",
           "--num-cpus", "1", "--include-dashboard=false", "--disable-usage-stats", "--temp-dir", tmp,
           "--ray-client-server-port", str(ports[0]), "--dashboard-agent-listen-port", str(ports[1]),
           "--dashboard-agent-grpc-port", str(ports[2]), "--metrics-export-port", str(ports[3]),
           "--runtime-env-agent-port", str(ports[4])]
    log = open(Path(tmp) / "head.log", "wb")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=_env(), start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        up = False
        while time.monotonic() < deadline and proc.poll() is None:
            if b"Ray runtime started" in (Path(tmp) / "head.log").read_bytes():
                with socket.socket() as s:
                    up = s.connect_ex(("127.0.0.1", port)) == 0
                if up:
                    break
            time.sleep(0.3)
        if not up:
            tail = (Path(tmp) / "head.log").read_text(errors="replace")[-1500:]
            pytest.skip(f"a local Ray head could not start here: {tail}")
        yield f"127.0.0.1:{port}"
    finally:
        try:  # the head and everything it spawned share its session: stop exactly those
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(3)
            except subprocess.TimeoutExpired:
                pass
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(10)
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)


def test_jobs_run_on_the_ray_cluster(ray_head, tmp_path):
    env = {k: v for k, v in _env().items() if k in ("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "PYTHONPATH", "RAY_USAGE_STATS_ENABLED")}
    env["CHAMELEON_SERVICE_RUNNER"] = "svc_stub:runner"
    svc = start_local_service(tmp_path / "data", extra_args=["--backend", "ray", "--ray-address", ray_head],
                              env=env, startup_timeout=120)
    try:
        with svc.client() as tc, __import__("httpx").Client(base_url=svc.url, headers={"Authorization": f"Bearer {svc.token}"}) as c:
            ok = c.post("/v1/jobs", json=job_body(options={"steps": 5, "delay": 0.1})).json()
            final = tc.wait(ok["id"], timeout=120)
            assert final["state"] == "succeeded", tc.job_log(ok["id"])
            meta = json.loads((tmp_path / "data" / "models" / ok["id"] / "meta.json").read_text())
            assert meta["pid"] != svc.process.pid  # the work happened in a Ray worker process
            log = tc.job_log(ok["id"])
            assert "submitted to the Ray cluster" in log and "[customize] 5/5" in log
            assert tc.get_model(ok["id"])["abstract_hash"] == ok["abstract_hash"]

            bad = c.post("/v1/jobs", json=job_body(options={"fail": "nothing to learn"})).json()
            j = tc.wait(bad["id"], timeout=60)
            assert j["state"] == "failed" and j["error"] == "stub failure: nothing to learn"

            slow = c.post("/v1/jobs", json=job_body(options={"steps": 300, "delay": 0.05})).json()
            deadline = time.monotonic() + 60
            while c.get(f"/v1/jobs/{slow['id']}").json()["progress"].get("step", 0) < 2:
                assert time.monotonic() < deadline, tc.job_log(slow["id"])
                time.sleep(0.1)
            c.post(f"/v1/jobs/{slow['id']}/cancel")
            j = wait_state(c, slow["id"], {"cancelled", "succeeded", "failed"}, timeout=60)
            assert j["state"] == "cancelled"
            assert not (tmp_path / "data" / "models" / slow["id"]).exists()
    finally:
        svc.stop()
