#!/usr/bin/env bash
# Install the built library into a temporary prefix, then build and run a
# consumer against the installed copy through pkg-config (sbi.pc) and
# through the CMake package (find_package(sbi) -> sbi::sbi, sbi::sbi_static).
# usage: run_install_test.sh BUILD_DIR CC [EXTRA_FLAGS]
# EXTRA_FLAGS (e.g. sanitizer flags) are passed to the consumer's compiler.
set -euo pipefail
build=$(cd "$1" && pwd) cc=$2 extra=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
work=$build/install-test
prefix=$work/prefix
rm -rf "$work"
mkdir -p "$work"

cmake --install "$build" --prefix "$prefix" > "$work/install.log"
for f in include/sbi.h include/sbi/core.h include/sbi/version.h include/sbi/export.h; do
  [ -f "$prefix/$f" ] || { echo "FAIL: $f not installed"; exit 1; }
done
pc=$(find "$prefix" -name sbi.pc | head -n1)
[ -n "$pc" ] || { echo "FAIL: sbi.pc not installed"; exit 1; }
libdir=$(dirname "$(dirname "$pc")")
[ -e "$libdir/libsbi.so.0" ] || { echo "FAIL: libsbi.so.0 not in $libdir"; exit 1; }
[ -e "$libdir/libsbi.a" ] || { echo "FAIL: libsbi.a not in $libdir"; exit 1; }
[ -f "$libdir/cmake/sbi/sbiConfig.cmake" ] || { echo "FAIL: sbiConfig.cmake not installed"; exit 1; }

# 1. pkg-config. The only rpath is the temporary prefix: the installed copy is used.
export PKG_CONFIG_PATH="$(dirname "$pc")${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
flags=$(pkg-config --cflags --libs sbi)
case "$flags" in *"$prefix"*) ;; *) echo "FAIL: pkg-config flags '$flags' miss the prefix"; exit 1;; esac
# shellcheck disable=SC2086
"$cc" $extra "$here/consumer.c" -o "$work/consumer_pc" $flags -Wl,-rpath,"$libdir"
# (ldd output is captured first: grep -q closing the pipe early would make
# ldd fail under pipefail.)
loads() { local deps; deps=$(ldd "$1"); grep -q -F "$2" <<< "$deps"; }
if ! loads "$work/consumer_pc" "$libdir/libsbi.so.0"; then
  echo "FAIL: consumer_pc does not load the installed libsbi:"; ldd "$work/consumer_pc"; exit 1
fi
"$work/consumer_pc"
echo "OK: pkg-config consumer"

# 2. The CMake package.
cmake -S "$here/consumer" -B "$work/cmake" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_C_COMPILER="$cc" -DCMAKE_C_FLAGS="$extra" -DCMAKE_BUILD_TYPE=Release > "$work/cmake.log"
cmake --build "$work/cmake" >> "$work/cmake.log"
if ! loads "$work/cmake/consumer_shared" "$libdir/libsbi.so.0"; then
  echo "FAIL: consumer_shared does not load the installed libsbi:"; ldd "$work/cmake/consumer_shared"; exit 1
fi
if loads "$work/cmake/consumer_static" libsbi; then
  echo "FAIL: consumer_static loads a shared libsbi"; exit 1
fi
"$work/cmake/consumer_shared"
"$work/cmake/consumer_static"
echo "OK: CMake package consumers (sbi::sbi, sbi::sbi_static)"
rm -rf "$work"
