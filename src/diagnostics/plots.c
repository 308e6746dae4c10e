/* The SBC rank histogram and the expected-coverage curve, drawn with the
 * plot module (sbi/plot.h). */
#include <math.h>
#include <stdio.h>

#include "core/internal.h"
#include "sbi/diagnostics.h"
#include "sbi/plot.h"

/* z of the two-sided 99 % normal band. */
#define Z99 2.5758293035489

/* The bins of sbi_sbc_histogram / sbi_sbc_chi2. */
static int32_t default_bins(int64_t n_tests, int64_t n_samples)
{
    int64_t b = n_tests / 5;
    b = b < 2 ? 2 : (b > 20 ? 20 : b);
    return (int32_t)(b > n_samples + 1 ? n_samples + 1 : b);
}

/* One panel: the histogram of column k and the 99 % band of uniform ranks,
 * in density units over [0, L+1] (rank r sits at the centre of its bin). */
static int sbc_panel(sbi_plot *plot, int32_t k, int64_t n_tests, int32_t dim,
                     const int32_t *ranks, int64_t n_samples, int32_t n_bins,
                     const int64_t *width, double *vals, double *bx, double *band)
{
    const double span = (double)(n_samples + 1), bw = span / n_bins;
    for (int64_t i = 0; i < n_tests; i++) {
        int64_t b = ((int64_t)ranks[i * dim + k] * n_bins) / (n_samples + 1);
        vals[i] = ((double)b + 0.5) * bw;
    }
    SBI_TRY(sbi_plot_add_histogram(plot, k, n_tests, vals, 1, n_bins, 0.0, span, NULL,
                                   "#4c72b0"));
    /* Step curves of the band: two points per bin. */
    for (int side = -1; side <= 1; side += 2) {
        for (int32_t b = 0; b < n_bins; b++) {
            double p = (double)width[b] / span, e = (double)n_tests * p;
            double c = e + side * Z99 * sqrt((double)n_tests * p * (1 - p));
            double d = (c < 0 ? 0 : c) / ((double)n_tests * bw);
            bx[2 * b] = b * bw;
            bx[2 * b + 1] = (b + 1) * bw;
            band[2 * b] = band[2 * b + 1] = d;
        }
        SBI_TRY(sbi_plot_add_line(plot, k, 2 * (int64_t)n_bins, bx, band,
                                  NULL, "#555555", 1.0,
                                  SBI_PLOT_DASHED));
    }
    return SBI_OK;
}

int sbi_sbc_plot_svg(const char *path, int64_t n_tests, int32_t dim, const int32_t *ranks,
                     int64_t n_samples, int32_t n_bins, const char *const *labels)
{
    const char *w = "sbi_sbc_plot_svg";
    SBI_CHECK_PTR(path, w);
    SBI_CHECK_ARG(dim >= 1 && dim <= 256, "%s: dim=%d must be in 1..256", w, (int)dim);
    SBI_CHECK_ARG(n_tests >= 1, "%s: n_tests=%lld must be at least 1", w, (long long)n_tests);
    SBI_CHECK_ARG(n_samples >= 1 && n_samples <= INT32_MAX,
                  "%s: n_samples=%lld must be in 1..2^31-1", w, (long long)n_samples);
    if (n_bins == 0) n_bins = default_bins(n_tests, n_samples);
    SBI_CHECK_ARG(n_bins >= 1 && n_bins <= n_samples + 1 && n_bins <= 10000,
                  "%s: n_bins=%d must be in 1..min(n_samples+1, 10000)", w, (int)n_bins);
    /* Validates the ranks too. */
    int64_t *counts = sbi__calloc((size_t)dim * (size_t)n_bins, sizeof *counts);
    int64_t *width = sbi__calloc((size_t)n_bins, sizeof *width);
    double *vals = sbi__malloc_array((size_t)n_tests, sizeof(double));
    double *bx = sbi__malloc_array(2 * (size_t)n_bins, sizeof(double));
    double *band = sbi__malloc_array(2 * (size_t)n_bins, sizeof(double));
    sbi_plot *plot = NULL;
    int rc = SBI_OK;
    if (!counts || !width || !vals || !bx || !band) {
        rc = sbi__oom(w);
        goto done;
    }
    rc = sbi_sbc_histogram(n_tests, dim, ranks, n_samples, n_bins, counts);
    if (rc != SBI_OK) goto done;
    for (int64_t r = 0; r <= n_samples; r++) width[(r * n_bins) / (n_samples + 1)]++;
    const int32_t cols = dim < 4 ? dim : 4, rows = (dim + cols - 1) / cols;
    /* One y range for all panels: the highest bar or band edge. */
    double ymax = 0.0;
    const double to_density = (double)n_bins / ((double)n_tests * (double)(n_samples + 1));
    for (int32_t b = 0; b < n_bins; b++) {
        double p = (double)width[b] / (double)(n_samples + 1);
        double hi = n_tests * p + Z99 * sqrt(n_tests * p * (1 - p));
        if (hi * to_density > ymax) ymax = hi * to_density;
    }
    for (int64_t c = 0; c < (int64_t)dim * n_bins; c++)
        if ((double)counts[c] * to_density > ymax) ymax = (double)counts[c] * to_density;
    ymax *= 1.08;
    rc = sbi_plot_create(&plot, 260 * cols, 200 * rows + 30, rows, cols);
    if (rc == SBI_OK)
        rc = sbi_plot_set_title(plot, "SBC rank histograms (dashed: 99% band of uniform ranks)");
    for (int32_t k = 0; rc == SBI_OK && k < dim; k++) {
        char name[32];
        snprintf(name, sizeof name, "theta_%d", (int)k + 1);
        rc = sbi_plot_set_labels(plot, k, labels && labels[k] ? labels[k] : name, "rank",
                                 "density");
        if (rc == SBI_OK) rc = sbi_plot_set_limits(plot, k, 0.0, (double)(n_samples + 1), 0.0, ymax);
        if (rc == SBI_OK)
            rc = sbc_panel(plot, k, n_tests, dim, ranks, n_samples, n_bins, width, vals, bx, band);
    }
    if (rc == SBI_OK) rc = sbi_plot_save(plot, path);
done:
    sbi_plot_free(plot);
    sbi__free(counts);
    sbi__free(width);
    sbi__free(vals);
    sbi__free(bx);
    sbi__free(band);
    return rc;
}

int sbi_coverage_plot_svg(const char *path, int32_t n_levels, const double *levels,
                          const double *coverage, int64_t n_tests)
{
    const char *w = "sbi_coverage_plot_svg";
    SBI_CHECK_PTR(path, w);
    SBI_CHECK_PTR(levels, w);
    SBI_CHECK_PTR(coverage, w);
    SBI_CHECK_ARG(n_levels >= 2, "%s: n_levels=%d must be at least 2", w, (int)n_levels);
    SBI_CHECK_ARG(n_tests >= 1, "%s: n_tests=%lld must be at least 1", w, (long long)n_tests);
    for (int32_t l = 0; l < n_levels; l++) {
        SBI_CHECK_ARG(levels[l] >= 0 && levels[l] <= 1 && (l == 0 || levels[l] > levels[l - 1]),
                      "%s: levels must increase within [0, 1] (levels[%d]=%g)", w, (int)l,
                      levels[l]);
        SBI_CHECK_ARG(coverage[l] >= 0 && coverage[l] <= 1,
                      "%s: coverage[%d]=%g is outside [0, 1]", w, (int)l, coverage[l]);
    }
    double *band = sbi__malloc_array(2 * (size_t)n_levels, sizeof(double));
    if (!band) return sbi__oom(w);
    sbi_plot *plot = NULL;
    const double diag[2] = {0.0, 1.0};
    char title[64];
    snprintf(title, sizeof title, "Expected coverage (%lld test pairs)", (long long)n_tests);
    int rc = sbi_plot_create(&plot, 420, 420, 1, 1);
    if (rc == SBI_OK) rc = sbi_plot_set_title(plot, title);
    if (rc == SBI_OK) rc = sbi_plot_set_labels(plot, 0, NULL, "credibility level", "empirical coverage");
    if (rc == SBI_OK) rc = sbi_plot_set_limits(plot, 0, 0.0, 1.0, 0.0, 1.0);
    if (rc == SBI_OK) rc = sbi_plot_add_line(plot, 0, 2, diag, diag, "calibrated", "#888888", 1.0, SBI_PLOT_DASHED);
    /* The 99 % binomial band of a calibrated posterior around the diagonal. */
    for (int side = -1; rc == SBI_OK && side <= 1; side += 2) {
        for (int32_t l = 0; l < n_levels; l++) {
            double a = levels[l], c = a + side * Z99 * sqrt(a * (1 - a) / (double)n_tests);
            band[l] = c < 0 ? 0 : (c > 1 ? 1 : c);
        }
        rc = sbi_plot_add_line(plot, 0, n_levels, levels, band, side < 0 ? "99% band" : NULL,
                               "#bbbbbb", 1.0, SBI_PLOT_DOTTED);
    }
    if (rc == SBI_OK) rc = sbi_plot_add_line(plot, 0, n_levels, levels, coverage, "posterior", "#c44e52", 2.0, SBI_PLOT_SOLID);
    if (rc == SBI_OK) rc = sbi_plot_save(plot, path);
    sbi_plot_free(plot);
    sbi__free(band);
    return rc;
}
