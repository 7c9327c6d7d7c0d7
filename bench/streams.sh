#!/usr/bin/env bash
# Streams: (1) how many concurrent SSE streams the gateway holds open and on time at slow pacing
# (one chunk per second, like requests waiting in a queue or a long prefill), with no stall and
# no lost chunk, and its RSS per stream; (2) how many SSE events per second it relays from an
# upstream at LLM pacing (one chunk every 20 ms) before the gaps between chunks grow.
#
#   bench/streams.sh                                   # ~10 minutes
#   OPEN_STREAMS=2000 RELAY_STREAMS="100 400" RELAY_PATHS="nginx gateway" bench/streams.sh
#
# Prints a table and writes bench/results/streams.json. Runs in a private network namespace.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OPEN_STREAMS="${OPEN_STREAMS:-10000}"
OPEN_CHUNKS="${OPEN_CHUNKS:-10}"            # chunks per slow stream, one per second
RELAY_STREAMS="${RELAY_STREAMS:-250 1000 2000 4000}"
RELAY_DURATION="${RELAY_DURATION:-8}"
RELAY_PATHS="${RELAY_PATHS:-direct nginx gateway}"
RELAY_ROUNDS="${RELAY_ROUNDS:-3}"          # interleaved rounds; the table gives medians

bench_build
bench_enter_netns "$@"
mkdir -p "$RESULTS" "$BENCH_TMP/runs"

# --- 1. open slow streams, served by the gateway itself ----------------------------------------
slow="$BENCH_TMP/slow.yaml"
sed 's/decode_base_ms: 20/decode_base_ms: 1000/' "$BENCH_DIR/conf/upstream-paced.yaml" >"$slow"
gw=$(start_gateway slow "$slow" 9201)
sleep 0.5
idle_rss=$(rss_kb "$gw")
log "open streams: $OPEN_STREAMS at one chunk per second, $OPEN_CHUNKS chunks each (gateway idle RSS $idle_rss KiB)"
peak=0
( while kill -0 "$gw" 2>/dev/null; do echo "$(date +%s.%N) $(rss_kb "$gw") $(ls /proc/"$gw"/fd | wc -l)"; sleep 0.5; done ) \
  >"$BENCH_TMP/runs/open-rss.txt" 2>/dev/null &
sampler=$!
loadgen --url http://127.0.0.1:9201 --model bench --endpoint chat --stream --prompt-tokens 16 \
  --output-tokens "$OPEN_CHUNKS" --concurrency "$OPEN_STREAMS" --requests "$OPEN_STREAMS" \
  --request-timeout-s 120 --drain-timeout-s 60 --json "$BENCH_TMP/runs/open--gateway.json" \
  >"$BENCH_TMP/runs/open--gateway.txt" || true
kill "$sampler" 2>/dev/null || true
echo "{\"idle_rss_kib\": $idle_rss, \"streams\": $OPEN_STREAMS, \"samples\": [$(awk '{printf "%s[%s,%s,%s]", (NR>1?",":""), $1, $2, $3}' "$BENCH_TMP/runs/open-rss.txt")]}" \
  >"$BENCH_TMP/runs/open-rss.json.side"
kill "$gw"

# --- 2. relayed events per second at 20 ms pacing ----------------------------------------------
# The same paced upstream straight (direct), through nginx on equal footing (one worker, as the
# gateway has one reactor thread), and through the gateway. Over the measured window each
# process's CPU time is sampled, so that the table gives every process's CPU per event: on two
# cores the three (or two) processes share, and the most events/s is what their sum allows.
start_gateway upstream-paced "$BENCH_DIR/conf/upstream-paced.yaml" 9301 >/dev/null
upstream_pid=${BENCH_PIDS[-1]}
declare -A RELAY_PORT=([direct]=9301 [gateway]=9302 [nginx]=9303) RELAY_PID=()
front="$BENCH_TMP/front.yaml"
remote_front_config 9301 "$front"
for p in $RELAY_PATHS; do
  case $p in
    direct) ;;
    gateway) start_gateway front "$front" 9302 >/dev/null; RELAY_PID[$p]=${BENCH_PIDS[-1]} ;;
    nginx) start_nginx 9301 9303 >/dev/null; RELAY_PID[$p]=$(pgrep -P "${BENCH_PIDS[-1]}" | head -1) ;;
    *) die "unknown relay path $p (known: direct nginx gateway)" ;;
  esac
done
for r in $(seq 1 "$RELAY_ROUNDS"); do
 tag=$([[ $RELAY_ROUNDS -gt 1 ]] && echo "~r$r" || true)
 for n in $RELAY_STREAMS; do
  for p in $RELAY_PATHS; do
    log "relay: $n streams at 20 ms per chunk via $p (round $r of $RELAY_ROUNDS)"
    name="relay-c$n$tag--$p"
    "$LOADGEN" --no-progress --url "http://127.0.0.1:${RELAY_PORT[$p]}" --model bench --endpoint chat --stream --prompt-tokens 16 \
      --output-tokens 50 --concurrency "$n" --warmup-s 2 --duration-s "$RELAY_DURATION" --drain-timeout-s 20 \
      --json "$BENCH_TMP/runs/$name.json" >"$BENCH_TMP/runs/$name.txt" &
    lg=$!
    # The CPU time of upstream, proxy and load generator over the measured window (after the
    # warm-up), beside the report. gateway-bench runs in the background (not through the loadgen
    # function, whose subshell would be $!) so that its own CPU time can be read.
    sleep 2
    pids=("$upstream_pid" "${RELAY_PID[$p]:-}" "$lg")
    t0=(); for pid in "${pids[@]}"; do t0+=("$([[ -n $pid ]] && cpu_ticks "$pid" || echo 0)"); done
    sleep "$RELAY_DURATION"
    t1=(); for pid in "${pids[@]}"; do t1+=("$([[ -n $pid ]] && cpu_ticks "$pid" || echo 0)"); done
    wait "$lg" || true
    echo "{\"window_s\": $RELAY_DURATION, \"clock_ticks_per_s\": $(getconf CLK_TCK), \"upstream_ticks\": $((t1[0] - t0[0])), \"proxy_ticks\": $((t1[1] - t0[1])), \"loadgen_ticks\": $((t1[2] - t0[2]))}" \
      >"$BENCH_TMP/runs/$name.cpu.side"
  done
 done
done

node "$BENCH_DIR/summarize.mjs" streams "$BENCH_TMP/runs" "$RESULTS/streams.json"
