#!/usr/bin/env bash
# Set up, then run the main job on the embedded defaults.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/setup.sh"
export CHAMELEON_VENV="${CHAMELEON_VENV:-$HOME/.cache/chameleon-api/venv}"
exec "$CHAMELEON_VENV/bin/chameleon" analyze "$ROOT/examples"
