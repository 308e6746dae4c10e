/* libsbi priors: box-uniform, Gaussian (full covariance) and user callbacks.
 *
 * Arrays are row-major: theta is double[n][dim].
 * Thread-safety: a prior is immutable after creation; its const functions may
 * be called from several threads at once (each with its own sbi_rng), except
 * for callback priors, whose callbacks must then be thread-safe themselves. */
#ifndef SBI_PRIOR_H
#define SBI_PRIOR_H

#include "sbi/core.h"
#include "sbi/rng.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sbi_prior sbi_prior;

/* Kinds of prior, as returned by sbi_prior_kind. Values pinned, append-only. */
enum { SBI_PRIOR_BOX_UNIFORM = 1, SBI_PRIOR_GAUSSIAN = 2, SBI_PRIOR_CALLBACK = 3 };

/* Uniform on the box [low, high] (inclusive). low and high are copied.
 * Errors: SBI_EINVAL if dim < 1, a bound is not finite, or low[i] >= high[i]. */
SBI_API int sbi_prior_create_box_uniform(sbi_prior **out, int32_t dim, const double *low,
                                         const double *high);

/* Multivariate normal with the given mean (double[dim]) and covariance
 * (double[dim][dim], symmetric positive definite; copied and factorised by
 * Cholesky). Errors: SBI_EINVAL for dim < 1, non-finite entries, an asymmetric
 * or not positive-definite covariance. */
SBI_API int sbi_prior_create_gaussian(sbi_prior **out, int32_t dim, const double *mean,
                                      const double *cov);
/* Same with a diagonal covariance given by its variances (double[dim], > 0). */
SBI_API int sbi_prior_create_gaussian_diag(sbi_prior **out, int32_t dim, const double *mean,
                                           const double *var);

/* User prior. sample writes n rows of dim values drawn with rng (draw only
 * from rng for reproducible runs); log_prob writes n values (-INFINITY
 * outside the support; NaN or +INFINITY for a row without NaN gives
 * SBI_ECALLBACK); in_support (optional, may be NULL: then a finite log_prob
 * means inside) writes non-zero/0 per row. Rows holding NaN are outside
 * whatever the callbacks say. Each returns 0 on success, non-zero on failure
 * (surfaced as SBI_ECALLBACK, the value in sbi_last_error()). user_data must
 * outlive the prior and its clones. A callback prior cannot be saved in a
 * posterior file. Errors: SBI_EINVAL (out NULL, dim < 1, sample or log_prob
 * NULL), SBI_ENOMEM. */
typedef int (*sbi_prior_sample_fn)(void *user_data, sbi_rng *rng, int64_t n, int32_t dim,
                                   double *out);
typedef int (*sbi_prior_log_prob_fn)(void *user_data, int64_t n, int32_t dim,
                                     const double *theta, double *out);
typedef int (*sbi_prior_support_fn)(void *user_data, int64_t n, int32_t dim,
                                    const double *theta, int32_t *inside);
SBI_API int sbi_prior_create_callback(sbi_prior **out, int32_t dim, sbi_prior_sample_fn sample,
                                      sbi_prior_log_prob_fn log_prob,
                                      sbi_prior_support_fn in_support, void *user_data);

/* Free a prior; accepts NULL. */
SBI_API void sbi_prior_free(sbi_prior *prior);

/* Make an independent copy (for callback priors, sharing user_data).
 * Errors: SBI_EINVAL (NULL arguments), SBI_ENOMEM. */
SBI_API int sbi_prior_clone(const sbi_prior *prior, sbi_prior **out);

/* Queries. Errors: SBI_EINVAL for a NULL argument. */
/* Dimension of theta. */
SBI_API int sbi_prior_dim(const sbi_prior *prior, int32_t *dim);
/* One of SBI_PRIOR_*. */
SBI_API int sbi_prior_kind(const sbi_prior *prior, int32_t *kind);
/* Bounds of the support per dimension (double[dim] each): the box for a
 * box-uniform prior, -inf/+inf otherwise. */
SBI_API int sbi_prior_bounds(const sbi_prior *prior, double *low, double *high);
/* Mean and per-dimension variance (double[dim] each). SBI_EINVAL for callback
 * priors, whose moments libsbi does not know. */
SBI_API int sbi_prior_moments(const sbi_prior *prior, double *mean, double *var);

/* Draw n rows into out (double[n][dim], caller-owned; NULL allowed when
 * n = 0). Row r uses the generator's draws in order, so drawing n rows at
 * once equals drawing them one by one from the same generator. A box uses
 * dim uniforms per row (low + (high-low) u), a Gaussian dim normals
 * (mean + L z with L the Cholesky factor). Errors: SBI_EINVAL (NULL prior,
 * rng or out, n < 0 or n*dim overflowing), SBI_ECALLBACK. */
SBI_API int sbi_prior_sample(const sbi_prior *prior, sbi_rng *rng, int64_t n, double *out);
/* log p(theta) for n rows (theta: double[n][dim], out: double[n]);
 * -INFINITY outside the support, including rows holding NaN (and, for a
 * Gaussian, rows holding an infinity). The box is closed: its faces are
 * inside. Errors: SBI_EINVAL (NULL arguments, n < 0), SBI_ENOMEM,
 * SBI_ECALLBACK. */
SBI_API int sbi_prior_log_prob(const sbi_prior *prior, int64_t n, const double *theta,
                               double *out);
/* inside[i] = 1 if row i lies in the support, else 0 (NaN rows are outside;
 * a Gaussian's support is every finite row). Errors as sbi_prior_log_prob. */
SBI_API int sbi_prior_in_support(const sbi_prior *prior, int64_t n, const double *theta,
                                 int32_t *inside);

#ifdef __cplusplus
}
#endif

#endif /* SBI_PRIOR_H */
