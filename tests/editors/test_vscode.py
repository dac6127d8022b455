"""The VS Code extension: its TypeScript unit tests, its offline .vsix packaging, and the end-to-end
test in the real VS Code workbench (code-server + Playwright + Debian Chromium).

Set up by `scripts/setup.d/40-node.sh` (npm ci, chromium, code-server in the cache). The end-to-end
driver is `vscode-client/e2e/run.ts`; its screenshots and logs land in `test-artifacts/vscode/`.
A step is skipped only when a probe shows the part it needs is not in the tree yet (the analyzer,
the trainer service), with the reason; every step that can run must pass.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.editor

ROOT = Path(__file__).resolve().parents[2]
CLIENT = ROOT / "vscode-client"
VSIX = CLIENT / "chameleon-api.vsix"
ARTIFACTS = ROOT / "test-artifacts" / "vscode"
CACHE = Path(os.environ.get("CHAMELEON_CACHE", Path.home() / ".cache" / "chameleon-api"))
CODE_SERVER = CACHE / "code-server" / "node_modules" / ".bin" / "code-server"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# The driver's steps, in order (vscode-client/e2e/run.ts STEPS; checked against its results.json).
E2E_STEPS = [
    "workbench", "activated", "server", "codelens", "hover", "settings", "cancel", "customize",
    "progress", "customized", "config", "report", "lightbulb", "restart", "interpreter", "crashloop",
]
CALL = re.compile(r"\.(label_detection|detect_labels|classify_text|analyze_sentiment)\(")


def _need(path: Path, what: str) -> None:
    if not path.exists():
        pytest.fail(f"{what} is missing at {path}: run `bash scripts/setup.sh` (step 40-node)")


def _npm(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is not on PATH (node 20 + npm are prerequisites of scripts/setup.d/40-node.sh)")
    _need(ROOT / "node_modules" / "vscode-languageclient", "the npm workspace (npm ci)")
    return subprocess.run([npm, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def vsix() -> Path:
    """`npm run package` at the root: compile, bundle, pack; the .vsix lands in vscode-client/."""
    VSIX.unlink(missing_ok=True)
    r = _npm("run", "package")
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert VSIX.is_file(), f"npm run package did not write {VSIX}"
    return VSIX


def test_typescript_unit_tests() -> None:
    r = _npm("test")
    out = r.stdout + r.stderr
    assert r.returncode == 0, out[-4000:]
    passed = int(re.search(r"^# pass (\d+)", out, re.M).group(1))
    failed = int(re.search(r"^# fail (\d+)", out, re.M).group(1))
    assert failed == 0 and passed >= 35, out[-2000:]


def test_vsix_holds_the_bundled_extension_and_its_contributions(vsix: Path) -> None:
    with zipfile.ZipFile(vsix) as z:
        names = set(z.namelist())
        manifest = json.loads(z.read("extension/package.json"))
        bundle = z.read("extension/out/extension.js").decode()
    assert "extension/out/extension.js" in names
    assert not any(n.startswith("extension/node_modules/") or "/test/" in n or "/e2e/" in n for n in names), names
    # Bundled: the language client is inside, only `vscode` stays external.
    assert "vscode-languageclient" not in re.findall(r'require\("([^"]+)"\)', bundle)
    assert "chameleon/jobProgress" in bundle
    commands = {c["command"]: c["title"] for c in manifest["contributes"]["commands"]}
    assert commands["chameleon.customize"] == "Customize this API"
    assert commands["chameleon.showReport"] == "Show customization report"
    props = manifest["contributes"]["configuration"]["properties"]
    for key in ("interpreter", "trainerUrl", "token", "tokenFile", "dataset", "baseModel", "jobOptions"):
        assert f"chameleon.{key}" in props
    assert manifest["main"] == "./out/extension.js"


def _example_app() -> tuple[Path, str, str]:
    """(app folder, file in it, api): examples/recycling_sorter.py (the paper's running example), else
    the first example whose Vision label_detection output feeds a branch."""
    base = ROOT / "examples"
    preferred = base / "recycling_sorter.py"
    candidates = sorted(base.rglob("*.py"), key=lambda p: (p != preferred, str(p))) if base.is_dir() else []
    for py in candidates:
        text = py.read_text(encoding="utf-8", errors="replace")
        m = CALL.search(text)
        if m and m.group(1) == "label_detection" and re.search(r"^\s*(if|elif)\b", text, re.M):
            return py.parent, py.name, m.group(1)
    # No example app in the tree: the language server's own fixture app.
    return ROOT / "tests" / "lsp" / "fixtures" / "app", "recycle.py", "label_detection"


def _blocked_from() -> tuple[str | None, str]:
    """The first e2e step that cannot run yet in this tree, and why (None when all can run)."""
    try:
        from chameleon_server import analyzer  # noqa: F401  (torch-free)

        has_analyzer = hasattr(analyzer, "analyze_source")
    except ImportError:
        has_analyzer = False
    if not has_analyzer:
        return "codelens", (
            "blocked: the analyzer has not landed (chameleon_server.analyzer.analyze_source is missing), "
            "so the language server returns no call sites: no code lens, hover, or customization to show"
        )
    if importlib.util.find_spec("chameleon_trainer.service") is None:
        return "cancel", "blocked: the trainer service (chameleon_trainer.service) has not landed"
    return None, ""


def test_vscode_end_to_end(vsix: Path) -> None:
    _need(CODE_SERVER, "code-server")
    _need(CHROMIUM, "Chromium")
    _need(CLIENT / "out" / "e2e" / "run.js", "the compiled e2e driver")
    app, file, api = _example_app()
    blocked, reason = _blocked_from()
    through = E2E_STEPS[E2E_STEPS.index(blocked) - 1] if blocked else E2E_STEPS[-1]
    cmd = [
        shutil.which("node") or "node",
        str(CLIENT / "out" / "e2e" / "run.js"),
        "--app", str(app),
        "--file", file,
        "--token", api,
        "--hover-text", f"google.vision.{api}|Decision",
        "--python", sys.executable,
        "--code-server", str(CODE_SERVER),
        "--vsix", str(vsix),
        "--artifacts", str(ARTIFACTS),
        "--through", through,
        "--job-timeout", "240",
    ]
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    results = json.loads((ARTIFACTS / "results.json").read_text())
    steps = {s["name"]: s for s in results["steps"]}
    assert list(steps) == E2E_STEPS[: E2E_STEPS.index(through) + 1], f"the driver's steps changed: {list(steps)}"
    report = "\n".join(f"{s['name']}: {s['status']} {s['detail']}" for s in results["steps"])
    for name in E2E_STEPS[: E2E_STEPS.index(through) + 1]:
        s = steps[name]
        assert s["status"] == "passed", f"step {name} {s['status']}: {s['detail']}\n{report}\n{r.stdout[-2000:]}{r.stderr[-2000:]}"
        assert s["screenshot"] and (ARTIFACTS / s["screenshot"]).stat().st_size > 10_000, f"no screenshot for {name}"
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    if blocked:
        pytest.skip(f"VS Code e2e passed through '{through}'; steps from '{blocked}' on {reason}")
