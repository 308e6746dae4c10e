/* Prior lifecycle and queries: box-uniform and callback constructors, free,
 * clone, dimension, kind, bounds, moments. Gaussians are in gaussian.c,
 * sampling and densities in prior_eval.c. */
#include <math.h>

#include "core/internal.h"
#include "prior/prior_build.h"

struct sbi_prior *sbi__prior_new(int32_t kind, int32_t dim)
{
    struct sbi_prior *p = sbi__calloc(1, sizeof *p);
    if (!p) return NULL;
    p->kind = kind;
    p->dim = dim;
    p->low = sbi__malloc_array((size_t)dim, sizeof(double));
    p->high = sbi__malloc_array((size_t)dim, sizeof(double));
    if (!p->low || !p->high) {
        sbi_prior_free(p);
        return NULL;
    }
    for (int32_t i = 0; i < dim; i++) {
        p->low[i] = -INFINITY;
        p->high[i] = INFINITY;
    }
    return p;
}

void sbi_prior_free(sbi_prior *prior)
{
    if (!prior) return;
    sbi__free(prior->low);
    sbi__free(prior->high);
    sbi__free(prior->mean);
    sbi__free(prior->cov);
    sbi__free(prior->chol);
    sbi__free(prior);
}

int sbi_prior_create_box_uniform(sbi_prior **out, int32_t dim, const double *low,
                                 const double *high)
{
    static const char *where = "sbi_prior_create_box_uniform";
    SBI_CHECK_PTR(out, where);
    *out = NULL;
    SBI_CHECK_ARG(dim >= 1, "%s: dim=%d must be at least 1", where, (int)dim);
    SBI_CHECK_PTR(low, where);
    SBI_CHECK_PTR(high, where);
    double log_norm = 0.0;
    for (int32_t i = 0; i < dim; i++) {
        SBI_CHECK_ARG(isfinite(low[i]), "%s: low[%d]=%g is not finite", where, (int)i, low[i]);
        SBI_CHECK_ARG(isfinite(high[i]), "%s: high[%d]=%g is not finite", where, (int)i,
                      high[i]);
        SBI_CHECK_ARG(low[i] < high[i], "%s: low[%d]=%g is not below high[%d]=%g", where, (int)i,
                      low[i], (int)i, high[i]);
        double width = high[i] - low[i];
        /* e.g. low=-1e308, high=1e308: the width overflows. */
        SBI_CHECK_ARG(isfinite(width), "%s: the width high[%d]-low[%d] overflows", where, (int)i,
                      (int)i);
        log_norm -= log(width);
    }
    struct sbi_prior *p = sbi__prior_new(SBI_PRIOR_BOX_UNIFORM, dim);
    if (!p) return sbi__oom(where);
    for (int32_t i = 0; i < dim; i++) {
        p->low[i] = low[i];
        p->high[i] = high[i];
    }
    p->log_norm = log_norm;
    *out = p;
    return SBI_OK;
}

int sbi_prior_create_callback(sbi_prior **out, int32_t dim, sbi_prior_sample_fn sample,
                              sbi_prior_log_prob_fn log_prob, sbi_prior_support_fn in_support,
                              void *user_data)
{
    static const char *where = "sbi_prior_create_callback";
    SBI_CHECK_PTR(out, where);
    *out = NULL;
    SBI_CHECK_ARG(dim >= 1, "%s: dim=%d must be at least 1", where, (int)dim);
    SBI_CHECK_ARG(sample != NULL, "%s: the sample callback is NULL", where);
    SBI_CHECK_ARG(log_prob != NULL, "%s: the log_prob callback is NULL", where);
    struct sbi_prior *p = sbi__prior_new(SBI_PRIOR_CALLBACK, dim);
    if (!p) return sbi__oom(where);
    p->sample_fn = sample;
    p->log_prob_fn = log_prob;
    p->support_fn = in_support;
    p->user_data = user_data;
    *out = p;
    return SBI_OK;
}

/* Copy dim*dim (square) or dim doubles; NULL stays NULL. */
static int dup_field(double **dst, const double *src, size_t count)
{
    *dst = NULL;
    if (!src) return 0;
    *dst = sbi__memdup(src, count, sizeof(double));
    return *dst ? 0 : -1;
}

int sbi_prior_clone(const sbi_prior *prior, sbi_prior **out)
{
    static const char *where = "sbi_prior_clone";
    SBI_CHECK_PTR(out, where);
    *out = NULL;
    SBI_CHECK_PTR(prior, where);
    struct sbi_prior *p = sbi__calloc(1, sizeof *p);
    if (!p) return sbi__oom(where);
    *p = *prior;
    size_t d = (size_t)prior->dim;
    int bad = dup_field(&p->low, prior->low, d);
    bad |= dup_field(&p->high, prior->high, d);
    bad |= dup_field(&p->mean, prior->mean, d);
    bad |= dup_field(&p->cov, prior->cov, d * d);
    bad |= dup_field(&p->chol, prior->chol, d * d);
    if (bad) {
        sbi_prior_free(p);
        return sbi__oom(where);
    }
    *out = p;
    return SBI_OK;
}

int sbi_prior_dim(const sbi_prior *prior, int32_t *dim)
{
    SBI_CHECK_PTR(prior, "sbi_prior_dim");
    SBI_CHECK_PTR(dim, "sbi_prior_dim");
    *dim = prior->dim;
    return SBI_OK;
}

int sbi_prior_kind(const sbi_prior *prior, int32_t *kind)
{
    SBI_CHECK_PTR(prior, "sbi_prior_kind");
    SBI_CHECK_PTR(kind, "sbi_prior_kind");
    *kind = prior->kind;
    return SBI_OK;
}

int sbi_prior_bounds(const sbi_prior *prior, double *low, double *high)
{
    SBI_CHECK_PTR(prior, "sbi_prior_bounds");
    SBI_CHECK_PTR(low, "sbi_prior_bounds");
    SBI_CHECK_PTR(high, "sbi_prior_bounds");
    for (int32_t i = 0; i < prior->dim; i++) {
        low[i] = prior->low[i];
        high[i] = prior->high[i];
    }
    return SBI_OK;
}

int sbi_prior_moments(const sbi_prior *prior, double *mean, double *var)
{
    static const char *where = "sbi_prior_moments";
    SBI_CHECK_PTR(prior, where);
    SBI_CHECK_PTR(mean, where);
    SBI_CHECK_PTR(var, where);
    SBI_CHECK_ARG(prior->kind != SBI_PRIOR_CALLBACK,
                  "%s: the moments of a callback prior are unknown", where);
    int32_t d = prior->dim;
    for (int32_t i = 0; i < d; i++) {
        if (prior->kind == SBI_PRIOR_BOX_UNIFORM) {
            double w = prior->high[i] - prior->low[i];
            mean[i] = prior->low[i] + 0.5 * w;
            var[i] = w * w / 12.0;
        } else {
            mean[i] = prior->mean[i];
            var[i] = prior->cov[(size_t)i * (size_t)d + (size_t)i];
        }
    }
    return SBI_OK;
}
