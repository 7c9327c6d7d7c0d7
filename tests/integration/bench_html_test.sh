#!/usr/bin/env bash
# gateway-bench's HTML report in a real browser (headless Chromium): the page built from a
# three-point sweep (tests/integration/fixtures/bench_sweep.json, whose model name tries to break
# out of the embedded document) must render without a script error and draw exactly the
# document's numbers: the throughput-latency markers are the points' requests/s against their
# TTFT/TPOT p50/p99 and E2E p99, the TTFT CDF holds every ttft_cdf pair, each timeline chart one
# marker per sample and series, the error bars the counts by kind (lib/bench_html_check.mjs reads
# the dumped DOM). A screenshot must come out as a PNG of real size. Then a real run against the
# gateway with --html (a rate sweep, a single run, a max-rate search) must write pages that pass
# the same check, and an unwritable --html must exit 3.
#
#   tests/integration/bench_html_test.sh [path/to/inference-gateway]   (or GATEWAY_BIN=...)
# gateway-bench and gateway-bench-html are looked up next to the gateway
# (BUILD/bench/gateway_bench/), or given as GATEWAY_BENCH_BIN / GATEWAY_BENCH_HTML_BIN; the
# browser is `chromium` on PATH or CHROMIUM. A missing browser fails the test: it is part of the
# test dependencies (.ci/install-deps.sh test).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/gateway.sh"
gw_init "${1:-}"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_DIR=$(dirname "$GATEWAY_BIN")/bench/gateway_bench
BENCH=${GATEWAY_BENCH_BIN:-$BENCH_DIR/gateway-bench}
BENCH_HTML=${GATEWAY_BENCH_HTML_BIN:-$BENCH_DIR/gateway-bench-html}
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
[[ -x "$BENCH" ]] || fail "gateway-bench not found or not executable: $BENCH (build the gateway-bench target)"
[[ -x "$BENCH_HTML" ]] || fail "gateway-bench-html not found or not executable: $BENCH_HTML"
[[ -n "$CHROMIUM" ]] || fail "chromium is not installed (.ci/install-deps.sh test installs it)"
command -v node >/dev/null || fail "node is not installed"

# browser ARGS...: headless Chromium with a profile and a HOME of its own in the scratch directory
# (no state shared with another run or the user), bounded in time. --no-sandbox: CI runs as root;
# --disable-dev-shm-usage: containers' small /dev/shm crashes it. Its stderr (D-Bus noise, crash
# reports) goes to a log.
browser() {
  mkdir -p "$GW_TMP/chromium-home"
  HOME="$GW_TMP/chromium-home" timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --no-first-run --disable-extensions --user-data-dir="$GW_TMP/chromium-profile" "$@" 2>>"$GW_TMP/chromium.log"
}

# check_page NAME PAGE DOC [--allow-empty]: dumps PAGE's DOM once its load event has fired (the
# page draws synchronously before it) and compares it with DOC.
check_page() {
  local name=$1 page=$2 doc=$3 rc=0
  shift 3
  browser --dump-dom "file://$page" >"$GW_TMP/$name.dom.html" || rc=$?
  ((rc == 0)) || fail "$name: chromium --dump-dom exited $rc: $(tail -n 5 "$GW_TMP/chromium.log")"
  [[ -s "$GW_TMP/$name.dom.html" ]] || fail "$name: chromium dumped no DOM: $(tail -n 5 "$GW_TMP/chromium.log")"
  node "$HERE/lib/bench_html_check.mjs" "$GW_TMP/$name.dom.html" "$doc" "$@" >"$GW_TMP/$name.check" 2>&1 ||
    fail "$name: $(cat "$GW_TMP/$name.check")"
  pass "$name: $(cat "$GW_TMP/$name.check")"
}

# --- a sweep of three points from the fixture -------------------------------------------------
fixture="$HERE/fixtures/bench_sweep.json"
"$BENCH_HTML" "$fixture" "$GW_TMP/sweep.html" || fail "gateway-bench-html exited $?"
[[ $(grep -c '</script>' "$GW_TMP/sweep.html") -eq 2 ]] || fail "sweep: the page has other than its two script ends"
check_page sweep "$GW_TMP/sweep.html" "$fixture"

# A single run (the sweep's second point, as gateway-bench writes a run) is a sweep of one point.
node -e 'const fs = require("fs"); const d = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  const p = d.points[1]; delete p.load; fs.writeFileSync(process.argv[2], JSON.stringify(p));' "$fixture" "$GW_TMP/one.json"
"$BENCH_HTML" "$GW_TMP/one.json" "$GW_TMP/one.html" || fail "gateway-bench-html on a run exited $?"
check_page one-run "$GW_TMP/one.html" "$GW_TMP/one.json"

# The screenshot: a PNG (signature) of more than a blank page's size.
browser --hide-scrollbars --window-size=1200,4300 --screenshot="$GW_TMP/sweep.png" "file://$GW_TMP/sweep.html" \
  >/dev/null || fail "chromium --screenshot exited $?: $(tail -n 5 "$GW_TMP/chromium.log")"
[[ -s "$GW_TMP/sweep.png" ]] || fail "no screenshot written"
[[ $(head -c 8 "$GW_TMP/sweep.png" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] || fail "the screenshot is not a PNG"
size=$(stat -c %s "$GW_TMP/sweep.png")
((size > 50000)) || fail "the screenshot is $size bytes: the page drew (almost) nothing"
pass "the screenshot is a $size-byte PNG"

# A document the page cannot read is reported in the page, not left blank.
printf '{"tool":"gateway-bench","kind":"sweep","points":' >"$GW_TMP/broken.json"
"$BENCH_HTML" "$GW_TMP/broken.json" "$GW_TMP/broken.html" || fail "gateway-bench-html on a broken document exited $?"
browser --dump-dom "file://$GW_TMP/broken.html" >"$GW_TMP/broken.dom.html" || fail "chromium on the broken page exited $?"
if ! grep -q 'data-rendered="error"' "$GW_TMP/broken.dom.html" || ! grep -q 'id="render-error"' "$GW_TMP/broken.dom.html"; then
  fail "a broken document: the page does not report the error: $(head -c 600 "$GW_TMP/broken.dom.html")"
fi
pass "a broken document is reported in the page"

# --- a real run with --html -------------------------------------------------------------------
cat >"$GW_TMP/gateway.yaml" <<'YAML'
server: {listen: 127.0.0.1:0}
log: {level: info, access_log: false}
models:
  - id: sim-fast
    preset: deepseek-r1-w8a8-2node
    sim: {time_scale: 0, reasoning: false}
YAML
start_gateway "$GW_TMP/gateway.yaml"
url="http://127.0.0.1:$GW_PORT"
# run_bench NAME ARGS...: gateway-bench writing NAME.json and NAME.html; it must succeed.
run_bench() {
  local name=$1 rc=0
  shift
  timeout 120 "$BENCH" --no-progress --url "$url" --model sim-fast --output-tokens 16 \
    --json "$GW_TMP/$name.json" --html "$GW_TMP/$name.html" "$@" >"$GW_TMP/$name.out" 2>&1 || rc=$?
  ((rc == 0)) || fail "$name: gateway-bench exited $rc: $(tail -n 20 "$GW_TMP/$name.out")"
  [[ -s "$GW_TMP/$name.html" ]] || fail "$name: gateway-bench --html wrote no page"
}
# Every point of a real sweep has a timeline and a TTFT CDF; only the errors chart may be empty.
run_bench live-sweep --sweep rate:20:60:3 --duration-s 1 --sample-interval-s 0.25
check_page live-sweep "$GW_TMP/live-sweep.html" "$GW_TMP/live-sweep.json" --allow-empty=errors-by-kind
run_bench live-run --concurrency 2 --requests 20
check_page live-run "$GW_TMP/live-run.html" "$GW_TMP/live-run.json" --allow-empty=errors-by-kind
# A max-rate search: an instant model meets a lax SLO up to the upper bound, which the banner names.
run_bench live-max-rate --sweep max-rate:10:40 --duration-s 0.5 --slo-e2e-ms 60000
check_page live-max-rate "$GW_TMP/live-max-rate.html" "$GW_TMP/live-max-rate.json" --allow-empty=errors-by-kind
grep -q '<p class="banner" id="max-rate">Highest rate meeting the goodput target: 40 req/s' \
  "$GW_TMP/live-max-rate.dom.html" || fail "max-rate: the banner does not name 40 req/s"

rc=0
timeout 60 "$BENCH" --no-progress --url "http://127.0.0.1:$GW_PORT" --model sim-fast --requests 1 \
  --output-tokens 16 --html "$GW_TMP/no-such-dir/run.html" >"$GW_TMP/unwritable.out" 2>&1 || rc=$?
((rc == 3)) || fail "an unwritable --html: exit $rc, want 3"
grep -q 'cannot write .*no-such-dir/run.html' "$GW_TMP/unwritable.out" || fail "an unwritable --html: no message naming it"
pass "gateway-bench --html writes the page of its run; an unwritable path exits 3"
