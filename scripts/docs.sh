#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the API reference with doxygen (docs/Doxyfile) into build-docs/html and renders the
# logon-flow picture (docs/logon-flow.dot) with graphviz. Any doxygen warning fails the run.
# Usage: scripts/docs.sh [--update]   (--update also rewrites docs/logon-flow.svg)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh docs
out=build-docs
mkdir -p "$out"
dot -Tsvg docs/logon-flow.dot -o "$out/logon-flow.svg"
if [ "${1:-}" = --update ]; then
  cp "$out/logon-flow.svg" docs/logon-flow.svg
fi
MAPIXX_DOXYGEN_OUT="$out" doxygen docs/Doxyfile
echo "docs.sh: API reference in $out/html/index.html"
