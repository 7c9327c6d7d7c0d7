#!/usr/bin/env bash
# Soak: the gateway holds 10,000 client connections for DURATION_S (10 minutes by default): half
# of them idle keep-alive connections (connected, one request done, then silent), half SSE
# streams paced at one chunk per second by the sim and restarted as they end, so that both
# counts stay constant. Every SAMPLE_S it records the gateway's RSS (VmRSS), open descriptors,
# CPU time, and gateway-bench's live counters (connections, idle, streams, chunks, errors by
# kind); at the end it prints a table and writes bench/results/soak.json: RSS of the idle
# gateway, with 10,000 idle connections (per idle connection), with the streams (per stream),
# over time and its drift, descriptors, and the errors, which must all be 0 for a pass.
#
#   bench/soak.sh                          # ~12 minutes
#   DURATION_S=60 bench/soak.sh            # the short check, ~2.5 minutes
#   IDLE_CONNECTIONS=2000 STREAMS=8000 CHUNK_MS=500 bench/soak.sh
#   (SOAK_OUT=name writes bench/results/name.json instead of soak.json)
#
# Phases: the first IDLE_PHASE_S every connection (the streams' too) is opened (spread over
# IDLE_RAMP_S), sends one one-token request and stays idle (gateway-bench --idle-phase-s,
# --idle-ramp-s): that measures idle connections. Then STREAMS of them stream until DURATION_S; RAMP_S into that the RSS is taken
# as the base of the drift. The load generator is gateway-bench (--idle-connections, --samples):
# it already holds 10,000+ connections in one thread at ~9 KiB each and its live counters come
# from the bytes it reads; a Node client would cost more memory and CPU than the gateway itself
# on this 2-core machine. Runs in a private network namespace (loopback only); exits 1 on a fail.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

IDLE_CONNECTIONS="${IDLE_CONNECTIONS:-5000}"
STREAMS="${STREAMS:-5000}"
DURATION_S="${DURATION_S:-600}"
SAMPLE_S="${SAMPLE_S:-5}"
CHUNK_MS="${CHUNK_MS:-1000}"            # the sim's decode step: one chunk per stream per step
STREAM_TOKENS="${STREAM_TOKENS:-60}"    # max_tokens per stream (the sim may end one earlier)
# The idle phase: a quarter of the run, 30 to 60 s; the connections open over its first half
# (10,000 in one burst would also measure 10,000 requests in flight at once, and overflow the
# listen backlog). The ramp: a quarter of the rest, 60 s at most.
IDLE_PHASE_S="${IDLE_PHASE_S:-$(( DURATION_S / 4 < 30 ? 30 : DURATION_S / 4 > 60 ? 60 : DURATION_S / 4 ))}"
IDLE_RAMP_S="${IDLE_RAMP_S:-$((IDLE_PHASE_S / 2))}"
RAMP_S="${RAMP_S:-$(( (DURATION_S - IDLE_PHASE_S) / 4 < 60 ? (DURATION_S - IDLE_PHASE_S) / 4 : 60 ))}"
PORT=9401
CONF="$BENCH_DIR/conf/soak.yaml"

connections=$((IDLE_CONNECTIONS + STREAMS))
stream_s=$(( (STREAM_TOKENS * CHUNK_MS + 999) / 1000 ))
drain_s=$((stream_s + 30))              # streams in flight at the end finish, then the run ends
max_conn=$(awk '/^ *max_connections:/ {print $2}' "$CONF")
[[ "$DURATION_S" -ge 20 && "$IDLE_PHASE_S" -ge 5 && "$IDLE_RAMP_S" -lt "$IDLE_PHASE_S" && "$SAMPLE_S" -ge 1 &&
   "$STREAMS" -ge 1 ]] || die "DURATION_S must be >= 20, IDLE_PHASE_S >= 5 and > IDLE_RAMP_S, SAMPLE_S >= 1, STREAMS >= 1"
[[ $((DURATION_S - IDLE_PHASE_S)) -gt "$RAMP_S" ]] || die "RAMP_S must end before DURATION_S"
# The gateway closes a keep-alive connection idle for server.idle_timeout_s (3600 at most).
[[ $((DURATION_S + drain_s + 60)) -le 3600 ]] || die "DURATION_S + the drain must stay under the 3600 s idle timeout"
[[ -z "$max_conn" || "$max_conn" -gt "$connections" ]] || die "server.max_connections ($max_conn) must exceed $connections"

bench_build
bench_enter_netns "$@"
RUNS="$BENCH_TMP/runs"
mkdir -p "$RESULTS" "$RUNS"

conf="$BENCH_TMP/soak.yaml"
sed "s/decode_base_ms: 1000/decode_base_ms: $CHUNK_MS/" "$CONF" >"$conf"
gw=$(start_gateway soak "$conf" "$PORT")
sleep 1  # the gateway's start-up allocations settle
fd_count() { ls "/proc/$1/fd" | wc -l; }
ticks=$(getconf CLK_TCK)
cpu_s() { awk -v t="$ticks" '{printf "%.2f", ($14 + $15) / t}' "/proc/$1/stat"; }  # user + system
idle_rss=$(rss_kb "$gw")
idle_fds=$(fd_count "$gw")
log "soak: $IDLE_CONNECTIONS idle + $STREAMS streaming connections for ${DURATION_S}s" \
    "(idle phase ${IDLE_PHASE_S}s opening over ${IDLE_RAMP_S}s, ramp ${RAMP_S}s, one chunk per ${CHUNK_MS} ms, ${STREAM_TOKENS} tokens a stream);" \
    "idle gateway RSS $idle_rss KiB, $idle_fds fds; load average $(cut -d' ' -f1-3 /proc/loadavg)"

client="$RUNS/client-samples.jsonl"
: >"$client"
t0=$EPOCHREALTIME
"$LOADGEN" --no-progress --url "http://127.0.0.1:$PORT" --model bench --endpoint chat --stream --prompt-tokens 16 \
  --output-tokens "$STREAM_TOKENS" --concurrency "$STREAMS" --idle-connections "$IDLE_CONNECTIONS" \
  --idle-phase-s "$IDLE_PHASE_S" --idle-ramp-s "$IDLE_RAMP_S" --duration-s $((DURATION_S - IDLE_PHASE_S)) --drain-timeout-s "$drain_s" \
  --request-timeout-s $((2 * stream_s + 30)) --connect-timeout-s 30 \
  --samples "$client" --sample-interval-s 1 \
  --json "$RUNS/soak--gateway.json" >"$RUNS/soak--gateway.txt" 2>"$RUNS/loadgen.err" &
lg=$!
BENCH_PIDS+=("$lg")

# One line per SAMPLE_S: the gateway's figures and gateway-bench's latest line (at most 1 s old).
# Bounded: the load generator ends by itself within DURATION_S + the drain; a minute of slack.
samples="$RUNS/soak-samples.jsonl"
: >"$samples"
max_samples=$(( (DURATION_S + drain_s + 60) / SAMPLE_S + 1 ))
for ((i = 0; i < max_samples; i++)); do
  kill -0 "$lg" 2>/dev/null || break
  kill -0 "$gw" 2>/dev/null || { log "the gateway exited during the soak"; break; }
  t=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.3f", b - a}')
  line=$(tail -n 1 "$client")
  printf '{"t_s":%s,"rss_kib":%s,"fds":%s,"cpu_s":%s,"client":%s}\n' "$t" "$(rss_kb "$gw")" \
    "$(fd_count "$gw")" "$(cpu_s "$gw")" "${line:-null}" >>"$samples"
  if ((i % 12 == 0)); then log "t=${t}s RSS $(rss_kb "$gw") KiB, client: ${line:0:90}"; fi
  sleep "$SAMPLE_S"
done
if kill -0 "$lg" 2>/dev/null; then
  log "the load generator outlived its bound; stopping it"
  kill "$lg" 2>/dev/null || true
fi
wait "$lg" && lg_rc=0 || lg_rc=$?

# After the run every client connection is closed: how much of the memory the gateway keeps.
alive=false
after_rss=null after_fds=null hwm=null cpu=null
if kill -0 "$gw" 2>/dev/null; then
  alive=true
  sleep 2
  after_rss=$(rss_kb "$gw")
  after_fds=$(fd_count "$gw")
  hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$gw/status")
  cpu=$(cpu_s "$gw")
fi
log_lines=$(grep -c . "$BENCH_TMP/soak.log" || true)
cat >"$RUNS/soak.side" <<JSON
{"idle_connections": $IDLE_CONNECTIONS, "streams": $STREAMS, "duration_s": $DURATION_S,
 "idle_phase_s": $IDLE_PHASE_S, "idle_ramp_s": $IDLE_RAMP_S, "ramp_s": $RAMP_S, "sample_s": $SAMPLE_S, "chunk_ms": $CHUNK_MS,
 "stream_tokens": $STREAM_TOKENS, "idle_rss_kib": $idle_rss, "idle_fds": $idle_fds,
 "after_rss_kib": $after_rss, "after_fds": $after_fds, "hwm_kib": $hwm, "gateway_cpu_s": $cpu,
 "gateway_alive": $alive, "gateway_log_lines": $log_lines, "loadgen_exit": $lg_rc,
 "load_average_end": "$(cut -d' ' -f1-3 /proc/loadavg)"}
JSON
cp "$BENCH_TMP/soak.log" "$RUNS/gateway.log.txt"
kill "$gw" 2>/dev/null || true

node "$BENCH_DIR/summarize.mjs" soak "$RUNS" "$RESULTS/${SOAK_OUT:-soak}.json"
