#!/usr/bin/env bash
# A short, bounded fuzz run for CI: every fuzz target for a few seconds (under two minutes
# of fuzzing in all). Opt-in, because the first run on a machine installs cargo-fuzz and
# builds the targets with the nightly toolchain, which takes several minutes more than the
# fuzzing. Skips with a message, and succeeds, when the nightly toolchain is missing or
# cargo-fuzz cannot be installed.
#
# FUZZ_SMOKE=1         run it (anything else skips)
# FUZZ_SMOKE_SECONDS   time per target (default 10; there are 8 targets)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ "${FUZZ_SMOKE:-0}" != 1 ]; then
    echo "fuzz smoke: skipped (opt-in: FUZZ_SMOKE=1 bash scripts/fuzz-smoke.sh)"
    exit 0
fi
if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "fuzz smoke: skipped, no nightly toolchain (rustup toolchain install nightly --profile minimal)"
    exit 0
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "--- installing cargo-fuzz"
    started=$SECONDS
    if ! cargo install cargo-fuzz --locked; then
        echo "fuzz smoke: skipped, cargo-fuzz could not be installed"
        exit 0
    fi
    echo "cargo-fuzz installed in $((SECONDS - started)) s"
fi
FUZZ_SECONDS="${FUZZ_SMOKE_SECONDS:-10}" exec bash scripts/fuzz.sh
