# Empty compiler generated dependencies file for test_tasks.
# This may be replaced when dependencies are built.
