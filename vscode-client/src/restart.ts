/**
 * When to restart a crashed language server: always, unless it crashed `maxRestarts` times within
 * `windowMs` (a server that dies at start-up, e.g. the interpreter lacks the package, must not spin).
 * Pure and clock-injected, so the rule is unit-tested.
 */
export class RestartPolicy {
  private crashes: number[] = [];

  constructor(
    readonly maxRestarts = 5,
    readonly windowMs = 3 * 60 * 1000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Record a crash; true when the server should be restarted. */
  onCrash(): boolean {
    const t = this.now();
    this.crashes = this.crashes.filter((c) => t - c < this.windowMs);
    this.crashes.push(t);
    return this.crashes.length <= this.maxRestarts;
  }

  /** Crashes counted in the current window. */
  get recentCrashes(): number {
    const t = this.now();
    return this.crashes.filter((c) => t - c < this.windowMs).length;
  }

  /** A manual restart (or a new interpreter) starts with a clean slate. */
  reset(): void {
    this.crashes = [];
  }
}
