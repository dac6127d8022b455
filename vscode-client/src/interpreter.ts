/**
 * Which Python runs the language server. Pure: the extension gathers the inputs (the
 * `chameleon.interpreter` setting, what the ms-python extension reports) and this decides.
 *
 * Order: an explicit `chameleon.interpreter` wins (the user asked for it by name for this tool);
 * otherwise the interpreter selected in the Python extension when it is installed; otherwise
 * `python3` from PATH.
 */

export type InterpreterSource = "setting" | "python-extension" | "default";

export interface Interpreter {
  command: string;
  /** Arguments before the module invocation, e.g. `["run", "-n", "env", "python"]` after `conda`. */
  prefixArgs: string[];
  source: InterpreterSource;
}

export const DEFAULT_INTERPRETER = "python3";

/** The server is started as a module so it does not depend on the `chameleon` script being on PATH. */
export const SERVER_MODULE_ARGS = ["-m", "chameleon_server", "lsp", "--stdio"];

export interface InterpreterInputs {
  /** The `chameleon.interpreter` setting as read (may be empty or undefined). */
  setting?: unknown;
  /**
   * What the Python extension reports: `environments.resolveEnvironment(...).executable.uri.fsPath`
   * (a path), or the legacy `settings.getExecutionDetails(...).execCommand` (an argv array).
   */
  pythonExtension?: string | string[] | null;
  /** Expand `${workspaceFolder}` and `~` in the setting. */
  workspaceFolder?: string;
  home?: string;
}

export function expandVariables(value: string, workspaceFolder?: string, home?: string): string {
  let out = value;
  if (workspaceFolder !== undefined) out = out.split("${workspaceFolder}").join(workspaceFolder);
  if (home !== undefined && (out === "~" || out.startsWith("~/"))) out = home + out.slice(1);
  return out;
}

export function resolveInterpreter(inputs: InterpreterInputs): Interpreter {
  if (typeof inputs.setting === "string" && inputs.setting.trim() !== "") {
    return {
      command: expandVariables(inputs.setting.trim(), inputs.workspaceFolder, inputs.home),
      prefixArgs: [],
      source: "setting",
    };
  }
  const ext = inputs.pythonExtension;
  if (typeof ext === "string" && ext.trim() !== "") {
    return { command: ext.trim(), prefixArgs: [], source: "python-extension" };
  }
  if (Array.isArray(ext) && ext.length > 0 && typeof ext[0] === "string" && ext[0].trim() !== "") {
    return { command: ext[0], prefixArgs: ext.slice(1), source: "python-extension" };
  }
  return { command: DEFAULT_INTERPRETER, prefixArgs: [], source: "default" };
}

/** The full argv of the server process for an interpreter. */
export function serverArgv(interp: Interpreter): { command: string; args: string[] } {
  return { command: interp.command, args: [...interp.prefixArgs, ...SERVER_MODULE_ARGS] };
}

export function describeInterpreter(interp: Interpreter): string {
  const argv = serverArgv(interp);
  const from = { setting: "chameleon.interpreter", "python-extension": "the Python extension", default: "the default" }[
    interp.source
  ];
  return `${[argv.command, ...argv.args].join(" ")} (interpreter from ${from})`;
}
