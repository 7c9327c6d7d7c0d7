#!/usr/bin/env bash
# Installs what the build and the tests need on a fresh Debian 12 machine (idempotent: a
# machine that has everything installs nothing). Needs root or sudo for apt.
set -euo pipefail

packages=(
  cmake g++ make ccache pkg-config
  libboost1.81-dev libcurl4-openssl-dev libsimdjson-dev libspdlog-dev libyaml-cpp-dev libssl-dev
  libjemalloc-dev  # the gateway's allocator (GATEWAY_MALLOC in CMakeLists.txt)
  libgtest-dev libbenchmark-dev
  curl nginx-light openssl nodejs npm
  # .ci/sanitizers.sh and .ci/fuzz.sh: clang, its sanitizer and libFuzzer runtimes
  # (libclang_rt.*), and llvm-symbolizer for readable reports.
  clang libclang-rt-14-dev llvm-14
)
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
  echo "install-deps: installing ${missing[*]}"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
