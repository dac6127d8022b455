#!/usr/bin/env bash
# Real data the trainer needs that is not a Debian package: the vaderSentiment sdist's human-rated
# sentences (hutto_ICWSM_2014). Fetched once through pip (a package registry), extracted into the cache.
set -euo pipefail
CACHE="${CHAMELEON_CACHE:-$HOME/.cache/chameleon-api}"
DEST="$CACHE/data/vader"
if [ -f "$DEST/tweets_GroundTruth.txt" ]; then exit 0; fi
PY="${CHAMELEON_VENV:-$HOME/.cache/chameleon-api/venv}/bin/python"
[ -x "$PY" ] || PY=python3
mkdir -p "$CACHE/downloads" "$DEST"
SDIST="$CACHE/downloads/vaderSentiment-3.3.2.tar.gz"
if [ ! -f "$SDIST" ]; then
  "$PY" -m pip download -q --disable-pip-version-check --no-binary :all: --no-deps "vaderSentiment==3.3.2" -d "$CACHE/downloads"
fi
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
tar xzf "$SDIST" -C "$TMP" vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz
tar xzf "$TMP/vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz" -C "$TMP"
cp "$TMP"/hutto_ICWSM_2014/*_GroundTruth.txt "$DEST/"
echo "setup: vader sentences in $DEST"
