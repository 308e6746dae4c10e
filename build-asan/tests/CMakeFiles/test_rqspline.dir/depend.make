# Empty dependencies file for test_rqspline.
# This may be replaced when dependencies are built.
