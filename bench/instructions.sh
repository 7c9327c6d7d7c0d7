#!/usr/bin/env bash
# Instructions: what one proxied request costs the gateway in user-space instructions, counted by
# valgrind's callgrind. Unlike time on this shared, noisy VM, the count is the same from run to
# run (±1%), so it shows what a change to the hot path saved. The kernel's share (syscalls, TCP
# over loopback) is not counted: bench/overhead.sh's "proxy CPU µs/req" has the whole.
#
#   bench/instructions.sh                  # ~1 minute
#   REQUESTS=5000 MODES="plain stream" bench/instructions.sh
#   FRONT=/path/to/older/inference-gateway bench/instructions.sh   # count another build's front
#                                                                   # against this build's upstreams
#   TRACING=1 bench/instructions.sh        # the front with `tracing:` on, every request sampled,
#                                          # exporting to bench/otlp_sink.mjs
#
# The gateway runs on its provider path (engine: none) in front of a sim upstream, under
# callgrind: the instant one for plain requests; for streamed ones the paced one at 0.05 ms a
# chunk, so that every token is its own SSE event as from an LLM server (the instant engine
# outruns its own writer, which then merges a request's tokens into one or two events). The
# streamed count depends a little on how many chunks one read finds (±3%). gateway-bench sends
# WARMUP requests, the counters are zeroed, then REQUESTS more at concurrency 8. Prints instructions per request and the 25 costliest functions (self),
# and writes bench/results/instructions.json. Runs in a private network namespace.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

REQUESTS="${REQUESTS:-2000}"
WARMUP_REQUESTS="${WARMUP_REQUESTS:-200}"
MODES="${MODES:-plain stream}"
FRONT="${FRONT:-$GATEWAY}"
TRACING="${TRACING:-0}"

bench_build
if ! command -v valgrind >/dev/null && [[ "${BENCH_IN_NETNS:-0}" != 1 ]]; then  # on Debian's image; else install it
  log "installing valgrind"
  sudo_cmd=""; [[ "$(id -u)" -eq 0 ]] || sudo_cmd=sudo
  $sudo_cmd apt-get install -y -qq --no-install-recommends valgrind >/dev/null
fi
command -v valgrind >/dev/null || die "valgrind is needed (apt-get install valgrind)"
bench_enter_netns "$@"
mkdir -p "$RESULTS"

start_gateway upstream "$BENCH_DIR/conf/upstream-instant.yaml" 9001 >/dev/null
paced="$BENCH_TMP/upstream-paced.yaml"
sed 's/decode_base_ms: 20/decode_base_ms: 0.05/' "$BENCH_DIR/conf/upstream-paced.yaml" >"$paced"
start_gateway upstream-paced "$paced" 9002 >/dev/null
remote_front_config 9001 "$BENCH_TMP/front-plain.yaml"
remote_front_config 9002 "$BENCH_TMP/front-stream.yaml"
if [[ $TRACING == 1 ]]; then
  node "$BENCH_DIR/otlp_sink.mjs" 9050 >"$BENCH_TMP/otlp-sink.log" 2>&1 &
  BENCH_PIDS+=("$!")
  wait_port 9050 "$!"
  for f in "$BENCH_TMP"/front-{plain,stream}.yaml; do
    echo 'tracing: {otlp_endpoint: "http://127.0.0.1:9050", service_name: bench}' >>"$f"
  done
fi

results=()
for mode in $MODES; do
  case $mode in
    plain) flags=(--no-stream) ;;
    stream) flags=(--stream) ;;
    *) die "unknown mode $mode (known: plain stream)" ;;
  esac
  out="$BENCH_TMP/callgrind-$mode.out"
  front="$BENCH_TMP/front-$mode.yaml"
  valgrind --tool=callgrind --callgrind-out-file="$out" "$FRONT" --config "$front" --listen 127.0.0.1:9004 \
    >"$BENCH_TMP/front-$mode.log" 2>&1 &
  pid=$!
  BENCH_PIDS+=("$pid")
  wait_port 9004 "$pid"
  send() {
    loadgen --url http://127.0.0.1:9004 --model bench --endpoint chat --prompt-tokens 32 --output-tokens 16 \
      "${flags[@]}" --concurrency 8 --requests "$1" --duration-s 600 --warmup-s 0 >/dev/null
  }
  send "$WARMUP_REQUESTS"
  callgrind_control -z "$pid" >/dev/null 2>&1
  send "$REQUESTS"
  callgrind_control -d "$pid" >/dev/null 2>&1
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  dump=$(ls "$out".* | head -1)
  total=$(callgrind_annotate --auto=no --threshold=100 "$dump" | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
  per=$((total / REQUESTS))
  log "$mode: $per instructions per request ($total for $REQUESTS requests)"
  echo
  echo "$mode chat (32-token prompt, 16 tokens out): $per instructions per request; costliest functions (self):"
  callgrind_annotate --auto=no --threshold=100 "$dump" | sed -n '/file:function/,$p' | sed -n '3,$p' \
    | grep -v "(100.0%)" | head -25 | cut -c1-160 || true  # head closes the pipe early
  results+=("{\"mode\": \"$mode\", \"tracing\": $TRACING, \"requests\": $REQUESTS, \"instructions\": $total, \"per_request\": $per}")
done
printf '{"date": "%s", "machine": "%s", "results": [%s]}\n' "$(date -u +%FT%TZ)" "$(uname -r)" \
  "$(IFS=,; echo "${results[*]}")" >"$RESULTS/instructions.json"
log "wrote $RESULTS/instructions.json"
