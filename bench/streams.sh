#!/usr/bin/env bash
# Streams: (1) how many concurrent SSE streams the gateway holds open and on time at slow pacing
# (one chunk per second, like requests waiting in a queue or a long prefill), with no stall and
# no lost chunk, and its RSS per stream; (2) how many SSE events per second it relays from an
# upstream at LLM pacing (one chunk every 20 ms) before the gaps between chunks grow.
#
#   bench/streams.sh                                   # ~3 minutes
#   OPEN_STREAMS=2000 RELAY_STREAMS="100 400" bench/streams.sh
#
# Prints a table and writes bench/results/streams.json. Runs in a private network namespace.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OPEN_STREAMS="${OPEN_STREAMS:-10000}"
OPEN_CHUNKS="${OPEN_CHUNKS:-10}"            # chunks per slow stream, one per second
RELAY_STREAMS="${RELAY_STREAMS:-250 500 1000 2000 4000}"
RELAY_DURATION="${RELAY_DURATION:-8}"

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
start_gateway upstream-paced "$BENCH_DIR/conf/upstream-paced.yaml" 9301 >/dev/null
front="$BENCH_TMP/front.yaml"
remote_front_config 9301 "$front"
start_gateway front "$front" 9302 >/dev/null
for n in $RELAY_STREAMS; do
  log "relay: $n streams at 20 ms per chunk"
  loadgen --url http://127.0.0.1:9302 --model bench --endpoint chat --stream --prompt-tokens 16 \
    --output-tokens 50 --concurrency "$n" --warmup-s 2 --duration-s "$RELAY_DURATION" --drain-timeout-s 20 \
    --json "$BENCH_TMP/runs/relay-c$n--gateway.json" >"$BENCH_TMP/runs/relay-c$n--gateway.txt" || true
done

node "$BENCH_DIR/summarize.mjs" streams "$BENCH_TMP/runs" "$RESULTS/streams.json"
