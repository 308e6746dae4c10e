file(REMOVE_RECURSE
  "CMakeFiles/test_prior.dir/unit/test_prior.c.o"
  "CMakeFiles/test_prior.dir/unit/test_prior.c.o.d"
  "test_prior"
  "test_prior.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_prior.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
