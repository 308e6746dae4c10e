# Empty dependencies file for test_prior.
# This may be replaced when dependencies are built.
