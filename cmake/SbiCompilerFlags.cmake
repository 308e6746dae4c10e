# Warnings, floating-point determinism and sanitizers for every libsbi target.
set(SBI_WARNINGS -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla
    -Wformat=2 -Wpointer-arith -Wundef)
if(SBI_WERROR)
  list(APPEND SBI_WARNINGS -Werror)
endif()

# No fused multiply-add contraction: golden values must not move between
# compilers or flags.
set(SBI_FP_FLAGS -ffp-contract=off)

if(SBI_SANITIZE)
  set(SBI_SANITIZE_FLAGS -fsanitize=${SBI_SANITIZE} -fno-sanitize-recover=all
      -fno-omit-frame-pointer)
  add_compile_options(${SBI_SANITIZE_FLAGS})
  add_link_options(-fsanitize=${SBI_SANITIZE})
endif()

# Apply the project's warnings and flags to a target.
function(sbi_target_flags target)
  target_compile_options(${target} PRIVATE ${SBI_WARNINGS} ${SBI_FP_FLAGS})
endfunction()
