# OpenBLAS (through CBLAS), LAPACKE, libm, threads; CMocka for tests.
# Debian: libopenblas-dev liblapacke-dev libcmocka-dev pkg-config.
find_package(PkgConfig REQUIRED)
pkg_check_modules(SBI_OPENBLAS REQUIRED IMPORTED_TARGET openblas)
pkg_check_modules(SBI_LAPACKE REQUIRED IMPORTED_TARGET lapacke)
find_package(Threads REQUIRED)
find_library(SBI_LIBM m)
if(SBI_BUILD_TESTS)
  pkg_check_modules(SBI_CMOCKA REQUIRED IMPORTED_TARGET cmocka)
endif()
