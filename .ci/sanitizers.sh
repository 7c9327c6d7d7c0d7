#!/usr/bin/env bash
# The test suite under sanitizers (clang):
#  1. AddressSanitizer + UndefinedBehaviorSanitizer: every unit and integration test (ctest), the
#     integration tests driving the sanitized inference-gateway binary. Any report fails the run.
#  2. ThreadSanitizer: the engine's unit tests, where engine threads hand step results to the
#     reactor (engine/engine_worker, batcher, sim_engine, sim_pool).
#
#   .ci/sanitizers.sh            both
#   .ci/sanitizers.sh asan|tsan  one of them
#
# Builds in build-asan (shared with .ci/fuzz.sh) and build-tsan; needs `.ci/install-deps.sh ci`
# first (.ci/run installs it).
# No suppressions: a report in our code is a bug to fix, and none has been needed elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/sanitizer-env.sh
what=${1:-all}

run_asan() {
  echo "sanitizers: building with AddressSanitizer + UndefinedBehaviorSanitizer in $ASAN_BUILD"
  .ci/asan-build.sh
  local exclude=()
  # gateway-bench is the load generator, not the gateway under test, and sanitizer builds skip
  # the benchmarks: its test drives the sanitized gateway with the uninstrumented tool from the
  # plain build (made by `make test`), or is skipped when there is none.
  # The same holds for the HTML report's test (gateway-bench and gateway-bench-html).
  local bench=${GATEWAY_BENCH_BIN:-$PWD/build/bench/gateway_bench/gateway-bench}
  local bench_html=${GATEWAY_BENCH_HTML_BIN:-$PWD/build/bench/gateway_bench/gateway-bench-html}
  if [[ -x "$bench" && -x "$bench_html" ]]; then
    export GATEWAY_BENCH_BIN=$bench GATEWAY_BENCH_HTML_BIN=$bench_html
  else
    echo "sanitizers: no gateway-bench at $bench; skipping integration.gateway_bench_test and bench_html_test"
    exclude=(-E '^integration[.](gateway_bench_test|bench_html_test)$')
  fi
  echo "sanitizers: running every test under ASan + UBSan"
  (cd "$ASAN_BUILD" && ctest --output-on-failure -j "$JOBS" "${exclude[@]}")
}

run_tsan() {
  echo "sanitizers: building the engine tests with ThreadSanitizer in $TSAN_BUILD"
  cmake -S . -B "$TSAN_BUILD" -DCMAKE_CXX_COMPILER="$SANITIZER_CXX" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$SANITIZER_OPT_FLAGS" \
    -DGATEWAY_SANITIZE=thread -DGATEWAY_BUILD_BENCH=OFF >/dev/null
  nice cmake --build "$TSAN_BUILD" -j "$JOBS" --target engine_unit_tests
  echo "sanitizers: running the engine tests under TSan"
  "$TSAN_BUILD/tests/engine_unit_tests" --gtest_brief=1
}

case "$what" in
  asan) run_asan ;;
  tsan) run_tsan ;;
  all) run_asan; run_tsan ;;
  *) echo "usage: $0 [asan|tsan]" >&2; exit 2 ;;
esac
echo "sanitizers: $what passed"
