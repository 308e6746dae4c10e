# Install rules: the libraries, the public headers, sbi.pc and the CMake
# package (find_package(sbi) gives sbi::sbi and sbi::sbi_static).
include(CMakePackageConfigHelpers)

install(TARGETS sbi sbi_static EXPORT sbiTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.h")
install(FILES ${SBI_GENERATED_INCLUDE}/sbi/version.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/sbi)

set(SBI_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/sbi)
install(EXPORT sbiTargets NAMESPACE sbi:: DESTINATION ${SBI_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/sbiConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/sbiConfig.cmake INSTALL_DESTINATION ${SBI_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/sbiConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/sbiConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/sbiConfigVersion.cmake DESTINATION ${SBI_CMAKE_DIR})

# sbi.pc locates the prefix relative to itself (${pcfiledir}), unless the
# library directory is absolute.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(SBI_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH _sbi_pc_up "/root/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/root")
  string(REGEX REPLACE "/$" "" _sbi_pc_up "${_sbi_pc_up}")
  set(SBI_PC_PREFIX "\${pcfiledir}/${_sbi_pc_up}")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/sbi.pc.in ${CMAKE_CURRENT_BINARY_DIR}/sbi.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/sbi.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
