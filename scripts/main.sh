#!/usr/bin/env bash
# Set up, then run the main job on the embedded defaults: the decision abstracts of the bundled
# examples, then the whole loop (`chameleon demo`): analyze an example app, customize a model for its
# decision on a local trainer service, serve it, run the unmodified app redirected to it with
# `chameleon run`, and print its decisions with the generic and the customized model side by side.
#   CHAMELEON_DEMO_ARGS  extra arguments for `chameleon demo` (e.g. "--tiny" for a seconds-long job)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/setup.sh"
export CHAMELEON_VENV="${CHAMELEON_VENV:-$HOME/.cache/chameleon-api/venv}"
"$CHAMELEON_VENV/bin/chameleon" analyze "$ROOT/examples"
echo
# shellcheck disable=SC2086
exec "$CHAMELEON_VENV/bin/chameleon" demo ${CHAMELEON_DEMO_ARGS:-}
