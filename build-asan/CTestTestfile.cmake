# CMake generated Testfile for 
# Source directory: /work/wt-nnmdn
# Build directory: /work/wt-nnmdn/build-asan
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
subdirs("src")
subdirs("lib/python")
subdirs("lib/tasks")
subdirs("bench/nn")
subdirs("tests")
