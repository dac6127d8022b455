"""End-to-end over stdio (pytest-lsp): the server as any LSP client sees it."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import subprocess
import time

import pytest
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

pytestmark = pytest.mark.timeout(60)  # a hung server fails the test instead of the suite

from chameleon_server.lsp.service import free_port
from lsp_support import SERVER_CMD, SERVER_ENV, open_file, start_session

COMMANDS = {"chameleon.customize", "chameleon.showReport", "chameleon.cancelJob"}


async def info(client: LanguageClient) -> dict:
    return await client.workspace_execute_command_async(lsp.ExecuteCommandParams(command="chameleon.serverInfo"))


async def test_initialize_capabilities_settings_and_no_torch(client: LanguageClient, workspace):
    result = await start_session(client, workspace, {"chameleon": {"trainerUrl": "http://127.0.0.1:1/", "dataset": "d1", "jobOptions": {"tiny": True}}})
    caps = result.capabilities
    assert caps.hover_provider and caps.code_lens_provider and caps.code_action_provider
    assert COMMANDS <= set(caps.execute_command_provider.commands)
    got = await info(client)
    assert [r.method for r in client.registrations] == ["workspace/didChangeWatchedFiles"]
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


def _frame(obj: dict) -> bytes:
    body = json.dumps(obj).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def _read_message(sock: socket.socket, buf: bytearray) -> dict:
    while True:
        head_end = buf.find(b"\r\n\r\n")
        if head_end >= 0:
            length = int(re.search(rb"Content-Length: (\d+)", bytes(buf[:head_end])).group(1))
            if len(buf) >= head_end + 4 + length:
                body = bytes(buf[head_end + 4 : head_end + 4 + length])
                del buf[: head_end + 4 + length]
                return json.loads(body)
        chunk = sock.recv(65536)
        if not chunk:
            raise EOFError("server closed the connection")
        buf.extend(chunk)


def test_tcp_transport(workspace):
    """`chameleon lsp --tcp HOST:PORT`: a client connects to the socket and gets a hover."""
    port = free_port()
    proc = subprocess.Popen([*SERVER_CMD[:-1], "--tcp", f"127.0.0.1:{port}"], env=SERVER_ENV,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                sock = socket.create_connection(("127.0.0.1", port), timeout=10)
                break
            except OSError:
                assert time.monotonic() < deadline, "the TCP server did not listen"
                time.sleep(0.1)
        buf = bytearray()
        path = workspace / "outfit.py"
        text = path.read_text()
        ln = next(i for i, l in enumerate(text.splitlines()) if "label_detection" in l)
        with sock:
            sock.sendall(_frame({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                                 "params": {"processId": None, "rootUri": workspace.as_uri(), "capabilities": {}}}))
            init = _read_message(sock, buf)
            assert init["id"] == 1 and init["result"]["capabilities"]["hoverProvider"]
            sock.sendall(_frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
            sock.sendall(_frame({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
                "uri": path.as_uri(), "languageId": "python", "version": 1, "text": text}}}))
            sock.sendall(_frame({"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": {
                "textDocument": {"uri": path.as_uri()}, "position": {"line": ln, "character": 25}}}))
            while True:
                msg = _read_message(sock, buf)
                if msg.get("id") == 2:
                    break
            assert "**SHOES**" in msg["result"]["contents"]["value"]
            sock.sendall(_frame({"jsonrpc": "2.0", "id": 3, "method": "shutdown"}))
            while _read_message(sock, buf).get("id") != 3:
                pass
            sock.sendall(_frame({"jsonrpc": "2.0", "method": "exit"}))
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
