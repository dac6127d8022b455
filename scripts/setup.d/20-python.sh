#!/usr/bin/env bash
# The Python environment: the project (editable) with the trainer, client-library, Ray and test extras.
set -euo pipefail
if [ ! -x "$CHAMELEON_VENV/bin/python" ]; then
  python3 -m venv "$CHAMELEON_VENV"
fi
PY="$CHAMELEON_VENV/bin/python"
# torch/torchvision first and pinned: an unpinned resolve would pull a multi-GB build from the index.
"$PY" -m pip install -q --disable-pip-version-check "torch==2.14.1" "torchvision==0.29.1" 2>&1 | grep -v "^WARNING: Location" || true
"$PY" -m pip install -q --disable-pip-version-check -e "$ROOT[trainer,clients,ray,dev]" 2>&1 | grep -v "^WARNING: Location" || true
"$PY" -c "import chameleon_server, torch" || { echo "setup: the Python environment is incomplete" >&2; exit 1; }
