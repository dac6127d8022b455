/**
 * The settings mirrored to the language server, under the key "chameleon", both in
 * initializationOptions and in workspace/didChangeConfiguration. Pure: no `vscode` import, so the
 * mapping is unit-tested in plain node.
 */

/** The contract with the server: every key present, `null` meaning "use the server's default". */
export interface ServerSettings {
  trainerUrl: string | null;
  token: string | null;
  tokenFile: string | null;
  dataset: string | null;
  baseModel: string | null;
  jobOptions: Record<string, unknown> | null;
}

export const SETTINGS_SECTION = "chameleon";

/** The string-valued keys, in contract order. */
export const STRING_KEYS = ["trainerUrl", "token", "tokenFile", "dataset", "baseModel"] as const;

/** A user-typed string: trimmed; empty or whitespace means unset (null). */
export function normalizeString(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const trimmed = value.trim();
  return trimmed === "" ? null : trimmed;
}

/** Job options must be a JSON object; anything else (array, string, number) is dropped as unset. */
export function normalizeObject(value: unknown): Record<string, unknown> | null {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return null;
  // VS Code hands out a frozen proxy of the configuration: copy it to plain JSON for the wire.
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}

/**
 * Build the server settings from a configuration getter (`vscode.workspace.getConfiguration("chameleon").get`
 * in the extension, a plain object in tests). A trailing slash on the trainer URL is dropped so the
 * server can join paths without doubling it; `~/` in the token file is expanded with `home`.
 */
export function toServerSettings(get: (key: string) => unknown, home?: string): ServerSettings {
  const out: Partial<ServerSettings> = {};
  for (const key of STRING_KEYS) out[key] = normalizeString(get(key));
  if (out.trainerUrl) out.trainerUrl = out.trainerUrl.replace(/\/+$/, "");
  if (out.tokenFile && home && out.tokenFile.startsWith("~/")) {
    out.tokenFile = home.replace(/\/+$/, "") + out.tokenFile.slice(1);
  }
  out.jobOptions = normalizeObject(get("jobOptions"));
  return out as ServerSettings;
}

/** The payload of initializationOptions and of didChangeConfiguration's `settings`. */
/** Every key of the contract, in order. */
export const SERVER_SETTING_KEYS = [...STRING_KEYS, "jobOptions"] as const;

export function settingsPayload(settings: ServerSettings): { chameleon: ServerSettings } {
  return { [SETTINGS_SECTION]: settings } as { chameleon: ServerSettings };
}
