#!/usr/bin/env bash
# Installs the Debian 12 packages one use of this repository needs (idempotent: a machine that has
# everything installs nothing). Needs root or sudo for apt. The sets are cumulative:
#
#   .ci/install-deps.sh run    building and running the gateway (make run)
#   .ci/install-deps.sh test   that, plus the tests and benchmarks (make test, make build); default
#   .ci/install-deps.sh ci     that, plus clang for .ci/sanitizers.sh and .ci/fuzz.sh (.ci/run)
set -euo pipefail

mode=${1:-test}
run_packages=(
  cmake g++ make ccache pkg-config
  libboost1.81-dev libcurl4-openssl-dev libsimdjson-dev libspdlog-dev libyaml-cpp-dev libssl-dev
  libjemalloc-dev  # the gateway's allocator (GATEWAY_MALLOC in CMakeLists.txt)
  libhiredis-dev   # shared limits in Redis (backends/redis_client.hpp)
)
test_packages=(
  libgtest-dev libbenchmark-dev
  curl nginx-light openssl nodejs npm
  redis-server  # the shared-state tests run a real one
  chromium      # renders gateway-bench's HTML report headless (tests/integration/bench_html_test.sh)
)
# clang, its sanitizer and libFuzzer runtimes (libclang_rt.*), and llvm-symbolizer for readable
# reports.
ci_packages=(clang libclang-rt-14-dev llvm-14)

case "$mode" in
  run) packages=("${run_packages[@]}") ;;
  test) packages=("${run_packages[@]}" "${test_packages[@]}") ;;
  ci) packages=("${run_packages[@]}" "${test_packages[@]}" "${ci_packages[@]}") ;;
  *) echo "usage: $0 [run|test|ci]" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# nodejs may come from elsewhere than Debian (a newer node on PATH counts).
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
read -r -a missing <<<"${missing[*]}"
if ((${#missing[@]})); then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  echo "install-deps ($mode): installing ${missing[*]}"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
