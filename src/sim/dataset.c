/* Datasets: n rows of (theta, x, status) with row-major arrays. */
#include <math.h>
#include <string.h>

#include "core/internal.h"
#include "sim/sim_internal.h"

struct sbi_dataset *sbi__dataset_new(int64_t n, int32_t theta_dim, int32_t x_dim)
{
    if (n < 0 || n > INT64_MAX / theta_dim || n > INT64_MAX / x_dim) return NULL;
    struct sbi_dataset *ds = sbi__calloc(1, sizeof *ds);
    if (!ds) return NULL;
    ds->n = n;
    ds->theta_dim = theta_dim;
    ds->x_dim = x_dim;
    size_t nt = (size_t)n * (size_t)theta_dim, nx = (size_t)n * (size_t)x_dim;
    ds->theta = sbi__malloc_array(nt, sizeof(double));
    ds->x = sbi__malloc_array(nx, sizeof(double));
    ds->status = sbi__malloc_array((size_t)n, sizeof(int32_t));
    if (!ds->theta || !ds->x || !ds->status) {
        sbi_dataset_free(ds);
        return NULL;
    }
    sbi__fill_nan(ds->theta, nt);
    sbi__fill_nan(ds->x, nx);
    for (int64_t i = 0; i < n; i++) ds->status[i] = SBI_ROW_PENDING;
    return ds;
}

void sbi_dataset_free(sbi_dataset *ds)
{
    if (!ds) return;
    sbi__free(ds->theta);
    sbi__free(ds->x);
    sbi__free(ds->status);
    sbi__free(ds);
}

int sbi_dataset_create(sbi_dataset **out, int64_t n, int32_t theta_dim, int32_t x_dim,
                       const double *theta, const double *x)
{
    static const char *where = "sbi_dataset_create";
    SBI_CHECK_PTR(out, where);
    *out = NULL;
    SBI_CHECK_ARG(n >= 0, "%s: n=%lld is negative", where, (long long)n);
    SBI_CHECK_ARG(theta_dim >= 1, "%s: theta_dim=%d must be at least 1", where, (int)theta_dim);
    SBI_CHECK_ARG(x_dim >= 1, "%s: x_dim=%d must be at least 1", where, (int)x_dim);
    SBI_CHECK_ARG(n <= INT64_MAX / theta_dim && n <= INT64_MAX / x_dim,
                  "%s: n=%lld rows overflow", where, (long long)n);
    if (n > 0) {
        SBI_CHECK_PTR(theta, where);
        SBI_CHECK_PTR(x, where);
    }
    struct sbi_dataset *ds = sbi__dataset_new(n, theta_dim, x_dim);
    if (!ds) return sbi__oom(where);
    const size_t xd = (size_t)x_dim;
    if (n > 0) {
        memcpy(ds->theta, theta, (size_t)n * (size_t)theta_dim * sizeof(double));
        memcpy(ds->x, x, (size_t)n * xd * sizeof(double));
    }
    for (int64_t i = 0; i < n; i++) {
        ds->status[i] = SBI_ROW_OK;
        for (size_t j = 0; j < xd; j++)
            if (!isfinite(ds->x[(size_t)i * xd + j])) {
                ds->status[i] = SBI_ROW_NONFINITE;
                break;
            }
    }
    *out = ds;
    return SBI_OK;
}

int sbi_dataset_shape(const sbi_dataset *ds, int64_t *n, int32_t *theta_dim, int32_t *x_dim)
{
    SBI_CHECK_PTR(ds, "sbi_dataset_shape");
    if (n) *n = ds->n;
    if (theta_dim) *theta_dim = ds->theta_dim;
    if (x_dim) *x_dim = ds->x_dim;
    return SBI_OK;
}

int sbi_dataset_theta(const sbi_dataset *ds, const double **theta)
{
    SBI_CHECK_PTR(ds, "sbi_dataset_theta");
    SBI_CHECK_PTR(theta, "sbi_dataset_theta");
    *theta = ds->theta;
    return SBI_OK;
}

int sbi_dataset_x(const sbi_dataset *ds, const double **x)
{
    SBI_CHECK_PTR(ds, "sbi_dataset_x");
    SBI_CHECK_PTR(x, "sbi_dataset_x");
    *x = ds->x;
    return SBI_OK;
}

int sbi_dataset_status(const sbi_dataset *ds, const int32_t **status)
{
    SBI_CHECK_PTR(ds, "sbi_dataset_status");
    SBI_CHECK_PTR(status, "sbi_dataset_status");
    *status = ds->status;
    return SBI_OK;
}

int sbi_dataset_count(const sbi_dataset *ds, int32_t row_status, int64_t *count)
{
    static const char *where = "sbi_dataset_count";
    SBI_CHECK_PTR(ds, where);
    SBI_CHECK_PTR(count, where);
    SBI_CHECK_ARG(row_status >= SBI_ROW_OK && row_status <= SBI_ROW_PENDING,
                  "%s: row_status=%d is not one of SBI_ROW_*", where, (int)row_status);
    int64_t c = 0;
    for (int64_t i = 0; i < ds->n; i++) c += ds->status[i] == row_status;
    *count = c;
    return SBI_OK;
}

int sbi_dataset_copy_valid(const sbi_dataset *ds, double *theta, double *x, int64_t *k)
{
    static const char *where = "sbi_dataset_copy_valid";
    SBI_CHECK_PTR(ds, where);
    SBI_CHECK_PTR(k, where);
    const size_t td = (size_t)ds->theta_dim, xd = (size_t)ds->x_dim;
    int64_t c = 0;
    for (int64_t i = 0; i < ds->n; i++) {
        if (ds->status[i] != SBI_ROW_OK) continue;
        if (theta) memcpy(theta + (size_t)c * td, ds->theta + (size_t)i * td, td * sizeof(double));
        if (x) memcpy(x + (size_t)c * xd, ds->x + (size_t)i * xd, xd * sizeof(double));
        c++;
    }
    *k = c;
    return SBI_OK;
}
