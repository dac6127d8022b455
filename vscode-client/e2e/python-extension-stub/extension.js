// Offline stand-in for the Python extension's public API (see package.json). The selected interpreter
// starts as $CHAMELEON_E2E_PYTHON; the palette command switches to $CHAMELEON_E2E_PYTHON_ALT and fires
// onDidChangeActiveEnvironmentPath, as the real extension does when the user picks an interpreter.
const vscode = require("vscode");

exports.activate = function activate(context) {
  let current = process.env.CHAMELEON_E2E_PYTHON || "python3";
  const changed = new vscode.EventEmitter();
  context.subscriptions.push(
    changed,
    vscode.commands.registerCommand("chameleonE2E.selectInterpreter", () => {
      current = process.env.CHAMELEON_E2E_PYTHON_ALT || current;
      changed.fire({ id: current, path: current, resource: undefined });
    }),
  );
  return {
    environments: {
      getActiveEnvironmentPath: () => ({ id: current, path: current }),
      resolveEnvironment: async (env) => {
        const p = typeof env === "string" ? env : env && env.path;
        return p ? { id: p, path: p, executable: { uri: vscode.Uri.file(p) } } : undefined;
      },
      onDidChangeActiveEnvironmentPath: changed.event,
    },
  };
};

exports.deactivate = function deactivate() {};
