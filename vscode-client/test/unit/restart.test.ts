import { strict as assert } from "node:assert";
import { test } from "node:test";
import { RestartPolicy } from "../../src/restart";

test("restarts up to the limit within the window, then stops", () => {
  let now = 0;
  const p = new RestartPolicy(3, 1000, () => now);
  assert.deepEqual([p.onCrash(), p.onCrash(), p.onCrash(), p.onCrash()], [true, true, true, false]);
  assert.equal(p.recentCrashes, 4);
});

test("old crashes fall out of the window", () => {
  let now = 0;
  const p = new RestartPolicy(2, 1000, () => now);
  p.onCrash();
  p.onCrash();
  now = 1500;
  assert.equal(p.recentCrashes, 0);
  assert.equal(p.onCrash(), true);
});

test("a manual restart resets the count", () => {
  const p = new RestartPolicy(1, 1000, () => 0);
  p.onCrash();
  assert.equal(p.onCrash(), false);
  p.reset();
  assert.equal(p.onCrash(), true);
});
