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
#include "estimators/flow_shards.h"
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
    int32_t d, c, T;
    sbi__made_masks masks; /* shared by all transforms */
    sbi__made *made;       /* [T] */
    int32_t *perm;         /* [T][d] */
    maf_ws train[2];       /* nll_grad's scratch, one per shard */
    double *grad1;         /* [n_params] shard 1's gradient */
} maf_impl;

static void ws_destroy(maf_ws *ws)
{
    if (ws->mw)
        for (int32_t s = 0; s < ws->slots; s++) sbi__made_ws_destroy(&ws->mw[s]);
    sbi__free(ws->mw);
    sbi__free(ws->mem);
    memset(ws, 0, sizeof *ws);
}

/* Make ws hold cap rows; keep_all: keep every transform's activations. */
static int ws_reserve(maf_ws *ws, const maf_impl *m, int64_t cap, int keep_all)
{
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

/* Forward theta -> z for n <= cap rows with per-row context x; logq[r] =
 * log q(theta_r | x_r). Keeps what the backward pass needs if ws keeps all. */
static void maf_forward(const maf_impl *m, const double *params, int64_t n, const double *theta,
                        const double *x, maf_ws *ws, double *logq)
{
    const int32_t d = m->d;
    memcpy(u_at(m, ws, 0), theta, sizeof(double) * (size_t)(n * d));
    memset(ws->ld, 0, sizeof(double) * (size_t)n);
    for (int32_t t = 0; t < m->T; t++) {
        sbi__made_ws *mw = mw_at(ws, t);
        const double *u = u_at(m, ws, t);
        sbi__made_context(&m->made[t], params, n, x, mw);
        const double *out = sbi__made_forward(&m->made[t], params, n, u, 0, mw);
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
    const double *z = u_at(m, ws, m->T);
    for (int64_t r = 0; r < n; r++) logq[r] = sbi__std_normal_logpdf(d, z + r * d) + ws->ld[r];
}

/* Backward after maf_forward (ws keeps all) for a loss L that depends on
 * each row's z_r and total log-determinant only through dL/dz_r =
 * gz_scale * z_r and dL/dlogdet_r = gl (NLL mean: 1/n and -1/n; log q: -1
 * and 1). Writes all parameter gradients into grad (overwritten) and, if
 * gtheta != NULL, dL/dtheta [n][d]. */
static void maf_backward(const maf_impl *m, const double *params, int64_t n, const double *x,
                         maf_ws *ws, double gz_scale, double gl, double *grad, double *gtheta)
{
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

static void maf_destroy(sbi__estimator *e)
{
    maf_impl *m = e->impl;
    if (!m) return;
    ws_destroy(&m->train[0]);
    ws_destroy(&m->train[1]);
    sbi__free(m->grad1);
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

static int maf_log_prob(const sbi__estimator *e, int64_t n, const double *theta, const double *x,
                        double *out)
{
    const maf_impl *m = e->impl;
    maf_ws ws = {0};
    int rc = ws_reserve(&ws, m, n < SBI__FLOW_CHUNK ? (n > 0 ? n : 1) : SBI__FLOW_CHUNK, 0);
    if (rc != SBI_OK) return rc;
    for (int64_t r0 = 0; r0 < n; r0 += SBI__FLOW_CHUNK) {
        int64_t k = n - r0 < SBI__FLOW_CHUNK ? n - r0 : SBI__FLOW_CHUNK;
        maf_forward(m, e->params, k, theta + r0 * m->d, x + r0 * m->c, &ws, out + r0);
    }
    ws_destroy(&ws);
    return SBI_OK;
}

/* One shard of a training step (see flow_shards.h). */
typedef struct maf_step {
    maf_impl *m;
    const double *params, *theta, *x;
    int64_t n; /* rows of the whole batch: the gradient is of the batch mean */
} maf_step;

static void maf_shard(void *vctx, int32_t shard, int64_t r0, int64_t rows, double *loss,
                      double *grad)
{
    maf_step *c = vctx;
    maf_impl *m = c->m;
    maf_ws *ws = &m->train[shard];
    const double *x = c->x + r0 * m->c;
    double *logq = ws->ld; /* overwritten in place, row by row */
    maf_forward(m, c->params, rows, c->theta + r0 * m->d, x, ws, logq);
    double s = 0.0;
    for (int64_t r = 0; r < rows; r++) s -= logq[r];
    *loss = s;
    maf_backward(m, c->params, rows, x, ws, 1.0 / (double)c->n, -1.0 / (double)c->n, grad, NULL);
}

static int maf_nll_grad(sbi__estimator *e, int64_t n, const double *theta, const double *x,
                        double *loss, double *grad)
{
    maf_impl *m = e->impl;
    SBI_CHECK_ARG(n >= 1, "maf: nll_grad needs at least one row");
    for (int32_t s = 0; s < sbi__shard_count(n); s++) {
        int64_t r0, rows;
        sbi__shard_rows(n, s, &r0, &rows);
        SBI_TRY(ws_reserve(&m->train[s], m, rows, 1));
    }
    if (sbi__shard_count(n) > 1 && !m->grad1) {
        m->grad1 = sbi__malloc_array((size_t)e->n_params, sizeof(double));
        if (!m->grad1) return sbi__oom("maf");
    }
    maf_step step = {m, e->params, theta, x, n};
    double sum;
    sbi__shards_run(e->threads, n, maf_shard, &step, e->n_params, grad, m->grad1, &sum);
    *loss = sum / (double)n;
    return SBI_OK;
}

static int maf_log_prob_grad_theta(const sbi__estimator *e, int64_t n, const double *theta,
                                   const double *x, double *out, double *grad)
{
    const maf_impl *m = e->impl;
    if (n <= 0) return SBI_OK;
    int64_t cap = n < SBI__FLOW_CHUNK ? n : SBI__FLOW_CHUNK;
    maf_ws ws = {0};
    double *scratch = sbi__malloc_array((size_t)e->n_params + (size_t)cap * (size_t)m->c,
                                        sizeof(double));
    int rc = scratch ? ws_reserve(&ws, m, cap, 1) : sbi__oom("maf");
    if (rc == SBI_OK) {
        /* The one condition repeated per row (the MADE backward wants rows). */
        double *xr = scratch + e->n_params;
        for (int64_t r = 0; r < cap; r++) memcpy(xr + r * m->c, x, sizeof(double) * (size_t)m->c);
        for (int64_t r0 = 0; r0 < n; r0 += cap) {
            int64_t k = n - r0 < cap ? n - r0 : cap;
            maf_forward(m, e->params, k, theta + r0 * m->d, xr, &ws, out + r0);
            /* d log q / d z = -z, d log q / d logdet = 1; parameter gradients discarded. */
            maf_backward(m, e->params, k, xr, &ws, -1.0, 1.0, scratch, grad + r0 * m->d);
        }
    }
    ws_destroy(&ws);
    sbi__free(scratch);
    return rc;
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
    .log_prob = maf_log_prob,
    .nll_grad = maf_nll_grad,
    .sample = maf_sample,
    .log_prob_grad_theta = maf_log_prob_grad_theta,
    .destroy = maf_destroy,
};
