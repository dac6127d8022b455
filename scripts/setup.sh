#!/usr/bin/env bash
# Set up everything the project needs on a fresh Debian machine: system packages (data sets,
# editors), the Python environment with the trainer extra, and cached data. Idempotent and quick
# when everything is already there. Each step is a file in scripts/setup.d/, run in name order.
#
#   CHAMELEON_VENV   where the virtualenv lives (default: ~/.cache/chameleon-api/venv)
#   CHAMELEON_SETUP_SKIP  space-separated step names to skip (e.g. "40-editors")
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT
export CHAMELEON_VENV="${CHAMELEON_VENV:-$HOME/.cache/chameleon-api/venv}"
export CHAMELEON_CACHE="${CHAMELEON_CACHE:-$HOME/.cache/chameleon-api}"
mkdir -p "$CHAMELEON_CACHE"
for step in "$ROOT"/scripts/setup.d/*.sh; do
  name="$(basename "$step" .sh)"
  case " ${CHAMELEON_SETUP_SKIP:-} " in *" $name "*) echo "setup: skipping $name"; continue;; esac
  echo "setup: $name"
  bash "$step"
done
