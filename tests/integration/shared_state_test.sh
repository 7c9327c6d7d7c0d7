#!/usr/bin/env bash
# Rate limits and budgets shared across replicas through Redis (state.redis), and what each
# replica does when Redis goes away or stalls:
#   a. two replicas behind one nginx admit a key's requests_per_minute once, not twice, and a
#      budget spent on one replica refuses the key on the other;
#   b. Redis killed: the replicas that fail open keep answering from their own buckets, report
#      the shared state down (metric, one log line each), and once Redis is back on the same
#      socket they report it up and write the spend they made meanwhile;
#   c. Redis stalled (DEBUG SLEEP): requests are answered without waiting for it, the timeouts
#      are counted, and the replicas find it again;
#   d. a replica whose rate limits fail closed answers 503 limits_unavailable while Redis is down.
# Counts are asserted exactly or within a bound derived from the limit; no wall-clock assertions.
#
#   tests/integration/shared_state_test.sh [path/to/inference-gateway]   (or GATEWAY_BIN=...)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/gateway.sh"
gw_init "${1:-}"
command -v redis-server >/dev/null || fail "redis-server is not installed (apt-get install redis-server)"
command -v redis-cli >/dev/null || fail "redis-cli is not installed (apt-get install redis-tools)"

# --- processes of our own, stopped before the library's cleanup -----------------------------
REDIS_PID=""
SLEEPER_PID=""
declare -A RP=() RPORT=() RLOG=()  # replica name -> pid, port, log
_ss_cleanup() {
  local rc=$? r
  set +e
  _gw_stop_pid "$SLEEPER_PID"
  for r in "${!RP[@]}"; do
    _gw_stop_pid "${RP[$r]}"
    if ((rc != 0)) && [[ -f "${RLOG[$r]}" ]]; then
      log "replica $r log (tail):"
      tail -n 15 "${RLOG[$r]}" >&2
    fi
  done
  _gw_stop_pid "$REDIS_PID"
  (exit "$rc")
  _gw_cleanup
}
trap _ss_cleanup EXIT

SOCK="$GW_TMP/redis.sock"
REDIS_LOG="$GW_TMP/redis.log"
rcli() { timeout 5 redis-cli -s "$SOCK" "$@"; }

# start_redis: a Redis with no TCP port and no persistence on $SOCK; waits (5 s) for PONG.
start_redis() {
  local i
  rm -f "$SOCK"
  redis-server --port 0 --unixsocket "$SOCK" --unixsocketperm 700 --dir "$GW_TMP" --save '' \
    --appendonly no --enable-debug-command local --daemonize no >>"$REDIS_LOG" 2>&1 </dev/null &
  REDIS_PID=$!
  for ((i = 0; i < 100; i++)); do
    [[ "$(timeout 1 redis-cli -s "$SOCK" PING 2>/dev/null)" == PONG ]] && return 0
    kill -0 "$REDIS_PID" 2>/dev/null || fail "redis-server exited: $(tail -n 5 "$REDIS_LOG")"
    sleep 0.05
  done
  fail "redis-server did not answer PING within 5 s: $(tail -n 5 "$REDIS_LOG")"
}

kill_redis() {
  kill -KILL "$REDIS_PID" 2>/dev/null || true
  wait "$REDIS_PID" 2>/dev/null || true
  REDIS_PID=""
}

# --- keys, configs, replicas ----------------------------------------------------------------
KEY_SHARED=sk-shared-$RANDOM$RANDOM  # requests_per_minute: RPM
KEY_PAY=sk-pay-$RANDOM$RANDOM        # a budget below one request's cost
KEY_OPS=sk-ops-$RANDOM$RANDOM        # limits far away, a budget: for the outages
KEY_TWICE=sk-twice-$RANDOM$RANDOM    # a budget of 4 requests, spent across two outages
RPM=20
# One request: 9 prompt + 16 completion tokens at $10 per million each = $0.00025.
COST=0.00025

hash_of() { printf '%s' "$1" | "$GATEWAY_BIN" --hash-key; }
H_SHARED=$(hash_of "$KEY_SHARED")
H_PAY=$(hash_of "$KEY_PAY")
H_OPS=$(hash_of "$KEY_OPS")
H_TWICE=$(hash_of "$KEY_TWICE")
[[ ${#H_SHARED} == 64 && ${#H_PAY} == 64 && ${#H_OPS} == 64 ]] || fail "--hash-key did not print a SHA-256"

# replica_config FILE RATE_LIMITS_MODE
replica_config() {
  cat >"$1" <<EOF
server: {listen: 127.0.0.1:0}
log: {level: info, access_log: true}
auth:
  keys:
    - {name: shared, sha256: $H_SHARED, requests_per_minute: $RPM}
    - {name: pay, sha256: $H_PAY, budget: {usd: 0.0001, period: day}}
    - {name: ops, sha256: $H_OPS, requests_per_minute: 100000, budget: {usd: 1000, period: day}}
    - {name: twice, sha256: $H_TWICE, budget: {usd: 0.001, period: day}}
state:
  redis:
    url: unix://$SOCK
    key_prefix: "gw:"
    # Generous: a loaded CI machine must not make Redis look slow before the test stalls it.
    timeout_ms: 300
    on_unavailable: {rate_limits: $2, budgets: open}
models:
  - id: m
    engine: sim
    preset: qwen2.5-72b-2xh100
    sim: {time_scale: 0}
    default_max_tokens: 16
    price: {input_per_million: 10, output_per_million: 10}
EOF
}

# start_replica NAME CONFIG: start_gateway, its pid/port/log kept under NAME.
start_replica() {
  start_gateway "$2"
  RP[$1]=$GW_PID RPORT[$1]=$GW_PORT RLOG[$1]=$GW_LOG
}

# metric NAME PORT SERIES: the value of SERIES (name with labels, exactly as exposed; 0 when absent).
metric() {
  local out
  out=$(curl -s --max-time 5 "http://127.0.0.1:${RPORT[$1]}/metrics") || { echo "?"; return 0; }
  awk -v s="$2" 'index($0, s " ") == 1 { v = substr($0, length(s) + 2) } END { print (v == "" ? 0 : v) }' <<<"$out"
}

# wait_metric NAME SERIES VALUE: until SERIES is VALUE on replica NAME (10 s at most).
wait_metric() {
  local i v
  for ((i = 0; i < 200; i++)); do
    v=$(metric "$1" "$2")
    [[ "$v" == "$3" ]] && return 0
    sleep 0.05
  done
  fail "replica $1: $2 is $v after 10 s, want $3"
}

# log_count NAME PATTERN: lines of replica NAME's log with the fixed string PATTERN.
log_count() { grep -cF -- "$2" "${RLOG[$1]}" || true; }

# wait_log_count NAME PATTERN N: until exactly N such lines (10 s at most), then still N.
wait_log_count() {
  local i n
  for ((i = 0; i < 200; i++)); do
    n=$(log_count "$1" "$2")
    ((n >= $3)) && break
    sleep 0.05
  done
  [[ "$n" == "$3" ]] || fail "replica $1: $n log lines '$2', want $3"
}

# chat URL KEY TAG: one plain chat completion (2 s at most); prints the status (000: curl failed);
# headers and body in $GW_TMP/TAG.hdr / TAG.json.
chat() {
  curl -s --max-time 2 -D "$GW_TMP/$3.hdr" -o "$GW_TMP/$3.json" -w '%{http_code}' "$1/v1/chat/completions" \
    -H "Authorization: Bearer $2" -H 'Content-Type: application/json' \
    -d '{"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":16}' || echo 000
}

# error_code TAG: the "code" of an OpenAI error body.
error_code() { sed -n 's/.*"code":"\([a-z_]*\)".*/\1/p' "$GW_TMP/$1.json"; }

# spend_in_redis KEYNAME: the key's spend this period as Redis holds it (0 when absent).
spend_in_redis() {
  local k v
  k=$(rcli --scan --pattern "gw:{$1}:spend:*" | head -n 1)
  [[ -n "$k" ]] || { echo 0; return 0; }
  v=$(rcli GET "$k")
  echo "${v:-0}"
}

# close_to A B: |A - B| < 1e-9
close_to() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; exit !(d < 1e-9 && d > -1e-9) }'; }

start_redis
replica_config "$GW_TMP/open.yaml" open
replica_config "$GW_TMP/closed.yaml" closed
start_replica a "$GW_TMP/open.yaml"
start_replica b "$GW_TMP/open.yaml"
start_replica c "$GW_TMP/closed.yaml"  # rate limits fail closed
for r in a b c; do
  wait_log_count "$r" "shared state: redis is up" 1
  wait_metric "$r" gateway_shared_state_up 1
done
pass "three replicas connected to Redis on a unix socket"

# nginx in front of a and b, round robin; its access log names the replica of each request.
# shellcheck disable=SC2016  # nginx variables
replicas_site() {
  printf '%s\n' "  log_format replica '\$status \$upstream_addr';
  access_log $NGINX_DIR/logs/access.log replica;
  upstream replicas {
    server 127.0.0.1:${RPORT[a]};
    server 127.0.0.1:${RPORT[b]};
  }
  server {
    listen 127.0.0.1:$1;
    location / { proxy_pass http://replicas; }
  }"
}
launch_nginx replicas_site
NGINX="http://127.0.0.1:$NGINX_PORT"
A="http://127.0.0.1:${RPORT[a]}" B="http://127.0.0.1:${RPORT[b]}" C="http://127.0.0.1:${RPORT[c]}"

# --- a. one requests_per_minute across two replicas ---------------------------------------------
n_ok=0 n_429=0 other=""
t0=$(now_us)
for ((i = 0; i < 3 * RPM; i++)); do
  code=$(chat "$NGINX" "$KEY_SHARED" rpm)
  case $code in
    200) n_ok=$((n_ok + 1)) ;;
    429)
      [[ "$(error_code rpm)" == rate_limit_exceeded ]] || fail "429 that is not rate_limit_exceeded: $(cat "$GW_TMP/rpm.json")"
      n_429=$((n_429 + 1)) ;;
    *) other+=" $code" ;;
  esac
done
elapsed_us=$(($(now_us) - t0))
[[ -z "$other" ]] || fail "rpm: statuses other than 200/429:$other"
# The bucket starts full (RPM) and refills RPM per minute: at most one more per 60/RPM s elapsed.
refill=$((elapsed_us * RPM / 60000000 + 1))
((RPM + refill < 3 * RPM / 2)) || fail "rpm: the $((3 * RPM)) requests took ${elapsed_us} us, too long to tell one limit from two"
((n_ok >= RPM && n_ok <= RPM + refill)) ||
  fail "rpm: $n_ok of $((3 * RPM)) admitted, want $RPM (+ at most $refill refilled); two separate limits would admit $((2 * RPM))"
served_a=$(grep -F 'status=200' "${RLOG[a]}" | grep -cF 'key=shared' || true)
served_b=$(grep -F 'status=200' "${RLOG[b]}" | grep -cF 'key=shared' || true)
((served_a > 0 && served_b > 0)) || fail "rpm: replica a served $served_a, b $served_b: not both"
((served_a + served_b == n_ok)) || fail "rpm: replicas logged $served_a + $served_b admitted, clients saw $n_ok"
limited=$(($(metric a 'gateway_rate_limited_total{key="shared",limit="requests"}') + \
  $(metric b 'gateway_rate_limited_total{key="shared",limit="requests"}')))
((limited == n_429)) || fail "rpm: gateway_rate_limited_total sums to $limited, clients saw $n_429 429s"
to_a=$(grep -c "^200 127.0.0.1:${RPORT[a]}\$" "$NGINX_DIR/logs/access.log" || true)
to_b=$(grep -c "^200 127.0.0.1:${RPORT[b]}\$" "$NGINX_DIR/logs/access.log" || true)
log "rpm=$RPM: $n_ok admitted (a $served_a, b $served_b; nginx saw a $to_a, b $to_b), $n_429 refused, refill allowance $refill"
pass "rpm: two replicas admitted $n_ok of $((3 * RPM)) (limit $RPM, separate limits would give $((2 * RPM)))"

# --- a. one budget across two replicas -----------------------------------------------------------
code=$(chat "$A" "$KEY_PAY" pay0)
[[ "$code" == 200 ]] || fail "budget: first request on a: $code $(cat "$GW_TMP/pay0.json")"
# Settled: its cost is in Redis (the settlement follows the response).
for ((i = 0; i < 100; i++)); do
  close_to "$(spend_in_redis pay)" "$COST" && break
  sleep 0.05
done
close_to "$(spend_in_redis pay)" "$COST" || fail "budget: spend in Redis is $(spend_in_redis pay), want $COST"
i=0
for url in "$B" "$A" "$B" "$NGINX" "$NGINX"; do
  i=$((i + 1))
  code=$(chat "$url" "$KEY_PAY" "pay$i")
  [[ "$code" == 429 && "$(error_code "pay$i")" == budget_exceeded ]] ||
    fail "budget: request $i to $url after the budget was spent: $code $(cat "$GW_TMP/pay$i.json")"
  grep -q '"type":"insufficient_quota"' "$GW_TMP/pay$i.json" || fail "budget: type is not insufficient_quota"
  has_header "$GW_TMP/pay$i.hdr" Retry-After || fail "budget: 429 without Retry-After"
done
refused=$(($(metric a 'gateway_rate_limited_total{key="pay",limit="budget"}') + \
  $(metric b 'gateway_rate_limited_total{key="pay",limit="budget"}')))
((refused == 5)) || fail "budget: gateway_rate_limited_total{limit=budget} sums to $refused, want 5"
close_to "$(spend_in_redis pay)" "$COST" || fail "budget: refused requests changed the spend: $(spend_in_redis pay)"
pass "budget: spent on replica a, refused (budget_exceeded) on b, a and through nginx"

# --- b + d. Redis killed: open replicas answer locally, the closed one refuses ---------------
for r in a b c; do
  [[ "$(log_count "$r" 'shared state: redis is down')" == 0 ]] || fail "replica $r logged redis down before the kill"
done
code=$(chat "$C" "$KEY_OPS" c-up)
[[ "$code" == 200 ]] || fail "replica c with Redis up: $code"
kill_redis
down_a=0 down_b=0
# Right after the kill, before any replica may have noticed, and again once all have.
for url in "$A" "$B"; do
  code=$(chat "$url" "$KEY_OPS" down)
  [[ "$code" == 200 ]] || fail "Redis killed: $url answered $code $(cat "$GW_TMP/down.json")"
done
down_a=$((down_a + 1)) down_b=$((down_b + 1))
for r in a b c; do wait_metric "$r" gateway_shared_state_up 0; done
for ((i = 0; i < 3; i++)); do
  for url in "$A" "$B" "$NGINX"; do
    code=$(chat "$url" "$KEY_OPS" down)
    [[ "$code" == 200 ]] || fail "Redis down: $url answered $code $(cat "$GW_TMP/down.json")"
  done
  down_a=$((down_a + 1)) down_b=$((down_b + 1))
done
# nginx's three went to a or b: count them from the replicas' access logs instead.
ops_a=$(grep -F 'status=200' "${RLOG[a]}" | grep -cF 'key=ops' || true)
ops_b=$(grep -F 'status=200' "${RLOG[b]}" | grep -cF 'key=ops' || true)
((ops_a + ops_b == down_a + down_b + 3)) || fail "Redis down: replicas logged $ops_a + $ops_b answers, sent $((down_a + down_b + 3))"
for r in a b; do
  n=$(metric "$r" 'gateway_shared_state_fallbacks_total{limit="rate_limits",action="local"}')
  want=$([[ $r == a ]] && echo "$ops_a" || echo "$ops_b")
  [[ "$n" == "$want" ]] || fail "replica $r: $n rate-limit fallbacks, want $want (one per request while down)"
done
pass "Redis killed: a and b answered all $((down_a + down_b + 3)) requests (200) from their own buckets"
for ((i = 0; i < 3; i++)); do
  code=$(chat "$C" "$KEY_OPS" closed)
  [[ "$code" == 503 && "$(error_code closed)" == limits_unavailable ]] ||
    fail "replica c (rate limits closed), Redis down: $code $(cat "$GW_TMP/closed.json")"
done
[[ "$(metric c 'gateway_shared_state_fallbacks_total{limit="rate_limits",action="refused"}')" == 3 ]] ||
  fail "replica c: refused fallbacks $(metric c 'gateway_shared_state_fallbacks_total{limit="rate_limits",action="refused"}'), want 3"
[[ "$(metric c 'gateway_rate_limited_total{key="ops",limit="unavailable"}')" == 3 ]] ||
  fail "replica c: gateway_rate_limited_total{limit=unavailable} $(metric c 'gateway_rate_limited_total{key="ops",limit="unavailable"}'), want 3"
pass "Redis down: replica c (rate_limits: closed) answered 503 limits_unavailable, 3 of 3"
for r in a b c; do
  [[ "$(log_count "$r" 'shared state: redis is down')" == 1 ]] ||
    fail "replica $r: $(log_count "$r" 'shared state: redis is down') 'redis is down' lines, want 1"
  [[ "$(metric "$r" 'gateway_shared_state_transitions_total{to="down"}')" == 1 ]] || fail "replica $r: down transitions != 1"
done
pass "Redis down: gateway_shared_state_up 0 and one 'redis is down' line on each replica"

# Back on the same socket, empty (no persistence): what it then holds for key ops is exactly
# what a and b spent while it was away.
start_redis
for r in a b c; do
  wait_metric "$r" gateway_shared_state_up 1
  wait_log_count "$r" "shared state: redis is up" 2
done
want=$(awk -v n="$((ops_a + ops_b))" -v c="$COST" 'BEGIN { printf "%.10f", n * c }')
for ((i = 0; i < 100; i++)); do
  close_to "$(spend_in_redis ops)" "$want" && break
  sleep 0.05
done
close_to "$(spend_in_redis ops)" "$want" ||
  fail "Redis back: it holds \$$(spend_in_redis ops) for key ops, want \$$want ($((ops_a + ops_b)) requests made while down)"
code=$(chat "$A" "$KEY_OPS" back)
[[ "$code" == 200 ]] || fail "Redis back: $code"
[[ -n "$(header_value "$GW_TMP/back.hdr" x-ratelimit-remaining-requests)" ]] || fail "Redis back: no x-ratelimit headers"
pass "Redis back: up on every replica, and the \$$want spent while down reached Redis"

# --- c. Redis stalled --------------------------------------------------------------------------
to_a=$(metric a 'gateway_shared_state_errors_total{kind="timeout"}')
to_b=$(metric b 'gateway_shared_state_errors_total{kind="timeout"}')
timeout 10 redis-cli -s "$SOCK" DEBUG SLEEP 2 >/dev/null 2>&1 </dev/null &
SLEEPER_PID=$!
stalled=0
for ((i = 0; i < 20; i++)); do  # a PING that gets no answer: Redis is inside the sleep
  if ! timeout 0.2 redis-cli -s "$SOCK" PING >/dev/null 2>&1; then stalled=1; break; fi
  sleep 0.02
done
((stalled)) || fail "Redis never stalled after DEBUG SLEEP"
for url in "$A" "$B" "$A" "$B"; do
  code=$(curl -s --max-time 1.5 -o "$GW_TMP/slow.json" -w '%{http_code}' "$url/v1/chat/completions" \
    -H "Authorization: Bearer $KEY_OPS" -H 'Content-Type: application/json' \
    -d '{"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":16}') ||
    fail "Redis stalled: $url did not answer within curl's 1.5 s (curl exit $?)"
  [[ "$code" == 200 ]] || fail "Redis stalled: $url answered $code $(cat "$GW_TMP/slow.json")"
done
for r in a b; do
  n=$(metric "$r" 'gateway_shared_state_errors_total{kind="timeout"}')
  was=$([[ $r == a ]] && echo "$to_a" || echo "$to_b")
  ((n > was)) || fail "replica $r: timeout errors $was -> $n while Redis slept"
done
pass "Redis stalled: 4 of 4 requests answered in time, timeouts counted on a and b"
wait "$SLEEPER_PID" 2>/dev/null || true
SLEEPER_PID=""
for r in a b; do
  wait_metric "$r" gateway_shared_state_up 1
  wait_log_count "$r" "shared state: redis is down" 2
  wait_log_count "$r" "shared state: redis is up" 3
done
code=$(chat "$B" "$KEY_OPS" after)
[[ "$code" == 200 ]] || fail "after the stall: $code"
pass "Redis answers again: up on a and b, one more down/up line pair each"

# --- e. a budget across two outages --------------------------------------------------------------
# Spend made while Redis was away is written when it is back, and the replica's own view must
# include it: a second outage must not forget the first one's spend. 4 requests fit the budget.
kill_redis
wait_metric a gateway_shared_state_up 0
for ((i = 0; i < 3; i++)); do
  code=$(chat "$A" "$KEY_TWICE" twice)
  [[ "$code" == 200 ]] || fail "first outage, request $i: $code $(cat "$GW_TMP/twice.json")"
done
start_redis
wait_metric a gateway_shared_state_up 1
for ((i = 0; i < 100; i++)); do
  close_to "$(spend_in_redis twice)" 0.00075 && break
  sleep 0.05
done
close_to "$(spend_in_redis twice)" 0.00075 || fail "Redis back: it holds \$$(spend_in_redis twice) for key twice, want 0.00075"
close_to "$(metric a 'gateway_key_spend_usd{key="twice"}')" 0.00075 ||
  fail "replica a's view of key twice after the flush: $(metric a 'gateway_key_spend_usd{key="twice"}'), want 0.00075"
kill_redis
wait_metric a gateway_shared_state_up 0
codes=""
for ((i = 0; i < 5; i++)); do codes+="$(chat "$A" "$KEY_TWICE" twice) "; done
[[ "$codes" == "200 429 429 429 429 " ]] || fail "second outage: $codes, want one 200 (the budget's fourth request), then 429"
[[ "$(error_code twice)" == budget_exceeded ]] || fail "second outage: $(cat "$GW_TMP/twice.json")"
pass "budget across two outages: 3 + 1 admitted of a 4-request budget, then budget_exceeded"
start_redis
