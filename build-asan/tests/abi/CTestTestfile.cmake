# CMake generated Testfile for 
# Source directory: /work/wt-nnmdn/tests/abi
# Build directory: /work/wt-nnmdn/build-asan/tests/abi
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test([=[abi_exports]=] "/work/wt-nnmdn/tests/abi/check_exports.sh" "exports" "/work/wt-nnmdn/build-asan/src/libsbi.so.0.1.0" "/work/wt-nnmdn/tests/abi/symbols.txt")
set_tests_properties([=[abi_exports]=] PROPERTIES  LABELS "abi" _BACKTRACE_TRIPLES "/work/wt-nnmdn/tests/abi/CMakeLists.txt;7;add_test;/work/wt-nnmdn/tests/abi/CMakeLists.txt;0;")
add_test([=[abi_soname]=] "/work/wt-nnmdn/tests/abi/check_exports.sh" "soname" "/work/wt-nnmdn/build-asan/src/libsbi.so.0.1.0" "libsbi.so.0")
set_tests_properties([=[abi_soname]=] PROPERTIES  LABELS "abi" _BACKTRACE_TRIPLES "/work/wt-nnmdn/tests/abi/CMakeLists.txt;9;add_test;/work/wt-nnmdn/tests/abi/CMakeLists.txt;0;")
add_test([=[abi_version]=] "/work/wt-nnmdn/build-asan/tests/abi/abi_version")
set_tests_properties([=[abi_version]=] PROPERTIES  LABELS "abi" _BACKTRACE_TRIPLES "/work/wt-nnmdn/tests/abi/CMakeLists.txt;21;add_test;/work/wt-nnmdn/tests/abi/CMakeLists.txt;0;")
add_test([=[abi_cxx_header]=] "/usr/bin/g++" "-std=c++11" "-fsyntax-only" "-Wall" "-Wextra" "-Wpedantic" "-Werror" "-I/work/wt-nnmdn/include" "-I/work/wt-nnmdn/build-asan/include" "/work/wt-nnmdn/tests/abi/cxx_header.cpp")
set_tests_properties([=[abi_cxx_header]=] PROPERTIES  LABELS "abi" _BACKTRACE_TRIPLES "/work/wt-nnmdn/tests/abi/CMakeLists.txt;25;add_test;/work/wt-nnmdn/tests/abi/CMakeLists.txt;0;")
add_test([=[abi_cffi]=] "/usr/bin/python3" "/work/wt-nnmdn/tests/abi/test_cffi.py" "/usr/bin/cc" "/work/wt-nnmdn/include" "/work/wt-nnmdn/build-asan/include" "/work/wt-nnmdn/build-asan/src/libsbi.so.0.1.0" "parse-only")
set_tests_properties([=[abi_cffi]=] PROPERTIES  LABELS "abi" SKIP_RETURN_CODE "77" _BACKTRACE_TRIPLES "/work/wt-nnmdn/tests/abi/CMakeLists.txt;40;add_test;/work/wt-nnmdn/tests/abi/CMakeLists.txt;0;")
