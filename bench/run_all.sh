#!/usr/bin/env bash
# Every libsbi benchmark, on an optimised build, with the results collected
# in one folder (CSV + JSON per program, the tutorial runs, the machine):
#   bench_hh      HH simulation: kernels, 1 and 2 workers, speed-up
#   bench_nn      one MDN training step next to the same-shape dgemm
#   bench_train   NPE-MDN training at 300 .. 100 000 HH simulations
#   bench_sample  sampling throughput and latency, log_prob, file
#   hh_tutorial   the whole tutorial under /usr/bin/time -v at several sizes:
#                 wall time, CPU time, peak resident memory, time per stage
# and the scaling plot (perf-scaling.svg, drawn with libsbi's plot module).
#
# Usage: bench/run_all.sh [--build DIR] [--quick] [--sizes "300 1000 ..."]
#   --build DIR   build folder (default build/release, configured Release)
#   --quick       fewer repetitions and no 100 000-simulation runs (~2 min)
# Takes ~6-8 minutes on the 2-core machine under load; the first run also
# simulates the 100 000 HH simulations that bench_train caches (~1-2 min).
set -euo pipefail
cd "$(dirname "$0")/.."
build=build/release
quick=0
sizes=""
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --quick) quick=1; shift ;;
    --sizes) sizes=$2; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "run_all.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ -z "$sizes" ]; then
  if [ $quick = 1 ]; then sizes="300 1000 10000"; else sizes="300 1000 10000 30000 100000"; fi
fi
jobs=2
blog=$(mktemp)
if ! { if [ -f "$build/CMakeCache.txt" ]; then cmake -S . -B "$build"; else
         cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DSBI_BUILD_TESTS=OFF; fi &&
       cmake --build "$build" -j $jobs --target bench_hh bench_nn bench_train bench_sample \
         hh_tutorial perf_plot; } >"$blog" 2>&1; then
  cat "$blog"
  rm -f "$blog"
  echo "run_all.sh: the build failed (output above)" >&2
  exit 1
fi
rm -f "$blog"
results=$(cd "$build" && pwd)/bench-results
mkdir -p "$results"
export SBI_BENCH_RESULTS=$results
export OPENBLAS_NUM_THREADS=1 # per-core figures: the matrices are far too small for threads
log=$results/run_all.log
: >"$log"
say() { echo "$@" | tee -a "$log"; }

{
  echo "date: $(date -Iseconds)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (modified)')"
  echo "uptime: $(uptime)"
  lscpu | grep -E "^(Model name|CPU\(s\)|Thread|Core|Socket|L1d|L2|L3|Flags)" | sed 's/Flags:.*\(avx512f\).*/Flags: ... avx2 fma avx512f .../'
  grep MemTotal /proc/meminfo
  echo "compiler: $(cc --version | head -1)"
  echo "openblas: $(dpkg-query -W -f='${Version}' libopenblas0-pthread 2>/dev/null || echo unknown)"
} >"$results/machine.txt"
say "== machine"; cat "$results/machine.txt" | tee -a "$log"

reps=5; [ $quick = 1 ] && reps=2
say; say "== bench_hh (HH simulation)"
"$build/bench/hh/bench_hh" --repeats $reps | tee -a "$log"
say; say "== bench_nn (one MDN training step vs the same-shape dgemm)"
"$build/bench/nn/bench_nn" | tee "$results/nn.txt" | tee -a "$log"
say; say "== bench_train (NPE-MDN training on HH simulations)"
if [ $quick = 1 ]; then
  "$build/bench/train/bench_train" --sizes 300,2000,10000 --repeats 2 | tee -a "$log"
else
  "$build/bench/train/bench_train" | tee -a "$log"
fi
say; say "== bench_sample (sampling, log_prob, posterior file)"
"$build/bench/posterior/bench_sample" | tee -a "$log"

# The tutorial, measured from outside. Repetitions: medians over them.
say; say "== hh_tutorial (2 workers) under /usr/bin/time -v"
tut=$results/tutorial_runs.csv
echo "sims,run,wall_s,user_s,sys_s,max_rss_kb,simulate_s,train_s,sample_s,write_s,total_s,cpu_simulate_s,cpu_train_s,cpu_total_s,epochs,load1" >"$tut"
for n in $sizes; do
  r=3
  [ "$n" -le 300 ] && r=5
  [ "$n" -ge 30000 ] && r=1
  [ $quick = 1 ] && r=2
  for ((i = 1; i <= r; i++)); do
    out=$results/tutorial-out
    tv=$results/.time.txt
    load=$(cut -d' ' -f1 /proc/loadavg)
    /usr/bin/time -v -o "$tv" "$build/bin/hh_tutorial" --simulations "$n" --workers 2 \
      --out "$out" >"$results/.tut.txt" 2>&1 || { cat "$results/.tut.txt"; exit 1; }
    awk -v n="$n" -v i="$i" -v load="$load" -v tut="$results/.tut.txt" '
      /Elapsed \(wall clock\)/ { split($NF, a, ":"); wall = (length(a) == 3) ? a[1]*3600 + a[2]*60 + a[3] : a[1]*60 + a[2] }
      /User time/ { user = $NF } /System time/ { sys = $NF }
      /Maximum resident set size/ { rss = $NF }
      END {
        while ((getline line < tut) > 0) {
          if (line ~ /^time: /) { gsub(/[,;]/, "", line); split(line, t, " "); sim = t[3]; tr = t[6]; sa = t[9]; wr = t[12]; tot = t[15] }
          if (line ~ /^cpu: /) { gsub(/[,;]/, "", line); split(line, c, " "); csim = c[3]; ctr = c[6]; ctot = c[9] }
          if (line ~ /trained/) { match(line, /: [0-9]+ epochs/); ep = substr(line, RSTART + 2, RLENGTH - 9) }
        }
        printf "%s,%d,%.3f,%.2f,%.2f,%d,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", n, i, wall, user, sys, rss, sim, tr, sa, wr, tot, csim, ctr, ctot, ep, load
      }' "$tv" >>"$tut"
    tail -1 "$tut" | tee -a "$log"
  done
done
rm -f "$results/.time.txt" "$results/.tut.txt"

# Medians per size.
sum=$results/tutorial_summary.csv
echo "sims,runs,wall_s,cpu_s,max_rss_mb,simulate_s,train_s,sample_s,write_s,cpu_simulate_s,cpu_train_s,epochs" >"$sum"
for n in $sizes; do
  awk -F, -v n="$n" '
    function median(col,    k, m, i, j, t, v) {
      m = 0
      for (i = 1; i <= cnt; i++) v[++m] = row[i, col]
      for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
      return (m % 2) ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
    }
    NR > 1 && $1 == n { cnt++; for (k = 1; k <= NF; k++) row[cnt, k] = $k; row[cnt, 17] = $4 + $5 }
    END { printf "%s,%d,%.3f,%.3f,%.2f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%s\n", n, cnt, median(3), median(17), median(6) / 1024, median(7), median(8), median(9), median(10), median(12), median(13), median(15) }
  ' "$tut" >>"$sum"
done
say; say "tutorial medians (wall and cpu in s, peak RSS in MB; stage times: wall, cpu_* CPU of all threads)"
column -s, -t <"$sum" | tee -a "$log"

"$build/bench/plot/perf_plot" "$sum" "$results/train.csv" "$results/perf-scaling.svg" | tee -a "$log"
say; say "uptime at the end: $(uptime)"
say "results in $results/ (machine.txt, *.csv, *.json, perf-scaling.svg, run_all.log)"
