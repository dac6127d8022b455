import { strict as assert } from "node:assert";
import { test } from "node:test";
import { SiteCandidate, hasSiteArgument, pickCallSite, pickSiteRef, reportArgs } from "../../src/sites";

const U = "file:///ws/app.py";
// Two call sites, lenses on 0-based lines 9 and 29 (1-based 10 and 30), plus a report lens.
const lenses: SiteCandidate[] = [
  { command: "chameleon.customize", args: [{ uri: U, line: 10, api: "google.vision.label_detection" }], startLine: 9, endLine: 9 },
  { command: "chameleon.showReport", args: [{ uri: U, line: 10 }], startLine: 9, endLine: 9 },
  { command: "chameleon.customize", args: [{ uri: U, line: 30, api: "aws.rekognition.detect_labels" }], startLine: 29, endLine: 29 },
  { command: "chameleon.other", args: undefined, startLine: 0, endLine: 0 },
];

test("the site on the cursor's line", () => {
  assert.deepEqual(pickCallSite(lenses, 9), { uri: U, line: 10, api: "google.vision.label_detection" });
  assert.equal(pickCallSite(lenses, 29)?.line, 30);
});

test("the nearest site above the cursor (the code branching on the output)", () => {
  assert.equal(pickCallSite(lenses, 20)?.line, 10);
  assert.equal(pickCallSite(lenses, 100)?.line, 30);
});

test("the nearest site below when none is above", () => {
  assert.equal(pickCallSite(lenses, 2)?.line, 10);
});

test("a multi-line call range holds the cursor", () => {
  const c: SiteCandidate[] = [{ command: "x", args: [{ uri: U, line: 5, api: "a" }], startLine: 4, endLine: 7 }];
  assert.equal(pickCallSite(c, 6)?.line, 5);
});

test("nothing to pick without customize-shaped arguments", () => {
  assert.equal(pickCallSite([], 3), undefined);
  assert.equal(pickCallSite([{ command: "c", args: [{ uri: U }], startLine: 1, endLine: 1 }], 1), undefined);
});

test("palette invocations carry no site argument; lens invocations do", () => {
  assert.equal(hasSiteArgument([]), false);
  assert.equal(hasSiteArgument(undefined), false);
  assert.equal(hasSiteArgument([{ uri: U, line: 3, api: "a" }]), true);
  assert.deepEqual(reportArgs({ uri: U, line: 3, api: "a" }), { uri: U, line: 3 });
});

test("a customized site's lens carries only {uri, line}: enough for the report, not for customize", () => {
  const c: SiteCandidate[] = [
    { command: "", args: undefined, startLine: 11, endLine: 11 },
    { command: "chameleon.showReport", args: [{ uri: U, line: 12 }], startLine: 11, endLine: 11 },
    { command: "chameleon.cancelJob", args: [{ jobId: "j" }], startLine: 3, endLine: 3 },
  ];
  assert.deepEqual(pickSiteRef(c, 15), { uri: U, line: 12 });
  assert.equal(pickCallSite(c, 15), undefined);
  assert.deepEqual(pickSiteRef(lenses, 29), { uri: U, line: 30 });
});
