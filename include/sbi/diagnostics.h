/* libsbi diagnostics: is a posterior right? Classifier two-sample tests
 * (C2ST, as the sbibm benchmark scores accuracy), simulation-based
 * calibration (SBC) ranks with uniformity tests, expected coverage of
 * highest-posterior-density (HPD) regions, and SVG plots of both.
 * docs/diagnostics.md describes the procedures and their conventions.
 *
 * Arrays are row-major: samples are double[n][dim]; SBC posterior samples
 * are double[n_tests][n_samples][dim]; ranks are int32_t[n_tests][dim].
 *
 * Thread-safety: every function here works only on its arguments and may run
 * on several threads at once with distinct output buffers. sbi_sbc_run reads
 * a const posterior and simulator; the simulator's callback is called on the
 * caller's thread only. */
#ifndef SBI_DIAGNOSTICS_H
#define SBI_DIAGNOSTICS_H

#include "sbi/core.h"
#include "sbi/posterior.h"
#include "sbi/prior.h"
#include "sbi/simulator.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- C2ST --------------------------------------------------------------- */

/* Classifier two-sample test accuracy between samples x (double[n_x][dim],
 * label 0, the reference) and y (double[n_y][dim], label 1), exactly as
 * sbibm scores C2ST: both sets are z-scored with the mean and unbiased
 * standard deviation of x; a multilayer perceptron (2 hidden layers of 10*dim
 * ReLU units, logistic output) is trained with Adam (learning rate 1e-3, L2
 * penalty 1e-4, mini-batches of 200, at most 10 000 epochs, stopped once the
 * training loss has not improved by 1e-4 for 10 epochs, as scikit-learn's
 * MLPClassifier); 5-fold shuffled cross-validation over the pooled rows;
 * *accuracy receives the mean held-out accuracy. 0.5: indistinguishable,
 * 1.0: fully separable. Same seed, same result.
 * Errors: SBI_EINVAL (NULL pointers, dim < 1, fewer than 2 rows in x, fewer
 * rows than folds, a non-finite value, a constant column in x),
 * SBI_ENOMEM, SBI_ENUMERIC (training diverged). Cost: about
 * epochs * (n_x + n_y) * 100 dim^2 multiply-adds per fold. */
SBI_API int sbi_c2st(int64_t n_x, const double *x, int64_t n_y, const double *y, int32_t dim,
                     uint64_t seed, double *accuracy);

/* sbi_c2st with the procedure's knobs: n_folds (>= 2; sbibm: 5), max_epochs
 * (>= 1; sbibm: 10 000), z_score (1: as sbibm, 0: raw values). fold_accuracy
 * (double[n_folds], may be NULL) receives each fold's held-out accuracy. */
SBI_API int sbi_c2st_ex(int64_t n_x, const double *x, int64_t n_y, const double *y, int32_t dim,
                        uint64_t seed, int32_t n_folds, int64_t max_epochs, int32_t z_score,
                        double *fold_accuracy, double *accuracy);

/* ---- Simulation-based calibration --------------------------------------- */

/* SBC ranks from given draws: ranks[i][k] = the number of the n_samples
 * posterior samples (samples[i][j][k]) strictly below theta[i][k] (so in
 * 0..n_samples). For a calibrated posterior every column is uniform on
 * 0..n_samples. Errors: SBI_EINVAL. */
SBI_API int sbi_sbc_ranks(int64_t n_tests, int64_t n_samples, int32_t dim, const double *theta,
                          const double *samples, int32_t *ranks);

/* Run SBC and expected coverage on a trained posterior: for i in
 * 0..n_tests-1, theta*_i is drawn from the prior and x*_i simulated exactly as
 * sbi_runner_run_prior(.., n_tests, seed) does (use a seed different from the
 * training data's: the same seed reproduces the training rows); then
 * n_samples posterior samples at x*_i (generator stream (seed, 2^32 + i)).
 * prior may be NULL: the posterior's own prior. Rows the simulator marks
 * failed or non-finite are skipped; *n_used (may be NULL) receives the number
 * of test pairs kept, which fill the first rows of the outputs.
 * Outputs (caller-allocated for n_tests rows; any may be NULL):
 *  ranks     int32_t[n_tests][dim]  SBC rank of theta* per marginal;
 *  hpd_ranks int32_t[n_tests]       the number of samples with a higher
 *            log q(theta | x*) than theta* (0..n_samples): the input of
 *            sbi_coverage_curve;
 *  theta_out double[n_tests][dim], x_out double[n_tests][x_dim]: the pairs.
 * progress (may be NULL) is called after every test pair with done/total
 * test pairs; a non-zero return cancels (SBI_ECANCELED).
 * Errors: SBI_EINVAL (NULL posterior or simulator, dimensions that do not
 * match, n_tests < 1, n_samples < 1), SBI_ENOMEM, SBI_ESIMULATOR, and
 * those of sbi_posterior_sample (e.g. SBI_EBUDGET when rejection to the
 * prior's support runs out of proposals; the message names the test pair). */
SBI_API int sbi_sbc_run(const sbi_posterior *posterior, const sbi_prior *prior,
                        const sbi_simulator *simulator, int64_t n_tests, int64_t n_samples,
                        uint64_t seed, sbi_progress_fn progress, void *progress_data,
                        int32_t *ranks, int32_t *hpd_ranks, double *theta_out, double *x_out,
                        int64_t *n_used);

/* SBC and expected coverage on given test pairs (theta: double[n_tests]
 * [theta_dim], x: double[n_tests][x_dim], e.g. held-out simulations that
 * were not used for training): ranks and hpd_ranks as sbi_sbc_run, with the
 * same sampling streams (seed, 2^32 + i). Every theta must lie in the
 * prior's support when hpd_ranks is requested. Errors: SBI_EINVAL (NULL,
 * non-finite values, n_tests < 1, n_samples < 1), SBI_ENOMEM, SBI_ECANCELED,
 * and those of sbi_posterior_sample. */
SBI_API int sbi_sbc_run_pairs(const sbi_posterior *posterior, int64_t n_tests,
                              const double *theta, const double *x, int64_t n_samples,
                              uint64_t seed, sbi_progress_fn progress, void *progress_data,
                              int32_t *ranks, int32_t *hpd_ranks);

/* Kolmogorov-Smirnov test of each rank column against the discrete uniform
 * distribution on 0..n_samples: ks_stat[k] = max_r |F_M(r) - (r+1)/(n_samples+1)|
 * and p_values[k] from the Kolmogorov distribution (Stephens' small-sample
 * correction; conservative for discrete ranks). Either output (double[dim])
 * may be NULL. Errors: SBI_EINVAL (a rank outside 0..n_samples, n_tests < 1). */
SBI_API int sbi_sbc_ks(int64_t n_tests, int32_t dim, const int32_t *ranks, int64_t n_samples,
                       double *ks_stat, double *p_values);

/* Pearson chi-square test of each rank column against uniformity, ranks
 * grouped into n_bins bins (bin = floor(r * n_bins / (n_samples+1)); the
 * expected count of a bin is proportional to the ranks it holds).
 * n_bins = 0 picks min(20, n_samples+1, max(2, n_tests/5)). chi2 and
 * p_values (double[dim]) may be NULL; the degrees of freedom are n_bins-1.
 * Errors: SBI_EINVAL (n_bins == 1 or > n_samples+1, a rank out of range). */
SBI_API int sbi_sbc_chi2(int64_t n_tests, int32_t dim, const int32_t *ranks, int64_t n_samples,
                         int32_t n_bins, double *chi2, double *p_values);

/* Rank histogram: counts (int64_t[dim][n_bins]) of each column's ranks in
 * the bins of sbi_sbc_chi2 (n_bins >= 1, at most n_samples+1). */
SBI_API int sbi_sbc_histogram(int64_t n_tests, int32_t dim, const int32_t *ranks,
                              int64_t n_samples, int32_t n_bins, int64_t *counts);

/* ---- Expected coverage -------------------------------------------------- */

/* HPD ranks from log-probabilities: hpd_ranks[i] = the number of j with
 * log_q_samples[i][j] > log_q_true[i] (n_samples per test). Errors:
 * SBI_EINVAL (NULL, NaN values). */
SBI_API int sbi_coverage_ranks(int64_t n_tests, int64_t n_samples, const double *log_q_true,
                               const double *log_q_samples, int32_t *hpd_ranks);

/* Empirical expected coverage: coverage[l] = the fraction of test pairs
 * whose theta* lies in the levels[l] HPD region, i.e. whose
 * (hpd_rank + 0.5) / (n_samples + 1) is below levels[l]. A calibrated
 * posterior gives coverage ≈ level; below the diagonal means overconfident,
 * above means underconfident (conservative). levels in [0, 1].
 * Errors: SBI_EINVAL. */
SBI_API int sbi_coverage_curve(int64_t n_tests, const int32_t *hpd_ranks, int64_t n_samples,
                               int32_t n_levels, const double *levels, double *coverage);

/* ---- Plots ------------------------------------------------------------- */

/* SVG rank histograms, one panel per dimension, with the 99 % band of a
 * uniform histogram (binomial, normal approximation). labels (dim strings,
 * may be NULL: "theta_1"...) name the panels. n_bins as sbi_sbc_histogram
 * (0: the sbi_sbc_chi2 default). The file is replaced. Errors: SBI_EINVAL,
 * SBI_EIO, SBI_ENOMEM. */
SBI_API int sbi_sbc_plot_svg(const char *path, int64_t n_tests, int32_t dim, const int32_t *ranks,
                             int64_t n_samples, int32_t n_bins, const char *const *labels);

/* SVG expected-coverage curve: coverage against credibility level, with the
 * diagonal and the 99 % binomial band for n_tests test pairs. levels are
 * increasing in [0, 1]. Errors: SBI_EINVAL, SBI_EIO. */
SBI_API int sbi_coverage_plot_svg(const char *path, int32_t n_levels, const double *levels,
                                  const double *coverage, int64_t n_tests);

#ifdef __cplusplus
}
#endif

#endif /* SBI_DIAGNOSTICS_H */
