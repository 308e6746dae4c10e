/* LU-parameterised linear layer: plain loops (d is small, O(n d^2)). */
#include "estimators/lu_linear.h"

#include <math.h>
#include <string.h>

#include "estimators/flow_util.h"

#define LU_EPS 1e-3
#define LU_STACK 256 /* diagonals up to this size are computed once per call */

/* The diagonal of U, softplus(raw) + eps, computed once per call (a softplus
 * per element and row would dominate the layer's cost). */
typedef struct diagbuf {
    double v[LU_STACK];
    const double *raw;
    int32_t d;
} diagbuf;

static void diag_init(diagbuf *b, int32_t d, const double *raw)
{
    b->raw = raw;
    b->d = d;
    if (d <= LU_STACK)
        for (int32_t i = 0; i < d; i++) b->v[i] = sbi__softplus(raw[i]) + LU_EPS;
}

static inline double diag_get(const diagbuf *b, int32_t i)
{
    return b->d <= LU_STACK ? b->v[i] : sbi__softplus(b->raw[i]) + LU_EPS;
}

/* Offsets into the parameter block. */
static int64_t tri(int32_t d) { return (int64_t)d * (d - 1) / 2; }
static int64_t lo_idx(int32_t i, int32_t j) { return (int64_t)i * (i - 1) / 2 + j; } /* i > j */
static int64_t up_idx(int32_t d, int32_t i, int32_t j)                              /* j > i */
{
    return (int64_t)i * (d - 1) - (int64_t)i * (i - 1) / 2 + (j - i - 1);
}

int64_t sbi__lu_num_params(int32_t d) { return (int64_t)d * d + d; }

void sbi__lu_init_identity(int32_t d, double *p)
{
    int64_t t = tri(d);
    memset(p, 0, sizeof(double) * (size_t)sbi__lu_num_params(d));
    for (int32_t i = 0; i < d; i++) p[2 * t + i] = log(expm1(1.0 - LU_EPS));
}

double sbi__lu_logdet(int32_t d, const double *p)
{
    const double *raw = p + 2 * tri(d);
    double s = 0.0;
    for (int32_t i = 0; i < d; i++) s += log(sbi__softplus(raw[i]) + LU_EPS);
    return s;
}

/* One row in place: r <- U r (top row first: row i reads only r[j >= i]),
 * then r <- L r + b (bottom row first: row i reads only r[j <= i]). */
static void forward_row(int32_t d, const double *p, const diagbuf *dg, double *r)
{
    int64_t t = tri(d);
    const double *lo = p, *up = p + t, *b = p + 2 * t + d;
    for (int32_t i = 0; i < d; i++) {
        double s = diag_get(dg, i) * r[i];
        for (int32_t j = i + 1; j < d; j++) s += up[up_idx(d, i, j)] * r[j];
        r[i] = s;
    }
    for (int32_t i = d - 1; i >= 0; i--) {
        double s = r[i] + b[i];
        for (int32_t j = 0; j < i; j++) s += lo[lo_idx(i, j)] * r[j];
        r[i] = s;
    }
}

void sbi__lu_forward(int32_t d, const double *p, int64_t n, const double *x, double *y)
{
    diagbuf dg;
    diag_init(&dg, d, p + 2 * tri(d));
    if (y != x) memcpy(y, x, sizeof(double) * (size_t)(n * d));
    for (int64_t r = 0; r < n; r++) forward_row(d, p, &dg, y + r * d);
}

void sbi__lu_inverse(int32_t d, const double *p, int64_t n, const double *y, double *x)
{
    int64_t t = tri(d);
    const double *lo = p, *up = p + t, *b = p + 2 * t + d;
    diagbuf dg;
    diag_init(&dg, d, p + 2 * t);
    if (x != y) memcpy(x, y, sizeof(double) * (size_t)(n * d));
    for (int64_t rr = 0; rr < n; rr++) {
        double *r = x + rr * d;
        /* Forward substitution with unit-diagonal L, then back substitution with U. */
        for (int32_t i = 0; i < d; i++) {
            double s = r[i] - b[i];
            for (int32_t j = 0; j < i; j++) s -= lo[lo_idx(i, j)] * r[j];
            r[i] = s;
        }
        for (int32_t i = d - 1; i >= 0; i--) {
            double s = r[i];
            for (int32_t j = i + 1; j < d; j++) s -= up[up_idx(d, i, j)] * r[j];
            r[i] = s / diag_get(&dg, i);
        }
    }
}

void sbi__lu_backward(int32_t d, const double *p, int64_t n, const double *x, const double *gy,
                      double gl_sum, double *gp, double *gx)
{
    int64_t t = tri(d);
    const double *lo = p, *up = p + t, *raw = p + 2 * t;
    diagbuf dg;
    diag_init(&dg, d, raw);
    double *g_lo = NULL, *g_up = NULL, *g_raw = NULL, *g_b = NULL;
    if (gp) {
        memset(gp, 0, sizeof(double) * (size_t)sbi__lu_num_params(d));
        g_lo = gp;
        g_up = gp + t;
        g_raw = gp + 2 * t; /* holds dL/dU_ii until the end */
        g_b = gp + 2 * t + d;
    }
    for (int64_t rr = 0; rr < n; rr++) {
        const double *xr = x + rr * d, *gr = gy + rr * d;
        double *gxr = gx + rr * d;
        /* y = L v + b with v = U x: dL/dL_ij = gy_i v_j (v_j computed once). */
        if (gp)
            for (int32_t j = 0; j < d; j++) {
                g_b[j] += gr[j];
                double vj = diag_get(&dg, j) * xr[j];
                for (int32_t k = j + 1; k < d; k++) vj += up[up_idx(d, j, k)] * xr[k];
                for (int32_t i = j + 1; i < d; i++) g_lo[lo_idx(i, j)] += gr[i] * vj;
            }
        /* gv = L^T gy, in place into gx (gv_j reads gy_i for i >= j: ascending j). */
        for (int32_t j = 0; j < d; j++) {
            double s = gr[j];
            for (int32_t i = j + 1; i < d; i++) s += lo[lo_idx(i, j)] * gr[i];
            gxr[j] = s;
        }
        if (gp)
            for (int32_t i = 0; i < d; i++) {
                g_raw[i] += gxr[i] * xr[i];
                for (int32_t j = i + 1; j < d; j++) g_up[up_idx(d, i, j)] += gxr[i] * xr[j];
            }
        /* gx = U^T gv, in place (gx_j reads gv_i for i <= j: descending j). */
        for (int32_t j = d - 1; j >= 0; j--) {
            double s = diag_get(&dg, j) * gxr[j];
            for (int32_t i = 0; i < j; i++) s += up[up_idx(d, i, j)] * gxr[i];
            gxr[j] = s;
        }
    }
    if (gp)
        for (int32_t i = 0; i < d; i++) {
            g_raw[i] = (g_raw[i] + gl_sum / diag_get(&dg, i)) * sbi__sigmoid(raw[i]);
        }
}
