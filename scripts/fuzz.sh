#!/usr/bin/env bash
# Fuzzes the parsers, the renderer and artifact extraction with libFuzzer.
#
#   scripts/fuzz.sh [TARGET...]          every target when none is named
#
# FUZZ_SECONDS    time per target (default 300)
# FUZZ_JOBS       parallel fuzzing processes per target (default 1)
#
# The targets (fuzz/, a workspace of its own) are built with the toolchain at hand, stable
# included, and the flags cargo-fuzz would pass for `--sanitizer none`: coverage-guided,
# optimised, with debug assertions and overflow checks (the code under test is safe Rust,
# so an address-sanitizer build would add hours of building and little else). Corpora live
# in fuzz/corpus/<target> (not in git) and are seeded on every run from small files of
# tests/fixtures. A crash stops with the input's path: copy it to tests/fixtures/crashes/
# (the regression test replays every file there) and fix the code.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds="${FUZZ_SECONDS:-300}"
jobs="${FUZZ_JOBS:-1}"
all_targets=(parse_file generic_csv generic_json markdown_text llm_adapters harness_adapters render unzip)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")

host=$(rustc -vV | sed -n 's/^host: //p')
# With an explicit --target, RUSTFLAGS reach only the crates of the fuzz binaries, not build
# scripts and proc macros.
flags=(--cfg fuzzing -Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4
    -Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table
    -Cllvm-args=-sanitizer-coverage-trace-compares -Cdebug-assertions -Coverflow-checks
    -Ccodegen-units=16)
export RUSTFLAGS="${flags[*]}"
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$PWD/fuzz/target}"
bin="$CARGO_TARGET_DIR/$host/release"

# Seeds: `PATH\nCONTENT`, the layout the targets read (fuzz/src/input.rs). The virtual
# path is the fixture's name with `__` turned back into the `/` it stood for.
seed() {
    local target=$1 pattern=$2 limit=$3 file name
    mkdir -p "fuzz/corpus/$target"
    find tests/fixtures -type f -size -24k -regextype posix-extended -regex "$pattern" \
        ! -name PROVENANCE.md ! -path '*/crashes/*' | sort | awk -v n="$limit" 'NR <= n' |
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
cargo build --manifest-path fuzz/Cargo.toml --locked --release --bins --target "$host"
echo "built in $((SECONDS - started)) s"

failed=()
for target in "${targets[@]}"; do
    echo "--- fuzzing $target for ${seconds} s"
    log="fuzz/artifacts/$target.log"
    mkdir -p fuzz/artifacts
    parallel=()
    [ "$jobs" -gt 1 ] && parallel=(-jobs="$jobs" -workers="$jobs")
    status=0
    (cd fuzz && "$bin/$target" "${parallel[@]}" -artifact_prefix=artifacts/ \
        -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 "corpus/$target") >"$log" 2>&1 || status=$?
    # With -jobs, each worker logs to fuzz-N.log in the working directory.
    for worker in fuzz/fuzz-*.log; do
        [ -e "$worker" ] && cat "$worker" >>"$log" && rm -f "$worker"
    done
    if [ "$status" = 0 ]; then
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
