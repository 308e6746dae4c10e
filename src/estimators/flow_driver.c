/* The ops MAF and NSF share (see flow_driver.h). */
#include "estimators/flow_driver.h"

#include <string.h>

#include "core/internal.h"
#include "estimators/flow_shards.h"
#include "estimators/flow_util.h"

/* A zeroed workspace (re-entrant calls each use their own) and its release. */
static void *ws_new(const sbi__estimator *e)
{
    const sbi__flow *f = e->impl;
    void *ws = sbi__calloc(1, f->ops->ws_bytes);
    if (!ws) sbi__oom(e->ops->name);
    return ws;
}

static void ws_free(const sbi__flow *f, void *ws)
{
    if (ws) f->ops->ws_destroy(ws);
    sbi__free(ws);
}

void sbi__flow_release(sbi__flow *f)
{
    for (int s = 0; s < 2; s++) {
        ws_free(f, f->train[s]);
        f->train[s] = NULL;
    }
    sbi__free(f->grad1);
    f->grad1 = NULL;
}

/* log q = log N(z; 0, I) + log-det of n <= cap rows, completed in place
 * (inside ws). */
static const double *log_q(const sbi__flow *f, const double *params, int32_t d, int64_t n,
                           const double *theta, const double *x, int one_x, void *ws)
{
    const double *z;
    double *ld = f->ops->forward(f, params, n, theta, x, one_x, ws, &z);
    for (int64_t r = 0; r < n; r++) ld[r] += sbi__std_normal_logpdf(d, z + r * d);
    return ld;
}

/* log q for n rows in chunks of SBI__FLOW_CHUNK; x per row, or one row for
 * all if one_x. */
static int evaluate(const sbi__estimator *e, int64_t n, const double *theta, const double *x,
                    int one_x, double *out)
{
    const sbi__flow *f = e->impl;
    const int32_t d = e->config.theta_dim, c = e->config.x_dim;
    if (n <= 0) return SBI_OK;
    const int64_t cap = n < SBI__FLOW_CHUNK ? n : SBI__FLOW_CHUNK;
    void *ws = ws_new(e);
    int rc = ws ? f->ops->ws_reserve(ws, f, cap, 0) : SBI_ENOMEM;
    for (int64_t r0 = 0; rc == SBI_OK && r0 < n; r0 += cap) {
        const int64_t k = n - r0 < cap ? n - r0 : cap;
        const double *lq = log_q(f, e->params, d, k, theta + r0 * d, one_x ? x : x + r0 * c,
                                 one_x, ws);
        memcpy(out + r0, lq, sizeof(double) * (size_t)k);
    }
    ws_free(f, ws);
    return rc;
}

int sbi__flow_log_prob(const sbi__estimator *e, int64_t n, const double *theta, const double *x,
                       double *out)
{
    return evaluate(e, n, theta, x, 0, out);
}

int sbi__flow_log_prob_at(const sbi__estimator *e, int64_t n, const double *theta,
                          const double *x, double *out)
{
    return evaluate(e, n, theta, x, 1, out);
}

/* One shard of a training step (see flow_shards.h). */
typedef struct flow_step {
    const sbi__flow *f;
    const double *params, *theta, *x;
    int64_t n; /* rows of the whole batch: the gradient is of the batch mean */
    int32_t d, c;
} flow_step;

static void flow_shard(void *vctx, int32_t shard, int64_t r0, int64_t rows, double *loss,
                       double *grad)
{
    const flow_step *st = vctx;
    const sbi__flow *f = st->f;
    void *ws = f->train[shard];
    const double *x = st->x + r0 * st->c;
    const double *logq = log_q(f, st->params, st->d, rows, st->theta + r0 * st->d, x, 0, ws);
    double s = 0.0;
    for (int64_t r = 0; r < rows; r++) s -= logq[r];
    *loss = s;
    f->ops->backward(f, st->params, rows, x, ws, 1.0 / (double)st->n, -1.0 / (double)st->n, grad,
                     NULL);
}

int sbi__flow_nll_grad(sbi__estimator *e, int64_t n, const double *theta, const double *x,
                       double *loss, double *grad)
{
    sbi__flow *f = e->impl;
    SBI_CHECK_ARG(n >= 1, "%s: nll_grad needs at least one row", e->ops->name);
    for (int32_t s = 0; s < sbi__shard_count(n); s++) {
        int64_t r0, rows;
        sbi__shard_rows(n, s, &r0, &rows);
        if (!f->train[s] && !(f->train[s] = ws_new(e))) return SBI_ENOMEM;
        SBI_TRY(f->ops->ws_reserve(f->train[s], f, rows, 1));
    }
    if (sbi__shard_count(n) > 1 && !f->grad1) {
        f->grad1 = sbi__malloc_array((size_t)e->n_params, sizeof(double));
        if (!f->grad1) return sbi__oom(e->ops->name);
    }
    flow_step st = {f, e->params, theta, x, n, e->config.theta_dim, e->config.x_dim};
    double sum;
    sbi__shards_run(e->threads, n, flow_shard, &st, e->n_params, grad, f->grad1, &sum);
    *loss = sum / (double)n;
    return SBI_OK;
}

int sbi__flow_log_prob_grad_theta(const sbi__estimator *e, int64_t n, const double *theta,
                                  const double *x, double *out, double *grad)
{
    const sbi__flow *f = e->impl;
    const int32_t d = e->config.theta_dim, c = e->config.x_dim;
    if (n <= 0) return SBI_OK;
    const int64_t cap = n < SBI__FLOW_CHUNK ? n : SBI__FLOW_CHUNK;
    double *scratch = sbi__malloc_array((size_t)e->n_params + (size_t)cap * (size_t)c,
                                        sizeof(double));
    void *ws = scratch ? ws_new(e) : NULL;
    int rc = !scratch ? sbi__oom(e->ops->name) : ws ? f->ops->ws_reserve(ws, f, cap, 1)
                                                    : SBI_ENOMEM;
    if (rc == SBI_OK) {
        /* The one condition repeated per row (the backward passes want rows). */
        double *xr = scratch + e->n_params;
        for (int64_t r = 0; r < cap; r++) memcpy(xr + r * c, x, sizeof(double) * (size_t)c);
        for (int64_t r0 = 0; r0 < n; r0 += cap) {
            const int64_t k = n - r0 < cap ? n - r0 : cap;
            const double *lq = log_q(f, e->params, d, k, theta + r0 * d, xr, 0, ws);
            memcpy(out + r0, lq, sizeof(double) * (size_t)k);
            /* d log q / d z = -z, d log q / d logdet = 1; parameter gradients discarded. */
            f->ops->backward(f, e->params, k, xr, ws, -1.0, 1.0, scratch, grad + r0 * d);
        }
    }
    ws_free(f, ws);
    sbi__free(scratch);
    return rc;
}
