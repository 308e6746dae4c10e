# Empty compiler generated dependencies file for test_flows_maf.
# This may be replaced when dependencies are built.
