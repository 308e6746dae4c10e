# Empty dependencies file for abi_version.
# This may be replaced when dependencies are built.
