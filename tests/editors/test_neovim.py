"""The language server driven by a second real client: headless Neovim 0.7 (Debian's `neovim`)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
APP = HERE.parent / "lsp" / "fixtures" / "app"
VOCAB = HERE.parent / "lsp" / "fixtures" / "vocab"

pytestmark = [
    pytest.mark.editor,
    pytest.mark.timeout(120),
    pytest.mark.skipif(shutil.which("nvim") is None, reason="nvim is not installed (scripts/setup.d/10-apt.sh installs it)"),
]


def _call_position(path: Path, needle: str) -> tuple[int, int]:
    for i, line in enumerate(path.read_text().splitlines()):
        if needle in line:
            return i, line.index(needle) + 2
    raise AssertionError(f"{needle!r} not in {path}")


def _run_nvim(tmp_path: Path, file: str, timeout: int = 90, **extra_env: str) -> tuple[Path, int, dict]:
    ws = tmp_path / "ws"
    shutil.copytree(APP, ws)
    target = ws / file
    line, col = _call_position(target, "client.label_detection")
    out = tmp_path / "nvim.json"
    env = {
        **os.environ,
        "CHAMELEON_PY": sys.executable,
        "CHAMELEON_WS": str(ws),
        "CHAMELEON_FILE": str(target),
        "CHAMELEON_OUT": str(out),
        "CHAMELEON_HOVER_LINE": str(line),
        "CHAMELEON_HOVER_COL": str(col),
        "CHAMELEON_VOCABULARIES": str(VOCAB),
        "CHAMELEON_LSP_DEBOUNCE": "0.05",
        "XDG_STATE_HOME": str(tmp_path / "state"),  # nvim's lsp.log goes here, not into ~
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        **extra_env,
    }
    proc = subprocess.run(
        ["nvim", "--headless", "-u", "NONE", "-c", f"luafile {HERE / 'nvim_lsp_session.lua'}"],
        env=env, cwd=ws, capture_output=True, text=True, timeout=timeout,
    )
    assert out.exists(), f"nvim wrote no results (rc={proc.returncode}): {proc.stderr[-2000:]}"
    r = json.loads(out.read_text())
    assert r["ok"], r.get("error")
    assert r["initialized"] and r["got_diagnostics"]
    return ws, line, r


def test_neovim_hover_code_lens_diagnostics(tmp_path):
    ws, line, r = _run_nvim(tmp_path, "recycle.py")

    hover = r["hover"]["contents"]["value"]
    assert "google.vision.label_detection" in hover
    assert "multi-choice" in hover and "COMPOST" in hover and "RECYCLE" in hover
    assert "model labels: Food, Snack, Produce" in hover  # resolved against the vocabulary

    titles = [lens["command"]["title"] for lens in r["code_lens"]]
    assert any(t.startswith("multi-choice · 2 categories") for t in titles), titles
    assert "Customize this API" in titles

    messages = [d["message"] for d in r["diagnostics"]]
    assert any("'cardbord'" in m and "'Cardboard'" in m for m in messages), messages

    assert any(a["title"] == "Customize this API" for a in r["code_actions"])
    assert "google.vision.label_detection" in r["hover_after_edit"]["contents"]["value"]
    assert r["server_info"]["torchLoaded"] is False
    assert r["stopped"]


@pytest.mark.timeout(300)
def test_neovim_customize_with_progress(tmp_path):
    """"Customize this API" run from Neovim's lens command: the server starts the local trainer
    service, Neovim receives $/progress and chameleon/jobProgress, and the lens turns "customized"."""
    ws, line, r = _run_nvim(tmp_path, "outfit.py", timeout=280, CHAMELEON_CUSTOMIZE="1")
    assert r["customize"]["jobId"], r["customize"]
    assert r["job_ended"], r["job_events"][-3:]
    states = [e["state"] for e in r["job_events"]]
    assert states[-1] == "succeeded", r["job_events"][-3:]
    assert r["customize_line"] == line + 2  # 1-based, after the comment line the session inserted
    assert all(e["line"] == r["customize_line"] for e in r["job_events"])
    kinds = [v["kind"] for v in r["progress"]]
    assert kinds[0] == "begin" and kinds[-1] == "end" and "report" in kinds
    titles = [lens["command"]["title"] for lens in r["code_lens_after"]]
    assert any(t.startswith("customized") for t in titles), titles
    assert (ws / ".chameleon" / "redirect.json").exists()
    assert r["server_info"]["torchLoaded"] is False
    assert r["stopped"]
