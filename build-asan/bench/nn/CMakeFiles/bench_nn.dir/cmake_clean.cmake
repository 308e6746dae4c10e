file(REMOVE_RECURSE
  "CMakeFiles/bench_nn.dir/bench_nn.c.o"
  "CMakeFiles/bench_nn.dir/bench_nn.c.o.d"
  "bench_nn"
  "bench_nn.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/bench_nn.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
