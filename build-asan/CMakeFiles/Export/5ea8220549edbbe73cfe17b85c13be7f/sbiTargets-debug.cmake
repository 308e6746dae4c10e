#----------------------------------------------------------------
# Generated CMake target import file for configuration "Debug".
#----------------------------------------------------------------

# Commands may need to know the format version.
set(CMAKE_IMPORT_FILE_VERSION 1)

# Import target "sbi::sbi" for configuration "Debug"
set_property(TARGET sbi::sbi APPEND PROPERTY IMPORTED_CONFIGURATIONS DEBUG)
set_target_properties(sbi::sbi PROPERTIES
  IMPORTED_LOCATION_DEBUG "${_IMPORT_PREFIX}/lib/libsbi.so.0.1.0"
  IMPORTED_SONAME_DEBUG "libsbi.so.0"
  )

list(APPEND _cmake_import_check_targets sbi::sbi )
list(APPEND _cmake_import_check_files_for_sbi::sbi "${_IMPORT_PREFIX}/lib/libsbi.so.0.1.0" )

# Import target "sbi::sbi_static" for configuration "Debug"
set_property(TARGET sbi::sbi_static APPEND PROPERTY IMPORTED_CONFIGURATIONS DEBUG)
set_target_properties(sbi::sbi_static PROPERTIES
  IMPORTED_LINK_INTERFACE_LANGUAGES_DEBUG "C"
  IMPORTED_LOCATION_DEBUG "${_IMPORT_PREFIX}/lib/libsbi.a"
  )

list(APPEND _cmake_import_check_targets sbi::sbi_static )
list(APPEND _cmake_import_check_files_for_sbi::sbi_static "${_IMPORT_PREFIX}/lib/libsbi.a" )

# Commands beyond this point should not need to know the version.
set(CMAKE_IMPORT_FILE_VERSION)
