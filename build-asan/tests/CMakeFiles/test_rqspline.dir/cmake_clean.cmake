file(REMOVE_RECURSE
  "CMakeFiles/test_rqspline.dir/unit/test_rqspline.c.o"
  "CMakeFiles/test_rqspline.dir/unit/test_rqspline.c.o.d"
  "test_rqspline"
  "test_rqspline.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_rqspline.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
