# CMake generated Testfile for 
# Source directory: /work/wt-nnmdn/tests/tasks
# Build directory: /work/wt-nnmdn/build-asan/tests/tasks
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test([=[test_tasks]=] "/work/wt-nnmdn/build-asan/tests/tasks/test_tasks")
set_tests_properties([=[test_tasks]=] PROPERTIES  ENVIRONMENT "OPENBLAS_NUM_THREADS=1" TIMEOUT "300" WORKING_DIRECTORY "/work/wt-nnmdn" _BACKTRACE_TRIPLES "/work/wt-nnmdn/cmake/SbiTesting.cmake;12;add_test;/work/wt-nnmdn/tests/tasks/CMakeLists.txt;3;sbi_add_test;/work/wt-nnmdn/tests/tasks/CMakeLists.txt;0;")
