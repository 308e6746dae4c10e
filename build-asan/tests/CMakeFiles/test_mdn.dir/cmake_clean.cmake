file(REMOVE_RECURSE
  "CMakeFiles/test_mdn.dir/unit/test_mdn.c.o"
  "CMakeFiles/test_mdn.dir/unit/test_mdn.c.o.d"
  "test_mdn"
  "test_mdn.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_mdn.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
