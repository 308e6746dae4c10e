# sbi_add_test(NAME SOURCES src... [LIBS lib...] [LABELS label...] [TIMEOUT s])
# builds a CMocka test linked with the static library and the test support
# code, and registers it with CTest. Tests run from the repository root with
# one OpenBLAS thread.
function(sbi_add_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests/support)
  target_link_libraries(${name} PRIVATE sbi_static PkgConfig::SBI_CMOCKA ${T_LIBS})
  target_compile_definitions(${name} PRIVATE _GNU_SOURCE)
  sbi_target_flags(${name})
  add_test(NAME ${name} COMMAND ${name} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  set_tests_properties(${name} PROPERTIES TIMEOUT ${T_TIMEOUT}
    ENVIRONMENT "OPENBLAS_NUM_THREADS=1")
  if(T_LABELS)
    set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}")
  endif()
endfunction()
