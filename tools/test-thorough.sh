#!/usr/bin/env bash
# The thorough checks of docs/reliability.md, beyond tools/test.sh's default
# suites (which already run everything under ASan+UBSan with allocation-
# failure injection). Called by `tools/test.sh --thorough`; runs alone too.
#
#   tsan       every multi-threaded test under ThreadSanitizer (build/tsan)
#   valgrind   memcheck over short end-to-end runs: the HH tutorial (2
#              workers), the command-line round trip, and the failing-
#              simulator, atomic-write, limits and fuzz-replay tests
#              (build/ci, plain optimised build, OPENBLAS_NUM_THREADS=1)
#   fuzz       each libFuzzer target for SBI_FUZZ_SECONDS (default 30; 0
#              skips) from the checked-in corpus (needs clang; build/fuzz)
#
# Usage: tools/test-thorough.sh [tsan] [valgrind] [fuzz]   (default: all)
# SBI_JOBS: build/test parallelism (default min(cores, 2)).
set -uo pipefail
cd "$(dirname "$0")/.."

parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(tsan valgrind fuzz)
cores=$(nproc 2> /dev/null || echo 2)
jobs=${SBI_JOBS:-$((cores < 2 ? cores : 2))}
export OPENBLAS_NUM_THREADS=1
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}
case $TSAN_OPTIONS in *suppressions=*) ;; *) TSAN_OPTIONS+=:suppressions=$PWD/tools/tsan.supp ;; esac
summary=()
failed=0

# configure DIR CMAKE_ARGS...: configure and build a tree (quietly).
configure() {
  local dir=$1
  shift
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSBI_WERROR=ON "$@" > /dev/null &&
    cmake --build "$dir" -j "$jobs" > "$dir.build.log" 2>&1 ||
    { tail -30 "$dir.build.log"; return 1; }
}

report() { # NAME RESULT START
  [ "$2" = passed ] || failed=1
  summary+=("$1: $2 in $((SECONDS - $3)) s")
}

run_tsan() {
  local start=$SECONDS result=passed
  echo "== tsan: build/tsan"
  if ! configure build/tsan -DSBI_SANITIZE=thread -DSBI_BUILD_BENCH=OFF -DSBI_BUILD_EXAMPLES=OFF; then
    result="BUILD FAILED"
  else
    # The tests that start threads: the runner and everything driving it.
    local threaded='test_runner|test_checkpoint|test_failing_simulators|test_posterior'
    threaded+='|test_resume_kill|test_fault_pipeline|test_tasks|test_stats|test_trainer'
    threaded+='|test_hh_model|test_plugin|test_trainer_threads|test_flows_maf|test_flows_nsf'
    ctest --test-dir build/tsan --output-on-failure -j "$jobs" -R "^($threaded)\$" ||
      result="TESTS FAILED"
  fi
  report tsan "$result" "$start"
}

# vg NAME COMMAND...: one program under memcheck; definite and indirect
# leaks and every error count. With VG_EXPECT_FAIL=1 the program must fail
# (exit 1 or 2) cleanly: its error path is what is checked.
vg() {
  local name=$1 rc=0 want=0
  shift
  [ "${VG_EXPECT_FAIL:-0}" = 1 ] && want=1
  valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \
    --errors-for-leak-kinds=definite,indirect --track-origins=yes "$@" > "$vgdir/$name.log" 2>&1 ||
    rc=$?
  if { [ $want = 0 ] && [ $rc = 0 ]; } || { [ $want = 1 ] && { [ $rc = 1 ] || [ $rc = 2 ]; }; }; then
    echo "ok   valgrind $name"
  else
    echo "FAIL valgrind $name"
    tail -40 "$vgdir/$name.log"
    return 1
  fi
}

run_valgrind() {
  local start=$SECONDS result=passed
  if ! command -v valgrind > /dev/null; then
    report valgrind "SKIPPED (no valgrind)" "$start"
    return
  fi
  echo "== valgrind: build/ci"
  if ! configure build/ci; then
    report valgrind "BUILD FAILED" "$start"
    return
  fi
  vgdir=$(mktemp -d /tmp/sbi-valgrind-XXXXXX)
  local b=build/ci
  vg tutorial $b/bin/hh_tutorial --simulations 24 --max-epochs 3 --samples 200 --workers 2 \
    --hidden-features 8 --components 2 --out "$vgdir/tut" --quiet || result=FAILED
  local d=../shared/data/hh
  if [ -f $d/train300_theta.csv ]; then
    head -61 $d/train300_theta.csv > "$vgdir/theta.csv"
    head -61 $d/train300_x.csv > "$vgdir/x.csv"
    vg cli_train $b/bin/sbi train -q -t "$vgdir/theta.csv" -x "$vgdir/x.csv" \
      -p box:0.5,1e-4:80,15 -o "$vgdir/post.sbi" --max-epochs 3 --hidden-features 8 \
      --components 2 || result=FAILED
    vg cli_sample $b/bin/sbi sample -q -p "$vgdir/post.sbi" -x $d/observation_50_5_seed42.csv \
      -n 200 -o "$vgdir/s.npy" || result=FAILED
    vg cli_info $b/bin/sbi info "$vgdir/post.sbi" || result=FAILED
    VG_EXPECT_FAIL=1 vg cli_error $b/bin/sbi sample -q -p "$vgdir/x.csv" -x "$vgdir/x.csv" \
      -n 2 -o "$vgdir/never.csv" || result=FAILED
  fi
  for t in test_failing_simulators test_atomic_writes test_limits; do
    vg $t $b/tests/$t || result=FAILED
  done
  for t in posterior_mem csv npy prior_spec; do
    local c=$t
    case $t in posterior_*) c=posterior ;; esac
    vg fuzz_replay_$t $b/tests/fuzz/fuzz_replay_$t tests/fuzz/corpus/$c || result=FAILED
  done
  rm -rf "$vgdir"
  report valgrind "$result" "$start"
}

run_fuzz() {
  local start=$SECONDS secs=${SBI_FUZZ_SECONDS:-30}
  if [ "$secs" = 0 ]; then return; fi
  if ! command -v "${CC:-clang-14}" > /dev/null; then
    report fuzz "SKIPPED (no clang)" "$start"
    return
  fi
  echo "== fuzz: build/fuzz, ${secs} s per target"
  local out
  out=$(JOBS=$jobs tests/fuzz/run_fuzz.sh "$secs")
  echo "$out"
  if echo "$out" | grep -qv 'exit 0,'; then
    report fuzz "FINDINGS (build/fuzz/artifacts)" "$start"
  else
    report fuzz passed "$start"
  fi
}

for p in "${parts[@]}"; do
  case $p in
  tsan) run_tsan ;;
  valgrind) run_valgrind ;;
  fuzz) run_fuzz ;;
  *) echo "tools/test-thorough.sh: unknown part $p (tsan, valgrind, fuzz)" >&2; exit 2 ;;
  esac
done
echo "== thorough summary"
printf '   %s\n' "${summary[@]}"
exit $failed
