"""'Customize this API' end to end: the language server against a REAL trainer service on loopback.

The service runs in its own process (`chameleon trainer serve`, started here or by the language
server itself); jobs use ``{"tiny": true}`` so they finish in seconds.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from pathlib import Path

import pytest
from lsp_support import SERVER_CMD, SERVER_ENV, open_file, start_session
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient

pytestmark = pytest.mark.timeout(300)  # a hung server fails the test instead of the suite

from chameleon_server.trainer_client import start_local_service

JOB_TIMEOUT = 240.0
TERMINAL = {"succeeded", "failed", "cancelled", "interrupted"}


@pytest.fixture(scope="module")
def trainer(tmp_path_factory):
    svc = start_local_service(tmp_path_factory.mktemp("trainer-data"), startup_timeout=120)
    yield svc
    svc.stop()


def collect_job_progress(client: LanguageClient) -> list[dict]:
    events: list[dict] = []

    @client.feature("chameleon/jobProgress")
    def _on(params):
        events.append(params._asdict() if hasattr(params, "_asdict") else dict(params))

    return events


async def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = predicate()
        if got:
            return got
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _healthy(url: str) -> bool:
    import httpx

    try:
        return httpx.get(url + "/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def call_line(path: Path, needle: str = "label_detection") -> int:
    return next(i for i, l in enumerate(path.read_text().splitlines(), 1) if needle in l)


def as_dict(x: dict) -> dict:
    return x


async def customize(client: LanguageClient, u: str, line: int) -> dict:
    return await client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(
            command="chameleon.customize", arguments=[{"uri": u, "line": line, "api": "google.vision.label_detection"}]
        )
    )


async def test_unreachable_service_is_a_clear_message(client: LanguageClient, workspace):
    await start_session(client, workspace, {"chameleon": {"trainerUrl": "http://127.0.0.1:9", "token": "x"}})
    path = workspace / "recycle.py"
    u = await open_file(client, path)
    res = await customize(client, u, call_line(path))
    assert "Cannot reach the trainer service at http://127.0.0.1:9" in res["error"]
    assert client.messages[-1].type == lsp.MessageType.Error and "Cannot reach" in client.messages[-1].message


async def test_bad_token_then_customize_and_cancel_from_the_editor(client: LanguageClient, workspace, trainer):
    events = collect_job_progress(client)
    await start_session(client, workspace, {"chameleon": {"trainerUrl": trainer.url, "token": "wrong-token"}})
    path = workspace / "outfit.py"
    u = await open_file(client, path)
    line = call_line(path)
    res = await customize(client, u, line)
    assert "refused the token" in res["error"], res
    (failed_token,) = client.progress_reports
    assert "refused the token" in client.progress_reports[failed_token][-1].message  # the progress ends with why

    client.workspace_did_change_configuration(
        lsp.DidChangeConfigurationParams(
            settings={"chameleon": {"trainerUrl": trainer.url, "token": None, "tokenFile": str(trainer.token_file),
                                    "jobOptions": {"tiny": True}}}
        )
    )
    res = await customize(client, u, line)
    assert res.get("jobId"), res
    job_id = res["jobId"]
    # the editor's cancel button: window/workDoneProgress/cancel on the token the server created
    def open_token():
        for tok, reports in client.progress_reports.items():
            if reports and not any(isinstance(r, lsp.WorkDoneProgressEnd) for r in reports):
                return tok
        return None

    token = await wait_for(open_token, 10, "an open work-done progress token")
    client.window_work_done_progress_cancel(lsp.WorkDoneProgressCancelParams(token=token))
    final = await wait_for(
        lambda: next((as_dict(e) for e in events if as_dict(e)["jobId"] == job_id and as_dict(e)["state"] in TERMINAL), None),
        JOB_TIMEOUT, "the job to end",
    )
    assert final["state"] == "cancelled", final
    assert final["uri"] == u and final["line"] == line
    kinds = [type(v).__name__ for v in client.progress_reports[token]]
    assert kinds[0] == "WorkDoneProgressBegin" and kinds[-1] == "WorkDoneProgressEnd"
    assert not (workspace / ".chameleon" / "redirect.json").exists()


async def test_a_failing_job_reaches_the_user(client: LanguageClient, workspace, trainer):
    """recycle.py's labels (food, plastic...) match nothing the fashion model knows: the job cannot succeed."""
    events = collect_job_progress(client)
    await start_session(client, workspace, {"chameleon": {"trainerUrl": trainer.url, "tokenFile": str(trainer.token_file),
                                                          "jobOptions": {"tiny": True}}})
    path = workspace / "recycle.py"
    u = await open_file(client, path)
    res = await customize(client, u, call_line(path))
    if "error" in res:  # refused at submission
        assert "HTTP 4" in res["error"], res
        message = res["error"]
    else:
        final = await wait_for(
            lambda: next((e for e in events if e["jobId"] == res["jobId"] and e["state"] in TERMINAL), None),
            JOB_TIMEOUT, "the job to end",
        )
        assert final["state"] == "failed", final
        await wait_for(lambda: any(m.type == lsp.MessageType.Error for m in client.messages), 10, "an error message")
        message = next(m.message for m in client.messages if m.type == lsp.MessageType.Error)
        assert "failed" in message
    assert "match" in message.lower(), message  # says why: the labels match nothing
    assert not (workspace / ".chameleon" / "redirect.json").exists()


async def test_customize_with_the_embedded_service(client: LanguageClient, workspace):
    """No trainerUrl: the server starts a local service itself, follows the job, writes the redirect."""
    events = collect_job_progress(client)
    await start_session(client, workspace, {"chameleon": {"jobOptions": {"tiny": True}}})
    path = workspace / "outfit.py"
    u = await open_file(client, path)
    line = call_line(path)
    lenses = await client.text_document_code_lens_async(lsp.CodeLensParams(lsp.TextDocumentIdentifier(u)))
    assert "Customize this API" in [l.command.title for l in lenses]
    actions = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(u),
            range=lsp.Range(lsp.Position(line - 1, 0), lsp.Position(line - 1, 0)),
            context=lsp.CodeActionContext(diagnostics=[]),
        )
    )
    action = next(a for a in actions if a.title == "Customize this API")
    res = await client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command=action.command, arguments=action.arguments)
    )
    assert res.get("jobId"), res
    job_id = res["jobId"]
    lenses = await client.text_document_code_lens_async(lsp.CodeLensParams(lsp.TextDocumentIdentifier(u)))
    running = [l for l in lenses if l.command.command == "chameleon.cancelJob"]
    if running:  # unless the tiny job already finished: the lens offers to cancel it
        assert running[0].command.title.startswith("customizing…")
        assert list(running[0].command.arguments) == [{"jobId": job_id}]
    # the server keeps answering while the job runs
    hover = await client.text_document_hover_async(lsp.HoverParams(lsp.TextDocumentIdentifier(u), lsp.Position(line - 1, 30)))
    assert hover is not None and "google.vision.label_detection" in hover.contents.value
    final = await wait_for(
        lambda: next((as_dict(e) for e in events if as_dict(e)["jobId"] == job_id and as_dict(e)["state"] in TERMINAL), None),
        JOB_TIMEOUT, "the job to end",
    )
    assert final["state"] == "succeeded", (final, [m.message for m in client.messages])
    (token,) = client.progress_reports  # one work-done progress, begun before the service was up
    reports = client.progress_reports[token]
    assert reports[0].message == "starting the local trainer service"
    assert isinstance(reports[-1], lsp.WorkDoneProgressEnd) and reports[-1].message.startswith("customized")
    assert any(isinstance(r, lsp.WorkDoneProgressReport) and r.percentage for r in reports)
    redirect = json.loads((workspace / ".chameleon" / "redirect.json").read_text())
    entry = redirect["entries"][0]
    assert entry["file"] == "outfit.py" and entry["api"] == "google.vision.label_detection" and entry["model_id"]
    assert Path(entry["token_file"]).parent == workspace / ".chameleon" / "trainer"
    assert client.code_lens_refreshes >= 1
    lenses = await client.text_document_code_lens_async(lsp.CodeLensParams(lsp.TextDocumentIdentifier(u)))
    titles = [l.command.title for l in lenses]
    assert any(t.startswith("customized") for t in titles), titles
    hover = await client.text_document_hover_async(lsp.HoverParams(lsp.TextDocumentIdentifier(u), lsp.Position(line - 1, 30)))
    assert f"Model `{entry['model_id']}`: customized" in hover.contents.value
    report = await client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command="chameleon.showReport", arguments=[{"uri": u, "line": line}])
    )
    assert report["modelId"] == entry["model_id"] and report["metrics"]
    assert report["reportPng"] and report["reportPng"].startswith("iVBOR")  # base64 of a PNG
    assert any("Customized google.vision.label_detection" in m.message for m in client.messages)
    # the embedded service goes down (crash, or the editor was restarted): the report still opens,
    # because the server starts it again on the port the redirect config recorded
    state = json.loads((workspace / ".chameleon" / "trainer" / "lsp-service.json").read_text())
    os.kill(state["pid"], signal.SIGTERM)
    await wait_for(lambda: not _healthy(state["url"]), 20, "the service to stop")
    report = await client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command="chameleon.showReport", arguments=[{"uri": u, "line": line}])
    )
    assert report["modelId"] == entry["model_id"] and report["reportPng"], report
    assert _healthy(entry["endpoint"])
    # a change to the decision logic makes the model stale
    text = path.read_text()
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(uri=u, version=2),
            [lsp.TextDocumentContentChangeWholeDocument(text=text.replace('"sandal"', '"sandal", "boot"'))],
        )
    )
    lenses = await client.text_document_code_lens_async(lsp.CodeLensParams(lsp.TextDocumentIdentifier(u)))
    assert "stale: the decision logic changed" in [l.command.title for l in lenses]
    # after a full session (analysis, hovers, a whole customization) the server never loaded torch
    info = await client.workspace_execute_command_async(lsp.ExecuteCommandParams(command="chameleon.serverInfo"))
    assert info["torchLoaded"] is False
    assert (workspace / ".chameleon" / ".gitignore").read_text().strip().endswith("*")
    state = json.loads((workspace / ".chameleon" / "trainer" / "lsp-service.json").read_text())
    await client.shutdown_session()
    # the service the server started is stopped with it
    assert not _healthy(state["url"])

    # the editor starts again: the lens shows the customization from .chameleon/ at once, and the
    # customized model's own vocabulary is fetched (its service started again on its old port)
    second = await ClientServerConfig(server_command=SERVER_CMD, server_env=SERVER_ENV).start()
    try:
        await start_session(second, workspace, {"chameleon": {"jobOptions": {"tiny": True}}})
        u = await open_file(second, path)
        lenses = await second.text_document_code_lens_async(lsp.CodeLensParams(lsp.TextDocumentIdentifier(u)))
        assert any(l.command.title.startswith("customized") for l in lenses), [l.command.title for l in lenses]

        async def model_vocabulary():
            h = await second.text_document_hover_async(
                lsp.HoverParams(lsp.TextDocumentIdentifier(u), lsp.Position(line - 1, 30))
            )
            return f"Vocabulary: model {entry['model_id']}" in h.contents.value

        deadline = time.monotonic() + 60
        while not await model_vocabulary():
            assert time.monotonic() < deadline, "the model's vocabulary never arrived"
            await asyncio.sleep(0.5)
        assert _healthy(entry["endpoint"])
        await second.shutdown_session()
        assert not _healthy(entry["endpoint"])
    finally:
        await second.stop()
