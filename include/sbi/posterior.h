/* libsbi posterior: a trained density estimator with its z-score transforms
 * and prior. Samples (with rejection to the prior's support), evaluates
 * log-probabilities, finds the MAP, and saves to / loads from a versioned,
 * checksummed file (docs/posterior-format.md).
 *
 * Thread-safety: a posterior is immutable once built or loaded. Functions
 * taking a const posterior may run on several threads at once, each with its
 * own sbi_rng ("plan once, execute many"). */
#ifndef SBI_POSTERIOR_H
#define SBI_POSTERIOR_H

#include "sbi/core.h"
#include "sbi/inference.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Free a posterior; accepts NULL. */
SBI_API void sbi_posterior_free(sbi_posterior *posterior);
/* Dimensions of theta and x (either pointer may be NULL). */
SBI_API int sbi_posterior_dims(const sbi_posterior *posterior, int32_t *theta_dim,
                               int32_t *x_dim);
/* The estimator kind (SBI_ESTIMATOR_*). */
SBI_API int sbi_posterior_estimator(const sbi_posterior *posterior, int32_t *kind);
/* The prior, borrowed: valid while the posterior lives. */
SBI_API int sbi_posterior_prior(const sbi_posterior *posterior, const sbi_prior **prior);
/* Training summary stored with the posterior: epochs, training rows, best
 * validation loss (any pointer may be NULL). */
SBI_API int sbi_posterior_training_summary(const sbi_posterior *posterior, int64_t *epochs,
                                           int64_t *n_train, double *best_validation_loss);

/* Draw n samples of theta ~ q(theta | x) for one observation x (x_dim
 * values) into out (double[n][theta_dim]), keeping only those inside the
 * prior's support (rejection, batched as the reference does). At most
 * max_proposals candidates are drawn (0 = the default, max(10^6, 1000 n));
 * if that budget runs out, the call returns SBI_EBUDGET with the first
 * *n_out samples written. n_out and acceptance may be NULL; acceptance
 * receives accepted / proposed (1 when nothing was drawn): the reference
 * warns below 1 %, libsbi lets the caller decide. x must be finite
 * (SBI_EINVAL). The result depends only on the posterior, x, n and the
 * generator's state. */
SBI_API int sbi_posterior_sample_ex(const sbi_posterior *posterior, sbi_rng *rng,
                                    const double *x, int64_t n, int64_t max_proposals,
                                    double *out, int64_t *n_out, double *acceptance);
/* sbi_posterior_sample_ex with the default budget; all n or an error. */
SBI_API int sbi_posterior_sample(const sbi_posterior *posterior, sbi_rng *rng, const double *x,
                                 int64_t n, double *out);
/* n samples for each of n_obs observations (xs: double[n_obs][x_dim]) into
 * out (double[n_obs][n][theta_dim]), default budget per observation. The
 * same as calling sbi_posterior_sample for each observation in turn with
 * rng. Every x is checked before anything is drawn; on SBI_EBUDGET the
 * observations before the one named in the message are complete. */
SBI_API int sbi_posterior_sample_batched(const sbi_posterior *posterior, sbi_rng *rng,
                                         int64_t n_obs, const double *xs, int64_t n,
                                         double *out);

/* log q(theta_i | x) for n rows at one observation x (out: double[n]);
 * -INFINITY outside the prior's support (and for non-finite rows). If rng
 * is not NULL the values are leakage-corrected: minus log of the acceptance
 * rate of 10 000 rejection samples at x (as the reference's
 * norm_posterior=True; recomputed on every call, see sbi_posterior_leakage).
 * With rng NULL the values are not normalised to the support. Errors:
 * SBI_EINVAL (x not finite), SBI_EBUDGET if the rejection draws for the
 * correction exhaust the default budget (out then holds uncorrected values). */
SBI_API int sbi_posterior_log_prob(const sbi_posterior *posterior, sbi_rng *rng,
                                   const double *x, int64_t n, const double *theta,
                                   double *out);
/* The leakage factor at x: the fraction of q(. | x) inside the prior's
 * support, estimated as the reference does (acceptance rate of 10 000
 * rejection samples; exactly 1 for a Gaussian prior, without drawing). To
 * correct many log_prob calls at the same x, compute it once and subtract
 * log(*acceptance) from values obtained with rng NULL. SBI_EBUDGET when the
 * default budget of proposals runs out first (x far outside the training
 * data): *acceptance then holds the acceptance seen, maybe 0. */
SBI_API int sbi_posterior_leakage(const sbi_posterior *posterior, sbi_rng *rng, const double *x,
                                  double *acceptance);
/* The maximum a posteriori estimate at x (theta_dim values) and its
 * (uncorrected) log-probability (may be NULL), by the reference's method:
 * 1 000 posterior samples drawn with rng, the best 100 climbed with Adam
 * (learning rate 0.01, 1 000 steps) in an unconstrained space (logit for a
 * box), the best point seen returned. Errors as sbi_posterior_sample. */
SBI_API int sbi_posterior_map(const sbi_posterior *posterior, sbi_rng *rng, const double *x,
                              double *theta_map, double *log_prob);

/* Save to a file (written atomically: temporary file, then rename) or to a
 * new buffer (free it with sbi_free). A posterior whose prior is a callback
 * prior cannot be saved (SBI_EINVAL). */
SBI_API int sbi_posterior_save(const sbi_posterior *posterior, const char *path);
SBI_API int sbi_posterior_save_mem(const sbi_posterior *posterior, void **buf, size_t *len);
/* Load from a file or a buffer. A truncated or corrupt input, or one that is
 * not a posterior, gives SBI_EFORMAT; a newer major format SBI_EVERSION;
 * an unreadable file SBI_EIO. Nothing is trusted before its checksum. */
SBI_API int sbi_posterior_load(sbi_posterior **out, const char *path);
SBI_API int sbi_posterior_load_mem(sbi_posterior **out, const void *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* SBI_POSTERIOR_H */
