# Empty compiler generated dependencies file for sbi.
# This may be replaced when dependencies are built.
