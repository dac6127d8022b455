"""Fixtures: a copy of the fixture app as the workspace, and a pytest-lsp client over stdio."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
import pytest_lsp
from lsp_support import FIXTURES, SERVER_CMD, SERVER_ENV
from pytest_lsp import ClientServerConfig, LanguageClient


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    shutil.copytree(FIXTURES / "app", ws)
    return ws



@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER_CMD, server_env=SERVER_ENV))
async def client(lsp_client: LanguageClient):
    """A started server process; each test initializes it with its own workspace and settings."""
    lsp_client.code_lens_refreshes = 0

    @lsp_client.feature("workspace/codeLens/refresh")
    def _refresh(params=None):  # VS Code re-requests lenses here; the test counts the requests
        lsp_client.code_lens_refreshes += 1

    lsp_client.registrations = []

    @lsp_client.feature("client/registerCapability")
    def _register(params):  # as VS Code does: accept, and remember what was asked for
        lsp_client.registrations.extend(params.registrations)

    # record every publishDiagnostics (uri, version) so tests can see the debouncing
    lsp_client.protocol.fm.features.pop("textDocument/publishDiagnostics", None)
    lsp_client.published = []

    @lsp_client.feature("textDocument/publishDiagnostics")
    def _publish(params):
        lsp_client.published.append((params.uri, params.version))
        lsp_client.diagnostics[params.uri] = params.diagnostics

    yield
    server = getattr(lsp_client, "_server", None)
    if server is not None and server.returncode is None:  # a test may have shut it down itself
        await asyncio.wait_for(lsp_client.shutdown_session(), 30)
