/**
 * End-to-end test of the extension in the real VS Code workbench: code-server (VS Code 1.100 in the
 * browser) driven by Playwright through Debian's Chromium. Recipe: shared/guides/real-editors.md.
 *
 * Steps, each with a screenshot in the artifacts folder, stopping at the first failure:
 *   workbench   the workbench loads with the example app's folder
 *   activated   opening the app's Python file activates the extension (its status-bar item shows)
 *   server      the language server is running (the item reads "Chameleon", not "server stopped")
 *   codelens    a "Customize this API" code lens shows above the call
 *   hover       hovering the call shows its decision abstract
 *   settings    a changed `chameleon.dataset` reaches the server (the hover's vocabulary follows it to a
 *               stand-in vocabulary given through CHAMELEON_VOCABULARIES), and back when unset
 *   cancel      the "Customize this API" code lens starts a job, the palette's cancel command stops it:
 *               the status bar says cancelled, the lens offers customization again, no redirect written
 *   customize   "Chameleon: Customize this API" from the command palette, cursor on the call, starts a job
 *   progress    the job's progress appears in the status bar and its log (click on the item)
 *   customized  the job ends, the status bar says so and the code lens is refreshed
 *   config      `.chameleon/` is written in the app's folder
 *   report      the "customized" lens, then "Chameleon: Show customization report" from the palette, open
 *               the webview with the model, the before/after headline and the charts
 *   lightbulb   the light bulb's "Customize this API" starts another job; the running lens's "(cancel)"
 *               cancels it: the lens and .chameleon/ keep the first customization
 *   restart     the language server killed (SIGKILL) is restarted: a new process, the lens back, the log says so
 *   interpreter with chameleon.interpreter unset (it starts set in the workspace settings), the server runs on the Python extension's interpreter
 *               (an offline stand-in of its API, e2e/python-extension-stub) and follows a new selection
 *   crashloop   an interpreter that cannot run the server: restarts stop after 5 crashes, the status bar
 *               says so, an error offers the log; setting a good interpreter back brings the server back
 * `--through STEP` stops after STEP (e.g. `activated`, to prove the harness without a server).
 *
 * Writes `results.json` ({steps: [{name, status, detail, screenshot, seconds}]}) to the artifacts
 * folder; exits 0 only when every step that was asked for passed. Everything it starts (code-server,
 * the trainer service) is killed, by process group, before it exits.
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { Browser, Locator, Page, chromium } from "playwright-core";

export const STEPS = [
  "workbench",
  "activated",
  "server",
  "codelens",
  "hover",
  "settings",
  "cancel",
  "customize",
  "progress",
  "customized",
  "config",
  "report",
  "lightbulb",
  "restart",
  "interpreter",
  "crashloop",
] as const;
type StepName = (typeof STEPS)[number];

interface StepResult {
  name: StepName;
  status: "passed" | "failed" | "not-run";
  detail: string;
  screenshot?: string;
  seconds: number;
}

interface Options {
  app: string; // folder of the example app (copied to a scratch workspace)
  file: string; // file to open, relative to app
  token: string; // identifier of the API call to hover and put the cursor on
  hoverText: string; // texts the hover must contain, separated by "|"
  python: string;
  codeServer: string;
  vsix: string;
  artifacts: string;
  through: StepName;
  trainerUrl: string | null; // null: start `chameleon trainer serve` here
  jobTimeoutS: number;
}

/** The project's virtualenv when scripts/setup.sh made one, else python3 from PATH. */
function defaultPython(): string {
  const venv = process.env.CHAMELEON_VENV || path.join(os.homedir(), ".cache", "chameleon-api", "venv");
  const py = path.join(venv, "bin", "python");
  return fs.existsSync(py) ? py : "python3";
}

function parseArgs(argv: string[]): Options {
  const get = (flag: string, def?: string): string => {
    const i = argv.indexOf(flag);
    if (i >= 0 && i + 1 < argv.length) return argv[i + 1];
    if (def === undefined) throw new Error(`missing ${flag}`);
    return def;
  };
  const root = path.resolve(__dirname, "..", "..", "..");
  const through = get("--through", STEPS[STEPS.length - 1]) as StepName;
  if (!STEPS.includes(through)) throw new Error(`--through must be one of ${STEPS.join(", ")}`);
  return {
    app: path.resolve(get("--app", path.join(root, "examples"))),
    file: get("--file", "recycling_sorter.py"),
    token: get("--token", "label_detection"),
    hoverText: get("--hover-text", "google.vision.label_detection|Decision"),
    python: get("--python", process.env.CHAMELEON_PYTHON || defaultPython()),
    codeServer: get(
      "--code-server",
      path.join(os.homedir(), ".cache", "chameleon-api", "code-server", "node_modules", ".bin", "code-server"),
    ),
    vsix: path.resolve(get("--vsix", path.join(root, "vscode-client", "chameleon-api.vsix"))),
    artifacts: path.resolve(get("--artifacts", path.join(root, "test-artifacts", "vscode"))),
    through,
    trainerUrl: get("--trainer-url", "") || null,
    jobTimeoutS: Number(get("--job-timeout", "240")),
  };
}

// ------------------------------------------------------------------------------ processes

const started: ChildProcess[] = [];
/** The scratch folder of this run (workspace copy, user data, trainer data), removed at the end. */
let scratchDir: string | undefined;

function removeScratch(): void {
  if (scratchDir && !process.env.CHAMELEON_E2E_KEEP) fs.rmSync(scratchDir, { recursive: true, force: true });
}

function startProcess(cmd: string, args: string[], env: NodeJS.ProcessEnv, logFile: string, cwd?: string): ChildProcess {
  const out = fs.openSync(logFile, "a");
  // detached: a process group of its own, so the whole tree (extension host, language server,
  // trainer jobs) is killed with one signal.
  const child = spawn(cmd, args, { env, cwd, detached: true, stdio: ["ignore", out, out] });
  started.push(child);
  return child;
}

function killAll(): void {
  for (const child of started.reverse()) {
    if (child.pid === undefined || child.exitCode !== null) continue;
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      /* already gone */
    }
  }
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline && started.some((c) => c.exitCode === null && c.signalCode === null && alive(c.pid))) {
    spawnSync("sleep", ["0.1"]);
  }
  for (const child of started) {
    if (child.pid !== undefined && alive(child.pid)) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        /* gone */
      }
    }
  }
}

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url: string, timeoutMs: number, proc?: ChildProcess, headers: Record<string, string> = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    if (proc && proc.exitCode !== null) throw new Error(`${url}: the process exited with ${proc.exitCode}`);
    try {
      const res = await fetch(url, { headers, signal: AbortSignal.timeout(2000) });
      if (res.status < 500) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = String(err);
    }
    await sleep(250);
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms (${last})`);
}

/** Language-server processes in a process group (only the code-server this driver started). */
function languageServerPids(pgid: number): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // state ppid pgrp ...
      if (Number(fields[2]) !== pgid) continue;
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (cmd.includes("chameleon_server") && cmd.includes("lsp")) out.push(Number(entry));
    } catch {
      /* the process ended meanwhile */
    }
  }
  return out;
}

/** `rel` in the nearest ancestor of `dir` holding it (npm workspaces hoist packages to the root). */
function findUp(dir: string, rel: string): string {
  for (let d = dir; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, rel))) return path.join(d, rel);
    if (path.dirname(d) === d) throw new Error(`${rel} not found above ${dir}`);
  }
}

/** An output channel's text as VS Code writes it under the user-data logs (all of it, not just what is on screen). */
function channelText(userData: string, channel: string): string {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(`-${channel}.log`)) found.push(p);
    }
  };
  walk(path.join(userData, "logs"));
  return found.map((f) => fs.readFileSync(f, "utf8")).join("\n");
}

/** Job options for the jobs the test cancels: tiny data, but enough epochs to still be running. */
const LONG_JOB = { tiny: true, epochs: 3000 };

/** The stand-in vocabulary the "settings" step selects with chameleon.dataset. */
const E2E_DATASET = "e2e-stand-in";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ------------------------------------------------------------------------------ the workbench

/** Text of the status-bar entries the extension owns (matched by their text). */
async function statusTexts(page: Page): Promise<string[]> {
  return page.locator("#workbench\\.parts\\.statusbar .statusbar-item").allInnerTexts();
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr = "";
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      lastErr = ` (${String(err).split("\n")[0]})`;
    }
    await sleep(250);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastErr}`);
}

async function runPalette(page: Page, title: string): Promise<void> {
  await page.keyboard.press("F1");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ state: "visible", timeout: 10_000 });
  await input.fill(`>${title}`);
  const row = page.locator(".quick-input-list .monaco-list-row", { hasText: title }).first();
  await row.waitFor({ state: "visible", timeout: 10_000 });
  await page.keyboard.press("Enter");
}

/** The editor line span holding `token`, in the visible editor. */
function tokenSpan(page: Page, token: string): Locator {
  return page.locator(".monaco-editor .view-lines .view-line span span", { hasText: token }).first();
}

async function codeLensTexts(page: Page): Promise<string[]> {
  return page.locator(".monaco-editor .codelens-decoration").allInnerTexts();
}

async function main(): Promise<number> {
  const opt = parseArgs(process.argv.slice(2));
  fs.rmSync(opt.artifacts, { recursive: true, force: true });
  fs.mkdirSync(opt.artifacts, { recursive: true });
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "chameleon-vscode-e2e-"));
  scratchDir = scratch;
  const ws = path.join(scratch, path.basename(opt.app));
  fs.cpSync(opt.app, ws, { recursive: true, filter: (src) => !/(^|\/)(\.chameleon|__pycache__)(\/|$)/.test(src) });
  const results: StepResult[] = STEPS.slice(0, STEPS.indexOf(opt.through) + 1).map((name) => ({
    name,
    status: "not-run",
    detail: "",
    seconds: 0,
  }));
  const writeResults = () =>
    fs.writeFileSync(path.join(opt.artifacts, "results.json"), JSON.stringify({ app: opt.app, file: opt.file, steps: results }, null, 2));
  writeResults();

  let browser: Browser | undefined;
  let page: Page | undefined;
  let shot = 0;
  const screenshot = async (name: string): Promise<string | undefined> => {
    if (!page) return undefined;
    const file = path.join(opt.artifacts, `${String(++shot).padStart(2, "0")}-${name}.png`);
    try {
      await page.screenshot({ path: file, timeout: 10_000 });
      return path.basename(file);
    } catch {
      return undefined;
    }
  };
  const step = async (name: StepName, fn: () => Promise<string>): Promise<boolean> => {
    const r = results.find((x) => x.name === name);
    if (!r) return false; // beyond --through
    const t0 = Date.now();
    try {
      r.detail = await fn();
      r.status = "passed";
    } catch (err) {
      r.status = "failed";
      r.detail = err instanceof Error ? err.message : String(err);
    }
    r.seconds = Math.round((Date.now() - t0) / 100) / 10;
    r.screenshot = await screenshot(`${name}${r.status === "failed" ? "-FAILED" : ""}`);
    console.log(`[e2e] ${name}: ${r.status} (${r.seconds} s) ${r.detail}`);
    writeResults();
    return r.status === "passed";
  };

  try {
    // -------------------------------------------------------------- the trainer service
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      XDG_CONFIG_HOME: path.join(scratch, "xdg-config"),
      XDG_DATA_HOME: path.join(scratch, "xdg-data"),
      CHAMELEON_LSP_LOG: path.join(opt.artifacts, "lsp-server.log"),
      // An extra vocabulary the "settings" step switches chameleon.dataset to (searched before the packaged ones).
      CHAMELEON_VOCABULARIES: path.join(scratch, "vocabularies"),
    };
    fs.mkdirSync(path.join(scratch, "vocabularies"));
    fs.writeFileSync(path.join(scratch, "vocabularies", `${E2E_DATASET}.json`), JSON.stringify(["Food", "Plastic", "Glass", "Paper", "Shoe"]));
    const tokenFile = path.join(scratch, "trainer-token");
    fs.writeFileSync(tokenFile, "e2e-" + Math.random().toString(36).slice(2) + "\n", { mode: 0o600 });
    let trainerUrl = opt.trainerUrl;
    const needTrainer = STEPS.indexOf(opt.through) >= STEPS.indexOf("customize");
    if (!trainerUrl && needTrainer) {
      const port = await freePort();
      trainerUrl = `http://127.0.0.1:${port}`;
      const token = fs.readFileSync(tokenFile, "utf8").trim();
      const trainer = startProcess(
        opt.python,
        ["-m", "chameleon_server", "trainer", "serve", "--host", "127.0.0.1", "--port", String(port), "--data-dir", path.join(scratch, "trainer"), "--token", token],
        env,
        path.join(opt.artifacts, "trainer.log"),
      );
      // Started now, awaited before "customize": it loads while the workbench does.
      void waitForHttp(`${trainerUrl}/healthz`, 60_000, trainer).catch(() => undefined);
    }

    // -------------------------------------------------------------- code-server with the extension
    const ud = path.join(scratch, "user-data");
    const ext = path.join(scratch, "extensions");
    fs.mkdirSync(path.join(ud, "User"), { recursive: true });
    fs.mkdirSync(ext, { recursive: true });
    const settings = {
      "telemetry.telemetryLevel": "off",
      "workbench.startupEditor": "none",
      "workbench.tips.enabled": false,
      "workbench.enableExperiments": false,
      "security.workspace.trust.enabled": false,
      "extensions.autoCheckUpdates": false,
      "extensions.autoUpdate": false,
      "update.mode": "none",
      "editor.hover.delay": 200,
      "editor.minimap.enabled": false,
      "chameleon.trainerUrl": trainerUrl,
      "chameleon.tokenFile": tokenFile,
      "chameleon.jobOptions": { tiny: true },
      "chameleon.trace.server": "off", // on, the trace would push the restart line out of the rendered log
    };
    fs.writeFileSync(path.join(ud, "User", "settings.json"), JSON.stringify(settings, null, 2));
    // chameleon.interpreter is machine-overridable, like python.defaultInterpreterPath: in a remote
    // window (code-server is one) VS Code does not apply it from the local user settings once they
    // are edited; the workspace settings are where it applies.
    const workspaceSettings = { "chameleon.interpreter": opt.python };
    fs.mkdirSync(path.join(ws, ".vscode"), { recursive: true });
    fs.writeFileSync(path.join(ws, ".vscode", "settings.json"), JSON.stringify(workspaceSettings, null, 2));
    // The Python extension's API, from an offline stand-in (the real one cannot be installed here),
    // packed like any extension and installed beside ours.
    const stubVsix = path.join(scratch, "python-extension-stub.vsix");
    const pack = spawnSync(
      process.execPath,
      [findUp(__dirname, "node_modules/@vscode/vsce/vsce"), "package", "--allow-missing-repository", "--skip-license", "-o", stubVsix],
      { cwd: path.resolve(__dirname, "..", "..", "e2e", "python-extension-stub"), encoding: "utf8", timeout: 60_000 },
    );
    if (pack.status !== 0) throw new Error(`packing the Python extension stand-in failed: ${pack.stdout}${pack.stderr}`);
    const install = spawnSync(
      opt.codeServer,
      ["--user-data-dir", ud, "--extensions-dir", ext, "--install-extension", opt.vsix, "--install-extension", stubVsix],
      { env, encoding: "utf8", timeout: 120_000 },
    );
    fs.writeFileSync(path.join(opt.artifacts, "install-extension.log"), `${install.stdout}\n${install.stderr}`);
    if (install.status !== 0) throw new Error(`code-server --install-extension failed (${install.status}): ${install.stderr}`);
    const altPython = path.join(scratch, "alt-python");
    fs.writeFileSync(altPython, `#!/bin/sh\nexec ${JSON.stringify(opt.python)} "$@"\n`, { mode: 0o755 });
    env.CHAMELEON_E2E_PYTHON = opt.python;
    env.CHAMELEON_E2E_PYTHON_ALT = altPython;

    const port = await freePort();
    const cfg = path.join(scratch, "code-server.yaml");
    fs.writeFileSync(cfg, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
    const cs = startProcess(
      opt.codeServer,
      [
        "--config", cfg,
        "--bind-addr", `127.0.0.1:${port}`,
        "--auth", "none",
        "--user-data-dir", ud,
        "--extensions-dir", ext,
        "--disable-telemetry",
        "--disable-update-check",
        "--disable-workspace-trust",
        "--disable-getting-started-override",
        ws,
      ],
      env,
      path.join(opt.artifacts, "code-server.log"),
    );
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, 60_000, cs);

    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
      args: [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
      ],
      timeout: 60_000,
    });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    page = await context.newPage();

    // -------------------------------------------------------------- the steps
    // Edit the user settings as a user would: the settings.json editor, typed, saved, closed; then
    // back to the app's file.
    const settingsSent = () => channelText(ud, "Chameleon Language Server").split("[client] settings changed:").length;
    const editSettings = async (values: Record<string, unknown>, scope: "User" | "Workspace" = "User") => {
      const sentBefore = settingsSent();
      await runPalette(page!, `Preferences: Open ${scope} Settings (JSON)`);
      await page!.locator(".tabs-container .tab.active", { hasText: "settings.json" }).waitFor({ timeout: 15_000 });
      // Type into the settings editor itself: the active group's editor (another group may hold the app).
      await page!.locator(".editor-group-container.active .editor-instance .monaco-editor .view-lines").first().click();
      await page!.keyboard.press("Control+A");
      await page!.keyboard.press("Delete");
      await page!.keyboard.insertText(JSON.stringify(values, null, 1));
      // Auto-closed brackets/quotes may trail the cursor: drop everything after it.
      await page!.keyboard.press("Control+Shift+End");
      await page!.keyboard.press("Delete");
      await page!.keyboard.press("Control+S");
      await page!.locator(".tabs-container .tab.active.dirty").waitFor({ state: "detached", timeout: 10_000 });
      await page!.keyboard.press("Control+W");
      await page!.locator(".tabs-container .tab", { hasText: "settings.json" }).waitFor({ state: "detached", timeout: 10_000 });
      const fileTab = `.tabs-container .tab[data-resource-name=${JSON.stringify(path.basename(opt.file))}]`;
      await page!.locator(fileTab).first().click();
      await page!.locator(`${fileTab}.active`).first().waitFor({ timeout: 10_000 });
      // User settings here always change a mirrored one: wait until the extension has sent them, so
      // the next action (a job submission) cannot overtake them.
      if (scope === "User") await waitFor("the extension to send the new settings", 15_000, async () => (settingsSent() > sentBefore ? true : undefined));
    };
    const ok =
      (await step("workbench", async () => {
        await page!.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}`, { timeout: 60_000 });
        await page!.locator(".monaco-workbench").waitFor({ timeout: 90_000 });
        await page!.locator(".explorer-folders-view .monaco-list-row").first().waitFor({ timeout: 60_000 });
        return `workbench loaded with ${ws}`;
      })) &&
      (await step("activated", async () => {
        // The file may sit in a folder: open it with Quick Open, which finds it anywhere.
        const row = page!.locator(".explorer-folders-view .monaco-list-row", { hasText: path.basename(opt.file) }).first();
        if (!opt.file.includes("/") && (await row.count()) > 0) await row.click();
        else {
          await page!.keyboard.press("Control+P");
          const input = page!.locator(".quick-input-widget input");
          await input.waitFor({ state: "visible", timeout: 10_000 });
          await input.fill(opt.file);
          await page!.locator(".quick-input-list .monaco-list-row", { hasText: path.basename(opt.file) }).first().waitFor({ timeout: 20_000 });
          await page!.keyboard.press("Enter");
        }
        await tokenSpan(page!, opt.token).waitFor({ timeout: 30_000 });
        const item = await waitFor("the Chameleon status-bar item", 60_000, async () =>
          (await statusTexts(page!)).find((t) => t.includes("Chameleon")),
        );
        return `status bar: "${item.trim()}"`;
      })) &&
      (await step("server", async () => {
        const item = await waitFor("the language server to run", 60_000, async () => {
          const t = (await statusTexts(page!)).find((x) => x.includes("Chameleon"));
          if (t && /server stopped/.test(t)) throw new Error(`status bar: "${t.trim()}"`);
          return t && !/server (starting|stopped)/.test(t) ? t : undefined;
        });
        return `status bar: "${item.trim()}"`;
      })) &&
      (await step("codelens", async () => {
        const lenses = await waitFor('a "Customize this API" code lens', 60_000, async () => {
          const all = await codeLensTexts(page!);
          return all.some((t) => t.includes("Customize this API")) ? all : undefined;
        });
        return `code lenses: ${lenses.map((t) => JSON.stringify(t.trim())).join(", ")}`;
      })) &&
      (await step("hover", async () => {
        // Several hover parts may exist (diagnostics, the abstract); read every visible one.
        const hovers = page!.locator(".monaco-hover-content").filter({ visible: true });
        const text = await waitFor(`a hover containing ${JSON.stringify(opt.hoverText.split("|"))}`, 45_000, async () => {
          // The first hover can come before the server answers: move away and back.
          await page!.mouse.move(5, 5);
          await sleep(300);
          await tokenSpan(page!, opt.token).hover();
          await hovers.first().waitFor({ state: "visible", timeout: 4_000 });
          await sleep(300);
          const t = (await hovers.allInnerTexts()).join("\n");
          return opt.hoverText.split("|").every((want) => t.includes(want)) ? t : undefined;
        });
        // The abstract starts on the line before "Decision" (the api · task header); diagnostics come first.
        const decision = text.indexOf("Decision");
        const header = text.lastIndexOf(opt.hoverText.split("|")[0], decision);
        const abstract = header >= 0 ? text.slice(header) : text;
        return `hover: ${JSON.stringify(abstract.slice(0, 600))}`;
      })) &&
      (await step("settings", async () => {
        const hoverVocabulary = async (want: string) =>
          waitFor(`the hover to show "Vocabulary: ${want}"`, 30_000, async () => {
            await page!.mouse.move(5, 5);
            await sleep(300);
            await tokenSpan(page!, opt.token).hover();
            const hovers = page!.locator(".monaco-hover-content").filter({ visible: true });
            await hovers.first().waitFor({ state: "visible", timeout: 4_000 });
            await sleep(200);
            const line = (await hovers.allInnerTexts()).join("\n").split("\n").find((l) => l.startsWith("Vocabulary:"));
            return line && line.startsWith(`Vocabulary: ${want}`) ? line : undefined;
          });
        const before = await hoverVocabulary("");
        const original = before.replace(/^Vocabulary: (\S+).*$/, "$1");
        const other = E2E_DATASET;
        await editSettings({ ...settings, "chameleon.dataset": other });
        const changed = await hoverVocabulary(other);
        const saved = JSON.parse(fs.readFileSync(path.join(ud, "User", "settings.json"), "utf8"));
        if (saved["chameleon.dataset"] !== other) throw new Error(`settings.json was not saved as typed: ${JSON.stringify(saved)}`);
        await editSettings(settings);
        const back = await hoverVocabulary(original);
        await page!.mouse.move(5, 5);
        return `${JSON.stringify(before)} -> chameleon.dataset="${other}": ${JSON.stringify(changed)} -> unset: ${JSON.stringify(back)}`;
      })) &&
      (await step("cancel", async () => {
        if (trainerUrl) await waitForHttp(`${trainerUrl}/healthz`, 60_000);
        // A job long enough to be cancelled for sure (a tiny one can finish within a second).
        await editSettings({ ...settings, "chameleon.jobOptions": LONG_JOB });
        await page!.locator(".monaco-editor .codelens-decoration a", { hasText: "Customize this API" }).first().click();
        const running = await waitFor("a job in the status bar", 30_000, async () =>
          (await statusTexts(page!)).find((x) => /Chameleon: (?!server|customized|cancelled|customization failed)/.test(x)),
        );
        await runPalette(page!, "Chameleon: Cancel the running customization job");
        const t = await waitFor("the status bar to say cancelled", 60_000, async () => {
          const x = (await statusTexts(page!)).find((y) => /Chameleon: (customized|cancelled|customization failed)/.test(y));
          if (x && !x.includes("cancelled")) throw new Error(`the job was not cancelled: "${x.trim()}"`);
          return x;
        });
        const lenses = await waitFor('the lens to offer "Customize this API" again', 30_000, async () => {
          const all = await codeLensTexts(page!);
          return all.some((x) => x.includes("Customize this API")) ? all : undefined;
        });
        if (fs.existsSync(path.join(ws, ".chameleon", "redirect.json"))) throw new Error("a cancelled job wrote .chameleon/redirect.json");
        await editSettings(settings);
        return `lens -> "${running.trim()}" -> palette cancel -> "${t.trim()}"; lens ${JSON.stringify(lenses.map((x) => x.trim()))}; no redirect.json`;
      })) &&
      (await step("customize", async () => {
        await page!.mouse.move(5, 5);
        await page!.keyboard.press("Escape");
        await tokenSpan(page!, opt.token).click(); // the cursor on the call: the palette command picks it
        // The server's code action ("Customize this API") puts a light bulb on the call's line.
        await page!.locator(".monaco-editor .lightBulbWidget, .monaco-editor .codicon-light-bulb").first().waitFor({ state: "visible", timeout: 15_000 });
        await runPalette(page!, "Chameleon: Customize this API");
        const t = await waitFor("a customization job in the status bar", 60_000, async () =>
          (await statusTexts(page!)).find((x) => /Chameleon: (?!server|customized|cancelled|customization failed)/.test(x)),
        );
        return `light bulb on the call; status bar: "${t.trim()}"`;
      })) &&
      (await step("progress", async () => {
        // Running states show a percentage: watch the status bar until one between 0 and 100 % shows
        // (or the job ends); the job log (opened by clicking the item) keeps every update.
        const seen: string[] = [];
        const deadline = Date.now() + opt.jobTimeoutS * 1000;
        let midway = false;
        let native: string | undefined; // the server's $/progress, shown by VS Code itself
        while (Date.now() < deadline && !(midway && native)) {
          const texts = await statusTexts(page!);
          native ??= texts.find((t) => t.trim().startsWith("Customizing "))?.trim();
          for (const t of texts) {
            const m = /Chameleon: .*?(\d+)%/.exec(t);
            if (m && !seen.includes(t.trim())) seen.push(t.trim());
            if (m && Number(m[1]) > 0 && Number(m[1]) < 100) midway = true;
          }
          if (texts.some((x) => /Chameleon: (customized|customization failed|cancelled)/.test(x))) break;
          await sleep(100);
        }
        if (seen.length === 0) throw new Error("the status bar never showed a running job's percentage");
        if (!native) throw new Error("VS Code never showed the server's work-done progress (\"Customizing ...\")");
        // A click on the item opens the job log...
        await page!.locator("#workbench\\.parts\\.statusbar .statusbar-item", { hasText: /Chameleon: (?!server)/ }).first().click();
        const shown = await waitFor("the job log in the Output panel", 30_000, async () => {
          const t = (await page!.locator(".panel .monaco-editor .view-lines").first().innerText()).replace(/\u00a0/g, " ");
          return /job \S+ (queued|running|succeeded)/.test(t) ? t : undefined;
        });
        // ...which holds every update: at least two running ones with step/total and a percentage.
        const runningLine = /job \S+ running \S+ \d+\/\d+ \(\d+%\)/;
        let lastLog = "";
        const logText = await waitFor("progress lines in the job log", 30_000, async () => {
          lastLog = channelText(ud, "Chameleon Jobs");
          return lastLog.split("\n").filter((l) => runningLine.test(l)).length >= 2 ? lastLog : undefined;
        }).catch((err) => {
          throw new Error(`${err instanceof Error ? err.message : err}; the log: ${JSON.stringify(lastLog.slice(-1500))}`);
        });
        void shown;
        const lines = logText.split("\n").filter((l) => runningLine.test(l));
        return `native progress ${JSON.stringify(native)}; status bar showed ${JSON.stringify(seen)}${midway ? "" : " (the job passed 0-100 % between two looks)"}; job log (running lines): ${JSON.stringify(lines.slice(0, 8))}`;
      })) &&
      (await step("customized", async () => {
        const t = await waitFor("the job to end", opt.jobTimeoutS * 1000, async () => {
          const x = (await statusTexts(page!)).find((s) => /Chameleon: (customized|customization failed|cancelled)/.test(s));
          if (x && !/customized/.test(x)) {
            const log = (await page!.locator(".panel .monaco-editor .view-lines").first().innerText().catch(() => "")).replace(/\u00a0/g, " ");
            throw new Error(`status bar: "${x.trim()}"; job log: ${log.slice(-600)}`);
          }
          return x;
        });
        // Bring the editor back and wait for the refreshed lens.
        await page!.keyboard.press("Control+J").catch(() => undefined);
        const lenses = await waitFor('the code lens to change from "Customize this API" to "customized"', 30_000, async () => {
          const all = await codeLensTexts(page!);
          return all.some((s) => s.includes("customized")) && !all.some((s) => s.includes("Customize this API")) ? all : undefined;
        });
        return `status bar: "${t.trim()}"; code lenses: ${lenses.map((s) => JSON.stringify(s.trim())).join(", ")}`;
      })) &&
      (await step("config", async () => {
        const dir = path.join(ws, ".chameleon");
        if (!fs.existsSync(dir)) throw new Error(`${dir} was not written`);
        const files = fs.readdirSync(dir);
        const redirect = path.join(dir, "redirect.json");
        if (!fs.existsSync(redirect)) throw new Error(`.chameleon/ holds ${files.join(", ")} but no redirect.json`);
        const body = fs.readFileSync(redirect, "utf8");
        if (!body.includes(path.basename(opt.file))) throw new Error(`redirect.json does not name ${opt.file}: ${body.slice(0, 400)}`);
        fs.copyFileSync(redirect, path.join(opt.artifacts, "redirect.json"));
        return `.chameleon/ holds ${files.join(", ")}; redirect.json: ${body.replace(/\s+/g, " ").slice(0, 300)}`;
      })) &&
      (await step("report", async () => {
        const frame = page!.frameLocator("iframe.webview").frameLocator("#active-frame");
        const reportModel = () =>
          waitFor("the report webview", 30_000, async () => {
            const t = await frame.locator("#model").innerText({ timeout: 2_000 });
            return /Model: \S+/.test(t) && !t.includes("none yet") ? t : undefined;
          });
        // From the "customized" code lens (the server's showReport command with its site argument)...
        await page!.locator(".monaco-editor .codelens-decoration a", { hasText: "customized" }).first().click();
        const fromLens = await reportModel();
        const tab = page!.locator(".tabs-container .tab", { hasText: "Customization report" }).first();
        await tab.locator(".codicon-close").click();
        await tab.waitFor({ state: "detached", timeout: 10_000 });
        // ...and from the palette, for the call at the cursor.
        await tokenSpan(page!, opt.token).click();
        await runPalette(page!, "Chameleon: Show customization report");
        const model = await reportModel();
        if (model !== fromLens) throw new Error(`the lens showed "${fromLens}", the palette "${model}"`);
        const images = await frame.locator("img").count();
        const head = await frame.locator("#headline").innerText({ timeout: 5_000 }).catch(() => "");
        const metrics = await frame.locator("#metrics").innerText();
        if (images < 1) throw new Error(`the report shows no chart (model ${model}; metrics ${metrics})`);
        if (!/Incorrect decisions: generic [\d.]+% → customized [\d.]+%/.test(head)) throw new Error(`no before/after headline: "${head}"`);
        return `lens and palette: ${model.trim()}; ${head.trim()}; ${images} chart(s); metrics: ${metrics.replace(/\s+/g, " ").slice(0, 300)}`;
      })) &&
      (await step("lightbulb", async () => {
        const redirect = fs.readFileSync(path.join(ws, ".chameleon", "redirect.json"), "utf8");
        await editSettings({ ...settings, "chameleon.jobOptions": LONG_JOB });
        await tokenSpan(page!, opt.token).click();
        await page!.locator(".monaco-editor .lightBulbWidget").first().click();
        // The menu opens with its only action focused ("Enter to Apply"); apply it with the keyboard
        // (a pointer click on the row timed out in headless Chromium here).
        await page!.locator('.action-widget .monaco-list-row.action.focused[aria-label="Customize this API"]').waitFor({ timeout: 10_000 });
        await page!.keyboard.press("Enter");
        // Applying the action can scroll the editor: bring the call's line (and its lens) back into view.
        const callLine = JSON.parse(redirect).entries[0].line as number;
        await page!.keyboard.press("Control+G");
        await page!.locator(".quick-input-widget input").waitFor({ state: "visible", timeout: 10_000 });
        await page!.keyboard.insertText(String(callLine));
        await page!.keyboard.press("Enter");
        const running = await waitFor('the running lens "customizing… (cancel)"', 30_000, async () =>
          (await codeLensTexts(page!)).find((x) => x.includes("(cancel)")),
        );
        await page!.locator(".monaco-editor .codelens-decoration a", { hasText: "(cancel)" }).first().click();
        const t = await waitFor("the status bar to say cancelled", 60_000, async () => {
          const x = (await statusTexts(page!)).find((y) => /Chameleon: (customized|cancelled|customization failed)/.test(y));
          if (x && !x.includes("cancelled")) throw new Error(`the job was not cancelled: "${x.trim()}"`);
          return x;
        });
        const lenses = await waitFor("the lens to show the earlier customization again", 30_000, async () => {
          const all = await codeLensTexts(page!);
          return all.some((x) => x.includes("customized")) && !all.some((x) => x.includes("customizing")) ? all : undefined;
        });
        if (fs.readFileSync(path.join(ws, ".chameleon", "redirect.json"), "utf8") !== redirect) {
          throw new Error("a cancelled job changed .chameleon/redirect.json");
        }
        await editSettings(settings);
        return `light bulb -> lens ${JSON.stringify(running.trim())} -> (cancel) -> "${t.trim()}"; lens ${JSON.stringify(lenses.map((x) => x.trim()))}; redirect.json unchanged`;
      })) &&
      (await step("restart", async () => {
        const before = languageServerPids(cs.pid!);
        if (before.length !== 1) throw new Error(`expected one language server process, found ${JSON.stringify(before)}`);
        process.kill(before[0], "SIGKILL");
        const after = await waitFor("a new language server process", 30_000, async () => {
          const now = languageServerPids(cs.pid!).filter((p) => !before.includes(p));
          return now.length > 0 ? now : undefined;
        });
        await waitFor("the status bar to show the server running again", 30_000, async () => {
          const t = (await statusTexts(page!)).find((x) => x.includes("Chameleon") && !x.includes("Chameleon: c"));
          return t && !/server (starting|stopped)/.test(t) ? t : undefined;
        });
        await page!.locator(".monaco-editor .view-lines").first().click();
        const lenses = await waitFor("the code lens from the restarted server", 30_000, async () => {
          const all = await codeLensTexts(page!);
          return all.some((x) => x.includes("customized")) ? all : undefined;
        });
        await runPalette(page!, "Chameleon: Show language server log");
        const line = await waitFor("the restart in the server log", 15_000, async () => {
          const t = (await page!.locator(".panel .monaco-editor .view-lines").first().innerText()).replace(/\u00a0/g, " ");
          return t.split("\n").find((l) => l.includes("exited; restarting"));
        });
        return `killed ${before[0]}, restarted as ${after.join(",")}; lens ${JSON.stringify(lenses.map((x) => x.trim()))}; log: ${line.trim()}`;
      })) &&
      (await step("interpreter", async () => {
        const serverLog = async () => {
          await runPalette(page!, "Chameleon: Show language server log");
          return (await page!.locator(".panel .monaco-editor .view-lines").first().innerText()).replace(/\u00a0/g, " ");
        };
        const startedWith = (cmd: string) => {
          const want = `starting ${cmd} -m chameleon_server lsp --stdio (interpreter from the Python extension)`;
          const squash = (x: string) => x.replace(/\s+/g, ""); // the output view wraps long lines
          return waitFor(`the server started with ${cmd} from the Python extension`, 30_000, async () =>
            squash(await serverLog()).includes(squash(want)) ? want : undefined,
          );
        };
        const running = () =>
          waitFor("the server running", 30_000, async () => {
            const t = (await statusTexts(page!)).find((x) => x.includes("Chameleon") && !x.includes("Chameleon: c"));
            return t && !/server (starting|stopped)/.test(t) ? t : undefined;
          });
        // chameleon.interpreter unset (removed from the workspace settings): the interpreter selected
        // in the Python extension.
        await editSettings({}, "Workspace");
        const first = await startedWith(opt.python);
        await running();
        // The user picks another interpreter in the Python extension: the server follows.
        await runPalette(page!, "Python stand-in: Select the alternative interpreter");
        const second = await startedWith(altPython);
        await running();
        const pids = languageServerPids(cs.pid!);
        const lenses = await waitFor("the code lens from the server on the new interpreter", 30_000, async () => {
          const all = await codeLensTexts(page!);
          return all.some((x) => x.includes("customized")) ? all : undefined;
        });
        return `${first.trim()} | ${second.trim()} | ${pids.length} server process(es); lens ${JSON.stringify(lenses.map((x) => x.trim()))}`;
      })) &&
      (await step("crashloop", async () => {
        const bad = path.join(scratch, "python-without-chameleon");
        const launches = path.join(scratch, "bad-interpreter-launches");
        fs.writeFileSync(bad, `#!/bin/sh\necho x >> ${JSON.stringify(launches)}\necho 'No module named chameleon_server' >&2\nexit 1\n`, { mode: 0o755 });
        await editSettings({ "chameleon.interpreter": bad }, "Workspace");
        const stopped = await waitFor("the status bar to say the server stopped", 60_000, async () =>
          (await statusTexts(page!)).find((x) => x.includes("Chameleon: server stopped")),
        );
        // The error offers the log and a restart (read it in the notification centre: toasts come and go).
        await runPalette(page!, "Notifications: Show Notifications");
        const note = page!.locator(".notifications-center .notification-list-item", { hasText: "Chameleon: the language server" }).first();
        await note.waitFor({ state: "visible", timeout: 15_000 });
        const message = (await note.innerText()).replace(/\s+/g, " ").trim();
        if (!/Show log/.test(message) || !/Restart/.test(message)) throw new Error(`the error offers no log/restart: "${message}"`);
        // One message, not one per failed attempt (nor the client library's raw errors).
        const all = (await page!.locator(".notifications-center .notification-list-item").allInnerTexts()).map((x) => x.replace(/\s+/g, " "));
        const ours = all.filter((x) => x.includes("Chameleon: the language server"));
        const raw = all.filter((x) => /EPIPE|Pending response|Cannot call write|couldn't create connection|Restarting server failed|initialization failed/i.test(x));
        if (ours.length !== 1 || raw.length > 0) throw new Error(`noisy notifications: ${JSON.stringify(all)}`);
        const shot = await screenshot("crashloop-gave-up");
        await page!.keyboard.press("Escape");
        await runPalette(page!, "Chameleon: Show language server log");
        const log = (await page!.locator(".panel .monaco-editor .view-lines").first().innerText()).replace(/\u00a0/g, " ");
        const squashed = log.replace(/\s+/g, "");
        if (!squashed.includes("keepsexiting;notrestartingitagain")) throw new Error(`no give-up line in the log: ${log.slice(-800)}`);
        // Bounded: the first start plus 5 restarts (RestartPolicy's default), then no more launches.
        const count = () => (fs.existsSync(launches) ? fs.readFileSync(launches, "utf8").split("\n").filter(Boolean).length : 0);
        const launched = count();
        if (launched !== 6) throw new Error(`the bad interpreter was launched ${launched} times (expected 1 + 5 restarts)`);
        await sleep(3000);
        if (count() !== launched) throw new Error(`still launching after giving up: ${launched} -> ${count()}`);
        // Back to a working interpreter: the server comes back.
        await editSettings(workspaceSettings, "Workspace");
        const back = await waitFor("the server running again", 60_000, async () => {
          const t = (await statusTexts(page!)).find((x) => x.includes("Chameleon") && !x.includes("Chameleon: c"));
          return t && !/server (starting|stopped)/.test(t) ? t : undefined;
        });
        return `"${stopped.trim()}"; notification "${message}" (${shot}); launched ${launched} times, then it gave up (no launch in the next 3 s); good interpreter again: "${back.trim()}"`;
      }));
    void ok;
  } catch (err) {
    const r = results.find((x) => x.status === "not-run");
    if (r) {
      r.status = "failed";
      r.detail = `harness: ${err instanceof Error ? err.message : String(err)}`;
      r.screenshot = await screenshot(`${r.name}-FAILED`);
    }
    console.error(`[e2e] harness error: ${String(err)}`);
  } finally {
    writeResults();
    await browser?.close().catch(() => undefined);
    killAll();
    removeScratch();
  }
  return results.every((r) => r.status === "passed") ? 0 : 1;
}

// Whatever happens, nothing started here outlives the driver: a watchdog under the caller's timeout
// (pytest gives 600 s), and the same clean-up on SIGTERM / SIGINT.
const WATCHDOG_S = Number(process.env.CHAMELEON_E2E_WATCHDOG_S || 480);
setTimeout(() => {
  console.error(`[e2e] watchdog: still running after ${WATCHDOG_S} s; stopping everything`);
  killAll();
  removeScratch();
  process.exit(3);
}, WATCHDOG_S * 1000).unref();
for (const sig of ["SIGTERM", "SIGINT"] as const) {
  process.on(sig, () => {
    killAll();
    removeScratch();
    process.exit(128 + (sig === "SIGTERM" ? 15 : 2));
  });
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    killAll();
    process.exit(2);
  },
);
