#!/usr/bin/env bash
# End-to-end test of the `sbi` tool: train -> sample -> info on the reference
# HH training set, simulate -> train -> sample with the HH plugin (and an
# interrupted simulation resumed), and every error path: one line naming the
# problem, non-zero exit, and no output file left behind.
# Usage: cli_test.sh PATH-TO-sbi HH-PLUGIN NOT-A-PLUGIN.so  (from the repository root)
set -u
SBI=$1
PLUGIN=$2
NOT_PLUGIN=$3
D=../shared/data/hh
if [ ! -f "$D/train300_theta.csv" ]; then
  echo "skipped: ../shared/ reference data is absent"
  exit 77
fi
T=$(mktemp -d /tmp/sbi-cli-test-XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
pass() { echo "ok   $1"; }
fail() { echo "FAIL $1"; fails=$((fails + 1)); }

# expect_fail NAME "message fragment" EXPECTED-ABSENT-FILE -- command...
expect_fail() {
  local name=$1 frag=$2 absent=$3
  shift 4
  local out rc
  out=$("$@" 2>&1 >/dev/null)
  rc=$?
  if [ $rc -eq 0 ]; then fail "$name: exit 0"; return; fi
  if [ "$(printf '%s\n' "$out" | wc -l)" -ne 1 ]; then fail "$name: not one line: $out"; return; fi
  case "$out" in *"$frag"*) ;; *) fail "$name: message '$out' lacks '$frag'"; return;; esac
  if [ -n "$absent" ] && [ -e "$absent" ]; then fail "$name: left $absent behind"; return; fi
  if ls "$T" | grep -q '\.tmp-'; then fail "$name: left a temporary file"; return; fi
  pass "$name ($out)"
}

# --- help on every subcommand
for c in simulate train sample info; do
  if "$SBI" $c --help | grep -q "^usage: sbi $c"; then pass "help $c"; else fail "help $c"; fi
done
"$SBI" --help | grep -q "commands:" && pass "help" || fail "help"
"$SBI" --version | grep -q "libsbi" && pass "version" || fail "version"

# --- the round trip on the reference data
PRIOR=box:0.5,1e-4:80,15
if "$SBI" train -q -t $D/train300_theta.csv -x $D/train300_x.csv -p $PRIOR -o "$T/post.sbi" --seed 3; then
  pass "train"
else
  fail "train"
fi
"$SBI" sample -q -p "$T/post.sbi" -x $D/observation_50_5_seed42.csv -n 2000 --seed 5 \
  --names g_Na,g_K -o "$T/s.csv" && pass "sample csv" || fail "sample csv"
"$SBI" sample -q -p "$T/post.sbi" -x $D/observation_50_5_seed42.csv -n 2000 --seed 5 -o "$T/s.npy" \
  && pass "sample npy" || fail "sample npy"
if [ "$(head -1 "$T/s.csv")" = "g_Na,g_K" ] && [ "$(wc -l < "$T/s.csv")" -eq 2001 ]; then
  pass "samples file: header and 2000 rows"
else
  fail "samples file"
fi
# Same seed, same samples, whatever the output format.
"$SBI" info "$T/s.npy" > "$T/info_npy.txt" && "$SBI" info "$T/s.csv" > "$T/info_csv.txt"
if diff <(tail -2 "$T/info_npy.txt" | awk '{print $2, $3, $4}') \
        <(tail -2 "$T/info_csv.txt" | awk '{print $2, $3, $4}') >/dev/null; then
  pass "csv and npy samples agree"
else
  fail "csv and npy samples agree"
fi
# The posterior mean lies near the truth (50, 5): within the prior box
# fraction that 300 simulations allow (the reference's sd of g_Na is up to ~20).
read -r m1 m2 <<<"$(awk -F, 'NR > 1 { a += $1; b += $2; n++ } END { printf "%f %f", a / n, b / n }' "$T/s.csv")"
if awk -v a="$m1" -v b="$m2" 'BEGIN { exit !(a > 30 && a < 70 && b > 2 && b < 8) }'; then
  pass "posterior mean ($m1, $m2) near (50, 5)"
else
  fail "posterior mean ($m1, $m2) far from (50, 5)"
fi
"$SBI" info "$T/post.sbi" > "$T/info.txt"
for w in "format version 1" "theta:        2" "x:            7" "estimator:    mdn" "box uniform" "epochs"; do
  grep -q "$w" "$T/info.txt" && pass "info shows '$w'" || fail "info lacks '$w'"
done
# NumPy loads the .npy samples (skipped without numpy).
if /usr/bin/python3 -c "import numpy" 2>/dev/null; then
  /usr/bin/python3 -c "import numpy as n; a = n.load('$T/s.npy'); assert a.shape == (2000, 2)" \
    && pass "numpy loads samples" || fail "numpy loads samples"
fi
# A .npy observation (1-D) and .npy training data work too.
/usr/bin/python3 - "$T" "$D" <<'PY' 2>/dev/null && HAVE_NPY=1 || HAVE_NPY=0
import sys, numpy as np
t, d = sys.argv[1], sys.argv[2]
x = np.loadtxt(d + "/observation_50_5_seed42.csv", delimiter=",", skiprows=1)
np.save(t + "/obs1d.npy", x)
np.save(t + "/obs_f32.npy", x.reshape(1, -1).astype(np.float32))
np.save(t + "/theta.npy", np.loadtxt(d + "/train300_theta.csv", delimiter=",", skiprows=1))
np.save(t + "/x.npy", np.loadtxt(d + "/train300_x.csv", delimiter=",", skiprows=1))
PY
if [ $HAVE_NPY = 1 ]; then
  "$SBI" sample -q -p "$T/post.sbi" -x "$T/obs1d.npy" -n 10 -o "$T/s1.csv" && pass "1-D .npy observation" || fail "1-D .npy observation"
  "$SBI" sample -q -p "$T/post.sbi" -x "$T/obs_f32.npy" -n 10 -o "$T/s2.csv" && pass "float32 observation" || fail "float32 observation"
  "$SBI" train -q -t "$T/theta.npy" -x "$T/x.npy" -p $PRIOR -o "$T/post2.sbi" --max-epochs 5 && pass "train from .npy" || fail "train from .npy"
fi

# Rows whose x holds NaN or Inf are excluded and counted.
awk -F, 'BEGIN { OFS = "," } NR == 3 { $2 = "nan" } NR == 5 { $7 = "inf" } { print }' $D/train300_x.csv > "$T/x_bad_rows.csv"
out=$("$SBI" train -t $D/train300_theta.csv -x "$T/x_bad_rows.csv" -p $PRIOR -o "$T/post3.sbi" --max-epochs 3 2>&1)
case "$out" in *"300 rows, 298 valid, 2 excluded"*) pass "NaN/Inf rows excluded and counted";;
  *) fail "NaN/Inf rows excluded and counted: $out";; esac

# --- simulate -> train -> sample with the HH plugin
if "$SBI" simulate -q --plugin "$PLUGIN" -n 300 --seed 4 --workers 2 --out "$T/sim"; then
  pass "simulate"
else
  fail "simulate"
fi
[ "$(head -1 "$T/sim/theta.csv")" = "gbar_Na,gbar_K" ] && pass "theta header from the plugin" || fail "theta header"
[ "$(head -1 "$T/sim/x.csv")" = "spike_count,rest_mean,rest_std,stim_mean,stim_var,stim_skew,stim_kurt" ] \
  && pass "x header from the plugin" || fail "x header"
[ "$(wc -l < "$T/sim/x.csv")" -eq 301 ] && pass "300 simulations" || fail "300 simulations"
[ ! -e "$T/sim/simulate.checkpoint" ] && pass "checkpoint removed after success" || fail "checkpoint left behind"
"$SBI" simulate -q --plugin "$PLUGIN" -n 300 --seed 4 --workers 1 --out "$T/sim1" --no-checkpoint
cmp -s "$T/sim/x.npy" "$T/sim1/x.npy" && cmp -s "$T/sim/theta.csv" "$T/sim1/theta.csv" \
  && pass "1 and 2 workers give the same files" || fail "1 and 2 workers differ"
# Two slices [0, 100) and [100, 300) make the same rows as one run.
"$SBI" simulate -q --plugin "$PLUGIN" -n 100 --seed 4 --out "$T/slice0"
"$SBI" simulate -q --plugin "$PLUGIN" -n 200 --seed 4 --first-index 100 --out "$T/slice1"
if diff <(cat "$T/slice0/x.csv"; tail -n +2 "$T/slice1/x.csv") "$T/sim/x.csv" >/dev/null; then
  pass "slices with --first-index concatenate to the whole run"
else
  fail "slices with --first-index"
fi
# Options reach the plugin: without noise the resting std is the model's slow
# drift alone, 0.00828 mV for every theta (../shared/spec/hh-model.md), while
# theta (from the prior stream) is unchanged.
"$SBI" simulate -q --plugin "$PLUGIN" -n 20 --seed 4 --options noise=0 --out "$T/quiet"
"$SBI" simulate -q --plugin "$PLUGIN" -n 20 --seed 4 --out "$T/noisy"
if cmp -s "$T/quiet/theta.npy" "$T/noisy/theta.npy" && \
   awk -F, 'NR > 1 && !($3 > 0.00826 && $3 < 0.0083) { bad = 1 } END { exit bad }' "$T/quiet/x.csv"; then
  pass "--options noise=0: same theta, noise-free resting std"
else
  fail "--options noise=0"
fi
"$SBI" train -q -t "$T/sim/theta.csv" -x "$T/sim/x.csv" --plugin "$PLUGIN" -o "$T/plug.sbi" \
  && pass "train --plugin" || fail "train --plugin"
"$SBI" sample -q -p "$T/plug.sbi" -x $D/observation_50_5_seed42.csv -n 1000 -o "$T/plug.csv" \
  && pass "sample from the plugin-trained posterior" || fail "sample plugin-trained"
"$SBI" info "$PLUGIN" | grep -q "simulator plugin 'hh'" && pass "info on a plugin" || fail "info on a plugin"
# Killed midway, then resumed: the same files as an uninterrupted run.
timeout -s KILL 0.3 "$SBI" simulate -q --plugin "$PLUGIN" -n 1000 --seed 9 --workers 1 --out "$T/res" 2>/dev/null
"$SBI" simulate -q --plugin "$PLUGIN" -n 1000 --seed 9 --out "$T/res"
"$SBI" simulate -q --plugin "$PLUGIN" -n 1000 --seed 9 --out "$T/whole" --no-checkpoint
cmp -s "$T/res/x.npy" "$T/whole/x.npy" && cmp -s "$T/res/theta.npy" "$T/whole/theta.npy" \
  && pass "killed and resumed run equals an uninterrupted one" || fail "resumed run differs"

# --threads: the NSF posterior file is the same byte for byte on one thread and two.
"$SBI" train -q -t $D/train300_theta.csv -x $D/train300_x.csv -p $PRIOR -e nsf --max-epochs 3 \
  --batch-size 64 --threads 1 -o "$T/nsf1.sbi" && \
"$SBI" train -q -t $D/train300_theta.csv -x $D/train300_x.csv -p $PRIOR -e nsf --max-epochs 3 \
  --batch-size 64 --threads 2 -o "$T/nsf2.sbi" && cmp -s "$T/nsf1.sbi" "$T/nsf2.sbi" \
  && pass "train --threads 2 equals --threads 1 (nsf)" || fail "train --threads 2 differs from 1"

# --- error paths
OBS=$D/observation_50_5_seed42.csv
printf 'a,b,c\n1,2,3\n' > "$T/three.csv"
printf 'g_Na,g_K\n1,2\n3,4\n' > "$T/four_rows_theta.csv"
printf 'spike_count,rest_mean,rest_std,stim_mean,stim_var,stim_skew,stim_kurt\n5,-70,nan,-56,375,3.7,18\n' > "$T/obs_nan.csv"
printf 'a,b,c,d,e,f,g\n1,2,3,4,5,6,7\n1,2,3,4,5,6,7\n' > "$T/obs_two.csv"
printf 'a,b\n1,2\n3,oops\n' > "$T/garbage.csv"
printf '\211SB\000\001junk' > "$T/junk.sbi"
head -c 300 "$T/post.sbi" > "$T/truncated.sbi"

expect_fail "unknown option" "unknown option '--bogus'" "$T/o.sbi" -- \
  "$SBI" train --bogus -t $D/train300_theta.csv -x $D/train300_x.csv -p $PRIOR -o "$T/o.sbi"
expect_fail "unknown command" "unknown command 'fly'" "" -- "$SBI" fly
expect_fail "missing value" "needs a value" "" -- "$SBI" train -t
expect_fail "missing --out" "required" "" -- "$SBI" train -t $D/train300_theta.csv -x $D/train300_x.csv -p $PRIOR
expect_fail "prior and plugin" "exactly one of" "$T/o.sbi" -- \
  "$SBI" train -t $D/train300_theta.csv -x $D/train300_x.csv -o "$T/o.sbi"
expect_fail "bad prior spec" "low[0]=80 is not below high[0]=0.5" "$T/o.sbi" -- \
  "$SBI" train -t $D/train300_theta.csv -x $D/train300_x.csv -p box:80,1e-4:0.5,15 -o "$T/o.sbi"
expect_fail "prior dims" "2 columns but the prior has 3" "$T/o.sbi" -- \
  "$SBI" train -t $D/train300_theta.csv -x $D/train300_x.csv -p box:0,0,0:1,1,1 -o "$T/o.sbi"
expect_fail "row mismatch" "--theta has 2 rows but --x has 300" "$T/o.sbi" -- \
  "$SBI" train -t "$T/four_rows_theta.csv" -x $D/train300_x.csv -p $PRIOR -o "$T/o.sbi"
expect_fail "missing file" "No such file" "$T/o.sbi" -- \
  "$SBI" train -t "$T/nope.csv" -x $D/train300_x.csv -p $PRIOR -o "$T/o.sbi"
expect_fail "garbage csv" "line 3, column 2: 'oops' is not a number" "$T/o.sbi" -- \
  "$SBI" train -t "$T/garbage.csv" -x $D/train300_x.csv -p $PRIOR -o "$T/o.sbi"
expect_fail "bad estimator" "--estimator 'xyz'" "$T/o.sbi" -- \
  "$SBI" train -t $D/train300_theta.csv -x $D/train300_x.csv -p $PRIOR -o "$T/o.sbi" -e xyz
expect_fail "bad training option" "--batch-size" "$T/o.sbi" -- \
  "$SBI" train -t $D/train300_theta.csv -x $D/train300_x.csv -p $PRIOR -o "$T/o.sbi" --batch-size 0
expect_fail "bad threads" "threads=65 is out of range [1, 64]" "$T/o.sbi" -- \
  "$SBI" train -t $D/train300_theta.csv -x $D/train300_x.csv -p $PRIOR -o "$T/o.sbi" --threads 65
expect_fail "bad seed" "--seed" "$T/o.sbi" -- \
  "$SBI" train -t $D/train300_theta.csv -x $D/train300_x.csv -p $PRIOR -o "$T/o.sbi" --seed -4
expect_fail "unwritable out" "cannot write the posterior" "" -- \
  "$SBI" train -q -t $D/train300_theta.csv -x $D/train300_x.csv -p $PRIOR -o "$T/no/dir/o.sbi" --max-epochs 2
expect_fail "NaN observation" "NaN in column 3 (rest_std)" "$T/o.csv" -- \
  "$SBI" sample -p "$T/post.sbi" -x "$T/obs_nan.csv" -o "$T/o.csv"
expect_fail "observation width" "has 3 values but the posterior was trained on x of 7" "$T/o.csv" -- \
  "$SBI" sample -p "$T/post.sbi" -x "$T/three.csv" -o "$T/o.csv"
expect_fail "two observations" "has 2 rows" "$T/o.csv" -- \
  "$SBI" sample -p "$T/post.sbi" -x "$T/obs_two.csv" -o "$T/o.csv"
expect_fail "junk posterior" "cannot load --posterior" "$T/o.csv" -- \
  "$SBI" sample -p "$T/junk.sbi" -x $OBS -o "$T/o.csv"
expect_fail "truncated posterior" "cannot load --posterior" "$T/o.csv" -- \
  "$SBI" sample -p "$T/truncated.sbi" -x $OBS -o "$T/o.csv"
expect_fail "bad out extension" "must end in .csv or .npy" "$T/o.txt" -- \
  "$SBI" sample -p "$T/post.sbi" -x $OBS -o "$T/o.txt"
expect_fail "bad names" "does not give 2 names" "$T/o.csv" -- \
  "$SBI" sample -p "$T/post.sbi" -x $OBS -o "$T/o.csv" --names a,b,c
expect_fail "bad -n" "--num-samples" "$T/o.csv" -- \
  "$SBI" sample -p "$T/post.sbi" -x $OBS -o "$T/o.csv" -n 0
expect_fail "info junk" "neither a posterior file" "" -- "$SBI" info "$T/junk.sbi"
expect_fail "info missing" "No such file" "" -- "$SBI" info "$T/nope.sbi"
expect_fail "info two files" "unexpected argument 'b'" "" -- "$SBI" info a b

expect_fail "missing plugin" "cannot load --plugin" "$T/np/x.csv" -- \
  "$SBI" simulate --plugin "$T/nope.so" -n 10 --out "$T/np"
expect_fail "not a plugin" "cannot load --plugin" "$T/np/x.csv" -- \
  "$SBI" simulate --plugin "$NOT_PLUGIN" -n 10 --out "$T/np"
expect_fail "unknown plugin option" "--options nosuch=1" "$T/np/x.csv" -- \
  "$SBI" simulate --plugin "$PLUGIN" -n 10 --options nosuch=1 --out "$T/np"
expect_fail "bad plugin option" "--options dt=-1" "$T/np/x.csv" -- \
  "$SBI" simulate --plugin "$PLUGIN" -n 10 --options dt=-1 --out "$T/np"
expect_fail "simulate -n 0" "--num-simulations 0" "$T/np/x.csv" -- \
  "$SBI" simulate --plugin "$PLUGIN" -n 0 --out "$T/np"
expect_fail "simulate without --out" "required" "" -- "$SBI" simulate --plugin "$PLUGIN" -n 10
expect_fail "train with a bad plugin" "cannot load --plugin" "$T/o.sbi" -- \
  "$SBI" train -t $D/train300_theta.csv -x $D/train300_x.csv --plugin "$NOT_PLUGIN" -o "$T/o.sbi"

# An existing output survives a failed run untouched.
cp "$T/s.csv" "$T/keep.csv"
"$SBI" sample -p "$T/post.sbi" -x "$T/obs_nan.csv" -o "$T/keep.csv" 2>/dev/null
cmp -s "$T/s.csv" "$T/keep.csv" && pass "failed run keeps the old output" || fail "failed run changed the old output"

echo "$fails failure(s)"
[ $fails -eq 0 ]
