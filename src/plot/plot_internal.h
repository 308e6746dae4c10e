/* The figure's representation and the SVG renderer's helpers. */
#ifndef SBI_PLOT_INTERNAL_H
#define SBI_PLOT_INTERNAL_H

#include "io/io_internal.h"
#include "sbi/plot.h"

enum { SBI__EL_LINE, SBI__EL_POINTS, SBI__EL_VLINE, SBI__EL_HIST, SBI__EL_IMAGE, SBI__EL_TEXT };

typedef struct {
    int kind;
    char color[32];
    char *label;   /* legend text (owned), NULL for none */
    double width;  /* line width or marker size */
    int32_t style; /* line style or marker */
    int64_t n;     /* points */
    double *x, *y; /* owned copies (lines, points) */
    double v;      /* vline position */
    int32_t nx, ny;      /* hist: nx bins (ny = 1); image: nx x ny cells */
    double x0, x1, y0, y1; /* hist / image extent */
    double *z;     /* hist densities [nx]; image values [ny][nx], row 0 at y0 */
} sbi__plot_el;

typedef struct {
    char *title, *xlabel, *ylabel;
    double lim[4]; /* xmin, xmax, ymin, ymax; NaN = automatic */
    sbi__plot_el *els;
    int32_t n_els, cap_els;
    int used;        /* touched: drawn */
    int hide_yticks; /* no y tick labels (histogram densities in a pairplot) */
    int legend_only; /* no axes: legend and text lines only */
} sbi__plot_panel;

struct sbi_plot {
    int32_t width, height, rows, cols;
    char *title;
    double *row_weight;
    sbi__plot_panel *panels;
    int32_t next_color;
};

/* Append an element to a panel; fills colour (palette when NULL) and label.
 * Returns the element or NULL (status in *rc). */
sbi__plot_el *sbi__plot_add(sbi_plot *plot, int32_t panel, int kind, const char *label,
                            const char *color, int *rc);
/* Add a 2-D histogram (image) of points (x[i*sx], y[i*sy]) over the given
 * extent, normalised to its maximum. */
int sbi__plot_add_hist2d(sbi_plot *plot, int32_t panel, int64_t n, const double *x, int64_t sx,
                         const double *y, int64_t sy, int32_t nx, int32_t ny, double x0,
                         double x1, double y0, double y1);
/* A line of text in a legend-only panel. */
int sbi__plot_add_text(sbi_plot *plot, int32_t panel, const char *text);

/* Render into a buffer (numbers in the C locale). */
int sbi__plot_render(const sbi_plot *plot, sbi__buf *b);

/* Thin a line with x non-decreasing for drawing: split x into columns
 * floor((x - x0) * scale) and keep, per column, the indices of its first,
 * lowest, highest and last finite points, in order (so peaks survive).
 * keep needs room for n indices; returns how many were kept. */
int64_t sbi__plot_thin(int64_t n, const double *x, const double *y, double x0, double scale,
                       int64_t *keep);

/* Nice tick positions covering [lo, hi]: at most max_ticks values into
 * ticks; returns the count and the step. */
int sbi__nice_ticks(double lo, double hi, int target, double *ticks, int max_ticks,
                    double *step);
/* A tick label for v given the tick step (fixed decimals, or %g for extreme
 * magnitudes; minus sign as U+2212). */
void sbi__tick_label(double v, double step, char *out, size_t cap);

#endif /* SBI_PLOT_INTERNAL_H */
