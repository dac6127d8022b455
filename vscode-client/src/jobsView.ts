/**
 * The customization jobs as the user sees them: a status-bar item with the current job's progress
 * (click: the job log) and the "Chameleon Jobs" output channel with every update. Fed by the
 * server's `chameleon/jobProgress` notifications; the formatting rules live in ./progress.
 */
import * as vscode from "vscode";
import { JobProgress, JobTracker, isTerminal, logLine, outcomeOf, statusText, statusTooltip } from "./progress";

/** How long a finished job's outcome stays in the status bar. */
const OUTCOME_VISIBLE_MS = 60_000;

export class JobsView implements vscode.Disposable {
  readonly log = vscode.window.createOutputChannel("Chameleon Jobs");
  private readonly item = vscode.window.createStatusBarItem("chameleon.job", vscode.StatusBarAlignment.Left, 49);
  private readonly jobs = new JobTracker();
  private hideTimer: NodeJS.Timeout | undefined;

  /** `onFinished` runs once per job, when it reaches a terminal state (to refresh the code lenses). */
  constructor(private readonly onFinished: (p: JobProgress) => void) {
    this.item.name = "Chameleon customization job";
    this.item.command = "chameleon.showJobLog";
  }

  get(jobId: string): JobProgress | undefined {
    return this.jobs.get(jobId);
  }

  running(): JobProgress[] {
    return this.jobs.running();
  }

  showLog(): void {
    this.log.show(true);
  }

  update(p: JobProgress): void {
    if (!p || typeof p.jobId !== "string") return;
    const before = this.jobs.get(p.jobId);
    this.jobs.update(p);
    this.log.appendLine(logLine(p));
    this.render();
    if (isTerminal(p.state) && !(before && isTerminal(before.state))) {
      this.onFinished(p);
      if (outcomeOf(p.state) === "failed") {
        void vscode.window
          .showErrorMessage(`Chameleon: customization job ${p.jobId} failed${p.message ? `: ${p.message}` : "."}`, "Show log")
          .then((pick) => pick && this.showLog());
      }
    }
  }

  private render(): void {
    if (this.hideTimer) clearTimeout(this.hideTimer);
    this.hideTimer = undefined;
    const job = this.jobs.current();
    if (!job) {
      this.item.hide();
      return;
    }
    this.item.text = statusText(job);
    this.item.tooltip = statusTooltip(job);
    this.item.show();
    if (isTerminal(job.state)) {
      this.hideTimer = setTimeout(() => {
        this.jobs.clearFinished();
        this.render();
      }, OUTCOME_VISIBLE_MS);
    }
  }

  dispose(): void {
    if (this.hideTimer) clearTimeout(this.hideTimer);
    this.item.dispose();
    this.log.dispose();
  }
}
