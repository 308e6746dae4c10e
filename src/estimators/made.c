/* Conditional MADE with sequential degrees (see made.h). */
#include "estimators/made.h"

#include <string.h>

#include "core/internal.h"
#include "estimators/flow_util.h"

static int32_t hidden_degree(int32_t k, int32_t d)
{
    int32_t mx = d - 1 > 1 ? d - 1 : 1, mn = d - 1 < 1 ? d - 1 : 1;
    return k % mx + mn;
}

int sbi__made_masks_create(sbi__made_masks *mk, int32_t d, int32_t hidden)
{
    memset(mk, 0, sizeof *mk);
    mk->in = sbi__malloc_array((size_t)hidden * (size_t)d, sizeof(double));
    mk->hid = sbi__malloc_array((size_t)hidden * (size_t)hidden, sizeof(double));
    mk->out = sbi__malloc_array(2 * (size_t)d * (size_t)hidden, sizeof(double));
    if (!mk->in || !mk->hid || !mk->out) {
        sbi__made_masks_destroy(mk);
        return sbi__oom("made masks");
    }
    for (int32_t k = 0; k < hidden; k++) {
        int32_t dk = hidden_degree(k, d);
        for (int32_t i = 0; i < d; i++) mk->in[(size_t)k * d + i] = dk >= i + 1 ? 1.0 : 0.0;
        for (int32_t j = 0; j < hidden; j++)
            mk->hid[(size_t)k * hidden + j] = dk >= hidden_degree(j, d) ? 1.0 : 0.0;
    }
    for (int32_t j = 0; j < 2 * d; j++)
        for (int32_t k = 0; k < hidden; k++)
            mk->out[(size_t)j * hidden + k] = j / 2 + 1 > hidden_degree(k, d) ? 1.0 : 0.0;
    return SBI_OK;
}

void sbi__made_masks_destroy(sbi__made_masks *mk)
{
    sbi__free(mk->in);
    sbi__free(mk->hid);
    sbi__free(mk->out);
    memset(mk, 0, sizeof *mk);
}

int sbi__made_init(sbi__made *m, int32_t d, int32_t c, int32_t hidden, int32_t blocks,
                   const sbi__made_masks *mk, int64_t param_off)
{
    memset(m, 0, sizeof *m);
    SBI_CHECK_ARG(d >= 1 && c >= 0 && hidden >= 1 && blocks >= 1,
                  "made: invalid shape d=%d x_dim=%d hidden=%d blocks=%d", (int)d, (int)c,
                  (int)hidden, (int)blocks);
    m->d = d;
    m->c = c;
    m->hidden = hidden;
    m->blocks = blocks;
    m->param_off = param_off;
    int64_t off = param_off;
    m->in = (sbi__dense){.in = d, .out = hidden, .w_off = off, .b_off = off + (int64_t)hidden * d,
                         .act = SBI__ACT_TANH, .mask = mk->in};
    off += sbi__dense_n_params(d, hidden, 1);
    if (c > 0) {
        m->ctx = (sbi__dense){.in = c, .out = hidden, .w_off = off,
                              .b_off = off + (int64_t)hidden * c, .act = SBI__ACT_TANH,
                              .mask = NULL};
        off += sbi__dense_n_params(c, hidden, 1);
    }
    int32_t sizes[66];
    SBI_CHECK_ARG(blocks <= 64, "made: %d blocks (at most 64)", (int)blocks);
    for (int32_t k = 0; k <= blocks; k++) sizes[k] = hidden;
    sizes[blocks + 1] = 2 * d;
    SBI_TRY(sbi__mlp_init(&m->net, blocks + 2, sizes, SBI__ACT_TANH, SBI__ACT_IDENTITY, off));
    for (int32_t k = 0; k < blocks; k++) m->net.layers[k].mask = mk->hid;
    m->net.layers[blocks].mask = mk->out;
    off += m->net.n_params;
    m->n_params = off - param_off;
    return SBI_OK;
}

void sbi__made_destroy(sbi__made *m)
{
    sbi__mlp_destroy(&m->net);
    memset(m, 0, sizeof *m);
}

void sbi__made_init_params(const sbi__made *m, double *params, sbi_rng *rng)
{
    sbi__dense_init_default(&m->in, params, rng);
    if (m->c > 0) sbi__dense_init_default(&m->ctx, params, rng);
    sbi__mlp_init_params(&m->net, params, rng);
}

int sbi__made_ws_reserve(sbi__made_ws *ws, const sbi__made *m, int64_t cap)
{
    if (ws->mem && ws->cap >= cap) return SBI_OK;
    SBI_TRY(sbi__mlp_ws_reserve(&ws->net, &m->net, cap));
    size_t h = (size_t)m->hidden;
    double *mem = sbi__malloc_array(3 * (size_t)cap * h + h * (size_t)m->d, sizeof(double));
    if (!mem) return sbi__oom("made workspace");
    sbi__free(ws->mem);
    ws->mem = mem;
    ws->h0 = mem;
    ws->tc = mem + (size_t)cap * h;
    ws->gh = mem + 2 * (size_t)cap * h;
    ws->wbuf = mem + 3 * (size_t)cap * h;
    ws->cap = cap;
    return SBI_OK;
}

void sbi__made_ws_destroy(sbi__made_ws *ws)
{
    sbi__mlp_ws_destroy(&ws->net);
    sbi__free(ws->mem);
    memset(ws, 0, sizeof *ws);
}

/* The MADE's activations use sbi__tanh_fast (the MLP helper's tanh is
 * glibc's, twice as slow, and tanh dominates a MAF training step); the
 * layers are run here one by one with the nn core's dense layers. */
static void tanh_n(int64_t count, double *v)
{
    for (int64_t i = 0; i < count; i++) v[i] = sbi__tanh_fast(v[i]);
}

/* d *= tanh'(z) = 1 - h^2, from the output h. */
static void tanh_backward_n(int64_t count, const double *h, double *d)
{
    for (int64_t i = 0; i < count; i++) d[i] *= 1.0 - h[i] * h[i];
}

void sbi__made_context(const sbi__made *m, const double *params, int64_t n, const double *x,
                       sbi__made_ws *ws)
{
    if (m->c == 0) return;
    sbi__dense_forward(&m->ctx, params, n, x, ws->tc, NULL);
    tanh_n(n * m->hidden, ws->tc);
}

const double *sbi__made_forward(const sbi__made *m, const double *params, int64_t n,
                                const double *u, int broadcast_ctx, sbi__made_ws *ws)
{
    const int64_t h = m->hidden;
    sbi__dense_forward(&m->in, params, n, u, ws->h0, ws->wbuf);
    if (m->c > 0)
        for (int64_t r = 0; r < n; r++) {
            const double *t = ws->tc + (broadcast_ctx ? 0 : r * h);
            double *z = ws->h0 + r * h;
            for (int64_t k = 0; k < h; k++) z[k] += t[k];
        }
    tanh_n(n * h, ws->h0);
    const double *in = ws->h0;
    const int32_t nl = m->net.n_layers;
    for (int32_t l = 0; l < nl; l++) {
        const sbi__dense *d = &m->net.layers[l];
        sbi__dense_forward(d, params, n, in, ws->net.h[l], ws->net.wbuf);
        if (l < nl - 1) tanh_n(n * d->out, ws->net.h[l]);
        in = ws->net.h[l];
    }
    return in;
}

void sbi__made_backward(const sbi__made *m, const double *params, int64_t n, const double *u,
                        const double *x, sbi__made_ws *ws, const double *dout, double *grad,
                        double *du)
{
    const int64_t h = m->hidden;
    const int32_t nl = m->net.n_layers;
    double *cur = ws->net.d0, *other = ws->net.d1;
    memcpy(cur, dout, sizeof(double) * (size_t)(n * m->net.layers[nl - 1].out));
    for (int32_t l = nl - 1; l >= 0; l--) {
        const sbi__dense *d = &m->net.layers[l];
        if (l < nl - 1) tanh_backward_n(n * d->out, ws->net.h[l], cur);
        const double *in = l == 0 ? ws->h0 : ws->net.h[l - 1];
        double *din = l == 0 ? ws->gh : other;
        sbi__dense_backward(d, params, n, in, cur, grad, 0, din, ws->net.wbuf);
        double *t = cur;
        cur = other;
        other = t;
    }
    /* Through h0 = tanh(M_in u + tc): the same gradient reaches M_in and tc. */
    tanh_backward_n(n * h, ws->h0, ws->gh);
    sbi__dense_backward(&m->in, params, n, u, ws->gh, grad, 0, du, ws->wbuf);
    if (m->c > 0) {
        tanh_backward_n(n * h, ws->tc, ws->gh);
        sbi__dense_backward(&m->ctx, params, n, x, ws->gh, grad, 0, NULL, NULL);
    }
}
