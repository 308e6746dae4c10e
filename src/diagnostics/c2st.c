/* C2ST as sbibm scores it: z-score by the reference set, pool with labels,
 * 5-fold shuffled cross-validation of an MLP classifier, mean held-out
 * accuracy. */
#include <math.h>
#include <string.h>

#include "core/internal.h"
#include "diagnostics/classifier.h"
#include "rng/rng_internal.h"
#include "sbi/diagnostics.h"

int sbi_c2st(int64_t n_x, const double *x, int64_t n_y, const double *y, int32_t dim,
             uint64_t seed, double *accuracy)
{
    return sbi_c2st_ex(n_x, x, n_y, y, dim, seed, 5, 10000, 1, NULL, accuracy);
}

int sbi_c2st_ex(int64_t n_x, const double *x, int64_t n_y, const double *y, int32_t dim,
                uint64_t seed, int32_t n_folds, int64_t max_epochs, int32_t z_score,
                double *fold_accuracy, double *accuracy)
{
    const char *w = "sbi_c2st";
    SBI_CHECK_PTR(x, w);
    SBI_CHECK_PTR(y, w);
    SBI_CHECK_PTR(accuracy, w);
    SBI_CHECK_ARG(dim >= 1 && dim <= 100000, "%s: dim=%d must be in 1..100000", w, (int)dim);
    SBI_CHECK_ARG(n_x >= 2, "%s: n_x=%lld must be at least 2", w, (long long)n_x);
    SBI_CHECK_ARG(n_y >= 1, "%s: n_y=%lld must be at least 1", w, (long long)n_y);
    SBI_CHECK_ARG(n_folds >= 2, "%s: n_folds=%d must be at least 2", w, (int)n_folds);
    SBI_CHECK_ARG(n_x + n_y >= 2 * (int64_t)n_folds,
                  "%s: %lld rows are too few for %d folds", w, (long long)(n_x + n_y),
                  (int)n_folds);
    SBI_CHECK_ARG(max_epochs >= 1, "%s: max_epochs=%lld must be at least 1", w,
                  (long long)max_epochs);
    SBI_CHECK_ARG(z_score == 0 || z_score == 1, "%s: z_score=%d must be 0 or 1", w,
                  (int)z_score);
    for (int64_t i = 0; i < n_x * dim; i++)
        SBI_CHECK_ARG(isfinite(x[i]), "%s: x[%lld][%d] is not finite", w, (long long)(i / dim),
                      (int)(i % dim));
    for (int64_t i = 0; i < n_y * dim; i++)
        SBI_CHECK_ARG(isfinite(y[i]), "%s: y[%lld][%d] is not finite", w, (long long)(i / dim),
                      (int)(i % dim));

    const int64_t n = n_x + n_y;
    double *data = sbi__malloc_array((size_t)n * (size_t)dim, sizeof(double));
    uint8_t *label = sbi__malloc_array((size_t)n, 1);
    int64_t *perm = sbi__malloc_array((size_t)n, sizeof(int64_t));
    double *mean = sbi__calloc((size_t)dim, sizeof(double));
    double *sd = sbi__calloc((size_t)dim, sizeof(double));
    /* Gathered folds: the training rows, then the test rows. */
    double *xs = sbi__malloc_array((size_t)n * (size_t)dim, sizeof(double));
    uint8_t *ls = sbi__malloc_array((size_t)n, 1);
    uint8_t *mask = sbi__malloc_array((size_t)n, 1); /* 1: row in the test fold */
    sbi_rng *rng = NULL;
    int rc = SBI_OK;
    if (!data || !label || !perm || !mean || !sd || !xs || !ls || !mask) {
        rc = sbi__oom(w);
        goto done;
    }
    memcpy(data, x, sizeof(double) * (size_t)(n_x * dim));
    memcpy(data + n_x * dim, y, sizeof(double) * (size_t)(n_y * dim));
    memset(label, 0, (size_t)n_x);
    memset(label + n_x, 1, (size_t)n_y);
    if (z_score) {
        /* Mean and unbiased (N-1) sd of the reference x only (sbibm). */
        for (int64_t i = 0; i < n_x; i++)
            for (int32_t k = 0; k < dim; k++) mean[k] += x[i * dim + k];
        for (int32_t k = 0; k < dim; k++) mean[k] /= (double)n_x;
        for (int64_t i = 0; i < n_x; i++)
            for (int32_t k = 0; k < dim; k++) {
                double d = x[i * dim + k] - mean[k];
                sd[k] += d * d;
            }
        for (int32_t k = 0; k < dim; k++) {
            sd[k] = sqrt(sd[k] / (double)(n_x - 1));
            if (!(sd[k] > 0.0)) {
                rc = sbi__fail(SBI_EINVAL, "%s: column %d of x is constant: cannot z-score", w,
                               (int)k);
                goto done;
            }
        }
        for (int64_t i = 0; i < n; i++)
            for (int32_t k = 0; k < dim; k++)
                data[i * dim + k] = (data[i * dim + k] - mean[k]) / sd[k];
    }
    rc = sbi_rng_create(&rng, seed, 0);
    if (rc != SBI_OK) goto done;
    /* KFold(shuffle=True): one permutation; fold f is a contiguous block of
     * it, the first n % k folds one row larger. */
    for (int64_t i = 0; i < n; i++) perm[i] = i;
    for (int64_t i = n - 1; i > 0; i--) {
        int64_t j = (int64_t)(sbi__rng_u64(rng) % (uint64_t)(i + 1));
        int64_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    sbi__clf_options opt;
    sbi__clf_options_default(&opt, dim);
    opt.max_epochs = max_epochs;
    double total = 0.0;
    int64_t start = 0;
    for (int32_t f = 0; f < n_folds; f++) {
        int64_t size = n / n_folds + (f < n % n_folds ? 1 : 0);
        int64_t stop = start + size, ntr = 0;
        /* Training rows in their original order (as sklearn's indices), then
         * the fold's rows in permutation order. */
        memset(mask, 0, (size_t)n);
        for (int64_t i = start; i < stop; i++) mask[perm[i]] = 1;
        double *xtr = xs, *xte = xs + (n - size) * dim;
        uint8_t *ltr = ls, *lte = ls + (n - size);
        for (int64_t i = 0; i < n; i++)
            if (!mask[i]) {
                memcpy(xtr + ntr * dim, data + i * dim, sizeof(double) * (size_t)dim);
                ltr[ntr++] = label[i];
            }
        for (int64_t i = start; i < stop; i++) {
            memcpy(xte + (i - start) * dim, data + perm[i] * dim, sizeof(double) * (size_t)dim);
            lte[i - start] = label[perm[i]];
        }
        sbi_rng_reset(rng, seed, 1 + (uint64_t)f);
        double acc = 0.0;
        rc = sbi__clf_fit_score(&opt, dim, ntr, xtr, ltr, size, xte, lte, rng, &acc, NULL);
        if (rc != SBI_OK) goto done;
        if (fold_accuracy) fold_accuracy[f] = acc;
        total += acc;
        start = stop;
    }
    *accuracy = total / (double)n_folds;
done:
    sbi_rng_free(rng);
    sbi__free(data);
    sbi__free(label);
    sbi__free(perm);
    sbi__free(mean);
    sbi__free(sd);
    sbi__free(xs);
    sbi__free(ls);
    sbi__free(mask);
    return rc;
}
