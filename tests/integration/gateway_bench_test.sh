#!/usr/bin/env bash
# gateway-bench against the real gateway (sim engine, no waiting): a closed-loop streaming run
# and an open-loop non-streaming run must complete every request with the asked output length
# and consistent statistics in --json; a port nothing listens on must be reported as connection
# errors with exit status 1 (no request succeeded), an unknown model as http_4xx, and a drain
# timeout must end a run whose streams are still going, counting them as "timeout". Over https
# (nginx terminating TLS with a test CA's certificate in front of the gateway) requests succeed
# on reused connections with --cacert or --insecure, and fail as "connect" with a verification
# detail against the system's CAs or for a host name the certificate does not carry.
#
#   tests/integration/gateway_bench_test.sh [path/to/inference-gateway]   (or GATEWAY_BIN=...)
# gateway-bench is looked up next to the gateway (BUILD/bench/gateway_bench/gateway-bench), or
# given as GATEWAY_BENCH_BIN.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/gateway.sh"
gw_init "${1:-}"
BENCH=${GATEWAY_BENCH_BIN:-$(dirname "$GATEWAY_BIN")/bench/gateway_bench/gateway-bench}
[[ -x "$BENCH" ]] || fail "gateway-bench not found or not executable: $BENCH (build the gateway-bench target)"
command -v jq >/dev/null || command -v python3 >/dev/null || fail "neither jq nor python3 is installed"

# jget FILE PATH: the value at a jq-style path (.a.b."503") of a JSON file.
jget() {
  if command -v jq >/dev/null; then
    jq -r "$2" "$1"
  else
    python3 - "$1" "$2" <<'PY'
import json, re, sys
v = json.load(open(sys.argv[1]))
for k in re.findall(r'"([^"]*)"|([^.]+)', sys.argv[2].lstrip('.')):
    v = v[k[0] or k[1]]
print('null' if v is None else str(v).lower() if isinstance(v, bool) else v)
PY
  fi
}

# expect FILE 'AWK_CONDITION' WHAT: the condition over named JSON values holds, e.g.
# expect f.json 'a <= b' "TTFT <= E2E" a=.ttft_ms.max b=.e2e_ms.max
expect() {
  local file=$1 cond=$2 what=$3 kv vars=() shown=""
  shift 3
  for kv in "$@"; do
    local name=${kv%%=*} value
    value=$(jget "$file" "${kv#*=}")
    [[ "$value" != null ]] || fail "$what: ${kv#*=} is null in $file"
    vars+=(-v "$name=$value")
    shown+=" $name=$value"
  done
  awk "${vars[@]}" "BEGIN { exit !($cond) }" || fail "$what:$shown"
}

# run_bench NAME EXPECTED_RC ARGS...: runs gateway-bench with --json $GW_TMP/NAME.json.
run_bench() {
  local name=$1 want=$2 rc=0
  shift 2
  timeout 60 "$BENCH" --no-progress --json "$GW_TMP/$name.json" "$@" >"$GW_TMP/$name.out" 2>"$GW_TMP/$name.err" || rc=$?
  ((rc == want)) || fail "$name: exit $rc, want $want: $(tail -n 30 "$GW_TMP/$name.out" "$GW_TMP/$name.err")"
  [[ -s "$GW_TMP/$name.json" ]] || fail "$name: no JSON written"
  json_check "$GW_TMP/$name.json" '.tool == "gateway-bench"' "$name: JSON document"
}

# --- command line ---------------------------------------------------------------------------
out=$(timeout 10 "$BENCH" --help) || fail "--help exited $?"
for opt in --url --model --concurrency --rate --burstiness --max-inflight --warmup-s --duration-s --requests \
  --drain-timeout-s --prompt-tokens --output-tokens --dataset --seed --slo-ttft-ms --json --cacert --insecure; do
  [[ "$out" == *"$opt"* ]] || fail "--help does not list $opt"
done
rc=0
timeout 10 "$BENCH" --model m --concurrency 0 >/dev/null 2>"$GW_TMP/bad.err" || rc=$?
((rc == 2)) || fail "a bad option: exit $rc, want 2"
grep -q -- '--concurrency' "$GW_TMP/bad.err" || fail "a bad option: the message does not name it: $(cat "$GW_TMP/bad.err")"
pass "--help lists the options; a bad option exits 2 naming it"

# --- the gateway ----------------------------------------------------------------------------
# The sim ends a sequence at its natural length (24 tokens at least), so 16 is always reached.
cat >"$GW_TMP/gateway.yaml" <<'YAML'
server: {listen: 127.0.0.1:0}
log: {level: info, access_log: false}
models:
  - id: sim-fast
    preset: deepseek-r1-w8a8-2node
    sim: {time_scale: 0, reasoning: false}
  - id: sim-slow
    preset: deepseek-r1-w8a8-2node
    sim: {time_scale: 1, decode_base_ms: 200, reasoning: false}
YAML
start_gateway "$GW_TMP/gateway.yaml"
url="http://127.0.0.1:$GW_PORT"

# --- closed loop, streaming chat ------------------------------------------------------------
run_bench closed 0 --url "$url" --model sim-fast --concurrency 4 --warmup-s 0.5 --duration-s 2 --stream \
  --prompt-tokens uniform:16:64 --output-tokens 16 --seed 7 --slo-ttft-ms 10000
f="$GW_TMP/closed.json"
expect "$f" 'n > 0 && w > 0' "closed: requests completed and warm-up requests" n=.requests.completed w=.requests.warmup
expect "$f" 'e == 0 && m == n' "closed: no errors" e=.errors.total m=.requests.measured n=.requests.completed
expect "$f" 'u == 0' "closed: every stream had usage" u=.requests.usage_missing
expect "$f" 'lo == 16 && hi == 16' "closed: 16 output tokens per request" lo=.output_tokens_per_request.min \
  hi=.output_tokens_per_request.max
expect "$f" 't == n && p == n && i > 0' "closed: TTFT and TPOT for every request, ITL samples" \
  t=.ttft_ms.count p=.tpot_ms.count i=.itl_ms.count n=.requests.completed
expect "$f" 'a <= b && c <= d && e <= g && a > 0' "closed: TTFT <= E2E" a=.ttft_ms.min b=.e2e_ms.min \
  c=.ttft_ms.mean d=.e2e_ms.mean e=.ttft_ms.max g=.e2e_ms.max
expect "$f" 'p50 <= p90 && p90 <= p95 && p95 <= p99 && p99 <= mx' "closed: E2E percentiles ordered" \
  p50=.e2e_ms.p50 p90=.e2e_ms.p90 p95=.e2e_ms.p95 p99=.e2e_ms.p99 mx=.e2e_ms.max
expect "$f" 'o / r > 15.9 && o / r < 16.1 && t > o' "closed: output tokens/s = 16 x requests/s" \
  o=.throughput.output_tokens_per_s r=.throughput.requests_per_s t=.throughput.total_tokens_per_s
expect "$f" 'g == r' "closed: goodput under a lax SLO = request throughput" g=.throughput.goodput_requests_per_s \
  r=.throughput.requests_per_s
expect "$f" 'w >= 1.9 && w < 10' "closed: measured window ~2 s" w=.window_s
json_check "$f" '.config.mode == "closed" and .config.concurrency == 4 and .config.stream == true' "closed: config"
grep -q 'Serving Benchmark Result' "$GW_TMP/closed.out" || fail "closed: no human summary on stdout"
pass "closed loop, streaming: $(jget "$f" .requests.completed) requests, 0 errors, 16 tokens each, TTFT p50 $(jget "$f" .ttft_ms.p50) ms"

# --- open loop, non-streaming completions ---------------------------------------------------
run_bench open 0 --url "$url" --model sim-fast --endpoint completions --no-stream --rate 200 --requests 150 \
  --output-tokens 16 --prompt-tokens 32
f="$GW_TMP/open.json"
expect "$f" 'n == 150 && e == 0' "open: 150 requests, no errors" n=.requests.completed e=.errors.total
expect "$f" 'lo == 16 && hi == 16' "open: 16 output tokens per request" lo=.output_tokens_per_request.min \
  hi=.output_tokens_per_request.max
expect "$f" 't == 150 && p == 0 && i == 0' "open: TTFT = E2E, no TPOT or ITL without streaming" \
  t=.ttft_ms.count p=.tpot_ms.count i=.itl_ms.count
expect "$f" 'a <= b' "open: TTFT <= E2E" a=.ttft_ms.max b=.e2e_ms.max
json_check "$f" '.config.mode == "open" and .config.rate == 200 and .errors.dropped == 0' "open: config"
pass "open loop, non-streaming: 150 requests at 200/s, $(jget "$f" .throughput.requests_per_s) req/s measured"

# --- nothing listens: connection errors, exit 1 ----------------------------------------------
# Decision: a run in which no measured request succeeded exits 1, after printing and writing the
# report with the errors by kind.
dead=$(free_port)
run_bench dead 1 --url "http://127.0.0.1:$dead" --model sim-fast --concurrency 2 --duration-s 1
f="$GW_TMP/dead.json"
expect "$f" 'c > 0 && c == e && n == 0' "dead port: connect errors only" c=.errors.connect e=.errors.total \
  n=.requests.completed
grep -q 'connect:' "$GW_TMP/dead.out" || fail "dead port: the summary does not list connect errors"
pass "a port nothing listens on: $(jget "$f" .errors.connect) connect errors, exit 1"

# --- unknown model: HTTP 4xx by status ------------------------------------------------------
run_bench unknown 1 --url "$url" --model no-such-model --requests 5
f="$GW_TMP/unknown.json"
expect "$f" 'h == 5' "unknown model: five http_4xx errors" h=.errors.http_4xx
json_check "$f" '(.errors.by_status | to_entries | map(.value) | add) == 5' "unknown model: errors by status"
pass "an unknown model: 5 http_4xx errors ($(jq -c .errors.by_status "$f" 2>/dev/null || echo by status))"

# --- the drain timeout ends a run whose streams are still going -----------------------------
# sim-slow takes ~0.2 s to the first token and 200 ms a token: even the shortest sim sequence
# (24 tokens) outlasts the 0.3 s of issuing plus the 0.5 s drain.
start=$(now_us)
run_bench drain 1 --url "$url" --model sim-slow --concurrency 2 --duration-s 0.3 --drain-timeout-s 0.5 \
  --output-tokens 2000
elapsed_ms=$((($(now_us) - start) / 1000))
f="$GW_TMP/drain.json"
expect "$f" 't == 2 && e == 2' "drain: the two unfinished streams count as timeout" t=.errors.timeout e=.errors.total
((elapsed_ms < 10000)) || fail "drain: the run took ${elapsed_ms} ms"
gateway_alive || fail "the gateway is not healthy after the runs"
pass "drain timeout: 2 streams aborted as timeout, run ended after ${elapsed_ms} ms"

# --- sweeps: each point in turn, its own figures, timeline and TTFT CDF ----------------------
run_bench sweep 0 --url "$url" --model sim-fast --sweep rate:20:60:3 --duration-s 1 --output-tokens 16 \
  --sample-interval-s 0.25
f="$GW_TMP/sweep.json"
json_check "$f" '.kind == "sweep" and .config.sweep.variable == "rate" and .config.sweep.mode == "list"' "sweep: kind"
json_check "$f" '[.points[].load.value] == [20, 40, 60] and [.points[].kind] == ["run", "run", "run"]' "sweep: points"
json_check "$f" '[.points[].config.rate] == [20, 40, 60] and ([.points[].requests.completed] | min) > 0' \
  "sweep: every point ran at its rate"
json_check "$f" 'all(.points[]; (.timeline | length) >= 3 and .timeline[-1].done >= .requests.completed)' \
  "sweep: a timeline per point"
json_check "$f" 'all(.points[]; (.ttft_cdf | length) > 0 and .ttft_cdf[-1][1] == 1)' "sweep: a TTFT CDF per point"
grep -q 'Sweep (rate' "$GW_TMP/sweep.out" || fail "sweep: no sweep table on stdout"
run_bench sweep_conc 0 --url "$url" --model sim-fast --sweep concurrency:1,4 --requests 20 --output-tokens 16
json_check "$GW_TMP/sweep_conc.json" '[.points[].config.concurrency] == [1, 4] and [.points[].config.mode] == ["closed", "closed"]' \
  "concurrency sweep: closed loop at each concurrency"
pass "sweeps: 3 rates and 2 concurrencies, each point with its figures, timeline and TTFT CDF"

# The search's outcome does not depend on timing here: an instant model meets a lax SLO at every
# rate (the search ends at its upper bound), and nothing meets a TTFT of one microsecond.
run_bench max_rate 0 --url "$url" --model sim-fast --sweep max-rate:10:40 --duration-s 0.5 --slo-e2e-ms 60000
json_check "$GW_TMP/max_rate.json" '.max_rate.rate == 40 and .max_rate.first_failing_rate == null and ([.points[].load.value] == [10, 40])' \
  "max-rate: a lax SLO is met up to the upper bound"
run_bench max_rate_none 0 --url "$url" --model sim-fast --sweep max-rate:10:40 --duration-s 0.5 --slo-ttft-ms 0.001
json_check "$GW_TMP/max_rate_none.json" '.max_rate.rate == null and .max_rate.first_failing_rate == 10 and (.points | length) == 1' \
  "max-rate: an impossible SLO is met by no rate"
grep -q 'No rate met' "$GW_TMP/max_rate_none.out" || fail "max-rate: the summary does not say no rate met"
pass "max-rate search: ends at the upper bound under a lax SLO, at the lower one under an impossible SLO"

# --- Anthropic Messages and embeddings endpoints ----------------------------------------------
for mode in stream no-stream; do
  run_bench "messages_$mode" 0 --url "$url" --model sim-fast --endpoint messages "--$mode" --requests 12 \
    --concurrency 3 --output-tokens 16
  f="$GW_TMP/messages_$mode.json"
  expect "$f" 'n == 12 && e == 0 && u == 0' "messages $mode: 12 requests with usage" n=.requests.completed \
    e=.errors.total u=.requests.usage_missing
  expect "$f" 'lo == 16 && hi == 16 && t == 12' "messages $mode: 16 tokens each, a TTFT each" \
    lo=.output_tokens_per_request.min hi=.output_tokens_per_request.max t=.ttft_ms.count
  json_check "$f" '.config.endpoint == "messages" and .config.path == "/v1/messages"' "messages $mode: config"
done
run_bench embeddings 0 --url "$url" --model sim-fast --endpoint embeddings --requests 10 --prompt-tokens 8
expect "$GW_TMP/embeddings.json" 'n == 10 && e == 0 && o == 0' "embeddings: 10 requests, no output tokens" \
  n=.requests.completed e=.errors.total o=.tokens.output
gateway_alive || fail "the gateway is not healthy after the endpoint runs"
pass "endpoints: messages (streamed and not) and embeddings measured with the same definitions"

# --- https: TLS to nginx in front of the gateway ----------------------------------------------
command -v openssl >/dev/null || fail "the openssl command is not installed"
tls="$GW_TMP/tls"
mkdir -p "$tls"
# A test CA and a server certificate for 127.0.0.1 only (EC keys: fast to make and to verify).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=gateway-bench test CA" \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
  -keyout "$tls/ca.key" -out "$tls/ca.pem" 2>"$tls/openssl.log" || fail "openssl: $(cat "$tls/openssl.log")"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=127.0.0.1" \
  -keyout "$tls/server.key" -out "$tls/server.csr" 2>"$tls/openssl.log" || fail "openssl: $(cat "$tls/openssl.log")"
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$tls/server.ext"
openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial -days 2 \
  -extfile "$tls/server.ext" -out "$tls/server.pem" 2>"$tls/openssl.log" || fail "openssl: $(cat "$tls/openssl.log")"
# shellcheck disable=SC2016  # nginx variables
start_nginx "$GW_PORT" --listen ssl --server "ssl_certificate $tls/server.pem;" \
  --server "ssl_certificate_key $tls/server.key;" --log-format tls 'conn=$connection reqs=$connection_requests' \
  --proxy 'proxy_http_version 1.1;' --proxy 'proxy_set_header Connection "";' --proxy 'proxy_buffering off;'
surl="https://127.0.0.1:$NGINX_PORT"

run_bench https 0 --url "$surl" --cacert "$tls/ca.pem" --model sim-fast --concurrency 4 --requests 40 --stream \
  --output-tokens 16
f="$GW_TMP/https.json"
expect "$f" 'n == 40 && e == 0 && u == 0' "https: 40 requests, no errors, usage in every stream" \
  n=.requests.completed e=.errors.total u=.requests.usage_missing
expect "$f" 'lo == 16 && hi == 16 && t == 40 && i > 0' "https: 16 tokens each, TTFT for each, ITL samples" \
  lo=.output_tokens_per_request.min hi=.output_tokens_per_request.max t=.ttft_ms.count i=.itl_ms.count
expect "$f" 'a <= b' "https: TTFT <= E2E" a=.ttft_ms.max b=.e2e_ms.max
json_check "$f" '.config.url | startswith("https://")' "https: config.url"
# The same report as over plain http: the same keys everywhere.
json_paths() { python3 -c 'import json,sys
def walk(v, p):
    if isinstance(v, dict):
        for k in v: walk(v[k], p + [k])
    else: print(".".join(p))
walk(json.load(open(sys.argv[1])), [])' "$1" | sort; }
if command -v python3 >/dev/null; then
  diff <(json_paths "$GW_TMP/closed.json") <(json_paths "$f") >"$GW_TMP/https.paths" ||
    fail "https: the JSON's fields differ from plain http's: $(cat "$GW_TMP/https.paths")"
fi
# Keep-alive: the 40 requests went over the 4 connections (one TLS handshake each).
conns=$(sed -n 's/.*conn=\([0-9]*\) reqs=.*/\1/p' "$NGINX_DIR/logs/access.log" | sort -u | wc -l)
((conns == 4)) || fail "https: nginx saw $conns TLS connections for 40 requests at concurrency 4, want 4"
grep -q 'https://127.0.0.1' "$GW_TMP/https.out" || fail "https: the summary does not show the https target"
pass "https with --cacert: 40 requests over 4 reused TLS connections, 0 errors, TTFT p50 $(jget "$f" .ttft_ms.p50) ms"

# Verification against the system's CAs, which do not know the test CA: every request fails.
run_bench https-system 1 --url "$surl" --model sim-fast --concurrency 2 --requests 4
f="$GW_TMP/https-system.json"
expect "$f" 'c == 4 && e == 4 && n == 0' "https, system CAs: 4 connect errors" c=.errors.connect e=.errors.total \
  n=.requests.completed
detail=$(jget "$f" .errors.examples.connect)
[[ "$detail" == "TLS: certificate verify failed"* ]] || fail "https, system CAs: the detail is '$detail'"
pass "https against the system's CAs: 4 connect errors ($detail)"

# The test CA's certificate names 127.0.0.1, not localhost.
run_bench https-name 1 --url "https://localhost:$NGINX_PORT" --cacert "$tls/ca.pem" --model sim-fast --requests 2
f="$GW_TMP/https-name.json"
expect "$f" 'c == 2 && e == 2' "https, wrong host name: 2 connect errors" c=.errors.connect e=.errors.total
detail=$(jget "$f" .errors.examples.connect)
[[ "$detail" == *"does not match localhost"* ]] || fail "https, wrong host name: the detail is '$detail'"
pass "https to a name the certificate does not carry: connect errors ($detail)"

run_bench https-insecure 0 --url "$surl" --insecure --model sim-fast --concurrency 2 --requests 10 --no-stream \
  --output-tokens 16
f="$GW_TMP/https-insecure.json"
expect "$f" 'n == 10 && e == 0' "https --insecure: 10 requests, no errors" n=.requests.completed e=.errors.total
grep -q 'warning: --insecure' "$GW_TMP/https-insecure.err" || fail "https --insecure: no warning on stderr"
pass "https --insecure: 10 requests, 0 errors, a warning on stderr"
