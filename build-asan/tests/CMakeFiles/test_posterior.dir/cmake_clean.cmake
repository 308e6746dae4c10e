file(REMOVE_RECURSE
  "CMakeFiles/test_posterior.dir/unit/test_posterior.c.o"
  "CMakeFiles/test_posterior.dir/unit/test_posterior.c.o.d"
  "test_posterior"
  "test_posterior.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_posterior.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
