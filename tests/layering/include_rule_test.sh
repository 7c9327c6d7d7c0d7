#!/usr/bin/env bash
# The dependency rule between the layers, checked on every file's includes (the build enforces it
# for what it compiles; this also covers a header that only a higher layer includes):
#   policy   -> the standard library only
#   backends -> third-party libraries only
#   engine   -> backends, policy
#   gateway  -> all
# Usage: include_rule_test.sh SOURCE_DIR
set -euo pipefail
cd "${1:?usage: $0 SOURCE_DIR}"

declare -A allowed=(
  [policy]="policy"
  [backends]="backends"
  [engine]="engine backends policy"
  [gateway]="gateway engine backends policy"
)
failures=0
for layer in policy backends engine gateway; do
  while IFS= read -r line; do
    file=${line%%:*}
    target=$(sed -E 's/.*#include "([^"]+)".*/\1/' <<<"${line#*:}")
    top=${target%%/*}
    ok=0
    for a in ${allowed[$layer]}; do [[ "$top" == "$a" ]] && ok=1; done
    if ((!ok)); then
      echo "layering: $file includes \"$target\": $layer may include only ${allowed[$layer]}"
      failures=$((failures + 1))
    fi
  done < <(grep -Hn '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$layer"/*.hpp "$layer"/*.cpp 2>/dev/null || true)
  if [[ "$layer" == policy ]]; then
    # The standard library only: no third-party header either.
    while IFS= read -r line; do
      echo "layering: ${line%%:*} includes a third-party header: policy may use the standard library only"
      failures=$((failures + 1))
    done < <(grep -Hn '^[[:space:]]*#[[:space:]]*include[[:space:]]*<[a-z_0-9]*/' policy/*.hpp policy/*.cpp || true)
  fi
done
if ((failures)); then
  echo "layering: $failures include(s) break the dependency rule"
  exit 1
fi
echo "layering: every include follows the dependency rule"
