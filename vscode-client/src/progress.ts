/**
 * Customization-job progress as the server reports it (`chameleon/jobProgress`), turned into the
 * status-bar text and the job log. Pure, so the formatting and the "which job to show" rule are
 * unit-tested without VS Code.
 */

/** The `chameleon/jobProgress` notification's params (the server contract). */
export interface JobProgress {
  jobId: string;
  uri?: string | null;
  line?: number | null;
  state: string;
  stage?: string | null;
  step?: number | null;
  total?: number | null;
  message?: string | null;
}

const SUCCESS_STATES = new Set(["succeeded", "success", "done", "completed", "complete", "finished"]);
const FAILURE_STATES = new Set(["failed", "failure", "error", "errored", "interrupted"]);
const CANCELLED_STATES = new Set(["cancelled", "canceled", "cancelling", "aborted"]);

export type Outcome = "running" | "succeeded" | "failed" | "cancelled";

export function outcomeOf(state: string): Outcome {
  const s = (state || "").toLowerCase();
  if (SUCCESS_STATES.has(s)) return "succeeded";
  if (FAILURE_STATES.has(s)) return "failed";
  if (CANCELLED_STATES.has(s)) return "cancelled";
  return "running";
}

export function isTerminal(state: string): boolean {
  return outcomeOf(state) !== "running";
}

/** Whole percent from step/total, clamped to 0..100; null when the total is unknown. */
export function percent(p: Pick<JobProgress, "step" | "total">): number | null {
  if (typeof p.step !== "number" || typeof p.total !== "number" || !(p.total > 0)) return null;
  return Math.max(0, Math.min(100, Math.floor((100 * p.step) / p.total)));
}

/** The status-bar text: "$(sync~spin) Chameleon: customize 40%" while running, an icon + outcome after. */
export function statusText(p: JobProgress): string {
  const outcome = outcomeOf(p.state);
  if (outcome === "succeeded") return "$(check) Chameleon: customized";
  if (outcome === "failed") return "$(error) Chameleon: customization failed";
  if (outcome === "cancelled") return "$(circle-slash) Chameleon: cancelled";
  const stage = (p.stage || p.state || "customize").trim();
  const pct = percent(p);
  return `$(sync~spin) Chameleon: ${stage}${pct === null ? "" : ` ${pct}%`}`;
}

function basename(uri: string): string {
  const path = uri.replace(/[?#].*$/, "");
  return decodeURIComponent(path.slice(path.lastIndexOf("/") + 1));
}

/** Tooltip: which call site, which job, the last message, and what a click does. */
export function statusTooltip(p: JobProgress): string {
  const where = p.uri ? `${basename(p.uri)}${p.line ? `:${p.line}` : ""}` : "";
  const parts = [`Customization job ${p.jobId}${where ? ` for ${where}` : ""}: ${p.state}`];
  if (typeof p.step === "number" && typeof p.total === "number") parts.push(`step ${p.step}/${p.total}`);
  if (p.message) parts.push(p.message);
  parts.push("Click to show the job log.");
  return parts.join("\n");
}

/** One line of the job log. */
export function logLine(p: JobProgress, now: Date = new Date()): string {
  const time = now.toISOString().slice(11, 19);
  const pct = percent(p);
  const stage = p.stage ? ` ${p.stage}` : "";
  const prog = pct === null ? "" : ` ${p.step}/${p.total} (${pct}%)`;
  const msg = p.message ? ` ${p.message}` : "";
  return `[${time}] job ${p.jobId} ${p.state}${stage}${prog}${msg}`;
}

/**
 * The jobs seen so far. The status bar shows the most recently updated running job; when none runs,
 * the last job to finish (so the user sees the outcome), until `clearFinished`.
 */
export class JobTracker {
  private readonly jobs = new Map<string, { progress: JobProgress; seq: number }>();
  private seq = 0;

  update(p: JobProgress): void {
    this.jobs.set(p.jobId, { progress: { ...p }, seq: ++this.seq });
  }

  get(jobId: string): JobProgress | undefined {
    return this.jobs.get(jobId)?.progress;
  }

  running(): JobProgress[] {
    return [...this.jobs.values()]
      .filter((j) => !isTerminal(j.progress.state))
      .sort((a, b) => b.seq - a.seq)
      .map((j) => j.progress);
  }

  /** The job the status bar shows, or undefined to hide it. */
  current(): JobProgress | undefined {
    const run = this.running();
    if (run.length > 0) return run[0];
    let last: { progress: JobProgress; seq: number } | undefined;
    for (const j of this.jobs.values()) if (!last || j.seq > last.seq) last = j;
    return last?.progress;
  }

  clearFinished(): void {
    for (const [id, j] of this.jobs) if (isTerminal(j.progress.state)) this.jobs.delete(id);
  }
}
