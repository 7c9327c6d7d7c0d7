#!/usr/bin/env bash
# Configures and builds the one instrumented build that .ci/sanitizers.sh and .ci/fuzz.sh share:
# clang, AddressSanitizer + UndefinedBehaviorSanitizer, libFuzzer coverage hooks, no benchmarks.
# It reads sockets through Asio's public API (GATEWAY_REACTOR_READ=OFF), so that CI runs every
# test on both read paths: the plain build (`make test`) takes the reactor shortcut.
# Sharing it means the libraries are compiled once for both.
#
#   .ci/asan-build.sh [TARGET...]     (no target: everything)
#
# Environment: ASAN_BUILD (default build-asan), SANITIZER_CXX (default clang++, else clang++-14),
# JOBS (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/sanitizer-env.sh

cmake -S . -B "$ASAN_BUILD" -DCMAKE_CXX_COMPILER="$SANITIZER_CXX" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$SANITIZER_OPT_FLAGS" \
  -DGATEWAY_FUZZ=ON -DGATEWAY_BUILD_BENCH=OFF -DGATEWAY_REACTOR_READ=OFF >/dev/null
targets=()
for t in "$@"; do targets+=(--target "$t"); done
nice cmake --build "$ASAN_BUILD" -j "$JOBS" "${targets[@]}"
