#!/usr/bin/env bash
# Node integration tests: the official OpenAI SDK and raw node:http/node:net against the real
# binary (tests/integration/node/*.test.mjs, run with Node's built-in test runner).
#   usage: node_sdk_test.sh /path/to/inference-gateway
# CTest passes the binary and sets GATEWAY_SOURCE_DIR to the source tree.
set -euo pipefail

bin="${1:?usage: $0 /path/to/inference-gateway}"
case "$bin" in /*) ;; *) bin="$PWD/$bin" ;; esac
src="${GATEWAY_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
dir="$src/tests/integration/node"

if [[ ! -x "$bin" ]]; then
  echo "node_sdk_test: gateway binary not found or not executable: $bin" >&2
  exit 1
fi
for tool in node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "node_sdk_test: '$tool' is not installed; Node.js 20+ is required" >&2
    exit 1
  fi
done
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if (( node_major < 20 )); then
  echo "node_sdk_test: Node.js 20+ is required, found $(node --version)" >&2
  exit 1
fi

# Dependencies (the pinned openai SDK), quietly; the log is shown only if the install fails.
# `npm ci` starts from scratch each time, so it is skipped while node_modules was installed
# from this very package-lock.json.
stamp="$dir/node_modules/.installed-from-lock"
if [[ -f "$dir/package-lock.json" && -f "$stamp" ]] && cmp -s "$dir/package-lock.json" "$stamp"; then
  :
else
  install_log="$(mktemp)"
  trap 'rm -f "$install_log"' EXIT
  if [[ -f "$dir/package-lock.json" ]]; then
    install=(npm ci --no-audit --no-fund --loglevel=error)
  else
    install=(npm install --no-audit --no-fund --loglevel=error)
  fi
  if ! (cd "$dir" && "${install[@]}") >"$install_log" 2>&1; then
    echo "node_sdk_test: '${install[*]}' failed in $dir:" >&2
    cat "$install_log" >&2
    exit 1
  fi
  if [[ -f "$dir/package-lock.json" ]]; then cp "$dir/package-lock.json" "$stamp"; fi
fi

cd "$src"
status=0
GATEWAY_BIN="$bin" timeout --kill-after=10 240 node --test tests/integration/node/ || status=$?
if (( status == 124 )); then
  echo "node_sdk_test: the tests did not finish within 240 s" >&2
fi
exit "$status"
