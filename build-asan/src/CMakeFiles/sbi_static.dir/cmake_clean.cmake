file(REMOVE_RECURSE
  "libsbi.a"
  "libsbi.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/sbi_static.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
