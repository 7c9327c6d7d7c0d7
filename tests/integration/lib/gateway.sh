# shellcheck shell=bash disable=SC2034  # CURL_RC, SSE_CONTENT_CHUNKS: read by the tests
# Helpers for the integration tests, sourced by tests/integration/*_test.sh.
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib/gateway.sh"
#   gw_init "${1:-}"            # binary: $1 of the test, else $GATEWAY_BIN, else ./build
#   start_gateway CONFIG        # exports GW_PORT, GW_PID, GW_LOG
#   start_nginx "$GW_PORT"      # exports NGINX_PORT, NGINX_PID, NGINX_DIR (options: see below)
#
# Everything runs on 127.0.0.1; every wait is bounded; an EXIT trap stops what was started
# (by pid, nothing else) and removes the scratch directory (kept with KEEP_TMP=1).

export LC_ALL=C

GW_TMP=$(mktemp -d "${TMPDIR:-/tmp}/gw-it.XXXXXX")
GW_PID=""
GW_PORT=""
GW_LOG=""
GW_CONFIG=""
NGINX_PID=""
NGINX_PORT=""
NGINX_DIR=""
# Results for the tests to read (set by stream_stamped and check_sse).
CURL_RC=0
SSE_CONTENT_CHUNKS=0
_GW_TEST_NAME=$(basename "$0" .sh)

log() { printf '[%s] %s\n' "$_GW_TEST_NAME" "$*" >&2; }
pass() { printf '[%s] ok: %s\n' "$_GW_TEST_NAME" "$*" >&2; }

# fail MESSAGE...: print and exit 1 (the EXIT trap cleans up and shows the logs' tails).
fail() {
  printf '[%s] FAIL: %s\n' "$_GW_TEST_NAME" "$*" >&2
  exit 1
}


# Stops one process we started: TERM, up to 5 s, then KILL (and its children, by pid).
_gw_stop_pid() {
  local pid=$1 i
  local -a kids
  [[ -n "$pid" ]] || return 0
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  if kill -0 "$pid" 2>/dev/null; then
    mapfile -t kids < <(pgrep -P "$pid" 2>/dev/null || true)
    kill -KILL "$pid" "${kids[@]}" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

_gw_cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  _gw_stop_pid "$NGINX_PID"
  _gw_stop_pid "$GW_PID"
  if ((rc != 0)); then
    if [[ -n "$GW_LOG" && -f "$GW_LOG" ]]; then
      log "gateway log (tail):"
      tail -n 20 "$GW_LOG" >&2
    fi
    if [[ -n "$NGINX_DIR" && -f "$NGINX_DIR/logs/error.log" ]]; then
      log "nginx error log (tail):"
      tail -n 20 "$NGINX_DIR/logs/error.log" >&2
    fi
  fi
  if [[ "${KEEP_TMP:-0}" == 1 ]]; then
    log "scratch directory kept: $GW_TMP"
  else
    rm -rf "$GW_TMP"
  fi
  if ((rc == 0)); then log "PASS"; else log "FAILED (exit $rc)"; fi
  exit "$rc"
}
trap _gw_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# gw_init [BINARY]: picks the gateway binary and the source tree; checks the tools.
gw_init() {
  local here
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  GATEWAY_SOURCE_DIR=${GATEWAY_SOURCE_DIR:-$(cd "$here/../../.." && pwd)}
  GATEWAY_BIN=${1:-${GATEWAY_BIN:-$GATEWAY_SOURCE_DIR/build/inference-gateway}}
  [[ -x "$GATEWAY_BIN" ]] || fail "gateway binary not found or not executable: $GATEWAY_BIN (pass it as \$1 or GATEWAY_BIN)"
  command -v curl >/dev/null || fail "curl is not installed"
  command -v timeout >/dev/null || fail "timeout (coreutils) is not installed"
  export GATEWAY_BIN GATEWAY_SOURCE_DIR
}

# Microseconds since the epoch (bash 5: no fork).
now_us() {
  if [[ -n "${EPOCHREALTIME:-}" ]]; then
    printf '%s\n' "${EPOCHREALTIME//[!0-9]/}"
  else
    date +%s%6N
  fi
}

# Local TCP ports in use (any state), from /proc.
_gw_used_ports() {
  local f sl local_addr
  for f in /proc/net/tcp /proc/net/tcp6; do
    [[ -r "$f" ]] || continue
    while read -r sl local_addr _; do
      [[ "$sl" == sl ]] && continue
      printf '%d\n' "$((16#${local_addr##*:}))"
    done <"$f"
  done
}

# free_port: prints a TCP port on 127.0.0.1 that nothing uses now (below the ephemeral range).
free_port() {
  local used p i
  used=" $(_gw_used_ports | sort -u | tr '\n' ' ') "
  for ((i = 0; i < 200; i++)); do
    p=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
    [[ "$used" == *" $p "* ]] && continue
    if ! (timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$p" 2>/dev/null); then
      printf '%s\n' "$p"
      return 0
    fi
  done
  fail "no free port found"
}

# wait_port PORT PID SECONDS: until 127.0.0.1:PORT accepts; fails if PID exits or time runs out.
wait_port() {
  local port=$1 pid=$2 secs=$3 deadline
  deadline=$(($(now_us) + secs * 1000000))
  while (($(now_us) < deadline)); do
    kill -0 "$pid" 2>/dev/null || return 1
    if (timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null); then return 0; fi
    sleep 0.05
  done
  return 1
}

# start_gateway CONFIG [ARGS...]: starts the gateway on 127.0.0.1:0 and waits (10 s at most)
# for "listening on 127.0.0.1:PORT"; exports GW_PORT, GW_PID, GW_LOG.
start_gateway() {
  local config=$1 i
  shift
  [[ -f "$config" ]] || fail "no config file $config"
  GW_CONFIG=$config
  GW_LOG=$(mktemp "$GW_TMP/gateway.XXXX.log")
  "$GATEWAY_BIN" --config "$config" --listen 127.0.0.1:0 "$@" >"$GW_LOG" 2>&1 </dev/null &
  GW_PID=$!
  GW_PORT=""
  for ((i = 0; i < 200; i++)); do  # 200 x 0.05 s = 10 s
    GW_PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\) (.*/\1/p' "$GW_LOG" | head -n 1)
    [[ -n "$GW_PORT" ]] && break
    if ! kill -0 "$GW_PID" 2>/dev/null; then
      wait "$GW_PID" 2>/dev/null && true
      local rc=$?
      GW_PID=""
      fail "gateway exited (status $rc) before listening: $(tail -n 5 "$GW_LOG")"
    fi
    sleep 0.05
  done
  [[ -n "$GW_PORT" ]] || fail "gateway did not log 'listening on 127.0.0.1:PORT' within 10 s"
  export GW_PORT GW_PID GW_LOG GW_CONFIG
  log "gateway pid $GW_PID listening on 127.0.0.1:$GW_PORT"
}

# stop_gateway: stops the gateway started last (TERM, then KILL after 5 s).
stop_gateway() {
  _gw_stop_pid "$GW_PID"
  GW_PID=""
}

# gateway_alive: true while the gateway process runs and answers GET /healthz.
gateway_alive() {
  [[ -n "$GW_PID" ]] && kill -0 "$GW_PID" 2>/dev/null || return 1
  curl -s -o /dev/null --max-time 5 -w '%{http_code}' "http://127.0.0.1:$GW_PORT/healthz" | grep -qx 200
}

# nginx_main_conf HTTP_DIRECTIVES: an nginx.conf for a scratch nginx under $NGINX_DIR (one worker;
# pid, lock, logs and temp files there; as root the workers run as root, since "nobody" cannot use
# the 0700 scratch dir), with HTTP_DIRECTIVES inside its http block. Printed on stdout.
nginx_main_conf() {
  local user_line=""
  [[ "$(id -u)" == 0 ]] && user_line="user root root;"
  cat <<EOF
$user_line
worker_processes 1;
pid $NGINX_DIR/nginx.pid;
lock_file $NGINX_DIR/nginx.lock;
error_log $NGINX_DIR/logs/error.log info;
events { worker_connections 64; }
http {
  client_body_temp_path $NGINX_DIR/temp/body;
  proxy_temp_path $NGINX_DIR/temp/proxy;
  fastcgi_temp_path $NGINX_DIR/temp/fastcgi;
  uwsgi_temp_path $NGINX_DIR/temp/uwsgi;
  scgi_temp_path $NGINX_DIR/temp/scgi;
$1
}
EOF
}

# start_nginx UPSTREAM_PORT [OPTION...]: nginx on a free port of 127.0.0.1 in front of
# 127.0.0.1:UPSTREAM_PORT, everything under a scratch prefix ($GW_TMP/nginx; as root the workers
# run as root, since "nobody" cannot use the 0700 scratch dir); up to 3 ports are tried, each
# waited for 10 s at most. Exports NGINX_PORT, NGINX_PID, NGINX_DIR; the EXIT trap stops it.
# The access log is $NGINX_DIR/logs/access.log. Without options: plain HTTP and nginx's default
# proxy settings (HTTP/1.0 to the upstream, buffering on), and an access log of what the
# upstream answered ($upstream_http_*, format "upstream_info"). Options:
#   --log-format NAME FORMAT  access log format instead (FORMAT is nginx's, without quotes,
#                             with no single quote in it: it is written as 'FORMAT')
#   --listen PARAMS           appended to the listen directive, e.g. 'ssl http2'
#   --server DIRECTIVE        a line in the server block, e.g. "ssl_certificate $crt;" (repeatable)
#   --proxy DIRECTIVE         a line in "location /" after proxy_pass, e.g.
#                             'proxy_http_version 1.1;' or 'proxy_buffering off;' (repeatable)
start_nginx() {
  (($# >= 1)) || fail "start_nginx: no upstream port"
  local upstream=$1 listen_params="" server_lines="" proxy_lines="" scheme=http
  # shellcheck disable=SC2016  # nginx variables, not shell ones
  local log_name=upstream_info log_fmt='status=$status rid=$upstream_http_x_request_id u_status=$upstream_status u_te="$upstream_http_transfer_encoding" u_conn="$upstream_http_connection" u_cl="$upstream_http_content_length" u_ct="$upstream_http_content_type" u_xab="$upstream_http_x_accel_buffering"'
  shift
  [[ "$upstream" =~ ^[0-9]+$ ]] || fail "start_nginx: upstream port '$upstream' is not a number"
  while (($# > 0)); do
    case $1 in
      --log-format)
        (($# >= 3)) || fail "start_nginx: --log-format needs NAME and FORMAT"
        log_name=$2 log_fmt=$3
        [[ "$log_name" =~ ^[A-Za-z0-9_]+$ ]] || fail "start_nginx: bad log format name '$log_name'"
        [[ "$log_fmt" != *"'"* ]] || fail "start_nginx: the log format must not contain a single quote"
        shift 3 ;;
      --listen)
        (($# >= 2)) || fail "start_nginx: --listen needs PARAMS"
        listen_params=$2
        shift 2 ;;
      --server)
        (($# >= 2)) || fail "start_nginx: --server needs a DIRECTIVE"
        server_lines+="    $2"$'\n'
        shift 2 ;;
      --proxy)
        (($# >= 2)) || fail "start_nginx: --proxy needs a DIRECTIVE"
        proxy_lines+="      $2"$'\n'
        shift 2 ;;
      *) fail "start_nginx: unknown option '$1'" ;;
    esac
  done
  [[ -z "$NGINX_PID" ]] || fail "start_nginx: nginx already runs (pid $NGINX_PID)"
  [[ " $listen_params " == *" ssl "* ]] && scheme=https
  _start_nginx_http() {
    printf '%s\n' "  log_format $log_name '$log_fmt';
  access_log $NGINX_DIR/logs/access.log $log_name;
  server {
    listen 127.0.0.1:$1${listen_params:+ $listen_params};
${server_lines}    location / {
      proxy_pass http://127.0.0.1:$upstream;
${proxy_lines}    }
  }"
  }
  launch_nginx _start_nginx_http
  log "nginx pid $NGINX_PID listening on $scheme://127.0.0.1:$NGINX_PORT -> http://127.0.0.1:$upstream"
}

# launch_nginx WRITER: a scratch nginx (nginx_main_conf under $NGINX_DIR, default $GW_TMP/nginx)
# on a free port of 127.0.0.1. `WRITER PORT` prints the directives of its http block for that
# port (it may write files of its own); the config must pass nginx -t. Up to 3 ports are tried,
# each waited for 10 s at most. Exports NGINX_PORT, NGINX_PID, NGINX_DIR; the EXIT trap stops it.
launch_nginx() {
  local writer=$1 attempt nginx_bin directives
  nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
  [[ -x "$nginx_bin" ]] || fail "nginx is not installed"
  NGINX_DIR=${NGINX_DIR:-$GW_TMP/nginx}
  mkdir -p "$NGINX_DIR/logs" "$NGINX_DIR/temp"
  for attempt in 1 2 3; do
    NGINX_PORT=$(free_port)
    directives=$("$writer" "$NGINX_PORT") || fail "launch_nginx: $writer failed"
    nginx_main_conf "$directives" >"$NGINX_DIR/nginx.conf"
    timeout 10 "$nginx_bin" -t -q -c "$NGINX_DIR/nginx.conf" -p "$NGINX_DIR/" -e "$NGINX_DIR/logs/error.log" \
      >"$NGINX_DIR/logs/check.log" 2>&1 || fail "nginx -t rejected the config: $(cat "$NGINX_DIR/logs/check.log")"
    "$nginx_bin" -c "$NGINX_DIR/nginx.conf" -p "$NGINX_DIR/" -e "$NGINX_DIR/logs/error.log" -g 'daemon off;' \
      >"$NGINX_DIR/logs/stdout.log" 2>&1 </dev/null &
    NGINX_PID=$!
    if wait_port "$NGINX_PORT" "$NGINX_PID" 10; then
      export NGINX_PORT NGINX_PID NGINX_DIR
      return 0
    fi
    _gw_stop_pid "$NGINX_PID"
    NGINX_PID=""
    log "nginx did not start on port $NGINX_PORT (attempt $attempt): $(tail -n 3 "$NGINX_DIR/logs/error.log" 2>/dev/null)"
  done
  fail "nginx did not start"
}

# --- HTTP helpers --------------------------------------------------------------------------

# header_value FILE NAME: the value of the last NAME: header in a curl -D dump (no CR).
header_value() {
  tr -d '\r' <"$1" | awk -v n="$(printf '%s' "$2" | tr '[:upper:]' '[:lower:]')" '
    { line = $0; i = index(line, ":"); if (i == 0) next
      if (tolower(substr(line, 1, i - 1)) == n) { v = substr(line, i + 1); sub(/^[ \t]+/, "", v); found = v } }
    END { if (found != "") print found }'
}

# has_header FILE NAME: true if the dump has a NAME header.
has_header() {
  tr -d '\r' <"$1" | grep -qi "^$2:"
}

# status_line FILE: the last status line of a curl -D dump (after any 100 Continue).
status_line() {
  tr -d '\r' <"$1" | grep '^HTTP/' | tail -n 1
}

# stream_stamped OUT HEADERS CURL_ARGS...: runs curl -N, writing each body line to OUT as
# "MICROSECONDS<TAB>LINE" the moment it arrives; the first line of OUT is "START<TAB>t0".
# Sets CURL_RC to curl's exit status.
stream_stamped() {
  local out=$1 hdr=$2
  shift 2
  local t0 ts line
  set +e
  t0=$(now_us)
  printf '%s\tSTART\n' "$t0" >"$out"
  curl -sS -N --max-time 30 -D "$hdr" "$@" | while IFS= read -r line || [[ -n "$line" ]]; do
    if [[ -n "${EPOCHREALTIME:-}" ]]; then ts=${EPOCHREALTIME//[!0-9]/}; else ts=$(date +%s%6N); fi
    printf '%s\t%s\n' "$ts" "${line%$'\r'}"
  done >>"$out"
  CURL_RC=${PIPESTATUS[0]}
  set -e
}

# sse_body STAMPED: the body lines without their stamps (and without the START line).
sse_body() {
  awk -F '\t' 'NR > 1 { sub(/^[0-9]+\t/, ""); print }' "$1"
}

# check_sse STAMPED OBJECT: the SSE body is a well-formed OpenAI stream of OBJECT chunks
# ("chat.completion.chunk" or "text_completion"): every data line is JSON (checked with jq or
# python3 when installed), one id, a role chunk first (chat), content, exactly one non-null
# finish_reason on the last chunk, and "data: [DONE]" last.
check_sse() {
  local stamped=$1 object=$2 body datalines last n_finish n_content
  body="$GW_TMP/sse.$$.$RANDOM"
  sse_body "$stamped" >"$body"
  datalines=$(grep -c '^data: ' "$body" || true)
  ((datalines >= 3)) || fail "SSE body has $datalines data lines: $(head -c 500 "$body")"
  if grep -v '^data: ' "$body" | grep -q '[^[:space:]]'; then
    fail "SSE body has lines other than 'data:' and blank ones: $(grep -v '^data: ' "$body" | grep '[^[:space:]]' | head -n 3)"
  fi
  last=$(grep '^data: ' "$body" | tail -n 1)
  [[ "$last" == "data: [DONE]" ]] || fail "SSE stream does not end with 'data: [DONE]' (last: $last)"
  [[ $(grep -c '^data: \[DONE\]$' "$body") == 1 ]] || fail "more than one data: [DONE]"
  grep '^data: ' "$body" | grep -v '^data: \[DONE\]$' | sed 's/^data: //' >"$body.json"
  grep -q "\"object\":\"$object\"" "$body.json" || fail "SSE chunks are not of object $object"
  n_finish=$(grep -c '"finish_reason":"' "$body.json" || true)
  [[ "$n_finish" == 1 ]] || fail "expected exactly one non-null finish_reason, got $n_finish"
  tail -n 1 "$body.json" | grep -q '"finish_reason":"' || fail "the non-null finish_reason is not on the last chunk"
  if [[ "$object" == chat.completion.chunk ]]; then
    head -n 1 "$body.json" | grep -q '"delta":{"role":"assistant"' || fail "first chunk has no role: $(head -n 1 "$body.json")"
    n_content=$(grep -c '"delta":{"content":"[^"]' "$body.json" || true)
  else
    n_content=$(grep -c '"text":"[^"]' "$body.json" || true)
  fi
  ((n_content >= 1)) || fail "SSE stream has no content chunks"
  if command -v jq >/dev/null; then
    jq -e -s --arg o "$object" '
      length > 0 and all(.[]; .object == $o and (.choices | length) == 1)
      and ([.[].id] | unique | length) == 1
      and ([.[].choices[0].finish_reason | select(. != null)] | length) == 1' "$body.json" >/dev/null ||
      fail "SSE chunks are not valid $object JSON with one id and one finish_reason"
  elif command -v python3 >/dev/null; then
    python3 - "$body.json" <<'PY' || fail "SSE chunks are not valid JSON"
import json, sys
for line in open(sys.argv[1]):
    json.loads(line)
PY
  fi
  SSE_CONTENT_CHUNKS=$n_content
  rm -f "$body" "$body.json"
}

# check_incremental STAMPED WHAT: content chunks arrived spread over the response's time, not in
# one burst at the end. Ratios within this one response only, never absolute times:
#   (first content - start) / (end - start) < 0.6, and
#   (last content - first content) / (end - start) > 0.25, and
#   the content chunks arrived in at least 5 distinct milliseconds.
check_incremental() {
  local stamped=$1 what=$2 result
  result=$(awk -F '\t' '
    NR == 1 { t0 = $1; next }
    { t = $1; line = $0; sub(/^[0-9]+\t/, "", line) }
    line ~ /^data: / { tend = t }
    line ~ /^data: / && (line ~ /"delta":\{"content":"[^"]/ || line ~ /"text":"[^"]/) {
      if (first == "") first = t
      lastc = t; n++; ms[sprintf("%d", (t - t0) / 1000)] = 1 }
    END {
      if (n == 0 || tend <= t0) { print "nodata"; exit }
      d = 0; for (k in ms) d++
      printf "%.3f %.3f %d %d %.1f\n", (first - t0) / (tend - t0), (lastc - first) / (tend - t0), d, n, (tend - t0) / 1000
    }' "$stamped")
  [[ "$result" != nodata ]] || fail "$what: no content chunks to time"
  local first_ratio spread distinct n total_ms
  read -r first_ratio spread distinct n total_ms <<<"$result"
  log "$what: $n content chunks over ${total_ms} ms; first content at ${first_ratio} of the total, spread ${spread}, ${distinct} distinct ms"
  awk -v r="$first_ratio" 'BEGIN { exit !(r < 0.6) }' ||
    fail "$what: first content chunk arrived at ${first_ratio} of the total time (want < 0.6): buffered, not streamed"
  awk -v s="$spread" 'BEGIN { exit !(s > 0.25) }' ||
    fail "$what: content chunks spread over only ${spread} of the total time (want > 0.25): buffered, not streamed"
  ((distinct >= 5)) || fail "$what: content chunks arrived in only $distinct distinct milliseconds"
}

# json_check FILE JQ_EXPR WHAT: FILE is JSON and JQ_EXPR holds (with jq; python3 checks only
# that it parses; neither installed: no check).
json_check() {
  local file=$1 expr=$2 what=$3
  if command -v jq >/dev/null; then
    jq -e "$expr" "$file" >/dev/null 2>&1 || fail "$what: $(head -c 400 "$file")"
  elif command -v python3 >/dev/null; then
    python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$file" || fail "$what: not JSON: $(head -c 400 "$file")"
  fi
}
