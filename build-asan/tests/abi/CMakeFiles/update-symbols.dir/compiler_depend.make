# Empty custom commands generated dependencies file for update-symbols.
# This may be replaced when dependencies are built.
