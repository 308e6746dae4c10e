file(REMOVE_RECURSE
  "libsbi.a"
)
