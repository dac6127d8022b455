#!/usr/bin/env bash
# System packages: the real data sets that ship in Debian, and the tools the tests drive.
set -euo pipefail
PKGS=(dataset-fashion-mnist fortunes wordnet-base neovim)
missing=()
for p in "${PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
