/**
 * Picking the API call site a palette command acts on. The server knows the call sites; the client
 * sees them as code lenses (and code actions) whose command carries `[{uri, line, api}]`. Invoked
 * from the code lens, the arguments come with it; invoked from the palette, the client picks the
 * call site at (or nearest above) the cursor. Pure: no `vscode` import.
 */

/** The argument of `chameleon.customize` (server contract); `line` is 1-based. */
export interface CustomizeArgs {
  uri: string;
  line: number;
  api: string;
}

/** The argument of `chameleon.showReport`. */
export interface SiteRef {
  uri: string;
  line: number;
}

/** A candidate: a command found on a code lens/action, and the 0-based line range it sits on. */
export interface SiteCandidate {
  command: string;
  args: unknown[] | undefined;
  startLine: number;
  endLine: number;
}

export function isCustomizeArgs(v: unknown): v is CustomizeArgs {
  if (v === null || typeof v !== "object") return false;
  const o = v as Record<string, unknown>;
  return typeof o.uri === "string" && typeof o.line === "number" && typeof o.api === "string";
}

export function isSiteRef(v: unknown): v is SiteRef {
  if (v === null || typeof v !== "object") return false;
  const o = v as Record<string, unknown>;
  return typeof o.uri === "string" && typeof o.line === "number";
}

/** True when a command was invoked with its site argument (from a lens/action), false from the palette. */
export function hasSiteArgument(args: unknown[] | undefined): boolean {
  return Array.isArray(args) && args.length > 0 && isSiteRef(args[0]);
}

/**
 * The call site for a cursor on 0-based line `cursorLine`: a site whose range holds the cursor,
 * else the nearest site above (the cursor is in the code that branches on the call's output),
 * else the nearest below. Only candidates carrying `{uri, line, api}` count; duplicates (a lens and
 * an action for the same site) collapse.
 */
export function pickCallSite(candidates: SiteCandidate[], cursorLine: number): CustomizeArgs | undefined {
  return pickSite(candidates, cursorLine, isCustomizeArgs);
}

/**
 * The same rule for any site reference: `chameleon.showReport` needs only `{uri, line}`, which a
 * "customized" lens (whose command is showReport) carries without the api.
 */
export function pickSiteRef(candidates: SiteCandidate[], cursorLine: number): SiteRef | undefined {
  const site = pickSite(candidates, cursorLine, isSiteRef);
  return site ? reportArgs(site) : undefined;
}

function pickSite<T extends SiteRef>(candidates: SiteCandidate[], cursorLine: number, accept: (v: unknown) => v is T): T | undefined {
  const sites = new Map<string, { args: T; start: number; end: number }>();
  for (const c of candidates) {
    const a = c.args?.[0];
    if (!accept(a)) continue;
    const key = `${a.uri}#${a.line}`;
    const start = Math.min(c.startLine, a.line - 1);
    const end = Math.max(c.endLine, a.line - 1);
    const prev = sites.get(key);
    sites.set(key, prev ? { args: a, start: Math.min(prev.start, start), end: Math.max(prev.end, end) } : { args: a, start, end });
  }
  const all = [...sites.values()];
  const inside = all.filter((s) => s.start <= cursorLine && cursorLine <= s.end);
  if (inside.length > 0) return inside.sort((x, y) => y.start - x.start)[0].args;
  const above = all.filter((s) => s.end < cursorLine).sort((x, y) => y.end - x.end);
  if (above.length > 0) return above[0].args;
  const below = all.filter((s) => s.start > cursorLine).sort((x, y) => x.start - y.start);
  return below[0]?.args;
}

/** `chameleon.showReport`'s argument from the picked site. */
export function reportArgs(site: CustomizeArgs | SiteRef): SiteRef {
  return { uri: site.uri, line: site.line };
}
