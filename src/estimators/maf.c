/* Masked autoregressive flow (Papamakarios et al. 2017) as sbi 0.27 builds it
 * with nflows: num_transforms x [masked affine autoregressive transform
 * (conditional MADE, tanh), fixed random permutation], base N(0, I).
 *
 * Direction: data theta -> noise z. Transform t maps u_t to
 *   v = s * u_t + b,  s = softplus(a) + 1e-3,  (a_i, b_i) = MADE_t(u_{<i}, x)
 *   u_{t+1} = v[perm_t]   (u_{t+1}[i] = v[perm_t[i]])
 * and log q(theta|x) = log N(u_T; 0, I) + sum_t sum_i log s_ti.
 * Sampling inverts the transforms in reverse order; each inverse takes d
 * sequential MADE passes (pass i fixes u_i), batched over samples.
 *
 * Parameters: the MADEs one after the other (see made.h for each layout).
 * Permutations come from config.structure_seed (stream t), never stored. */
#include <math.h>
#include <string.h>

#include "core/internal.h"
#include "estimators/estimator.h"
#include "estimators/flow_driver.h"
#include "estimators/flow_util.h"
#include "estimators/made.h"
#include "estimators/permutation.h"
#include "rng/rng_internal.h"

#define MAF_EPS 1e-3

/* Scratch of one pass: `slots` MADE workspaces (num_transforms when the
 * activations are kept for a backward pass, else 1) and the transform inputs
 * (all T+1 kept, or 2 alternating). */
typedef struct maf_ws {
    int64_t cap;        /* rows */
    int32_t slots;      /* MADE workspaces */
    sbi__made_ws *mw;   /* [slots] */
    double *mem;        /* one block for the buffers below */
    double *u;          /* [T+1 or 2][cap][d] */
    double *ld;         /* [cap] accumulated log-determinants */
    double *g0, *g1;    /* [cap][d] gradient / temporary buffers */
    double *du;         /* [cap][d] */
    double *gout;       /* [cap][2d] gradient of a MADE output */
} maf_ws;

typedef struct maf_impl {
    sbi__flow base;        /* first: the shared ops see the impl as a flow */
    int32_t d, c, T;
    sbi__made_masks masks; /* shared by all transforms */
    sbi__made *made;       /* [T] */
    int32_t *perm;         /* [T][d] */
} maf_impl;

static void ws_destroy(void *vws)
{
    maf_ws *ws = vws;
    if (ws->mw)
        for (int32_t s = 0; s < ws->slots; s++) sbi__made_ws_destroy(&ws->mw[s]);
    sbi__free(ws->mw);
    sbi__free(ws->mem);
    memset(ws, 0, sizeof *ws);
}

/* Make ws hold cap rows; keep_all: keep every transform's activations. */
static int ws_reserve(void *vws, const void *impl, int64_t cap, int keep_all)
{
    maf_ws *ws = vws;
    const maf_impl *m = impl;
    int32_t slots = keep_all ? m->T : 1;
    if (ws->mem && ws->cap >= cap && ws->slots == slots) return SBI_OK;
    ws_destroy(ws);
    ws->mw = sbi__calloc((size_t)slots, sizeof *ws->mw);
    if (!ws->mw) return sbi__oom("maf workspace");
    ws->slots = slots;
    for (int32_t s = 0; s < slots; s++) {
        int rc = sbi__made_ws_reserve(&ws->mw[s], &m->made[s], cap);
        if (rc != SBI_OK) {
            ws_destroy(ws);
            return rc;
        }
    }
    size_t nu = keep_all ? (size_t)m->T + 1 : 2, rd = (size_t)cap * (size_t)m->d;
    ws->mem = sbi__malloc_array(nu * rd + (size_t)cap + 5 * rd, sizeof(double));
    if (!ws->mem) {
        ws_destroy(ws);
        return sbi__oom("maf workspace");
    }
    ws->u = ws->mem;
    ws->ld = ws->u + nu * rd;
    ws->g0 = ws->ld + cap;
    ws->g1 = ws->g0 + rd;
    ws->du = ws->g1 + rd;
    ws->gout = ws->du + rd; /* 2 rd */
    ws->cap = cap;
    return SBI_OK;
}

static double *u_at(const maf_impl *m, const maf_ws *ws, int32_t t)
{
    int32_t k = ws->slots == m->T ? t : t % 2;
    return ws->u + (size_t)k * (size_t)ws->cap * (size_t)m->d;
}

static sbi__made_ws *mw_at(const maf_ws *ws, int32_t t) { return &ws->mw[ws->slots > 1 ? t : 0]; }

/* Forward theta -> z for n <= cap rows (sbi__flow_ops.forward). With one_x
 * the context's contribution to each MADE's first layer is computed once.
 * Keeps what the backward pass needs if ws keeps all. */
static double *maf_forward(const void *impl, const double *params, int64_t n,
                           const double *theta, const double *x, int one_x, void *vws,
                           const double **z)
{
    const maf_impl *m = impl;
    maf_ws *ws = vws;
    const int32_t d = m->d;
    memcpy(u_at(m, ws, 0), theta, sizeof(double) * (size_t)(n * d));
    memset(ws->ld, 0, sizeof(double) * (size_t)n);
    for (int32_t t = 0; t < m->T; t++) {
        sbi__made_ws *mw = mw_at(ws, t);
        const double *u = u_at(m, ws, t);
        sbi__made_context(&m->made[t], params, one_x ? 1 : n, x, mw);
        const double *out = sbi__made_forward(&m->made[t], params, n, u, one_x, mw);
        double *v = ws->g0;
        for (int64_t r = 0; r < n; r++) {
            double acc = 0.0;
            for (int32_t i = 0; i < d; i++) {
                double s = sbi__softplus(out[r * 2 * d + 2 * i]) + MAF_EPS;
                v[r * d + i] = s * u[r * d + i] + out[r * 2 * d + 2 * i + 1];
                acc += log(s);
            }
            ws->ld[r] += acc;
        }
        sbi__permutation_apply(d, m->perm + (size_t)t * d, n, v, u_at(m, ws, t + 1));
    }
    *z = u_at(m, ws, m->T);
    return ws->ld;
}

/* Backward after a per-row maf_forward (sbi__flow_ops.backward). */
static void maf_backward(const void *impl, const double *params, int64_t n, const double *x,
                         void *vws, double gz_scale, double gl, double *grad, double *gtheta)
{
    const maf_impl *m = impl;
    maf_ws *ws = vws;
    const int32_t d = m->d;
    double *g = ws->g0, *gv = ws->g1;
    const double *z = u_at(m, ws, m->T);
    for (int64_t k = 0; k < n * d; k++) g[k] = gz_scale * z[k];
    for (int32_t t = m->T - 1; t >= 0; t--) {
        sbi__made_ws *mw = mw_at(ws, t);
        const double *u = u_at(m, ws, t);
        const double *out = mw->net.h[m->made[t].net.n_layers - 1];
        sbi__permutation_apply_inverse(d, m->perm + (size_t)t * d, n, g, gv);
        for (int64_t r = 0; r < n; r++)
            for (int32_t i = 0; i < d; i++) {
                double a = out[r * 2 * d + 2 * i], s = sbi__softplus(a) + MAF_EPS;
                double gvi = gv[r * d + i];
                ws->gout[r * 2 * d + 2 * i] = (gvi * u[r * d + i] + gl / s) * sbi__sigmoid(a);
                ws->gout[r * 2 * d + 2 * i + 1] = gvi;
                g[r * d + i] = gvi * s; /* the direct path v = s u + b */
            }
        sbi__made_backward(&m->made[t], params, n, u, x, mw, ws->gout, grad, ws->du);
        for (int64_t k = 0; k < n * d; k++) g[k] += ws->du[k];
    }
    if (gtheta) memcpy(gtheta, g, sizeof(double) * (size_t)(n * d));
}

static const sbi__flow_ops maf_flow_ops = {
    .ws_bytes = sizeof(maf_ws),
    .ws_reserve = ws_reserve,
    .ws_destroy = ws_destroy,
    .forward = maf_forward,
    .backward = maf_backward,
};

static void maf_destroy(sbi__estimator *e)
{
    maf_impl *m = e->impl;
    if (!m) return;
    sbi__flow_release(&m->base);
    if (m->made)
        for (int32_t t = 0; t < m->T; t++) sbi__made_destroy(&m->made[t]);
    sbi__free(m->made);
    sbi__free(m->perm);
    sbi__made_masks_destroy(&m->masks);
    sbi__free(m);
    e->impl = NULL;
}

static int maf_setup(sbi__estimator *e)
{
    const sbi__estimator_config *c = &e->config;
    SBI_CHECK_ARG(c->theta_dim >= 1 && c->x_dim >= 0, "maf: theta_dim=%d x_dim=%d invalid",
                  (int)c->theta_dim, (int)c->x_dim);
    SBI_CHECK_ARG(c->hidden_features >= 1, "maf: hidden_features=%d must be at least 1",
                  (int)c->hidden_features);
    SBI_CHECK_ARG(c->hidden_layers >= 1 && c->hidden_layers <= 64,
                  "maf: hidden_layers (MADE blocks)=%d must be in 1..64", (int)c->hidden_layers);
    SBI_CHECK_ARG(c->num_transforms >= 1 && c->num_transforms <= 1000,
                  "maf: num_transforms=%d must be in 1..1000", (int)c->num_transforms);
    /* Count before allocating anything: a config read from a file must not
     * make setup allocate absurd amounts. */
    const double d = c->theta_dim, H = c->hidden_features;
    const double np_real = c->num_transforms * ((d + 1.0) * H + (c->x_dim + 1.0) * H +
                                                c->hidden_layers * (H + 1.0) * H +
                                                (H + 1.0) * 2.0 * d);
    if (np_real > (double)SBI__ESTIMATOR_MAX_PARAMS || H * (H + 3.0 * d) > 1e9)
        return sbi__fail(SBI_EINVAL, "maf: %.3g parameters exceed the limit %lld", np_real,
                         (long long)SBI__ESTIMATOR_MAX_PARAMS);
    maf_impl *m = sbi__calloc(1, sizeof *m);
    if (!m) return sbi__oom("maf");
    e->impl = m;
    m->base.ops = &maf_flow_ops;
    m->d = c->theta_dim;
    m->c = c->x_dim;
    m->T = c->num_transforms;
    int rc = sbi__made_masks_create(&m->masks, m->d, c->hidden_features);
    if (rc != SBI_OK) goto fail;
    m->made = sbi__calloc((size_t)m->T, sizeof *m->made);
    m->perm = sbi__malloc_array((size_t)m->T * (size_t)m->d, sizeof(int32_t));
    if (!m->made || !m->perm) {
        rc = sbi__oom("maf");
        goto fail;
    }
    int64_t off = 0;
    for (int32_t t = 0; t < m->T; t++) {
        rc = sbi__made_init(&m->made[t], m->d, m->c, c->hidden_features, c->hidden_layers,
                            &m->masks, off);
        if (rc != SBI_OK) goto fail;
        off += m->made[t].n_params;
        sbi__permutation_random(m->d, c->structure_seed, (uint64_t)t, m->perm + (size_t)t * m->d);
    }
    e->n_params = off;
    return SBI_OK;
fail:
    maf_destroy(e);
    return rc;
}

static int maf_init(sbi__estimator *e, sbi_rng *rng)
{
    maf_impl *m = e->impl;
    for (int32_t t = 0; t < m->T; t++) sbi__made_init_params(&m->made[t], e->params, rng);
    return SBI_OK;
}

static int maf_sample(const sbi__estimator *e, const double *x, int64_t n, sbi_rng *rng,
                      double *out)
{
    const maf_impl *m = e->impl;
    const int32_t d = m->d;
    if (n <= 0) return SBI_OK;
    int64_t cap = n < SBI__FLOW_CHUNK ? n : SBI__FLOW_CHUNK;
    maf_ws ws = {0};
    SBI_TRY(ws_reserve(&ws, m, cap, 0));
    sbi__made_ws *mw = &ws.mw[0];
    for (int64_t r0 = 0; r0 < n; r0 += cap) {
        int64_t k = n - r0 < cap ? n - r0 : cap;
        double *cur = ws.g0, *v = ws.g1, *u = ws.du;
        sbi__rng_normal_fill(rng, k * d, cur);
        for (int32_t t = m->T - 1; t >= 0; t--) {
            const sbi__made *md = &m->made[t];
            sbi__permutation_apply_inverse(d, m->perm + (size_t)t * d, k, cur, v);
            sbi__made_context(md, e->params, 1, x, mw);
            memset(u, 0, sizeof(double) * (size_t)(k * d));
            /* Pass i: outputs 2i, 2i+1 depend only on u[0..i-1], already final. */
            for (int32_t i = 0; i < d; i++) {
                const double *o = sbi__made_forward(md, e->params, k, u, 1, mw);
                for (int64_t r = 0; r < k; r++) {
                    double s = sbi__softplus(o[r * 2 * d + 2 * i]) + MAF_EPS;
                    u[r * d + i] = (v[r * d + i] - o[r * 2 * d + 2 * i + 1]) / s;
                }
            }
            double *tmp = cur;
            cur = u;
            u = tmp;
        }
        memcpy(out + r0 * d, cur, sizeof(double) * (size_t)(k * d));
    }
    ws_destroy(&ws);
    return SBI_OK;
}

const sbi__estimator_ops sbi__maf_ops = {
    .name = "maf",
    .setup = maf_setup,
    .init = maf_init,
    .log_prob = sbi__flow_log_prob,
    .log_prob_at = sbi__flow_log_prob_at,
    .nll_grad = sbi__flow_nll_grad,
    .sample = maf_sample,
    .log_prob_grad_theta = sbi__flow_log_prob_grad_theta,
    .destroy = maf_destroy,
};
