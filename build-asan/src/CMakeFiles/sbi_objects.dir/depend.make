# Empty dependencies file for sbi_objects.
# This may be replaced when dependencies are built.
