file(REMOVE_RECURSE
  "CMakeFiles/test_flow_layers.dir/unit/test_flow_layers.c.o"
  "CMakeFiles/test_flow_layers.dir/unit/test_flow_layers.c.o.d"
  "test_flow_layers"
  "test_flow_layers.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_flow_layers.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
