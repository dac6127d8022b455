"""Helpers shared by the language-server tests (imported by name: tests/ has no packages)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from lsprotocol import types as lsp
from pytest_lsp import LanguageClient, client_capabilities

FIXTURES = Path(__file__).parent / "fixtures"
SERVER_CMD = [sys.executable, "-m", "chameleon_server", "lsp", "--stdio"]
SERVER_ENV = {
    **os.environ,
    "CHAMELEON_VOCABULARIES": str(FIXTURES / "vocab"),
    "CHAMELEON_LSP_DEBOUNCE": "0.15",
}


def uri(path: Path) -> str:
    return path.resolve().as_uri()


async def open_file(client: LanguageClient, path: Path, version: int = 1) -> str:
    u = uri(path)
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            text_document=lsp.TextDocumentItem(uri=u, language_id="python", version=version, text=path.read_text())
        )
    )
    return u


async def start_session(client: LanguageClient, root: Path, options: dict | None = None, editor: str = "visual-studio-code",
                        capabilities: lsp.ClientCapabilities | None = None):
    return await client.initialize_session(
        lsp.InitializeParams(
            capabilities=capabilities or client_capabilities(editor),
            root_uri=uri(root),
            workspace_folders=[lsp.WorkspaceFolder(uri=uri(root), name="ws")],
            initialization_options=options or {"chameleon": {"jobOptions": {"tiny": True}}},
        )
    )


