#!/usr/bin/env bash
# Hybrid routing through a real TLS reverse proxy: gateway A's remote provider is nginx
# terminating TLS (a test CA made here with openssl, given to A as the provider's ca_file) and
# proxying (HTTP/1.1, unbuffered) to gateway B on the sim engine.
#
#   client --curl--> gateway A --https--> nginx --http/1.1--> gateway B (sim)
#
# A long prompt must stream through the remote route complete and incrementally, a restricted one
# must stay on A's local pool and never reach nginx, and a provider whose certificate A cannot
# verify must fail with 502 without reaching nginx's HTTP layer.
#
#   tests/integration/hybrid_test.sh [path/to/inference-gateway]   (or GATEWAY_BIN=...)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/gateway.sh"
gw_init "${1:-}"
command -v openssl >/dev/null || fail "openssl is not installed"

# Gateway B (the "provider") is started first; the library tracks one gateway, so B's pid is
# stopped here, before the library's own cleanup (which keeps the exit status).
B_PID=""
B_LOG=""
_hybrid_cleanup() {
  local rc=$?
  set +e
  _gw_stop_pid "$B_PID"
  if ((rc != 0)) && [[ -n "$B_LOG" && -f "$B_LOG" ]]; then
    log "gateway B log (tail):"
    tail -n 20 "$B_LOG" >&2
  fi
  (exit "$rc")
  _gw_cleanup
}
trap _hybrid_cleanup EXIT

# --- test PKI -------------------------------------------------------------------------------
pki="$GW_TMP/pki"
mkdir -p "$pki"
ossl() { timeout 20 openssl "$@" >>"$pki/openssl.log" 2>&1 || fail "openssl $1 failed: $(tail -n 5 "$pki/openssl.log")"; }
ossl ecparam -name prime256v1 -genkey -noout -out "$pki/ca.key"
ossl req -x509 -new -key "$pki/ca.key" -sha256 -days 2 -subj "/CN=hybrid_test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$pki/ca.crt"
ossl ecparam -name prime256v1 -genkey -noout -out "$pki/server.key"
ossl req -new -key "$pki/server.key" -subj "/CN=127.0.0.1" -out "$pki/server.csr"
printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
  "extendedKeyUsage=serverAuth" "subjectAltName=IP:127.0.0.1,DNS:localhost" >"$pki/server.ext"
ossl x509 -req -in "$pki/server.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial -days 2 -sha256 \
  -extfile "$pki/server.ext" -out "$pki/server.crt"
pass "test CA and a server certificate for 127.0.0.1"

# --- gateway B: the sim engine behind nginx ----------------------------------------------------
cat >"$GW_TMP/b.yaml" <<'EOF'
server: {listen: 127.0.0.1:0}
log: {level: info, access_log: true}
models:
  - id: upstream-sim
    preset: deepseek-r1-w8a8-2node
    sim: {time_scale: 1, reasoning: false}  # real pacing: ~170 ms to the first token, then ~15-22 ms a token
    default_max_tokens: 40
EOF
start_gateway "$GW_TMP/b.yaml"
B_PID=$GW_PID B_PORT=$GW_PORT B_LOG=$GW_LOG
GW_PID=""

# --- nginx: TLS in front of B ------------------------------------------------------------------
# shellcheck disable=SC2016  # nginx variables in the log format, not shell ones
start_nginx "$B_PORT" \
  --log-format hybrid 'status=$status rid=$http_x_request_id proto=$server_protocol auth="$http_authorization" u_status=$upstream_status uri=$request_uri' \
  --listen 'ssl http2' \
  --server "ssl_certificate $pki/server.crt;" \
  --server "ssl_certificate_key $pki/server.key;" \
  --proxy 'proxy_http_version 1.1;' \
  --proxy 'proxy_set_header Connection "";' \
  --proxy 'proxy_buffering off;' \
  --proxy 'proxy_read_timeout 30s;'

# nginx itself serves TLS with the test CA (checked with curl, independently of the gateway).
code=$(curl -sS --max-time 10 --cacert "$pki/ca.crt" -o /dev/null -w '%{http_code}' "https://127.0.0.1:$NGINX_PORT/healthz") ||
  fail "curl over TLS to nginx failed"
[[ "$code" == 200 ]] || fail "https://127.0.0.1:$NGINX_PORT/healthz answered $code"
pass "nginx terminates TLS with the test CA and reaches gateway B"

# --- gateway A: local sim pool + nginx as its provider -------------------------------------------
export HYBRID_SH_KEY="sk-hybrid-sh-$$"
cat >"$GW_TMP/a.yaml" <<EOF
server: {listen: 127.0.0.1:0}
log: {level: info, access_log: true}
providers:
  - name: edge
    base_url: https://127.0.0.1:$NGINX_PORT/v1
    api_key_env: HYBRID_SH_KEY
    ca_file: $pki/ca.crt
    timeouts: {connect_ms: 3000, first_byte_ms: 10000, idle_ms: 5000, total_ms: 30000}
    retries: {max_retries: 1, base_ms: 50, cap_ms: 100}
  - name: edge-system-ca          # the same nginx, verified against the system bundle: must fail
    base_url: https://127.0.0.1:$NGINX_PORT/v1
    api_key_env: HYBRID_SH_KEY
    retries: {max_retries: 2, base_ms: 50, cap_ms: 100}
models:
  - id: hybrid
    preset: deepseek-r1-w8a8-2node
    sim: {time_scale: 0, reasoning: false}
    default_max_tokens: 40
    remote: [{provider: edge, model: upstream-sim}]
    routing: {long_prompt_tokens: 100}
  - id: untrusted
    engine: none
    remote: [{provider: edge-system-ca, model: upstream-sim}]
EOF
start_gateway "$GW_TMP/a.yaml"
A_PORT=$GW_PORT
a="http://127.0.0.1:$A_PORT"
long_prompt="Summarise this: $(for _ in $(seq 1 80); do printf 'lorem ipsum dolor sit amet '; done)"
chat_json() {  # chat_json MODEL CONTENT STREAM [MAX_TOKENS]
  printf '{"model":"%s","seed":11,"messages":[{"role":"user","content":"%s"}],"stream":%s,"max_tokens":%s}' "$1" "$2" "$3" "${4:-40}"
}
nginx_lines_for() { grep -c "rid=$1 " "$NGINX_DIR/logs/access.log" 2>/dev/null || true; }
# nginx_settled: a marker request through nginx, waited for in its access log (bounded): the line
# of a request that ended before it has been written by then, so "no line" means "never came".
nginx_settled() {
  local marker="it-hybrid-marker-$$-$RANDOM" deadline=$((SECONDS + 10))
  curl -sS --max-time 10 --cacert "$pki/ca.crt" -o /dev/null -H "X-Request-Id: $marker" \
    "https://127.0.0.1:$NGINX_PORT/healthz" || fail "marker request through nginx failed"
  until [[ "$(nginx_lines_for "$marker")" == 1 ]]; do
    ((SECONDS < deadline)) || fail "nginx never logged the marker request $marker"
    sleep 0.05
  done
}

# --- long prompt: streamed through nginx and gateway B ------------------------------------------
rid="it-hybrid-long-$$-$RANDOM"
stream_stamped "$GW_TMP/long.txt" "$GW_TMP/long.hdr" "$a/v1/chat/completions" \
  -H 'Content-Type: application/json' -H "X-Request-Id: $rid" -d "$(chat_json hybrid "$long_prompt" true)"
((CURL_RC == 0)) || fail "long-prompt stream: curl exited $CURL_RC"
status=$(status_line "$GW_TMP/long.hdr")
[[ "$status" == "HTTP/1.1 200"* ]] || fail "long-prompt stream: status line $status: $(sse_body "$GW_TMP/long.txt" | head -c 400)"
[[ "$(header_value "$GW_TMP/long.hdr" x-gateway-route)" == "remote:edge" ]] ||
  fail "long-prompt stream: x-gateway-route is '$(header_value "$GW_TMP/long.hdr" x-gateway-route)', want remote:edge"
[[ "$(header_value "$GW_TMP/long.hdr" x-gateway-route-reason)" == "long-prompt->remote" ]] ||
  fail "long-prompt stream: x-gateway-route-reason is '$(header_value "$GW_TMP/long.hdr" x-gateway-route-reason)'"
[[ "$(header_value "$GW_TMP/long.hdr" Content-Type)" == text/event-stream* ]] || fail "long-prompt stream: not text/event-stream"
[[ "$(header_value "$GW_TMP/long.hdr" x-request-id)" == "$rid" ]] || fail "long-prompt stream: x-request-id not echoed"
check_sse "$GW_TMP/long.txt" chat.completion.chunk
((SSE_CONTENT_CHUNKS >= 20)) || fail "long-prompt stream: only $SSE_CONTENT_CHUNKS content chunks (gateway B generates 40 tokens)"
sse_body "$GW_TMP/long.txt" | grep '^data: {' >"$GW_TMP/long.chunks" || true
if [[ ! -s "$GW_TMP/long.chunks" ]] || grep -v '"model":"hybrid"' "$GW_TMP/long.chunks" >/dev/null; then
  fail "long-prompt stream: chunks do not all name the public model 'hybrid': $(grep -v '"model":"hybrid"' "$GW_TMP/long.chunks" | head -n 2)"
fi
pass "long prompt streamed via remote:edge (long-prompt->remote): complete and valid ($SSE_CONTENT_CHUNKS content chunks, one finish_reason, [DONE])"
check_incremental "$GW_TMP/long.txt" "long prompt via nginx + gateway B"
pass "long prompt: tokens arrive incrementally through the remote route"

# What reached nginx and gateway B: the same request id, A's key, the mapped model, over TLS.
alog="$NGINX_DIR/logs/access.log"
timeout 5 bash -c "until grep -q 'rid=$rid ' '$alog' 2>/dev/null; do sleep 0.05; done" ||
  fail "nginx logged no request with X-Request-Id $rid: $(cat "$alog" 2>/dev/null)"
line=$(grep "rid=$rid " "$alog" | head -n 1)
log "nginx saw: $line"
[[ "$line" == *"status=200 "* && "$line" == *"u_status=200 "* ]] || fail "nginx: not a 200 from gateway B: $line"
[[ "$line" == *"auth=\"Bearer $HYBRID_SH_KEY\""* ]] || fail "nginx: the request did not carry A's provider key: $line"
[[ "$line" == *"uri=/v1/chat/completions"* ]] || fail "nginx: unexpected path: $line"
[[ "$(nginx_lines_for "$rid")" == 1 ]] || fail "nginx saw the request $(nginx_lines_for "$rid") times, want once"
timeout 5 bash -c "until grep -q 'request_id=$rid ' '$B_LOG'; do sleep 0.05; done" || fail "gateway B logged no access line for $rid"
bline=$(grep "request_id=$rid " "$B_LOG" | head -n 1)
[[ "$bline" == *"model=upstream-sim "* && "$bline" == *"status=200 "* && "$bline" == *"completion_tokens=40 "* ]] ||
  fail "gateway B access line for $rid: $bline"
timeout 5 bash -c "until grep -q 'request_id=$rid ' '$GW_LOG'; do sleep 0.05; done" || fail "gateway A logged no access line for $rid"
aline=$(grep "request_id=$rid " "$GW_LOG" | head -n 1)
[[ "$aline" == *"route=remote:edge "* && "$aline" == *"status=200 "* ]] || fail "gateway A access line for $rid: $aline"
proto=$(sed -n 's/.* proto=\([^ ]*\) .*/\1/p' <<<"$line")
pass "the upstream request reached gateway B through nginx ($proto over TLS): same request id, Bearer key, mapped model, 40 tokens"

# --- long prompt, non-streaming: the upstream's usage comes back ---------------------------------
rid_n="it-hybrid-long-n-$$-$RANDOM"
code=$(curl -sS --max-time 30 -D "$GW_TMP/n.hdr" -o "$GW_TMP/n.json" -w '%{http_code}' "$a/v1/chat/completions" \
  -H 'Content-Type: application/json' -H "X-Request-Id: $rid_n" -d "$(chat_json hybrid "$long_prompt" false 24)") ||
  fail "long-prompt non-streaming: curl failed"
[[ "$code" == 200 ]] || fail "long-prompt non-streaming: status $code: $(cat "$GW_TMP/n.json")"
[[ "$(header_value "$GW_TMP/n.hdr" x-gateway-route)" == "remote:edge" ]] || fail "long-prompt non-streaming: not routed to remote:edge"
json_check "$GW_TMP/n.json" '.object == "chat.completion" and .model == "hybrid" and (.choices[0].message.content | length) > 0
  and .choices[0].finish_reason == "length" and .usage.completion_tokens == 24 and .usage.prompt_tokens > 100' \
  "long-prompt non-streaming: bad body"
pass "long prompt, non-streaming via remote:edge: chat.completion with gateway B's usage"

# --- restricted: stays local, never reaches nginx ------------------------------------------------
rid_r="it-hybrid-restricted-$$-$RANDOM"
stream_stamped "$GW_TMP/r.txt" "$GW_TMP/r.hdr" "$a/v1/chat/completions" -H 'Content-Type: application/json' \
  -H "X-Request-Id: $rid_r" -H 'X-Data-Classification: restricted' -d "$(chat_json hybrid "$long_prompt" true)"
((CURL_RC == 0)) || fail "restricted stream: curl exited $CURL_RC"
status=$(status_line "$GW_TMP/r.hdr")
[[ "$status" == "HTTP/1.1 200"* ]] || fail "restricted stream: status line $status"
[[ "$(header_value "$GW_TMP/r.hdr" x-gateway-route)" == "local:hybrid" ]] ||
  fail "restricted stream: x-gateway-route is '$(header_value "$GW_TMP/r.hdr" x-gateway-route)', want local:hybrid"
[[ "$(header_value "$GW_TMP/r.hdr" x-gateway-route-reason)" == "sensitive->local" ]] ||
  fail "restricted stream: x-gateway-route-reason is '$(header_value "$GW_TMP/r.hdr" x-gateway-route-reason)'"
check_sse "$GW_TMP/r.txt" chat.completion.chunk
nginx_settled
[[ "$(nginx_lines_for "$rid_r")" == 0 ]] || fail "restricted request reached nginx: $(grep "rid=$rid_r " "$alog")"
! grep -q "request_id=$rid_r " "$B_LOG" || fail "restricted request reached gateway B"
pass "restricted long prompt stayed local (sensitive->local); nginx and gateway B never saw it"

# --- short prompt: local -------------------------------------------------------------------------
code=$(curl -sS --max-time 20 -D "$GW_TMP/s.hdr" -o "$GW_TMP/s.json" -w '%{http_code}' "$a/v1/chat/completions" \
  -H 'Content-Type: application/json' -d "$(chat_json hybrid "Hi" false 8)") || fail "short prompt: curl failed"
[[ "$code" == 200 ]] || fail "short prompt: status $code: $(cat "$GW_TMP/s.json")"
[[ "$(header_value "$GW_TMP/s.hdr" x-gateway-route)" == "local:hybrid" &&
   "$(header_value "$GW_TMP/s.hdr" x-gateway-route-reason)" == "local" ]] ||
  fail "short prompt: route $(header_value "$GW_TMP/s.hdr" x-gateway-route) / $(header_value "$GW_TMP/s.hdr" x-gateway-route-reason)"
pass "short prompt served locally (local)"

# --- a certificate the provider entry cannot verify: 502, no HTTP request reaches nginx ----------
rid_u="it-hybrid-untrusted-$$-$RANDOM"
code=$(curl -sS --max-time 20 -D "$GW_TMP/u.hdr" -o "$GW_TMP/u.json" -w '%{http_code}' "$a/v1/chat/completions" \
  -H 'Content-Type: application/json' -H "X-Request-Id: $rid_u" -d "$(chat_json untrusted "Hi" true 8)") ||
  fail "untrusted: curl failed"
[[ "$code" == 502 ]] || fail "untrusted certificate: status $code, want 502: $(cat "$GW_TMP/u.json")"
json_check "$GW_TMP/u.json" '.error.code == "upstream_error"' "untrusted certificate: bad error body"
nginx_settled
[[ "$(nginx_lines_for "$rid_u")" == 0 ]] || fail "a request passed an unverified certificate: $(grep "rid=$rid_u " "$alog")"
metrics=$(curl -sS --max-time 10 "$a/metrics") || fail "GET /metrics failed"
tls_errors=$(printf '%s\n' "$metrics" | sed -n 's/^gateway_upstream_errors_total{provider="edge-system-ca",kind="tls_failed"} \([0-9.e+]*\)$/\1/p')
[[ "$tls_errors" == 1 ]] || fail "want exactly one tls_failed attempt (no retry), metrics say '${tls_errors:-none}': $(printf '%s\n' "$metrics" | grep upstream_errors)"
pass "provider certificate not verifiable with the system bundle: 502 upstream_error, one attempt, nothing reached nginx"

# --- metrics and health --------------------------------------------------------------------------
for want in 'gateway_route_decisions_total{target="remote:edge",reason="long-prompt->remote"}' \
            'gateway_route_decisions_total{target="local:hybrid",reason="sensitive->local"}' \
            'gateway_route_decisions_total{target="local:hybrid",reason="local"}' \
            'gateway_circuit_state{target="remote:edge"} 0'; do
  grep -qF "$want" <<<"$metrics" || fail "metrics lack $want: $(grep -E 'route_decisions|circuit_state' <<<"$metrics")"
done
pass "metrics: route decisions and circuit state"
gateway_alive || fail "gateway A is not healthy after the tests"
kill -0 "$B_PID" 2>/dev/null || fail "gateway B died"
