/* Rational-quadratic spline: knots from unnormalised parameters, forward map,
 * closed-form inverse and a hand-derived backward pass (see rqspline.h). */
#include "estimators/rqspline.h"

#include <math.h>
#include <string.h>

#include "estimators/flow_util.h"

/* The knots of one element's spline. */
typedef struct knots {
    double cw[SBI__RQS_MAX_BINS + 1]; /* knot x positions, cw[0] = -B, cw[K] = B */
    double ch[SBI__RQS_MAX_BINS + 1]; /* knot y positions */
    double sw[SBI__RQS_MAX_BINS];     /* softmax of the width parameters */
    double sh[SBI__RQS_MAX_BINS];     /* softmax of the height parameters */
} knots;

void sbi__rqs_default(sbi__rqs *s, int32_t num_bins, double tail_bound)
{
    s->num_bins = num_bins;
    s->tail_bound = tail_bound;
    s->min_bin_width = 1e-3;
    s->min_bin_height = 1e-3;
    s->min_derivative = 1e-3;
}

int32_t sbi__rqs_num_params(const sbi__rqs *s) { return 3 * s->num_bins - 1; }

static void softmax(int32_t k, const double *u, double *s)
{
    double m = u[0];
    for (int32_t i = 1; i < k; i++)
        if (u[i] > m) m = u[i];
    double z = 0.0;
    for (int32_t i = 0; i < k; i++) z += (s[i] = exp(u[i] - m));
    for (int32_t i = 0; i < k; i++) s[i] /= z;
}

/* Cumulative knot positions on [-B, B] from floored softmax fractions; the
 * end knots are pinned exactly (as nflows does) so rounding cannot open a gap. */
static void cumulate(int32_t k, double bound, double floor_, const double *s, double *c)
{
    double scale = 1.0 - floor_ * (double)k, acc = 0.0;
    c[0] = -bound;
    for (int32_t i = 0; i < k - 1; i++) {
        acc += floor_ + scale * s[i];
        c[i + 1] = -bound + 2.0 * bound * acc;
    }
    c[k] = bound;
}

static void knots_compute(const sbi__rqs *s, const double *p, knots *kn)
{
    int32_t k = s->num_bins;
    softmax(k, p, kn->sw);
    softmax(k, p + k, kn->sh);
    cumulate(k, s->tail_bound, s->min_bin_width, kn->sw, kn->cw);
    cumulate(k, s->tail_bound, s->min_bin_height, kn->sh, kn->ch);
}

/* Knot derivative j: softplus(log(exp(1 - min_d) - 1)) + min_d == 1 at the
 * two ends (identity-continuous tails), a floored softplus inside. Only the
 * two knots of the bin in use are ever needed. */
static double knot_derivative(const sbi__rqs *s, const double *p, int32_t j)
{
    int32_t k = s->num_bins;
    if (j == 0 || j == k) return 1.0;
    return s->min_derivative + sbi__softplus(p[2 * k + j - 1]);
}

/* Largest bin b in [0, K-1] with v >= loc[b]. */
static int32_t find_bin(int32_t k, const double *loc, double v)
{
    int32_t b = 0;
    while (b + 1 < k && v >= loc[b + 1]) b++;
    return b;
}

/* Local quantities of the forward map inside bin b at theta. */
typedef struct local {
    double w, h, delta, d0, d1, theta, t, big_s, num, den, q;
} local;

static void local_set(const sbi__rqs *s, const double *p, const knots *kn, int32_t b, local *l)
{
    l->w = kn->cw[b + 1] - kn->cw[b];
    l->h = kn->ch[b + 1] - kn->ch[b];
    l->delta = l->h / l->w;
    l->d0 = knot_derivative(s, p, b);
    l->d1 = knot_derivative(s, p, b + 1);
    l->big_s = l->d0 + l->d1 - 2.0 * l->delta;
}

static void local_theta(local *l, double theta)
{
    l->theta = theta;
    l->t = theta * (1.0 - theta);
    l->num = l->delta * theta * theta + l->d0 * l->t;
    l->den = l->delta + l->big_s * l->t;
    double om = 1.0 - theta;
    l->q = l->d1 * theta * theta + 2.0 * l->delta * l->t + l->d0 * om * om;
}

/* log f'(x) = log(delta^2 q) - 2 log den. */
static double local_logdet(const local *l)
{
    return 2.0 * log(l->delta) + log(l->q) - 2.0 * log(l->den);
}

static int inside(const sbi__rqs *s, double v) { return v >= -s->tail_bound && v <= s->tail_bound; }

void sbi__rqs_forward(const sbi__rqs *s, const double *p, double x, double *y, double *logdet)
{
    if (!inside(s, x)) {
        *y = x;
        *logdet = 0.0;
        return;
    }
    knots kn;
    knots_compute(s, p, &kn);
    int32_t b = find_bin(s->num_bins, kn.cw, x);
    local l;
    local_set(s, p, &kn, b, &l);
    local_theta(&l, (x - kn.cw[b]) / l.w);
    *y = kn.ch[b] + l.h * l.num / l.den;
    *logdet = local_logdet(&l);
}

void sbi__rqs_inverse(const sbi__rqs *s, const double *p, double y, double *x, double *logdet)
{
    if (!inside(s, y)) {
        *x = y;
        *logdet = 0.0;
        return;
    }
    knots kn;
    knots_compute(s, p, &kn);
    int32_t b = find_bin(s->num_bins, kn.ch, y);
    local l;
    local_set(s, p, &kn, b, &l);
    /* h (delta th^2 + d0 t) = (y - yk) den is a quadratic a th^2 + b th + c = 0
     * in theta; of its two roots the one in [0, 1] is 2c / (-b - sqrt(disc)),
     * a form without cancellation (c <= 0, b > 0). */
    double dy = y - kn.ch[b];
    double qa = dy * l.big_s + l.h * (l.delta - l.d0);
    double qb = l.h * l.d0 - dy * l.big_s;
    double qc = -l.delta * dy;
    double disc = qb * qb - 4.0 * qa * qc;
    if (disc < 0.0) disc = 0.0; /* rounding only: the true discriminant is >= 0 */
    double root = (2.0 * qc) / (-qb - sqrt(disc));
    local_theta(&l, root);
    *x = kn.cw[b] + root * l.w;
    *logdet = -local_logdet(&l);
}

/* dL/d(unnormalised) through the floored softmax and the cumulative sum,
 * given dL/d(knot position) g[0..K]. The pinned end knots carry no gradient
 * (the sum of the fractions is identically 1, so that is exact). */
static void back_knots(int32_t k, double bound, double floor_, const double *s, const double *g,
                       double *gu)
{
    double gfrac[SBI__RQS_MAX_BINS];
    double acc = 0.0;
    /* knot j = -B + 2B sum_{i<j} frac_i: frac_i feeds knots i+1..K-1. */
    for (int32_t i = k - 1; i >= 0; i--) {
        if (i + 1 <= k - 1) acc += g[i + 1];
        gfrac[i] = 2.0 * bound * acc * (1.0 - floor_ * (double)k);
    }
    double dot = 0.0;
    for (int32_t i = 0; i < k; i++) dot += s[i] * gfrac[i];
    for (int32_t i = 0; i < k; i++) gu[i] = s[i] * (gfrac[i] - dot);
}

/* Backward through bin b given the local quantities (theta set) and the
 * softmax vectors of the widths and heights (gp already zeroed). */
static double backward_core(const sbi__rqs *s, const double *p, int32_t b, const local *lp,
                            const double *sw, const double *sh, double gy, double gl, double *gp)
{
    const int32_t k = s->num_bins;
    const local l = *lp;
    double th = l.theta, r = l.num / l.den;
    /* Partials of num, den and q with respect to theta, delta, d0, d1. */
    double n_th = 2.0 * l.delta * th + l.d0 * (1.0 - 2.0 * th), den_th = l.big_s * (1.0 - 2.0 * th);
    double n_de = th * th, den_de = 1.0 - 2.0 * l.t;
    double n_d0 = l.t, den_d0 = l.t, den_d1 = l.t;
    double q_th = 2.0 * l.d1 * th + 2.0 * l.delta * (1.0 - 2.0 * th) - 2.0 * l.d0 * (1.0 - th);
    double q_de = 2.0 * l.t, q_d0 = (1.0 - th) * (1.0 - th), q_d1 = th * th;
    /* Upstream-weighted partials of y = yk + h r and of the log-determinant. */
    double g_th = gy * l.h * (n_th - r * den_th) / l.den + gl * (q_th / l.q - 2.0 * den_th / l.den);
    double g_de = gy * l.h * (n_de - r * den_de) / l.den +
                  gl * (2.0 / l.delta + q_de / l.q - 2.0 * den_de / l.den);
    double g_d0 = gy * l.h * (n_d0 - r * den_d0) / l.den + gl * (q_d0 / l.q - 2.0 * den_d0 / l.den);
    double g_d1 = gy * l.h * (-r * den_d1) / l.den + gl * (q_d1 / l.q - 2.0 * den_d1 / l.den);
    /* theta = (x - xk) / w and delta = h / w. */
    double g_x = g_th / l.w;
    double g_w = -(g_th * th + g_de * l.delta) / l.w;
    double g_h = gy * r + g_de / l.w;
    double gcw[SBI__RQS_MAX_BINS + 1] = {0}, gch[SBI__RQS_MAX_BINS + 1] = {0};
    gcw[b] += -g_x - g_w; /* d/dxk = -d/dx through theta, and w = cw[b+1] - cw[b] */
    gcw[b + 1] += g_w;
    gch[b] += gy - g_h;
    gch[b + 1] += g_h;
    back_knots(k, s->tail_bound, s->min_bin_width, sw, gcw, gp);
    back_knots(k, s->tail_bound, s->min_bin_height, sh, gch, gp + k);
    if (b >= 1) gp[2 * k + b - 1] = g_d0 * sbi__sigmoid(p[2 * k + b - 1]);
    if (b + 1 <= k - 1) gp[2 * k + b] = g_d1 * sbi__sigmoid(p[2 * k + b]);
    return g_x;
}

double sbi__rqs_backward(const sbi__rqs *s, const double *p, double x, double gy, double gl,
                         double *gp)
{
    int32_t k = s->num_bins, np = 3 * k - 1;
    for (int32_t i = 0; i < np; i++) gp[i] = 0.0;
    if (!inside(s, x)) return gy;
    knots kn;
    knots_compute(s, p, &kn);
    int32_t b = find_bin(k, kn.cw, x);
    local l;
    local_set(s, p, &kn, b, &l);
    local_theta(&l, (x - kn.cw[b]) / l.w);
    return backward_core(s, p, b, &l, kn.sw, kn.sh, gy, gl, gp);
}

/* Cache layout: [0] bin (-1: tail), [1] knot x, [2] w, [3] h, [4] delta,
 * [5] d0, [6] d1, [7] unused, then softmax(widths) [K], softmax(heights) [K]. */
int32_t sbi__rqs_cache_size(const sbi__rqs *s) { return 2 * s->num_bins + 8; }

void sbi__rqs_forward_cached(const sbi__rqs *s, const double *p, double x, double *y,
                             double *logdet, double *cache)
{
    if (!inside(s, x)) {
        *y = x;
        *logdet = 0.0;
        cache[0] = -1.0;
        return;
    }
    const int32_t k = s->num_bins;
    knots kn;
    knots_compute(s, p, &kn);
    int32_t b = find_bin(k, kn.cw, x);
    local l;
    local_set(s, p, &kn, b, &l);
    local_theta(&l, (x - kn.cw[b]) / l.w);
    *y = kn.ch[b] + l.h * l.num / l.den;
    *logdet = local_logdet(&l);
    cache[0] = (double)b;
    cache[1] = kn.cw[b];
    cache[2] = l.w;
    cache[3] = l.h;
    cache[4] = l.delta;
    cache[5] = l.d0;
    cache[6] = l.d1;
    cache[7] = 0.0;
    memcpy(cache + 8, kn.sw, sizeof(double) * (size_t)k);
    memcpy(cache + 8 + k, kn.sh, sizeof(double) * (size_t)k);
}

double sbi__rqs_backward_cached(const sbi__rqs *s, const double *p, double x,
                                const double *cache, double gy, double gl, double *gp)
{
    const int32_t k = s->num_bins, np = 3 * k - 1;
    for (int32_t i = 0; i < np; i++) gp[i] = 0.0;
    if (cache[0] < 0.0) return gy;
    local l;
    l.w = cache[2];
    l.h = cache[3];
    l.delta = cache[4];
    l.d0 = cache[5];
    l.d1 = cache[6];
    l.big_s = l.d0 + l.d1 - 2.0 * l.delta;
    local_theta(&l, (x - cache[1]) / l.w);
    return backward_core(s, p, (int32_t)cache[0], &l, cache + 8, cache + 8 + k, gy, gl, gp);
}
