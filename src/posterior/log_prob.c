/* log q(theta | x) with the prior's support and the optional leakage
 * correction of the reference (spec B.5, norm_posterior=True). */
#include <math.h>
#include <string.h>

#include "core/internal.h"
#include "posterior/posterior_internal.h"
#include "prior/prior_internal.h"

/* The fraction of the estimator's mass inside the prior's support at
 * xz, the acceptance of 10 000 rejection samples (the reference's
 * leakage_correction). A Gaussian prior's support is everything: 1 without
 * drawing (the reference would draw and find acceptance 1). */
static int leakage(const sbi_posterior *p, sbi_rng *rng, const double *xz, double *c)
{
    *c = 1.0;
    if (p->prior->kind == SBI_PRIOR_GAUSSIAN) return SBI_OK;
    int64_t written, drawn, accepted;
    int rc = sbi__posterior_rejection(p, rng, xz, SBI__LEAKAGE_SAMPLES,
                                      sbi__posterior_default_budget(SBI__LEAKAGE_SAMPLES), NULL,
                                      &written, &drawn, &accepted);
    if (rc == SBI_EBUDGET) {
        *c = drawn ? (double)accepted / (double)drawn : 0.0; /* what was seen */
        return sbi__fail(SBI_EBUDGET,
                         "posterior log_prob: leakage correction: only %lld of %lld draws fell "
                         "inside the prior's support; the values are left uncorrected",
                         (long long)accepted, (long long)drawn);
    }
    if (rc != SBI_OK) return rc;
    *c = (double)accepted / (double)drawn;
    return SBI_OK;
}

int sbi_posterior_log_prob(const sbi_posterior *p, sbi_rng *rng, const double *x, int64_t n,
                           const double *theta, double *out)
{
    static const char where[] = "sbi_posterior_log_prob";
    SBI_CHECK_PTR(p, where);
    SBI_CHECK_PTR(x, where);
    SBI_CHECK_ARG(n >= 0, "%s: n=%lld is negative", where, (long long)n);
    for (int32_t j = 0; j < p->x_dim; j++)
        SBI_CHECK_ARG(isfinite(x[j]), "%s: x[%d]=%g is not finite", where, (int)j, x[j]);
    if (n == 0) return SBI_OK;
    SBI_CHECK_PTR(theta, where);
    SBI_CHECK_PTR(out, where);

    const int32_t d = p->theta_dim;
    int rc = SBI_OK;
    double *xz = sbi__malloc_array((size_t)p->x_dim, sizeof(double));
    int32_t *inside = sbi__malloc_array((size_t)n, sizeof(int32_t));
    double *safe = NULL;
    if (!xz || !inside) {
        rc = sbi__oom(where);
        goto done;
    }
    sbi__posterior_zscore_x(p, x, xz);
    rc = sbi__posterior_in_support(p, n, theta, inside);
    if (rc != SBI_OK) goto done;
    int64_t n_outside = 0;
    for (int64_t i = 0; i < n; i++) n_outside += !inside[i];
    const double *eval = theta;
    if (n_outside) {
        /* Rows outside (maybe NaN or Inf) are evaluated at a harmless point
         * and then set to -inf. */
        safe = sbi__malloc_array((size_t)n * (size_t)d, sizeof(double));
        if (!safe) {
            rc = sbi__oom(where);
            goto done;
        }
        for (int64_t i = 0; i < n; i++)
            memcpy(safe + i * d, inside[i] ? theta + i * d : p->theta_shift,
                   (size_t)d * sizeof(double));
        eval = safe;
    }
    rc = sbi__posterior_log_q(p, xz, n, eval, out);
    if (rc != SBI_OK) goto done;
    for (int64_t i = 0; i < n; i++)
        if (!inside[i]) out[i] = -INFINITY;
    if (rng) {
        double c;
        rc = leakage(p, rng, xz, &c);
        if (rc != SBI_OK) goto done;
        const double log_c = log(c);
        for (int64_t i = 0; i < n; i++) out[i] -= log_c;
    }
done:
    sbi__free(xz);
    sbi__free(inside);
    sbi__free(safe);
    return rc;
}

int sbi_posterior_leakage(const sbi_posterior *p, sbi_rng *rng, const double *x,
                          double *acceptance)
{
    static const char where[] = "sbi_posterior_leakage";
    SBI_CHECK_PTR(p, where);
    SBI_CHECK_PTR(rng, where);
    SBI_CHECK_PTR(x, where);
    SBI_CHECK_PTR(acceptance, where);
    for (int32_t j = 0; j < p->x_dim; j++)
        SBI_CHECK_ARG(isfinite(x[j]), "%s: x[%d]=%g is not finite", where, (int)j, x[j]);
    double *xz = sbi__malloc_array((size_t)p->x_dim, sizeof(double));
    if (!xz) return sbi__oom(where);
    sbi__posterior_zscore_x(p, x, xz);
    double c = 1.0;
    int rc = leakage(p, rng, xz, &c);
    sbi__free(xz);
    if (rc == SBI_OK || rc == SBI_EBUDGET) *acceptance = c;
    return rc;
}
