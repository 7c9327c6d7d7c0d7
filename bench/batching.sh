#!/usr/bin/env bash
# Batching: the sim engine's throughput and latency across max_batch_size (a Triton-style
# sweep), at a fixed offered load, on the deepseek-r1-w8a8-2node timing preset at real speed.
# What it shows is the continuous batcher at work: small batches queue requests (TTFT grows),
# large ones trade per-token speed (TPOT) for throughput. The batcher admits at every step
# boundary, so there is no separate queue-delay knob to sweep.
#
#   bench/batching.sh                       # ~1 minute
#   BATCH_SIZES="16 64" CONCURRENCY=128 DURATION=10 bench/batching.sh
#
# Prints a table and writes bench/results/batching.json. Runs in a private network namespace.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BATCH_SIZES="${BATCH_SIZES:-8 32 128 256}"
CONCURRENCY="${CONCURRENCY:-256}"
DURATION="${DURATION:-8}"

bench_build
bench_enter_netns "$@"
mkdir -p "$RESULTS" "$BENCH_TMP/runs"

port=9400
for b in $BATCH_SIZES; do
  port=$((port + 1))
  cfg="$BENCH_TMP/batch-$b.yaml"
  cat >"$cfg" <<CONF
server: {listen: 127.0.0.1:0}
log: {level: warn, access_log: false}
models:
  - id: bench
    preset: deepseek-r1-w8a8-2node
    sim: {reasoning: false}
    max_model_len: 8192
    batching: {max_batch_size: $b, max_queued: 100000, max_queue_wait_ms: 600000}
CONF
  pid=$(start_gateway "batch-$b" "$cfg" "$port")
  log "max_batch_size $b: $CONCURRENCY concurrent streams"
  loadgen --url "http://127.0.0.1:$port" --model bench --endpoint chat --stream --prompt-tokens 32 \
    --output-tokens 24 --concurrency "$CONCURRENCY" --warmup-s 2 --duration-s "$DURATION" --drain-timeout-s 60 \
    --json "$BENCH_TMP/runs/batch-b$b--gateway.json" >"$BENCH_TMP/runs/batch-b$b--gateway.txt" || true
  kill "$pid"
done

node "$BENCH_DIR/summarize.mjs" batching "$BENCH_TMP/runs" "$RESULTS/batching.json"
