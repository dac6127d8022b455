/**
 * The names shared with the language server and with package.json, in one place (pure, so the
 * manifest test can check that what the extension registers is what it contributes).
 */

/** Commands the server executes (workspace/executeCommand); the client registers the same ids. */
export const SERVER_COMMANDS = ["chameleon.customize", "chameleon.showReport", "chameleon.cancelJob"] as const;

/** Commands only the client implements. */
export const CLIENT_COMMANDS = ["chameleon.showJobLog", "chameleon.showServerLog", "chameleon.restartServer"] as const;

/** Server -> client notification with a customization job's progress. */
export const JOB_PROGRESS = "chameleon/jobProgress";

/** Client-only settings (not mirrored to the server). */
export const CLIENT_SETTINGS = ["interpreter", "trace.server"] as const;
