#!/usr/bin/env bash
# Where the default sim preset's latency breaks as load rises: the gateway with conf/gateway.yaml
# (deepseek-r1, the deepseek-r1-w8a8-2node preset at time_scale 1), a gateway-bench rate sweep
# of streaming chat (128-token prompts, max_tokens 128), then a max-rate search for the highest
# rate at which 95% of requests get their first token within SLO_TTFT_MS.
#
#   bench/sim_knee.sh        # ~4 min: RATES, WARMUP, DURATION, SLO_TTFT_MS, SEARCH (0: no search)
#
# Writes bench/results/sim_knee.{json,html} and sim_knee_max_rate.{json,html} (the --json and
# --html reports; only the JSON is kept in git: the pages embed the page's code, and
# gateway-bench-html draws them from the JSON again) and prints the sweep tables. Loopback only
# (a private network namespace).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RATES="${RATES:-rate:30:110:9}"
WARMUP="${WARMUP:-2}"
DURATION="${DURATION:-10}"
SLO_TTFT_MS="${SLO_TTFT_MS:-300}"
SEARCH="${SEARCH:-1}"

bench_build
bench_enter_netns "$@"
mkdir -p "$RESULTS"
PORT=9301
start_gateway sim "$ROOT/conf/gateway.yaml" "$PORT" >/dev/null

log "sweep $RATES, ${WARMUP} s warm-up and ${DURATION} s per point"
loadgen --url "http://127.0.0.1:$PORT" --model deepseek-r1 --sweep "$RATES" --warmup-s "$WARMUP" \
  --duration-s "$DURATION" --slo-ttft-ms "$SLO_TTFT_MS" \
  --json "$RESULTS/sim_knee.json" --html "$RESULTS/sim_knee.html" | sed -n '/^=* Sweep/,$p'
if [[ $SEARCH == 1 ]]; then
  log "max-rate search: TTFT <= $SLO_TTFT_MS ms for 95% of requests"
  loadgen --url "http://127.0.0.1:$PORT" --model deepseek-r1 --sweep max-rate:10:120 --max-rate-steps 4 \
    --warmup-s "$WARMUP" --duration-s "$DURATION" --slo-ttft-ms "$SLO_TTFT_MS" \
    --json "$RESULTS/sim_knee_max_rate.json" --html "$RESULTS/sim_knee_max_rate.html" | sed -n '/^=* Sweep/,$p'
fi
