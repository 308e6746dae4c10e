#!/usr/bin/env bash
# The whole test suite: install what is missing, build with warnings as
# errors, run every test. Usage: tools/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build/ci -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSBI_WERROR=ON
cmake --build build/ci -j "$jobs"
ctest --test-dir build/ci --output-on-failure -j "$jobs"
