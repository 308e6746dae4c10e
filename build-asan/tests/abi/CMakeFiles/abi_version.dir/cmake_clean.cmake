file(REMOVE_RECURSE
  "CMakeFiles/abi_version.dir/test_version.c.o"
  "CMakeFiles/abi_version.dir/test_version.c.o.d"
  "abi_version"
  "abi_version.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/abi_version.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
