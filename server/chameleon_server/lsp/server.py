"""The pygls language server: wiring LSP requests to analysis, rendering, diagnostics and jobs.

State lives here (open documents, one analyzer ``Workspace`` per workspace folder, settings, the
trainer connection); the work is done by the small modules next to this one.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import logging
import os
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path

from .. import __version__
from ..abstract import Site
from ..redirect.config import config_path, ignore_in_git, is_stale, read_redirects, write_redirect
from . import diagnostics as diag
from .documents import Document, analyze_document, default_analyzer, relative_file, site_at, site_on_line, uri_to_path
from .jobs import JobManager
from .render import Customization, customization_title, hover_markdown, summary
from .service import LocalService, ServiceError, TrainerService, read_token_file
from .settings import SECTION, Settings, parse_settings
from .vocab import Vocabularies

log = logging.getLogger("chameleon.lsp")

CMD_CUSTOMIZE = "chameleon.customize"
CMD_SHOW_REPORT = "chameleon.showReport"
CMD_CANCEL = "chameleon.cancelJob"
CMD_SERVER_INFO = "chameleon.serverInfo"
DEBOUNCE_SECONDS = float(os.environ.get("CHAMELEON_LSP_DEBOUNCE", "0.25"))

class ChameleonLanguageServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("chameleon", __version__, text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental)
        self.settings = Settings()
        self.docs: dict[str, Document] = {}
        self.analyze, self.workspace_cls = default_analyzer()
        self.analyzer_workspaces: dict[str, Any] = {}
        self.vocab = Vocabularies()
        self.jobs = JobManager(self)
        self.local_services: dict[str, LocalService] = {}
        self._pending: dict[str, asyncio.TimerHandle] = {}
        self._redirects: dict[str, tuple[float, list[Any]]] = {}
        self._fetching_vocab: set[str] = set()
        self._roots: dict[str, Path] = {}  # path -> workspace root (cleared when folders change)
        self._overlay_dirty: set[str] = set()  # uris edited since the analyzer's workspace saw them
        self._foreign: dict[str, dict[str, list[lsp.Diagnostic]]] = {}  # source uri -> target uri -> diagnostics

    # ---- workspace ---------------------------------------------------------------------------

    def root_for(self, path: str) -> Path:
        """The workspace folder holding ``path`` (deepest wins), else the root, else its directory."""
        hit = self._roots.get(path)
        if hit is None:
            hit = self._roots[path] = self._find_root(path)
        return hit

    def _find_root(self, path: str) -> Path:
        p = Path(path).resolve()
        roots: list[Path] = []
        try:
            ws = self.workspace
            for uri in ws.folders:
                roots.append(Path(uri_to_path(uri)).resolve())
            if ws.root_path:
                roots.append(Path(ws.root_path).resolve())
        except RuntimeError:
            pass
        best = None
        for r in roots:
            if p == r or r in p.parents:
                if best is None or len(r.parts) > len(best.parts):
                    best = r
        return best or p.parent

    @staticmethod
    def relative_file(path: str, root: Path) -> str:
        return relative_file(path, str(root))

    def analyzer_workspace(self, root: Path) -> Any:
        key = str(root)
        if key not in self.analyzer_workspaces:
            try:
                self.analyzer_workspaces[key] = self.workspace_cls(root)
            except Exception:
                log.exception("analyzer Workspace(%s) failed", root)
                self.analyzer_workspaces[key] = None
        return self.analyzer_workspaces[key]

    # ---- documents ---------------------------------------------------------------------------

    def open_document(self, uri: str, text: str, version: int | None) -> Document:
        path = uri_to_path(uri)
        doc = Document(uri=uri, path=path, text=text, version=version)
        self.docs[uri] = doc
        self._overlay(doc, text)
        return doc

    def _overlay(self, doc: Document, text: str | None) -> None:
        ws = self.analyzer_workspace(self.root_for(doc.path))
        if ws is not None:
            try:
                ws.update(doc.path, text)
            except Exception:
                log.exception("Workspace.update failed")

    def flush_overlays(self) -> None:
        """Hand edited buffers to the analyzer's workspace, once per burst of keystrokes rather
        than once per keystroke (the workspace re-scans a buffer's imports on each update)."""
        while self._overlay_dirty:
            d = self.docs.get(self._overlay_dirty.pop())
            if d is not None:
                self._overlay(d, d.text)

    def fresh(self, uri: str) -> Document | None:
        """The document with abstracts for its current text (analysing now if an edit is pending)."""
        doc = self.docs.get(uri)
        if doc is None:
            return None
        self.flush_overlays()
        if doc.dirty:
            analyze_document(doc, self.analyze, self.analyzer_workspace(self.root_for(doc.path)))
        return doc

    def schedule(self, uri: str, delay: float = DEBOUNCE_SECONDS) -> None:
        """Debounce: analyse and publish diagnostics once edits pause for ``delay`` seconds."""
        handle = self._pending.pop(uri, None)
        if handle is not None:
            handle.cancel()
        loop = asyncio.get_event_loop()
        self._pending[uri] = loop.call_later(delay, self._settle, uri)

    def _settle(self, uri: str) -> None:
        self._pending.pop(uri, None)
        if uri in self.docs:
            self.publish(uri)
            self.refresh_dependents(uri)

    def refresh_dependents(self, uri: str) -> None:
        """Cross-file: re-analyse open documents whose abstracts may depend on ``uri``'s module."""
        doc = self.docs.get(uri)
        if doc is not None:
            self.refresh_dependents_of(doc.path, exclude=uri)

    def refresh_dependents_of(self, path: str, exclude: str | None = None) -> None:
        self.flush_overlays()
        root = self.root_for(path)
        ws = self.analyzer_workspace(root)
        if ws is None or not hasattr(ws, "dependents"):
            return
        try:
            deps = ws.dependents(path)
        except Exception:
            log.exception("Workspace.dependents failed")
            return
        dep_paths = {str((root / d).resolve()) if not os.path.isabs(d) else str(Path(d).resolve()) for d in deps}
        changed = False
        for other in list(self.docs.values()):
            if other.uri != exclude and str(Path(other.path).resolve()) in dep_paths:
                other.analyzed_text = None  # force re-analysis with the new module contents
                self.publish(other.uri)
                changed = True
        if changed:
            self.refresh_code_lenses()

    # Positions: the analyzer counts characters (code points); the client counts UTF-16 units by
    # default, UTF-8 bytes when it asked for them (Neovim 0.10+). Convert at the protocol boundary.

    def _codec(self) -> Any:
        try:
            return self.workspace.position_codec
        except RuntimeError:
            return None

    def to_client(self, lines: list[str], rng: lsp.Range) -> lsp.Range:
        codec = self._codec()
        return codec.range_to_client_units(lines, rng) if codec is not None else rng

    def from_client(self, lines: list[str], rng: lsp.Range) -> lsp.Range:
        codec = self._codec()
        if codec is None:
            return rng
        r = codec.range_from_client_units(lines, lsp.Range(lsp.Position(rng.start.line, rng.start.character),
                                                             lsp.Position(rng.end.line, rng.end.character)))
        return lsp.Range(lsp.Position(r.start.line, r.start.character), lsp.Position(r.end.line, r.end.character))

    def publish(self, uri: str, propagate: bool = True) -> None:
        """Analyse if needed and publish ``uri``'s diagnostics.

        A label list imported from another module gets its diagnostic twice: at the call here
        (saying where the list is), and on the label itself in that module when it is open
        (``_foreign``: per source uri, the diagnostics it gives each other open module).
        """
        doc = self.fresh(uri)
        if doc is None:
            return
        loc = diag.LabelLocator.of(doc.text)
        items: list[lsp.Diagnostic] = []
        for site in doc.sites:
            items.extend(diag.diagnose(site, doc.text, self.vocabulary_for(site, doc), loc))
        foreign = self._foreign_diagnostics(doc, items)
        before = self._foreign.get(uri, {})
        self._foreign[uri] = foreign
        for d in items:
            d.range = self.to_client(loc.lines, d.range)
        items.extend(self._received(uri, loc.lines))
        self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=items, version=doc.version))
        if propagate:
            for target in set(before) | set(foreign):
                if target != uri and target in self.docs and before.get(target) != foreign.get(target):
                    self.publish(target, propagate=False)

    def _foreign_diagnostics(self, doc: Document, items: list[lsp.Diagnostic]) -> dict[str, list[lsp.Diagnostic]]:
        """Copies of ``doc``'s cross-module label diagnostics, placed on the label in its module."""
        out: dict[str, list[lsp.Diagnostic]] = {}
        root = self.root_for(doc.path)
        call_ranges = {id(d): d.range for d in items}
        for d in items:
            target = d.data.get("target") if isinstance(d.data, dict) else None
            rng = diag.span_range(target) if isinstance(target, dict) else None
            if rng is None:
                continue
            target_uri = uri_for(str((root / str(target.get("file"))).resolve()))
            out.setdefault(target_uri, []).append(
                lsp.Diagnostic(
                    range=rng,
                    severity=d.severity,
                    source=d.source,
                    code=d.code,
                    message=d.message.replace(f" (listed in {target.get('file')}, line {target.get('line')})", ""),
                    data={k: v for k, v in d.data.items() if k not in ("target", "lowerAt")},
                    related_information=[
                        lsp.DiagnosticRelatedInformation(
                            location=lsp.Location(uri=doc.uri, range=call_ranges[id(d)]),
                            message="the call whose decision uses this list",
                        )
                    ],
                )
            )
        return out

    def _received(self, uri: str, lines: list[str]) -> list[lsp.Diagnostic]:
        """Diagnostics other open modules give ``uri``, converted to the client's units."""
        out = []
        for source_uri, by_target in self._foreign.items():
            if source_uri == uri or source_uri not in self.docs:
                continue
            for d in by_target.get(uri, []):
                c = copy.copy(d)
                c.range = self.to_client(lines, d.range)
                out.append(c)
        return out

    def republish_all(self) -> None:
        for uri in list(self.docs):
            self.publish(uri)

    # ---- vocabularies and redirects ----------------------------------------------------------

    def redirect_entries(self, root: Path) -> list[Any]:
        try:
            mtime = config_path(root).stat().st_mtime
        except OSError:
            return []
        cached = self._redirects.get(str(root))
        if cached is None or cached[0] != mtime:
            cached = (mtime, read_redirects(root))
            self._redirects[str(root)] = cached
        return cached[1]

    def redirect_for(self, site: Site, doc: Document) -> Any | None:
        root = self.root_for(doc.path)
        rel = relative_file(doc.path, str(root))
        for e in self.redirect_entries(root):
            if getattr(e, "file", None) == rel and getattr(e, "api", None) == site.api:
                return e
        return None

    def customization(self, site: Site, doc: Document) -> Customization | None:
        e = self.redirect_for(site, doc)
        if e is None:
            return None
        rel_site = _with_file(site, relative_file(doc.path, str(self.root_for(doc.path))))
        return Customization(model_id=e.model_id, stale=is_stale(e, rel_site), metrics=getattr(e, "metrics", None))

    def vocabulary_for(self, site: Site, doc: Document) -> tuple[str, list[str]] | None:
        entry = self.redirect_for(site, doc)
        model_id = getattr(entry, "model_id", None) if entry is not None else None
        if model_id and not self.vocab.has_model(model_id):
            self._fetch_model_vocabulary(entry)
        return self.vocab.for_site(site.api, self.settings.dataset, model_id)

    def _fetch_model_vocabulary(self, entry: Any) -> None:
        """Fetch a customized model's vocabulary in the background; republish when it arrives."""
        model_id = entry.model_id
        if model_id in self._fetching_vocab:
            return
        self._fetching_vocab.add(model_id)

        async def fetch() -> None:
            try:
                svc = await self.entry_service(entry)
            except ServiceError:
                return
            labels = await svc.vocabulary(model_id)
            if labels:
                self.vocab.put_model(model_id, labels)
                self.republish_all()

        try:
            asyncio.get_event_loop().create_task(fetch())
        except RuntimeError:
            pass

    def write_redirect(self, job: Any) -> None:
        write_redirect(
            job.root,
            site=job.site,
            endpoint=job.service.url,
            model_id=job.model_id,
            token_file=job.service.token_file,
            metrics=job.metrics,
        )
        self._redirects.pop(str(job.root), None)

    # ---- trainer service ---------------------------------------------------------------------

    async def entry_service(self, entry: Any) -> TrainerService:
        """The service that serves a redirect entry's model, started again if it is ours and down.

        With the embedded default the service lives as long as the editor; the entry's token file
        sits in that service's data dir, and restarting it there (on the port it had) brings the
        recorded endpoint back.
        """
        token_file = getattr(entry, "token_file", None)
        svc = TrainerService(
            url=entry.endpoint, token=read_token_file(token_file) or self.settings.resolved_token(), token_file=token_file
        )
        try:
            await svc.health()
            return svc
        except ServiceError:
            pass
        data_dir = Path(token_file).parent if token_file else None
        if data_dir is None or not (data_dir / LocalService.STATE_FILE).exists():
            return svc
        local = self.local_services.setdefault(str(data_dir), LocalService(data_dir))
        return await local.ensure()

    async def trainer_service(self, root: Path) -> TrainerService:
        s = self.settings
        if s.trainer_url:
            token = s.resolved_token()
            if s.token_file and token is None and not s.token:
                raise ServiceError(f"The token file {s.token_file} (chameleon.tokenFile) cannot be read.")
            return TrainerService(url=s.trainer_url, token=token, token_file=s.token_file)
        data_dir = Path(os.environ.get("CHAMELEON_LSP_TRAINER_DATA") or (root / ".chameleon" / "trainer"))
        _ignore_in_git(data_dir)
        key = str(data_dir)
        if key not in self.local_services:
            self.local_services[key] = LocalService(data_dir)
        return await self.local_services[key].ensure()

    # ---- client helpers ----------------------------------------------------------------------

    def show_message(self, text: str, kind: lsp.MessageType = lsp.MessageType.Info) -> None:
        self.window_show_message(lsp.ShowMessageParams(type=kind, message=text))

    def refresh_code_lenses(self) -> None:
        caps = self.client_capabilities
        ws = caps.workspace if caps else None
        if ws is not None and ws.code_lens is not None and ws.code_lens.refresh_support:
            try:
                self.workspace_code_lens_refresh(None)
            except Exception:
                log.exception("codeLens/refresh failed")


def _ignore_in_git(data_dir: Path) -> None:
    """Trainer data under the workspace's `.chameleon/` (models, SQLite) must never be committed."""
    if data_dir.parent.name != ".chameleon":
        return
    try:
        ignore_in_git(data_dir.parent)
    except OSError:
        pass


def _with_file(site: Site, file: str) -> Site:
    s = copy.copy(site)
    s.file = file
    return s


server = ChameleonLanguageServer()


# ---- lifecycle and settings ---------------------------------------------------------------------


@server.feature(lsp.INITIALIZE)
def on_initialize(ls: ChameleonLanguageServer, params: lsp.InitializeParams) -> None:
    ls.settings = parse_settings(params.initialization_options, ls.settings)


@server.feature(lsp.WORKSPACE_DID_CHANGE_CONFIGURATION)
async def on_configuration(ls: ChameleonLanguageServer, params: lsp.DidChangeConfigurationParams) -> None:
    raw = params.settings
    if not isinstance(raw, dict) or not raw:
        caps = ls.client_capabilities
        if caps and caps.workspace and caps.workspace.configuration:
            try:
                got = await asyncio.wait_for(
                    ls.workspace_configuration_async(lsp.ConfigurationParams(items=[lsp.ConfigurationItem(section=SECTION)])),
                    5,
                )
                raw = {SECTION: got[0]} if got and isinstance(got[0], dict) else None
            except Exception:
                raw = None
    ls.settings = parse_settings(raw, ls.settings)
    ls.republish_all()
    ls.refresh_code_lenses()


@server.feature(lsp.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
def on_folders(ls: ChameleonLanguageServer, params: lsp.DidChangeWorkspaceFoldersParams) -> None:
    ls._roots.clear()


WATCHED = ["**/*.py", "**/.chameleon/redirect.json"]


@server.feature(lsp.INITIALIZED)
async def on_initialized(ls: ChameleonLanguageServer, params: lsp.InitializedParams) -> None:
    """Ask to hear about files changed outside the editor (git checkout, `chameleon customize`)."""
    caps = ls.client_capabilities
    ws = caps.workspace if caps else None
    if not (ws and ws.did_change_watched_files and ws.did_change_watched_files.dynamic_registration):
        return
    try:
        await asyncio.wait_for(
            ls.client_register_capability_async(
                lsp.RegistrationParams(
                    registrations=[
                        lsp.Registration(
                            id="chameleon-watched-files",
                            method=lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                            register_options=lsp.DidChangeWatchedFilesRegistrationOptions(
                                watchers=[lsp.FileSystemWatcher(glob_pattern=g) for g in WATCHED]
                            ),
                        )
                    ]
                )
            ),
            10,
        )
    except Exception:  # a client that declines still works; it just will not tell us
        log.info("client did not accept the file watchers")


@server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def on_watched_files(ls: ChameleonLanguageServer, params: lsp.DidChangeWatchedFilesParams) -> None:
    lenses = False
    for ch in params.changes:
        path = uri_to_path(ch.uri)
        if path.endswith(os.path.join(".chameleon", "redirect.json")):
            ls._redirects.clear()
            lenses = True
        elif path.endswith(".py") and ch.uri not in ls.docs:  # open buffers are the editor's truth
            ws = ls.analyzer_workspace(ls.root_for(path))
            if ws is not None:
                try:
                    ws.update(path, None)  # re-read from disk on next use
                except Exception:
                    log.exception("Workspace.update failed")
            ls.refresh_dependents_of(path)
    if lenses:
        ls.republish_all()
        ls.refresh_code_lenses()


@server.feature(lsp.SHUTDOWN)
async def on_shutdown(ls: ChameleonLanguageServer, params: Any) -> None:
    for h in ls._pending.values():
        h.cancel()
    ls._pending.clear()
    await ls.jobs.shutdown()
    for svc in ls.local_services.values():
        await svc.stop()


@server.feature(lsp.EXIT)
def on_exit(ls: ChameleonLanguageServer, params: Any) -> None:
    for svc in ls.local_services.values():
        svc.stop_sync()


# ---- documents ----------------------------------------------------------------------------------


@server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: ChameleonLanguageServer, params: lsp.DidOpenTextDocumentParams) -> None:
    td = params.text_document
    if td.language_id not in (None, "", "python"):
        return
    ls.open_document(td.uri, td.text, td.version)
    ls.publish(td.uri)
    ls.refresh_dependents(td.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: ChameleonLanguageServer, params: lsp.DidChangeTextDocumentParams) -> None:
    doc = ls.docs.get(params.text_document.uri)
    if doc is None:
        return
    doc.text = ls.workspace.get_text_document(doc.uri).source
    doc.version = params.text_document.version
    ls._overlay_dirty.add(doc.uri)  # handed to the analyzer's workspace when next needed
    ls.schedule(doc.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: ChameleonLanguageServer, params: lsp.DidSaveTextDocumentParams) -> None:
    if params.text_document.uri in ls.docs:
        ls.schedule(params.text_document.uri, 0.0)


@server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: ChameleonLanguageServer, params: lsp.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    doc = ls.docs.pop(uri, None)
    ls._overlay_dirty.discard(uri)
    h = ls._pending.pop(uri, None)
    if h is not None:
        h.cancel()
    if doc is not None:
        ls._overlay(doc, None)
        ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        for target in ls._foreign.pop(uri, {}):  # what it said about other open modules goes too
            if target in ls.docs:
                ls.publish(target, propagate=False)


# ---- hover, code lens, code actions ---------------------------------------------------------------


def _label_list_site(ls: ChameleonLanguageServer, doc: Document, line: int, col: int) -> tuple[Site, Document] | None:
    """The call site whose label list (or one label of it) is written at (line, col), 1-based.

    The list may feed a call in another open module (``from labels import RECYCLE``): every open
    document of the same workspace is searched for a category whose list lives in this file.
    """
    root = ls.root_for(doc.path)
    rel = relative_file(doc.path, str(root))
    others = [d for d in ls.docs.values() if d is not doc and ls.root_for(d.path) == root]
    for d in [doc, *others]:
        for s in d.sites:
            if s.decision is None:
                continue
            for c in s.decision.categories:
                at = getattr(c, "labels_at", None)
                file = (at or {}).get("file") if isinstance(at, dict) else None
                if (file or s.file) != rel:
                    continue
                for sp in [at, *(getattr(c, "label_spans", None) or [])]:
                    r = diag.span_range(sp) if isinstance(sp, dict) else None
                    if r is None:
                        continue
                    if (r.start.line + 1, r.start.character + 1) <= (line, col) <= (r.end.line + 1, r.end.character + 1):
                        return s, d
    return None


@server.feature(lsp.TEXT_DOCUMENT_HOVER)
def hover(ls: ChameleonLanguageServer, params: lsp.HoverParams) -> lsp.Hover | None:
    doc = ls.fresh(params.text_document.uri)
    if doc is None:
        return None
    lines = doc.text.splitlines()
    pos = ls.from_client(lines, lsp.Range(params.position, params.position)).start
    line, col = pos.line + 1, pos.character + 1
    site = site_at(doc.sites, line, col)
    if site is not None:
        md = hover_markdown(site, ls.vocabulary_for(site, doc), ls.customization(site, doc))
        return lsp.Hover(
            contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=md),
            range=ls.to_client(lines, diag.site_range(site)),
        )
    found = _label_list_site(ls, doc, line, col)
    if found is None:
        return None
    site, owner = found
    md = hover_markdown(site, ls.vocabulary_for(site, owner), ls.customization(site, owner))
    if owner is not doc:
        md = f"*Used by the call on line {site.line} of `{site.file}`*\n\n" + md
    return lsp.Hover(contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=md))


def _lens_range(site: Site) -> lsp.Range:
    pos = lsp.Position(site.line - 1, max(site.column - 1, 0))
    return lsp.Range(pos, pos)


@server.feature(lsp.TEXT_DOCUMENT_CODE_LENS)
def code_lens(ls: ChameleonLanguageServer, params: lsp.CodeLensParams) -> list[lsp.CodeLens]:
    doc = ls.fresh(params.text_document.uri)
    if doc is None:
        return []
    out: list[lsp.CodeLens] = []
    lines = doc.text.splitlines()
    for site in doc.sites:
        if site.decision is None:
            continue
        rng = ls.to_client(lines, _lens_range(site))
        arg = {"uri": doc.uri, "line": site.line, "api": site.api}
        out.append(lsp.CodeLens(range=rng, command=lsp.Command(title=summary(site.decision), command="")))
        running = ls.jobs.running_for_site(doc.uri, site)
        cust = ls.customization(site, doc)
        if running is not None:
            pct = f" {running.percent}%" if running.percent is not None else ""
            out.append(
                lsp.CodeLens(
                    range=rng,
                    command=lsp.Command(title=f"customizing…{pct} (cancel)", command=CMD_CANCEL, arguments=[{"jobId": running.id}]),
                )
            )
        elif cust is not None and not cust.stale:
            out.append(
                lsp.CodeLens(
                    range=rng,
                    command=lsp.Command(
                        title=customization_title(cust), command=CMD_SHOW_REPORT, arguments=[{"uri": doc.uri, "line": site.line}]
                    ),
                )
            )
        elif cust is not None:
            out.append(lsp.CodeLens(range=rng, command=lsp.Command(title=customization_title(cust), command=CMD_CUSTOMIZE, arguments=[arg])))
        else:
            out.append(lsp.CodeLens(range=rng, command=lsp.Command(title="Customize this API", command=CMD_CUSTOMIZE, arguments=[arg])))
    return out


@server.feature(
    lsp.TEXT_DOCUMENT_CODE_ACTION,
    lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix, lsp.CodeActionKind.Empty]),
)
def code_action(ls: ChameleonLanguageServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction | lsp.Command]:
    doc = ls.fresh(params.text_document.uri)
    if doc is None:
        return []
    lines = doc.text.splitlines()
    root = ls.root_for(doc.path)
    texts: dict[str, list[str]] = {doc.uri: lines}

    def other_file(rel: str) -> tuple[str, list[str]] | None:
        """A module of the workspace by relative path: the open buffer, else the file on disk."""
        path = (root / rel).resolve()
        uri = uri_for(str(path))
        if uri not in texts:
            other = ls.docs.get(uri)
            try:
                texts[uri] = (other.text if other else path.read_text(encoding="utf-8")).splitlines()
            except (OSError, UnicodeDecodeError):
                return None
        return uri, texts[uri]

    actions: list[lsp.CodeAction | lsp.Command] = []
    for d in params.context.diagnostics or []:
        # quick fixes slice the text by character: give them the range in characters, then put
        # their edits (and the diagnostic they fix) back in the client's units
        server_d = copy.copy(d)
        server_d.range = ls.from_client(lines, d.range)
        for a in diag.quick_fixes(doc.uri, lines, server_d, other_file):
            a.diagnostics = [d]
            for edit_uri, edits in (a.edit.changes or {}).items() if a.edit else ():
                for e in edits:
                    e.range = ls.to_client(texts.get(edit_uri, lines), e.range)
            actions.append(a)
    lo, hi = params.range.start.line + 1, params.range.end.line + 1
    for site in doc.sites:
        if site.decision is None or site.end_line < lo or site.line > hi:
            continue
        # A bare Command (allowed by LSP): every client runs it, and lsprotocol's own client-side
        # converter mistakes a CodeAction that carries a command for a Command anyway.
        actions.append(
            lsp.Command(
                title="Customize this API", command=CMD_CUSTOMIZE, arguments=[{"uri": doc.uri, "line": site.line, "api": site.api}]
            )
        )
    only = params.context.only
    if only:  # e.g. only quick fixes: the customize command is not one
        actions = [a for a in actions if isinstance(a, lsp.CodeAction) and any((a.kind or "").startswith(k) for k in only)]
    return actions


# ---- commands -----------------------------------------------------------------------------------


def _arg(args: tuple[Any, ...]) -> dict[str, Any]:
    a = args[0] if args else None
    if isinstance(a, list) and a:  # some clients wrap the argument list once more
        a = a[0]
    return a if isinstance(a, dict) else {}


@server.command(CMD_CUSTOMIZE)
async def cmd_customize(ls: ChameleonLanguageServer, *args: Any) -> dict[str, Any]:
    a = _arg(args)
    uri, line, api = a.get("uri"), a.get("line"), a.get("api")
    try:
        if not isinstance(uri, str) or not isinstance(line, int):
            raise ServiceError('chameleon.customize needs [{"uri": str, "line": int, "api": str}]')
        doc = ls.fresh(uri)
        if doc is None:
            raise ServiceError(f"{uri} is not open in the editor.")
        site = site_on_line(doc.sites, line, api)
        if site is None:
            raise ServiceError(f"No ML API call was found on line {line}.")
        if site.decision is None:
            raise ServiceError(f"The output of {site.api} on line {site.line} feeds no decision: there is nothing to customize.")
        running = ls.jobs.running_for(uri, site.line)
        if running is not None:
            return {"jobId": running.id, "state": running.state}
        root = ls.root_for(doc.path)
        first = "connecting to the trainer service" if ls.settings.trainer_url else "starting the local trainer service"
        token = await ls.jobs.begin_progress(f"Customizing {site.api}", first)
        try:
            service = await ls.trainer_service(root)
            dataset = ls.settings.dataset  # None: the service picks the API's default dataset
            job = await ls.jobs.start(uri, site, root, service, dataset, token)
        except ServiceError as e:
            ls.jobs.end_progress(token, f"failed: {e}")
            raise
        return {"jobId": job.id, "state": job.state}
    except ServiceError as e:
        ls.show_message(f"Customize this API: {e}", lsp.MessageType.Error)
        return {"error": str(e)}


@server.command(CMD_CANCEL)
async def cmd_cancel(ls: ChameleonLanguageServer, *args: Any) -> dict[str, Any]:
    job_id = _arg(args).get("jobId")
    try:
        return await ls.jobs.cancel(str(job_id))
    except ServiceError as e:
        ls.show_message(f"Cancel: {e}", lsp.MessageType.Error)
        return {"error": str(e)}


@server.command(CMD_SHOW_REPORT)
async def cmd_show_report(ls: ChameleonLanguageServer, *args: Any) -> dict[str, Any]:
    a = _arg(args)
    uri, line = a.get("uri"), a.get("line")
    doc = ls.fresh(uri) if isinstance(uri, str) else None
    site = site_on_line(doc.sites, line, None) if doc is not None and isinstance(line, int) else None
    entry = ls.redirect_for(site, doc) if site is not None and doc is not None else None
    if entry is None:
        msg = f"No customized model is recorded for line {line} of {uri}."
        ls.show_message(msg, lsp.MessageType.Warning)
        return {"error": msg, "modelId": None, "metrics": None, "reportPng": None, "curvesPng": None}
    metrics = getattr(entry, "metrics", None)
    try:
        svc = await ls.entry_service(entry)
        model = await svc.model(entry.model_id)
        metrics = model.get("metrics") or metrics
    except ServiceError as e:
        ls.show_message(f"Report of model {entry.model_id}: {e}", lsp.MessageType.Warning)
        return {"modelId": entry.model_id, "metrics": metrics, "reportPng": None, "curvesPng": None, "error": str(e)}
    report = await svc.model_file(entry.model_id, "report.png")
    curves = await svc.model_file(entry.model_id, "curves.png")
    return {
        "modelId": entry.model_id,
        "metrics": metrics,
        "reportPng": base64.b64encode(report).decode() if report else None,
        "curvesPng": base64.b64encode(curves).decode() if curves else None,
    }


@server.command(CMD_SERVER_INFO)
def cmd_server_info(ls: ChameleonLanguageServer, *args: Any) -> dict[str, Any]:
    """What this process holds (for tests and benchmarks: it must never have imported torch)."""
    import sys

    return {
        "version": __version__,
        "pid": os.getpid(),
        "documents": len(ls.docs),
        "sites": sum(len(d.sites) for d in ls.docs.values()),
        "torchLoaded": "torch" in sys.modules or "chameleon_trainer" in sys.modules,
        "analyzer": ls.workspace_cls is not None,
        "settings": {
            "trainerUrl": ls.settings.trainer_url,
            "dataset": ls.settings.dataset,
            "baseModel": ls.settings.base_model,
            "jobOptions": ls.settings.job_options,
        },
    }


@server.feature(lsp.WINDOW_WORK_DONE_PROGRESS_CANCEL)
async def on_progress_cancel(ls: ChameleonLanguageServer, params: lsp.WorkDoneProgressCancelParams) -> None:
    job = ls.jobs.job_for_token(params.token)
    if job is None:
        return
    try:
        await ls.jobs.cancel(job.id)
    except ServiceError as e:
        ls.show_message(f"Cancel: {e}", lsp.MessageType.Error)


def uri_for(path: str) -> str:
    return from_fs_path(path) or path
