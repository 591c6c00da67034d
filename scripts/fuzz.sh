#!/usr/bin/env bash
# Fuzzes the parsers, the renderer and artifact extraction with cargo-fuzz (libFuzzer).
#
#   scripts/fuzz.sh [TARGET...]          every target when none is named
#
# FUZZ_SECONDS    time per target (default 300)
# FUZZ_JOBS       parallel fuzzing processes per target (default 1)
#
# Needs the nightly toolchain; installs cargo-fuzz when it is missing. Corpora live in
# fuzz/corpus/<target> (not in git) and are seeded on every run from small files of
# tests/fixtures. A crash stops with the input's path: copy it to tests/fixtures/crashes/
# (the regression test replays every file there) and fix the code.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds="${FUZZ_SECONDS:-300}"
jobs="${FUZZ_JOBS:-1}"
# Optimised with debug assertions and overflow checks; no sanitizer (the code under test
# is safe Rust, and a sanitizer build takes much longer).
build_flags=(-O -a -s none --codegen-units 16)
all_targets=(parse_file generic_csv generic_json markdown_text llm_adapters harness_adapters render unzip)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")

if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "fuzz: the nightly toolchain is missing; install it with: rustup toolchain install nightly --profile minimal" >&2
    exit 2
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "--- installing cargo-fuzz"
    started=$SECONDS
    cargo install cargo-fuzz --locked
    echo "cargo-fuzz installed in $((SECONDS - started)) s"
fi

# Seeds: `PATH\nCONTENT`, the layout the targets read (fuzz/src/input.rs). The virtual
# path is the fixture's name with `__` turned back into the `/` it stood for.
seed() {
    local target=$1 pattern=$2 limit=$3 file name
    mkdir -p "fuzz/corpus/$target"
    find tests/fixtures -type f -size -24k -regextype posix-extended -regex "$pattern" \
        ! -name PROVENANCE.md ! -path '*/crashes/*' | sort | head -n "$limit" |
        while read -r file; do
            name=$(basename "$file")
            name=${name//__//}
            { printf '%s\n' "$name"; cat "$file"; } > "fuzz/corpus/$target/seed-$(printf '%s' "$file" | cksum | cut -d' ' -f1)"
        done
}
seed parse_file '.*\.(csv|tsv|json|jsonl|ndjson|md|txt|log|xml)' 60
seed generic_csv '.*\.(csv|tsv)' 25
seed generic_json '.*\.(json|jsonl|ndjson)' 25
seed markdown_text '.*\.(md|txt|log)' 25
seed llm_adapters '.*(chimeraforge|ollama|llama|vllm|gab-custom|bmf|llm-tps).*' 40
seed harness_adapters '.*(criterion|cargo-bench|google-benchmark|pytest|hyperfine|go-test|jmh|benchmarkdotnet|catch2|benchmarkjs).*' 40
mkdir -p fuzz/corpus/render fuzz/corpus/unzip
if command -v python3 >/dev/null 2>&1; then
    python3 - <<'PY'
import io, zipfile
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("llm/gemma3_runs.csv", "prompt,tokens_s\nhello,88.9\n")
    z.writestr("reports/", "")
    z.writestr("reports/summary.json", '{"mean_tokens_s": 101.5}')
open("fuzz/corpus/unzip/seed-artifact.zip", "wb").write(buf.getvalue())
PY
fi

echo "--- building the fuzz targets"
started=$SECONDS
(cd fuzz && cargo +nightly fuzz build "${build_flags[@]}")
echo "built in $((SECONDS - started)) s"

failed=()
for target in "${targets[@]}"; do
    echo "--- fuzzing $target for ${seconds} s"
    log="fuzz/artifacts/$target.log"
    mkdir -p fuzz/artifacts
    if (cd fuzz && cargo +nightly fuzz run "${build_flags[@]}" --jobs "$jobs" "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1) >"$log" 2>&1; then
        runs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{s += $2} END {print s + 0}')
        echo "$target: ok, $runs inputs run"
    else
        failed+=("$target")
        grep -E 'panicked at|ERROR: libFuzzer|SUMMARY|Test unit written to' "$log" | head -n 8 || true
        echo "$target: FAILED (full log: $log)"
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: crashes in ${failed[*]}; save each input named above under tests/fixtures/crashes/ and fix the cause" >&2
    exit 1
fi
echo "fuzz: every target ran ${seconds} s without a crash"
