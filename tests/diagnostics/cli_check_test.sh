#!/usr/bin/env bash
# End-to-end test of `sbi check`: c2st on sbibm reference samples (the same
# posterior twice -> ~0.5; two different posteriors -> well above 0.5), sbc
# on a posterior trained by `sbi train` on a 2-D linear-Gaussian problem,
# and the error paths. Usage: cli_check_test.sh PATH-TO-sbi (from the repo root)
set -u
SBI=$1
R=../shared/data/sbibm/two_moons
PY=/usr/bin/python3
if [ ! -f "$R/num_observation_1/reference_posterior_samples.csv" ]; then
  echo "skipped: ../shared/ reference data is absent"; exit 77
fi
if ! "$PY" -c "import numpy" 2>/dev/null; then echo "skipped: no numpy"; exit 77; fi
T=$(mktemp -d /tmp/sbi-check-test-XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
pass() { echo "ok   $1"; }
fail() { echo "FAIL $1"; fails=$((fails + 1)); }

# c2st: rows 1-2000 vs rows 5001-7000 of one reference set, then vs another observation's.
ref1=$R/num_observation_1/reference_posterior_samples.csv
head -n 2001 "$ref1" > "$T/a.csv"
{ head -n 1 "$ref1"; sed -n '5002,7001p' "$ref1"; } > "$T/b.csv"
head -n 2001 "$R/num_observation_2/reference_posterior_samples.csv" > "$T/c.csv"
out=$("$SBI" check c2st -r "$T/a.csv" -s "$T/b.csv" 2>&1); rc=$?
acc=$(printf '%s\n' "$out" | sed -n 's/^C2ST accuracy \([0-9.]*\).*/\1/p')
if [ $rc -eq 0 ] && [ -n "$acc" ] && awk -v a="$acc" 'BEGIN{exit !(a > 0.45 && a < 0.55)}'; then
  pass "c2st same posterior: $acc"
else fail "c2st same posterior: rc=$rc $out"; fi
out=$("$SBI" check c2st -r "$T/a.csv" -s "$T/c.csv" 2>&1); rc=$?
acc=$(printf '%s\n' "$out" | sed -n 's/^C2ST accuracy \([0-9.]*\).*/\1/p')
if [ $rc -eq 0 ] && [ -n "$acc" ] && awk -v a="$acc" 'BEGIN{exit !(a > 0.7)}'; then
  pass "c2st different posteriors: $acc"
else fail "c2st different posteriors: rc=$rc $out"; fi

# sbc: theta ~ N(0, 0.1 I_2), x = theta + N(0, 0.1 I_2); 3000 training and 150 test pairs.
"$PY" - "$T" <<'PYEOF'
import sys, numpy as np
d = sys.argv[1]
rng = np.random.default_rng(5)
for name, n in (("train", 3000), ("test", 150)):
    th = rng.normal(0, np.sqrt(0.1), (n, 2)); x = th + rng.normal(0, np.sqrt(0.1), (n, 2))
    np.savetxt(f"{d}/{name}_theta.csv", th, delimiter=",", header="a,b", comments="")
    np.savetxt(f"{d}/{name}_x.csv", x, delimiter=",", header="x1,x2", comments="")
PYEOF
if "$SBI" train -q -t "$T/train_theta.csv" -x "$T/train_x.csv" -p gaussian:0,0:0.1,0.1 \
     -o "$T/post.sbi"; then pass "train"; else fail "train"; fi
out=$("$SBI" check sbc -q -p "$T/post.sbi" -t "$T/test_theta.csv" -x "$T/test_x.csv" -n 100 \
      --names a,b --ranks-svg "$T/r.svg" --coverage-svg "$T/c.svg" --ranks-out "$T/ranks.csv" 2>&1)
rc=$?
if [ $rc -eq 0 ] && printf '%s\n' "$out" | grep -q '^verdict: no significant miscalibration' \
   && printf '%s\n' "$out" | grep -q '^a  ' && grep -q '</svg>' "$T/r.svg" \
   && grep -q '</svg>' "$T/c.svg" && [ "$(wc -l < "$T/ranks.csv")" -eq 151 ] \
   && head -n 1 "$T/ranks.csv" | grep -q 'a,b,hpd_rank'; then
  pass "sbc report, plots and ranks"
else fail "sbc: rc=$rc $out"; fi

# Error paths: usage errors exit 2, data errors 1, one message line each.
"$SBI" check c2st -r "$T/a.csv" >/dev/null 2>&1; [ $? -eq 2 ] && pass "c2st without --samples" || fail "c2st without --samples"
"$SBI" check bogus >/dev/null 2>&1; [ $? -eq 2 ] && pass "unknown check" || fail "unknown check"
out=$("$SBI" check c2st -r "$T/a.csv" -s ../shared/data/sbibm/slcp/num_observation_1/observation.csv 2>&1 >/dev/null); rc=$?
case "$out" in *columns*) [ $rc -eq 1 ] && pass "c2st column mismatch" || fail "c2st column mismatch rc=$rc";;
  *) fail "c2st column mismatch: $out";; esac
out=$("$SBI" check sbc -p "$T/post.sbi" -t "$T/test_theta.csv" -x "$T/a.csv" 2>&1 >/dev/null); rc=$?
[ $rc -eq 1 ] && pass "sbc row mismatch" || fail "sbc row mismatch rc=$rc: $out"

[ $fails -eq 0 ] && echo "all passed" || echo "$fails failed"
exit $((fails > 0))
