file(REMOVE_RECURSE
  "CMakeFiles/update-symbols"
)

# Per-language clean rules from dependency scanning.
foreach(lang )
  include(CMakeFiles/update-symbols.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
