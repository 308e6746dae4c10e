
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/wt-nnmdn/src/core/alloc.c" "src/CMakeFiles/sbi_objects.dir/core/alloc.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/core/alloc.c.o.d"
  "/work/wt-nnmdn/src/core/error.c" "src/CMakeFiles/sbi_objects.dir/core/error.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/core/error.c.o.d"
  "/work/wt-nnmdn/src/core/version.c" "src/CMakeFiles/sbi_objects.dir/core/version.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/core/version.c.o.d"
  "/work/wt-nnmdn/src/estimators/estimator.c" "src/CMakeFiles/sbi_objects.dir/estimators/estimator.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/estimators/estimator.c.o.d"
  "/work/wt-nnmdn/src/estimators/lu_linear.c" "src/CMakeFiles/sbi_objects.dir/estimators/lu_linear.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/estimators/lu_linear.c.o.d"
  "/work/wt-nnmdn/src/estimators/made.c" "src/CMakeFiles/sbi_objects.dir/estimators/made.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/estimators/made.c.o.d"
  "/work/wt-nnmdn/src/estimators/maf.c" "src/CMakeFiles/sbi_objects.dir/estimators/maf.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/estimators/maf.c.o.d"
  "/work/wt-nnmdn/src/estimators/mdn.c" "src/CMakeFiles/sbi_objects.dir/estimators/mdn.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/estimators/mdn.c.o.d"
  "/work/wt-nnmdn/src/estimators/permutation.c" "src/CMakeFiles/sbi_objects.dir/estimators/permutation.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/estimators/permutation.c.o.d"
  "/work/wt-nnmdn/src/estimators/rqspline.c" "src/CMakeFiles/sbi_objects.dir/estimators/rqspline.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/estimators/rqspline.c.o.d"
  "/work/wt-nnmdn/src/inference/train.c" "src/CMakeFiles/sbi_objects.dir/inference/train.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/inference/train.c.o.d"
  "/work/wt-nnmdn/src/inference/trainer.c" "src/CMakeFiles/sbi_objects.dir/inference/trainer.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/inference/trainer.c.o.d"
  "/work/wt-nnmdn/src/io/csv.c" "src/CMakeFiles/sbi_objects.dir/io/csv.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/io/csv.c.o.d"
  "/work/wt-nnmdn/src/io/file.c" "src/CMakeFiles/sbi_objects.dir/io/file.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/io/file.c.o.d"
  "/work/wt-nnmdn/src/io/npy.c" "src/CMakeFiles/sbi_objects.dir/io/npy.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/io/npy.c.o.d"
  "/work/wt-nnmdn/src/io/prior_spec.c" "src/CMakeFiles/sbi_objects.dir/io/prior_spec.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/io/prior_spec.c.o.d"
  "/work/wt-nnmdn/src/io/table.c" "src/CMakeFiles/sbi_objects.dir/io/table.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/io/table.c.o.d"
  "/work/wt-nnmdn/src/io/text.c" "src/CMakeFiles/sbi_objects.dir/io/text.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/io/text.c.o.d"
  "/work/wt-nnmdn/src/nn/activation.c" "src/CMakeFiles/sbi_objects.dir/nn/activation.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/nn/activation.c.o.d"
  "/work/wt-nnmdn/src/nn/adam.c" "src/CMakeFiles/sbi_objects.dir/nn/adam.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/nn/adam.c.o.d"
  "/work/wt-nnmdn/src/nn/dense.c" "src/CMakeFiles/sbi_objects.dir/nn/dense.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/nn/dense.c.o.d"
  "/work/wt-nnmdn/src/nn/gemm.c" "src/CMakeFiles/sbi_objects.dir/nn/gemm.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/nn/gemm.c.o.d"
  "/work/wt-nnmdn/src/nn/gradcheck.c" "src/CMakeFiles/sbi_objects.dir/nn/gradcheck.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/nn/gradcheck.c.o.d"
  "/work/wt-nnmdn/src/nn/mlp.c" "src/CMakeFiles/sbi_objects.dir/nn/mlp.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/nn/mlp.c.o.d"
  "/work/wt-nnmdn/src/plot/figure.c" "src/CMakeFiles/sbi_objects.dir/plot/figure.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/plot/figure.c.o.d"
  "/work/wt-nnmdn/src/plot/pairplot.c" "src/CMakeFiles/sbi_objects.dir/plot/pairplot.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/plot/pairplot.c.o.d"
  "/work/wt-nnmdn/src/plot/render.c" "src/CMakeFiles/sbi_objects.dir/plot/render.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/plot/render.c.o.d"
  "/work/wt-nnmdn/src/plot/ticks.c" "src/CMakeFiles/sbi_objects.dir/plot/ticks.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/plot/ticks.c.o.d"
  "/work/wt-nnmdn/src/posterior/crc32.c" "src/CMakeFiles/sbi_objects.dir/posterior/crc32.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/posterior/crc32.c.o.d"
  "/work/wt-nnmdn/src/posterior/format_file.c" "src/CMakeFiles/sbi_objects.dir/posterior/format_file.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/posterior/format_file.c.o.d"
  "/work/wt-nnmdn/src/posterior/format_read.c" "src/CMakeFiles/sbi_objects.dir/posterior/format_read.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/posterior/format_read.c.o.d"
  "/work/wt-nnmdn/src/posterior/format_write.c" "src/CMakeFiles/sbi_objects.dir/posterior/format_write.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/posterior/format_write.c.o.d"
  "/work/wt-nnmdn/src/posterior/log_prob.c" "src/CMakeFiles/sbi_objects.dir/posterior/log_prob.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/posterior/log_prob.c.o.d"
  "/work/wt-nnmdn/src/posterior/map.c" "src/CMakeFiles/sbi_objects.dir/posterior/map.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/posterior/map.c.o.d"
  "/work/wt-nnmdn/src/posterior/posterior.c" "src/CMakeFiles/sbi_objects.dir/posterior/posterior.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/posterior/posterior.c.o.d"
  "/work/wt-nnmdn/src/posterior/sample.c" "src/CMakeFiles/sbi_objects.dir/posterior/sample.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/posterior/sample.c.o.d"
  "/work/wt-nnmdn/src/prior/gaussian.c" "src/CMakeFiles/sbi_objects.dir/prior/gaussian.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/prior/gaussian.c.o.d"
  "/work/wt-nnmdn/src/prior/prior.c" "src/CMakeFiles/sbi_objects.dir/prior/prior.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/prior/prior.c.o.d"
  "/work/wt-nnmdn/src/prior/prior_eval.c" "src/CMakeFiles/sbi_objects.dir/prior/prior_eval.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/prior/prior_eval.c.o.d"
  "/work/wt-nnmdn/src/rng/philox.c" "src/CMakeFiles/sbi_objects.dir/rng/philox.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/rng/philox.c.o.d"
  "/work/wt-nnmdn/src/rng/rng.c" "src/CMakeFiles/sbi_objects.dir/rng/rng.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/rng/rng.c.o.d"
  "/work/wt-nnmdn/src/sim/dataset.c" "src/CMakeFiles/sbi_objects.dir/sim/dataset.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/sim/dataset.c.o.d"
  "/work/wt-nnmdn/src/sim/run.c" "src/CMakeFiles/sbi_objects.dir/sim/run.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/sim/run.c.o.d"
  "/work/wt-nnmdn/src/sim/runner.c" "src/CMakeFiles/sbi_objects.dir/sim/runner.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/sim/runner.c.o.d"
  "/work/wt-nnmdn/src/sim/simulator.c" "src/CMakeFiles/sbi_objects.dir/sim/simulator.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/sim/simulator.c.o.d"
  "/work/wt-nnmdn/src/stats/moments.c" "src/CMakeFiles/sbi_objects.dir/stats/moments.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/stats/moments.c.o.d"
  "/work/wt-nnmdn/src/stats/spikes.c" "src/CMakeFiles/sbi_objects.dir/stats/spikes.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/stats/spikes.c.o.d"
  "/work/wt-nnmdn/src/stats/summary.c" "src/CMakeFiles/sbi_objects.dir/stats/summary.c.o" "gcc" "src/CMakeFiles/sbi_objects.dir/stats/summary.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
