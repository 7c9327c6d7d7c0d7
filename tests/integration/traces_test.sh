#!/usr/bin/env bash
# Issue 20's trace tests (tests/integration/node/traces.suite.mjs): the gateway's spans, their
# parent/child ids and what upstreams receive, checked by a fake OTLP collector; a collector that
# is down. Node built-ins only: no npm install needed.
#   usage: traces_test.sh /path/to/inference-gateway
set -euo pipefail
bin="${1:?usage: $0 /path/to/inference-gateway}"
case "$bin" in /*) ;; *) bin="$PWD/$bin" ;; esac
src="${GATEWAY_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
command -v node >/dev/null || { echo "traces_test: Node.js 20+ is required" >&2; exit 1; }
cd "$src"
GATEWAY_BIN="$bin" timeout --kill-after=10 120 node --test tests/integration/node/traces.suite.mjs
