#!/usr/bin/env bash
# A short, bounded fuzz run for CI: every fuzz target for a few seconds (80 s of fuzzing in
# all), after building the targets (scripts/fuzz.sh says how).
#
# FUZZ_SMOKE=0         skip it
# FUZZ_SMOKE_SECONDS   time per target (default 10; there are 8 targets)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ "${FUZZ_SMOKE:-1}" = 0 ]; then
    echo "fuzz smoke: skipped (FUZZ_SMOKE=0)"
    exit 0
fi
FUZZ_SECONDS="${FUZZ_SMOKE_SECONDS:-10}" exec bash scripts/fuzz.sh
