"""`chameleon analyze` as a user runs it (a real subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from chameleon_server.abstract import Abstract

REPO = Path(__file__).resolve().parent.parent.parent
EXAMPLES = REPO / "examples"


def chameleon(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "chameleon_server", "analyze", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=60)


def test_json_on_a_directory_is_the_spec_format():
    r = chameleon("examples", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    top = [s for s in data["sites"] if "/" not in s["file"]]  # examples/suite/ belongs to the trainer's suite
    assert data["version"] == 1 and len(top) == 6
    site = next(s for s in data["sites"] if s["file"] == "recycling_sorter.py")
    assert set(site) >= {"file", "api", "task", "line", "column", "end_line", "end_column", "decision"}
    d = site["decision"]
    assert d["type"] == "multi_choice" and d["ordering"] == "output_rank"
    assert [c["name"] for c in d["categories"]] == ["COMPOST", "RECYCLE", "DONATE"]
    assert Abstract.from_dict(data).to_dict() == data


def test_text_output_is_for_a_person():
    r = chameleon("examples/recycling_sorter.py", "examples/sentiment_bot.py")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "examples/recycling_sorter.py:23:20: google.vision.label_detection" in out
    assert "decision: multi_choice (output rank)" in out
    assert "COMPOST: 'food', 'fruit'" in out and "-> return \"Compost this\" (line 32)" in out
    assert "default -> return \"This is trash\"" in out and "min_score 0.6" in out
    assert "score <= -0.25" in out and "2 call site(s), 2 with a decision." in out


def test_no_sites_exits_zero(tmp_path):
    (tmp_path / "plain.py").write_text("print('hello')\n")
    r = chameleon(str(tmp_path), "--json")
    assert r.returncode == 0 and json.loads(r.stdout) == {"version": 1, "sites": []}
    r = chameleon(str(tmp_path))
    assert r.returncode == 0 and "0 call site(s)" in r.stdout


def test_missing_path_is_a_clear_error(tmp_path):
    r = chameleon(str(tmp_path / "nope.py"))
    assert r.returncode != 0 and "nope.py: no such file or directory" in r.stderr


def test_directory_walk_skips_virtualenvs_and_hidden_dirs(tmp_path):
    app = "from google.cloud import vision\nc = vision.ImageAnnotatorClient()\nr = c.label_detection(image=1)\n"
    (tmp_path / "app.py").write_text(app)
    for d in (".hidden", "venv", "node_modules", "lib/site-packages", "myenv"):
        (tmp_path / d).mkdir(parents=True)
        (tmp_path / d / "x.py").write_text(app)
    (tmp_path / "myenv" / "pyvenv.cfg").write_text("home = /usr\n")
    r = chameleon(str(tmp_path), "--json")
    assert [s["file"] for s in json.loads(r.stdout)["sites"]] == ["app.py"]
