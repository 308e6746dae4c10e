# Empty dependencies file for test_mdn.
# This may be replaced when dependencies are built.
