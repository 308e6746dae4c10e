# CMake generated Testfile for 
# Source directory: /work/wt-nnmdn/tests
# Build directory: /work/wt-nnmdn/build-asan/tests
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test([=[test_flow_layers]=] "/work/wt-nnmdn/build-asan/tests/test_flow_layers")
set_tests_properties([=[test_flow_layers]=] PROPERTIES  ENVIRONMENT "OPENBLAS_NUM_THREADS=1" TIMEOUT "300" WORKING_DIRECTORY "/work/wt-nnmdn" _BACKTRACE_TRIPLES "/work/wt-nnmdn/cmake/SbiTesting.cmake;12;add_test;/work/wt-nnmdn/tests/CMakeLists.txt;10;sbi_add_test;/work/wt-nnmdn/tests/CMakeLists.txt;0;")
add_test([=[test_flows_maf]=] "/work/wt-nnmdn/build-asan/tests/test_flows_maf")
set_tests_properties([=[test_flows_maf]=] PROPERTIES  ENVIRONMENT "OPENBLAS_NUM_THREADS=1" TIMEOUT "300" WORKING_DIRECTORY "/work/wt-nnmdn" _BACKTRACE_TRIPLES "/work/wt-nnmdn/cmake/SbiTesting.cmake;12;add_test;/work/wt-nnmdn/tests/CMakeLists.txt;10;sbi_add_test;/work/wt-nnmdn/tests/CMakeLists.txt;0;")
add_test([=[test_io]=] "/work/wt-nnmdn/build-asan/tests/test_io")
set_tests_properties([=[test_io]=] PROPERTIES  ENVIRONMENT "OPENBLAS_NUM_THREADS=1" TIMEOUT "300" WORKING_DIRECTORY "/work/wt-nnmdn" _BACKTRACE_TRIPLES "/work/wt-nnmdn/cmake/SbiTesting.cmake;12;add_test;/work/wt-nnmdn/tests/CMakeLists.txt;10;sbi_add_test;/work/wt-nnmdn/tests/CMakeLists.txt;0;")
add_test([=[test_mdn]=] "/work/wt-nnmdn/build-asan/tests/test_mdn")
set_tests_properties([=[test_mdn]=] PROPERTIES  ENVIRONMENT "OPENBLAS_NUM_THREADS=1" TIMEOUT "300" WORKING_DIRECTORY "/work/wt-nnmdn" _BACKTRACE_TRIPLES "/work/wt-nnmdn/cmake/SbiTesting.cmake;12;add_test;/work/wt-nnmdn/tests/CMakeLists.txt;10;sbi_add_test;/work/wt-nnmdn/tests/CMakeLists.txt;0;")
add_test([=[test_nn]=] "/work/wt-nnmdn/build-asan/tests/test_nn")
set_tests_properties([=[test_nn]=] PROPERTIES  ENVIRONMENT "OPENBLAS_NUM_THREADS=1" TIMEOUT "300" WORKING_DIRECTORY "/work/wt-nnmdn" _BACKTRACE_TRIPLES "/work/wt-nnmdn/cmake/SbiTesting.cmake;12;add_test;/work/wt-nnmdn/tests/CMakeLists.txt;10;sbi_add_test;/work/wt-nnmdn/tests/CMakeLists.txt;0;")
add_test([=[test_plot]=] "/work/wt-nnmdn/build-asan/tests/test_plot")
set_tests_properties([=[test_plot]=] PROPERTIES  ENVIRONMENT "OPENBLAS_NUM_THREADS=1" TIMEOUT "300" WORKING_DIRECTORY "/work/wt-nnmdn" _BACKTRACE_TRIPLES "/work/wt-nnmdn/cmake/SbiTesting.cmake;12;add_test;/work/wt-nnmdn/tests/CMakeLists.txt;10;sbi_add_test;/work/wt-nnmdn/tests/CMakeLists.txt;0;")
add_test([=[test_posterior]=] "/work/wt-nnmdn/build-asan/tests/test_posterior")
set_tests_properties([=[test_posterior]=] PROPERTIES  ENVIRONMENT "OPENBLAS_NUM_THREADS=1" TIMEOUT "300" WORKING_DIRECTORY "/work/wt-nnmdn" _BACKTRACE_TRIPLES "/work/wt-nnmdn/cmake/SbiTesting.cmake;12;add_test;/work/wt-nnmdn/tests/CMakeLists.txt;10;sbi_add_test;/work/wt-nnmdn/tests/CMakeLists.txt;0;")
add_test([=[test_prior]=] "/work/wt-nnmdn/build-asan/tests/test_prior")
set_tests_properties([=[test_prior]=] PROPERTIES  ENVIRONMENT "OPENBLAS_NUM_THREADS=1" TIMEOUT "300" WORKING_DIRECTORY "/work/wt-nnmdn" _BACKTRACE_TRIPLES "/work/wt-nnmdn/cmake/SbiTesting.cmake;12;add_test;/work/wt-nnmdn/tests/CMakeLists.txt;10;sbi_add_test;/work/wt-nnmdn/tests/CMakeLists.txt;0;")
add_test([=[test_rng]=] "/work/wt-nnmdn/build-asan/tests/test_rng")
set_tests_properties([=[test_rng]=] PROPERTIES  ENVIRONMENT "OPENBLAS_NUM_THREADS=1" TIMEOUT "300" WORKING_DIRECTORY "/work/wt-nnmdn" _BACKTRACE_TRIPLES "/work/wt-nnmdn/cmake/SbiTesting.cmake;12;add_test;/work/wt-nnmdn/tests/CMakeLists.txt;10;sbi_add_test;/work/wt-nnmdn/tests/CMakeLists.txt;0;")
add_test([=[test_rqspline]=] "/work/wt-nnmdn/build-asan/tests/test_rqspline")
set_tests_properties([=[test_rqspline]=] PROPERTIES  ENVIRONMENT "OPENBLAS_NUM_THREADS=1" TIMEOUT "300" WORKING_DIRECTORY "/work/wt-nnmdn" _BACKTRACE_TRIPLES "/work/wt-nnmdn/cmake/SbiTesting.cmake;12;add_test;/work/wt-nnmdn/tests/CMakeLists.txt;10;sbi_add_test;/work/wt-nnmdn/tests/CMakeLists.txt;0;")
add_test([=[test_runner]=] "/work/wt-nnmdn/build-asan/tests/test_runner")
set_tests_properties([=[test_runner]=] PROPERTIES  ENVIRONMENT "OPENBLAS_NUM_THREADS=1" TIMEOUT "300" WORKING_DIRECTORY "/work/wt-nnmdn" _BACKTRACE_TRIPLES "/work/wt-nnmdn/cmake/SbiTesting.cmake;12;add_test;/work/wt-nnmdn/tests/CMakeLists.txt;10;sbi_add_test;/work/wt-nnmdn/tests/CMakeLists.txt;0;")
add_test([=[test_stats]=] "/work/wt-nnmdn/build-asan/tests/test_stats")
set_tests_properties([=[test_stats]=] PROPERTIES  ENVIRONMENT "OPENBLAS_NUM_THREADS=1" TIMEOUT "300" WORKING_DIRECTORY "/work/wt-nnmdn" _BACKTRACE_TRIPLES "/work/wt-nnmdn/cmake/SbiTesting.cmake;12;add_test;/work/wt-nnmdn/tests/CMakeLists.txt;10;sbi_add_test;/work/wt-nnmdn/tests/CMakeLists.txt;0;")
subdirs("abi")
subdirs("install")
subdirs("tasks")
