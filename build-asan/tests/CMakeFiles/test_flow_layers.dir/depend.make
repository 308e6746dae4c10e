# Empty dependencies file for test_flow_layers.
# This may be replaced when dependencies are built.
