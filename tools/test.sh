#!/usr/bin/env bash
# The whole test suite, from a fresh clone on Debian: install missing
# packages (tools/deps.sh), configure with warnings as errors, build, run
# every test; then the same suite built with AddressSanitizer and
# UndefinedBehaviorSanitizer.
#
# Usage: tools/test.sh [--thorough] [--no-sanitize]
#   default        build/ci: all tests; build/asan (ASan+UBSan, with
#                  allocation-failure injection for the tests that walk every
#                  out-of-memory path): all tests except those labelled "slow"
#   --thorough     (or SBI_THOROUGH=1) also the "slow" tests under ASan+UBSan
#                  and the threaded runner tests under ThreadSanitizer
#                  (build/tsan), then tools/test-thorough.sh (TSan on every
#                  threaded test, valgrind, a fuzzing session)
#   --no-sanitize  (or SBI_SANITIZE_RUN=0) only the plain build
# SBI_JOBS sets build and test parallelism (default: min(cores, 2)).
# A test that takes more than a few seconds should carry LABELS slow.
set -euo pipefail
cd "$(dirname "$0")/.."

thorough=${SBI_THOROUGH:-0}
sanitize=${SBI_SANITIZE_RUN:-1}
for arg in "$@"; do
  case "$arg" in
  --thorough) thorough=1 ;;
  --no-sanitize) sanitize=0 ;;
  -h | --help) sed -n '2,19p' "$0"; exit 0 ;;
  *) echo "tools/test.sh: unknown option $arg (try --help)" >&2; exit 2 ;;
  esac
done

tools/deps.sh
cores=$(nproc 2>/dev/null || echo 2)
jobs=${SBI_JOBS:-$((cores < 2 ? cores : 2))}
export OPENBLAS_NUM_THREADS=1
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}

summary=()
failed=0
# run_suite NAME BUILD_DIR CTEST_ARGS -- CMAKE_ARGS...
# Every suite runs even if an earlier one failed; the exit status says
# whether all passed.
run_suite() {
  local name=$1 dir=$2 ctest_args=$3 result=passed
  shift 4
  local start=$SECONDS
  echo "== $name: configure and build in $dir"
  if ! cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSBI_WERROR=ON "$@" > /dev/null ||
     ! cmake --build "$dir" -j "$jobs"; then
    result="BUILD FAILED"
  else
    echo "== $name: test"
    # shellcheck disable=SC2086
    ctest --test-dir "$dir" --output-on-failure -j "$jobs" $ctest_args || result="TESTS FAILED"
  fi
  [ "$result" = passed ] || failed=1
  summary+=("$name: $result in $((SECONDS - start)) s")
}

run_suite "plain" build/ci "" --
if [ "$sanitize" = 1 ]; then
  asan_filter="-LE slow"
  [ "$thorough" = 1 ] && asan_filter=""
  run_suite "asan+ubsan" build/asan "$asan_filter" -- -DSBI_SANITIZE=address,undefined \
    -DSBI_FAULT_INJECTION=ON -DSBI_BUILD_BENCH=OFF
  if [ "$thorough" = 1 ]; then
    run_suite "tsan" build/tsan "-R ^test_(runner|checkpoint)$" -- -DSBI_SANITIZE=thread \
      -DSBI_BUILD_BENCH=OFF -DSBI_BUILD_EXAMPLES=OFF
  fi
fi
if [ "$thorough" = 1 ]; then # TSan on every threaded test, valgrind, fuzzing
  start=$SECONDS result=passed
  SBI_JOBS=$jobs tools/test-thorough.sh || { result=FAILED; failed=1; }
  summary+=("thorough (tools/test-thorough.sh): $result in $((SECONDS - start)) s")
fi
echo "== summary"
printf '   %s\n' "${summary[@]}"
exit $failed
