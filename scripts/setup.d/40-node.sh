#!/usr/bin/env bash
# The VS Code side: the extension's npm workspace (npm ci), and what its end-to-end test drives:
# Debian's Chromium, and code-server (VS Code in the browser) installed offline-safely into the cache.
# Recipe and the three offline install fixes: shared/guides/real-editors.md. Idempotent; each step is
# skipped when its result is already there.
set -euo pipefail
ROOT="${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
CHAMELEON_CACHE="${CHAMELEON_CACHE:-$HOME/.cache/chameleon-api}"
CODE_SERVER_VERSION="4.100.3"
CS_DIR="$CHAMELEON_CACHE/code-server"

SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"

# 1. System packages: chromium (the browser Playwright drives), libkrb5-dev (kerberos native build),
#    ripgrep (fed to @vscode/ripgrep instead of a GitHub download).
PKGS=(chromium libkrb5-dev ripgrep)
missing=()
for p in "${PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi

# 2. The extension's npm workspace (root package.json + package-lock.json).
stamp="$ROOT/node_modules/.chameleon-lock.sha256"
want="$(sha256sum "$ROOT/package-lock.json" | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" > "$stamp"
fi

# 3. code-server, installed with npm into the cache (not globally).
if [ ! -x "$CS_DIR/node_modules/.bin/code-server" ] || \
   ! grep -q "\"version\": \"$CODE_SERVER_VERSION\"" "$CS_DIR/node_modules/code-server/package.json" 2>/dev/null; then
  # @vscode/ripgrep's postinstall reads this cache before trying GitHub.
  RG_CACHE="${TMPDIR:-/tmp}/vscode-ripgrep-cache-1.15.11"
  RG_TGZ="$RG_CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
  if [ ! -f "$RG_TGZ" ]; then
    tmp="$(mktemp -d)"
    mkdir -p "$RG_CACHE"
    cp "$(command -v rg)" "$tmp/rg"
    tar czf "$RG_TGZ" -C "$tmp" rg
    rm -rf "$tmp"
  fi
  mkdir -p "$CS_DIR"
  [ -f "$CS_DIR/package.json" ] || echo '{"name":"chameleon-code-server","private":true}' > "$CS_DIR/package.json"
  (cd "$CS_DIR" && npm_config_yes=true npm install --unsafe-perm --no-audit --no-fund --loglevel=error \
      "code-server@$CODE_SERVER_VERSION")
fi
[ -x "$CS_DIR/node_modules/.bin/code-server" ] || { echo "setup: code-server did not install" >&2; exit 1; }
