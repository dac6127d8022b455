import { strict as assert } from "node:assert";
import { test } from "node:test";
import { normalizeObject, settingsPayload, toServerSettings } from "../../src/settings";

const getter = (o: Record<string, unknown>) => (k: string) => o[k];

test("every contract key is present, unset ones are null", () => {
  const s = toServerSettings(getter({}));
  assert.deepEqual(s, { trainerUrl: null, token: null, tokenFile: null, dataset: null, baseModel: null, jobOptions: null });
});

test("strings are trimmed, blank means unset, trailing slash of the trainer URL dropped", () => {
  const s = toServerSettings(getter({ trainerUrl: " http://127.0.0.1:8765/ ", token: "   ", dataset: "fashion-mnist", baseModel: "" }));
  assert.equal(s.trainerUrl, "http://127.0.0.1:8765");
  assert.equal(s.token, null);
  assert.equal(s.dataset, "fashion-mnist");
  assert.equal(s.baseModel, null);
});

test("~/ in the token file is expanded with the home directory", () => {
  assert.equal(toServerSettings(getter({ tokenFile: "~/.chameleon/token" }), "/home/u").tokenFile, "/home/u/.chameleon/token");
  assert.equal(toServerSettings(getter({ tokenFile: "/etc/tok" }), "/home/u").tokenFile, "/etc/tok");
});

test("job options must be an object and are copied to plain JSON", () => {
  const frozen = Object.freeze({ tiny: true, epochs: 2 });
  const s = toServerSettings(getter({ jobOptions: frozen }));
  assert.deepEqual(s.jobOptions, { tiny: true, epochs: 2 });
  assert.notEqual(s.jobOptions, frozen);
  assert.equal(normalizeObject([1, 2]), null);
  assert.equal(normalizeObject("tiny"), null);
  assert.equal(normalizeObject(null), null);
});

test("the payload is keyed by 'chameleon' and serialises to the contract", () => {
  const s = toServerSettings(getter({ trainerUrl: "http://h:1", jobOptions: { tiny: true } }));
  assert.deepEqual(JSON.parse(JSON.stringify(settingsPayload(s))), {
    chameleon: { trainerUrl: "http://h:1", token: null, tokenFile: null, dataset: null, baseModel: null, jobOptions: { tiny: true } },
  });
});
