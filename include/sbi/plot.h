/* libsbi plots: a small SVG writer with no dependencies, for the figures of
 * an inference run: line plots (voltage traces over time with the injected
 * current below), histograms, and the pairplot of posterior samples.
 *
 * A figure is a grid of rows x cols panels, numbered row by row from 0
 * (panel = row * cols + col). Each panel has its own axes, limits (automatic
 * unless set), labels and legend (the labelled series). Series data are
 * copied when added, so the caller's arrays may be freed at once. A panel
 * that was never touched is left blank. The SVG opens in any browser;
 * `rsvg-convert -o fig.png fig.svg` (Debian: librsvg2-bin) makes a PNG.
 *
 * Colours are "#rrggbb" or a plain SVG colour name ("black"); NULL picks the
 * next colour of a ten-colour palette. Text is UTF-8 (escaped for SVG).
 *
 * Thread-safety: a figure is used by one thread at a time; distinct figures
 * are independent. sbi_plot_pairplot is re-entrant. */
#ifndef SBI_PLOT_H
#define SBI_PLOT_H

#include "sbi/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sbi_plot sbi_plot;

/* Line styles and point markers. Values pinned, append-only. */
enum { SBI_PLOT_SOLID = 0, SBI_PLOT_DASHED = 1, SBI_PLOT_DOTTED = 2 };
enum { SBI_PLOT_CIRCLE = 0, SBI_PLOT_CROSS = 1, SBI_PLOT_PLUS = 2 };

/* A new figure of width x height pixels (each 100..10000) with a grid of
 * rows x cols panels (each 1..16). Errors: SBI_EINVAL, SBI_ENOMEM. */
SBI_API int sbi_plot_create(sbi_plot **out, int32_t width, int32_t height, int32_t rows,
                            int32_t cols);
/* Free a figure; accepts NULL. */
SBI_API void sbi_plot_free(sbi_plot *plot);

/* Title above all panels (copied; NULL removes it). */
SBI_API int sbi_plot_set_title(sbi_plot *plot, const char *title);
/* Relative height of a row of panels (default 1; > 0 and finite). */
SBI_API int sbi_plot_set_row_weight(sbi_plot *plot, int32_t row, double weight);
/* Panel title and axis labels, with units, e.g. "time (ms)" (copied; any may
 * be NULL for none). */
SBI_API int sbi_plot_set_labels(sbi_plot *plot, int32_t panel, const char *title,
                                const char *xlabel, const char *ylabel);
/* Axis limits of a panel; a NaN bound is chosen from the data. Errors:
 * SBI_EINVAL if a pair is given with min >= max or an infinite bound. */
SBI_API int sbi_plot_set_limits(sbi_plot *plot, int32_t panel, double xmin, double xmax,
                                double ymin, double ymax);

/* A polyline through n points (x may be NULL: 0, 1, 2, ...). Non-finite
 * points break the line. Long series are thinned to what the panel's pixels
 * can show, keeping each pixel column's minimum and maximum (spikes stay).
 * label (may be NULL) goes into the legend; width in pixels (> 0; 0 picks
 * 1.5); style SBI_PLOT_SOLID/DASHED/DOTTED. */
SBI_API int sbi_plot_add_line(sbi_plot *plot, int32_t panel, int64_t n, const double *x,
                              const double *y, const char *label, const char *color,
                              double width, int32_t style);
/* n markers (SBI_PLOT_CIRCLE/CROSS/PLUS) of the given size in pixels (0: 4). */
SBI_API int sbi_plot_add_points(sbi_plot *plot, int32_t panel, int64_t n, const double *x,
                                const double *y, const char *label, const char *color,
                                double size, int32_t marker);
/* A vertical line across the panel at x (e.g. a true parameter value). */
SBI_API int sbi_plot_add_vline(sbi_plot *plot, int32_t panel, double x, const char *label,
                               const char *color, int32_t style);
/* A density histogram of n values read with a stride (values[i * stride],
 * stride >= 1, so one column of a row-major array can be given) in `bins`
 * equal bins over [lo, hi] (bins 1..10000, 0 picks 40). Values outside the
 * range or not finite are left out; the density is normalised over the
 * values counted. */
SBI_API int sbi_plot_add_histogram(sbi_plot *plot, int32_t panel, int64_t n,
                                   const double *values, int64_t stride, int32_t bins, double lo,
                                   double hi, const char *label, const char *color);

/* Write the figure as SVG to a file (atomically), or into a new buffer (free
 * it with sbi_free). Errors: SBI_EIO, SBI_ENOMEM, SBI_EINVAL. */
SBI_API int sbi_plot_save(const sbi_plot *plot, const char *path);
SBI_API int sbi_plot_render(const sbi_plot *plot, void **buf, size_t *len);

/* The pairplot of n samples of dimension dim (row-major double[n][dim],
 * 1 <= dim <= 16), written as SVG to path: a histogram of each parameter on
 * the diagonal, 2-D histograms (density, darker = more samples) above it,
 * every axis limited to [low[i], high[i]] (the prior box: both required and
 * finite, low < high). names (optional, dim strings) label the axes; truth
 * (optional, double[dim]) marks the true parameters (a vertical line on the
 * diagonal, a cross above it); the panel below the diagonal shows the
 * legend and each parameter's posterior mean and standard deviation. bins
 * 0 picks 50. title may be NULL. Samples outside the limits are not drawn. */
SBI_API int sbi_plot_pairplot(const char *path, int64_t n, int32_t dim, const double *samples,
                              const double *low, const double *high, const char *const *names,
                              const double *truth, int32_t bins, const char *title);

#ifdef __cplusplus
}
#endif

#endif /* SBI_PLOT_H */
