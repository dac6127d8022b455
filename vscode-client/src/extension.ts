/**
 * The VS Code side of ChameleonAPI: starts the language server (`<python> -m chameleon_server lsp
 * --stdio`) with the interpreter the user selected, restarts it on a crash, and adds what LSP alone
 * does not give: the palette commands that pick the call site at the cursor, the report webview, the
 * job status-bar item and the job log. Hover, code lenses, diagnostics and code actions come from
 * the server through vscode-languageclient. The logic worth testing lives in the pure modules next
 * to this file; this one only wires them to the VS Code API.
 */
import * as os from "os";
import * as vscode from "vscode";
import {
  CloseAction,
  CloseHandlerResult,
  DidChangeConfigurationNotification,
  ErrorAction,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  ServerOptions,
  State,
  StaticFeature,
  DynamicFeature,
} from "vscode-languageclient/node";
import { CLIENT_COMMANDS, JOB_PROGRESS, SERVER_COMMANDS } from "./contract";
import { describeInterpreter, Interpreter, resolveInterpreter, serverArgv } from "./interpreter";
import { JobsView } from "./jobsView";
import { JobProgress, statusText } from "./progress";
import { pythonExtensionInterpreter } from "./pythonExtension";
import { isReport } from "./report";
import { ReportPanel } from "./reportPanel";
import { RestartPolicy } from "./restart";
import { SETTINGS_SECTION, settingsPayload, toServerSettings } from "./settings";
import { CustomizeArgs, SiteCandidate, SiteRef, hasSiteArgument, pickCallSite, pickSiteRef, reportArgs } from "./sites";


/**
 * A LanguageClient that leaves command registration to the extension. The stock ExecuteCommandFeature
 * registers a VS Code command per server command only once the server has started, and again on every
 * restart; the palette commands must exist from activation and keep working across restarts, so the
 * extension registers the same ids and forwards them (see Controller.forward).
 */
class ChameleonLanguageClient extends LanguageClient {
  public registerFeature(feature: StaticFeature | DynamicFeature<unknown>): void {
    const method = (feature as DynamicFeature<unknown>).registrationType?.method;
    if (method === ExecuteCommandRequest.method) return;
    super.registerFeature(feature);
  }

  /**
   * The library's own errors go to the output channel only: during a crash loop it would otherwise
   * raise several notifications per attempt ("couldn't create connection", "Restarting server
   * failed", ...). The Controller shows one message that says what to do.
   */
  public error(message: string, data?: unknown, _showNotification?: boolean | "force"): void {
    super.error(message, data, false);
  }

  /** Same for its info lines (it passes a boolean as the data of "Server will restart": dropped). */
  public info(message: string, data?: unknown, _showNotification?: boolean): void {
    super.info(message, typeof data === "boolean" ? undefined : data, false);
  }
}

class Controller implements vscode.Disposable {
  private client: ChameleonLanguageClient | undefined;
  private interpreter: Interpreter | undefined;
  private readonly serverLog = vscode.window.createOutputChannel("Chameleon Language Server");
  private readonly serverItem = vscode.window.createStatusBarItem("chameleon.server", vscode.StatusBarAlignment.Left, 50);
  private readonly jobs = new JobsView(() => this.refreshCodeLenses());
  private readonly report = new ReportPanel();
  private readonly policy = new RestartPolicy();
  private readonly disposables: vscode.Disposable[] = [];
  private extraCommands: vscode.Disposable[] = [];
  private restarting = false;
  private watchingPython = false;
  /** Set when onServerClosed stopped restarting (it has told the user); cleared by a restart. */
  private gaveUp = false;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.serverItem.name = "Chameleon language server";
    this.serverItem.command = "chameleon.showServerLog";
    this.renderServerItem("starting");
    this.serverItem.show();
    const reg = (id: string, fn: (...args: any[]) => unknown) =>
      this.disposables.push(vscode.commands.registerCommand(id, fn));
    for (const id of SERVER_COMMANDS) reg(id, (...args: unknown[]) => this.runServerCommand(id, args));
    const clientCommands: Record<(typeof CLIENT_COMMANDS)[number], () => unknown> = {
      "chameleon.showJobLog": () => this.jobs.showLog(),
      "chameleon.showServerLog": () => this.serverLog.show(true),
      "chameleon.restartServer": () => this.restart("restart requested"),
    };
    for (const id of CLIENT_COMMANDS) reg(id, clientCommands[id]);
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => this.onConfigurationChanged(e)),
      this.serverLog,
      this.serverItem,
      this.jobs,
      this.report,
    );
  }

  // ---------------------------------------------------------------- server lifecycle

  async start(): Promise<void> {
    this.interpreter = await this.resolveInterpreter();
    const { command, args } = serverArgv(this.interpreter);
    const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const serverOptions: ServerOptions = {
      command,
      args,
      options: { cwd, env: { ...process.env, PYTHONUNBUFFERED: "1" } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: "file", language: "python" },
        { scheme: "untitled", language: "python" },
      ],
      outputChannel: this.serverLog,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      initializationOptions: settingsPayload(this.readSettings()),
      errorHandler: {
        error: () => ({ action: ErrorAction.Continue }),
        closed: () => this.onServerClosed(),
      },
      // Without a handler the library pops up the raw error ("write EPIPE", ...) on every failed start.
      initializationFailedHandler: (err) => {
        this.serverLog.appendLine(`[client] the language server failed to initialize: ${String(err)}`);
        return false;
      },
      middleware: {
        workspace: {
          // The server may pull its settings (workspace/configuration): give it the mapped ones.
          configuration: async (params, token, next) => {
            const result = await next(params, token);
            if (!Array.isArray(result)) return result;
            return params.items.map((item, i) => (item.section === SETTINGS_SECTION ? this.readSettings() : result[i]));
          },
        },
      },
    };
    this.serverLog.appendLine(`[client] starting ${describeInterpreter(this.interpreter)}`);
    const client = new ChameleonLanguageClient("chameleon", "Chameleon Language Server", serverOptions, clientOptions);
    this.client = client;
    client.onDidChangeState((e) => {
      if (client !== this.client) return;
      if (e.newState === State.Starting) this.renderServerItem("starting");
      else if (e.newState === State.Running) {
        this.renderServerItem("running");
        this.registerExtraServerCommands(client);
      } else this.renderServerItem("stopped");
    });
    client.onNotification(JOB_PROGRESS, (p: JobProgress) => this.jobs.update(p));
    try {
      await client.start();
    } catch (err) {
      this.serverLog.appendLine(`[client] the language server did not start: ${String(err)}`);
      this.renderServerItem("stopped");
      // A process that started and died is restarted by onServerClosed, which says so itself when it
      // gives up; say something here only if nothing took over (e.g. the interpreter does not exist).
      const interpreter = this.interpreter.command;
      setTimeout(() => {
        if (this.client === client && !client.isRunning() && !this.gaveUp) {
          void this.offerRestart(`Chameleon: the language server did not start (${interpreter}). See its log.`);
        }
      }, 3000);
    }
  }

  private async stopClient(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.disposeExtraCommands();
    if (client) {
      try {
        await client.stop(2000);
      } catch (err) {
        this.serverLog.appendLine(`[client] stop: ${String(err)}`);
      }
    }
  }

  async restart(reason: string): Promise<void> {
    if (this.restarting) return;
    this.restarting = true;
    try {
      this.serverLog.appendLine(`[client] ${reason}: restarting the language server`);
      this.policy.reset();
      this.gaveUp = false;
      await this.stopClient();
      await this.start();
    } finally {
      this.restarting = false;
    }
  }

  /** Called by vscode-languageclient when the server process went away. */
  private onServerClosed(): CloseHandlerResult {
    if (this.policy.onCrash()) {
      this.serverLog.appendLine(
        `[client] the language server exited; restarting (crash ${this.policy.recentCrashes} of at most ${this.policy.maxRestarts} in ${this.policy.windowMs / 60000} min)`,
      );
      return { action: CloseAction.Restart, handled: true };
    }
    this.serverLog.appendLine("[client] the language server keeps exiting; not restarting it again");
    this.gaveUp = true;
    void this.offerRestart(
      `Chameleon: the language server crashed ${this.policy.maxRestarts} times in a row. Check that ${this.interpreter?.command ?? "the interpreter"} has the chameleon-api package.`,
    );
    return { action: CloseAction.DoNotRestart, handled: true };
  }

  private async offerRestart(message: string): Promise<void> {
    const pick = await vscode.window.showErrorMessage(message, "Show log", "Restart");
    if (pick === "Show log") this.serverLog.show(true);
    else if (pick === "Restart") await this.restart("restart requested");
  }

  private async resolveInterpreter(): Promise<Interpreter> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    const setting = vscode.workspace.getConfiguration(SETTINGS_SECTION, folder?.uri).get<string>("interpreter");
    const python = await pythonExtensionInterpreter(folder?.uri, (line) => this.serverLog.appendLine(line));
    if (python.onDidChange && !this.watchingPython) {
      this.watchingPython = true;
      this.disposables.push(
        python.onDidChange(() => {
          if (this.interpreter?.source === "python-extension") void this.restart("the Python interpreter changed");
        }),
      );
    }
    return resolveInterpreter({ setting, pythonExtension: python.interpreter, workspaceFolder: folder?.uri.fsPath, home: os.homedir() });
  }

  // ---------------------------------------------------------------- settings

  private readSettings() {
    const cfg = vscode.workspace.getConfiguration(SETTINGS_SECTION);
    return toServerSettings((key) => cfg.get(key), os.homedir());
  }

  private onConfigurationChanged(e: vscode.ConfigurationChangeEvent): void {
    for (const key of ["chameleon.interpreter", "chameleon.trace.server"]) {
      if (e.affectsConfiguration(key)) {
        void this.restart(`${key} changed`);
        return;
      }
    }
    if (!e.affectsConfiguration(SETTINGS_SECTION)) return;
    const client = this.client;
    const settings = this.readSettings();
    this.serverLog.appendLine(`[client] settings changed: ${JSON.stringify({ ...settings, token: settings.token ? "***" : null })}`);
    if (client?.isRunning()) {
      void client
        .sendNotification(DidChangeConfigurationNotification.type, { settings: settingsPayload(settings) })
        .catch((err) => this.serverLog.appendLine(`[client] didChangeConfiguration: ${String(err)}`));
    }
  }

  // ---------------------------------------------------------------- commands

  /** Send a command to the server (workspace/executeCommand). */
  private async forward(command: string, args: unknown[]): Promise<unknown> {
    const client = this.client;
    if (!client || !client.isRunning()) {
      void this.offerRestart("Chameleon: the language server is not running.");
      return undefined;
    }
    return client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
  }

  /**
   * The three server commands, from a code lens / code action (arguments given) or from the palette
   * (arguments filled in from the cursor / the running job).
   */
  private async runServerCommand(command: string, args: unknown[]): Promise<unknown> {
    try {
      if (command === "chameleon.customize") return await this.customize(args);
      if (command === "chameleon.showReport") return await this.showReport(args);
      if (command === "chameleon.cancelJob") return await this.cancelJob(args);
      return await this.forward(command, args);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      this.serverLog.appendLine(`[client] ${command} failed: ${msg}`);
      void vscode.window.showErrorMessage(`Chameleon: ${command} failed: ${msg}`);
      return undefined;
    }
  }

  private async customize(args: unknown[]): Promise<unknown> {
    let site: CustomizeArgs | undefined = hasSiteArgument(args) ? (args[0] as CustomizeArgs) : undefined;
    if (!site) site = await this.siteAtCursor();
    if (!site) {
      void vscode.window.showWarningMessage("Chameleon: no ML API call with a decision at the cursor.");
      return undefined;
    }
    this.jobs.log.appendLine(`[client] customize ${site.api} at ${site.uri}:${site.line}`);
    const result = (await this.forward("chameleon.customize", [site])) as { jobId?: unknown } | null | undefined;
    const jobId = result && typeof result === "object" && typeof result.jobId === "string" ? result.jobId : undefined;
    if (jobId && !this.jobs.get(jobId)) {
      this.jobs.update({ jobId, uri: site.uri, line: site.line, state: "queued", stage: "queued" });
    }
    return result;
  }

  private async showReport(args: unknown[]): Promise<unknown> {
    const site = hasSiteArgument(args) ? reportArgs(args[0] as SiteRef) : await this.siteRefAtCursor();
    if (!site) {
      void vscode.window.showWarningMessage("Chameleon: no ML API call with a decision at the cursor.");
      return undefined;
    }
    const result = await this.forward("chameleon.showReport", [reportArgs(site)]);
    if (!isReport(result)) {
      // The server has said why (window/showMessage) when it sent an error.
      const hasError = result !== null && typeof result === "object" && "error" in result;
      if (!hasError) void vscode.window.showInformationMessage("Chameleon: this call has no customization report yet.");
      return result;
    }
    this.report.show(result, site.uri, site.line);
    return result;
  }

  private async cancelJob(args: unknown[]): Promise<unknown> {
    const given = args[0] as { jobId?: unknown } | undefined;
    let jobId = given && typeof given.jobId === "string" ? given.jobId : undefined;
    if (!jobId) {
      const running = this.jobs.running();
      if (running.length === 0) {
        void vscode.window.showInformationMessage("Chameleon: no customization job is running.");
        return undefined;
      }
      jobId =
        running.length === 1
          ? running[0].jobId
          : (
              await vscode.window.showQuickPick(
                running.map((j) => ({ label: j.jobId, description: statusText(j).replace(/^\$\([^)]*\)\s*/, "") })),
                { placeHolder: "Cancel which customization job?" },
              )
            )?.label;
      if (!jobId) return undefined;
    }
    return this.forward("chameleon.cancelJob", [{ jobId }]);
  }

  /**
   * The call site at the cursor, from the server's code lenses on the document, then (a customized
   * site's lens opens the report rather than customizing) from its code actions at the cursor.
   */
  private async siteAtCursor(): Promise<CustomizeArgs | undefined> {
    return this.pickAtCursor(pickCallSite);
  }

  private async siteRefAtCursor(): Promise<SiteRef | undefined> {
    return this.pickAtCursor(pickSiteRef);
  }

  private async pickAtCursor<T>(pick: (c: SiteCandidate[], cursor: number) => T | undefined): Promise<T | undefined> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) return undefined;
    const uri = editor.document.uri;
    const cursor = editor.selection.active.line;
    const candidates: SiteCandidate[] = [];
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>("vscode.executeCodeLensProvider", uri, 500)) ?? [];
    for (const lens of lenses) {
      if (lens.command) {
        candidates.push({ command: lens.command.command, args: lens.command.arguments, startLine: lens.range.start.line, endLine: lens.range.end.line });
      }
    }
    const site = pick(candidates, cursor);
    if (site) return site;
    const here = new vscode.Range(cursor, 0, cursor, 0);
    const actions =
      (await vscode.commands.executeCommand<Array<vscode.CodeAction | vscode.Command>>("vscode.executeCodeActionProvider", uri, here)) ?? [];
    for (const a of actions) {
      const cmd = typeof (a as vscode.Command).command === "string" ? (a as vscode.Command) : (a as vscode.CodeAction).command;
      if (cmd) candidates.push({ command: cmd.command, args: cmd.arguments, startLine: cursor, endLine: cursor });
    }
    return pick(candidates, cursor);
  }

  /** Other commands the server advertises (beyond the three above) are forwarded as they are. */
  private registerExtraServerCommands(client: ChameleonLanguageClient): void {
    this.disposeExtraCommands();
    const advertised = client.initializeResult?.capabilities.executeCommandProvider?.commands ?? [];
    for (const id of advertised) {
      if ((SERVER_COMMANDS as readonly string[]).includes(id)) continue;
      try {
        this.extraCommands.push(vscode.commands.registerCommand(id, (...args: unknown[]) => this.runServerCommand(id, args)));
      } catch (err) {
        this.serverLog.appendLine(`[client] cannot register server command ${id}: ${String(err)}`);
      }
    }
  }

  private disposeExtraCommands(): void {
    for (const d of this.extraCommands) d.dispose();
    this.extraCommands = [];
  }

  // ---------------------------------------------------------------- code lenses

  /** Ask VS Code to fetch the code lenses again (the server may also send workspace/codeLens/refresh). */
  private refreshCodeLenses(): void {
    const feature: any = this.client?.getFeature("textDocument/codeLens");
    for (const editor of vscode.window.visibleTextEditors) {
      try {
        feature?.getProviders?.(editor.document)?.onDidChangeCodeLensEmitter?.fire();
      } catch {
        /* no provider for this document */
      }
    }
  }

  // ---------------------------------------------------------------- status bar

  private renderServerItem(state: "starting" | "running" | "stopped"): void {
    const icon = { starting: "$(loading~spin)", running: "$(beaker)", stopped: "$(warning)" }[state];
    this.serverItem.text = state === "running" ? `${icon} Chameleon` : `${icon} Chameleon: server ${state}`;
    this.serverItem.tooltip = `Chameleon language server: ${state}\n${
      this.interpreter ? describeInterpreter(this.interpreter) : ""
    }\nClick to show its log.`;
  }

  async dispose(): Promise<void> {
    await this.stopClient();
    for (const d of this.disposables) d.dispose();
  }
}

let controller: Controller | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  controller = new Controller(context);
  context.subscriptions.push({ dispose: () => void controller?.dispose() });
  await controller.start();
}

export async function deactivate(): Promise<void> {
  await controller?.dispose();
  controller = undefined;
}
