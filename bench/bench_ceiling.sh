#!/usr/bin/env bash
# The load generator's own ceiling (issue 22, point 5): how many requests per second gateway-bench
# drives on one core, against the gateway's own cost per request, so that a gateway figure is
# known to be the gateway's and not the client's.
#
# The responder is as cheap as a server gets: nginx (one worker) answering every POST from
# memory (`return 200`): a chat.completion for --no-stream, or a whole SSE stream of CHUNKS
# content chunks and [DONE] in one body for --stream. gateway-bench runs pinned to one CPU
# (taskset) with one reactor thread. Its CPU time per request (user + system, from
# /proc/PID/stat) is the figure that does not depend on how the two cores were shared; its
# ceiling on one core is 1e6 / that. The gateway's CPU per request is measured the same way on
# its provider path in front of the same responder (the bench then drives the gateway).
#
#   bench/bench_ceiling.sh            # ~1 min: DURATION, CONCURRENCY, CHUNKS, ROUNDS
#
# Prints a table and writes bench/results/bench_ceiling.json. Loopback only (a private network
# namespace).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DURATION="${DURATION:-4}"
CONCURRENCY="${CONCURRENCY:-64}"
CHUNKS="${CHUNKS:-16}"
ROUNDS="${ROUNDS:-3}"
command -v taskset >/dev/null || die "taskset (util-linux) is needed"
command -v nginx >/dev/null || die "nginx is needed"

bench_build
bench_enter_netns "$@"
mkdir -p "$RESULTS" "$BENCH_TMP/runs"

RESPONDER_PORT=9201
GATEWAY_PORT=9202

# The responder: nginx, one worker on CPU 1, every answer from memory.
start_responder() {
  local conf="$BENCH_TMP/responder.conf" sse="" i
  for ((i = 0; i < CHUNKS; i++)); do
    sse+="data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"bench\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" tok\"},\"finish_reason\":null}]}\\n\\n"
  done
  sse+="data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"bench\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":8,\"completion_tokens\":$CHUNKS,\"total_tokens\":$((CHUNKS + 8))}}\\n\\ndata: [DONE]\\n\\n"
  local whole="{\"id\":\"c\",\"object\":\"chat.completion\",\"model\":\"bench\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":8,\"completion_tokens\":$CHUNKS,\"total_tokens\":$((CHUNKS + 8))}}"
  cat >"$conf" <<CONF
worker_processes 1;
worker_cpu_affinity 10;
daemon off;
pid $BENCH_TMP/responder.pid;
error_log $BENCH_TMP/responder.err warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_buffer_size 64k;
  server {
    listen 127.0.0.1:$RESPONDER_PORT;
    location /stream/ { default_type text/event-stream; return 200 '$sse'; }
    location / { default_type application/json; return 200 '$whole'; }
  }
}
CONF
  nginx -c "$conf" -p "$BENCH_TMP" >"$BENCH_TMP/responder.log" 2>&1 &
  BENCH_PIDS+=("$!")
  wait_port "$RESPONDER_PORT" "$!"
}

# measure NAME PORT PATH_PREFIX MODEL STREAM PROXY_PID: one pinned run; writes NAME.json and
# NAME.cpu ("bench_seconds proxy_seconds").
measure() {
  local name=$1 port=$2 prefix=$3 model=$4 stream=$5 proxy=$6 p0=0 t0
  [[ -n $proxy ]] && p0=$(cpu_ticks "$proxy")
  taskset -c 0 "$LOADGEN" --no-progress --url "http://127.0.0.1:$port$prefix" --model "$model" \
    --concurrency "$CONCURRENCY" --warmup-s 0.5 --duration-s "$DURATION" --output-tokens "$CHUNKS" \
    "$stream" --json "$BENCH_TMP/runs/$name.json" >"$BENCH_TMP/runs/$name.out" &
  local pid=$!
  # The bench's own CPU, read just before it exits: poll until it is gone, keeping the last read.
  t0=0
  while kill -0 "$pid" 2>/dev/null; do
    local t
    t=$(cpu_ticks "$pid")
    [[ $t -gt 0 ]] && t0=$t
    sleep 0.05
  done
  wait "$pid"
  local p1=0
  [[ -n $proxy ]] && p1=$(cpu_ticks "$proxy")
  awk -v b="$t0" -v p="$((p1 - p0))" -v hz="$(getconf CLK_TCK)" 'BEGIN {print b / hz, p / hz}' \
    >"$BENCH_TMP/runs/$name.cpu"
}

start_responder
# The gateway's provider path to the same responder: `bench` gets the whole answer, `bench-stream`
# the stream (its provider's base URL is under /stream/).
cat >"$BENCH_TMP/front.yaml" <<CONF
server: {listen: 127.0.0.1:0, max_body_bytes: 1048576}
log: {level: warn, access_log: false}
providers:
  - {name: plain, base_url: "http://127.0.0.1:$RESPONDER_PORT/v1", retries: {max_retries: 0}}
  - {name: stream, base_url: "http://127.0.0.1:$RESPONDER_PORT/stream/v1", retries: {max_retries: 0}}
models:
  - {id: bench, engine: none, remote: [{provider: plain, model: bench}]}
  - {id: bench-stream, engine: none, remote: [{provider: stream, model: bench}]}
CONF
gw_pid=$(taskset -c 1 "$GATEWAY" --config "$BENCH_TMP/front.yaml" --listen "127.0.0.1:$GATEWAY_PORT" \
  >"$BENCH_TMP/gateway.log" 2>&1 & echo $!)
BENCH_PIDS+=("$gw_pid")
wait_port "$GATEWAY_PORT" "$gw_pid"

for ((r = 1; r <= ROUNDS; r++)); do
  log "round $r/$ROUNDS"
  measure "direct-plain-$r" "$RESPONDER_PORT" "" bench --no-stream ""
  measure "direct-stream-$r" "$RESPONDER_PORT" "/stream" bench --stream ""
  measure "gateway-plain-$r" "$GATEWAY_PORT" "" bench --no-stream "$gw_pid"
  measure "gateway-stream-$r" "$GATEWAY_PORT" "" bench-stream --stream "$gw_pid"
done

node "$BENCH_DIR/summarize_ceiling.mjs" "$BENCH_TMP/runs" "$ROUNDS" "$CONCURRENCY" "$CHUNKS" \
  >"$RESULTS/bench_ceiling.json"
log "wrote $RESULTS/bench_ceiling.json"
