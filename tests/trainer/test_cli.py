"""`chameleon customize` and `chameleon bench` as a user runs them (tiny data: seconds)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SUITE = ROOT / "examples" / "suite"


def _chameleon(*args, cwd):
    return subprocess.run([sys.executable, "-m", "chameleon_server", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def test_customize_an_app_source(tmp_path):
    r = _chameleon("customize", str(SUITE / "closet_organizer.py"), "--tiny", "--out", str(tmp_path / "m"),
                   "--json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    (res,) = json.loads(r.stdout)
    assert res["decision_type"] == "multi_choice"
    assert (Path(res["model_dir"]) / "report.png").exists()


def test_customize_reports_bad_input(tmp_path):
    ab = {"version": 1, "sites": [{"file": "a.py", "api": "google.vision.label_detection", "line": 1, "column": 1,
                                   "decision": {"type": "true_false", "categories": [{"name": "x", "labels": ["pizza"]}]}}]}
    (tmp_path / "a.json").write_text(json.dumps(ab))
    r = _chameleon("customize", "--abstract", str(tmp_path / "a.json"), "--tiny", "--out", str(tmp_path / "m"),
                   cwd=tmp_path)
    assert r.returncode == 2 and "matches any label" in r.stderr


def test_bench_writes_the_documented_json(tmp_path):
    r = _chameleon("bench", str(SUITE / "lost_and_found.py"), str(SUITE / "support_triage.abstract.json"),
                   "--tiny", "--epochs", "2", "--seeds", "0", "1", "--json", str(tmp_path / "b.json"), "--out", str(tmp_path / "runs"),
                   cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    doc = json.loads((tmp_path / "b.json").read_text())
    assert [a["app"] for a in doc["apps"]] == ["lost_and_found", "support_triage"]
    for a in doc["apps"]:
        for k in ("app", "decision_type", "generic_error", "calibrated_error", "basic_error", "customized_error",
                  "customize_seconds"):
            assert k in a
        assert len(a["per_seed"]) == 2 and a["analyzer_check"] in ("matches", None)
    assert (tmp_path / "b.png").exists()
    assert "OVERALL" in r.stdout
