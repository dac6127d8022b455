"""Memory (RSS) of the language server process with a 500-file workspace open.

Generates a workspace of N Python modules (every fifth one calls an ML API and imports its label
lists from a shared module, the rest is plain code), starts `python -m chameleon_server lsp --stdio`
with that folder as the workspace, and reads the server's VmRSS from /proc:
- after initialize (nothing open),
- with one file open (what an editor does when you open the folder and one file),
- with every file of the workspace opened (textDocument/didOpen x N) and analysed.

    python bench/lsp_memory.py [--files 500]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types as lsp

sys.path.insert(0, str(Path(__file__).parent))
from lsp_latency import FILLER_TEMPLATE, SITE_TEMPLATE, start, stop  # noqa: E402


def make_workspace(root: Path, files: int) -> list[Path]:
    (root / "labels.py").write_text(
        "COMPOST = ['food', 'snack', 'produce']\nRECYCLE = ['plastic', 'glass', 'paper', 'cardboard']\n"
    )
    paths = []
    for n in range(files):
        parts = []
        if n % 5 == 0:
            parts.append("from google.cloud import vision\nfrom labels import COMPOST, RECYCLE\n")
            parts.append(
                SITE_TEMPLATE.format(i=n).replace(f"COMPOST_{n}", "COMPOST").replace(f"RECYCLE_{n}", "RECYCLE")
            )
        for k in range(5):
            parts.append(FILLER_TEMPLATE.format(i=n * 10 + k))
        p = root / f"pkg{n // 100}" / f"module_{n}.py"
        p.parent.mkdir(exist_ok=True)
        p.write_text("".join(parts))
        paths.append(p)
    return paths


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


async def run(files: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="chameleon-lsp-mem-") as tmp:
        root = Path(tmp)
        paths = make_workspace(root, files)
        lines = sum(len(p.read_text().splitlines()) for p in paths)
        client = await start(root)
        try:
            info = await client.workspace_execute_command_async(lsp.ExecuteCommandParams(command="chameleon.serverInfo"))
            pid = int(info["pid"])
            out = {"files": float(files), "lines": float(lines), "rss_initialized_mib": rss_mib(pid)}

            def open_(p: Path) -> None:
                client.text_document_did_open(
                    lsp.DidOpenTextDocumentParams(
                        lsp.TextDocumentItem(uri=p.resolve().as_uri(), language_id="python", version=1, text=p.read_text())
                    )
                )

            open_(paths[0])
            await client.workspace_execute_command_async(lsp.ExecuteCommandParams(command="chameleon.serverInfo"))
            out["rss_one_open_mib"] = rss_mib(pid)
            t0 = time.perf_counter()
            for p in paths[1:]:
                open_(p)
            info = await client.workspace_execute_command_async(lsp.ExecuteCommandParams(command="chameleon.serverInfo"))
            out["open_all_seconds"] = time.perf_counter() - t0
            out["documents"] = float(info["documents"])
            out["sites"] = float(info["sites"])
            out["torch_loaded"] = float(bool(info["torchLoaded"]))
            out["rss_all_open_mib"] = rss_mib(pid)
        finally:
            await stop(client)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=500)
    args = ap.parse_args()
    s = asyncio.run(run(args.files))
    print(f"workspace: {int(s['files'])} files, {int(s['lines'])} lines")
    print(f"server RSS after initialize:        {s['rss_initialized_mib']:7.1f} MiB")
    print(f"server RSS with one file open:      {s['rss_one_open_mib']:7.1f} MiB")
    print(f"server RSS with all {int(s['documents'])} files open: {s['rss_all_open_mib']:7.1f} MiB "
          f"({int(s['sites'])} call sites analysed, opened in {s['open_all_seconds']:.1f} s; torch loaded: {bool(s['torch_loaded'])})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
