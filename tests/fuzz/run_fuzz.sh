#!/usr/bin/env bash
# Run the libFuzzer targets: build them with clang (build/fuzz/), copy the
# checked-in seeds into a scratch corpus per target (build/fuzz/corpus/), and
# fuzz each target for SECONDS (default 600), JOBS targets at a time (default
# 1), at low priority. Crashes land in build/fuzz/artifacts/<target>/; add a
# minimised reproducer to tests/fuzz/corpus/<folder>/ once fixed.
#
# Usage: tests/fuzz/run_fuzz.sh [SECONDS] [TARGET...]
#   env: JOBS (parallel targets), RSS_MB (default 2048), CC (default clang-14)
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(posterior_mem posterior_file posterior_roundtrip csv npy prior_spec checkpoint plugin_descriptor)
jobs=${JOBS:-1}
export OPENBLAS_NUM_THREADS=1
# The file targets write a scratch file per input (and the checkpoint is
# fsynced): in memory when /dev/shm exists.
[ -z "${TMPDIR:-}" ] && [ -w /dev/shm ] && export TMPDIR=/dev/shm
CC=${CC:-clang-14} cmake -S . -B build/fuzz -DSBI_FUZZ=ON -DSBI_BUILD_BENCH=OFF \
  -DSBI_BUILD_EXAMPLES=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
cmake --build build/fuzz -j 2 --target "${targets[@]/#/fuzz_}" > /dev/null

corpus_of() {
  case "$1" in
  posterior_*) echo posterior ;;
  *) echo "$1" ;;
  esac
}

run_one() {
  local t=$1 c
  c=$(corpus_of "$t")
  mkdir -p "build/fuzz/corpus/$t" "build/fuzz/artifacts/$t"
  cp -n tests/fuzz/corpus/"$c"/* "build/fuzz/corpus/$t/" 2> /dev/null || true
  local rc=0
  nice -n 10 "build/fuzz/tests/fuzz/fuzz_$t" "build/fuzz/corpus/$t" \
    -max_total_time="$secs" -rss_limit_mb="${RSS_MB:-2048}" -timeout=25 -print_final_stats=1 \
    -artifact_prefix="build/fuzz/artifacts/$t/" > "build/fuzz/fuzz-$t.log" 2>&1 || rc=$?
  local execs cov files
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "build/fuzz/fuzz-$t.log" | grep -o '[0-9]*$' || echo '?')
  cov=$(grep -o 'cov: [0-9]*' "build/fuzz/fuzz-$t.log" | tail -1 | grep -o '[0-9]*' || echo '?')
  files=$(find "build/fuzz/corpus/$t" -type f | wc -l)
  echo "$t: exit $rc, ${secs} s, $execs executions, coverage $cov edges, corpus $files files"
}

running=0
for t in "${targets[@]}"; do
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n || true
    running=$((running - 1))
  fi
done
wait
