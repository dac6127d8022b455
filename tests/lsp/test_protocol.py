"""End-to-end over stdio (pytest-lsp): the server as any LSP client sees it."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from lsp_support import open_file, start_session

COMMANDS = {"chameleon.customize", "chameleon.showReport", "chameleon.cancelJob"}


async def info(client: LanguageClient) -> dict:
    return await client.workspace_execute_command_async(lsp.ExecuteCommandParams(command="chameleon.serverInfo"))


async def test_initialize_capabilities_settings_and_no_torch(client: LanguageClient, workspace):
    result = await start_session(client, workspace, {"chameleon": {"trainerUrl": "http://127.0.0.1:1/", "dataset": "d1", "jobOptions": {"tiny": True}}})
    caps = result.capabilities
    assert caps.hover_provider and caps.code_lens_provider and caps.code_action_provider
    assert COMMANDS <= set(caps.execute_command_provider.commands)
    got = await info(client)
    assert got["settings"] == {"trainerUrl": "http://127.0.0.1:1", "dataset": "d1", "baseModel": None, "jobOptions": {"tiny": True}}
    client.workspace_did_change_configuration(
        lsp.DidChangeConfigurationParams(settings={"chameleon": {"trainerUrl": None, "baseModel": "b0"}})
    )
    got = await info(client)
    assert got["settings"]["trainerUrl"] is None and got["settings"]["baseModel"] == "b0" and got["settings"]["dataset"] == "d1"
    await open_file(client, workspace / "recycle.py")
    await open_file(client, workspace / "shoes.py")
    got = await info(client)
    assert got["documents"] == 2
    assert got["torchLoaded"] is False


async def test_customize_errors_reach_the_user(client: LanguageClient, workspace):
    await start_session(client, workspace, {"chameleon": {"trainerUrl": "http://127.0.0.1:9"}})
    u = await open_file(client, workspace / "recycle.py")
    res = await client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command="chameleon.customize", arguments=[{"uri": u, "line": 999, "api": "x"}])
    )
    assert "No ML API call" in res["error"]
    assert client.messages and client.messages[-1].type == lsp.MessageType.Error
    res = await client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command="chameleon.cancelJob", arguments=[{"jobId": "nope"}])
    )
    assert "No customization job" in res["error"]


async def test_settings_pulled_when_the_client_sends_null(client: LanguageClient, workspace):
    """Clients such as Neovim send didChangeConfiguration with null and answer workspace/configuration."""
    await start_session(client, workspace)
    client.set_configuration({"dataset": "fashion-scenes", "trainerUrl": "http://127.0.0.1:7"}, section="chameleon")
    client.workspace_did_change_configuration(lsp.DidChangeConfigurationParams(settings=None))
    for _ in range(20):
        got = await info(client)
        if got["settings"]["dataset"]:
            break
        await asyncio.sleep(0.05)
    assert got["settings"]["dataset"] == "fashion-scenes" and got["settings"]["trainerUrl"] == "http://127.0.0.1:7"
