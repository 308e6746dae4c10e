/* Residual conditioner network with GLU context gating (see resnet.h). */
#include "estimators/resnet.h"

#include <string.h>

#include "core/internal.h"
#include "estimators/flow_util.h"
#include "rng/rng_internal.h"

static sbi__dense dense_at(int32_t in, int32_t out, int64_t *off)
{
    sbi__dense l = {.in = in, .out = out, .w_off = *off, .b_off = *off + (int64_t)in * out,
                    .act = SBI__ACT_IDENTITY, .mask = NULL};
    *off += sbi__dense_n_params(in, out, 1);
    return l;
}

int sbi__resnet_init(sbi__resnet *r, int32_t in, int32_t c, int32_t hidden, int32_t blocks,
                     int32_t out, int64_t param_off)
{
    memset(r, 0, sizeof *r);
    SBI_CHECK_ARG(in >= 1 && c >= 0 && hidden >= 1 && blocks >= 1 && out >= 1,
                  "resnet: invalid shape in=%d x_dim=%d hidden=%d blocks=%d out=%d", (int)in,
                  (int)c, (int)hidden, (int)blocks, (int)out);
    r->l0 = sbi__calloc(3 * (size_t)blocks, sizeof *r->l0);
    if (!r->l0) return sbi__oom("resnet");
    r->l1 = r->l0 + blocks;
    r->lc = r->l1 + blocks;
    r->in = in;
    r->c = c;
    r->hidden = hidden;
    r->blocks = blocks;
    r->out = out;
    r->param_off = param_off;
    int64_t off = param_off;
    r->initial = dense_at(in + c, hidden, &off);
    for (int32_t k = 0; k < blocks; k++) {
        r->l0[k] = dense_at(hidden, hidden, &off);
        r->l1[k] = dense_at(hidden, hidden, &off);
        if (c > 0) r->lc[k] = dense_at(c, hidden, &off);
    }
    r->final = dense_at(hidden, out, &off);
    r->n_params = off - param_off;
    return SBI_OK;
}

void sbi__resnet_destroy(sbi__resnet *r)
{
    sbi__free(r->l0);
    memset(r, 0, sizeof *r);
}

void sbi__resnet_init_params(const sbi__resnet *r, double *params, sbi_rng *rng)
{
    sbi__dense_init_default(&r->initial, params, rng);
    for (int32_t k = 0; k < r->blocks; k++) {
        sbi__dense_init_default(&r->l0[k], params, rng);
        /* nflows ResidualBlock(zero_initialization=True): the last layer
         * starts near zero, so each block starts near the identity. */
        const sbi__dense *l = &r->l1[k];
        int64_t nw = (int64_t)l->in * l->out;
        for (int64_t i = 0; i < nw; i++) params[l->w_off + i] = -1e-3 + 2e-3 * sbi__rng_uniform(rng);
        for (int32_t i = 0; i < l->out; i++) params[l->b_off + i] = -1e-3 + 2e-3 * sbi__rng_uniform(rng);
        if (r->c > 0) sbi__dense_init_default(&r->lc[k], params, rng);
    }
    sbi__dense_init_default(&r->final, params, rng);
}

int sbi__resnet_ws_reserve(sbi__resnet_ws *ws, const sbi__resnet *r, int64_t cap)
{
    if (ws->mem && ws->cap >= cap) return SBI_OK;
    SBI_CHECK_ARG(cap >= 1, "resnet workspace: capacity %lld must be positive", (long long)cap);
    size_t rows = (size_t)cap, h = (size_t)r->hidden, w = (size_t)(r->in + r->c);
    size_t b = (size_t)r->blocks;
    size_t total = rows * (2 * w + (b + 1) * h + 4 * b * h + (size_t)r->out + 3 * h);
    double *mem = sbi__malloc_array(total, sizeof(double));
    if (!mem) return sbi__oom("resnet workspace");
    sbi__free(ws->mem);
    double *p = mem;
    ws->inp = p, p += rows * w;
    ws->h = p, p += (b + 1) * rows * h;
    ws->a0 = p, p += b * rows * h;
    ws->a1 = p, p += b * rows * h;
    ws->t2 = p, p += b * rows * h;
    ws->sg = p, p += b * rows * h;
    ws->out = p, p += rows * (size_t)r->out;
    ws->dh = p, p += rows * h;
    ws->da = p, p += rows * h;
    ws->db = p, p += rows * h;
    ws->dinp = p;
    ws->mem = mem;
    ws->cap = cap;
    return SBI_OK;
}

void sbi__resnet_ws_destroy(sbi__resnet_ws *ws)
{
    sbi__free(ws->mem);
    memset(ws, 0, sizeof *ws);
}

const double *sbi__resnet_forward(const sbi__resnet *r, const double *params, int64_t n,
                                  const double *u, const double *x, int broadcast_ctx,
                                  sbi__resnet_ws *ws)
{
    const int64_t h = r->hidden, w = r->in + r->c, nh = n * h;
    for (int64_t k = 0; k < n; k++) {
        memcpy(ws->inp + k * w, u + k * r->in, sizeof(double) * (size_t)r->in);
        if (r->c > 0)
            memcpy(ws->inp + k * w + r->in, x + (broadcast_ctx ? 0 : k * r->c),
                   sizeof(double) * (size_t)r->c);
    }
    sbi__dense_forward(&r->initial, params, n, ws->inp, ws->h, NULL);
    for (int32_t b = 0; b < r->blocks; b++) {
        const double *hb = ws->h + b * n * h;
        double *hn = ws->h + (b + 1) * n * h;
        double *a0 = ws->a0 + b * n * h, *a1 = ws->a1 + b * n * h;
        double *t2 = ws->t2 + b * n * h, *sg = ws->sg + b * n * h;
        sbi__relu_n(nh, hb, a0);
        sbi__dense_forward(&r->l0[b], params, n, a0, a1, NULL);
        sbi__relu_n(nh, a1, a1);
        sbi__dense_forward(&r->l1[b], params, n, a1, t2, NULL);
        if (r->c > 0) {
            /* The gate of a broadcast context is one row, computed once. */
            sbi__dense_forward(&r->lc[b], params, broadcast_ctx ? 1 : n, x, sg, NULL);
            for (int64_t k = 0; k < (broadcast_ctx ? h : nh); k++) sg[k] = sbi__sigmoid(sg[k]);
            for (int64_t k = 0; k < nh; k++)
                hn[k] = hb[k] + t2[k] * sg[broadcast_ctx ? k % h : k];
        } else {
            for (int64_t k = 0; k < nh; k++) hn[k] = hb[k] + t2[k];
        }
    }
    sbi__dense_forward(&r->final, params, n, ws->h + r->blocks * n * h, ws->out, NULL);
    return ws->out;
}

void sbi__resnet_backward(const sbi__resnet *r, const double *params, int64_t n, const double *x,
                          sbi__resnet_ws *ws, const double *dout, double *grad, double *du)
{
    const int64_t h = r->hidden, w = r->in + r->c, nh = n * h;
    double *dh = ws->dh, *da = ws->da, *db = ws->db;
    sbi__dense_backward(&r->final, params, n, ws->h + r->blocks * n * h, dout, grad, 0, dh, NULL);
    for (int32_t b = r->blocks - 1; b >= 0; b--) {
        const double *a0 = ws->a0 + b * n * h, *a1 = ws->a1 + b * n * h;
        const double *t2 = ws->t2 + b * n * h, *sg = ws->sg + b * n * h;
        /* h_{b+1} = h_b + t2 * sg: dt2 = dh * sg, dgate_pre = dh * t2 * sg (1 - sg). */
        if (r->c > 0) {
            for (int64_t k = 0; k < nh; k++) {
                da[k] = dh[k] * sg[k];
                db[k] = dh[k] * t2[k] * sg[k] * (1.0 - sg[k]);
            }
            sbi__dense_backward(&r->lc[b], params, n, x, db, grad, 0, NULL, NULL);
        } else {
            memcpy(da, dh, sizeof(double) * (size_t)nh);
        }
        sbi__dense_backward(&r->l1[b], params, n, a1, da, grad, 0, db, NULL);
        sbi__relu_backward_n(nh, a1, db);
        sbi__dense_backward(&r->l0[b], params, n, a0, db, grad, 0, da, NULL);
        sbi__relu_backward_n(nh, a0, da);
        for (int64_t k = 0; k < nh; k++) dh[k] += da[k]; /* the skip path */
    }
    sbi__dense_backward(&r->initial, params, n, ws->inp, dh, grad, 0, du ? ws->dinp : NULL, NULL);
    if (du)
        for (int64_t k = 0; k < n; k++)
            memcpy(du + k * r->in, ws->dinp + k * w, sizeof(double) * (size_t)r->in);
}
