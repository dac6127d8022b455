"""The analyzer never raises and never hangs: broken, truncated, random, huge, deep, non-UTF-8 input."""

from __future__ import annotations

import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chameleon_server.analyzer import analyze_paths, analyze_source
from chameleon_server.analyzer.analyze import analyze_module_source

APPS = Path(__file__).parent / "apps"
EXAMPLES = Path(__file__).parent.parent.parent / "examples"
CORPUS = [p.read_text(encoding="utf-8") for p in sorted(APPS.glob("*.py")) + sorted(EXAMPLES.glob("*.py"))]
TOKENS = ["if ", "for ", " in ", "label", ".description", ".lower()", "client.label_detection(image=i)",
          "(", ")", "[", "]", ":", "\n", "    ", "'cat'", "==", "return ", "elif ", "else:", "any(", "def f(x):",
          "response.label_annotations", "x", "=", ",", "\\", '"""', "#", "async ", "lambda", "yield", "*", "not "]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)


def _bounded(src: str) -> list:
    t = time.perf_counter()
    sites = analyze_source(src, "fuzz.py")
    assert time.perf_counter() - t < 5.0
    assert isinstance(sites, list)
    # analyze_source swallows internal errors (the editor must survive them): here they are bugs
    _, notes = analyze_module_source(src, "fuzz.py")
    assert not [n for n in notes if "internal analyzer error" in n or "skipped (" in n], notes
    for s in sites:
        s.to_dict()  # serialisable
    return sites


@SETTINGS
@given(st.sampled_from(CORPUS), st.data())
def test_truncated_sources_never_raise(src, data):
    cut = data.draw(st.integers(min_value=0, max_value=len(src)))
    _bounded(src[:cut])


@SETTINGS
@given(st.sampled_from(CORPUS), st.data())
def test_mutated_sources_never_raise(src, data):
    lines = src.split("\n")
    for _ in range(data.draw(st.integers(min_value=1, max_value=4))):
        i = data.draw(st.integers(min_value=0, max_value=len(lines) - 1))
        op = data.draw(st.sampled_from(["drop", "dup", "garble", "indent", "dedent"]))
        if op == "drop":
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "garble":
            j = data.draw(st.integers(min_value=0, max_value=max(0, len(lines[i]))))
            lines[i] = lines[i][:j] + data.draw(st.sampled_from(TOKENS)) + lines[i][j:]
        elif op == "indent":
            lines[i] = "    " + lines[i]
        else:
            lines[i] = lines[i].lstrip()
        if not lines:
            lines = [""]
    _bounded("\n".join(lines))


@SETTINGS
@given(st.lists(st.sampled_from(TOKENS), max_size=80))
def test_token_soup_never_raises(tokens):
    _bounded("".join(tokens))


@SETTINGS
@given(st.text(max_size=300))
def test_random_text_never_raises(text):
    _bounded("client.label_detection(x)\n" + text)


def test_syntax_error_mid_file_keeps_the_parts_that_parse():
    src = (APPS / "broken.py").read_text(encoding="utf-8")
    sites, notes = analyze_module_source(src, "broken.py")
    assert len(sites) == 2 and sites[0].decision is not None
    assert sites[0].decision.categories[0].labels == ["food", "fruit"]
    assert any("syntax error" in n for n in notes)


def test_missing_colon_inside_function_keeps_that_function():
    src = """from google.cloud import vision
client = vision.ImageAnnotatorClient()
def f(image):
    labels = client.label_detection(image=image).label_annotations
    x = (
    for l in labels:
        if l.description == 'Cat':
            return 'cat'
    if True
        pass
"""
    sites = analyze_source(src, "a.py")
    assert len(sites) == 1 and sites[0].decision is not None


def test_deeply_nested_code_gives_an_answer():
    deep = "x = " + "(" * 5000 + ")" * 5000 + "\nclient.label_detection(image=1)\n"
    t = time.perf_counter()
    assert isinstance(analyze_source(deep, "deep.py"), list)
    body = "".join("    " * i + f"if a{i}:\n" for i in range(150)) + "    " * 150 + "r = c.label_detection(image=1)\n"
    assert isinstance(analyze_source(body, "deep2.py"), list)
    expr = "v = " + " + ".join(["a"] * 20000) + "\nclient.label_detection(image=1)\n"
    assert isinstance(analyze_source(expr, "deep3.py"), list)
    assert time.perf_counter() - t < 20


def test_huge_and_non_utf8_files_become_error_entries(tmp_path):
    bad = tmp_path / "latin.py"
    bad.write_bytes(b"x = '\xe9t\xe9'\nclient.label_detection(image=1)\n")
    declared = tmp_path / "declared.py"
    declared.write_bytes(b"# -*- coding: latin-1 -*-\nx = '\xe9'\n")
    huge = tmp_path / "huge.py"
    huge.write_text("x = 1\n" * 1_500_000)
    out = analyze_paths([str(tmp_path)])
    errs = {Path(e["file"]).name: e["error"] for e in out.errors}
    assert "latin.py" in errs and "utf-8" in errs["latin.py"]
    assert "huge.py" in errs and "too large" in errs["huge.py"]
    assert "declared.py" not in errs  # a PEP 263 declaration is honoured


def test_nul_bytes_and_odd_strings():
    for src in ["\x00\x00", "client.label_detection(\x00)", "\ufeffimport x\n", "\r\n\r\n", "é" * 1000, ""]:
        assert isinstance(analyze_source(src, "odd.py"), list)
    assert analyze_source(None, "none.py") == []  # type: ignore[arg-type]


def test_python2_files_keep_their_functions():
    src = (APPS / "python2_style.py").read_text(encoding="utf-8")
    (site,) = analyze_source(src, "py2.py")
    assert site.decision is not None and site.decision.categories[0].labels == ["Food", "Fruit"]
    assert site.decision.categories[0].outcome == "return 'compost'"
