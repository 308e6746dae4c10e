/* The pairplot of posterior samples: marginal histograms on the diagonal,
 * 2-D histograms above, the legend and a numeric summary below. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/internal.h"
#include "plot/plot_internal.h"

#define PAIR_HIST_COLOR "#1f77b4"
#define PAIR_TRUTH_COLOR "#e6550d"

static int build(sbi_plot *p, int64_t n, int32_t dim, const double *s, const double *low,
                 const double *high, const char *const *names, const double *truth,
                 int32_t bins)
{
    char def[2][32];
    for (int32_t i = 0; i < dim; i++) {
        int32_t diag = i * dim + i;
        const char *ni = names ? names[i] : (snprintf(def[0], sizeof def[0], "theta[%d]", (int)i), def[0]);
        SBI_TRY(sbi_plot_add_histogram(p, diag, n, s + i, dim, bins, low[i], high[i],
                                       dim == 1 ? "posterior samples" : NULL, PAIR_HIST_COLOR));
        if (truth)
            SBI_TRY(sbi_plot_add_vline(p, diag, truth[i], dim == 1 ? "true parameter" : NULL,
                                       PAIR_TRUTH_COLOR, SBI_PLOT_SOLID));
        SBI_TRY(sbi_plot_set_limits(p, diag, low[i], high[i], NAN, NAN));
        SBI_TRY(sbi_plot_set_labels(p, diag, NULL, ni, NULL));
        p->panels[diag].hide_yticks = 1;
        for (int32_t j = i + 1; j < dim; j++) {
            int32_t up = i * dim + j;
            const char *nj = names ? names[j] : (snprintf(def[1], sizeof def[1], "theta[%d]", (int)j), def[1]);
            SBI_TRY(sbi__plot_add_hist2d(p, up, n, s + j, dim, s + i, dim, bins, bins, low[j],
                                         high[j], low[i], high[i]));
            if (truth)
                SBI_TRY(sbi_plot_add_points(p, up, 1, &truth[j], &truth[i], NULL, PAIR_TRUTH_COLOR,
                                            6, SBI_PLOT_CROSS));
            SBI_TRY(sbi_plot_set_limits(p, up, low[j], high[j], low[i], high[i]));
            SBI_TRY(sbi_plot_set_labels(p, up, NULL, nj, ni));
        }
    }
    if (dim == 1) return SBI_OK;
    /* Below the diagonal: the legend, then mean and sd of each parameter. */
    int32_t leg = 1 * dim + 0, rc;
    sbi__plot_panel *pa = &p->panels[leg];
    pa->legend_only = 1;
    char line[160];
    snprintf(line, sizeof line, "posterior samples (n = %lld)", (long long)n);
    if (!sbi__plot_add(p, leg, SBI__EL_HIST, line, PAIR_HIST_COLOR, &rc)) return rc;
    if (truth) {
        sbi__plot_el *e = sbi__plot_add(p, leg, SBI__EL_POINTS, "true parameters", PAIR_TRUTH_COLOR, &rc);
        if (!e) return rc;
        e->width = 5;
        e->style = SBI_PLOT_CROSS;
    }
    for (int32_t i = 0; i < dim && i < 8; i++) {
        double sum = 0, sq = 0;
        int64_t k = 0;
        for (int64_t r = 0; r < n; r++) {
            double v = s[r * dim + i];
            if (!isfinite(v)) continue;
            sum += v;
            k++;
        }
        double mean = k ? sum / (double)k : NAN;
        for (int64_t r = 0; r < n; r++) {
            double v = s[r * dim + i];
            if (isfinite(v)) sq += (v - mean) * (v - mean);
        }
        double sd = k > 1 ? sqrt(sq / (double)(k - 1)) : NAN;
        char nm[40];
        if (names) snprintf(nm, sizeof nm, "%.39s", names[i]);
        else snprintf(nm, sizeof nm, "theta[%d]", (int)i);
        if (truth)
            snprintf(line, sizeof line, "%s: %#.4g \xC2\xB1 %#.3g (true %g)", nm, mean, sd, truth[i]);
        else
            snprintf(line, sizeof line, "%s: %#.4g \xC2\xB1 %#.3g", nm, mean, sd);
        SBI_TRY(sbi__plot_add_text(p, leg, line));
    }
    return SBI_OK;
}

int sbi_plot_pairplot(const char *path, int64_t n, int32_t dim, const double *samples,
                      const double *low, const double *high, const char *const *names,
                      const double *truth, int32_t bins, const char *title)
{
    const char *fn = "sbi_plot_pairplot";
    SBI_CHECK_PTR(path, fn);
    SBI_CHECK_ARG(dim >= 1 && dim <= 16, "%s: dim=%d is outside 1..16", fn, (int)dim);
    SBI_CHECK_ARG(n >= 0, "%s: n=%lld is negative", fn, (long long)n);
    SBI_CHECK_ARG(n == 0 || samples != NULL, "%s: samples is NULL", fn);
    SBI_CHECK_PTR(low, fn);
    SBI_CHECK_PTR(high, fn);
    SBI_CHECK_ARG(bins >= 0 && bins <= 1000, "%s: bins=%d is outside 0..1000", fn, (int)bins);
    for (int32_t i = 0; i < dim; i++) {
        SBI_CHECK_ARG(isfinite(low[i]) && isfinite(high[i]) && low[i] < high[i],
                      "%s: limits [%g, %g] of parameter %d are not finite and increasing", fn,
                      low[i], high[i], (int)i);
        SBI_CHECK_ARG(!names || names[i], "%s: names[%d] is NULL", fn, (int)i);
        SBI_CHECK_ARG(!truth || isfinite(truth[i]), "%s: truth[%d] is not finite", fn, (int)i);
    }
    if (bins == 0) bins = 50;
    int32_t cell = dim <= 2 ? 300 : dim <= 4 ? 230 : 160;
    int32_t w = cell * dim + 20, h = cell * dim + (title ? 36 : 4);
    sbi_plot *p = NULL;
    SBI_TRY(sbi_plot_create(&p, w < 360 ? 360 : w, h < 300 ? 300 : h, dim, dim));
    int rc = title ? sbi_plot_set_title(p, title) : SBI_OK;
    if (rc == SBI_OK) rc = build(p, n, dim, samples, low, high, names, truth, bins);
    if (rc == SBI_OK) rc = sbi_plot_save(p, path);
    sbi_plot_free(p);
    return rc;
}
