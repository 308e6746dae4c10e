/* The public figure object: panels and the series added to them. */
#include <math.h>
#include <string.h>

#include "core/internal.h"
#include "plot/plot_internal.h"

/* matplotlib's "tab10": distinct, colour-blind-friendly enough, familiar. */
static const char *const k_palette[10] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                          "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

/* Replace *slot by a copy of s (NULL clears); SBI_ENOMEM on failure. */
static int set_str(char **slot, const char *s, const char *what)
{
    char *d = NULL;
    if (s) {
        if (strlen(s) > 1000) return sbi__fail(SBI_EINVAL, "%s: text longer than 1000 bytes", what);
        d = sbi__strdup(s);
        if (!d) return sbi__oom(what);
    }
    sbi__free(*slot);
    *slot = d;
    return SBI_OK;
}

int sbi_plot_create(sbi_plot **out, int32_t width, int32_t height, int32_t rows, int32_t cols)
{
    SBI_CHECK_PTR(out, "sbi_plot_create");
    *out = NULL;
    SBI_CHECK_ARG(width >= 100 && width <= 10000 && height >= 100 && height <= 10000,
                  "sbi_plot_create: size %dx%d is outside 100..10000 pixels", (int)width,
                  (int)height);
    SBI_CHECK_ARG(rows >= 1 && rows <= 16 && cols >= 1 && cols <= 16,
                  "sbi_plot_create: grid %dx%d is outside 1..16", (int)rows, (int)cols);
    sbi_plot *p = sbi__calloc(1, sizeof *p);
    if (!p) return sbi__oom("sbi_plot_create");
    p->width = width;
    p->height = height;
    p->rows = rows;
    p->cols = cols;
    p->row_weight = sbi__malloc_array((size_t)rows, sizeof(double));
    p->panels = sbi__calloc((size_t)(rows * cols), sizeof *p->panels);
    if (!p->row_weight || !p->panels) {
        sbi_plot_free(p);
        return sbi__oom("sbi_plot_create");
    }
    for (int32_t r = 0; r < rows; r++) p->row_weight[r] = 1;
    for (int32_t k = 0; k < rows * cols; k++)
        for (int i = 0; i < 4; i++) p->panels[k].lim[i] = NAN;
    *out = p;
    return SBI_OK;
}

static void free_el(sbi__plot_el *e)
{
    sbi__free(e->label);
    sbi__free(e->x);
    sbi__free(e->y);
    sbi__free(e->z);
}

void sbi_plot_free(sbi_plot *p)
{
    if (!p) return;
    if (p->panels) {
        for (int32_t k = 0; k < p->rows * p->cols; k++) {
            sbi__plot_panel *pa = &p->panels[k];
            for (int32_t i = 0; i < pa->n_els; i++) free_el(&pa->els[i]);
            sbi__free(pa->els);
            sbi__free(pa->title);
            sbi__free(pa->xlabel);
            sbi__free(pa->ylabel);
        }
    }
    sbi__free(p->panels);
    sbi__free(p->row_weight);
    sbi__free(p->title);
    sbi__free(p);
}

int sbi_plot_set_title(sbi_plot *p, const char *title)
{
    SBI_CHECK_PTR(p, "sbi_plot_set_title");
    return set_str(&p->title, title, "sbi_plot_set_title");
}

int sbi_plot_set_row_weight(sbi_plot *p, int32_t row, double weight)
{
    SBI_CHECK_PTR(p, "sbi_plot_set_row_weight");
    SBI_CHECK_ARG(row >= 0 && row < p->rows, "sbi_plot_set_row_weight: row %d is outside 0..%d",
                  (int)row, (int)p->rows - 1);
    SBI_CHECK_ARG(weight > 0 && isfinite(weight),
                  "sbi_plot_set_row_weight: weight %g is not positive and finite", weight);
    p->row_weight[row] = weight;
    return SBI_OK;
}

#define CHECK_PANEL(p, panel, fn)                                                                  \
    SBI_CHECK_PTR(p, fn);                                                                          \
    SBI_CHECK_ARG(panel >= 0 && panel < p->rows * p->cols, "%s: panel %d is outside 0..%d", fn,   \
                  (int)panel, (int)(p->rows * p->cols - 1))

int sbi_plot_set_labels(sbi_plot *p, int32_t panel, const char *title, const char *xlabel,
                        const char *ylabel)
{
    CHECK_PANEL(p, panel, "sbi_plot_set_labels");
    sbi__plot_panel *pa = &p->panels[panel];
    SBI_TRY(set_str(&pa->title, title, "sbi_plot_set_labels"));
    SBI_TRY(set_str(&pa->xlabel, xlabel, "sbi_plot_set_labels"));
    SBI_TRY(set_str(&pa->ylabel, ylabel, "sbi_plot_set_labels"));
    pa->used = 1;
    return SBI_OK;
}

int sbi_plot_set_limits(sbi_plot *p, int32_t panel, double xmin, double xmax, double ymin,
                        double ymax)
{
    CHECK_PANEL(p, panel, "sbi_plot_set_limits");
    const double v[4] = {xmin, xmax, ymin, ymax};
    for (int i = 0; i < 4; i++)
        SBI_CHECK_ARG(!isinf(v[i]), "sbi_plot_set_limits: limit %d is infinite", i);
    SBI_CHECK_ARG(isnan(xmin) || isnan(xmax) || xmin < xmax,
                  "sbi_plot_set_limits: xmin=%g is not below xmax=%g", xmin, xmax);
    SBI_CHECK_ARG(isnan(ymin) || isnan(ymax) || ymin < ymax,
                  "sbi_plot_set_limits: ymin=%g is not below ymax=%g", ymin, ymax);
    memcpy(p->panels[panel].lim, v, sizeof v);
    p->panels[panel].used = 1;
    return SBI_OK;
}

static int valid_color(const char *c)
{
    size_t n = strlen(c);
    if (n == 0 || n >= 32) return 0;
    if (c[0] == '#') {
        if (n != 7) return 0;
        for (size_t i = 1; i < n; i++)
            if (!strchr("0123456789abcdefABCDEF", c[i])) return 0;
        return 1;
    }
    for (size_t i = 0; i < n; i++)
        if (!(c[i] >= 'a' && c[i] <= 'z')) return 0;
    return 1;
}

sbi__plot_el *sbi__plot_add(sbi_plot *p, int32_t panel, int kind, const char *label,
                            const char *color, int *rc)
{
    sbi__plot_panel *pa = &p->panels[panel];
    if (color && !valid_color(color)) {
        *rc = sbi__fail(SBI_EINVAL, "plot: colour '%.40s' is not #rrggbb or a plain name", color);
        return NULL;
    }
    if (label && strlen(label) > 1000) {
        *rc = sbi__fail(SBI_EINVAL, "plot: label longer than 1000 bytes");
        return NULL;
    }
    if (pa->n_els == pa->cap_els) {
        int32_t cap = pa->cap_els ? pa->cap_els * 2 : 4;
        if (cap > 100000) {
            *rc = sbi__fail(SBI_EINVAL, "plot: more than 100000 series in one panel");
            return NULL;
        }
        sbi__plot_el *e = sbi__realloc(pa->els, (size_t)cap * sizeof *e);
        if (!e) {
            *rc = sbi__oom("plot");
            return NULL;
        }
        pa->els = e;
        pa->cap_els = cap;
    }
    sbi__plot_el *e = &pa->els[pa->n_els];
    memset(e, 0, sizeof *e);
    if (label) {
        e->label = sbi__strdup(label);
        if (!e->label) {
            *rc = sbi__oom("plot");
            return NULL;
        }
    }
    if (color) {
        strcpy(e->color, color);
    } else {
        strcpy(e->color, k_palette[p->next_color % 10]);
        p->next_color++;
    }
    e->kind = kind;
    pa->n_els++;
    pa->used = 1;
    *rc = SBI_OK;
    return e;
}

/* Drop the last element of a panel (an allocation after sbi__plot_add failed),
 * giving back the palette colour it took (color NULL), so a failed call
 * leaves the figure as it was. */
static void drop_last(sbi_plot *p, int32_t panel, const char *color)
{
    sbi__plot_panel *pa = &p->panels[panel];
    free_el(&pa->els[--pa->n_els]);
    if (!color) p->next_color--;
}

static int add_xy(sbi_plot *p, int32_t panel, int kind, int64_t n, const double *x,
                  const double *y, const char *label, const char *color, double size,
                  int32_t style, const char *fn)
{
    CHECK_PANEL(p, panel, fn);
    SBI_CHECK_ARG(n >= 0 && n <= ((int64_t)1 << 40), "%s: n=%lld is out of range", fn,
                  (long long)n);
    SBI_CHECK_ARG(n == 0 || y != NULL, "%s: y is NULL", fn);
    SBI_CHECK_ARG(kind == SBI__EL_LINE || n == 0 || x != NULL, "%s: x is NULL", fn);
    SBI_CHECK_ARG(size >= 0 && size <= 100, "%s: size %g is outside 0..100", fn, size);
    SBI_CHECK_ARG(style >= 0 && style <= 2, "%s: style %d is not one of 0, 1, 2", fn, (int)style);
    int rc;
    sbi__plot_el *e = sbi__plot_add(p, panel, kind, label, color, &rc);
    if (!e) return rc;
    e->n = n;
    e->width = size > 0 ? size : (kind == SBI__EL_LINE ? 1.5 : 4);
    e->style = style;
    if (n > 0) {
        e->x = sbi__malloc_array((size_t)n, sizeof(double));
        e->y = sbi__memdup(y, (size_t)n, sizeof(double));
        if (!e->x || !e->y) {
            drop_last(p, panel, color);
            return sbi__oom(fn);
        }
        for (int64_t i = 0; i < n; i++) e->x[i] = x ? x[i] : (double)i;
    }
    return SBI_OK;
}

int sbi_plot_add_line(sbi_plot *p, int32_t panel, int64_t n, const double *x, const double *y,
                      const char *label, const char *color, double width, int32_t style)
{
    return add_xy(p, panel, SBI__EL_LINE, n, x, y, label, color, width, style, "sbi_plot_add_line");
}

int sbi_plot_add_points(sbi_plot *p, int32_t panel, int64_t n, const double *x, const double *y,
                        const char *label, const char *color, double size, int32_t marker)
{
    return add_xy(p, panel, SBI__EL_POINTS, n, x, y, label, color, size, marker,
                  "sbi_plot_add_points");
}

int sbi_plot_add_vline(sbi_plot *p, int32_t panel, double x, const char *label, const char *color,
                       int32_t style)
{
    CHECK_PANEL(p, panel, "sbi_plot_add_vline");
    SBI_CHECK_ARG(isfinite(x), "sbi_plot_add_vline: x is not finite");
    SBI_CHECK_ARG(style >= 0 && style <= 2, "sbi_plot_add_vline: style %d is not one of 0, 1, 2",
                  (int)style);
    int rc;
    sbi__plot_el *e = sbi__plot_add(p, panel, SBI__EL_VLINE, label, color, &rc);
    if (!e) return rc;
    e->v = x;
    e->width = 1.5;
    e->style = style;
    return SBI_OK;
}

int sbi_plot_add_histogram(sbi_plot *p, int32_t panel, int64_t n, const double *values,
                           int64_t stride, int32_t bins, double lo, double hi, const char *label,
                           const char *color)
{
    CHECK_PANEL(p, panel, "sbi_plot_add_histogram");
    SBI_CHECK_ARG(n >= 0, "sbi_plot_add_histogram: n=%lld is negative", (long long)n);
    SBI_CHECK_ARG(n == 0 || values != NULL, "sbi_plot_add_histogram: values is NULL");
    SBI_CHECK_ARG(stride >= 1, "sbi_plot_add_histogram: stride %lld is below 1", (long long)stride);
    SBI_CHECK_ARG(bins >= 0 && bins <= 10000, "sbi_plot_add_histogram: bins %d is outside 0..10000",
                  (int)bins);
    SBI_CHECK_ARG(isfinite(lo) && isfinite(hi) && lo < hi,
                  "sbi_plot_add_histogram: range [%g, %g] is not finite and increasing", lo, hi);
    if (bins == 0) bins = 40;
    int rc;
    sbi__plot_el *e = sbi__plot_add(p, panel, SBI__EL_HIST, label, color, &rc);
    if (!e) return rc;
    e->nx = bins;
    e->ny = 1;
    e->x0 = lo;
    e->x1 = hi;
    e->z = sbi__calloc((size_t)bins, sizeof(double));
    if (!e->z) {
        drop_last(p, panel, color);
        return sbi__oom("sbi_plot_add_histogram");
    }
    int64_t counted = 0;
    double w = (hi - lo) / bins;
    for (int64_t i = 0; i < n; i++) {
        double v = values[i * stride];
        if (!(v >= lo && v <= hi)) continue;
        int32_t b = (int32_t)((v - lo) / w);
        if (b >= bins) b = bins - 1;
        e->z[b] += 1;
        counted++;
    }
    for (int32_t b = 0; b < bins; b++) e->z[b] = counted ? e->z[b] / ((double)counted * w) : 0;
    return SBI_OK;
}

int sbi__plot_add_hist2d(sbi_plot *p, int32_t panel, int64_t n, const double *x, int64_t sx,
                         const double *y, int64_t sy, int32_t nx, int32_t ny, double x0,
                         double x1, double y0, double y1)
{
    int rc;
    sbi__plot_el *e = sbi__plot_add(p, panel, SBI__EL_IMAGE, NULL, "black", &rc);
    if (!e) return rc;
    e->nx = nx;
    e->ny = ny;
    e->x0 = x0;
    e->x1 = x1;
    e->y0 = y0;
    e->y1 = y1;
    e->z = sbi__calloc((size_t)nx * (size_t)ny, sizeof(double));
    if (!e->z) {
        drop_last(p, panel, "black");
        return sbi__oom("plot");
    }
    double wx = (x1 - x0) / nx, wy = (y1 - y0) / ny, zmax = 0;
    for (int64_t i = 0; i < n; i++) {
        double a = x[i * sx], b = y[i * sy];
        if (!(a >= x0 && a <= x1 && b >= y0 && b <= y1)) continue;
        int32_t ix = (int32_t)((a - x0) / wx), iy = (int32_t)((b - y0) / wy);
        if (ix >= nx) ix = nx - 1;
        if (iy >= ny) iy = ny - 1;
        double *c = &e->z[(size_t)iy * (size_t)nx + (size_t)ix];
        *c += 1;
        if (*c > zmax) zmax = *c;
    }
    if (zmax > 0)
        for (size_t k = 0; k < (size_t)nx * (size_t)ny; k++) e->z[k] /= zmax;
    return SBI_OK;
}

int sbi__plot_add_text(sbi_plot *p, int32_t panel, const char *text)
{
    int rc;
    sbi__plot_el *e = sbi__plot_add(p, panel, SBI__EL_TEXT, text, "black", &rc);
    return e ? SBI_OK : rc;
}

int sbi_plot_render(const sbi_plot *p, void **buf, size_t *len)
{
    SBI_CHECK_PTR(p, "sbi_plot_render");
    SBI_CHECK_PTR(buf, "sbi_plot_render");
    SBI_CHECK_PTR(len, "sbi_plot_render");
    *buf = NULL;
    *len = 0;
    sbi__buf b = {0};
    int rc = sbi__plot_render(p, &b);
    if (rc != SBI_OK) {
        sbi__buf_free(&b);
        return rc;
    }
    *buf = b.data;
    *len = b.len;
    return SBI_OK;
}

int sbi_plot_save(const sbi_plot *p, const char *path)
{
    SBI_CHECK_PTR(p, "sbi_plot_save");
    SBI_CHECK_PTR(path, "sbi_plot_save");
    sbi__buf b = {0};
    int rc = sbi__plot_render(p, &b);
    if (rc == SBI_OK) rc = sbi__write_file_atomic(path, "sbi_plot_save", b.data, b.len);
    sbi__buf_free(&b);
    return rc;
}
