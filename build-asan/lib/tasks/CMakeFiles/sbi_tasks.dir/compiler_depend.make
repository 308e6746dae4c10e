# Empty compiler generated dependencies file for sbi_tasks.
# This may be replaced when dependencies are built.
