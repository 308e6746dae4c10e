/* Multilayer perceptron: a stack of dense layers over one flat parameter
 * array, and its workspace (one allocation, sized for a maximum batch). */
#include <string.h>

#include "core/internal.h"
#include "nn/nn.h"

int sbi__mlp_init(sbi__mlp *m, int32_t n_sizes, const int32_t *sizes, sbi__act hidden,
                  sbi__act last, int64_t param_off)
{
    memset(m, 0, sizeof *m);
    SBI_CHECK_ARG(n_sizes >= 2, "mlp: %d sizes given, need at least 2", (int)n_sizes);
    for (int32_t i = 0; i < n_sizes; i++)
        SBI_CHECK_ARG(sizes[i] >= 1, "mlp: layer size %d is %d, must be at least 1", (int)i,
                      (int)sizes[i]);
    const int32_t nl = n_sizes - 1;
    m->layers = sbi__calloc((size_t)nl, sizeof *m->layers);
    if (!m->layers) return sbi__oom("mlp");
    m->n_layers = nl;
    m->param_off = param_off;
    int64_t off = param_off;
    for (int32_t l = 0; l < nl; l++) {
        sbi__dense *d = &m->layers[l];
        d->in = sizes[l];
        d->out = sizes[l + 1];
        d->w_off = off;
        off += (int64_t)d->in * d->out;
        d->b_off = off;
        off += d->out;
        d->act = (l == nl - 1) ? last : hidden;
        d->mask = NULL;
        if (d->in > m->max_width) m->max_width = d->in;
        if (d->out > m->max_width) m->max_width = d->out;
        if ((int64_t)d->in * d->out > m->max_weights) m->max_weights = (int64_t)d->in * d->out;
    }
    m->n_params = off - param_off;
    return SBI_OK;
}

void sbi__mlp_destroy(sbi__mlp *m)
{
    if (!m) return;
    sbi__free(m->layers);
    memset(m, 0, sizeof *m);
}

int sbi__mlp_copy(sbi__mlp *dst, const sbi__mlp *src)
{
    *dst = *src;
    dst->layers = sbi__memdup(src->layers, (size_t)src->n_layers, sizeof *src->layers);
    if (!dst->layers) {
        memset(dst, 0, sizeof *dst);
        return sbi__oom("mlp");
    }
    return SBI_OK;
}

void sbi__mlp_init_params(const sbi__mlp *m, double *params, sbi_rng *rng)
{
    for (int32_t l = 0; l < m->n_layers; l++) sbi__dense_init_default(&m->layers[l], params, rng);
}

int sbi__mlp_ws_reserve(sbi__mlp_ws *ws, const sbi__mlp *m, int64_t cap)
{
    if (ws->mem && ws->cap >= cap) return SBI_OK;
    SBI_CHECK_ARG(cap >= 1, "mlp workspace: capacity %lld must be positive", (long long)cap);
    size_t total = 0;
    for (int32_t l = 0; l < m->n_layers; l++) total += (size_t)cap * (size_t)m->layers[l].out;
    total += 2 * (size_t)cap * (size_t)m->max_width;
    total += (size_t)m->max_weights; /* transposed / masked weights */
    double *mem = sbi__malloc_array(total, sizeof(double));
    double **h = sbi__malloc_array((size_t)m->n_layers, sizeof(double *));
    if (!mem || !h) {
        sbi__free(mem);
        sbi__free(h);
        return sbi__oom("mlp workspace");
    }
    sbi__mlp_ws_destroy(ws);
    double *p = mem;
    for (int32_t l = 0; l < m->n_layers; l++) {
        h[l] = p;
        p += (size_t)cap * (size_t)m->layers[l].out;
    }
    ws->d0 = p;
    p += (size_t)cap * (size_t)m->max_width;
    ws->d1 = p;
    p += (size_t)cap * (size_t)m->max_width;
    ws->wbuf = p;
    ws->mem = mem;
    ws->h = h;
    ws->cap = cap;
    return SBI_OK;
}

void sbi__mlp_ws_destroy(sbi__mlp_ws *ws)
{
    if (!ws) return;
    sbi__free(ws->mem);
    sbi__free(ws->h);
    memset(ws, 0, sizeof *ws);
}

const double *sbi__mlp_forward(const sbi__mlp *m, const double *params, int64_t n,
                               const double *x, sbi__mlp_ws *ws)
{
    const double *in = x;
    for (int32_t l = 0; l < m->n_layers; l++) {
        const sbi__dense *d = &m->layers[l];
        sbi__dense_forward(d, params, n, in, ws->h[l], ws->wbuf);
        sbi__act_forward(d->act, n * d->out, ws->h[l], ws->h[l]);
        in = ws->h[l];
    }
    return in;
}

const double *sbi__mlp_forward_one(const sbi__mlp *m, const double *params, const double *x,
                                   double *buf)
{
    const double *in = x;
    double *out = buf;
    for (int32_t l = 0; l < m->n_layers; l++) {
        const sbi__dense *d = &m->layers[l];
        if (d->mask) {
            /* Masked layers need W .* mask; without scratch, form each row's
             * dot product directly. */
            const double *w = params + d->w_off, *b = d->b_off >= 0 ? params + d->b_off : NULL;
            for (int32_t o = 0; o < d->out; o++) {
                double s = b ? b[o] : 0.0;
                for (int32_t i = 0; i < d->in; i++)
                    s += w[(int64_t)o * d->in + i] * d->mask[(int64_t)o * d->in + i] * in[i];
                out[o] = s;
            }
        } else {
            sbi__dense_forward(d, params, 1, in, out, NULL); /* dgemv */
        }
        sbi__act_forward(d->act, d->out, out, out);
        in = out;
        out = (out == buf) ? buf + m->max_width : buf;
    }
    return in;
}

void sbi__mlp_backward(const sbi__mlp *m, const double *params, int64_t n, const double *x,
                       sbi__mlp_ws *ws, const double *dout, double *grad, int accumulate,
                       double *dx)
{
    const int32_t nl = m->n_layers;
    double *cur = ws->d0, *other = ws->d1;
    if (dout != ws->d0)
        memcpy(cur, dout, sizeof(double) * (size_t)n * (size_t)m->layers[nl - 1].out);
    for (int32_t l = nl - 1; l >= 0; l--) {
        const sbi__dense *d = &m->layers[l];
        /* Through the activation: dLoss/dz of this layer. */
        sbi__act_backward(d->act, n * d->out, ws->h[l], cur);
        const double *in = l == 0 ? x : ws->h[l - 1];
        double *din = l == 0 ? dx : other;
        sbi__dense_backward(d, params, n, in, cur, grad, accumulate, din, ws->wbuf);
        double *t = cur;
        cur = other;
        other = t;
    }
}
