/* SVG rendering of a figure: layout of the panel grid, axes with nice ticks,
 * series (thinned to the pixels), histograms, 2-D densities and legends. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/internal.h"
#include "plot/plot_internal.h"

#define FONT_TICK 11.0
#define FONT_LABEL 12.5
#define FONT_TITLE 13.5
#define FONT_FIG 15.5
#define MAX_TICKS 32

static void putf(sbi__buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(sbi__buf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    sbi__buf_append(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* Text content escaped for XML. */
static void put_text(sbi__buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': sbi__buf_puts(b, "&amp;"); break;
        case '<': sbi__buf_puts(b, "&lt;"); break;
        case '>': sbi__buf_puts(b, "&gt;"); break;
        case '"': sbi__buf_puts(b, "&quot;"); break;
        case '\'': sbi__buf_puts(b, "&#39;"); break;
        default:
            if ((unsigned char)*s >= 0x20 || *s == '\t') sbi__buf_putc(b, *s);
        }
    }
}

/* Approximate rendered width: UTF-8 code points times an average advance. */
static double text_width(const char *s, double font)
{
    size_t n = 0;
    for (; s && *s; s++) n += (((unsigned char)*s & 0xC0) != 0x80);
    return (double)n * font * 0.6;
}

static void text(sbi__buf *b, double x, double y, double font, const char *anchor,
                 const char *extra, const char *s)
{
    putf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.1f\" text-anchor=\"%s\"%s>", x, y, font,
         anchor, extra ? extra : "");
    put_text(b, s);
    sbi__buf_puts(b, "</text>\n");
}

static const char *dash(int32_t style)
{
    return style == SBI_PLOT_DASHED ? " stroke-dasharray=\"6 4\""
           : style == SBI_PLOT_DOTTED ? " stroke-dasharray=\"1.5 3\" stroke-linecap=\"round\""
                                      : "";
}

/* ---- limits ---- */

typedef struct {
    double lo, hi;
    int any;
} range;

static void extend(range *r, double v)
{
    if (!isfinite(v)) return;
    if (!r->any) {
        r->lo = r->hi = v;
        r->any = 1;
    } else {
        if (v < r->lo) r->lo = v;
        if (v > r->hi) r->hi = v;
    }
}

static void finish_range(range *r, double pad, const double *set, double *lo, double *hi)
{
    double a = r->any ? r->lo : 0, c = r->any ? r->hi : 1;
    if (c - a <= 0) {
        double d = fmax(fabs(a) * 0.1, 0.5);
        a -= d;
        c += d;
    } else {
        double d = (c - a) * pad;
        a -= d;
        c += d;
    }
    *lo = isnan(set[0]) ? a : set[0];
    *hi = isnan(set[1]) ? c : set[1];
    if (!(*hi > *lo)) *hi = *lo + 1; /* one bound set beyond the data */
}

static void panel_limits(const sbi__plot_panel *pa, double lim[4])
{
    range rx = {0, 0, 0}, ry = {0, 0, 0};
    int pad_x = 0, hist = 0;
    for (int32_t i = 0; i < pa->n_els; i++) {
        const sbi__plot_el *e = &pa->els[i];
        switch (e->kind) {
        case SBI__EL_LINE:
        case SBI__EL_POINTS:
            for (int64_t k = 0; k < e->n; k++) {
                if (!isfinite(e->x[k]) || !isfinite(e->y[k])) continue;
                extend(&rx, e->x[k]);
                extend(&ry, e->y[k]);
            }
            if (e->kind == SBI__EL_POINTS) pad_x = 1;
            break;
        case SBI__EL_VLINE: extend(&rx, e->v); break;
        case SBI__EL_HIST:
            extend(&rx, e->x0);
            extend(&rx, e->x1);
            extend(&ry, 0);
            for (int32_t k = 0; k < e->nx; k++) extend(&ry, e->z[k]);
            hist = 1;
            break;
        case SBI__EL_IMAGE:
            extend(&rx, e->x0);
            extend(&rx, e->x1);
            extend(&ry, e->y0);
            extend(&ry, e->y1);
            break;
        default: break;
        }
    }
    finish_range(&rx, pad_x ? 0.05 : 0, pa->lim, &lim[0], &lim[1]);
    if (hist && isnan(pa->lim[2]) && ry.any) {
        /* Histograms stand on zero with a little head room. */
        ry.hi = ry.hi > 0 ? ry.hi : 1;
        double set[2] = {0, isnan(pa->lim[3]) ? ry.hi * 1.08 : pa->lim[3]};
        range r0 = {0, set[1], 1};
        finish_range(&r0, 0, set, &lim[2], &lim[3]);
    } else {
        int only_image = 1;
        for (int32_t i = 0; i < pa->n_els; i++)
            if (pa->els[i].kind == SBI__EL_LINE || pa->els[i].kind == SBI__EL_POINTS) only_image = 0;
        finish_range(&ry, only_image ? 0 : 0.05, pa->lim + 2, &lim[2], &lim[3]);
    }
}

/* ---- geometry ---- */

typedef struct {
    double x, y, w, h;           /* plot area in pixels */
    double xmin, xmax, ymin, ymax; /* data limits */
} frame;

static double px(const frame *f, double v) { return f->x + (v - f->xmin) / (f->xmax - f->xmin) * f->w; }
static double py(const frame *f, double v) { return f->y + f->h - (v - f->ymin) / (f->ymax - f->ymin) * f->h; }

/* Keep screen coordinates finite and moderate for far-away points (the clip
 * path hides them anyway). */
static double clampc(double v) { return v < -1e5 ? -1e5 : v > 1e5 ? 1e5 : v; }

/* ---- series ---- */

int64_t sbi__plot_thin(int64_t n, const double *x, const double *y, double x0, double scale,
                       int64_t *keep)
{
    /* One column at a time: its first, lowest, highest and last points, in
     * their original order, so every spike keeps its peak. */
    int64_t m = 0, idx[4] = {0, 0, 0, 0};
    double col = 0;
    int have = 0;
    for (int64_t k = 0; k <= n; k++) {
        int ok = k < n && isfinite(x[k]) && isfinite(y[k]);
        double c = ok ? floor((x[k] - x0) * scale) : 0;
        if (have && (!ok || c != col)) {
            int64_t s[4] = {idx[0], idx[1], idx[2], idx[3]};
            for (int i = 1; i < 4; i++)
                for (int j = i; j > 0 && s[j] < s[j - 1]; j--) {
                    int64_t t = s[j];
                    s[j] = s[j - 1];
                    s[j - 1] = t;
                }
            for (int i = 0; i < 4; i++)
                if (i == 0 || s[i] != s[i - 1]) keep[m++] = s[i];
            have = 0;
        }
        if (!ok) continue;
        if (!have) {
            idx[0] = idx[1] = idx[2] = idx[3] = k;
            col = c;
            have = 1;
        } else {
            if (y[k] < y[idx[1]]) idx[1] = k;
            if (y[k] > y[idx[2]]) idx[2] = k;
            idx[3] = k;
        }
    }
    return m;
}

typedef struct {
    sbi__buf *b;
    int pen_down;
} pen;

static void pen_to(pen *p, const frame *f, double x, double y)
{
    putf(p->b, p->pen_down ? " %.1f %.1f" : "M%.1f %.1f", clampc(px(f, x)), clampc(py(f, y)));
    p->pen_down = 1;
}

static void draw_line(sbi__buf *b, const frame *f, const sbi__plot_el *e)
{
    if (e->n == 0) return;
    putf(b, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"%.2f\" stroke-linejoin=\"round\"%s d=\"",
         e->color, e->width, dash(e->style));
    pen p = {b, 0};
    int monotone = 1;
    for (int64_t k = 1; k < e->n && monotone; k++)
        if (e->x[k] < e->x[k - 1]) monotone = 0;
    if (!monotone || e->n <= (int64_t)(3 * f->w)) {
        for (int64_t k = 0; k < e->n; k++) {
            if (!isfinite(e->x[k]) || !isfinite(e->y[k])) p.pen_down = 0;
            else pen_to(&p, f, e->x[k], e->y[k]);
        }
    } else {
        int64_t *keep = sbi__malloc_array((size_t)e->n, sizeof *keep);
        if (!keep) {
            b->failed = 1;
            return;
        }
        /* Half-pixel columns; a break in the line shows as a gap in indices
         * with a non-finite point in between. */
        int64_t m = sbi__plot_thin(e->n, e->x, e->y, f->xmin, 2 * f->w / (f->xmax - f->xmin), keep);
        for (int64_t i = 0; i < m; i++) {
            int64_t k = keep[i];
            if (i > 0 && k > keep[i - 1] + 1)
                for (int64_t j = keep[i - 1] + 1; j < k; j++)
                    if (!isfinite(e->x[j]) || !isfinite(e->y[j])) {
                        p.pen_down = 0;
                        break;
                    }
            pen_to(&p, f, e->x[k], e->y[k]);
        }
        sbi__free(keep);
    }
    sbi__buf_puts(b, "\"/>\n");
}

static void marker(sbi__buf *b, double x, double y, double r, int32_t kind, const char *color)
{
    if (kind == SBI_PLOT_CIRCLE) {
        putf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\" fill-opacity=\"0.8\"/>\n", x,
             y, r, color);
    } else {
        /* A white halo keeps the marker visible on dark densities. */
        for (int pass = 0; pass < 2; pass++) {
            putf(b, "<path stroke=\"%s\" stroke-width=\"%s\" stroke-linecap=\"round\" d=\"",
                 pass ? color : "white", pass ? "2" : "4.5");
            if (kind == SBI_PLOT_CROSS)
                putf(b, "M%.1f %.1fL%.1f %.1fM%.1f %.1fL%.1f %.1f", x - r, y - r, x + r, y + r,
                     x - r, y + r, x + r, y - r);
            else
                putf(b, "M%.1f %.1fL%.1f %.1fM%.1f %.1fL%.1f %.1f", x - r, y, x + r, y, x, y - r,
                     x, y + r);
            sbi__buf_puts(b, "\"/>\n");
        }
    }
}

static void draw_points(sbi__buf *b, const frame *f, const sbi__plot_el *e)
{
    for (int64_t k = 0; k < e->n; k++)
        if (isfinite(e->x[k]) && isfinite(e->y[k]))
            marker(b, clampc(px(f, e->x[k])), clampc(py(f, e->y[k])), e->width, e->style, e->color);
}

static void draw_hist(sbi__buf *b, const frame *f, const sbi__plot_el *e)
{
    double w = (e->x1 - e->x0) / e->nx;
    putf(b, "<path fill=\"%s\" fill-opacity=\"0.35\" stroke=\"%s\" stroke-width=\"1.2\" d=\"M%.1f %.1f",
         e->color, e->color, px(f, e->x0), py(f, 0));
    for (int32_t k = 0; k < e->nx; k++) {
        double y = clampc(py(f, e->z[k]));
        putf(b, "L%.1f %.1fL%.1f %.1f", px(f, e->x0 + k * w), y, px(f, e->x0 + (k + 1) * w), y);
    }
    putf(b, "L%.1f %.1fZ\"/>\n", px(f, e->x1), py(f, 0));
}

/* matplotlib's "Blues", light to dark. */
static void blues(double v, char *out)
{
    static const unsigned char stops[9][3] = {{247, 251, 255}, {222, 235, 247}, {198, 219, 239},
                                              {158, 202, 225}, {107, 174, 214}, {66, 146, 198},
                                              {33, 113, 181},  {8, 81, 156},    {8, 48, 107}};
    double t = fmin(fmax(v, 0), 1) * 8;
    int i = (int)t;
    if (i >= 8) i = 7;
    double u = t - i;
    int c[3];
    for (int k = 0; k < 3; k++)
        c[k] = (int)lround(stops[i][k] * (1 - u) + stops[i + 1][k] * u);
    snprintf(out, 8, "#%02x%02x%02x", c[0] & 0xff, c[1] & 0xff, c[2] & 0xff);
}

static void draw_image(sbi__buf *b, const frame *f, const sbi__plot_el *e)
{
    double wx = (e->x1 - e->x0) / e->nx, wy = (e->y1 - e->y0) / e->ny;
    char col[8];
    sbi__buf_puts(b, "<g shape-rendering=\"crispEdges\">\n");
    for (int32_t iy = 0; iy < e->ny; iy++) {
        double ya = py(f, e->y0 + (iy + 1) * wy), yb = py(f, e->y0 + iy * wy);
        for (int32_t ix = 0; ix < e->nx; ix++) {
            double v = e->z[(size_t)iy * (size_t)e->nx + (size_t)ix];
            if (v <= 0) continue;
            double xa = px(f, e->x0 + ix * wx), xb = px(f, e->x0 + (ix + 1) * wx);
            /* Faint cells stay visible: start the map a little above white. */
            blues(0.12 + 0.88 * v, col);
            putf(b, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\"/>\n",
                 clampc(xa), clampc(ya), xb - xa, yb - ya, col);
        }
    }
    sbi__buf_puts(b, "</g>\n");
}

/* ---- legend ---- */

static void swatch(sbi__buf *b, const sbi__plot_el *e, double x, double y)
{
    switch (e->kind) {
    case SBI__EL_LINE:
    case SBI__EL_VLINE:
        putf(b, "<path stroke=\"%s\" stroke-width=\"%.2f\"%s d=\"M%.1f %.1fh22\"/>\n", e->color,
             fmax(e->width, 1.5), dash(e->style), x, y);
        break;
    case SBI__EL_POINTS: marker(b, x + 11, y, fmin(e->width, 5), e->style, e->color); break;
    case SBI__EL_HIST:
        putf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"22\" height=\"10\" fill=\"%s\" fill-opacity=\"0.35\" stroke=\"%s\"/>\n",
             x, y - 5, e->color, e->color);
        break;
    default: break;
    }
}

/* The corner of the plot area (upper right first) whose legend box would
 * hide the fewest data points, as matplotlib's loc="best". */
static void best_corner(const sbi__plot_panel *pa, const frame *f, double w, double h, double *x0,
                        double *y0)
{
    const double m = 8;
    double cand[4][2] = {{f->x + f->w - w - m, f->y + m},
                         {f->x + m, f->y + m},
                         {f->x + f->w - w - m, f->y + f->h - h - m},
                         {f->x + m, f->y + f->h - h - m}};
    int64_t best = -1;
    for (int c = 0; c < 4; c++) {
        int64_t hits = 0;
        for (int32_t i = 0; i < pa->n_els; i++) {
            const sbi__plot_el *e = &pa->els[i];
            if (e->kind == SBI__EL_LINE || e->kind == SBI__EL_POINTS) {
                for (int64_t k = 0; k < e->n; k++) {
                    double X = px(f, e->x[k]), Y = py(f, e->y[k]);
                    hits += X >= cand[c][0] && X <= cand[c][0] + w && Y >= cand[c][1] &&
                            Y <= cand[c][1] + h;
                }
            } else if (e->kind == SBI__EL_VLINE) {
                double X = px(f, e->v);
                hits += 1000 * (X >= cand[c][0] && X <= cand[c][0] + w);
            } else if (e->kind == SBI__EL_HIST) {
                double bw = (e->x1 - e->x0) / e->nx;
                for (int32_t k = 0; k < e->nx; k++) {
                    double X = px(f, e->x0 + (k + 0.5) * bw), Y = py(f, e->z[k]);
                    hits += 100 * (X >= cand[c][0] && X <= cand[c][0] + w && Y <= cand[c][1] + h);
                }
            }
        }
        if (best < 0 || hits < best) {
            best = hits;
            *x0 = cand[c][0];
            *y0 = cand[c][1];
        }
    }
}

static void draw_legend(sbi__buf *b, const sbi__plot_panel *pa, const frame *f, int centred,
                        double cx, double cy)
{
    int n = 0, ntext = 0;
    double w = 0;
    for (int32_t i = 0; i < pa->n_els; i++) {
        const sbi__plot_el *e = &pa->els[i];
        if (!e->label || e->kind == SBI__EL_IMAGE) continue;
        double tw = text_width(e->label, FONT_TICK) + (e->kind == SBI__EL_TEXT ? 0 : 30);
        if (tw > w) w = tw;
        if (e->kind == SBI__EL_TEXT) ntext++;
        else n++;
    }
    if (n + ntext == 0) return;
    double row = 17, h = (n + ntext) * row + 8;
    w += 16;
    double x0 = 0, y0 = 0;
    if (centred) {
        x0 = cx - w / 2;
        y0 = cy - h / 2;
    } else {
        best_corner(pa, f, w, h, &x0, &y0);
    }
    if (!centred)
        putf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"3\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#cccccc\"/>\n",
             x0, y0, w, h);
    double y = y0 + 4 + row / 2;
    for (int pass = 0; pass < 2; pass++) /* series first, then text lines */
        for (int32_t i = 0; i < pa->n_els; i++) {
            const sbi__plot_el *e = &pa->els[i];
            if (!e->label || e->kind == SBI__EL_IMAGE) continue;
            if ((e->kind == SBI__EL_TEXT) != (pass == 1)) continue;
            if (e->kind == SBI__EL_TEXT) {
                text(b, x0 + 8, y + 4, FONT_TICK, "start", NULL, e->label);
            } else {
                swatch(b, e, x0 + 8, y);
                text(b, x0 + 38, y + 4, FONT_TICK, "start", NULL, e->label);
            }
            y += row;
        }
}

/* ---- panels ---- */

/* Nice ticks, asking for more until at least three fall inside the range. */
static int ticks_at_least3(double lo, double hi, int target, double *t, double *step)
{
    int n = 0;
    for (int k = 0; k < 6; k++) {
        n = sbi__nice_ticks(lo, hi, target + k, t, MAX_TICKS, step);
        if (n >= 3) break;
    }
    return n;
}

static void draw_panel(sbi__buf *b, const sbi__plot_panel *pa, int32_t id, double cx, double cy,
                       double cw, double ch)
{
    if (pa->legend_only) {
        draw_legend(b, pa, NULL, 1, cx + cw / 2, cy + ch / 2);
        return;
    }
    double lim[4];
    panel_limits(pa, lim);
    double xt[MAX_TICKS], yt[MAX_TICKS], xs, ys;
    char lab[64];
    /* Tick density from the space available (about one per 70 px across, 40 px up). */
    int nxt = ticks_at_least3(lim[0], lim[1], (int)fmax(2, fmin(10, cw / 90)), xt, &xs);
    int nyt = ticks_at_least3(lim[2], lim[3], (int)fmax(2, fmin(8, ch / 55)), yt, &ys);
    double ytw = 0;
    if (!pa->hide_yticks)
        for (int i = 0; i < nyt; i++) {
            sbi__tick_label(yt[i], ys, lab, sizeof lab);
            ytw = fmax(ytw, text_width(lab, FONT_TICK));
        }
    frame f;
    double left = 8 + (pa->ylabel ? 20 : 0) + (pa->hide_yticks ? 4 : ytw + 10);
    double top = pa->title ? 26 : 12, bottom = 24 + (pa->xlabel ? 20 : 0), right = 16;
    f.x = cx + left;
    f.y = cy + top;
    f.w = fmax(cw - left - right, 10);
    f.h = fmax(ch - top - bottom, 10);
    f.xmin = lim[0];
    f.xmax = lim[1];
    f.ymin = lim[2];
    f.ymax = lim[3];

    putf(b, "<clipPath id=\"clip%d\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/></clipPath>\n",
         (int)id, f.x, f.y, f.w, f.h);
    /* Grid. */
    sbi__buf_puts(b, "<g stroke=\"#e8e8e8\" stroke-width=\"1\">\n");
    for (int i = 0; i < nxt; i++)
        putf(b, "<path d=\"M%.1f %.1fv%.1f\"/>\n", px(&f, xt[i]), f.y, f.h);
    if (!pa->hide_yticks)
        for (int i = 0; i < nyt; i++)
            putf(b, "<path d=\"M%.1f %.1fh%.1f\"/>\n", f.x, py(&f, yt[i]), f.w);
    sbi__buf_puts(b, "</g>\n");
    /* Series, clipped to the plot area. */
    putf(b, "<g clip-path=\"url(#clip%d)\">\n", (int)id);
    for (int32_t i = 0; i < pa->n_els; i++) {
        const sbi__plot_el *e = &pa->els[i];
        switch (e->kind) {
        case SBI__EL_LINE: draw_line(b, &f, e); break;
        case SBI__EL_POINTS: draw_points(b, &f, e); break;
        case SBI__EL_HIST: draw_hist(b, &f, e); break;
        case SBI__EL_IMAGE: draw_image(b, &f, e); break;
        case SBI__EL_VLINE:
            putf(b, "<path stroke=\"%s\" stroke-width=\"%.2f\"%s d=\"M%.1f %.1fv%.1f\"/>\n", e->color,
                 e->width, dash(e->style), px(&f, e->v), f.y, f.h);
            break;
        default: break;
        }
    }
    sbi__buf_puts(b, "</g>\n");
    /* Frame, ticks and tick labels. */
    putf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#444444\" stroke-width=\"1\"/>\n",
         f.x, f.y, f.w, f.h);
    sbi__buf_puts(b, "<g stroke=\"#444444\" stroke-width=\"1\">\n");
    for (int i = 0; i < nxt; i++) putf(b, "<path d=\"M%.1f %.1fv4\"/>\n", px(&f, xt[i]), f.y + f.h);
    if (!pa->hide_yticks)
        for (int i = 0; i < nyt; i++) putf(b, "<path d=\"M%.1f %.1fh-4\"/>\n", f.x, py(&f, yt[i]));
    sbi__buf_puts(b, "</g>\n");
    /* Drop x labels that would overlap their neighbour. */
    double last_right = -1e9;
    for (int i = 0; i < nxt; i++) {
        sbi__tick_label(xt[i], xs, lab, sizeof lab);
        double x = px(&f, xt[i]), tw = text_width(lab, FONT_TICK);
        if (x - tw / 2 < last_right + 4) continue;
        text(b, x, f.y + f.h + 17, FONT_TICK, "middle", NULL, lab);
        last_right = x + tw / 2;
    }
    if (!pa->hide_yticks)
        for (int i = 0; i < nyt; i++) {
            sbi__tick_label(yt[i], ys, lab, sizeof lab);
            text(b, f.x - 7, py(&f, yt[i]) + 4, FONT_TICK, "end", NULL, lab);
        }
    if (pa->xlabel) text(b, f.x + f.w / 2, f.y + f.h + 37, FONT_LABEL, "middle", NULL, pa->xlabel);
    if (pa->ylabel) {
        char tr[96];
        double x = cx + 16, y = f.y + f.h / 2;
        snprintf(tr, sizeof tr, " transform=\"rotate(-90 %.1f %.1f)\"", x, y);
        text(b, x, y, FONT_LABEL, "middle", tr, pa->ylabel);
    }
    if (pa->title)
        text(b, f.x + f.w / 2, cy + 18, FONT_TITLE, "middle", " font-weight=\"bold\"", pa->title);
    draw_legend(b, pa, &f, 0, 0, 0);
}

static int render_locale(const sbi_plot *p, sbi__buf *b)
{
    putf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
            "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" fill=\"#222222\">\n"
            "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
         (int)p->width, (int)p->height, (int)p->width, (int)p->height);
    double top = 4;
    if (p->title) {
        text(b, p->width / 2.0, 26, FONT_FIG, "middle", " font-weight=\"bold\"", p->title);
        top = 36;
    }
    double total = 0;
    for (int32_t r = 0; r < p->rows; r++) total += p->row_weight[r];
    double cw = p->width / (double)p->cols, y = top, avail = p->height - top - 4;
    for (int32_t r = 0; r < p->rows; r++) {
        double ch = avail * p->row_weight[r] / total;
        for (int32_t c = 0; c < p->cols; c++) {
            int32_t id = r * p->cols + c;
            if (p->panels[id].used) draw_panel(b, &p->panels[id], id, c * cw, y, cw, ch);
        }
        y += ch;
    }
    sbi__buf_puts(b, "</svg>\n");
    return b->failed ? sbi__oom("plot") : SBI_OK;
}

int sbi__plot_render(const sbi_plot *p, sbi__buf *b)
{
    void *loc = sbi__c_locale_begin();
    int rc = render_locale(p, b);
    sbi__c_locale_end(loc);
    return rc;
}
