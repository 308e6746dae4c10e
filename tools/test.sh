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
#                  and those that took more than SBI_ASAN_MAX_SECONDS (15) in
#                  the plain run (sanitizers make them 2-3 times slower; this
#                  keeps the default run well under 10 minutes on 2 cores)
#   --thorough     (or SBI_THOROUGH=1) every test under ASan+UBSan, then
#                  tools/test-thorough.sh: every threaded test under
#                  ThreadSanitizer, valgrind memcheck, a short fuzzing session
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
  -h | --help) sed -n '2,21p' "$0"; exit 0 ;;
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
ctest_extra=()
# run_suite NAME BUILD_DIR CMAKE_ARGS... (ctest filters in ctest_extra).
# Every suite runs even if an earlier one failed; the exit status says
# whether all passed.
run_suite() {
  local name=$1 dir=$2 result=passed
  shift 2
  local start=$SECONDS
  echo "== $name: configure and build in $dir"
  if ! cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSBI_WERROR=ON "$@" > /dev/null ||
     ! cmake --build "$dir" -j "$jobs"; then
    result="BUILD FAILED"
  else
    echo "== $name: test ${ctest_extra[*]}"
    ctest --test-dir "$dir" --output-on-failure -j "$jobs" "${ctest_extra[@]}" || result="TESTS FAILED"
  fi
  [ "$result" = passed ] || failed=1
  summary+=("$name: $result in $((SECONDS - start)) s")
}

# Tests slower than $1 seconds in the plain run (from CTest's cost data), as
# an exclusion regex, or nothing.
slow_in_plain_run() {
  local cost=build/ci/Testing/Temporary/CTestCostData.txt
  [ -f "$cost" ] || return 0
  awk -v max="$1" '$0 == "---" { exit } NF == 3 && $3 > max { printf "%s%s", sep, $1; sep = "|" }' "$cost"
}

run_suite "plain" build/ci
if [ "$sanitize" = 1 ]; then
  ctest_extra=()
  if [ "$thorough" != 1 ]; then
    ctest_extra=(-LE slow)
    slow=$(slow_in_plain_run "${SBI_ASAN_MAX_SECONDS:-15}")
    if [ -n "$slow" ]; then
      echo "== asan+ubsan: skipping tests slower than ${SBI_ASAN_MAX_SECONDS:-15} s in the plain run: $slow (--thorough runs them)"
      ctest_extra+=(-E "^($slow)\$")
    fi
  fi
  run_suite "asan+ubsan" build/asan -DSBI_SANITIZE=address,undefined -DSBI_FAULT_INJECTION=ON \
    -DSBI_BUILD_BENCH=OFF
fi
if [ "$thorough" = 1 ]; then # TSan on every threaded test, valgrind, fuzzing
  start=$SECONDS result=passed
  SBI_JOBS=$jobs tools/test-thorough.sh || { result=FAILED; failed=1; }
  summary+=("thorough (tools/test-thorough.sh): $result in $((SECONDS - start)) s")
fi
echo "== summary"
printf '   %s\n' "${summary[@]}"
exit $failed
