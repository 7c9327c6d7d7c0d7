#!/usr/bin/env bash
# Issue 5's edge and lifecycle tests (tests/integration/node/*.suite.mjs): client keys, rate
# limits, hostile HTTP, CORS, SSE keep-alives, slow readers, drain and reload. Their own CTest
# entry so that they run beside the SDK suite. Node built-ins only: no npm install needed.
#   usage: hardening_test.sh /path/to/inference-gateway
set -euo pipefail
bin="${1:?usage: $0 /path/to/inference-gateway}"
case "$bin" in /*) ;; *) bin="$PWD/$bin" ;; esac
src="${GATEWAY_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
command -v node >/dev/null || { echo "hardening_test: Node.js 20+ is required" >&2; exit 1; }
cd "$src"
GATEWAY_BIN="$bin" timeout --kill-after=10 200 node --test tests/integration/node/hardening.suite.mjs \
  tests/integration/node/lifecycle.suite.mjs
