import { strict as assert } from "node:assert";
import { test } from "node:test";
import { describeInterpreter, resolveInterpreter, serverArgv } from "../../src/interpreter";

test("an explicit chameleon.interpreter setting wins over the Python extension", () => {
  const i = resolveInterpreter({ setting: "/opt/venv/bin/python", pythonExtension: "/usr/bin/python3.11" });
  assert.deepEqual(i, { command: "/opt/venv/bin/python", prefixArgs: [], source: "setting" });
});

test("the Python extension's interpreter is used when the setting is empty", () => {
  const i = resolveInterpreter({ setting: "  ", pythonExtension: "/ws/.venv/bin/python" });
  assert.equal(i.command, "/ws/.venv/bin/python");
  assert.equal(i.source, "python-extension");
});

test("a legacy execCommand argv keeps its prefix arguments before -m", () => {
  const i = resolveInterpreter({ pythonExtension: ["conda", "run", "-n", "env", "python"] });
  assert.deepEqual(serverArgv(i), { command: "conda", args: ["run", "-n", "env", "python", "-m", "chameleon_server", "lsp", "--stdio"] });
});

test("python3 when nothing is configured", () => {
  for (const inputs of [{}, { setting: "", pythonExtension: "" }, { pythonExtension: [] as string[] }, { setting: 3 }]) {
    const i = resolveInterpreter(inputs);
    assert.equal(i.command, "python3");
    assert.equal(i.source, "default");
  }
});

test("${workspaceFolder} and ~ are expanded in the setting", () => {
  assert.equal(resolveInterpreter({ setting: "${workspaceFolder}/.venv/bin/python", workspaceFolder: "/ws" }).command, "/ws/.venv/bin/python");
  assert.equal(resolveInterpreter({ setting: "~/venv/bin/python", home: "/home/u" }).command, "/home/u/venv/bin/python");
});

test("the description names the command line and where the interpreter came from", () => {
  const d = describeInterpreter(resolveInterpreter({ setting: "/v/bin/python" }));
  assert.equal(d, "/v/bin/python -m chameleon_server lsp --stdio (interpreter from chameleon.interpreter)");
});
