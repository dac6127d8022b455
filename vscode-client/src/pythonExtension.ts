/**
 * The interpreter selected in the Python extension (ms-python.python), through its public API:
 * `environments.getActiveEnvironmentPath` + `resolveEnvironment` (current), else the legacy
 * `settings.getExecutionDetails().execCommand`. Undefined when the extension is absent or says nothing.
 */
import * as vscode from "vscode";

export const PYTHON_EXTENSION_ID = "ms-python.python";
/** A Python extension that never finishes activating must not keep our server from starting. */
const ACTIVATION_TIMEOUT_MS = 15_000;

export interface PythonExtensionLookup {
  interpreter: string | string[] | undefined;
  /** Fires when the user selects another interpreter (undefined when the API has no such event). */
  onDidChange: vscode.Event<unknown> | undefined;
}

export async function pythonExtensionInterpreter(resource: vscode.Uri | undefined, log: (line: string) => void): Promise<PythonExtensionLookup> {
  const ext = vscode.extensions.getExtension(PYTHON_EXTENSION_ID);
  if (!ext) return { interpreter: undefined, onDidChange: undefined };
  try {
    const api: any = ext.isActive
      ? ext.exports
      : await Promise.race([ext.activate(), new Promise((resolve) => setTimeout(() => resolve(undefined), ACTIVATION_TIMEOUT_MS))]);
    const envs = api?.environments;
    const onDidChange: vscode.Event<unknown> | undefined = envs?.onDidChangeActiveEnvironmentPath;
    if (envs?.getActiveEnvironmentPath) {
      const active = envs.getActiveEnvironmentPath(resource);
      const resolved = await envs.resolveEnvironment(active);
      const exe: string | undefined = resolved?.executable?.uri?.fsPath ?? active?.path;
      if (exe) return { interpreter: exe, onDidChange };
    }
    const details = api?.settings?.getExecutionDetails?.(resource);
    if (Array.isArray(details?.execCommand)) return { interpreter: details.execCommand as string[], onDidChange };
    return { interpreter: undefined, onDidChange };
  } catch (err) {
    log(`[client] the Python extension's API failed: ${String(err)}`);
    return { interpreter: undefined, onDidChange: undefined };
  }
}
