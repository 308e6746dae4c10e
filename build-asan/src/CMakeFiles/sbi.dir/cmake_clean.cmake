file(REMOVE_RECURSE
  "libsbi.pdb"
  "libsbi.so"
  "libsbi.so.0"
  "libsbi.so.0.1.0"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/sbi.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
