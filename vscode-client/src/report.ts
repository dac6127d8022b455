/**
 * The "Show customization report" webview's HTML, from `chameleon.showReport`'s result. Pure: the
 * escaping, the metrics table and the image handling are unit-tested without VS Code.
 */

/** `chameleon.showReport`'s result (server contract). */
export interface CustomizationReport {
  modelId: string | null;
  metrics: Record<string, unknown> | null;
  reportPng: string | null;
  curvesPng: string | null;
  /** Set by the server when it could not fetch everything (the trainer is unreachable, no model yet). */
  error?: string | null;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** Nested metrics flattened to dotted keys, in the server's order: `{"generic": {"rate": 0.3}}` -> `generic.rate`. */
export function flattenMetrics(metrics: unknown, prefix = ""): Array<[string, unknown]> {
  if (metrics === null || typeof metrics !== "object" || Array.isArray(metrics)) {
    return prefix ? [[prefix, metrics]] : [];
  }
  const out: Array<[string, unknown]> = [];
  for (const [k, v] of Object.entries(metrics as Record<string, unknown>)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === "object" && !Array.isArray(v)) out.push(...flattenMetrics(v, key));
    else out.push([key, v]);
  }
  return out;
}

/** Numbers to 4 significant digits (rates like 0.1234), integers as they are, the rest as JSON. */
export function formatValue(v: unknown): string {
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return String(v);
    return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
  }
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}

/** A rate (0..1) as a percentage with one decimal: 0.0175 -> "1.8%". */
export function pct(v: number): string {
  return `${(Math.round(v * 1000) / 10).toFixed(1)}%`;
}

/**
 * The one line that matters: the incorrect-decision rate of the generic model and of the customized
 * one (with the recalibrated and basic baselines when the trainer reports them), from the trainer's
 * `*_error` metrics. Null when the metrics do not carry them.
 */
export function headline(metrics: Record<string, unknown> | null): string | null {
  if (!metrics) return null;
  const rate = (k: string) => (typeof metrics[`${k}_error`] === "number" ? (metrics[`${k}_error`] as number) : null);
  const generic = rate("generic");
  const customized = rate("customized");
  if (generic === null || customized === null) return null;
  const baselines = (["calibrated", "basic"] as const)
    .map((k) => (rate(k) === null ? null : `${k} ${pct(rate(k)!)}`))
    .filter((x): x is string => x !== null);
  return `Incorrect decisions: generic ${pct(generic)} → customized ${pct(customized)}${baselines.length ? ` (${baselines.join(", ")})` : ""}`;
}

/** Only real base64 goes into a data: URL (the CSP allows `data:` images and nothing remote). */
export function isBase64(s: unknown): s is string {
  return typeof s === "string" && s.length > 0 && /^[A-Za-z0-9+/\r\n]+={0,2}$/.test(s);
}

/** A report worth a webview: the contract's keys and a model (without one the server sends only an error). */
export function isReport(v: unknown): v is CustomizationReport {
  if (v === null || typeof v !== "object" || !("modelId" in v)) return false;
  return typeof (v as CustomizationReport).modelId === "string" && (v as CustomizationReport).modelId !== "";
}

export function renderReportHtml(report: CustomizationReport, title: string, nonce: string): string {
  const rows = flattenMetrics(report.metrics ?? {})
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(formatValue(v))}</td></tr>`)
    .join("\n");
  const head = headline(report.metrics);
  const image = (b64: string | null, alt: string, id: string) =>
    isBase64(b64)
      ? `<figure><img id="${id}" alt="${escapeHtml(alt)}" src="data:image/png;base64,${b64.replace(/\s+/g, "")}"><figcaption>${escapeHtml(alt)}</figcaption></figure>`
      : `<p class="missing" id="${id}">${escapeHtml(alt)}: not available.</p>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(title)}</title>
<style nonce="${nonce}">
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 1em; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { text-align: left; padding: 2px 12px 2px 0; border-bottom: 1px solid var(--vscode-panel-border, #8884); }
td { font-family: var(--vscode-editor-font-family); }
img { max-width: 100%; background: white; }
.missing { opacity: 0.7; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p id="model">Model: <code>${escapeHtml(report.modelId ?? "none yet")}</code></p>
${report.error ? `<p id="error" class="missing">${escapeHtml(report.error)}</p>` : ""}
${head ? `<p id="headline"><strong>${escapeHtml(head)}</strong></p>` : ""}
<h2>Incorrect decisions, before and after</h2>
${image(report.reportPng, "Incorrect-decision rate: generic vs customized", "report-png")}
<h2>Training curves</h2>
${image(report.curvesPng, "Training curves", "curves-png")}
<h2>Metrics</h2>
${rows ? `<table id="metrics">\n${rows}\n</table>` : `<p id="metrics" class="missing">No metrics yet.</p>`}
</body>
</html>`;
}
