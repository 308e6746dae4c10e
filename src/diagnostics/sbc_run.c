/* SBC and HPD ranks of a trained posterior: on given (theta*, x*) pairs, or
 * on fresh pairs drawn from the prior and the simulator. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/internal.h"
#include "sbi/diagnostics.h"

/* Re-raise the last error with a prefix (the message buffer is copied first:
 * sbi__fail writes into the same thread-local storage). */
static int wrap_error(const char *w, int rc, const char *what, long long i)
{
    char msg[384];
    snprintf(msg, sizeof msg, "%s", sbi_last_error());
    return sbi__fail(rc, "%s: %s for test pair %lld: %s", w, what, i, msg);
}

/* The ranks of n pairs; *done counts the pairs finished. */
static int rank_pairs(const char *w, const sbi_posterior *posterior, int64_t n, int32_t td,
                      int32_t xd, const double *theta, const double *x, int64_t n_samples,
                      uint64_t seed, sbi_progress_fn progress, void *progress_data,
                      int32_t *ranks, int32_t *hpd_ranks, int64_t *done)
{
    sbi_rng *rng = NULL;
    /* theta* first, then the samples: one log_prob call ranks them all. */
    double *samples = sbi__malloc_array(((size_t)n_samples + 1) * (size_t)td, sizeof(double));
    double *lp = sbi__malloc_array((size_t)n_samples + 1, sizeof(double));
    int rc = (!samples || !lp) ? sbi__oom(w) : sbi_rng_create(&rng, seed, 0);
    for (int64_t i = 0; rc == SBI_OK && i < n; i++) {
        const double *th = theta + i * td, *xi = x + i * xd;
        memcpy(samples, th, sizeof(double) * (size_t)td);
        sbi_rng_reset(rng, seed, ((uint64_t)1 << 32) + (uint64_t)i);
        rc = sbi_posterior_sample(posterior, rng, xi, n_samples, samples + td);
        if (rc != SBI_OK) {
            rc = wrap_error(w, rc, "posterior sampling", (long long)i);
            break;
        }
        if (ranks) sbi_sbc_ranks(1, n_samples, td, th, samples + td, ranks + i * td);
        if (hpd_ranks) {
            rc = sbi_posterior_log_prob(posterior, NULL, xi, n_samples + 1, samples, lp);
            if (rc != SBI_OK) {
                rc = wrap_error(w, rc, "log_prob", (long long)i);
                break;
            }
            if (!(lp[0] > -INFINITY)) {
                rc = sbi__fail(SBI_EINVAL, "%s: theta of test pair %lld is outside the prior's "
                               "support", w, (long long)i);
                break;
            }
            rc = sbi_coverage_ranks(1, n_samples, lp, lp + 1, hpd_ranks + i);
            if (rc != SBI_OK) break;
        }
        *done = i + 1;
        if (progress && progress(progress_data, i + 1, n) != 0)
            rc = sbi__fail(SBI_ECANCELED, "%s: cancelled after %lld test pairs", w,
                           (long long)i + 1);
    }
    sbi_rng_free(rng);
    sbi__free(samples);
    sbi__free(lp);
    return rc;
}

int sbi_sbc_run_pairs(const sbi_posterior *posterior, int64_t n_tests, const double *theta,
                      const double *x, int64_t n_samples, uint64_t seed, sbi_progress_fn progress,
                      void *progress_data, int32_t *ranks, int32_t *hpd_ranks)
{
    const char *w = "sbi_sbc_run_pairs";
    SBI_CHECK_PTR(posterior, w);
    SBI_CHECK_PTR(theta, w);
    SBI_CHECK_PTR(x, w);
    SBI_CHECK_ARG(n_tests >= 1, "%s: n_tests=%lld must be at least 1", w, (long long)n_tests);
    SBI_CHECK_ARG(n_samples >= 1 && n_samples <= INT32_MAX,
                  "%s: n_samples=%lld must be in 1..2^31-1", w, (long long)n_samples);
    int32_t td = 0, xd = 0;
    SBI_TRY(sbi_posterior_dims(posterior, &td, &xd));
    for (int64_t i = 0; i < n_tests * td; i++)
        SBI_CHECK_ARG(isfinite(theta[i]), "%s: theta[%lld][%d] is not finite", w,
                      (long long)(i / td), (int)(i % td));
    for (int64_t i = 0; i < n_tests * xd; i++)
        SBI_CHECK_ARG(isfinite(x[i]), "%s: x[%lld][%d] is not finite", w, (long long)(i / xd),
                      (int)(i % xd));
    int64_t done = 0;
    return rank_pairs(w, posterior, n_tests, td, xd, theta, x, n_samples, seed, progress,
                      progress_data, ranks, hpd_ranks, &done);
}

int sbi_sbc_run(const sbi_posterior *posterior, const sbi_prior *prior,
                const sbi_simulator *simulator, int64_t n_tests, int64_t n_samples, uint64_t seed,
                sbi_progress_fn progress, void *progress_data, int32_t *ranks,
                int32_t *hpd_ranks, double *theta_out, double *x_out, int64_t *n_used)
{
    const char *w = "sbi_sbc_run";
    SBI_CHECK_PTR(posterior, w);
    SBI_CHECK_PTR(simulator, w);
    SBI_CHECK_ARG(n_tests >= 1, "%s: n_tests=%lld must be at least 1", w, (long long)n_tests);
    SBI_CHECK_ARG(n_samples >= 1 && n_samples <= INT32_MAX,
                  "%s: n_samples=%lld must be in 1..2^31-1", w, (long long)n_samples);
    if (n_used) *n_used = 0;
    int32_t td = 0, xd = 0, std_ = 0, sxd = 0, pd = 0;
    SBI_TRY(sbi_posterior_dims(posterior, &td, &xd));
    if (!prior) SBI_TRY(sbi_posterior_prior(posterior, &prior));
    SBI_TRY(sbi_prior_dim(prior, &pd));
    SBI_TRY(sbi_simulator_dims(simulator, &std_, &sxd));
    SBI_CHECK_ARG(pd == td && std_ == td && sxd == xd,
                  "%s: dimensions disagree: posterior theta %d x %d, prior %d, simulator theta "
                  "%d x %d",
                  w, (int)td, (int)xd, (int)pd, (int)std_, (int)sxd);

    sbi_runner *runner = NULL;
    sbi_dataset *ds = NULL;
    double *theta_valid = NULL, *x_valid = NULL;
    int64_t k = 0, done = 0;
    int rc = sbi_runner_create(&runner, simulator);
    if (rc == SBI_OK) rc = sbi_runner_run_prior(runner, prior, n_tests, seed, &ds);
    if (rc == SBI_OK) rc = sbi_dataset_count(ds, SBI_ROW_OK, &k);
    if (rc != SBI_OK) goto done;
    theta_valid = sbi__malloc_array((size_t)(k > 0 ? k : 1) * (size_t)td, sizeof(double));
    x_valid = sbi__malloc_array((size_t)(k > 0 ? k : 1) * (size_t)xd, sizeof(double));
    if (!theta_valid || !x_valid) {
        rc = sbi__oom(w);
        goto done;
    }
    rc = sbi_dataset_copy_valid(ds, theta_valid, x_valid, &k);
    if (rc != SBI_OK) goto done;
    rc = rank_pairs(w, posterior, k, td, xd, theta_valid, x_valid, n_samples, seed, progress,
                    progress_data, ranks, hpd_ranks, &done);
    if (theta_out) memcpy(theta_out, theta_valid, sizeof(double) * (size_t)(done * td));
    if (x_out) memcpy(x_out, x_valid, sizeof(double) * (size_t)(done * xd));
    if (n_used) *n_used = done;
done:
    sbi__free(theta_valid);
    sbi__free(x_valid);
    sbi_dataset_free(ds);
    sbi_runner_free(runner);
    return rc;
}
