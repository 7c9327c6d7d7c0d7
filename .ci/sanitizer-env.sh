# shellcheck shell=bash
# Settings shared by .ci/asan-build.sh, .ci/sanitizers.sh and .ci/fuzz.sh (sourced, not run).

ASAN_BUILD=${ASAN_BUILD:-build-asan}
TSAN_BUILD=${TSAN_BUILD:-build-tsan}
JOBS=${JOBS:-2}
if [[ -z "${SANITIZER_CXX:-}" ]]; then
  SANITIZER_CXX=$(command -v clang++ || command -v clang++-14 || true)
  [[ -n "$SANITIZER_CXX" ]] || { echo "sanitizers: clang++ not found (run .ci/install-deps.sh ci)" >&2; exit 1; }
fi
# -O1 rather than -O2: sanitized code stays fast enough to fuzz and test, and compiles quicker on
# two cores. No -DNDEBUG: assertions stay on in checked builds.
SANITIZER_OPT_FLAGS="-O1 -g"
# ccache hits survive a different build directory (ccache is used when installed).
export CCACHE_NOHASHDIR=1

# Every report stops the process with a failing status, so no finding passes unnoticed.
# detect_leaks: LeakSanitizer runs at exit; a leak is a finding like any other.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:halt_on_error=1:detect_leaks=1:strict_init_order=1:check_initialization_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}
# Reports name functions and lines only with llvm-symbolizer (package llvm-14).
for _symbolizer in llvm-symbolizer llvm-symbolizer-14; do
  if command -v "$_symbolizer" >/dev/null; then
    export ASAN_SYMBOLIZER_PATH=${ASAN_SYMBOLIZER_PATH:-$(command -v "$_symbolizer")}
    break
  fi
done
unset _symbolizer
