/* Multivariate normal priors: argument checks and the Cholesky factor. */
#include <lapacke.h>
#include <math.h>

#include "core/internal.h"
#include "prior/prior_build.h"

/* Relative tolerance of the symmetry check: cov[i][j] and cov[j][i] may differ
 * by rounding (e.g. a covariance computed as A A^T), not by more. */
#define SYMMETRY_RTOL 1e-12

int sbi__prior_factorise(struct sbi_prior *p, const char *where)
{
    size_t d = (size_t)p->dim;
    double *l = sbi__memdup(p->cov, d * d, sizeof(double));
    if (!l) return sbi__oom(where);
    /* cov is symmetric, so its row-major bytes are also its column-major
     * bytes: the column-major upper factor U (cov = U^T U) read row-major is
     * the lower factor L = U^T. The _work variant does not allocate. */
    lapack_int info = LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, 'U', (lapack_int)d, l, (lapack_int)d);
    if (info != 0) {
        sbi__free(l);
        if (info > 0)
            return sbi__fail(SBI_EINVAL,
                             "%s: the covariance is not positive definite (Cholesky fails at "
                             "leading minor %d)",
                             where, (int)info);
        return sbi__fail(SBI_ENUMERIC, "%s: LAPACKE_dpotrf failed (info %d)", where, (int)info);
    }
    double log_det_l = 0.0;
    for (size_t i = 0; i < d; i++) {
        for (size_t j = i + 1; j < d; j++) l[i * d + j] = 0.0; /* upper part: leftovers */
        log_det_l += log(l[i * d + i]);
    }
    p->chol = l;
    p->log_norm = -0.5 * (double)d * log(2.0 * 3.14159265358979323846) - log_det_l;
    return SBI_OK;
}

static int check_mean(const char *where, int32_t dim, const double *mean)
{
    SBI_CHECK_PTR(mean, where);
    for (int32_t i = 0; i < dim; i++)
        SBI_CHECK_ARG(isfinite(mean[i]), "%s: mean[%d]=%g is not finite", where, (int)i, mean[i]);
    return SBI_OK;
}

static int check_cov(const char *where, int32_t dim, const double *cov)
{
    SBI_CHECK_PTR(cov, where);
    size_t d = (size_t)dim;
    for (size_t i = 0; i < d; i++) {
        for (size_t j = 0; j < d; j++)
            SBI_CHECK_ARG(isfinite(cov[i * d + j]), "%s: cov[%d][%d]=%g is not finite", where,
                          (int)i, (int)j, cov[i * d + j]);
        SBI_CHECK_ARG(cov[i * d + i] > 0.0, "%s: the variance cov[%d][%d]=%g is not positive",
                      where, (int)i, (int)i, cov[i * d + i]);
    }
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < i; j++) {
            double a = cov[i * d + j], b = cov[j * d + i];
            double scale = fmax(fmax(fabs(a), fabs(b)), sqrt(cov[i * d + i] * cov[j * d + j]));
            SBI_CHECK_ARG(fabs(a - b) <= SYMMETRY_RTOL * scale,
                          "%s: the covariance is not symmetric: cov[%d][%d]=%.17g but "
                          "cov[%d][%d]=%.17g",
                          where, (int)i, (int)j, a, (int)j, (int)i, b);
        }
    return SBI_OK;
}

static int gaussian_finish(struct sbi_prior *p, sbi_prior **out, const char *where)
{
    int rc = sbi__prior_factorise(p, where);
    if (rc != SBI_OK) {
        sbi_prior_free(p);
        return rc;
    }
    *out = p;
    return SBI_OK;
}

int sbi_prior_create_gaussian(sbi_prior **out, int32_t dim, const double *mean, const double *cov)
{
    static const char *where = "sbi_prior_create_gaussian";
    SBI_CHECK_PTR(out, where);
    *out = NULL;
    SBI_CHECK_ARG(dim >= 1, "%s: dim=%d must be at least 1", where, (int)dim);
    SBI_TRY(check_mean(where, dim, mean));
    SBI_TRY(check_cov(where, dim, cov));
    struct sbi_prior *p = sbi__prior_new(SBI_PRIOR_GAUSSIAN, dim);
    size_t d = (size_t)dim;
    if (p) {
        p->mean = sbi__memdup(mean, d, sizeof(double));
        p->cov = sbi__malloc_array(d * d, sizeof(double));
    }
    if (!p || !p->mean || !p->cov) {
        sbi_prior_free(p);
        return sbi__oom(where);
    }
    /* Store the exactly symmetric average, so cov and chol agree. */
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < d; j++)
            p->cov[i * d + j] = i == j ? cov[i * d + i] : 0.5 * (cov[i * d + j] + cov[j * d + i]);
    return gaussian_finish(p, out, where);
}

int sbi_prior_create_gaussian_diag(sbi_prior **out, int32_t dim, const double *mean,
                                   const double *var)
{
    static const char *where = "sbi_prior_create_gaussian_diag";
    SBI_CHECK_PTR(out, where);
    *out = NULL;
    SBI_CHECK_ARG(dim >= 1, "%s: dim=%d must be at least 1", where, (int)dim);
    SBI_TRY(check_mean(where, dim, mean));
    SBI_CHECK_PTR(var, where);
    for (int32_t i = 0; i < dim; i++)
        SBI_CHECK_ARG(isfinite(var[i]) && var[i] > 0.0,
                      "%s: var[%d]=%g is not a finite positive number", where, (int)i, var[i]);
    struct sbi_prior *p = sbi__prior_new(SBI_PRIOR_GAUSSIAN, dim);
    size_t d = (size_t)dim;
    if (p) {
        p->mean = sbi__memdup(mean, d, sizeof(double));
        p->cov = sbi__calloc(d * d, sizeof(double));
    }
    if (!p || !p->mean || !p->cov) {
        sbi_prior_free(p);
        return sbi__oom(where);
    }
    for (size_t i = 0; i < d; i++) p->cov[i * d + i] = var[i];
    return gaussian_finish(p, out, where);
}
