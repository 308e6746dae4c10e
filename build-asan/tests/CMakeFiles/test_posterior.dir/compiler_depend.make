# Empty compiler generated dependencies file for test_posterior.
# This may be replaced when dependencies are built.
