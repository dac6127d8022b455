"""Hover and code-lens latency of the language server on a 2,000-line app, after a change.

Starts `python -m chameleon_server lsp --stdio` as a real LSP client would (pygls client over
stdio), opens a generated 2,000-line app with several ML API call sites, then 200 times: edits one
line (textDocument/didChange) and immediately asks for a hover on a call site (and, in a second
pass, for the code lenses). The request has to see the edit, so each measurement includes the
re-analysis of the whole file. Also reports the same requests with no edit in between, and the
server's CPU time per request (from /proc), which a busy machine inflates much less than wall time.

    python bench/lsp_latency.py [--lines 2000] [--requests 200]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient

SITE_TEMPLATE = '''

def sort_item_{i}(content):
    client = vision.ImageAnnotatorClient()
    response = client.label_detection(image=vision.Image(content=content))
    for label in response.label_annotations:
        desc = label.description.lower()
        if desc in COMPOST_{i}:
            return "Compost this"
        if desc in RECYCLE_{i}:
            return "Recycle this"
    return "This is trash"
'''

FILLER_TEMPLATE = '''

def helper_{i}(values, scale={i}):
    """Plain code between the call sites (the bulk of a real app)."""
    total = 0
    for v in values:
        if v % 3 == 0:
            total += v * scale
        else:
            total -= v
    return {{"total": total, "count": len(values), "name": "helper_{i}"}}
'''


def make_app(lines: int, sites: int = 10) -> str:
    """A Python app of about ``lines`` lines with ``sites`` label_detection call sites spread through it."""
    head = ["from google.cloud import vision", ""]
    for i in range(sites):
        head.append(f'COMPOST_{i} = ["food", "snack", "produce", "fruit{i}"]')
        head.append(f'RECYCLE_{i} = ["plastic", "glass", "paper", "cardboard"]')
    body: list[str] = []
    i = 0
    filler_per_site = max(1, (lines // sites) // len(FILLER_TEMPLATE.splitlines()))
    while len(head) + len(body) < lines:
        if i % (filler_per_site + 1) == 0 and i // (filler_per_site + 1) < sites:
            body.extend(SITE_TEMPLATE.format(i=i // (filler_per_site + 1)).splitlines())
        else:
            body.extend(FILLER_TEMPLATE.format(i=i).splitlines())
        i += 1
    return "\n".join(head + body)[:] + "\n"


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    k = min(len(s) - 1, max(0, int(round(q / 100 * (len(s) - 1)))))
    return s[k]


def server_command() -> list[str]:
    return [sys.executable, "-m", "chameleon_server", "lsp", "--stdio"]


async def start(root: Path) -> LanguageClient:
    client = LanguageClient("chameleon-bench", "1")

    @client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def _diag(params: lsp.PublishDiagnosticsParams) -> None:
        client.diag_count = getattr(client, "diag_count", 0) + 1  # type: ignore[attr-defined]

    @client.feature(lsp.WINDOW_SHOW_MESSAGE)
    def _msg(params: lsp.ShowMessageParams) -> None:
        pass

    await client.start_io(*server_command())
    await client.initialize_async(
        lsp.InitializeParams(
            capabilities=lsp.ClientCapabilities(),
            root_uri=root.resolve().as_uri(),
            workspace_folders=[lsp.WorkspaceFolder(uri=root.resolve().as_uri(), name="bench")],
        )
    )
    client.initialized(lsp.InitializedParams())
    return client


async def stop(client: LanguageClient) -> None:
    await client.shutdown_async(None)
    client.exit(None)
    await asyncio.sleep(0.1)
    await client.stop()


async def run(lines: int, requests: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="chameleon-lsp-bench-") as tmp:
        root = Path(tmp)
        text = make_app(lines)
        path = root / "app.py"
        path.write_text(text)
        uri = path.resolve().as_uri()
        src_lines = text.splitlines()
        call_line = next(i for i, l in enumerate(src_lines) if "label_detection" in l)
        call_col = src_lines[call_line].index("label_detection") + 2
        filler = [i for i, l in enumerate(src_lines) if l.strip() == "total = 0"]
        client = await start(root)
        try:
            client.text_document_did_open(
                lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri=uri, language_id="python", version=1, text=text))
            )
            hover_params = lsp.HoverParams(lsp.TextDocumentIdentifier(uri), lsp.Position(call_line, call_col))
            first = await client.text_document_hover_async(hover_params)
            assert first is not None and "label_detection" in first.contents.value, "no hover on the call site"
            lens = await client.text_document_code_lens_async(lsp.CodeLensParams(lsp.TextDocumentIdentifier(uri)))
            n_sites = len([l for l in lens or [] if l.command and l.command.title == "Customize this API"])
            version = 1

            async def edit() -> None:
                nonlocal version
                version += 1
                ln = filler[version % len(filler)]
                old = src_lines[ln]
                new = old.split("total = ")[0] + f"total = {version}"  # a real change every time
                src_lines[ln] = new
                client.text_document_did_change(
                    lsp.DidChangeTextDocumentParams(
                        lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
                        [lsp.TextDocumentContentChangePartial(
                            range=lsp.Range(lsp.Position(ln, 0), lsp.Position(ln, len(old))), text=new)],
                    )
                )

            info = await client.workspace_execute_command_async(lsp.ExecuteCommandParams(command="chameleon.serverInfo"))
            pid = int(info["pid"])
            cpu_ms: dict[str, float] = {}

            async def measure(kind: str, with_edit: bool) -> list[float]:
                out = []
                cpu0 = cpu_seconds(pid)
                for _ in range(requests):
                    if with_edit:
                        await edit()
                    t0 = time.perf_counter()
                    if kind == "hover":
                        r = await client.text_document_hover_async(hover_params)
                        assert r is not None
                    else:
                        r = await client.text_document_code_lens_async(lsp.CodeLensParams(lsp.TextDocumentIdentifier(uri)))
                        assert r
                    out.append((time.perf_counter() - t0) * 1000)
                cpu_ms[f"{kind}_{with_edit}"] = (cpu_seconds(pid) - cpu0) * 1000 / requests
                return out

            res = {
                "hover_after_change": await measure("hover", True),
                "codelens_after_change": await measure("lens", True),
                "hover_no_change": await measure("hover", False),
                "codelens_no_change": await measure("lens", False),
            }
        finally:
            await stop(client)
    summary = {"lines": float(len(text.splitlines())), "sites": float(n_sites)}
    for (k, v), cpu in zip(res.items(), cpu_ms.values()):
        summary[f"{k}_p50_ms"] = statistics.median(v)
        summary[f"{k}_p99_ms"] = pct(v, 99)
        summary[f"{k}_cpu_ms"] = cpu
    return summary


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (load on the machine does not inflate it)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=2000)
    ap.add_argument("--requests", type=int, default=200)
    args = ap.parse_args()
    s = asyncio.run(run(args.lines, args.requests))
    print(f"app: {int(s['lines'])} lines, {int(s['sites'])} call sites with a decision; {args.requests} requests each")
    for kind in ("hover_after_change", "codelens_after_change", "hover_no_change", "codelens_no_change"):
        print(f"{kind:24s} p50 {s[kind + '_p50_ms']:7.2f} ms   p99 {s[kind + '_p99_ms']:7.2f} ms   "
              f"server CPU {s[kind + '_cpu_ms']:6.2f} ms/request")
    print(f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs: wall-clock figures grow with the load, CPU time much less)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
