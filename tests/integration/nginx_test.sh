#!/usr/bin/env bash
# The gateway behind a stock nginx reverse proxy (default proxy settings: nginx speaks HTTP/1.0
# to the gateway and buffers responses unless they carry X-Accel-Buffering: no). A streamed chat
# must still reach the client token by token, complete; a plain request must work.
#
#   tests/integration/nginx_test.sh [path/to/inference-gateway]   (or GATEWAY_BIN=...)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/gateway.sh"
gw_init "${1:-}"

cat >"$GW_TMP/gateway.yaml" <<'EOF'
server: {listen: 127.0.0.1:0}
log: {level: info, access_log: true}
models:
  - id: sim-paced
    preset: deepseek-r1-w8a8-2node
    sim: {time_scale: 1, reasoning: false}  # real pacing: ~170 ms to the first token, then ~15-22 ms a token
    default_max_tokens: 40
  - id: sim-fast
    preset: deepseek-r1-w8a8-2node
    sim: {time_scale: 0, reasoning: false}
EOF
start_gateway "$GW_TMP/gateway.yaml"
start_nginx "$GW_PORT"
base="http://127.0.0.1:$NGINX_PORT"

# --- streaming chat through nginx -----------------------------------------------------------
rid="it-nginx-stream-$$-$RANDOM"
stream_stamped "$GW_TMP/s.txt" "$GW_TMP/s.hdr" "$base/v1/chat/completions" \
  -H 'Content-Type: application/json' -H "X-Request-Id: $rid" \
  -d '{"model":"sim-paced","seed":11,"messages":[{"role":"user","content":"Tell me about proxies."}],"stream":true,"max_tokens":40}'
((CURL_RC == 0)) || fail "streaming chat via nginx: curl exited $CURL_RC"
status=$(status_line "$GW_TMP/s.hdr")
[[ "$status" == "HTTP/1.1 200"* ]] || fail "streaming chat via nginx: status line $status"
[[ "$(header_value "$GW_TMP/s.hdr" Server)" == nginx* ]] || fail "streaming chat via nginx: not served by nginx"
[[ "$(header_value "$GW_TMP/s.hdr" Content-Type)" == text/event-stream* ]] || fail "streaming chat via nginx: not text/event-stream"
[[ "$(header_value "$GW_TMP/s.hdr" Cache-Control)" == no-cache ]] || fail "streaming chat via nginx: no Cache-Control: no-cache"
[[ "$(header_value "$GW_TMP/s.hdr" x-request-id)" == "$rid" ]] || fail "streaming chat via nginx: x-request-id not echoed"
# The gateway's body was close-delimited (HTTP/1.0); nginx re-frames it for its HTTP/1.1 client.
[[ "$(header_value "$GW_TMP/s.hdr" Transfer-Encoding)" == chunked ]] ||
  fail "streaming chat via nginx: nginx did not chunk the response to its HTTP/1.1 client"
check_sse "$GW_TMP/s.txt" chat.completion.chunk
pass "streaming chat via nginx: complete and valid ($SSE_CONTENT_CHUNKS content chunks, one finish_reason, [DONE])"
check_incremental "$GW_TMP/s.txt" "streaming chat via nginx"
pass "streaming chat via nginx: tokens arrive incrementally (X-Accel-Buffering: no honoured)"

# --- non-streaming chat through nginx -------------------------------------------------------
code=$(curl -sS --max-time 20 -D "$GW_TMP/c.hdr" -o "$GW_TMP/c.json" -w '%{http_code}' "$base/v1/chat/completions" \
  -H 'Content-Type: application/json' -d '{"model":"sim-fast","seed":11,"messages":[{"role":"user","content":"Hi"}],"max_tokens":16}') ||
  fail "non-streaming chat via nginx: curl failed"
[[ "$code" == 200 ]] || fail "non-streaming chat via nginx: status $code: $(cat "$GW_TMP/c.json")"
[[ "$(header_value "$GW_TMP/c.hdr" Content-Type)" == application/json* ]] || fail "non-streaming chat via nginx: not application/json"
grep -q '"object":"chat.completion"' "$GW_TMP/c.json" || fail "non-streaming chat via nginx: $(cat "$GW_TMP/c.json")"
grep -q '"message":{"role":"assistant","content":"[^"]' "$GW_TMP/c.json" || fail "non-streaming chat via nginx: no content"
json_check "$GW_TMP/c.json" '.object == "chat.completion" and (.choices[0].message.content | length) > 0
  and .usage.completion_tokens == 16' "non-streaming chat via nginx: bad body"
pass "non-streaming chat via nginx"

# --- what the gateway answered nginx: HTTP/1.0, so the stream was close-delimited ------------
# nginx's access log records the upstream's own response headers ($upstream_http_*); wait for
# both lines (nginx writes a line when the request ends).
alog="$NGINX_DIR/logs/access.log"
timeout 5 bash -c "until [[ \$(grep -c . '$alog' 2>/dev/null) -ge 2 ]]; do sleep 0.05; done" ||
  fail "nginx access log has fewer than 2 lines: $(cat "$alog" 2>/dev/null)"
line=$(grep "rid=$rid " "$alog" | head -n 1)
[[ -n "$line" ]] || fail "no nginx access log line for $rid: $(cat "$alog")"
log "nginx saw: $line"
[[ "$line" == *'u_status=200 '* ]] || fail "nginx: upstream status not 200: $line"
[[ "$line" == *'u_ct="text/event-stream'* ]] || fail "nginx: upstream did not answer text/event-stream: $line"
[[ "$line" == *'u_xab="no"'* ]] || fail "nginx: upstream did not send X-Accel-Buffering: no: $line"
[[ "$line" == *'u_te="-"'* ]] || fail "nginx: upstream used Transfer-Encoding on an HTTP/1.0 request: $line"
[[ "$line" == *'u_cl="-"'* ]] || fail "nginx: upstream sent a Content-Length for a stream: $line"
pass "gateway answered nginx's HTTP/1.0 request close-delimited (no chunking, no length), unbuffered"

# The gateway logged the streamed request under the same id, as a full, successful generation.
timeout 5 bash -c "until grep -q 'request_id=$rid ' '$GW_LOG'; do sleep 0.05; done" ||
  fail "the gateway logged no access line for $rid"
gline=$(grep "request_id=$rid " "$GW_LOG" | head -n 1)
[[ "$gline" == *'status=200 '* && "$gline" == *'completion_tokens=40 '* ]] ||
  fail "gateway access line for $rid: $gline"
pass "gateway access log: $rid status=200 completion_tokens=40"
