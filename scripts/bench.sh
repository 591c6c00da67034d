#!/usr/bin/env bash
# Measures benchgate on synthetic artifact trees and prints a Markdown table.
#
# For each tree size it measures, in the same run and interleaved:
#   floor    every selected file read, the JSON ones parsed into serde's IgnoredAny
#   library  trees::compare_trees of base and head (the `measure` bench binary)
#   cli      `benchgate compare --base --head --json --markdown` as a process
# and reports wall time (median of the runs), MB/s and files/s, peak RSS and CPU use, and
# the ratio of each time to the floor. Then 100 000 synthetic series compared and rendered,
# and the start-up time of `benchgate --version` next to `true`.
#
# Usage: scripts/bench.sh [--large] [--runs N] [--sizes "small medium"]
#   --large      also measure the ~1 GB tree (needs ~2.5 GB of disk and several minutes);
#                the same as BENCHGATE_BENCH_LARGE=1
#   --runs N     measured runs per size (default 5)
#   --sizes S    the sizes to measure (default "small medium")
# Trees are generated once under $CARGO_TARGET_DIR/tmp/synth/<size> (default target dir:
# ./target) and reused while their manifest matches; delete the directory to regenerate.
set -euo pipefail

cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-$PWD/target}"
export CARGO_TARGET_DIR="$target"
runs=5
sizes="small medium"
if [[ "${BENCHGATE_BENCH_LARGE:-}" == 1 ]]; then sizes="$sizes large"; fi
while [[ $# -gt 0 ]]; do
  case "$1" in
    --large) sizes="$sizes large" ;;
    --runs) runs="$2"; shift ;;
    --sizes) sizes="$2"; shift ;;
    *) echo "usage: $0 [--large] [--runs N] [--sizes \"small medium\"]" >&2; exit 2 ;;
  esac
  shift
done
seed=20251002

echo "# load before building: $(uptime)" >&2
cargo build --release --bin benchgate >&2
measure=$(cargo bench --no-run --bench measure --message-format=json 2>/dev/null |
  grep -o '"executable":"[^"]*measure[^"]*"' | tail -1 | cut -d'"' -f4)
benchgate="$target/release/benchgate"
[[ -x "$measure" && -x "$benchgate" ]] || { echo "build failed" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# timed OUT CMD...: runs CMD with its stdout in OUT; sets WALL (s), RSS (MiB), CPU (%).
timed() {
  local out="$1"; shift
  local start end
  start=$(date +%s%N)
  if [[ -x /usr/bin/time ]]; then
    /usr/bin/time -f '%M %P' -o "$work/time" "$@" >"$out" || [[ $? == 1 ]]
    end=$(date +%s%N)
    # The last line: a failing command adds "Command exited with non-zero status N" first.
    read -r rss cpu < <(tail -n 1 "$work/time")
    cpu=${cpu%\%}
  else
    python3 -c '
import resource, subprocess, sys, time
t = time.monotonic()
code = subprocess.call(sys.argv[2:], stdout=open(sys.argv[1], "w"))
wall = time.monotonic() - t
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(r.ru_maxrss, round((r.ru_utime + r.ru_stime) / wall * 100), file=sys.stderr)
sys.exit(0 if code in (0, 1) else code)' "$out" "$@" 2>"$work/time"
    end=$(date +%s%N)
    read -r rss cpu <"$work/time"
  fi
  WALL=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f", (b - a) / 1e9 }')
  RSS=$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')
  CPU=$cpu
}

# field NAME < JSON: the first numeric field NAME of a JSON object.
field() { grep -o "\"$1\":[-0-9.e+]*" | head -1 | cut -d: -f2; }

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

rows=()
for size in $sizes; do
  dir="$target/tmp/synth/$size"
  if ! grep -qs "\"size\": \"$size\"" "$dir/manifest.json" || ! grep -qs "\"seed\": $seed" "$dir/manifest.json"; then
    echo "# generating the $size tree in $dir" >&2
    "$measure" generate "$size" "$dir" "$seed" >&2
  fi
  # Warm the page cache so that every variant reads from memory.
  "$measure" floor "$dir/base" "$dir/head" >/dev/null
  : >"$work/floor"; : >"$work/lib"; : >"$work/cli"
  for ((i = 1; i <= runs; i++)); do
    timed "$work/out" "$measure" floor "$dir/head" "$dir/base"
    echo "$(field seconds <"$work/out") $WALL $RSS $CPU" >>"$work/floor"
    files=$(field files <"$work/out"); bytes=$(field bytes <"$work/out")
    timed "$work/out" "$measure" pipeline "$dir/base" "$dir/head"
    echo "$(field seconds <"$work/out") $WALL $RSS $CPU $(field stored_rows <"$work/out")" >>"$work/lib"
    deltas=$(field deltas <"$work/out")
    # From an empty directory, so that no policy file is picked up.
    cd "$work"
    timed "$work/out" "$benchgate" compare --base "$dir/base" --head "$dir/head" \
      --json "$work/report.json" --markdown "$work/comment.md"
    cd - >/dev/null
    echo "$WALL $WALL $RSS $CPU" >>"$work/cli"
  done
  col() { awk -v c="$2" '{ print $c }' "$1" | median; }
  floor=$(col "$work/floor" 1)
  lib=$(col "$work/lib" 1)
  cli=$(col "$work/cli" 1)
  rows+=("$(awk -v size="$size" -v files="$files" -v bytes="$bytes" -v floor="$floor" \
    -v lib="$lib" -v cli="$cli" -v deltas="$deltas" \
    -v frss="$(col "$work/floor" 3)" -v lrss="$(col "$work/lib" 3)" -v crss="$(col "$work/cli" 3)" \
    -v lcpu="$(col "$work/lib" 4)" -v ccpu="$(col "$work/cli" 4)" -v stored="$(col "$work/lib" 5)" \
    'BEGIN {
      mb = bytes / 1e6
      printf "| %s | %d | %.1f | %d | %.3f | %.3f (%.2fx) | %.3f (%.2fx) | %d | %.0f | %.0f | %.0f / %.0f / %.0f | %s / %s |\n",
        size, files, mb, deltas, floor, lib, lib / floor, cli, cli / floor, stored,
        mb / cli, files / cli, frss, lrss, crss, lcpu, ccpu
    }')")
done

echo "# 100 000 synthetic series" >&2
: >"$work/series"
for ((i = 1; i <= runs; i++)); do
  timed "$work/out" "$measure" series 100000
  echo "$(field compare_seconds <"$work/out") $(field render_seconds <"$work/out") $RSS $(field seconds <"$work/out")" >>"$work/series"
done
s_compare=$(awk '{ print $1 }' "$work/series" | median | xargs printf '%.3f')
s_render=$(awk '{ print $2 }' "$work/series" | median | xargs printf '%.3f')
s_rss=$(awk '{ print $3 }' "$work/series" | median)
s_total=$(awk '{ print $4 }' "$work/series" | median | xargs printf '%.3f')

echo "# start-up time" >&2
if command -v hyperfine >/dev/null; then
  hyperfine -N --warmup 20 --runs 300 --export-json "$work/startup.json" \
    "$benchgate --version" "true" >&2
  version_ms=$(grep -o '"mean": *[-0-9.e+]*' "$work/startup.json" | sed -n 1p | cut -d: -f2)
  true_ms=$(grep -o '"mean": *[-0-9.e+]*' "$work/startup.json" | sed -n 2p | cut -d: -f2)
  version_ms=$(awk -v s="$version_ms" 'BEGIN { printf "%.2f", s * 1000 }')
  true_ms=$(awk -v s="$true_ms" 'BEGIN { printf "%.2f", s * 1000 }')
else
  loop() {
    local start end
    start=$(date +%s%N)
    for ((i = 0; i < 200; i++)); do "$@" >/dev/null; done
    end=$(date +%s%N)
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", (b - a) / 200 / 1e6 }'
  }
  version_ms=$(loop "$benchgate" --version)
  true_ms=$(loop true)
fi

cat <<EOF

Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg) at the end.
Runs per size: $runs (medians). Times in seconds; (Nx) = ratio to the floor of the same run.

| size | files | MB | deltas | floor | library scan+compare | \`benchgate compare\` | rows stored on disk | MB/s | files/s | peak RSS MiB floor / library / CLI | CPU % library / CLI |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|
$(printf '%s\n' "${rows[@]}")

| 100 000 series | compare | render | compare + render | peak RSS MiB |
|---|---:|---:|---:|---:|
| synthetic, ~8 % regressed | $s_compare | $s_render | $s_total | $s_rss |

| start-up | benchgate --version | true (process floor) |
|---|---:|---:|
| mean ms | $version_ms | $true_ms |
EOF
