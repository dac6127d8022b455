#!/usr/bin/env bash
# Set up, then run the whole test suite. Extra arguments go to pytest.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/setup.sh"
export CHAMELEON_VENV="${CHAMELEON_VENV:-$HOME/.cache/chameleon-api/venv}"
cd "$ROOT"
set +e
"$CHAMELEON_VENV/bin/python" -m pytest -q -p no:cacheprovider "$@"
rc=$?
set -e
# pytest exits 5 when it collected nothing: that is a failure of the suite, not a pass.
exit $rc
