#!/usr/bin/env bash
# Runs the libFuzzer targets of tests/fuzz, each for a bounded time from a copy of its seed corpus
# (tests/fuzz/corpus/<target>), under AddressSanitizer + UndefinedBehaviorSanitizer. Any finding
# (crash, sanitizer report, leak, broken invariant, hung session) fails the run and leaves its
# input under build-asan/fuzz/<target>/findings/.
#
#   .ci/fuzz.sh [TARGET...]          default: every target
#   FUZZ_SECONDS=300 .ci/fuzz.sh     longer runs (default 45 s per target)
#   FUZZ_SEED=0 .ci/fuzz.sh          a random seed per run (default 1)
#
# CI runs a fixed seed, so that its outcome is the same on every run of the same commit (up to the
# machine's speed and the session target's timing): a finding reproduces at once, and a commit
# does not pass or fail by luck. Exploring is done with random seeds and longer runs, before a
# change lands: FUZZ_SEED=0 FUZZ_SECONDS=300 .ci/fuzz.sh.
#
# Reproduce a finding: build-asan/tests/fuzz/<target> build-asan/fuzz/<target>/findings/<file>
# Builds in build-asan, shared with .ci/sanitizers.sh; needs `.ci/install-deps.sh ci` first
# (.ci/run installs it).
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/sanitizer-env.sh

FUZZ_SECONDS=${FUZZ_SECONDS:-45}
FUZZ_SEED=${FUZZ_SEED:-1}
targets=("$@")
((${#targets[@]})) || targets=(request_validator_fuzz sse_parser_fuzz http_request_fuzz http1_response_fuzz chunk_relay_fuzz forward_body_fuzz
  sim_features_fuzz anthropic_fuzz)

echo "fuzz: building ${targets[*]} in $ASAN_BUILD"
.ci/asan-build.sh "${targets[@]}"

failed=()
for t in "${targets[@]}"; do
  work=$ASAN_BUILD/fuzz/$t
  rm -rf "$work"
  mkdir -p "$work/corpus" "$work/findings"
  cp tests/fuzz/corpus/"$t"/* "$work/corpus/"
  echo "fuzz: $t for ${FUZZ_SECONDS}s, seed $FUZZ_SEED"
  # -timeout: one input running 10 s is a hang even where the target has no deadline of its own.
  # New corpus units go to the copy, so the committed seeds stay small and reviewed.
  rc=0
  "$ASAN_BUILD/tests/fuzz/$t" -max_total_time="$FUZZ_SECONDS" -seed="$FUZZ_SEED" -print_final_stats=1 -max_len=8192 \
    -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$work/findings/" "$work/corpus" >"$work/log" 2>&1 || rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log")
  units=$(sed -n 's/^stat::new_units_added: *//p' "$work/log")
  echo "fuzz: $t: ${runs:-?} executions (${rate:-?}/s), ${units:-?} new corpus units"
  if ((rc != 0)); then
    failed+=("$t")
    echo "fuzz: $t FAILED (exit $rc); the start of its report (all of it in $work/log):"
    awk '/==[0-9]+==(ERROR|WARNING)|runtime error|_fuzz: |ALARM|deadly signal/ {p = 1} p && n++ < 40' \
      "$work/log" | cut -c1-240
    grep -E '^SUMMARY' "$work/log" || true
    for f in "$work"/findings/*; do
      [[ -e "$f" ]] && echo "fuzz: reproduce with: $ASAN_BUILD/tests/fuzz/$t $f"
    done
  fi
done
if ((${#failed[@]})); then
  echo "fuzz: findings in ${failed[*]}"
  exit 1
fi
echo "fuzz: no findings"
