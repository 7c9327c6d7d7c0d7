#!/usr/bin/env bash
# What the reactor-read shortcut (GATEWAY_REACTOR_READ, backends/reactor_read.hpp) buys: two
# builds of the gateway, one reading sockets through Asio 1.81's epoll internals and one through
# Asio's public API, each proxying the same plain and streamed requests to the instant sim
# upstream (provider path), alternated round by round. Per build and load: system calls per
# request on the proxying process (perf's raw_syscalls:sys_enter, and epoll_ctl and recvfrom
# apart), its CPU µs per request, and requests/s.
#
#   SHORTCUT=build/inference-gateway PORTABLE=build-portable/inference-gateway bench/reactor_read.sh
#   ROUNDS=3 DURATION=4 CONCURRENCY="1 64" bench/reactor_read.sh
#
# Build the portable one with: cmake -S . -B build-portable -DGATEWAY_REACTOR_READ=OFF \
#   -DGATEWAY_BUILD_TESTS=OFF -DGATEWAY_BUILD_BENCH=OFF && cmake --build build-portable \
#   --target inference-gateway. The upstream is the SHORTCUT build in both cases. Needs perf.
# Writes bench/results/reactor_read.json. Runs in a private network namespace.
source "$(dirname "$0")/lib.sh"

SHORTCUT="${SHORTCUT:-$BUILD/inference-gateway}"
PORTABLE="${PORTABLE:-$ROOT/build-portable/inference-gateway}"
ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-4}"
CONCURRENCY="${CONCURRENCY:-1 64}"
[[ -x "$SHORTCUT" && -x "$PORTABLE" ]] || die "need SHORTCUT ($SHORTCUT) and PORTABLE ($PORTABLE) binaries"
command -v perf >/dev/null || die "perf is needed (apt-get install linux-perf)"

if [[ "${BENCH_IN_NETNS:-0}" != 1 ]]; then bench_build; fi
bench_enter_netns "$@"
mkdir -p "$RESULTS"

GATEWAY=$SHORTCUT start_gateway upstream-instant "$BENCH_DIR/conf/upstream-instant.yaml" 9001 >/dev/null
remote_front_config 9001 "$BENCH_TMP/front.yaml"
sed -i 's/level: warn/level: info/' "$BENCH_TMP/front.yaml"  # the startup line names the read path
declare -A PID=()
PID[shortcut]=$(GATEWAY=$SHORTCUT start_gateway front-shortcut "$BENCH_TMP/front.yaml" 9004)
PID[portable]=$(GATEWAY=$PORTABLE start_gateway front-portable "$BENCH_TMP/front.yaml" 9005)
BENCH_PIDS+=("${PID[shortcut]}" "${PID[portable]}")
declare -A PORT=([shortcut]=9004 [portable]=9005)
grep -q "socket reads: reactor shortcut" "$BENCH_TMP/front-shortcut.log" || die "SHORTCUT does not read through the shortcut"
grep -q "socket reads: portable" "$BENCH_TMP/front-portable.log" || die "PORTABLE does not read through the portable path"

# one BUILD MODE C ROUND: a measured run under perf; prints one JSON object.
one() {
  local build=$1 mode=$2 c=$3 round=$4 pid=${PID[$1]} out="$BENCH_TMP/$1-$2-$3-$4"
  local flags=(--no-stream)
  [[ $mode == stream ]] && flags=(--stream)
  loadgen --url "http://127.0.0.1:${PORT[$build]}" --model bench --endpoint chat --prompt-tokens 32 \
    --output-tokens 16 --concurrency "$c" --duration-s 1 "${flags[@]}" >/dev/null  # warm-up
  local t0; t0=$(cpu_ticks "$pid")
  perf stat -x, -e raw_syscalls:sys_enter -e syscalls:sys_enter_epoll_ctl -e syscalls:sys_enter_recvfrom \
    -e syscalls:sys_enter_epoll_wait -p "$pid" -o "$out.perf" -- \
    "$LOADGEN" --no-progress --url "http://127.0.0.1:${PORT[$build]}" --model bench --endpoint chat \
    --prompt-tokens 32 --output-tokens 16 --concurrency "$c" --warmup-s 0 --duration-s "$DURATION" "${flags[@]}" \
    --json "$out.json" >/dev/null
  local ticks=$(($(cpu_ticks "$pid") - t0))
  python3 - "$out" "$build" "$mode" "$c" "$round" "$ticks" "$(getconf CLK_TCK)" <<'PY'
import json, sys
out, build, mode, c, rnd, ticks, hz = sys.argv[1:]
rep = json.load(open(out + ".json"))
n = rep["requests"]["completed"]
counts = {}
for line in open(out + ".perf"):
    f = line.strip().split(",")
    if len(f) > 2 and f[0].replace(".", "").isdigit():
        counts[f[2]] = float(f[0])
per = lambda k: round(counts.get(k, 0) / n, 2) if n else None
print(json.dumps({"build": build, "mode": mode, "concurrency": int(c), "round": int(rnd), "requests": n,
                  "requests_per_s": rep["throughput"]["requests_per_s"],
                  "syscalls_per_request": per("raw_syscalls:sys_enter"),
                  "epoll_ctl_per_request": per("syscalls:sys_enter_epoll_ctl"),
                  "recvfrom_per_request": per("syscalls:sys_enter_recvfrom"),
                  "epoll_wait_per_request": per("syscalls:sys_enter_epoll_wait"),
                  "cpu_us_per_request": round(int(ticks) / int(hz) * 1e6 / n, 1) if n else None}))
PY
}

rows="$BENCH_TMP/rows.jsonl"
for r in $(seq 1 "$ROUNDS"); do
  for mode in plain stream; do
    for c in $CONCURRENCY; do
      for b in shortcut portable; do
        log "round $r: $mode c=$c via $b"
        one "$b" "$mode" "$c" "$r" >>"$rows"
      done
    done
  done
done

python3 - "$rows" "$RESULTS/reactor_read.json" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
keys = ["requests_per_s", "syscalls_per_request", "epoll_ctl_per_request", "recvfrom_per_request",
        "epoll_wait_per_request", "cpu_us_per_request"]
summary = []
for mode in ("plain", "stream"):
    for c in sorted({r["concurrency"] for r in rows}):
        for b in ("shortcut", "portable"):
            sel = [r for r in rows if r["mode"] == mode and r["concurrency"] == c and r["build"] == b]
            if not sel:
                continue
            summary.append({"mode": mode, "concurrency": c, "build": b,
                            **{k: round(statistics.median(r[k] for r in sel), 2) for k in keys}})
json.dump({"rows": rows, "median": summary}, open(sys.argv[2], "w"), indent=1)
print(f"{'load':<12}{'build':<10}{'req/s':>9}{'syscalls':>10}{'epoll_ctl':>10}{'recvfrom':>10}{'epoll_wait':>11}{'cpu µs':>8}")
for s in summary:
    print(f"{s['mode'] + ' c=' + str(s['concurrency']):<12}{s['build']:<10}{s['requests_per_s']:>9.0f}"
          f"{s['syscalls_per_request']:>10.2f}{s['epoll_ctl_per_request']:>10.2f}{s['recvfrom_per_request']:>10.2f}"
          f"{s['epoll_wait_per_request']:>11.2f}{s['cpu_us_per_request']:>8.1f}")
PY
log "wrote $RESULTS/reactor_read.json (medians of $ROUNDS rounds)"
