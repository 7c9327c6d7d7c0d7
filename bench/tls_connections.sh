#!/usr/bin/env bash
# TLS connections: gateway-bench holding thousands of HTTP/1.1-over-TLS keep-alive connections
# to nginx (TLS termination, one worker) in front of the gateway on the instant sim upstream,
# and the same load over plain http through the same nginx, at each concurrency. What it shows
# is what a load test of an https:// endpoint costs the client and the terminator, and that
# gateway-bench's TLS path holds 5,000+ connections without errors.
#
#   bench/tls_connections.sh                        # ~1 minute
#   CONCURRENCY="1000 2000" DURATION=5 WARMUP=6 SCHEMES=https bench/tls_connections.sh
#
# Every connection's TLS handshake happens in the warm-up, so the measured window is keep-alive
# traffic only: 5,000 handshakes took about 9 s of gateway-bench's one reactor thread on the
# 2-vCPU VM (the certificate's decoding and verification, OpenSSL 3.0), hence WARMUP=10.
# "all open" is when the last connection finished its handshake (from --samples, every 0.5 s). Prints a table and writes
# bench/results/tls_connections.json. Runs in a private network namespace.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CONCURRENCY="${CONCURRENCY:-1000 5000}"
SCHEMES="${SCHEMES:-https http}"
DURATION="${DURATION:-4}"
WARMUP="${WARMUP:-10}"

bench_build
bench_enter_netns "$@"
mkdir -p "$RESULTS" "$BENCH_TMP/runs"
command -v openssl >/dev/null || die "the openssl command is not installed"

# A test CA and an ECDSA P-256 certificate for 127.0.0.1 (the cheapest handshake to sign and to
# verify, as a current deployment would use).
tls="$BENCH_TMP/tls"
mkdir -p "$tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=bench CA" \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
  -keyout "$tls/ca.key" -out "$tls/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=127.0.0.1" \
  -keyout "$tls/server.key" -out "$tls/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$tls/server.ext"
openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial -days 2 \
  -extfile "$tls/server.ext" -out "$tls/server.pem" 2>/dev/null

start_gateway upstream "$BENCH_DIR/conf/upstream-instant.yaml" 9501 >/dev/null

# nginx as in lib.sh (one worker, keep-alive upstream, no buffering, no access log), listening
# on 9502 (plain) and 9503 (TLS, same certificate and worker).
nginx_pid=$(start_nginx 9501 9502 9503 "$tls/server.pem" "$tls/server.key")
BENCH_PIDS+=("$nginx_pid")  # the starter ran in a subshell: registered for cleanup here
nginx_worker=$(pgrep -P "$nginx_pid" | head -1)

for c in $CONCURRENCY; do
  for scheme in $SCHEMES; do
    name="c$c--$scheme"
    if [[ $scheme == https ]]; then target=(--url https://127.0.0.1:9503 --cacert "$tls/ca.pem")
    else target=(--url http://127.0.0.1:9502); fi
    log "$scheme, $c connections: warm-up ${WARMUP} s (the handshakes), then ${DURATION} s"
    t0=$(cpu_ticks "$nginx_worker")
    # %M: gateway-bench's peak RSS (KiB), %U/%S: its CPU seconds.
    /usr/bin/time -f '{"rss_kib": %M, "user_s": %U, "sys_s": %S}' -o "$BENCH_TMP/runs/$name.time" \
      "$LOADGEN" --no-progress "${target[@]}" --model bench --stream --prompt-tokens 32 --output-tokens 16 \
      --concurrency "$c" --warmup-s "$WARMUP" --duration-s "$DURATION" --connect-timeout-s 60 \
      --drain-timeout-s 30 --samples "$BENCH_TMP/runs/$name.samples" --sample-interval-s 0.5 --json "$BENCH_TMP/runs/$name.json" >"$BENCH_TMP/runs/$name.txt" 2>&1 || true
    t1=$(cpu_ticks "$nginx_worker")
    [[ -s "$BENCH_TMP/runs/$name.json" ]] || die "$name: no report: $(tail -5 "$BENCH_TMP/runs/$name.txt")"
    jq -c --arg scheme "$scheme" --argjson c "$c" --argjson nginx_ticks "$((t1 - t0))" \
      --argjson tick "$(getconf CLK_TCK)" --slurpfile time "$BENCH_TMP/runs/$name.time" \
      --argjson all_open "$(jq -s --argjson c "$c" '[.[] | select(.connections >= $c) | .t_s][0]' \
        "$BENCH_TMP/runs/$name.samples")" \
      '{scheme: $scheme, concurrency: $c, requests_per_s: .throughput.requests_per_s,
        completed: .requests.completed, errors: .errors.total, error_examples: .errors.examples,
        connections: .connections, all_open_s: $all_open, e2e_ms: .e2e_ms, ttft_ms: .ttft_ms, itl_ms: .itl_ms, window_s,
        nginx_cpu_s: ($nginx_ticks / $tick), loadgen: $time[0], report: .}' \
      "$BENCH_TMP/runs/$name.json" >"$BENCH_TMP/runs/$name.row"
  done
done

jq -s --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg kernel "$(uname -r)" --arg cpus "$(nproc)" \
  --arg nginx "$(nginx -v 2>&1 | sed 's/.*nginx\///')" --arg openssl "$(openssl version)" \
  --arg cmd "CONCURRENCY=\"$CONCURRENCY\" SCHEMES=\"$SCHEMES\" DURATION=$DURATION WARMUP=$WARMUP bench/tls_connections.sh" \
  '{scenario: "tls_connections", date: $date, command: $cmd,
    machine: {kernel: $kernel, cpus: ($cpus | tonumber), nginx: $nginx, openssl: $openssl},
    runs: .}' "$BENCH_TMP"/runs/*.row >"$RESULTS/tls_connections.json"

printf '\n%-6s %6s %9s %13s %15s %7s %6s %9s %12s %13s\n' scheme conns "req/s" "E2E p50/p99" "TTFT p50/p99" errors opened \
  "all open" "nginx CPU s" "bench RSS MiB"
jq -r '.runs[] | [.scheme, .concurrency, (.requests_per_s | round),
    "\(.e2e_ms.p50 * 10 | round / 10)/\(.e2e_ms.p99 * 10 | round / 10)",
    "\(.ttft_ms.p50 * 10 | round / 10)/\(.ttft_ms.p99 * 10 | round / 10)",
    .errors, .connections, "\(.all_open_s) s", (.nginx_cpu_s * 100 | round / 100), (.loadgen.rss_kib / 1024 | round)] | @tsv' \
  "$RESULTS/tls_connections.json" |
  awk -F'\t' '{printf "%-6s %6s %9s %13s %15s %7s %6s %9s %12s %13s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10}'
log "wrote $RESULTS/tls_connections.json (E2E and TTFT in ms)"
