file(REMOVE_RECURSE
  "CMakeFiles/test_tasks.dir/test_tasks.c.o"
  "CMakeFiles/test_tasks.dir/test_tasks.c.o.d"
  "test_tasks"
  "test_tasks.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_tasks.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
