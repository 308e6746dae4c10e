# Empty compiler generated dependencies file for sbi_static.
# This may be replaced when dependencies are built.
