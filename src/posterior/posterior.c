/* The posterior object: assembly, accessors, z-scoring and the support
 * check shared by sampling, log_prob and MAP. */
#include <math.h>
#include <string.h>

#include "core/internal.h"
#include "posterior/posterior_internal.h"
#include "prior/prior_internal.h"

void sbi_posterior_free(sbi_posterior *p)
{
    if (!p) return;
    sbi__estimator_free(p->est);
    sbi_prior_free(p->prior);
    sbi__free(p->theta_shift);
    sbi__free(p->theta_scale);
    sbi__free(p->x_shift);
    sbi__free(p->x_scale);
    sbi__free(p);
}

int sbi__posterior_assemble(sbi_posterior **out, sbi__estimator *est, sbi_prior *prior,
                            const double *theta_shift, const double *theta_scale,
                            const double *x_shift, const double *x_scale, int64_t epochs,
                            int64_t n_train, double best_validation_loss)
{
    *out = NULL;
    sbi_posterior *p = sbi__calloc(1, sizeof *p);
    if (!p) {
        sbi__estimator_free(est);
        sbi_prior_free(prior);
        return sbi__oom("posterior");
    }
    p->est = est;
    p->prior = prior;
    const int32_t d = est->config.theta_dim, xd = est->config.x_dim;
    p->theta_dim = d;
    p->x_dim = xd;
    p->theta_shift = sbi__memdup(theta_shift, (size_t)d, sizeof(double));
    p->theta_scale = sbi__memdup(theta_scale, (size_t)d, sizeof(double));
    p->x_shift = sbi__memdup(x_shift, (size_t)xd, sizeof(double));
    p->x_scale = sbi__memdup(x_scale, (size_t)xd, sizeof(double));
    if (!p->theta_shift || !p->theta_scale || !p->x_shift || !p->x_scale) {
        sbi_posterior_free(p);
        return sbi__oom("posterior");
    }
    double s = 0.0;
    for (int32_t i = 0; i < d; i++) s += log(theta_scale[i]);
    p->log_jacobian = -s;
    p->epochs = epochs;
    p->n_train = n_train;
    p->best_validation_loss = best_validation_loss;
    *out = p;
    return SBI_OK;
}

void sbi__posterior_zscore_x(const sbi_posterior *p, const double *x, double *xz)
{
    for (int32_t j = 0; j < p->x_dim; j++) xz[j] = (x[j] - p->x_shift[j]) / p->x_scale[j];
}

int64_t sbi__posterior_default_budget(int64_t n)
{
    const int64_t floor_budget = 1000000;
    if (n > INT64_MAX / 1000) return INT64_MAX;
    return n * 1000 > floor_budget ? n * 1000 : floor_budget;
}

int sbi__posterior_in_support(const sbi_posterior *p, int64_t n, const double *theta,
                              int32_t *inside)
{
    const int32_t d = p->theta_dim;
    const sbi_prior *pr = p->prior;
    if (pr->kind == SBI_PRIOR_CALLBACK) {
        SBI_TRY(sbi_prior_in_support(pr, n, theta, inside));
        for (int64_t i = 0; i < n; i++)
            for (int32_t j = 0; j < d && inside[i]; j++)
                if (!isfinite(theta[i * d + j])) inside[i] = 0;
        return SBI_OK;
    }
    /* Box and Gaussian priors: the interval check of the reference
     * (low <= theta <= high), which a Gaussian passes whenever finite. */
    for (int64_t i = 0; i < n; i++) {
        const double *t = theta + i * d;
        int32_t ok = 1;
        for (int32_t j = 0; j < d; j++)
            if (!(isfinite(t[j]) && t[j] >= pr->low[j] && t[j] <= pr->high[j])) ok = 0;
        inside[i] = ok;
    }
    return SBI_OK;
}

int sbi__posterior_log_q(const sbi_posterior *p, const double *xz, int64_t n,
                         const double *theta, double *out)
{
    const int32_t d = p->theta_dim, xd = p->x_dim;
    const sbi__estimator *e = p->est;
    if (n == 0) return SBI_OK;
    /* Rows are z-scored in chunks; an estimator without the one-condition op
     * wants the condition repeated per row, which the chunk keeps small. */
    int64_t chunk = (int64_t)1 << 20;
    chunk /= xd > d ? xd : d;
    if (chunk < 1) chunk = 1;
    if (chunk > 1024) chunk = 1024;
    if (chunk > n) chunk = n;
    double *z = sbi__malloc_array((size_t)chunk * (size_t)d, sizeof(double));
    double *xs = e->ops->log_prob_at ? NULL
                                     : sbi__malloc_array((size_t)chunk * (size_t)xd, sizeof(double));
    int rc = SBI_OK;
    if (!z || (!e->ops->log_prob_at && !xs)) {
        rc = sbi__oom("posterior log_prob");
        goto done;
    }
    for (int64_t r = 0; xs && r < chunk; r++) memcpy(xs + r * xd, xz, (size_t)xd * sizeof(double));
    for (int64_t start = 0; start < n; start += chunk) {
        const int64_t m = n - start < chunk ? n - start : chunk;
        for (int64_t r = 0; r < m; r++)
            for (int32_t j = 0; j < d; j++)
                z[r * d + j] = (theta[(start + r) * d + j] - p->theta_shift[j]) / p->theta_scale[j];
        rc = xs ? e->ops->log_prob(e, m, z, xs, out + start)
                : e->ops->log_prob_at(e, m, z, xz, out + start);
        if (rc != SBI_OK) goto done;
        for (int64_t r = 0; r < m; r++) out[start + r] += p->log_jacobian;
    }
done:
    sbi__free(z);
    sbi__free(xs);
    return rc;
}

/* ---- accessors ---------------------------------------------------------- */

int sbi_posterior_dims(const sbi_posterior *p, int32_t *theta_dim, int32_t *x_dim)
{
    SBI_CHECK_PTR(p, "sbi_posterior_dims");
    if (theta_dim) *theta_dim = p->theta_dim;
    if (x_dim) *x_dim = p->x_dim;
    return SBI_OK;
}

int sbi_posterior_estimator(const sbi_posterior *p, int32_t *kind)
{
    SBI_CHECK_PTR(p, "sbi_posterior_estimator");
    SBI_CHECK_PTR(kind, "sbi_posterior_estimator");
    *kind = p->est->config.kind;
    return SBI_OK;
}

int sbi_posterior_prior(const sbi_posterior *p, const sbi_prior **prior)
{
    SBI_CHECK_PTR(p, "sbi_posterior_prior");
    SBI_CHECK_PTR(prior, "sbi_posterior_prior");
    *prior = p->prior;
    return SBI_OK;
}

int sbi_posterior_training_summary(const sbi_posterior *p, int64_t *epochs, int64_t *n_train,
                                   double *best_validation_loss)
{
    SBI_CHECK_PTR(p, "sbi_posterior_training_summary");
    if (epochs) *epochs = p->epochs;
    if (n_train) *n_train = p->n_train;
    if (best_validation_loss) *best_validation_loss = p->best_validation_loss;
    return SBI_OK;
}
