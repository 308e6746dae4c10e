# CMake generated Testfile for 
# Source directory: /work/wt-nnmdn/tests/install
# Build directory: /work/wt-nnmdn/build-asan/tests/install
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test([=[install_consumer]=] "/work/wt-nnmdn/tests/install/run_install_test.sh" "/work/wt-nnmdn/build-asan" "/usr/bin/cc" "-fsanitize=address,undefined")
set_tests_properties([=[install_consumer]=] PROPERTIES  ENVIRONMENT "OPENBLAS_NUM_THREADS=1" LABELS "install" TIMEOUT "300" _BACKTRACE_TRIPLES "/work/wt-nnmdn/tests/install/CMakeLists.txt;7;add_test;/work/wt-nnmdn/tests/install/CMakeLists.txt;0;")
