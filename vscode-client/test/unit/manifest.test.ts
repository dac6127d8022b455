import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { CLIENT_COMMANDS, CLIENT_SETTINGS, SERVER_COMMANDS } from "../../src/contract";
import { SERVER_SETTING_KEYS, toServerSettings } from "../../src/settings";

// out/test/unit -> vscode-client/package.json
const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, "..", "..", "..", "package.json"), "utf8"));

test("every command the extension registers is contributed, and nothing else", () => {
  const contributed = manifest.contributes.commands.map((c: { command: string }) => c.command).sort();
  assert.deepEqual(contributed, [...SERVER_COMMANDS, ...CLIENT_COMMANDS].sort());
});

test("the palette titles the brief names", () => {
  const title = (id: string) => manifest.contributes.commands.find((c: { command: string }) => c.command === id)?.title;
  assert.equal(title("chameleon.customize"), "Customize this API");
  assert.equal(title("chameleon.showReport"), "Show customization report");
});

test("every server setting and every client setting is contributed, and nothing else", () => {
  const props = Object.keys(manifest.contributes.configuration.properties).sort();
  assert.deepEqual(props, [...SERVER_SETTING_KEYS, ...CLIENT_SETTINGS].map((k) => `chameleon.${k}`).sort());
  // the mapping produces exactly the contract's keys
  assert.deepEqual(Object.keys(toServerSettings(() => undefined)), [...SERVER_SETTING_KEYS]);
});

test("contributed defaults map to 'unset' on the wire", () => {
  const props = manifest.contributes.configuration.properties;
  const s = toServerSettings((k) => props[`chameleon.${k}`]?.default);
  for (const k of SERVER_SETTING_KEYS) assert.equal(s[k], null, k);
});

test("the extension activates on Python files and ships its bundle", () => {
  assert.ok(manifest.activationEvents.includes("onLanguage:python"));
  assert.equal(manifest.main, "./out/extension.js");
  const ignore = fs.readFileSync(path.resolve(__dirname, "..", "..", "..", ".vscodeignore"), "utf8");
  assert.match(ignore, /^!out\/extension\.js$/m);
});
