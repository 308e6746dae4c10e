#!/usr/bin/env bash
# The Hodgkin-Huxley tutorial from a fresh clone: install the Debian packages
# that are missing, configure and build an optimised libsbi, then run
# simulate -> train -> sample -> report.
# Usage: tools/tutorial.sh [hh_tutorial options]   (e.g. --simulations 1000; --help)
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh
build=build/release
jobs=$(nproc 2>/dev/null || echo 2)
echo "libsbi: configuring and building in $build (this takes a minute the first time)"
log=$(mktemp)
if ! { cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DSBI_BUILD_TESTS=OFF \
         -DSBI_BUILD_BENCH=OFF && cmake --build "$build" -j "$jobs" --target hh_tutorial sbi_cli hh_plugin; } >"$log" 2>&1; then
  cat "$log"
  rm -f "$log"
  echo "libsbi: the build failed (output above)" >&2
  exit 1
fi
rm -f "$log"
out=out/hh
args=("$@")
help=0
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[$i]}" in
    --out) [ $((i + 1)) -lt ${#args[@]} ] && out=${args[$((i + 1))]} ;;
    -h|--help) help=1 ;;
  esac
done
"$build/bin/hh_tutorial" "$@"
[ $help = 1 ] && exit 0
echo
echo "The output is in $out/ (open the .svg plots in a browser)."
echo "The command-line tool is $build/bin/sbi (try: $build/bin/sbi info $out/posterior.sbi;"
echo "the HH model as a plugin for sbi simulate is $build/lib/hh/sbi_hh_plugin.so)."
