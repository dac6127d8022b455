"""`.chameleon/` config and `chameleon run`: unmodified apps, real client libraries, real HTTP."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import svc_stub

from chameleon_server.abstract import Abstract, Site
from chameleon_server.redirect.config import find_redirect, is_stale, read_redirects, remove_redirect, write_redirect
from chameleon_server.redirect.env import choose_targets

APPS = Path(__file__).resolve().parent / "apps"


def site(file: str = "app.py", api: str = "google.vision.label_detection", labels=("food",)) -> Site:
    return Abstract.from_dict({"version": 1, "sites": [{
        "file": file, "api": api, "line": 12, "column": 5,
        "decision": {"type": "true_false", "match": "exact", "categories": [{"name": "c", "labels": list(labels)}]},
    }]}).sites[0]


def test_config_round_trip_replace_and_staleness(tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    s = site(file=str(ws / "app.py"))
    path = write_redirect(ws, site=s, endpoint="http://127.0.0.1:9/", model_id="m1", token_file="/x/token",
                          metrics={"generic_error": 0.3})
    assert path == ws / ".chameleon" / "redirect.json"
    (e,) = read_redirects(ws)
    assert (e.file, e.api, e.endpoint, e.model_id, e.line) == ("app.py", s.api, "http://127.0.0.1:9", "m1", 12)
    assert e.serving_base == "http://127.0.0.1:9/serve/m1" and e.metrics == {"generic_error": 0.3}
    assert not is_stale(e, s)
    moved = site(file="app.py")
    moved.line = 99  # moving code does not make the model stale...
    assert not is_stale(e, moved)
    assert is_stale(e, site(labels=("food", "snack")))  # ...changing the labels does
    # one entry per (file, api): a new model replaces the old one; another api adds one
    write_redirect(ws, site=s, endpoint="http://127.0.0.1:9", model_id="m2", token_file=None, metrics=None)
    write_redirect(ws, site=site(api="aws.rekognition.detect_labels"), endpoint="http://h:1", model_id="m3",
                   token_file=None, metrics=None)
    assert sorted(x.model_id for x in read_redirects(ws)) == ["m2", "m3"]
    assert find_redirect(ws, "app.py", s.api).model_id == "m2"
    assert remove_redirect(ws, "app.py", s.api) and [x.model_id for x in read_redirects(ws)] == ["m3"]
    assert (ws / ".chameleon" / ".gitignore").exists()
    # a corrupt config reads as empty instead of crashing the editor
    (ws / ".chameleon" / "redirect.json").write_text("{not json")
    assert read_redirects(ws) == []


def test_two_language_apis_share_one_endpoint(tmp_path):
    ws = tmp_path
    write_redirect(ws, site=site(api="google.language.classify_text"), endpoint="http://e", model_id="topics",
                   token_file=None, metrics=None)
    write_redirect(ws, site=site(api="google.language.analyze_sentiment"), endpoint="http://e", model_id="senti",
                   token_file=None, metrics=None)
    t = choose_targets(read_redirects(ws), ws)["google.language"]
    assert t.base == "http://e/serve/senti+topics"


def chameleon_run(ws: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "chameleon_server", "run", "--", sys.executable, *args],
                          cwd=ws, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": "", **(env or {})})


@pytest.fixture
def workspace(tmp_path, service):
    s = service()
    models = s.data_dir / "models"
    svc_stub.write_model(models, "cust", "image_classification", "google.vision.label_detection", "customized")
    svc_stub.write_model(models, "gen", "image_classification", "google.vision.label_detection", "generic")
    svc_stub.write_model(models, "topics", "text_classification", "google.language.classify_text", "customized")
    svc_stub.write_model(models, "senti", "sentiment", "google.language.analyze_sentiment", "customized")
    ws = tmp_path / "ws"
    ws.mkdir()
    for f in APPS.glob("*.py"):
        shutil.copy(f, ws / f.name)
    for name, rgb in (("red.png", (220, 20, 20)), ("green.png", (40, 200, 60)), ("blue.png", (20, 20, 220))):
        (ws / name).write_bytes(svc_stub.png(rgb))
    return s, ws


def digest(ws: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in ws.glob("*.py")}


def test_unmodified_vision_app_follows_the_redirect(workspace):
    s, ws = workspace
    before = digest(ws)
    token_file = str(s.data_dir / "token")
    vsite = site(file="sort_waste.py")
    write_redirect(ws, site=vsite, endpoint=s.url, model_id="cust", token_file=token_file, metrics=None)
    r = chameleon_run(ws, "sort_waste.py", "red.png", "green.png", "blue.png")
    assert r.returncode == 0, r.stderr
    assert "stale" in r.stderr  # vsite is not the app's real decision: the model does not fit this code
    assert r.stdout.splitlines() == ["red.png\tcompost", "green.png\tcompost", "blue.png\trecycle"]
    # pointing the config at the generic model changes the app's answers, not its code
    write_redirect(ws, site=vsite, endpoint=s.url, model_id="gen", token_file=token_file, metrics=None)
    r = chameleon_run(ws, "sort_waste.py", "green.png")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["green.png\trecycle"]
    assert digest(ws) == before


def test_run_is_quiet_when_the_model_fits_the_code(workspace):
    from chameleon_server.analyzer import analyze_source

    s, ws = workspace
    (real,) = analyze_source((ws / "sort_waste.py").read_text(), "sort_waste.py")
    write_redirect(ws, site=real, endpoint=s.url, model_id="cust", token_file=str(s.data_dir / "token"), metrics=None)
    r = chameleon_run(ws, "sort_waste.py", "red.png")
    assert r.returncode == 0 and r.stdout.splitlines() == ["red.png\tcompost"] and "stale" not in r.stderr, r.stderr


def test_rest_app_using_requests_follows_the_redirect(workspace):
    s, ws = workspace
    write_redirect(ws, site=site(file="rest_sorter.py"), endpoint=s.url, model_id="cust",
                   token_file=str(s.data_dir / "token"), metrics=None)
    r = chameleon_run(ws, "rest_sorter.py", "red.png", "green.png", "blue.png", env={"VISION_API_KEY": "AIza-app-key"})
    assert r.returncode == 0, r.stderr
    # maxResults=1: only the top label counts; the customized stub ranks Tableware first on green
    assert r.stdout.splitlines() == ["red.png\tcompost", "green.png\tcompost", "blue.png\tother"]


def test_unmodified_boto3_app_follows_the_redirect(workspace):
    s, ws = workspace
    write_redirect(ws, site=site(file="sort_waste_aws.py", api="aws.rekognition.detect_labels"), endpoint=s.url,
                   model_id="cust", token_file=str(s.data_dir / "token"), metrics=None)
    r = chameleon_run(ws, "sort_waste_aws.py", "red.png", "green.png", "blue.png",
                      env={"AWS_ACCESS_KEY_ID": "AKIA-real-looking", "AWS_ENDPOINT_URL": "https://example.invalid"})
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["red.png\tcompost", "green.png\tcompost", "blue.png\tnot compost"]


def test_language_app_with_two_models_behind_one_client(workspace):
    s, ws = workspace
    tf = str(s.data_dir / "token")
    write_redirect(ws, site=site(file="ticket_router.py", api="google.language.classify_text"), endpoint=s.url,
                   model_id="topics", token_file=tf, metrics=None)
    write_redirect(ws, site=site(file="ticket_router.py", api="google.language.analyze_sentiment"), endpoint=s.url,
                   model_id="senti", token_file=tf, metrics=None)
    r = chameleon_run(ws, "ticket_router.py", "my computer is good", "bad bad bad", "a good poem")
    assert r.returncode == 0, r.stderr
    assert [l.split("\t")[1] for l in r.stdout.splitlines()] == ["it-desk", "escalate", "general"]


def test_comprehend_app_follows_the_redirect(workspace):
    s, ws = workspace
    write_redirect(ws, site=site(file="review_reply.py", api="aws.comprehend.detect_sentiment"), endpoint=s.url,
                   model_id="senti", token_file=str(s.data_dir / "token"), metrics=None)
    r = chameleon_run(ws, "review_reply.py", "good good product", "bad bad bad", "it is a product")
    assert r.returncode == 0, r.stderr
    assert [l.split("\t")[1] for l in r.stdout.splitlines()] == ["thanks", "ticket", "ack"]


def test_run_without_config_or_with_a_bad_token_says_why(workspace, tmp_path):
    s, ws = workspace
    empty = tmp_path / "empty"
    empty.mkdir()
    r = chameleon_run(empty, str(ws / "sort_waste.py"))
    assert r.returncode == 2 and "no .chameleon/redirect.json" in r.stderr
    bad = tmp_path / "badtoken"
    bad.write_text("not-the-token")
    write_redirect(ws, site=site(file="sort_waste.py"), endpoint=s.url, model_id="cust", token_file=str(bad), metrics=None)
    r = chameleon_run(ws, "sort_waste.py", "red.png")
    assert r.returncode != 0 and "403" in r.stderr and "token" in r.stderr
    write_redirect(ws, site=site(file="sort_waste.py"), endpoint=s.url, model_id="cust",
                   token_file=str(tmp_path / "no-such-token"), metrics=None)
    r = chameleon_run(ws, "sort_waste.py", "red.png")
    assert r.returncode != 0 and "no token" in r.stderr
    r = subprocess.run([sys.executable, "-m", "chameleon_server", "run"], capture_output=True, text=True, cwd=ws)
    assert r.returncode == 2 and "usage" in r.stderr


def test_redirect_side_is_torch_free():
    code = ("import sys, chameleon_server.redirect.command, chameleon_server.redirect.config, "
            "chameleon_server.redirect.env, chameleon_server.trainer_client, chameleon_server.cli as c; "
            "c.build_parser(); assert 'torch' not in sys.modules, 'torch imported'; print('ok')")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr
