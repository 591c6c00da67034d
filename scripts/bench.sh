#!/usr/bin/env bash
# Measures benchgate on synthetic artifact trees and prints Markdown tables.
#
# Sections (all but `huge` by default; `--sections` picks some):
#   sizes      the mixed small/medium(/large) trees, in the same run and interleaved:
#                floor    every selected file read and tokenised by family (JSON parsed into
#                         IgnoredAny, CSV split by the csv crate, text into lines and cells)
#                library  trees::compare_trees of base and head (the `measure` bench binary)
#                cli      `benchgate compare --base --head --json --markdown` as a process
#              wall time (median of the runs), MB/s and files/s, peak RSS and CPU use, and
#              the ratio of each time to the floor
#   series     100 000 synthetic series compared and rendered
#   startup    `benchgate --version` next to `true`
#   families   one tree per format family (csv, markdown, json, jsonl, text), each alone:
#              `benchgate compare` with RAYON_NUM_THREADS=1 against the single-thread floor,
#              and its stages: the parse stage alone, `compare` without report.json
#   balanced   the balanced tree (every family in equal bytes) on all cores against the
#              floor, then on 1, 2 (4, 8, 16 when there are that many) cores: pinned with
#              taskset (every thread, the reading and writing ones too, shares those cores),
#              or RAYON_NUM_THREADS=N without taskset
#   regressed  the balanced tree with every metric 7 % worse on head, on all cores and with
#              RAYON_NUM_THREADS=16 (threads beyond the cores still cost their memory)
#   huge       the regressed balanced tree at ~2 GB per side, RAYON_NUM_THREADS=16, one run
#
# Usage: scripts/bench.sh [--large] [--huge] [--runs N] [--sizes "small medium"]
#                         [--sections "families balanced"] [--family-mb N] [--balanced-mb N]
#                         [--huge-mb N]
#   --large          also measure the ~1 GB mixed tree (needs ~2.5 GB of disk and several
#                    minutes); the same as BENCHGATE_BENCH_LARGE=1
#   --huge           add the `huge` section (needs ~4.5 GB of disk; generating takes minutes)
#   --runs N         measured runs per measurement (default 5; `huge` runs once)
#   --sizes S        the mixed tree sizes to measure (default "small medium")
#   --sections S     the sections to run (default "sizes series startup families balanced
#                    regressed")
#   --family-mb N    MB per side of each family tree (default 40)
#   --balanced-mb N  MB per side of the balanced trees (default 100)
#   --huge-mb N      MB per side of the huge tree (default 2000)
# Trees are generated once under $CARGO_TARGET_DIR/tmp/synth/ (default target dir: ./target)
# and reused while their manifest matches; delete the directory to regenerate.
set -euo pipefail

cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-$PWD/target}"
export CARGO_TARGET_DIR="$target"
runs=5
sizes="small medium"
sections="sizes series startup families balanced regressed"
family_mb=40
balanced_mb=100
huge_mb=2000
huge=0
if [[ "${BENCHGATE_BENCH_LARGE:-}" == 1 ]]; then sizes="$sizes large"; fi
usage() {
  echo "usage: $0 [--large] [--huge] [--runs N] [--sizes \"small medium\"] [--sections S]" \
    "[--family-mb N] [--balanced-mb N] [--huge-mb N]" >&2
  exit 2
}
while [[ $# -gt 0 ]]; do
  case "$1" in
    --large) sizes="$sizes large" ;;
    --huge) huge=1 ;;
    --runs) runs="$2"; shift ;;
    --sizes) sizes="$2"; shift ;;
    --sections) sections="$2"; shift ;;
    --family-mb) family_mb="$2"; shift ;;
    --balanced-mb) balanced_mb="$2"; shift ;;
    --huge-mb) huge_mb="$2"; shift ;;
    *) usage ;;
  esac
  shift
done
if [[ $huge == 1 ]]; then sections="$sections huge"; fi
for section in $sections; do
  case "$section" in
    sizes | series | startup | families | balanced | regressed | huge) ;;
    *) echo "unknown section $section" >&2; usage ;;
  esac
done
want() { [[ " $sections " == *" $1 "* ]]; }
seed=20251002
cores=$(nproc)
export cores

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
want sizes || sizes=""
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

if want series; then
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
fi

if want startup; then
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
fi

# tree KIND DIR MB REGRESS: generates a family (or the balanced) tree of MB per side in DIR
# with every metric REGRESS % worse on head, unless DIR already holds it; warms the cache.
tree() {
  local kind="$1" dir="$2" bytes=$(($3 * 1000000)) regress="$4"
  local stamp="$kind $bytes $regress $seed"
  if [[ "$(cat "$dir/stamp" 2>/dev/null)" != "$stamp" ]]; then
    echo "# generating the $kind tree ($3 MB per side, $regress % regressed) in $dir" >&2
    rm -f "$dir/stamp"
    "$measure" family "$kind" "$dir" "$bytes" --regress "$regress" --seed "$seed" >&2
    echo "$stamp" >"$dir/stamp"
  fi
  "$measure" floor "$dir/base" "$dir/head" >/dev/null
}

# first_cpus N: the first N processors this script may run on, as a taskset(1) list.
first_cpus() {
  local part lo hi c parts cpus=()
  IFS=, read -ra parts <<<"$(taskset -cp $$ | sed 's/.*: //')"
  for part in "${parts[@]}"; do
    lo=${part%-*}; hi=${part#*-}
    for ((c = lo; c <= hi; c++)); do cpus+=("$c"); done
  done
  local IFS=,
  echo "${cpus[*]:0:$1}"
}

# threads_env N: the env(1) arguments that run a command on N rayon threads, on all cores
# when N is `all`, on the first M cores when N is `cM` (RAYON_NUM_THREADS=M without taskset).
threads_env() {
  case "$1" in
    all) echo "-u RAYON_NUM_THREADS" ;;
    c*)
      if command -v taskset >/dev/null; then
        echo "-u RAYON_NUM_THREADS taskset -c $(first_cpus "${1#c}")"
      else
        echo "RAYON_NUM_THREADS=${1#c}"
      fi
      ;;
    *) echo "RAYON_NUM_THREADS=$1" ;;
  esac
}

# measure_tree DIR RUNS FLOOR_THREADS CLI_THREADS...: RUNS rounds of the floor on
# FLOOR_THREADS threads and `benchgate compare` on each of CLI_THREADS, interleaved. Leaves
# "seconds wall rss cpu" lines in $work/m.floor and $work/m.cli.<threads>, and sets FILES and
# BYTES (both trees).
measure_tree() {
  local dir="$1" n="$2" floor_threads="$3"; shift 3
  local t i
  : >"$work/m.floor"
  for t in "$@"; do : >"$work/m.cli.$t"; done
  for ((i = 1; i <= n; i++)); do
    # shellcheck disable=SC2046
    timed "$work/out" env $(threads_env "$floor_threads") "$measure" floor "$dir/head" "$dir/base"
    echo "$(field seconds <"$work/out") $WALL $RSS $CPU" >>"$work/m.floor"
    FILES=$(field files <"$work/out"); BYTES=$(field bytes <"$work/out")
    for t in "$@"; do
      # From an empty directory, so that no policy file is picked up.
      cd "$work"
      # shellcheck disable=SC2046
      timed "$work/out" env $(threads_env "$t") "$benchgate" compare --base "$dir/base" \
        --head "$dir/head" --json "$work/report.json" --markdown "$work/comment.md"
      cd - >/dev/null
      echo "$WALL $WALL $RSS $CPU" >>"$work/m.cli.$t"
    done
  done
}

# measure_stages DIR RUNS: where the time of a comparison goes, on one thread: the parse
# stage alone (`measure parse`: every file read, decoded and parsed by benchgate's adapters,
# nothing merged or judged) and the comparison without report.json (the comment to standard
# output). Leaves seconds in $work/m.parse and $work/m.bare.
measure_stages() {
  local dir="$1" n="$2" i
  : >"$work/m.parse"; : >"$work/m.bare"
  cd "$work"
  for ((i = 1; i <= n; i++)); do
    timed "$work/out" env RAYON_NUM_THREADS=1 "$measure" parse "$dir/head" "$dir/base"
    field seconds <"$work/out" >>"$work/m.parse"
    timed "$work/out" env RAYON_NUM_THREADS=1 "$benchgate" compare --base "$dir/base" \
      --head "$dir/head"
    echo "$WALL" >>"$work/m.bare"
  done
  cd - >/dev/null
}

# med FILE COLUMN: the median of a column.
med() { awk -v c="$2" '{ print $c }' "$1" | median; }

family_rows=()
if want families; then
  for family in csv markdown json jsonl text; do
    dir="$target/tmp/synth/family-$family-$family_mb"
    tree "$family" "$dir" "$family_mb" 0
    echo "# family $family: $runs run(s) on one thread" >&2
    measure_tree "$dir" "$runs" 1 1
    measure_stages "$dir" "$runs"
    family_rows+=("$(awk -v f="$family" -v files="$FILES" -v bytes="$BYTES" \
      -v floor="$(med "$work/m.floor" 1)" -v cli="$(med "$work/m.cli.1" 1)" \
      -v rss="$(med "$work/m.cli.1" 3)" -v frss="$(med "$work/m.floor" 3)" \
      -v parse="$(med "$work/m.parse" 1)" -v bare="$(med "$work/m.bare" 1)" 'BEGIN {
        mb = bytes / 1e6
        printf "| %s | %d | %.1f | %.3f | %.0f | %.0f | %.1f | %.3f | %.1f | %.2fx | %.0f / %.0f |\n",
          f, files, mb, floor, mb / floor, mb / parse, mb / bare, cli, mb / cli, cli / floor, frss, rss
      }')")
  done
fi

# Core counts of the speed-up table: 1, 2 and 4, 8, 16 where there are that many.
scaling=(c1 c2)
for t in 4 8 16; do if ((t <= cores)); then scaling+=("c$t"); fi; done

balanced_rows=()
scaling_rows=()
if want balanced; then
  dir="$target/tmp/synth/balanced-$balanced_mb"
  tree balanced "$dir" "$balanced_mb" 0
  echo "# balanced tree: $runs run(s) on all cores, then on ${scaling[*]#c} core(s)" >&2
  measure_tree "$dir" "$runs" all all "${scaling[@]}"
  floor=$(med "$work/m.floor" 1)
  balanced_rows+=("$(awk -v files="$FILES" -v bytes="$BYTES" -v floor="$floor" \
    -v cli="$(med "$work/m.cli.all" 1)" -v frss="$(med "$work/m.floor" 3)" \
    -v rss="$(med "$work/m.cli.all" 3)" -v cpu="$(med "$work/m.cli.all" 4)" 'BEGIN {
      mb = bytes / 1e6
      printf "| balanced | all (%d) | %d | %.1f | %.3f | %.3f | %.2fx | %.0f | %.0f / %.0f | %s |\n",
        ENVIRON["cores"], files, mb, floor, cli, cli / floor, mb / cli, frss, rss, cpu
    }')")
  one=$(med "$work/m.cli.c1" 1)
  for t in "${scaling[@]}"; do
    scaling_rows+=("$(awk -v t="${t#c}" -v one="$one" -v bytes="$BYTES" -v cli="$(med "$work/m.cli.$t" 1)" \
      -v rss="$(med "$work/m.cli.$t" 3)" -v cpu="$(med "$work/m.cli.$t" 4)" 'BEGIN {
        printf "| %d | %.3f | %.0f | %.2fx | %.0f | %s |\n", t, cli, bytes / 1e6 / cli, one / cli, rss, cpu
      }')")
  done
fi

# regressed_row LABEL THREADS: the row of the tree just measured, `benchgate compare` on
# THREADS threads.
regressed_row() {
  local label="$1" t="$2"
  awk -v label="$label" -v t="$t" -v files="$FILES" -v bytes="$BYTES" \
    -v floor="$(med "$work/m.floor" 1)" -v cli="$(med "$work/m.cli.$t" 1)" \
    -v rss="$(med "$work/m.cli.$t" 3)" -v cpu="$(med "$work/m.cli.$t" 4)" 'BEGIN {
      if (t == "all") t = "all (" ENVIRON["cores"] ")"
      mb = bytes / 1e6
      printf "| %s | %s | %d | %.1f | %.3f | %.3f | %.2fx | %.0f | %.0f | %s |\n",
        label, t, files, mb, floor, cli, cli / floor, mb / cli, rss, cpu
    }'
}

regressed_rows=()
if want regressed; then
  dir="$target/tmp/synth/balanced-$balanced_mb-regressed"
  tree balanced "$dir" "$balanced_mb" 7
  echo "# regressed balanced tree: $runs run(s) on all cores and on 16 threads" >&2
  measure_tree "$dir" "$runs" all all 16
  regressed_rows+=("$(regressed_row "balanced, all 7 % worse" all)")
  regressed_rows+=("$(regressed_row "balanced, all 7 % worse" 16)")
fi
if want huge; then
  dir="$target/tmp/synth/balanced-$huge_mb-regressed"
  tree balanced "$dir" "$huge_mb" 7
  echo "# huge regressed balanced tree: one run on 16 threads" >&2
  measure_tree "$dir" 1 all 16
  regressed_rows+=("$(regressed_row "huge balanced, all 7 % worse (1 run)" 16)")
fi

cat <<EOF

Machine: $cores cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg) at the end.
Runs per measurement: $runs (medians). Times in seconds, both trees (base + head); (Nx) = ratio to the floor of the same run.
EOF

if want sizes && ((${#rows[@]})); then
  cat <<EOF

| size | files | MB | deltas | floor | library scan+compare | \`benchgate compare\` | rows stored on disk | MB/s | files/s | peak RSS MiB floor / library / CLI | CPU % library / CLI |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|
$(printf '%s\n' "${rows[@]}")
EOF
fi

if want series; then
  cat <<EOF

| 100 000 series | compare | render | compare + render | peak RSS MiB |
|---|---:|---:|---:|---:|
| synthetic, ~8 % regressed | $s_compare | $s_render | $s_total | $s_rss |
EOF
fi

if want startup; then
  cat <<EOF

| start-up | benchgate --version | true (process floor) |
|---|---:|---:|
| mean ms | $version_ms | $true_ms |
EOF
fi

if ((${#family_rows[@]})); then
  cat <<EOF

One family per tree, $family_mb MB per side, RAYON_NUM_THREADS=1 for both the floor and \`benchgate\`.
Where the time goes: *parse* is the parse stage alone (every file read, decoded and parsed
by benchgate's adapters, nothing merged or judged: \`measure parse\`), *compare, no file*
compares the trees without writing \`report.json\`, \`benchgate compare\` writes \`--json\`
and \`--markdown\` too:

| family | files | MB | floor s | floor MB/s | parse MB/s | compare, no file MB/s | \`benchgate compare\` s | MB/s | ratio to floor | peak RSS MiB floor / CLI |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|
$(printf '%s\n' "${family_rows[@]}")
EOF
fi

if ((${#balanced_rows[@]})); then
  cat <<EOF

Balanced tree (the five families in equal bytes), $balanced_mb MB per side:

| tree | threads | files | MB | floor | \`benchgate compare\` | ratio to floor | MB/s | peak RSS MiB floor / CLI | CPU % |
|---|---|---:|---:|---:|---:|---:|---:|---|---:|
$(printf '%s\n' "${balanced_rows[@]}")

| cores | \`benchgate compare\` s | MB/s | speed-up over 1 | peak RSS MiB | CPU % |
|---:|---:|---:|---:|---:|---:|
$(printf '%s\n' "${scaling_rows[@]}")
EOF
fi

if ((${#regressed_rows[@]})); then
  cat <<EOF

Every metric 7 % worse on head (balanced: $balanced_mb MB per side; huge: $huge_mb MB per side):

| tree | threads | files | MB | floor (all cores) | \`benchgate compare\` | ratio to floor | MB/s | peak RSS MiB | CPU % |
|---|---|---:|---:|---:|---:|---:|---:|---:|---:|
$(printf '%s\n' "${regressed_rows[@]}")
EOF
fi
