/* The two diagnostic plots as small self-contained SVG files: SBC rank
 * histograms and the expected-coverage curve. (To be moved onto the plot
 * module's SVG writer once it lands.) */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/internal.h"
#include "sbi/diagnostics.h"

/* z of the two-sided 99 % normal band. */
#define Z99 2.5758293035489

/* Text with &, <, >, " escaped. */
static void put_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

static int open_svg(const char *w, const char *path, FILE **out, double width, double height)
{
    *out = fopen(path, "w");
    if (!*out) return sbi__fail(SBI_EIO, "%s: cannot write %s: %s", w, path, strerror(errno));
    fprintf(*out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
            "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" font-size=\"11\">\n"
            "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
            width, height, width, height);
    return SBI_OK;
}

static int close_svg(const char *w, const char *path, FILE *f)
{
    fputs("</svg>\n", f);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) return sbi__fail(SBI_EIO, "%s: writing %s failed", w, path);
    return SBI_OK;
}

int sbi_sbc_plot_svg(const char *path, int64_t n_tests, int32_t dim, const int32_t *ranks,
                     int64_t n_samples, int32_t n_bins, const char *const *labels)
{
    const char *w = "sbi_sbc_plot_svg";
    SBI_CHECK_PTR(path, w);
    if (n_bins == 0) {
        int64_t b = n_tests / 5;
        b = b < 2 ? 2 : (b > 20 ? 20 : b);
        n_bins = (int32_t)(b > n_samples + 1 ? n_samples + 1 : b);
    }
    SBI_CHECK_ARG(dim >= 1 && dim <= 1000, "%s: dim=%d must be in 1..1000", w, (int)dim);
    int64_t *counts = sbi__calloc((size_t)dim * (size_t)(n_bins > 0 ? n_bins : 1), sizeof *counts);
    int64_t *width = sbi__calloc((size_t)(n_bins > 0 ? n_bins : 1), sizeof *width);
    if (!counts || !width) {
        sbi__free(counts);
        sbi__free(width);
        return sbi__oom(w);
    }
    int rc = sbi_sbc_histogram(n_tests, dim, ranks, n_samples, n_bins, counts);
    FILE *f = NULL;
    if (rc == SBI_OK) {
        for (int64_t r = 0; r <= n_samples; r++) width[(r * n_bins) / (n_samples + 1)]++;
        const int32_t cols = dim < 4 ? dim : 4, rows = (dim + cols - 1) / cols;
        const double pw = 220, ph = 170, ml = 40, mt = 24, mb = 28, mr = 10;
        rc = open_svg(w, path, &f, cols * pw, rows * ph);
        for (int32_t k = 0; rc == SBI_OK && k < dim; k++) {
            const double ox = (k % cols) * pw, oy = (k / cols) * ph;
            const double x0 = ox + ml, x1 = ox + pw - mr, y0 = oy + ph - mb, y1 = oy + mt;
            double ymax = 1.0;
            for (int32_t b = 0; b < n_bins; b++) {
                double p = (double)width[b] / (double)(n_samples + 1), e = n_tests * p;
                double hi = e + Z99 * sqrt(n_tests * p * (1 - p));
                if (hi > ymax) ymax = hi;
                if ((double)counts[(int64_t)k * n_bins + b] > ymax)
                    ymax = (double)counts[(int64_t)k * n_bins + b];
            }
            ymax *= 1.1;
            const double bw = (x1 - x0) / n_bins, sy = (y0 - y1) / ymax;
            fprintf(f, "<g>\n");
            for (int32_t b = 0; b < n_bins; b++) {
                double p = (double)width[b] / (double)(n_samples + 1), e = n_tests * p;
                double s = Z99 * sqrt(n_tests * p * (1 - p));
                double lo = e - s < 0 ? 0 : e - s, hi = e + s;
                fprintf(f,
                        "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
                        "fill=\"#dddddd\"/>\n",
                        x0 + b * bw, y0 - hi * sy, bw, (hi - lo) * sy);
            }
            for (int32_t b = 0; b < n_bins; b++) {
                double c = (double)counts[(int64_t)k * n_bins + b];
                fprintf(f,
                        "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
                        "fill=\"#4c72b0\" fill-opacity=\"0.8\" stroke=\"white\" "
                        "stroke-width=\"0.5\"/>\n",
                        x0 + b * bw, y0 - c * sy, bw, c * sy);
            }
            fprintf(f,
                    "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"black\"/>\n"
                    "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"black\"/>\n",
                    x0, y0, x1, y0, x0, y0, x0, y1);
            fprintf(f,
                    "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\">0</text>\n"
                    "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\">%lld</text>\n"
                    "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\">rank</text>\n"
                    "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"end\">0</text>\n"
                    "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"end\">%.0f</text>\n",
                    x0, y0 + 13, x1, y0 + 13, (long long)n_samples, (x0 + x1) / 2, y0 + 24,
                    x0 - 3, y0 + 4, x0 - 3, y1 + 4, ymax);
            fprintf(f, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\" font-size=\"12\">",
                    (x0 + x1) / 2, oy + 15);
            if (labels && labels[k]) put_text(f, labels[k]);
            else fprintf(f, "theta_%d", (int)k + 1);
            fputs("</text>\n</g>\n", f);
        }
        if (f) {
            int rc2 = close_svg(w, path, f);
            if (rc == SBI_OK) rc = rc2;
        }
    }
    sbi__free(counts);
    sbi__free(width);
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
    FILE *f = NULL;
    const double size = 360, m0 = 50, m1 = 15;
    const double x0 = m0, x1 = size - m1, y0 = size - m0, y1 = m1, s = x1 - x0;
    SBI_TRY(open_svg(w, path, &f, size, size));
    /* The 99 % band of a calibrated posterior, around the diagonal. */
    fputs("<polygon fill=\"#dddddd\" points=\"", f);
    for (int32_t l = 0; l < n_levels; l++) {
        double a = levels[l], hi = a + Z99 * sqrt(a * (1 - a) / (double)n_tests);
        fprintf(f, "%.2f,%.2f ", x0 + a * s, y0 - (hi > 1 ? 1 : hi) * s);
    }
    for (int32_t l = n_levels - 1; l >= 0; l--) {
        double a = levels[l], lo = a - Z99 * sqrt(a * (1 - a) / (double)n_tests);
        fprintf(f, "%.2f,%.2f ", x0 + a * s, y0 - (lo < 0 ? 0 : lo) * s);
    }
    fputs("\"/>\n", f);
    fprintf(f,
            "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"gray\" "
            "stroke-dasharray=\"4,3\"/>\n",
            x0, y0, x1, y1);
    fputs("<polyline fill=\"none\" stroke=\"#c44e52\" stroke-width=\"2\" points=\"", f);
    for (int32_t l = 0; l < n_levels; l++)
        fprintf(f, "%.2f,%.2f ", x0 + levels[l] * s, y0 - coverage[l] * s);
    fputs("\"/>\n", f);
    fprintf(f,
            "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"none\" "
            "stroke=\"black\"/>\n",
            x0, y1, s, s);
    for (int t = 0; t <= 4; t++) {
        double v = t / 4.0;
        fprintf(f,
                "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\">%.2g</text>\n"
                "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"end\">%.2g</text>\n",
                x0 + v * s, y0 + 14, v, x0 - 4, y0 - v * s + 4, v);
    }
    fprintf(f,
            "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\">credibility level</text>\n"
            "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\" transform=\"rotate(-90 %.2f "
            "%.2f)\">empirical coverage</text>\n"
            "<text x=\"%.2f\" y=\"%.2f\">%lld test pairs</text>\n",
            (x0 + x1) / 2, y0 + 32, 14.0, (y0 + y1) / 2, 14.0, (y0 + y1) / 2, x0 + 6, y1 + 14,
            (long long)n_tests);
    return close_svg(w, path, f);
}
