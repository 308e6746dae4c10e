file(REMOVE_RECURSE
  "CMakeFiles/test_flows_maf.dir/unit/test_flows_maf.c.o"
  "CMakeFiles/test_flows_maf.dir/unit/test_flows_maf.c.o.d"
  "test_flows_maf"
  "test_flows_maf.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_flows_maf.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
