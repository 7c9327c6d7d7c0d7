#!/usr/bin/env bash
# Shared limits: what keeping a key's rate limits and budget in Redis (state.redis) costs and
# buys. The gateway serves the instant sim engine itself (time_scale 0), so its own work, and
# the Redis round trip, dominate. Three parts:
#   1. cost: one key with limits far away (nothing is refused), a gateway with state.redis and one
#      without, alternated ROUNDS times: c=1 p50/p99 latency, requests/s at c=64, CPU per request;
#   2. effect: a key with requests_per_minute LIMIT_RPM, LIMIT_REQUESTS requests as fast as they go
#      through nginx (round robin) to 2 and 3 replicas, with Redis (the limit once) and without
#      (the limit once per replica);
#   3. Redis failing under a c=8 load: killed (SIGKILL) and restarted OUTAGE_S later on the same
#      port, then stalled (DEBUG SLEEP STALL_S): requests failed, the slowest request in the
#      window, how long until gateway_shared_state_up is 1 again.
#
#   bench/shared_limits.sh                                   # ~2 minutes
#   ROUNDS=2 DURATION=5 bench/shared_limits.sh
#   BENCH_SKIP_BUILD=1 GATEWAY=/path/to/inference-gateway bench/shared_limits.sh
#
# Prints tables and writes bench/results/shared_limits.json (every gateway-bench report included).
# Everything runs in a private network namespace (loopback only); Redis listens on 127.0.0.1 TCP.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DURATION="${DURATION:-4}"
WARMUP="${WARMUP:-1}"
ROUNDS="${ROUNDS:-3}"
LIMIT_RPM="${LIMIT_RPM:-60}"
LIMIT_REQUESTS="${LIMIT_REQUESTS:-300}"
LIMIT_CONCURRENCY="${LIMIT_CONCURRENCY:-16}"
OUTAGE_S="${OUTAGE_S:-2}"
STALL_S="${STALL_S:-2}"
TIMEOUT_MS="${TIMEOUT_MS:-50}"

if [[ "${BENCH_IN_NETNS:-0}" != 1 ]]; then
  bench_build
  command -v redis-server >/dev/null && command -v redis-cli >/dev/null ||
    die "redis-server and redis-cli are needed (make deps-test installs them)"
fi
bench_enter_netns "$@"
mkdir -p "$RESULTS" "$BENCH_TMP/runs"
RUNS="$BENCH_TMP/runs"

REDIS_PORT=6390
REDIS_PID=""
LOAD_PID=""
shared_cleanup() {
  local p
  for p in "$LOAD_PID" "$REDIS_PID"; do
    [[ -n "$p" ]] || continue
    kill "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
  bench_cleanup
}
trap shared_cleanup EXIT

rcli() { timeout 5 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"; }

# start_redis: no persistence (a restart starts empty, as after losing a cache node); waits for PONG.
start_redis() {
  local i
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --enable-debug-command local \
    --daemonize no >>"$BENCH_TMP/redis.log" 2>&1 </dev/null &
  REDIS_PID=$!
  for ((i = 0; i < 200; i++)); do
    [[ "$(timeout 1 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" PING 2>/dev/null)" == PONG ]] && return 0
    kill -0 "$REDIS_PID" 2>/dev/null || die "redis-server exited: $(tail -n 3 "$BENCH_TMP/redis.log")"
    sleep 0.05
  done
  die "redis-server did not answer within 10 s"
}

# --- keys and configs ----------------------------------------------------------------------------
KEY_HUGE=bench-huge-key KEY_L2=bench-lim2-key KEY_L3=bench-lim3-key
hash_of() { printf '%s' "$1" | "$GATEWAY" --hash-key; }
H_HUGE=$(hash_of "$KEY_HUGE") H_L2=$(hash_of "$KEY_L2") H_L3=$(hash_of "$KEY_L3")

# gateway_config FILE on|off: the instant sim engine with a price (so every request settles a
# spend), a key with every limit far away, and two keys at LIMIT_RPM; with state.redis or not.
gateway_config() {
  cat >"$1" <<CONF
server: {listen: 127.0.0.1:0, max_body_bytes: 1048576}
log: {level: info, access_log: false}
auth:
  keys:
    - name: huge
      sha256: $H_HUGE
      requests_per_minute: 100000000
      tokens_per_minute: 1000000000000
      budget: {usd: 1000000000, period: day}
    - {name: lim2, sha256: $H_L2, requests_per_minute: $LIMIT_RPM}
    - {name: lim3, sha256: $H_L3, requests_per_minute: $LIMIT_RPM}
models:
  - id: bench
    engine: sim
    preset: deepseek-r1-w8a8-2node
    sim: {time_scale: 0, kv_token_capacity: 1099511627776, reasoning: false}
    max_model_len: 65536
    default_max_tokens: 16
    batching: {max_batch_size: 65536, max_queued: 100000, max_queue_wait_ms: 600000}
    price: {input_per_million: 1, output_per_million: 2}
CONF
  if [[ $2 == on ]]; then
    cat >>"$1" <<CONF
state:
  redis:
    url: redis://127.0.0.1:$REDIS_PORT/0
    key_prefix: "bench:"
    timeout_ms: $TIMEOUT_MS
    on_unavailable: {rate_limits: open, budgets: open}
CONF
  fi
}
gateway_config "$BENCH_TMP/on.yaml" on
gateway_config "$BENCH_TMP/off.yaml" off
"$GATEWAY" --config "$BENCH_TMP/on.yaml" --check-config >/dev/null || die "the generated config is invalid"

# start_pool PORT UPSTREAM_PORT...: nginx round robin over the replicas (lib.sh). Prints its pid.
start_pool() {
  local port=$1
  shift
  start_nginx "$*" "$port"
}

# metric PORT SERIES: a value from the gateway's /metrics (0 when absent).
metric() {
  curl -s --max-time 2 "http://127.0.0.1:$1/metrics" |
    awk -v s="$2" 'index($0, s " ") == 1 { v = substr($0, length(s) + 2) } END { print (v == "" ? 0 : v) }'
}

now_s() { printf '%s\n' "$EPOCHREALTIME"; }
elapsed_ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) * 1000 }'; }

# bench_run NAME ARGS...: one gateway-bench run, report kept as $RUNS/NAME.json.
bench_run() {
  local name=$1
  shift
  loadgen --model bench --endpoint chat --prompt-tokens 32 --output-tokens 16 --no-stream --drain-timeout-s 10 \
    "$@" --json "$RUNS/$name.json" >"$RUNS/$name.txt" || true
  [[ -s "$RUNS/$name.json" ]] || die "gateway-bench wrote no report for $name: $(tail -n 3 "$RUNS/$name.txt")"
}

start_redis
log "redis-server $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p') on 127.0.0.1:$REDIS_PORT"

# --- 1. cost: the same key with Redis limits on and off ------------------------------------------
declare -A GW_PID=()
GW_PID[off]=$(start_gateway cost-off "$BENCH_TMP/off.yaml" 9401); BENCH_PIDS+=("${GW_PID[off]}")
GW_PID[on]=$(start_gateway cost-on "$BENCH_TMP/on.yaml" 9402); BENCH_PIDS+=("${GW_PID[on]}")
declare -A COST_PORT=([off]=9401 [on]=9402)
hz=$(getconf CLK_TCK)
for r in $(seq 1 "$ROUNDS"); do
  for c in 1 64; do
    # Alternate which goes first, so neither always runs on a warmer machine.
    modes="off on"; ((r % 2 == 0)) && modes="on off"
    for m in $modes; do
      log "cost: round $r, c=$c, redis $m"
      g0=$(cpu_ticks "${GW_PID[$m]}") r0=$(cpu_ticks "$REDIS_PID")
      bench_run "cost-$m-c$c-r$r" --url "http://127.0.0.1:${COST_PORT[$m]}" --api-key "$KEY_HUGE" \
        --concurrency "$c" --warmup-s "$WARMUP" --duration-s "$DURATION"
      printf '{"gateway_cpu_s":%s,"redis_cpu_s":%s}\n' \
        "$(awk -v t="$(($(cpu_ticks "${GW_PID[$m]}") - g0))" -v hz="$hz" 'BEGIN { print t / hz }')" \
        "$(awk -v t="$(($(cpu_ticks "$REDIS_PID") - r0))" -v hz="$hz" 'BEGIN { print t / hz }')" \
        >"$RUNS/cost-$m-c$c-r$r.cpu.json"
    done
  done
done
[[ "$(metric 9402 gateway_shared_state_up)" == 1 ]] || die "the Redis gateway's shared state is not up"
printf '{"fallbacks":%s,"errors_timeout":%s}\n' \
  "$(metric 9402 'gateway_shared_state_fallbacks_total{limit="rate_limits",action="local"}')" \
  "$(metric 9402 'gateway_shared_state_errors_total{kind="timeout"}')" >"$RUNS/cost-on.shared.json"

# --- 2. effect: admitted requests of one key across replicas -------------------------------------
# Replicas 9411-9413 with Redis, 9421-9423 without; a fresh key for each pool, so every pool
# starts from a full bucket.
for i in 1 2 3; do
  BENCH_PIDS+=("$(start_gateway "limit-on-$i" "$BENCH_TMP/on.yaml" $((9410 + i)))")
  BENCH_PIDS+=("$(start_gateway "limit-off-$i" "$BENCH_TMP/off.yaml" $((9420 + i)))")
done
for i in 1 2 3; do
  for ((t = 0; t < 100; t++)); do [[ "$(metric $((9410 + i)) gateway_shared_state_up)" == 1 ]] && break; sleep 0.05; done
done
BENCH_PIDS+=("$(start_pool 9431 9411 9412)" "$(start_pool 9432 9411 9412 9413)")
BENCH_PIDS+=("$(start_pool 9433 9421 9422)" "$(start_pool 9434 9421 9422 9423)")
for m in on off; do
  for n in 2 3; do
    [[ $m == on ]] && port=$((9429 + n)) || port=$((9431 + n))
    key=$([[ $n == 2 ]] && echo "$KEY_L2" || echo "$KEY_L3")
    log "limit: $n replicas, redis $m, $LIMIT_REQUESTS requests at c=$LIMIT_CONCURRENCY"
    bench_run "limit-$m-n$n" --url "http://127.0.0.1:$port" --api-key "$key" \
      --concurrency "$LIMIT_CONCURRENCY" --requests "$LIMIT_REQUESTS"
  done
done

# --- 3. Redis failing under load --------------------------------------------------------------
# probe_until FILE STOP_FILE: sequential requests to the Redis gateway until STOP_FILE exists;
# one line per request: "start_s http_code time_total_s".
probe_until() {
  local out=$1 stop=$2 t line
  : >"$out"
  while [[ ! -e "$stop" ]]; do
    t=$EPOCHREALTIME
    line=$(curl -s -o /dev/null --max-time 5 -w '%{http_code} %{time_total}' http://127.0.0.1:9402/v1/chat/completions \
      -H "Authorization: Bearer $KEY_HUGE" -H 'Content-Type: application/json' \
      -d '{"model":"bench","messages":[{"role":"user","content":"hi"}],"max_tokens":16}') || true
    echo "$t ${line:-000 0}" >>"$out"
  done
}

# wait_up: milliseconds (from now) until the Redis gateway reports gateway_shared_state_up 1 (10 s at most).
wait_up() {
  local t0=$EPOCHREALTIME i
  for ((i = 0; i < 1000; i++)); do
    [[ "$(metric 9402 gateway_shared_state_up)" == 1 ]] && { elapsed_ms "$t0" "$EPOCHREALTIME"; return 0; }
    sleep 0.01
  done
  echo null
}

# failure_run NAME: a c=8 load on the Redis gateway for 2 s + the event + 3 s; EVENT is run
# 1.5 s in, with a probe client timing its own requests from the event until the state is up.
failure_run() {
  local name=$1 event=$2 t_event t_back t_ready to_up load_s
  load_s=$(awk -v o="$OUTAGE_S" -v s="$STALL_S" 'BEGIN { m = o > s ? o : s; printf "%d", m + 5 }')
  local f0 e0 d0
  f0=$(metric 9402 'gateway_shared_state_fallbacks_total{limit="rate_limits",action="local"}')
  e0=$(metric 9402 'gateway_shared_state_errors_total{kind="timeout"}')
  d0=$(metric 9402 'gateway_shared_state_transitions_total{to="down"}')
  loadgen --url http://127.0.0.1:9402 --model bench --endpoint chat --prompt-tokens 32 --output-tokens 16 --no-stream \
    --api-key "$KEY_HUGE" --concurrency 8 --duration-s "$load_s" --drain-timeout-s 10 \
    --json "$RUNS/$name.json" >"$RUNS/$name.txt" &
  LOAD_PID=$!
  sleep 1.5
  rm -f "$BENCH_TMP/probe.stop"
  probe_until "$RUNS/$name.probe" "$BENCH_TMP/probe.stop" &
  local probe_pid=$!
  t_event=$EPOCHREALTIME
  case $event in
    kill)
      kill -9 "$REDIS_PID"; wait "$REDIS_PID" 2>/dev/null || true; REDIS_PID=""
      sleep "$OUTAGE_S"
      t_back=$EPOCHREALTIME
      start_redis
      t_ready=$EPOCHREALTIME
      ;;
    stall)
      timeout 30 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" DEBUG SLEEP "$STALL_S" >/dev/null &
      local sleeper=$!
      wait "$sleeper" || true
      t_back=$EPOCHREALTIME t_ready=$EPOCHREALTIME
      ;;
  esac
  to_up=$(wait_up)
  touch "$BENCH_TMP/probe.stop"
  wait "$probe_pid" || true
  wait "$LOAD_PID" || true
  LOAD_PID=""
  printf '{"event":"%s","event_s":%s,"ready_after_restart_ms":%s,"up_after_ready_ms":%s,"fallbacks":%s,"timeout_errors":%s,"down_transitions":%s}\n' \
    "$event" "$(awk -v a="$t_event" -v b="$t_back" 'BEGIN { printf "%.3f", b - a }')" "$(elapsed_ms "$t_back" "$t_ready")" "$to_up" \
    "$(($(metric 9402 'gateway_shared_state_fallbacks_total{limit="rate_limits",action="local"}') - f0))" \
    "$(($(metric 9402 'gateway_shared_state_errors_total{kind="timeout"}') - e0))" \
    "$(($(metric 9402 'gateway_shared_state_transitions_total{to="down"}') - d0))" >"$RUNS/$name.event.json"
}

log "failure: c=8 without incident (control)"
bench_run failure-control --url http://127.0.0.1:9402 --api-key "$KEY_HUGE" --concurrency 8 --duration-s 4
log "failure: redis killed for ${OUTAGE_S} s under c=8"
failure_run failure-kill kill
log "failure: redis stalled (DEBUG SLEEP ${STALL_S}) under c=8"
failure_run failure-stall stall
grep -h 'shared state:' "$BENCH_TMP/cost-on.log" >"$RUNS/failure.gateway-log.txt" || true

# --- results ---------------------------------------------------------------------------------
node - "$RUNS" "$RESULTS/shared_limits.json" "$LIMIT_RPM" "$LIMIT_REQUESTS" "$ROUNDS" "$TIMEOUT_MS" <<'NODE'
const fs = require('node:fs');
const os = require('node:os');
const [dir, out, limitRpm, limitRequests, rounds, timeoutMs] = process.argv.slice(2);
const read = (f) => (fs.existsSync(`${dir}/${f}`) ? JSON.parse(fs.readFileSync(`${dir}/${f}`, 'utf8')) : null);
const median = (xs) => {
  const v = xs.filter((x) => x !== null && x !== undefined && !Number.isNaN(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
const reports = {};
for (const f of fs.readdirSync(dir).filter((f) => /^[a-z0-9-]+\.json$/.test(f))) reports[f.slice(0, -5)] = read(f);
const n429 = (r) => r?.errors?.by_status?.['429'] ?? 0;
const failed = (r) => (r?.errors?.total ?? 0) - n429(r);
const f3 = (x) => (x === null || x === undefined ? '—' : x.toFixed(3));
const int = (x) => (x === null || x === undefined ? '—' : Math.round(x).toLocaleString('en-US'));
function table(title, header, rows) {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padStart(w[i])).join('  ');
  console.log(`\n${title}\n${line(header)}\n${w.map((n) => '-'.repeat(n)).join('  ')}`);
  for (const r of rows) console.log(line(r));
}

// 1. cost
const R = Number(rounds);
const cost = {};
for (const m of ['off', 'on']) {
  const runs = (c) => [...Array(R).keys()].map((i) => ({ r: reports[`cost-${m}-c${c}-r${i + 1}`],
    cpu: read(`cost-${m}-c${c}-r${i + 1}.cpu.json`) }));
  const perReq = (x, k) => (x.r && x.cpu ? x.cpu[k] * 1e6 / Math.max(1, x.r.requests.completed + x.r.requests.warmup) : null);
  cost[m] = {
    c1_p50_ms: median(runs(1).map((x) => x.r?.e2e_ms.p50)),
    c1_p99_ms: median(runs(1).map((x) => x.r?.e2e_ms.p99)),
    c1_requests_per_s: median(runs(1).map((x) => x.r?.throughput.requests_per_s)),
    c64_requests_per_s: median(runs(64).map((x) => x.r?.throughput.requests_per_s)),
    c64_p50_ms: median(runs(64).map((x) => x.r?.e2e_ms.p50)),
    c64_p99_ms: median(runs(64).map((x) => x.r?.e2e_ms.p99)),
    c64_gateway_cpu_us_per_request: median(runs(64).map((x) => perReq(x, 'gateway_cpu_s'))),
    c64_redis_cpu_us_per_request: median(runs(64).map((x) => perReq(x, 'redis_cpu_s'))),
    errors: [1, 64].flatMap((c) => runs(c)).reduce((n, x) => n + (x.r?.errors.total ?? 0), 0),
    rounds: R,
  };
}
const added = (k) => (cost.on[k] !== null && cost.off[k] !== null ? cost.on[k] - cost.off[k] : null);
cost.added = { c1_p50_us: added('c1_p50_ms') * 1000, c1_p99_us: added('c1_p99_ms') * 1000,
  c64_requests_per_s_ratio: cost.on.c64_requests_per_s / cost.off.c64_requests_per_s,
  c64_gateway_cpu_us_per_request: added('c64_gateway_cpu_us_per_request') };
cost.shared_state = read('cost-on.shared.json');
table(`1. Cost: one key, limits far away, instant sim engine (medians of ${R} alternated rounds)`,
  ['redis', 'c=1 p50 ms', 'c=1 p99 ms', 'c=1 req/s', 'c=64 req/s', 'c=64 p99 ms', 'gw CPU µs/req', 'redis CPU µs/req', 'errors'],
  ['off', 'on'].map((m) => [m, f3(cost[m].c1_p50_ms), f3(cost[m].c1_p99_ms), int(cost[m].c1_requests_per_s),
    int(cost[m].c64_requests_per_s), f3(cost[m].c64_p99_ms), int(cost[m].c64_gateway_cpu_us_per_request),
    m === 'on' ? int(cost[m].c64_redis_cpu_us_per_request) : '—', cost[m].errors]));
console.log(`added by Redis: c=1 p50 ${int(cost.added.c1_p50_us)} µs, p99 ${int(cost.added.c1_p99_us)} µs; ` +
  `c=64 req/s x${cost.added.c64_requests_per_s_ratio.toFixed(2)}; gateway CPU ${int(cost.added.c64_gateway_cpu_us_per_request)} µs/req ` +
  `(fallbacks ${cost.shared_state?.fallbacks}, timeouts ${cost.shared_state?.errors_timeout})`);

// 2. effect
const limit = [];
for (const m of ['on', 'off']) for (const n of [2, 3]) {
  const r = reports[`limit-${m}-n${n}`];
  if (!r) continue;
  const expected = m === 'on' ? Number(limitRpm) : n * Number(limitRpm);
  limit.push({ redis: m, replicas: n, sent: r.requests.measured, admitted: r.requests.completed, refused_429: n429(r),
    failed: failed(r), limit_rpm: Number(limitRpm), expected: expected,
    refill_allowance: Math.floor(r.window_s * Number(limitRpm) / 60) * (m === 'on' ? 1 : n), window_s: r.window_s });
}
table(`2. One key at ${limitRpm} requests/min: ${limitRequests} requests through nginx (round robin), as fast as they go`,
  ['redis', 'replicas', 'sent', 'admitted', '429', 'other failures', 'expected', 'refill allowance', 'window s'],
  limit.map((x) => [x.redis, x.replicas, x.sent, x.admitted, x.refused_429, x.failed, x.expected, x.refill_allowance, f3(x.window_s)]));

// 3. failures
const failure = { control: null, events: [] };
const ctl = reports['failure-control'];
if (ctl) failure.control = { requests: ctl.requests.completed, failed: failed(ctl), e2e_p99_ms: ctl.e2e_ms.p99, e2e_max_ms: ctl.e2e_ms.max };
for (const name of ['failure-kill', 'failure-stall']) {
  const r = reports[name];
  const ev = read(`${name}.event.json`);
  if (!r || !ev) continue;
  const probe = fs.readFileSync(`${dir}/${name}.probe`, 'utf8').trim().split('\n').filter(Boolean)
    .map((l) => l.split(' ')).map(([t, code, secs]) => ({ t: Number(t), code, ms: Number(secs) * 1000 }));
  failure.events.push({
    event: ev.event, duration_s: ev.event_s,
    load_requests: r.requests.completed, load_failed: failed(r), load_refused_429: n429(r),
    load_e2e_p99_ms: r.e2e_ms.p99, load_e2e_max_ms: r.e2e_ms.max,
    window_probe_requests: probe.length, window_probe_failed: probe.filter((p) => p.code !== '200').length,
    window_probe_max_ms: probe.length ? Math.max(...probe.map((p) => p.ms)) : null,
    ready_after_restart_ms: ev.ready_after_restart_ms, up_after_ready_ms: ev.up_after_ready_ms, fallbacks: ev.fallbacks, timeout_errors: ev.timeout_errors,
    down_transitions: ev.down_transitions,
  });
}
table('3. Redis failing under a c=8 load (load: the whole run; window: a 9th client from the failure until up again)',
  ['event', 'seconds', 'load req', 'failed', 'load p99 ms', 'load max ms', 'window req', 'window failed', 'window max ms', 'up after ready ms', 'fallbacks', 'timeouts'],
  [...(failure.control ? [['none', '—', failure.control.requests, failure.control.failed, f3(failure.control.e2e_p99_ms),
    f3(failure.control.e2e_max_ms), '—', '—', '—', '—', '—', '—']] : []),
   ...failure.events.map((e) => [e.event, e.duration_s.toFixed(2), e.load_requests, e.load_failed, f3(e.load_e2e_p99_ms),
    f3(e.load_e2e_max_ms), e.window_probe_requests, e.window_probe_failed, f3(e.window_probe_max_ms),
    e.up_after_ready_ms ?? 'never', e.fallbacks, e.timeout_errors])]);
console.log('"up after ready": from Redis answering again (PONG after the restart / DEBUG SLEEP returned) to gateway_shared_state_up 1, polled every ~10 ms');

const gatewayLog = fs.existsSync(`${dir}/failure.gateway-log.txt`) ? fs.readFileSync(`${dir}/failure.gateway-log.txt`, 'utf8').trim().split('\n') : [];
const doc = {
  scenario: 'shared_limits',
  machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', memory_gib: +(os.totalmem() / 2 ** 30).toFixed(1),
    kernel: os.release(), date: new Date().toISOString() },
  settings: { limit_rpm: Number(limitRpm), limit_requests: Number(limitRequests), rounds: R, timeout_ms: Number(timeoutMs),
    redis: 'redis-server on 127.0.0.1 TCP, no persistence' },
  cost, limit, failure, gateway_log: gatewayLog, reports,
};
fs.writeFileSync(out, JSON.stringify(doc, null, 1) + '\n');
console.log(`\nwrote ${out}`);
NODE
