# Empty dependencies file for bench_nn.
# This may be replaced when dependencies are built.
