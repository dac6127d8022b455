"""Behaviour under real editing: debounced re-analysis, fresh hovers, broken code, cross-file refresh."""

from __future__ import annotations

import asyncio

import pytest
from lsp_support import open_file, start_session
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient, client_capabilities

pytestmark = pytest.mark.timeout(60)  # a hung server fails the test instead of the suite


def line_of(text: str, needle: str) -> int:
    return next(i for i, l in enumerate(text.splitlines()) if needle in l)


def change(client: LanguageClient, u: str, version: int, text: str) -> None:
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(uri=u, version=version),
            [lsp.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def hover_text(client: LanguageClient, u: str, line: int, col: int) -> str | None:
    h = await client.text_document_hover_async(lsp.HoverParams(lsp.TextDocumentIdentifier(u), lsp.Position(line, col)))
    return h.contents.value if h else None


@pytest.mark.parametrize("editor", ["visual-studio-code", "neovim@0.7.0", "emacs"])
async def test_hover_code_lens_and_diagnostics_on_open(client: LanguageClient, workspace, editor):
    """The same answers whatever the client's capabilities (as recorded from real editors)."""
    await start_session(client, workspace, editor=editor)
    path = workspace / "recycle.py"
    text = path.read_text()
    u = await open_file(client, path)
    ln = line_of(text, "label_detection")
    md = await hover_text(client, u, ln, text.splitlines()[ln].index("label_detection"))
    assert md is not None
    assert "multi-choice" in md and "output-rank" in md
    assert "**COMPOST**" in md and "`food`, `snack`, `produce`" in md and '`return "Compost this"`' in md
    assert "**RECYCLE**" in md and "`cardbord`" in md  # resolved across files (bins.py)
    assert "model labels: Food, Snack, Produce" in md
    assert 'Default → `return "This is trash"`' in md
    assert await hover_text(client, u, 0, 0) is None  # the docstring is no call site

    lenses = await client.text_document_code_lens_async(lsp.CodeLensParams(lsp.TextDocumentIdentifier(u)))
    assert [l.command.title for l in lenses] == ["multi-choice · 2 categories · output-rank", "Customize this API"]
    assert lenses[1].command.command == "chameleon.customize"
    assert list(lenses[1].command.arguments) == [{"uri": u, "line": ln + 1, "api": "google.vision.label_detection"}]
    assert all(l.range.start.line == ln for l in lenses)

    await asyncio.sleep(0.2)
    msgs = [d.message for d in client.diagnostics[u]]
    assert any("'cardbord' (listed in bins.py, line 2) is never returned" in m and "'Cardboard'" in m for m in msgs), msgs


async def test_hover_on_the_label_list(client: LanguageClient, workspace):
    await start_session(client, workspace)
    path = workspace / "recycle.py"
    text = path.read_text()
    u = await open_file(client, path)
    ln = line_of(text, "COMPOST = [")
    md = await hover_text(client, u, ln, text.splitlines()[ln].index("snack"))
    assert md is not None and "google.vision.label_detection" in md and "**COMPOST**" in md
    # the RECYCLE list lives in bins.py: hovering it there shows the decision it feeds in recycle.py
    bins = workspace / "bins.py"
    u_bins = await open_file(client, bins)
    btext = bins.read_text()
    bl = line_of(btext, "RECYCLE = [")
    md = await hover_text(client, u_bins, bl, btext.splitlines()[bl].index("glass"))
    assert md is not None and "Used by the call on line 13 of `recycle.py`" in md and "**RECYCLE**" in md
    assert await hover_text(client, u_bins, 0, 2) is None


async def test_case_sensitive_diagnostic_and_quick_fix(client: LanguageClient, workspace):
    await start_session(client, workspace)
    path = workspace / "shoes.py"
    u = await open_file(client, path)
    await asyncio.sleep(0.2)
    diags = [d for d in client.diagnostics[u] if d.code == "case-sensitive-label"]
    assert len(diags) == 2, [d.message for d in client.diagnostics[u]]
    shoe = next(d for d in diags if "'shoe'" in d.message)
    line = path.read_text().splitlines()[shoe.range.start.line]
    assert line[shoe.range.start.character : shoe.range.end.character] == '"shoe"'
    actions = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(u),
            range=shoe.range,
            context=lsp.CodeActionContext(diagnostics=[shoe]),
        )
    )
    fixes = [a for a in actions if getattr(a, "kind", None) == lsp.CodeActionKind.QuickFix]
    assert [f.title for f in fixes] == ["Compare case-insensitively (add .lower())", "Replace 'shoe' with 'Shoe'"]
    assert fixes[1].edit.changes[u][0].new_text == '"Shoe"'
    # apply the .lower() fix as the editor would: the comparison becomes case-insensitive
    edit = fixes[0].edit.changes[u][0]
    lines = path.read_text().splitlines()
    ln, ch = edit.range.start.line, edit.range.start.character
    lines[ln] = lines[ln][:ch] + edit.new_text + lines[ln][ch:]
    assert lines[ln].strip() == 'if label.description.lower() in ["shoe", "sneakers"]:'
    change(client, u, 2, "\n".join(lines) + "\n")
    await asyncio.sleep(0.4)
    assert not [d for d in client.diagnostics[u] if d.code == "case-sensitive-label"]


async def test_unresolved_label_list_is_reported(client: LanguageClient, workspace):
    await start_session(client, workspace)
    path = workspace / "runtime_labels.py"
    u = await open_file(client, path)
    await asyncio.sleep(0.2)
    diags = [d for d in client.diagnostics[u] if d.code == "unresolved-labels"]
    assert len(diags) == 1 and "read from a file at run time" in diags[0].message
    assert diags[0].severity == lsp.DiagnosticSeverity.Information
    assert diags[0].range.start.line == line_of(path.read_text(), "in ALLOWED")


async def test_edits_are_debounced_and_hover_sees_the_latest_text(client: LanguageClient, workspace):
    await start_session(client, workspace)
    path = workspace / "recycle.py"
    text = path.read_text()
    u = await open_file(client, path)
    await asyncio.sleep(0.2)
    before = len(client.published)
    ln = line_of(text, "label_detection")
    col = text.splitlines()[ln].index("label_detection")
    for v in range(2, 8):  # fast typing: six edits within the debounce window
        text = text.replace('"produce"', f'"produce", "fruit{v}"' if v == 7 else '"produce"')
        change(client, u, v, text if v == 7 else text + f"\n# typing {v}\n")
    md = await hover_text(client, u, ln, col)  # no wait: the request must see version 7
    assert "`fruit7`" in md
    await asyncio.sleep(0.5)
    published = [v for (uri, v) in client.published[before:] if uri == u]
    assert published and published[-1] == 7
    assert len(published) <= 2, published  # not one analysis per keystroke
    assert any("'fruit7' is never returned" in d.message for d in client.diagnostics[u])


async def test_broken_file_keeps_the_abstracts(client: LanguageClient, workspace):
    await start_session(client, workspace)
    path = workspace / "recycle.py"
    text = path.read_text()
    u = await open_file(client, path)
    broken = text.replace("def sort_item(path):", "def helper(:\n    pass\n\n\ndef sort_item(path):")
    change(client, u, 2, broken)
    ln = line_of(broken, "label_detection")
    md = await hover_text(client, u, ln, broken.splitlines()[ln].index("label_detection"))
    assert md is not None and "**COMPOST**" in md and "**RECYCLE**" in md
    lenses = await client.text_document_code_lens_async(lsp.CodeLensParams(lsp.TextDocumentIdentifier(u)))
    assert "Customize this API" in [l.command.title for l in lenses]
    assert lenses[0].range.start.line == ln


async def test_editing_an_imported_module_refreshes_its_dependents(client: LanguageClient, workspace):
    await start_session(client, workspace)
    app = workspace / "recycle.py"
    bins = workspace / "bins.py"
    u_app = await open_file(client, app)
    u_bins = await open_file(client, bins)
    await asyncio.sleep(0.2)
    typo = next(d for d in client.diagnostics[u_app] if "'cardbord'" in d.message)
    assert "(listed in bins.py, line 2)" in typo.message
    # the quick fix edits the list where it is written: in bins.py
    actions = await client.text_document_code_action_async(
        lsp.CodeActionParams(lsp.TextDocumentIdentifier(u_app), typo.range, lsp.CodeActionContext(diagnostics=[typo]))
    )
    fix = next(a for a in actions if getattr(a, "title", "") == "Replace 'cardbord' with 'Cardboard' in bins.py")
    (edit,) = fix.edit.changes[u_bins]
    bline = bins.read_text().splitlines()[edit.range.start.line]
    assert bline[edit.range.start.character : edit.range.end.character] == '"cardbord"'
    assert edit.new_text == '"Cardboard"'
    # and bins.py itself, open too, shows the warning on the label, pointing back at the call
    (there,) = [d for d in client.diagnostics[u_bins] if "'cardbord'" in d.message]
    assert there.range == edit.range and "listed in" not in there.message
    assert there.related_information[0].location.uri == u_app
    actions = await client.text_document_code_action_async(
        lsp.CodeActionParams(lsp.TextDocumentIdentifier(u_bins), there.range, lsp.CodeActionContext(diagnostics=[there]))
    )
    assert any(getattr(a, "title", "") == "Replace 'cardbord' with 'Cardboard'" for a in actions)
    change(client, u_bins, 2, bins.read_text().replace("cardbord", "cardboard"))
    for _ in range(40):
        await asyncio.sleep(0.1)
        if not any("'cardbord'" in d.message for d in client.diagnostics[u_app]):
            break
    assert not any("'cardbord'" in d.message for d in client.diagnostics[u_app])
    assert not any("'cardbord'" in d.message for d in client.diagnostics[u_bins])
    text = app.read_text()
    ln = line_of(text, "label_detection")
    md = await hover_text(client, u_app, ln, text.splitlines()[ln].index("label_detection"))
    assert "`cardboard`" in md and "`cardbord`" not in md


async def test_a_module_changed_on_disk_refreshes_open_dependents(client: LanguageClient, workspace):
    """bins.py is not open; it changes on disk (git checkout) and the client reports it."""
    await start_session(client, workspace)
    app = workspace / "recycle.py"
    u_app = await open_file(client, app)
    await asyncio.sleep(0.2)
    assert any("'cardbord'" in d.message for d in client.diagnostics[u_app])
    bins = workspace / "bins.py"
    bins.write_text(bins.read_text().replace("cardbord", "cardboard"))
    client.workspace_did_change_watched_files(
        lsp.DidChangeWatchedFilesParams(changes=[lsp.FileEvent(uri=bins.resolve().as_uri(), type=lsp.FileChangeType.Changed)])
    )
    for _ in range(40):
        await asyncio.sleep(0.1)
        if not any("'cardbord'" in d.message for d in client.diagnostics[u_app]):
            break
    assert not any("'cardbord'" in d.message for d in client.diagnostics[u_app])


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
async def test_positions_in_the_clients_encoding(client: LanguageClient, workspace, encoding):
    """'crêpe' before 'snak' on the line: in UTF-8 the typo starts one unit later than in characters."""
    caps = client_capabilities("visual-studio-code")
    caps.general.position_encodings = [encoding]
    result = await start_session(client, workspace, capabilities=caps)
    assert result.capabilities.position_encoding == encoding
    path = workspace / "crepes.py"
    u = await open_file(client, path)
    await asyncio.sleep(0.2)
    snak = next(d for d in client.diagnostics[u] if "'snak'" in d.message)
    line = path.read_text().splitlines()[snak.range.start.line]
    units = line.encode("utf-8" if encoding == "utf-8" else "utf-16-le")
    width = 1 if encoding == "utf-8" else 2
    sliced = units[snak.range.start.character * width : snak.range.end.character * width]
    assert sliced.decode(encoding.replace("utf-16", "utf-16-le")) == '"snak"'
    actions = await client.text_document_code_action_async(
        lsp.CodeActionParams(lsp.TextDocumentIdentifier(u), snak.range, lsp.CodeActionContext(diagnostics=[snak]))
    )
    fix = next(a for a in actions if getattr(a, "title", "") == "Replace 'snak' with 'Snack'")
    assert fix.edit.changes[u][0].range == snak.range
    # hover on the label list, at a position given in the client's units after the 'ê'
    col = len(line[: line.index('"food"')].encode("utf-8" if encoding == "utf-8" else "utf-16-le")) // width
    h = await client.text_document_hover_async(lsp.HoverParams(lsp.TextDocumentIdentifier(u), lsp.Position(snak.range.start.line, col)))
    assert h is not None and "**DESSERTS**" in h.contents.value


async def test_closing_the_caller_clears_its_diagnostics_in_the_list_module(client: LanguageClient, workspace):
    await start_session(client, workspace)
    u_app = await open_file(client, workspace / "recycle.py")
    u_bins = await open_file(client, workspace / "bins.py")
    await asyncio.sleep(0.2)
    assert any("'cardbord'" in d.message for d in client.diagnostics[u_bins])
    client.text_document_did_close(lsp.DidCloseTextDocumentParams(lsp.TextDocumentIdentifier(u_app)))
    for _ in range(20):
        await asyncio.sleep(0.1)
        if not client.diagnostics[u_bins]:
            break
    assert list(client.diagnostics[u_bins]) == [] and list(client.diagnostics[u_app]) == []
