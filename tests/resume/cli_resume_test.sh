#!/usr/bin/env bash
# `sbi simulate` interrupted and resumed (issue 10, item 5): the same
# command, killed with SIGKILL at pseudo-random moments again and again and
# once interrupted with SIGINT (Ctrl-C), then run to the end, writes files
# byte-identical to an uninterrupted run's, and no interrupted run leaves a
# partial file under a final name.
# Usage: cli_resume_test.sh PATH-TO-sbi PATH-TO-HH-PLUGIN
set -u
SBI=$1
PLUGIN=$2
T=$(mktemp -d /tmp/sbi-cli-resume-XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
pass() { echo "ok   $1"; }
fail() { echo "FAIL $1"; fails=$((fails + 1)); }
N=1500
# exec: `run ... &` is then sbi itself, which `kill` must reach.
run() { exec "$SBI" simulate --plugin "$PLUGIN" -n $N --seed 7 --workers "$1" --out "$2" -q; }
FILES="theta.csv theta.npy x.csv x.npy"

# The uninterrupted run (one worker, no checkpoint).
start=$(date +%s%N)
"$SBI" simulate --plugin "$PLUGIN" -n $N --seed 7 --workers 1 --out "$T/ref" -q --no-checkpoint \
  || { echo "FAIL reference run"; exit 1; }
ms=$((($(date +%s%N) - start) / 1000000))
echo "reference run: $ms ms"

# Final files present after an interrupted run must be complete (equal to
# the reference's): the writers are atomic.
check_partial() {
  for f in $FILES; do
    if [ -e "$T/run/$f" ] && ! cmp -s "$T/run/$f" "$T/ref/$f"; then
      fail "interrupted run left a different $f"
    fi
  done
}

# SIGINT first, once the run has started (its checkpoint exists): the run
# stops cleanly, says how to resume, exits 1.
run 2 "$T/run" 2> "$T/int.txt" &
pid=$!
for _ in $(seq 1 500); do [ -e "$T/run/simulate.checkpoint" ] && break; sleep 0.01; done
kill -INT $pid
wait $pid
rc=$?
if [ $rc -eq 0 ]; then
  pass "SIGINT came after the end (the machine was fast)"
elif [ $rc -eq 1 ] && grep -q "run the same command again" "$T/int.txt"; then
  pass "SIGINT: exit 1 with a resume hint"
else
  fail "SIGINT: exit $rc, message: $(cat "$T/int.txt")"
fi
check_partial

# Then SIGKILL at pseudo-random moments until a run completes.
RANDOM=42
kills=0
for attempt in $(seq 1 200); do
  run 2 "$T/run" 2> /dev/null &
  pid=$!
  # A twentieth to a quarter of the reference time (a run on 2 workers takes
  # about half of it), growing so that a slow machine still makes progress.
  delay=$((ms / 20 + RANDOM % (ms / 4 + 1) + attempt * ms / 100))
  sleep "$((delay / 1000)).$(printf '%03d' $((delay % 1000)))"
  kill -KILL $pid 2> /dev/null
  wait $pid
  rc=$?
  if [ $rc -eq 0 ]; then break; fi
  if [ $rc -ne 137 ]; then fail "run exited $rc"; break; fi
  kills=$((kills + 1))
  check_partial
done
echo "killed $kills times"
[ $kills -ge 2 ] && pass "the run was killed $kills times and resumed" \
  || fail "only $kills kills landed before the run ended (reference $ms ms)"
for f in $FILES; do
  cmp -s "$T/run/$f" "$T/ref/$f" && pass "$f byte-identical to the uninterrupted run" \
    || fail "$f differs from the uninterrupted run"
done
[ ! -e "$T/run/simulate.checkpoint" ] && pass "checkpoint removed after success" \
  || fail "checkpoint left after success"
echo "$fails failure(s)"
[ $fails -eq 0 ]
