#!/usr/bin/env bash
# ABI checks of the shared library.
#   check_exports.sh exports LIB SYMBOLS   every exported symbol starts with sbi_
#                                          and the list equals SYMBOLS
#   check_exports.sh update  LIB SYMBOLS   rewrite SYMBOLS from LIB
#   check_exports.sh soname  LIB NAME      the SONAME of LIB is NAME
set -euo pipefail
mode=$1 lib=$2 arg=$3
export LC_ALL=C

# Defined dynamic symbols as name@@VERSION, without the version nodes
# themselves (absolute symbols named like SBI_0).
exported() {
  nm -D --defined-only "$lib" | awk '$2 != "A" { print $3 }' | sort -u
}

case "$mode" in
exports)
  bad=$(exported | sed 's/@.*//' | grep -v -E '^sbi_' | grep -v -x -E '_init|_fini|_edata|_end|__bss_start' || true)
  if [ -n "$bad" ]; then
    echo "FAIL: $lib exports symbols without the sbi_ prefix:"; echo "$bad"; exit 1
  fi
  want=$(grep -v -E '^(#|$)' "$arg" | sort -u)
  have=$(exported | grep -E '^sbi_')
  if [ "$want" != "$have" ]; then
    echo "FAIL: exported symbols differ from $arg"
    echo "--- removed from the library (an ABI break unless intended):"
    comm -23 <(echo "$want") <(echo "$have")
    echo "--- new in the library (regenerate with: cmake --build <build> --target update-symbols):"
    comm -13 <(echo "$want") <(echo "$have")
    exit 1
  fi
  echo "OK: $(echo "$have" | wc -l) exported symbols, all sbi_*, matching $arg"
  ;;
update)
  {
    cat <<'HEADER'
# Exported symbols of libsbi.so as name@@VERSION-NODE, sorted (LC_ALL=C),
# from `nm -D --defined-only`. The abi_exports test fails when the library's
# list differs from this file, so an accidental removal or a leaked symbol
# fails CI. After adding public functions, regenerate it with
#   cmake --build build --target update-symbols
# (which runs tests/abi/check_exports.sh update build/src/libsbi.so.* tests/abi/symbols.txt)
# and review the diff: lines may be added, never removed or moved to another node.
HEADER
    exported | grep -E '^sbi_'
  } > "$arg"
  echo "wrote $arg ($(grep -c '^sbi_' "$arg") symbols)"
  ;;
soname)
  have=$(readelf -d "$lib" | sed -n 's/.*Library soname: \[\(.*\)\].*/\1/p')
  if [ "$have" != "$arg" ]; then
    echo "FAIL: SONAME of $lib is '$have', expected '$arg'"; exit 1
  fi
  echo "OK: SONAME $have"
  ;;
*)
  echo "usage: $0 exports|update|soname LIB ARG" >&2; exit 2
  ;;
esac
