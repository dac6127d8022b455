"""Cross-file resolution through a Workspace, unsaved buffers, and dependents."""

from __future__ import annotations

from pathlib import Path

from chameleon_server.analyzer import Workspace, analyze_paths, analyze_source

HELPER = """from google.cloud import vision
client = vision.ImageAnnotatorClient()
def names(image):
    return [l.description for l in client.label_detection(image=image).label_annotations]
"""
CONSTS = "PETS = ['Dog', 'Cat']\n"
APP = """from helpers import names
from consts import PETS
def door(image):
    if any(n in PETS for n in names(image)):
        return 'open'
    return 'closed'
"""


def _project(tmp_path: Path) -> Path:
    (tmp_path / "helpers.py").write_text(HELPER)
    (tmp_path / "consts.py").write_text(CONSTS)
    (tmp_path / "app.py").write_text(APP)
    return tmp_path


def test_decision_made_in_another_module_with_constants_from_a_third(tmp_path):
    root = _project(tmp_path)
    ws = Workspace(root)
    (site,) = analyze_source(HELPER, str(root / "helpers.py"), workspace=ws)
    assert site.file == "helpers.py"
    d = site.decision
    assert d is not None and d.type == "true_false"
    assert d.categories[0].labels == ["Dog", "Cat"] and d.categories[0].name == "PETS"
    assert d.categories[0].labels_at["file"] == "consts.py"
    assert any("app.py" in n for n in site.notes)


def test_unsaved_buffers_override_disk_and_dependents(tmp_path):
    root = _project(tmp_path)
    ws = Workspace(root)
    ws.update(str(root / "consts.py"), "PETS = ['Dog', 'Cat', 'Hamster']\n")
    (site,) = analyze_source(HELPER, str(root / "helpers.py"), workspace=ws)
    assert site.decision.categories[0].labels == ["Dog", "Cat", "Hamster"]
    ws.update(str(root / "consts.py"), None)  # buffer closed: back to the file on disk
    (site,) = analyze_source(HELPER, str(root / "helpers.py"), workspace=ws)
    assert site.decision.categories[0].labels == ["Dog", "Cat"]
    deps = {Path(p).name for p in ws.dependents(str(root / "consts.py"))}
    assert deps == {"app.py", "helpers.py"}  # app imports it; helpers' site is decided in app
    assert {Path(p).name for p in ws.dependents(str(root / "app.py"))} == {"helpers.py", "consts.py"}


def test_app_edit_in_buffer_changes_the_helper_abstract(tmp_path):
    root = _project(tmp_path)
    ws = Workspace(root)
    ws.update(str(root / "app.py"), APP.replace("if any(n in PETS for n in names(image)):", "print(names(image))\n    if False:"))
    (site,) = analyze_source(HELPER, str(root / "helpers.py"), workspace=ws)
    assert site.decision is None


def test_analyze_paths_on_a_directory_uses_relative_files(tmp_path):
    root = _project(tmp_path)
    out = analyze_paths([str(root)])
    assert [s.file for s in out.sites] == ["helpers.py"] and out.sites[0].decision is not None
    assert out.errors == []
    out = analyze_paths([str(root / "nope")])
    assert out.errors == [{"file": str(root / "nope"), "error": "no such file or directory"}]
