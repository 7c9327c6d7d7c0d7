#!/usr/bin/env bash
# The gateway as curl sees it: command-line options, --check-config, SSE streaming over
# HTTP/1.1 (chunked) and HTTP/1.0 (close-delimited), tokens arriving as they are generated,
# non-streaming and legacy completions, and 413 for an oversized body.
#
#   tests/integration/curl_test.sh [path/to/inference-gateway]   (or GATEWAY_BIN=...)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/gateway.sh"
gw_init "${1:-}"

# --- command line ---------------------------------------------------------------------------
out=$(timeout 10 "$GATEWAY_BIN" --version 2>&1) || fail "--version exited $?"
[[ "$out" == *inference-gateway* ]] || fail "--version printed: $out"
out=$(timeout 10 "$GATEWAY_BIN" --help 2>&1) || fail "--help exited $?"
[[ "$out" == *--config* && "$out" == *--check-config* ]] || fail "--help does not describe the options: $out"
pass "--version and --help exit 0"

# --- --check-config -------------------------------------------------------------------------
timeout 10 "$GATEWAY_BIN" --config "$GATEWAY_SOURCE_DIR/conf/gateway.yaml" --check-config >"$GW_TMP/check.out" 2>&1 ||
  fail "--check-config rejects conf/gateway.yaml: $(cat "$GW_TMP/check.out")"
pass "--check-config accepts conf/gateway.yaml"

# check_bad_config NAME CONTENT LINE KEY: --check-config exits non-zero naming FILE:LINE and KEY.
check_bad_config() {
  local name=$1 content=$2 line=$3 key=$4 file="$GW_TMP/$1.yaml" rc=0
  printf '%s\n' "$content" >"$file"
  timeout 10 "$GATEWAY_BIN" --config "$file" --check-config >"$GW_TMP/$name.out" 2>&1 || rc=$?
  ((rc != 0 && rc != 124)) || fail "--check-config on $name: exit $rc, want non-zero: $(cat "$GW_TMP/$name.out")"
  grep -q "$name.yaml:$line:" "$GW_TMP/$name.out" ||
    fail "--check-config on $name does not name the line ($name.yaml:$line:): $(cat "$GW_TMP/$name.out")"
  grep -q "$key" "$GW_TMP/$name.out" ||
    fail "--check-config on $name does not name the key $key: $(cat "$GW_TMP/$name.out")"
  pass "--check-config rejects $name (exit $rc): $(head -n 1 "$GW_TMP/$name.out")"
}
check_bad_config bad_replicas 'models: [{id: x, replicas: "two"}]' 1 'replicas'
check_bad_config unknown_key "server:
  listen: 127.0.0.1:0
  bogus_key: 1
models:
  - id: m" 3 'bogus_key'

# --- the server -----------------------------------------------------------------------------
cat >"$GW_TMP/gateway.yaml" <<'EOF'
server: {listen: 127.0.0.1:0, max_body_bytes: 2048}
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
base="http://127.0.0.1:$GW_PORT"
chat_stream='{"model":"sim-paced","seed":11,"messages":[{"role":"user","content":"Tell me about gateways."}],"stream":true,"max_tokens":40}'

# --- streaming chat, HTTP/1.1 ---------------------------------------------------------------
stream_stamped "$GW_TMP/s11.txt" "$GW_TMP/s11.hdr" "$base/v1/chat/completions" \
  -H 'Content-Type: application/json' -d "$chat_stream"
((CURL_RC == 0)) || fail "streaming chat: curl exited $CURL_RC"
status=$(status_line "$GW_TMP/s11.hdr")
[[ "$status" == "HTTP/1.1 200"* ]] || fail "streaming chat: status line $status"
[[ "$(header_value "$GW_TMP/s11.hdr" Content-Type)" == text/event-stream* ]] ||
  fail "streaming chat: Content-Type $(header_value "$GW_TMP/s11.hdr" Content-Type)"
[[ "$(header_value "$GW_TMP/s11.hdr" Cache-Control)" == no-cache ]] || fail "streaming chat: no Cache-Control: no-cache"
[[ "$(header_value "$GW_TMP/s11.hdr" X-Accel-Buffering)" == no ]] || fail "streaming chat: no X-Accel-Buffering: no"
[[ "$(header_value "$GW_TMP/s11.hdr" Transfer-Encoding)" == chunked ]] || fail "streaming chat: not Transfer-Encoding: chunked"
! has_header "$GW_TMP/s11.hdr" Content-Length || fail "streaming chat: has a Content-Length"
check_sse "$GW_TMP/s11.txt" chat.completion.chunk
pass "streaming chat (HTTP/1.1): headers, role chunk, $SSE_CONTENT_CHUNKS content chunks, one finish_reason, [DONE]"
check_incremental "$GW_TMP/s11.txt" "streaming chat (HTTP/1.1)"
pass "streaming chat (HTTP/1.1): tokens arrive incrementally"

# --- non-streaming chat ---------------------------------------------------------------------
# No max_tokens: the model's default_max_tokens (40) caps the completion.
code=$(curl -sS --max-time 20 -D "$GW_TMP/c.hdr" -o "$GW_TMP/c.json" -w '%{http_code}' "$base/v1/chat/completions" \
  -H 'Content-Type: application/json' -d '{"model":"sim-paced","seed":11,"messages":[{"role":"user","content":"Hi"}]}') ||
  fail "non-streaming chat: curl failed"
[[ "$code" == 200 ]] || fail "non-streaming chat: status $code: $(cat "$GW_TMP/c.json")"
[[ "$(header_value "$GW_TMP/c.hdr" Content-Type)" == application/json* ]] || fail "non-streaming chat: not application/json"
[[ "$(header_value "$GW_TMP/c.hdr" Content-Length)" == "$(wc -c <"$GW_TMP/c.json" | tr -d ' ')" ]] ||
  fail "non-streaming chat: Content-Length does not match the body"
grep -q '"object":"chat.completion"' "$GW_TMP/c.json" || fail "non-streaming chat: not a chat.completion: $(cat "$GW_TMP/c.json")"
grep -q '"message":{"role":"assistant","content":"[^"]' "$GW_TMP/c.json" || fail "non-streaming chat: no assistant content"
json_check "$GW_TMP/c.json" '.object == "chat.completion" and .model == "sim-paced"
  and (.choices[0].message.content | length) > 0 and .choices[0].finish_reason != null
  and .usage.completion_tokens >= 1 and .usage.completion_tokens <= 40
  and .usage.total_tokens == .usage.prompt_tokens + .usage.completion_tokens' "non-streaming chat: bad body"
pass "non-streaming chat"

# --- legacy /v1/completions -----------------------------------------------------------------
code=$(curl -sS --max-time 20 -o "$GW_TMP/l.json" -w '%{http_code}' "$base/v1/completions" \
  -H 'Content-Type: application/json' -d '{"model":"sim-fast","prompt":"Once upon a time","max_tokens":12}') ||
  fail "legacy completion: curl failed"
[[ "$code" == 200 ]] || fail "legacy completion: status $code: $(cat "$GW_TMP/l.json")"
grep -q '"object":"text_completion"' "$GW_TMP/l.json" || fail "legacy completion: not a text_completion: $(cat "$GW_TMP/l.json")"
grep -q '"text":"[^"]' "$GW_TMP/l.json" || fail "legacy completion: no text"
json_check "$GW_TMP/l.json" '.object == "text_completion" and (.choices[0].text | length) > 0
  and .choices[0].finish_reason != null and .usage.completion_tokens == 12' "legacy completion: bad body"
stream_stamped "$GW_TMP/ls.txt" "$GW_TMP/ls.hdr" "$base/v1/completions" \
  -H 'Content-Type: application/json' -d '{"model":"sim-fast","prompt":"Once upon a time","max_tokens":12,"stream":true}'
((CURL_RC == 0)) || fail "legacy streaming completion: curl exited $CURL_RC"
[[ "$(status_line "$GW_TMP/ls.hdr")" == "HTTP/1.1 200"* ]] || fail "legacy streaming completion: $(status_line "$GW_TMP/ls.hdr")"
check_sse "$GW_TMP/ls.txt" text_completion
pass "legacy /v1/completions (plain and streaming)"

# --- streaming chat, HTTP/1.0: no chunking, the close ends the body ------------------------
stream_stamped "$GW_TMP/s10.txt" "$GW_TMP/s10.hdr" --http1.0 "$base/v1/chat/completions" \
  -H 'Content-Type: application/json' -d "$chat_stream"
# With neither chunking nor Content-Length, curl returns 0 only once the gateway closed the
# connection (a stream that never ended would hit --max-time: 28).
((CURL_RC == 0)) || fail "streaming chat (HTTP/1.0): curl exited $CURL_RC"
status=$(status_line "$GW_TMP/s10.hdr")
[[ "$status" == "HTTP/1.0 200"* ]] || fail "streaming chat (HTTP/1.0): status line $status"
[[ "$(header_value "$GW_TMP/s10.hdr" Content-Type)" == text/event-stream* ]] || fail "streaming chat (HTTP/1.0): not text/event-stream"
! has_header "$GW_TMP/s10.hdr" Transfer-Encoding ||
  fail "streaming chat (HTTP/1.0): has Transfer-Encoding: $(header_value "$GW_TMP/s10.hdr" Transfer-Encoding)"
! has_header "$GW_TMP/s10.hdr" Content-Length || fail "streaming chat (HTTP/1.0): has a Content-Length"
conn=$(header_value "$GW_TMP/s10.hdr" Connection)
[[ "${conn,,}" == close ]] || fail "streaming chat (HTTP/1.0): want Connection: close, got '${conn}'"
check_sse "$GW_TMP/s10.txt" chat.completion.chunk
check_incremental "$GW_TMP/s10.txt" "streaming chat (HTTP/1.0)"
pass "streaming chat (HTTP/1.0): close-delimited, not chunked, ends with [DONE], incremental"

# --- error responses do not take the gateway down ------------------------------------------
# check_error_survives WHAT STATUS CODE CURL_ARGS...: the status and the OpenAI error envelope
# with error.code CODE, then the gateway must still serve.
check_error_survives() {
  local what=$1 want=$2 errcode=$3
  shift 3
  local code
  code=$(curl -sS --max-time 10 -o "$GW_TMP/e.json" -w '%{http_code}' "$@") || fail "$what: curl failed"
  [[ "$code" == "$want" ]] || fail "$what: status $code, want $want: $(cat "$GW_TMP/e.json")"
  grep -q '^{"error":{' "$GW_TMP/e.json" || fail "$what: no error envelope: $(cat "$GW_TMP/e.json")"
  grep -q "\"code\":\"$errcode\"" "$GW_TMP/e.json" || fail "$what: error.code is not $errcode: $(cat "$GW_TMP/e.json")"
  json_check "$GW_TMP/e.json" '(.error.message | length) > 0 and (.error.type | length) > 0 and (.error | has("param"))' \
    "$what: bad error envelope"
  pass "$what: $code with an error envelope ($errcode)"
  # The next request is the check: a gateway that crashed on the last one cannot answer it.
  if ! gateway_alive; then
    local rc=0
    wait "$GW_PID" 2>/dev/null || rc=$?
    GW_PID=""
    fail "the gateway died (exit status $rc: $(tail -n 1 "$GW_LOG")) after answering $what"
  fi
}

# 413: a body over max_body_bytes (2048), refused before it is read.
head -c 3000 /dev/zero | tr '\0' 'a' >"$GW_TMP/pad.txt"
printf '{"model":"sim-fast","prompt":"%s","max_tokens":4}' "$(cat "$GW_TMP/pad.txt")" >"$GW_TMP/big.json"
check_error_survives "413 for a 3000-byte body over max_body_bytes 2048" 413 request_too_large \
  "$base/v1/completions" -H 'Content-Type: application/json' --data-binary "@$GW_TMP/big.json"
grep -q '"type":"invalid_request_error"' "$GW_TMP/e.json" || fail "413: error.type is not invalid_request_error"
grep -q '2048' "$GW_TMP/e.json" || fail "413: the message does not give the limit: $(cat "$GW_TMP/e.json")"
check_error_survives "404 for an unknown URL" 404 unknown_url "$base/v1/nope"
check_error_survives "405 for GET /v1/chat/completions" 405 method_not_allowed "$base/v1/chat/completions"

# A last request on the (possibly restarted) gateway.
code=$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' "$base/v1/models") || fail "GET /v1/models failed"
[[ "$code" == 200 ]] || fail "GET /v1/models: $code"
pass "gateway serves after the error responses"
