/* SBC and HPD ranks of a trained posterior on fresh (theta*, x*) pairs. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/internal.h"
#include "sbi/diagnostics.h"

/* Re-raise the last error with a prefix (the message buffer is copied first:
 * sbi__fail writes into the same thread-local storage). */
static int wrap_error(int rc, const char *what, long long i)
{
    char msg[384];
    snprintf(msg, sizeof msg, "%s", sbi_last_error());
    return sbi__fail(rc, "sbi_sbc_run: %s for test pair %lld: %s", what, i, msg);
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
    sbi_rng *rng = NULL;
    double *samples = NULL, *lp = NULL, *theta_valid = NULL, *x_valid = NULL;
    int rc = sbi_runner_create(&runner, simulator);
    if (rc == SBI_OK) rc = sbi_runner_run_prior(runner, prior, n_tests, seed, &ds);
    if (rc != SBI_OK) goto done;
    int64_t k = 0;
    rc = sbi_dataset_count(ds, SBI_ROW_OK, &k);
    if (rc != SBI_OK) goto done;
    theta_valid = sbi__malloc_array((size_t)(k > 0 ? k : 1) * (size_t)td, sizeof(double));
    x_valid = sbi__malloc_array((size_t)(k > 0 ? k : 1) * (size_t)xd, sizeof(double));
    /* theta* first, then the samples: one log_prob call ranks them all. */
    samples = sbi__malloc_array(((size_t)n_samples + 1) * (size_t)td, sizeof(double));
    lp = sbi__malloc_array((size_t)n_samples + 1, sizeof(double));
    if (!theta_valid || !x_valid || !samples || !lp) {
        rc = sbi__oom(w);
        goto done;
    }
    rc = sbi_dataset_copy_valid(ds, theta_valid, x_valid, &k);
    if (rc == SBI_OK) rc = sbi_rng_create(&rng, seed, 0);
    if (rc != SBI_OK) goto done;
    for (int64_t i = 0; i < k; i++) {
        const double *th = theta_valid + i * td, *x = x_valid + i * xd;
        memcpy(samples, th, sizeof(double) * (size_t)td);
        sbi_rng_reset(rng, seed, ((uint64_t)1 << 32) + (uint64_t)i);
        rc = sbi_posterior_sample(posterior, rng, x, n_samples, samples + td);
        if (rc != SBI_OK) {
            rc = wrap_error(rc, "posterior sampling", (long long)i);
            goto done;
        }
        if (ranks) sbi_sbc_ranks(1, n_samples, td, th, samples + td, ranks + i * td);
        if (hpd_ranks) {
            rc = sbi_posterior_log_prob(posterior, NULL, x, n_samples + 1, samples, lp);
            if (rc != SBI_OK) {
                rc = wrap_error(rc, "log_prob", (long long)i);
                goto done;
            }
            rc = sbi_coverage_ranks(1, n_samples, lp, lp + 1, hpd_ranks + i);
            if (rc != SBI_OK) goto done;
        }
        if (theta_out) memcpy(theta_out + i * td, th, sizeof(double) * (size_t)td);
        if (x_out) memcpy(x_out + i * xd, x, sizeof(double) * (size_t)xd);
        if (n_used) *n_used = i + 1;
        if (progress && progress(progress_data, i + 1, k) != 0) {
            rc = sbi__fail(SBI_ECANCELED, "%s: cancelled after %lld test pairs", w,
                           (long long)i + 1);
            goto done;
        }
    }
done:
    sbi_rng_free(rng);
    sbi__free(samples);
    sbi__free(lp);
    sbi__free(theta_valid);
    sbi__free(x_valid);
    sbi_dataset_free(ds);
    sbi_runner_free(runner);
    return rc;
}
