"""Analysis time per file against ``ast.parse`` on the same text (a ratio), for the editor's sake.

The language server re-analyses a file on every keystroke pause, so one file's analysis should
cost a small multiple of parsing it. Prints, per case, the median time of ``analyze_source``,
the median of ``ast.parse``, and their ratio (target: under 5x).

    python bench/analyzer_speed.py            # all cases
    python bench/analyzer_speed.py --json     # machine-readable
"""

from __future__ import annotations

import argparse
import ast
import gc
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "server"))

from chameleon_server.analyzer import Workspace, analyze_source  # noqa: E402

FUNC = '''

def sort_item_{i}(path, threshold={t}):
    """Which bin item {i} goes in."""
    with open(path, "rb") as f:
        image = vision.Image(content=f.read())
    response = client.label_detection(image=image, max_results=10)
    labels = [l for l in response.label_annotations if l.score > threshold]
    for label in labels:
        name = label.description.lower()
        if name in COMPOST_{k}:
            log("compost", {i})
            return "Compost this"
        elif name in RECYCLE_{k}:
            log("recycle", {i})
            return "Recycle this"
        elif name.split()[0] in ("battery", "phone"):
            return "Hazardous"
    return "This is trash"


def helper_{i}(values):
    total = 0
    for v in values:
        if v % 2:
            total += v * {i}
        else:
            total -= v
    data = {{"a": total, "b": [x for x in values if x > {i}]}}
    return data, sorted(values, key=lambda x: -x)[:3]
'''
PLAIN = '''

def compute_{i}(values, factor={t}):
    """Plain code without any ML API call."""
    total = 0
    for v in values:
        if v % 2:
            total += v * factor
        else:
            total -= v
    result = {{"sum": total, "items": [x for x in values if x > {i}]}}
    try:
        result["max"] = max(values)
    except ValueError:
        result["max"] = None
    return result
'''


def big_app(n_lines: int, with_sites: bool) -> str:
    head = ["from google.cloud import vision", "client = vision.ImageAnnotatorClient()", "def log(*a):", "    pass"]
    for k in range(10):
        head.append(f"COMPOST_{k} = ['food', 'fruit', 'vegetable{k}']")
        head.append(f"RECYCLE_{k} = ['plastic', 'glass', 'paper{k}']")
    out = "\n".join(head) if with_sites else "import math"
    i = 0
    while out.count("\n") < n_lines - 30:  # whole functions only: the file must parse
        out += (FUNC if with_sites else PLAIN).format(i=i, t=0.5 + (i % 5) / 10, k=i % 10)
        i += 1
    return out + "\n"


def timeit(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()  # start each run from the same heap: the cyclic collector otherwise lands at random
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)  # the least disturbed run: other processes share these cores


def _parse_or_fail(src: str) -> None:
    try:
        ast.parse(src)
    except SyntaxError:
        pass  # a broken file: the time ast.parse takes to fail is the baseline


def measure(name: str, src: str, repeat: int, workspace: Workspace | None = None,
            baseline: str | None = None) -> dict:
    """``baseline``: parse this text instead (a broken file is compared with parsing its fixed version)."""
    analyze_source(src, "bench.py", workspace)  # warm caches / imports
    if workspace is not None:
        # every keystroke changes the text: defeat the workspace's parse cache like an editor does
        edits = iter([f"{src}# edit {i}\n" for i in range(repeat + 1)])
        a = timeit(lambda: analyze_source(next(edits), "bench.py", workspace), repeat)
    else:
        a = timeit(lambda: analyze_source(src, "bench.py", workspace), repeat)
    base = baseline if baseline is not None else src
    p = timeit(lambda: _parse_or_fail(base), repeat)
    n_sites = len(analyze_source(src, "bench.py", workspace))
    return {"case": name, "lines": src.count("\n") + 1, "sites": n_sites, "analyze_ms": round(a * 1000, 3),
            "ast_parse_ms": round(p * 1000, 3), "ratio": round(a / p, 2)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args(argv)
    rows = []
    small = sorted((REPO / "examples").glob("*.py")) + sorted((REPO / "tests/analyzer/apps").glob("*.py"))
    for p in small:
        text = p.read_text(encoding="utf-8")
        try:
            ast.parse(text)
            name = f"small:{p.parent.name}/{p.name}"
        except SyntaxError:  # the baseline is ast.parse failing fast: not comparable, reported apart
            name = f"broken:{p.parent.name}/{p.name}"
        rows.append(measure(name, text, args.repeat * 4))
    big = big_app(5000, True)
    rows.append(measure("5000 lines, 150+ sites", big, args.repeat))
    rows.append(measure("5000 lines, no ML call", big_app(5000, False), args.repeat))
    broken = big.replace("        if name in COMPOST_7:", "        if name in COMPOST_7", 1)
    rows.append(measure("5000 lines, 150+ sites, one syntax error (vs parsing it fixed)", broken,
                        max(3, args.repeat // 3), baseline=big))
    with tempfile.TemporaryDirectory() as d:
        Path(d, "bench.py").write_text(big)
        ws = Workspace(d)
        rows.append(measure("5000 lines, 150+ sites, edited through a Workspace", big, args.repeat, ws))
    small_ratios = [r["ratio"] for r in rows if r["case"].startswith("small:")]
    summary = {"small_files": len(small_ratios), "small_median_ratio": round(statistics.median(small_ratios), 2),
               "small_max_ratio": max(small_ratios)}
    if args.json:
        print(json.dumps({"rows": rows, "summary": summary}, indent=2))
        return 0
    print(f"{'case':58} {'lines':>6} {'sites':>5} {'analyze ms':>11} {'ast.parse ms':>13} {'ratio':>6}")
    for r in rows:
        print(f"{r['case'][:58]:58} {r['lines']:>6} {r['sites']:>5} {r['analyze_ms']:>11.3f} {r['ast_parse_ms']:>13.3f} {r['ratio']:>6.2f}")
    print(f"small files: {summary['small_files']}, median ratio {summary['small_median_ratio']}, "
          f"max {summary['small_max_ratio']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
