/* Simulation-based calibration (Talts et al. 2018): ranks of theta* among
 * posterior samples, and tests of their uniformity. */
#include <math.h>

#include "core/internal.h"
#include "diagnostics/stats.h"
#include "sbi/diagnostics.h"

int sbi_sbc_ranks(int64_t n_tests, int64_t n_samples, int32_t dim, const double *theta,
                  const double *samples, int32_t *ranks)
{
    const char *w = "sbi_sbc_ranks";
    SBI_CHECK_ARG(n_tests >= 1, "%s: n_tests=%lld must be at least 1", w, (long long)n_tests);
    SBI_CHECK_ARG(n_samples >= 1 && n_samples <= INT32_MAX,
                  "%s: n_samples=%lld must be in 1..2^31-1", w, (long long)n_samples);
    SBI_CHECK_ARG(dim >= 1, "%s: dim=%d must be at least 1", w, (int)dim);
    SBI_CHECK_PTR(theta, w);
    SBI_CHECK_PTR(samples, w);
    SBI_CHECK_PTR(ranks, w);
    for (int64_t i = 0; i < n_tests; i++) {
        const double *s = samples + (size_t)i * (size_t)n_samples * (size_t)dim;
        for (int32_t k = 0; k < dim; k++) {
            double t = theta[i * dim + k];
            SBI_CHECK_ARG(!isnan(t), "%s: theta[%lld][%d] is NaN", w, (long long)i, (int)k);
            int32_t r = 0;
            for (int64_t j = 0; j < n_samples; j++) r += s[j * dim + k] < t;
            ranks[i * dim + k] = r;
        }
    }
    return SBI_OK;
}

static int check_ranks(const char *w, int64_t n_tests, int32_t dim, const int32_t *ranks,
                       int64_t n_samples)
{
    SBI_CHECK_ARG(n_tests >= 1, "%s: n_tests=%lld must be at least 1", w, (long long)n_tests);
    SBI_CHECK_ARG(dim >= 1, "%s: dim=%d must be at least 1", w, (int)dim);
    SBI_CHECK_ARG(n_samples >= 1 && n_samples <= INT32_MAX,
                  "%s: n_samples=%lld must be in 1..2^31-1", w, (long long)n_samples);
    SBI_CHECK_PTR(ranks, w);
    for (int64_t i = 0; i < n_tests * dim; i++)
        SBI_CHECK_ARG(ranks[i] >= 0 && ranks[i] <= n_samples,
                      "%s: ranks[%lld][%d]=%d is outside 0..%lld", w, (long long)(i / dim),
                      (int)(i % dim), (int)ranks[i], (long long)n_samples);
    return SBI_OK;
}

int sbi_sbc_ks(int64_t n_tests, int32_t dim, const int32_t *ranks, int64_t n_samples,
               double *ks_stat, double *p_values)
{
    SBI_TRY(check_ranks("sbi_sbc_ks", n_tests, dim, ranks, n_samples));
    int64_t *hist = sbi__calloc((size_t)n_samples + 1, sizeof *hist);
    if (!hist) return sbi__oom("sbi_sbc_ks");
    for (int32_t k = 0; k < dim; k++) {
        for (int64_t r = 0; r <= n_samples; r++) hist[r] = 0;
        for (int64_t i = 0; i < n_tests; i++) hist[ranks[i * dim + k]]++;
        /* The empirical and the discrete uniform CDF are both step functions
         * jumping at 0..L: the sup of their difference is taken at the steps. */
        double d = 0.0;
        int64_t cum = 0;
        for (int64_t r = 0; r <= n_samples; r++) {
            cum += hist[r];
            double diff = fabs((double)cum / (double)n_tests -
                               (double)(r + 1) / (double)(n_samples + 1));
            if (diff > d) d = diff;
        }
        if (ks_stat) ks_stat[k] = d;
        if (p_values) p_values[k] = sbi__ks_pvalue(d, n_tests);
    }
    sbi__free(hist);
    return SBI_OK;
}

static int32_t default_bins(int64_t n_tests, int64_t n_samples)
{
    int64_t b = n_tests / 5;
    if (b < 2) b = 2;
    if (b > 20) b = 20;
    if (b > n_samples + 1) b = n_samples + 1;
    return (int32_t)b;
}

/* Bin of rank r when 0..L is split into nb bins. */
static int32_t bin_of(int64_t r, int64_t n_samples, int32_t nb)
{
    return (int32_t)((r * nb) / (n_samples + 1));
}

int sbi_sbc_histogram(int64_t n_tests, int32_t dim, const int32_t *ranks, int64_t n_samples,
                      int32_t n_bins, int64_t *counts)
{
    const char *w = "sbi_sbc_histogram";
    SBI_TRY(check_ranks(w, n_tests, dim, ranks, n_samples));
    SBI_CHECK_ARG(n_bins >= 1 && n_bins <= n_samples + 1,
                  "%s: n_bins=%d must be in 1..n_samples+1=%lld", w, (int)n_bins,
                  (long long)n_samples + 1);
    SBI_CHECK_PTR(counts, w);
    for (int64_t b = 0; b < (int64_t)dim * n_bins; b++) counts[b] = 0;
    for (int64_t i = 0; i < n_tests; i++)
        for (int32_t k = 0; k < dim; k++)
            counts[(int64_t)k * n_bins + bin_of(ranks[i * dim + k], n_samples, n_bins)]++;
    return SBI_OK;
}

int sbi_sbc_chi2(int64_t n_tests, int32_t dim, const int32_t *ranks, int64_t n_samples,
                 int32_t n_bins, double *chi2, double *p_values)
{
    const char *w = "sbi_sbc_chi2";
    SBI_TRY(check_ranks(w, n_tests, dim, ranks, n_samples));
    if (n_bins == 0) n_bins = default_bins(n_tests, n_samples);
    SBI_CHECK_ARG(n_bins >= 2 && n_bins <= n_samples + 1,
                  "%s: n_bins=%d must be 0 (default) or in 2..n_samples+1=%lld", w, (int)n_bins,
                  (long long)n_samples + 1);
    int64_t *counts = sbi__calloc((size_t)dim * (size_t)n_bins, sizeof *counts);
    int64_t *width = sbi__calloc((size_t)n_bins, sizeof *width);
    if (!counts || !width) {
        sbi__free(counts);
        sbi__free(width);
        return sbi__oom(w);
    }
    sbi_sbc_histogram(n_tests, dim, ranks, n_samples, n_bins, counts);
    /* Bins may hold unequal numbers of rank values; weight by that. */
    for (int64_t r = 0; r <= n_samples; r++) width[bin_of(r, n_samples, n_bins)]++;
    for (int32_t k = 0; k < dim; k++) {
        double c2 = 0.0;
        for (int32_t b = 0; b < n_bins; b++) {
            double e = (double)n_tests * (double)width[b] / (double)(n_samples + 1);
            double o = (double)counts[(int64_t)k * n_bins + b];
            c2 += (o - e) * (o - e) / e;
        }
        if (chi2) chi2[k] = c2;
        if (p_values) p_values[k] = sbi__chi2_sf(c2, (double)(n_bins - 1));
    }
    sbi__free(counts);
    sbi__free(width);
    return SBI_OK;
}
