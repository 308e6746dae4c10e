/* Neural spline flow (Durkan et al. 2019) as sbi 0.27 builds it with nflows:
 * num_transforms x [rational-quadratic spline coupling (alternating binary
 * masks, K bins, linear tails at +-3), LU-linear layer initialised to the
 * identity (d > 1 only)], base N(0, I).
 *
 * Direction: data theta -> noise z. Coupling t keeps the identity features
 * and maps each transformed feature through its own spline, whose 3K-1
 * parameters come from the conditioner applied to (identity features, x):
 * an nflows ResidualNet (hidden H, blocks, ReLU, GLU context gates) for
 * d > 1; for d = 1 there is nothing to condition on but x, and the
 * conditioner is sbi's ContextSplineMap, an MLP x -> H -> H -> 3K-1 (ReLU).
 * As nflows does, the width and height parameters are divided by sqrt(H)
 * before the spline. Transform t transforms the even features (0, 2, ...)
 * when t is even and the odd ones when t is odd (nflows'
 * create_alternating_binary_mask).
 *
 * Every inverse is closed-form (spline root, triangular solves): sampling
 * costs one pass per transform, like the density.
 *
 * Parameters per transform: conditioner, then the LU layer (d > 1). */
#include <math.h>
#include <string.h>

#include "core/internal.h"
#include "estimators/estimator.h"
#include "estimators/flow_driver.h"
#include "estimators/flow_util.h"
#include "estimators/lu_linear.h"
#include "estimators/resnet.h"
#include "estimators/rqspline.h"
#include "rng/rng_internal.h"

#define NSF_TAIL_BOUND 3.0
#define NSF_CONTEXT_LAYERS 1 /* sbi's hidden_layers_spline_context for d = 1 */

typedef struct nsf_layer {
    int32_t n_id, n_tr;    /* identity and transformed feature counts */
    int32_t *id, *tr;      /* their indices (into nsf_impl.idx) */
    sbi__resnet net;       /* conditioner for d > 1 */
    sbi__mlp ctxnet;       /* conditioner for d = 1 */
    int64_t lu_off;        /* LU parameters, -1 for d = 1 */
} nsf_layer;

/* Scratch of one pass (see maf.c's maf_ws for the slot scheme). */
typedef struct nsf_ws {
    int64_t cap;
    int32_t slots;          /* conditioner workspaces: T (keep all) or 1 */
    sbi__resnet_ws *rw;     /* [slots] for d > 1 */
    sbi__mlp_ws *mw;        /* [slots] for d = 1 */
    double *mem;            /* one block for the buffers below */
    double *u;              /* [T+1 or 2][cap][d] coupling inputs, last = z */
    double *w;              /* [T or 1][cap][d] coupling outputs (LU inputs) */
    double *ld;             /* [cap] */
    double *idb;            /* [cap][d] gathered identity features */
    double *g0, *g1;        /* [cap][d] */
    double *did;            /* [cap][d] */
    double *dcond;          /* [cap][d * (3K-1)] */
    double *cache;          /* [T][cap][d][cache size] spline state kept for the
                               backward pass (keep-all workspaces only) */
} nsf_ws;

typedef struct nsf_impl {
    sbi__flow base;         /* first: the shared ops see the impl as a flow */
    int32_t d, c, T, H, np; /* np = 3K-1 spline parameters per feature */
    sbi__rqs rqs;
    double inv_sqrt_h;      /* nflows' scaling of width/height parameters */
    nsf_layer *layers;      /* [T] */
    int32_t *idx;           /* index storage [T][d] */
} nsf_impl;

static void ws_destroy(void *vws)
{
    nsf_ws *ws = vws;
    for (int32_t s = 0; s < ws->slots; s++) {
        if (ws->rw) sbi__resnet_ws_destroy(&ws->rw[s]);
        if (ws->mw) sbi__mlp_ws_destroy(&ws->mw[s]);
    }
    sbi__free(ws->rw);
    sbi__free(ws->mw);
    sbi__free(ws->mem);
    memset(ws, 0, sizeof *ws);
}

static int ws_reserve(void *vws, const void *impl, int64_t cap, int keep_all)
{
    nsf_ws *ws = vws;
    const nsf_impl *m = impl;
    int32_t slots = keep_all ? m->T : 1;
    if (ws->mem && ws->cap >= cap && ws->slots == slots) return SBI_OK;
    ws_destroy(ws);
    int rc = SBI_OK;
    if (m->d > 1) {
        ws->rw = sbi__calloc((size_t)slots, sizeof *ws->rw);
        if (!ws->rw) return sbi__oom("nsf workspace");
    } else {
        ws->mw = sbi__calloc((size_t)slots, sizeof *ws->mw);
        if (!ws->mw) return sbi__oom("nsf workspace");
    }
    ws->slots = slots;
    if (m->d > 1 && slots == 1) {
        /* One workspace serves every layer: size it for the widest identity
         * split and output (odd and even layers differ when d is odd). */
        sbi__resnet widest = m->layers[0].net;
        for (int32_t t = 1; t < m->T; t++) {
            if (m->layers[t].net.in > widest.in) widest.in = m->layers[t].net.in;
            if (m->layers[t].net.out > widest.out) widest.out = m->layers[t].net.out;
        }
        rc = sbi__resnet_ws_reserve(&ws->rw[0], &widest, cap);
    } else {
        for (int32_t s = 0; s < slots && rc == SBI_OK; s++)
            rc = m->d > 1 ? sbi__resnet_ws_reserve(&ws->rw[s], &m->layers[s].net, cap)
                          : sbi__mlp_ws_reserve(&ws->mw[s], &m->layers[s].ctxnet, cap);
    }
    size_t rd = (size_t)cap * (size_t)m->d;
    size_t nu = keep_all ? (size_t)m->T + 1 : 2, nw = keep_all ? (size_t)m->T : 1;
    size_t nc = keep_all ? (size_t)m->T * rd * (size_t)sbi__rqs_cache_size(&m->rqs) : 0;
    if (rc == SBI_OK) {
        ws->mem = sbi__malloc_array((nu + nw + 4) * rd + (size_t)cap + rd * (size_t)m->np + nc,
                                    sizeof(double));
        if (!ws->mem) rc = sbi__oom("nsf workspace");
    }
    if (rc != SBI_OK) {
        ws_destroy(ws);
        return rc;
    }
    double *p = ws->mem;
    ws->u = p, p += nu * rd;
    ws->w = p, p += nw * rd;
    ws->ld = p, p += (size_t)cap;
    ws->idb = p, p += rd;
    ws->g0 = p, p += rd;
    ws->g1 = p, p += rd;
    ws->did = p, p += rd;
    ws->dcond = p, p += rd * (size_t)m->np;
    ws->cache = keep_all ? p : NULL;
    ws->cap = cap;
    return SBI_OK;
}

static double *u_at(const nsf_impl *m, const nsf_ws *ws, int32_t t)
{
    int32_t k = ws->slots == m->T ? t : t % 2;
    return ws->u + (size_t)k * (size_t)ws->cap * (size_t)m->d;
}

static double *w_at(const nsf_impl *m, const nsf_ws *ws, int32_t t)
{
    int32_t k = ws->slots == m->T ? t : 0;
    return ws->w + (size_t)k * (size_t)ws->cap * (size_t)m->d;
}

/* The spline cache of transform t, row r, transformed feature j. */
static double *cache_at(const nsf_impl *m, const nsf_ws *ws, int32_t t, int64_t r, int32_t j)
{
    size_t cs = (size_t)sbi__rqs_cache_size(&m->rqs);
    return ws->cache + (((size_t)t * (size_t)ws->cap + (size_t)r) * (size_t)m->d + (size_t)j) * cs;
}

/* Spline parameters of one feature with nflows' 1/sqrt(H) scaling of the
 * width and height entries. */
static void scaled_params(const nsf_impl *m, const double *raw, double *p)
{
    int32_t k = m->rqs.num_bins;
    for (int32_t i = 0; i < 2 * k; i++) p[i] = raw[i] * m->inv_sqrt_h;
    for (int32_t i = 2 * k; i < m->np; i++) p[i] = raw[i];
}

/* Conditioner output for layer t on the identity features of u (rows n):
 * returns the [n][n_tr * np] parameters; *stride is the row stride (0 when
 * one row serves all: d = 1 with a broadcast context). */
static const double *cond_forward(const nsf_impl *m, int32_t t, const double *params, int64_t n,
                                  const double *u, const double *x, int broadcast_ctx,
                                  nsf_ws *ws, int64_t *stride)
{
    const nsf_layer *L = &m->layers[t];
    int32_t s = ws->slots > 1 ? t : 0;
    if (m->d == 1) {
        *stride = broadcast_ctx ? 0 : m->np;
        return sbi__mlp_forward(&L->ctxnet, params, broadcast_ctx ? 1 : n, x, &ws->mw[s]);
    }
    for (int64_t r = 0; r < n; r++)
        for (int32_t j = 0; j < L->n_id; j++) ws->idb[r * L->n_id + j] = u[r * m->d + L->id[j]];
    *stride = (int64_t)L->n_tr * m->np;
    return sbi__resnet_forward(&L->net, params, n, ws->idb, x, broadcast_ctx, &ws->rw[s]);
}

/* Forward theta -> z for n <= cap rows (sbi__flow_ops.forward). With one_x
 * the conditioners embed the context once (d = 1: the whole conditioner). */
static double *nsf_forward(const void *impl, const double *params, int64_t n,
                           const double *theta, const double *x, int one_x, void *vws,
                           const double **z)
{
    const nsf_impl *m = impl;
    nsf_ws *ws = vws;
    const int32_t d = m->d;
    double p[3 * SBI__RQS_MAX_BINS];
    memcpy(u_at(m, ws, 0), theta, sizeof(double) * (size_t)(n * d));
    memset(ws->ld, 0, sizeof(double) * (size_t)n);
    for (int32_t t = 0; t < m->T; t++) {
        const nsf_layer *L = &m->layers[t];
        const double *u = u_at(m, ws, t);
        double *w = w_at(m, ws, t);
        int64_t stride;
        const double *cp = cond_forward(m, t, params, n, u, x, one_x, ws, &stride);
        memcpy(w, u, sizeof(double) * (size_t)(n * d));
        for (int64_t r = 0; r < n; r++)
            for (int32_t j = 0; j < L->n_tr; j++) {
                int32_t f = L->tr[j];
                double ld;
                scaled_params(m, cp + r * stride + (int64_t)j * m->np, p);
                if (ws->cache)
                    sbi__rqs_forward_cached(&m->rqs, p, u[r * d + f], &w[r * d + f], &ld,
                                            cache_at(m, ws, t, r, j));
                else
                    sbi__rqs_forward(&m->rqs, p, u[r * d + f], &w[r * d + f], &ld);
                ws->ld[r] += ld;
            }
        double *next = u_at(m, ws, t + 1);
        if (L->lu_off >= 0) {
            sbi__lu_forward(d, params + L->lu_off, n, w, next);
            double ldl = sbi__lu_logdet(d, params + L->lu_off);
            for (int64_t r = 0; r < n; r++) ws->ld[r] += ldl;
        } else {
            memcpy(next, w, sizeof(double) * (size_t)(n * d));
        }
    }
    *z = u_at(m, ws, m->T);
    return ws->ld;
}

/* Backward after a per-row nsf_forward (sbi__flow_ops.backward). */
static void nsf_backward(const void *impl, const double *params, int64_t n, const double *x,
                         void *vws, double gz_scale, double gl, double *grad, double *gtheta)
{
    const nsf_impl *m = impl;
    nsf_ws *ws = vws;
    const int32_t d = m->d, k2 = 2 * m->rqs.num_bins;
    double p[3 * SBI__RQS_MAX_BINS], gp[3 * SBI__RQS_MAX_BINS];
    double *g = ws->g0, *gw = ws->g1;
    const double *z = u_at(m, ws, m->T);
    for (int64_t k = 0; k < n * d; k++) g[k] = gz_scale * z[k];
    for (int32_t t = m->T - 1; t >= 0; t--) {
        const nsf_layer *L = &m->layers[t];
        const double *u = u_at(m, ws, t), *w = w_at(m, ws, t);
        if (L->lu_off >= 0)
            sbi__lu_backward(d, params + L->lu_off, n, w, g, (double)n * gl, grad + L->lu_off, gw);
        else
            memcpy(gw, g, sizeof(double) * (size_t)(n * d));
        /* The conditioner's output is still in its workspace slot t. */
        const double *cp;
        int64_t stride = (int64_t)L->n_tr * m->np;
        if (d == 1)
            cp = ws->mw[t].h[L->ctxnet.n_layers - 1];
        else
            cp = ws->rw[t].out;
        memcpy(g, gw, sizeof(double) * (size_t)(n * d)); /* identity features pass through */
        for (int64_t r = 0; r < n; r++)
            for (int32_t j = 0; j < L->n_tr; j++) {
                int32_t f = L->tr[j];
                scaled_params(m, cp + r * stride + (int64_t)j * m->np, p);
                g[r * d + f] = sbi__rqs_backward_cached(&m->rqs, p, u[r * d + f],
                                                        cache_at(m, ws, t, r, j), gw[r * d + f],
                                                        gl, gp);
                double *dc = ws->dcond + r * stride + (int64_t)j * m->np;
                for (int32_t i = 0; i < m->np; i++) dc[i] = i < k2 ? gp[i] * m->inv_sqrt_h : gp[i];
            }
        if (d == 1) {
            sbi__mlp_backward(&L->ctxnet, params, n, x, &ws->mw[t], ws->dcond, grad, 0, NULL);
        } else {
            sbi__resnet_backward(&L->net, params, n, x, &ws->rw[t], ws->dcond, grad, ws->did);
            for (int64_t r = 0; r < n; r++)
                for (int32_t j = 0; j < L->n_id; j++)
                    g[r * d + L->id[j]] += ws->did[r * L->n_id + j];
        }
    }
    if (gtheta) memcpy(gtheta, g, sizeof(double) * (size_t)(n * d));
}

static const sbi__flow_ops nsf_flow_ops = {
    .ws_bytes = sizeof(nsf_ws),
    .ws_reserve = ws_reserve,
    .ws_destroy = ws_destroy,
    .forward = nsf_forward,
    .backward = nsf_backward,
};

static void nsf_destroy(sbi__estimator *e)
{
    nsf_impl *m = e->impl;
    if (!m) return;
    sbi__flow_release(&m->base);
    if (m->layers)
        for (int32_t t = 0; t < m->T; t++) {
            sbi__resnet_destroy(&m->layers[t].net);
            sbi__mlp_destroy(&m->layers[t].ctxnet);
        }
    sbi__free(m->layers);
    sbi__free(m->idx);
    sbi__free(m);
    e->impl = NULL;
}

static int nsf_setup(sbi__estimator *e)
{
    const sbi__estimator_config *c = &e->config;
    SBI_CHECK_ARG(c->theta_dim >= 1 && c->x_dim >= 0, "nsf: theta_dim=%d x_dim=%d invalid",
                  (int)c->theta_dim, (int)c->x_dim);
    SBI_CHECK_ARG(c->theta_dim > 1 || c->x_dim >= 1,
                  "nsf: a 1-dimensional theta needs a condition (x_dim >= 1)");
    SBI_CHECK_ARG(c->hidden_features >= 1, "nsf: hidden_features=%d must be at least 1",
                  (int)c->hidden_features);
    SBI_CHECK_ARG(c->hidden_layers >= 1 && c->hidden_layers <= 64,
                  "nsf: hidden_layers (residual blocks)=%d must be in 1..64",
                  (int)c->hidden_layers);
    SBI_CHECK_ARG(c->num_transforms >= 1 && c->num_transforms <= 1000,
                  "nsf: num_transforms=%d must be in 1..1000", (int)c->num_transforms);
    SBI_CHECK_ARG(c->num_bins >= 2 && c->num_bins <= SBI__RQS_MAX_BINS,
                  "nsf: num_bins=%d must be in 2..%d", (int)c->num_bins, SBI__RQS_MAX_BINS);
    /* Count before allocating anything (a config may come from a file). */
    const double d = c->theta_dim, H = c->hidden_features, cx = c->x_dim;
    const double np_spline = 3.0 * c->num_bins - 1.0;
    const double per = d == 1.0 ? (cx + 1.0) * H + (H + 1.0) * H + (H + 1.0) * np_spline
                                : (d + cx + 1.0) * H +
                                      c->hidden_layers * (2.0 * (H + 1.0) * H + (cx + 1.0) * H) +
                                      (H + 1.0) * d * np_spline + d * d + d;
    if (c->num_transforms * per > (double)SBI__ESTIMATOR_MAX_PARAMS)
        return sbi__fail(SBI_EINVAL, "nsf: %.3g parameters exceed the limit %lld",
                         c->num_transforms * per, (long long)SBI__ESTIMATOR_MAX_PARAMS);
    nsf_impl *m = sbi__calloc(1, sizeof *m);
    if (!m) return sbi__oom("nsf");
    e->impl = m;
    m->base.ops = &nsf_flow_ops;
    m->d = c->theta_dim;
    m->c = c->x_dim;
    m->T = c->num_transforms;
    m->H = c->hidden_features;
    sbi__rqs_default(&m->rqs, c->num_bins, NSF_TAIL_BOUND);
    m->np = sbi__rqs_num_params(&m->rqs);
    m->inv_sqrt_h = 1.0 / sqrt((double)m->H);
    int rc = SBI_OK;
    m->layers = sbi__calloc((size_t)m->T, sizeof *m->layers);
    m->idx = sbi__malloc_array((size_t)m->T * (size_t)m->d, sizeof(int32_t));
    if (!m->layers || !m->idx) {
        rc = sbi__oom("nsf");
        goto fail;
    }
    int64_t off = 0;
    for (int32_t t = 0; t < m->T; t++) {
        nsf_layer *L = &m->layers[t];
        int32_t *ix = m->idx + (size_t)t * m->d;
        /* Transformed features first in ix, then the identity ones. */
        int32_t start = t % 2 == 0 ? 0 : 1;
        if (m->d == 1) start = 0; /* nflows' mask [1]: the one feature is transformed */
        L->tr = ix;
        for (int32_t f = start; f < m->d; f += 2) ix[L->n_tr++] = f;
        L->id = ix + L->n_tr;
        for (int32_t f = 1 - start; f < m->d; f += 2)
            if (f >= 0) L->id[L->n_id++] = f;
        int32_t out = L->n_tr * m->np;
        if (m->d == 1) {
            int32_t sizes[3 + NSF_CONTEXT_LAYERS];
            sizes[0] = m->c;
            for (int32_t k = 1; k <= 1 + NSF_CONTEXT_LAYERS; k++) sizes[k] = m->H;
            sizes[2 + NSF_CONTEXT_LAYERS] = out;
            rc = sbi__mlp_init(&L->ctxnet, 3 + NSF_CONTEXT_LAYERS, sizes, SBI__ACT_RELU,
                               SBI__ACT_IDENTITY, off);
            if (rc != SBI_OK) goto fail;
            off += L->ctxnet.n_params;
            L->lu_off = -1;
        } else {
            rc = sbi__resnet_init(&L->net, L->n_id, m->c, m->H, c->hidden_layers, out, off);
            if (rc != SBI_OK) goto fail;
            off += L->net.n_params;
            L->lu_off = off;
            off += sbi__lu_num_params(m->d);
        }
    }
    e->n_params = off;
    return SBI_OK;
fail:
    nsf_destroy(e);
    return rc;
}

static int nsf_init(sbi__estimator *e, sbi_rng *rng)
{
    nsf_impl *m = e->impl;
    for (int32_t t = 0; t < m->T; t++) {
        nsf_layer *L = &m->layers[t];
        if (m->d == 1) {
            sbi__mlp_init_params(&L->ctxnet, e->params, rng);
        } else {
            sbi__resnet_init_params(&L->net, e->params, rng);
            sbi__lu_init_identity(m->d, e->params + L->lu_off);
        }
    }
    return SBI_OK;
}

static int nsf_sample(const sbi__estimator *e, const double *x, int64_t n, sbi_rng *rng,
                      double *out)
{
    const nsf_impl *m = e->impl;
    const int32_t d = m->d;
    if (n <= 0) return SBI_OK;
    int64_t cap = n < SBI__FLOW_CHUNK ? n : SBI__FLOW_CHUNK;
    nsf_ws ws = {0};
    SBI_TRY(ws_reserve(&ws, m, cap, 0));
    double p[3 * SBI__RQS_MAX_BINS];
    for (int64_t r0 = 0; r0 < n; r0 += cap) {
        int64_t k = n - r0 < cap ? n - r0 : cap;
        double *cur = ws.g0, *w = ws.g1;
        sbi__rng_normal_fill(rng, k * d, cur);
        for (int32_t t = m->T - 1; t >= 0; t--) {
            const nsf_layer *L = &m->layers[t];
            if (L->lu_off >= 0)
                sbi__lu_inverse(d, e->params + L->lu_off, k, cur, w);
            else
                memcpy(w, cur, sizeof(double) * (size_t)(k * d));
            int64_t stride;
            const double *cp = cond_forward(m, t, e->params, k, w, x, 1, &ws, &stride);
            memcpy(cur, w, sizeof(double) * (size_t)(k * d));
            for (int64_t r = 0; r < k; r++)
                for (int32_t j = 0; j < L->n_tr; j++) {
                    int32_t f = L->tr[j];
                    double ld;
                    scaled_params(m, cp + r * stride + (int64_t)j * m->np, p);
                    sbi__rqs_inverse(&m->rqs, p, w[r * d + f], &cur[r * d + f], &ld);
                }
        }
        memcpy(out + r0 * d, cur, sizeof(double) * (size_t)(k * d));
    }
    ws_destroy(&ws);
    return SBI_OK;
}

const sbi__estimator_ops sbi__nsf_ops = {
    .name = "nsf",
    .setup = nsf_setup,
    .init = nsf_init,
    .log_prob = sbi__flow_log_prob,
    .log_prob_at = sbi__flow_log_prob_at,
    .nll_grad = sbi__flow_nll_grad,
    .sample = nsf_sample,
    .log_prob_grad_theta = sbi__flow_log_prob_grad_theta,
    .destroy = nsf_destroy,
};
