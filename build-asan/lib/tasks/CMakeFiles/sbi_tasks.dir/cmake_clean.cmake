file(REMOVE_RECURSE
  "CMakeFiles/sbi_tasks.dir/loader.c.o"
  "CMakeFiles/sbi_tasks.dir/loader.c.o.d"
  "CMakeFiles/sbi_tasks.dir/simulators.c.o"
  "CMakeFiles/sbi_tasks.dir/simulators.c.o.d"
  "CMakeFiles/sbi_tasks.dir/tasks.c.o"
  "CMakeFiles/sbi_tasks.dir/tasks.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/sbi_tasks.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
