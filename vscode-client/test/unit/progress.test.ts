import { strict as assert } from "node:assert";
import { test } from "node:test";
import { JobTracker, isTerminal, logLine, percent, statusText, statusTooltip } from "../../src/progress";

test("running status: stage and whole percent", () => {
  assert.equal(statusText({ jobId: "j1", state: "running", stage: "customize", step: 2, total: 5 }), "$(sync~spin) Chameleon: customize 40%");
  assert.equal(statusText({ jobId: "j1", state: "running", stage: "train", step: 1, total: 3 }), "$(sync~spin) Chameleon: train 33%");
  assert.equal(statusText({ jobId: "j1", state: "queued" }), "$(sync~spin) Chameleon: queued");
});

test("percent is clamped and null without a usable total", () => {
  assert.equal(percent({ step: 7, total: 5 }), 100);
  assert.equal(percent({ step: -1, total: 5 }), 0);
  assert.equal(percent({ step: 1, total: 0 }), null);
  assert.equal(percent({ step: null, total: 4 }), null);
});

test("terminal states and their status text", () => {
  for (const s of ["succeeded", "done", "COMPLETED", "interrupted"]) assert.ok(isTerminal(s), s);
  for (const s of ["queued", "running", "evaluating"]) assert.ok(!isTerminal(s), s);
  assert.equal(statusText({ jobId: "j", state: "succeeded" }), "$(check) Chameleon: customized");
  assert.equal(statusText({ jobId: "j", state: "failed" }), "$(error) Chameleon: customization failed");
  assert.equal(statusText({ jobId: "j", state: "cancelled" }), "$(circle-slash) Chameleon: cancelled");
});

test("tooltip names the call site and says what a click does", () => {
  const t = statusTooltip({ jobId: "j9", uri: "file:///ws/my%20app.py", line: 24, state: "running", step: 3, total: 10, message: "epoch 1" });
  assert.equal(t, "Customization job j9 for my app.py:24: running\nstep 3/10\nepoch 1\nClick to show the job log.");
});

test("log line carries time, job, state, stage, progress and message", () => {
  const line = logLine({ jobId: "j1", state: "running", stage: "train", step: 2, total: 4, message: "loss 0.31" }, new Date("2026-01-02T03:04:05Z"));
  assert.equal(line, "[03:04:05] job j1 running train 2/4 (50%) loss 0.31");
});

test("tracker shows the latest running job, then the last finished one, until cleared", () => {
  const t = new JobTracker();
  assert.equal(t.current(), undefined);
  t.update({ jobId: "a", state: "running", step: 1, total: 2 });
  t.update({ jobId: "b", state: "running", step: 1, total: 4 });
  assert.equal(t.current()?.jobId, "b");
  t.update({ jobId: "b", state: "succeeded" });
  assert.equal(t.current()?.jobId, "a", "a running job outranks a finished one");
  assert.deepEqual(t.running().map((j) => j.jobId), ["a"]);
  t.update({ jobId: "a", state: "failed", message: "boom" });
  assert.equal(t.current()?.jobId, "a");
  assert.equal(t.current()?.state, "failed");
  t.clearFinished();
  assert.equal(t.current(), undefined);
});
