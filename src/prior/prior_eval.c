/* Sampling, log-density and support tests of priors. Rows are independent:
 * row r of a sample uses the generator's draws in order (dim uniforms for a
 * box, dim normals for a Gaussian), so n draws of 1 row equal 1 draw of n. */
#include <math.h>

#include "core/internal.h"
#include "prior/prior_internal.h"
#include "rng/rng_internal.h"

/* Shared checks of the batched functions. */
static int check_batch(const char *where, const sbi_prior *prior, int64_t n, const void *in,
                       const void *out)
{
    SBI_CHECK_PTR(prior, where);
    SBI_CHECK_ARG(n >= 0, "%s: n=%lld is negative", where, (long long)n);
    SBI_CHECK_ARG(n <= INT64_MAX / prior->dim, "%s: n=%lld rows of dim %d overflow", where,
                  (long long)n, (int)prior->dim);
    if (n == 0) return SBI_OK;
    SBI_CHECK_ARG(in != NULL, "%s: the input array is NULL", where);
    SBI_CHECK_ARG(out != NULL, "%s: the output array is NULL", where);
    return SBI_OK;
}

static int row_has_nan(const double *row, int32_t dim)
{
    for (int32_t j = 0; j < dim; j++)
        if (isnan(row[j])) return 1;
    return 0;
}

int sbi_prior_sample(const sbi_prior *prior, sbi_rng *rng, int64_t n, double *out)
{
    static const char *where = "sbi_prior_sample";
    SBI_CHECK_PTR(prior, where);
    SBI_CHECK_PTR(rng, where);
    SBI_TRY(check_batch(where, prior, n, rng, out));
    const size_t d = (size_t)prior->dim;
    if (prior->kind == SBI_PRIOR_CALLBACK) {
        if (n == 0) return SBI_OK;
        int rc = prior->sample_fn(prior->user_data, rng, n, prior->dim, out);
        if (rc != 0)
            return sbi__fail(SBI_ECALLBACK, "%s: the prior's sample callback returned %d", where,
                             rc);
        return SBI_OK;
    }
    for (int64_t r = 0; r < n; r++) {
        double *row = out + (size_t)r * d;
        if (prior->kind == SBI_PRIOR_BOX_UNIFORM) {
            for (size_t j = 0; j < d; j++) {
                double u = sbi__rng_uniform(rng);
                row[j] = prior->low[j] + (prior->high[j] - prior->low[j]) * u;
            }
        } else {
            /* theta = mean + L z, z standard normal, computed in place from
             * the last row of L up (row i reads z[0..i] only). */
            for (size_t j = 0; j < d; j++) row[j] = sbi__rng_normal(rng);
            for (size_t i = d; i-- > 0;) {
                const double *li = prior->chol + i * d;
                double s = 0.0;
                for (size_t j = 0; j <= i; j++) s += li[j] * row[j];
                row[i] = prior->mean[i] + s;
            }
        }
    }
    return SBI_OK;
}

/* log N(theta; mean, L L^T) = log_norm - |L^{-1}(theta - mean)|^2 / 2, by
 * forward substitution; z is scratch of dim doubles. */
static double gaussian_log_prob(const sbi_prior *p, const double *theta, double *z)
{
    const size_t d = (size_t)p->dim;
    double q = 0.0;
    for (size_t i = 0; i < d; i++) {
        const double *li = p->chol + i * d;
        double s = theta[i] - p->mean[i];
        for (size_t j = 0; j < i; j++) s -= li[j] * z[j];
        z[i] = s / li[i];
        q += z[i] * z[i];
    }
    return p->log_norm - 0.5 * q;
}

static int box_inside(const sbi_prior *p, const double *theta)
{
    for (int32_t j = 0; j < p->dim; j++)
        if (!(theta[j] >= p->low[j] && theta[j] <= p->high[j])) return 0; /* NaN: outside */
    return 1;
}

static int all_finite(const double *theta, int32_t dim)
{
    for (int32_t j = 0; j < dim; j++)
        if (!isfinite(theta[j])) return 0;
    return 1;
}

static int callback_log_prob(const sbi_prior *prior, int64_t n, const double *theta, double *out,
                             const char *where)
{
    int rc = prior->log_prob_fn(prior->user_data, n, prior->dim, theta, out);
    if (rc != 0)
        return sbi__fail(SBI_ECALLBACK, "%s: the prior's log_prob callback returned %d", where, rc);
    for (int64_t r = 0; r < n; r++) {
        if (row_has_nan(theta + (size_t)r * (size_t)prior->dim, prior->dim)) {
            out[r] = -INFINITY; /* NaN rows are outside every support */
            continue;
        }
        if (isnan(out[r]) || out[r] == INFINITY)
            return sbi__fail(SBI_ECALLBACK, "%s: the prior's log_prob callback gave %g for row %lld",
                             where, out[r], (long long)r);
    }
    return SBI_OK;
}

int sbi_prior_log_prob(const sbi_prior *prior, int64_t n, const double *theta, double *out)
{
    static const char *where = "sbi_prior_log_prob";
    SBI_TRY(check_batch(where, prior, n, theta, out));
    if (n == 0) return SBI_OK;
    const size_t d = (size_t)prior->dim;
    if (prior->kind == SBI_PRIOR_CALLBACK) return callback_log_prob(prior, n, theta, out, where);
    double *z = NULL;
    if (prior->kind == SBI_PRIOR_GAUSSIAN) {
        z = sbi__malloc_array(d, sizeof(double));
        if (!z) return sbi__oom(where);
    }
    for (int64_t r = 0; r < n; r++) {
        const double *row = theta + (size_t)r * d;
        if (prior->kind == SBI_PRIOR_BOX_UNIFORM)
            out[r] = box_inside(prior, row) ? prior->log_norm : -INFINITY;
        else
            out[r] = all_finite(row, prior->dim) ? gaussian_log_prob(prior, row, z) : -INFINITY;
    }
    sbi__free(z);
    return SBI_OK;
}

int sbi_prior_in_support(const sbi_prior *prior, int64_t n, const double *theta, int32_t *inside)
{
    static const char *where = "sbi_prior_in_support";
    SBI_TRY(check_batch(where, prior, n, theta, inside));
    if (n == 0) return SBI_OK;
    const size_t d = (size_t)prior->dim;
    if (prior->kind == SBI_PRIOR_BOX_UNIFORM || prior->kind == SBI_PRIOR_GAUSSIAN) {
        for (int64_t r = 0; r < n; r++) {
            const double *row = theta + (size_t)r * d;
            inside[r] = prior->kind == SBI_PRIOR_BOX_UNIFORM ? box_inside(prior, row)
                                                               : all_finite(row, prior->dim);
        }
        return SBI_OK;
    }
    if (prior->support_fn) {
        int rc = prior->support_fn(prior->user_data, n, prior->dim, theta, inside);
        if (rc != 0)
            return sbi__fail(SBI_ECALLBACK, "%s: the prior's in_support callback returned %d",
                             where, rc);
        for (int64_t r = 0; r < n; r++)
            inside[r] = inside[r] != 0 && !row_has_nan(theta + (size_t)r * d, prior->dim);
        return SBI_OK;
    }
    /* No support callback: inside means a finite log-density. */
    double *lp = sbi__malloc_array((size_t)n, sizeof(double));
    if (!lp) return sbi__oom(where);
    int rc = callback_log_prob(prior, n, theta, lp, where);
    if (rc == SBI_OK)
        for (int64_t r = 0; r < n; r++) inside[r] = isfinite(lp[r]) ? 1 : 0;
    sbi__free(lp);
    return rc;
}
