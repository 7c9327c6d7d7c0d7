#!/usr/bin/env bash
# Overhead: what a proxy in front of an OpenAI-compatible upstream adds. The same load goes
# (1) straight to the upstream, (2) through nginx (one worker, keep-alive upstream, no
# buffering), (3) through Portkey's gateway (pinned, bench/portkey), (4) through this gateway on
# the remote-provider path, (5) through this gateway's local-server path (`engine: openai`) and
# (6) `gateway-traced`: (4) with `tracing:` on, every request sampled, exporting to a collector
# that accepts everything (bench/otlp_sink.mjs). Not in the default PATHS.
# The upstream is this gateway on the sim engine: instant (time_scale 0) for latency and
# throughput, paced (one chunk every 20 ms) for the SSE chunk gap.
#
#   bench/overhead.sh                 # all of it (~6 minutes)
#   DURATION=5 CONCURRENCY="1 64" PATHS="direct nginx gateway" bench/overhead.sh
#   ROUNDS=3 DURATION=4 bench/overhead.sh   # medians of 3 interleaved rounds
#
# Prints a table and writes bench/results/overhead.json (every gateway-bench report included).
# Everything runs in a private network namespace (loopback only).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DURATION="${DURATION:-8}"
# ROUNDS > 1 repeats every measurement, the paths interleaved within each round, and reports the
# median of each figure, and of each path minus direct within the same round: on a shared,
# noisy machine one round's ±150 µs swings otherwise decide a comparison.
ROUNDS="${ROUNDS:-1}"
WARMUP="${WARMUP:-1}"
CONCURRENCY="${CONCURRENCY:-1 16 64 256}"
STREAM_CONCURRENCY="${STREAM_CONCURRENCY:-1 64}"
PATHS="${PATHS:-direct nginx portkey gateway gateway-local}"

if [[ "${BENCH_IN_NETNS:-0}" != 1 ]]; then
  bench_build
  [[ " $PATHS " == *" portkey "* ]] && bench_install_portkey
fi
bench_enter_netns "$@"
mkdir -p "$RESULTS" "$BENCH_TMP/runs"

# Ports: 90xx in front of the instant upstream, 91xx in front of the paced one.
declare -A PORT=([direct]=9001 [nginx]=9002 [portkey]=9003 [gateway]=9004 [gateway-local]=9005
                 [gateway-traced]=9006)
OTLP_SINK_PORT=9050  # + the port offset

gateway_front_config() {  # gateway_front_config UPSTREAM_PORT KIND -> a config file
  local up=$1 kind=$2 f="$BENCH_TMP/front-$2-$1.yaml"
  if [[ $kind == remote ]]; then
    remote_front_config "$up" "$f"
  elif [[ $kind == traced ]]; then
    remote_front_config "$up" "$f"
    # The defaults but the collector: batches of 512 spans or every 5 s, a queue of 2048.
    echo "tracing: {otlp_endpoint: \"http://127.0.0.1:$3\", service_name: bench}" >>"$f"
  else
    cat >"$f" <<CONF
server: {listen: 127.0.0.1:0, max_body_bytes: 1048576}
log: {level: warn, access_log: false}
models:
  - id: bench
    engine: openai
    max_model_len: 65536
    openai: {servers: ["http://127.0.0.1:$up/v1"], max_in_flight: 100000, health: {path: /healthz}}
    batching: {max_queued: 100000}
CONF
  fi
  echo "$f"
}

# The process doing each path's proxying, by path and port offset, for its CPU time per request:
# nginx's one worker, Portkey's node, the gateway itself.
declare -A PROXY_PID=()
start_paths() {  # start_paths UPSTREAM_PORT OFFSET
  local up=$1 off=$2 p pid
  for p in $PATHS; do
    case $p in
      direct) continue ;;
      nginx) pid=$(start_nginx "$up" $((PORT[nginx] + off))) ;;
      portkey) pid=$(start_portkey $((PORT[portkey] + off))) ;;
      gateway) pid=$(start_gateway "front-remote-$up" "$(gateway_front_config "$up" remote)" $((PORT[gateway] + off))) ;;
      gateway-local) pid=$(start_gateway "front-local-$up" "$(gateway_front_config "$up" local)" $((PORT[gateway-local] + off))) ;;
      gateway-traced)
        node "$BENCH_DIR/otlp_sink.mjs" $((OTLP_SINK_PORT + off)) >"$BENCH_TMP/otlp-sink-$off.log" 2>&1 &
        BENCH_PIDS+=("$!")
        wait_port $((OTLP_SINK_PORT + off)) "$!"
        pid=$(start_gateway "front-traced-$up" "$(gateway_front_config "$up" traced $((OTLP_SINK_PORT + off)))" \
          $((PORT[gateway-traced] + off))) ;;
      *) die "unknown path $p (known: direct nginx portkey gateway gateway-local gateway-traced)" ;;
    esac
    # The starters ran in a subshell: register the process for cleanup here.
    BENCH_PIDS+=("$pid")
    [[ $p == nginx ]] && pid=$(pgrep -P "$pid" | head -1)
    PROXY_PID[$p-$off]=$pid
  done
}

# run NAME PATH PORT_OFFSET UPSTREAM_PORT ARGS...: one gateway-bench run, JSON kept.
run() {
  local name=$1 path=$2 off=$3 up=$4; shift 4
  local port=$((PORT[$path] + off)) extra=()
  [[ $path == direct ]] && port=$up
  if [[ $path == portkey ]]; then
    extra=(--header "x-portkey-provider: openai" --header "x-portkey-custom-host: http://127.0.0.1:$up/v1"
           --api-key unused)
  fi
  log "$name via $path"
  local pid=${PROXY_PID[$path-$off]:-} t0=0
  [[ -n $pid ]] && t0=$(cpu_ticks "$pid")
  loadgen --url "http://127.0.0.1:$port" --model bench --endpoint chat --prompt-tokens 32 \
    --warmup-s "$WARMUP" --duration-s "$DURATION" --drain-timeout-s 10 "${extra[@]}" "$@" \
    --json "$BENCH_TMP/runs/$name--$path.json" >"$BENCH_TMP/runs/$name--$path.txt"
  # The proxy's CPU seconds over the run (warm-up included), beside the report.
  [[ -n $pid ]] && awk -v t="$(( $(cpu_ticks "$pid") - t0 ))" -v hz="$(getconf CLK_TCK)" \
    'BEGIN {print t / hz}' >"$BENCH_TMP/runs/$name--$path.cpu"
  return 0
}

# Latency and throughput: non-streaming, instant upstream.
start_gateway upstream-instant "$BENCH_DIR/conf/upstream-instant.yaml" 9001 >/dev/null
start_paths 9001 0
for r in $(seq 1 "$ROUNDS"); do
  tag=$([[ $ROUNDS -gt 1 ]] && echo "~r$r" || true)
  for c in $CONCURRENCY; do
    for p in $PATHS; do run "plain-c$c$tag" "$p" 0 9001 --no-stream --output-tokens 16 --concurrency "$c"; done
  done
  # Time to first token: streaming, instant upstream.
  for c in $STREAM_CONCURRENCY; do
    for p in $PATHS; do run "stream-c$c$tag" "$p" 0 9001 --stream --output-tokens 16 --concurrency "$c"; done
  done
done
# Chunk gaps: streaming from the paced upstream (20 ms per chunk).
start_gateway upstream-paced "$BENCH_DIR/conf/upstream-paced.yaml" 9101 >/dev/null
start_paths 9101 100
for r in $(seq 1 "$ROUNDS"); do
  tag=$([[ $ROUNDS -gt 1 ]] && echo "~r$r" || true)
  for c in $STREAM_CONCURRENCY; do
    for p in $PATHS; do run "paced-c$c$tag" "$p" 100 9101 --stream --output-tokens 50 --concurrency "$c"; done
  done
done

node "$BENCH_DIR/summarize.mjs" overhead "$BENCH_TMP/runs" "$RESULTS/overhead.json"
