/* scikit-learn's MLPClassifier (solver "adam", binary, early_stopping off) on
 * the nn core: Glorot-uniform initialisation, mini-batches reshuffled every
 * epoch, log-loss plus 0.5 * alpha * ||W||^2 / batch, sklearn's Adam, and its
 * stopping rule on the epoch's mean training loss. */
#include <math.h>
#include <string.h>

#include "core/internal.h"
#include "diagnostics/classifier.h"
#include "nn/nn.h"
#include "rng/rng_internal.h"

void sbi__clf_options_default(sbi__clf_options *o, int32_t dim)
{
    o->hidden = 10 * dim;
    o->hidden_layers = 2;
    o->learning_rate = 1e-3;
    o->alpha = 1e-4;
    o->batch_size = 200;
    o->max_epochs = 10000;
    o->tol = 1e-4;
    o->n_iter_no_change = 10;
}

/* sklearn _init_coef: W and b uniform in +-sqrt(6 / (fan_in + fan_out)) for
 * ReLU networks (its factor 2 is for logistic hidden units only). */
static void glorot_init(const sbi__mlp *m, double *params, sbi_rng *rng)
{
    for (int32_t l = 0; l < m->n_layers; l++) {
        const sbi__dense *d = &m->layers[l];
        double bound = sqrt(6.0 / (double)(d->in + d->out));
        int64_t nw = (int64_t)d->in * d->out;
        for (int64_t i = 0; i < nw; i++)
            params[d->w_off + i] = (2.0 * sbi__rng_uniform(rng) - 1.0) * bound;
        for (int32_t o = 0; o < d->out; o++)
            params[d->b_off + o] = (2.0 * sbi__rng_uniform(rng) - 1.0) * bound;
    }
}

/* log(1 + exp(z)) without overflow. */
static double softplus(double z) { return z > 0 ? z + log1p(exp(-z)) : log1p(exp(z)); }

typedef struct clf {
    sbi__mlp mlp;
    sbi__mlp_ws ws;
    sbi__adam adam;
    double *params, *grad, *xb, *dout;
    int64_t *perm;
} clf;

static void clf_free(clf *c)
{
    sbi__mlp_destroy(&c->mlp);
    sbi__mlp_ws_destroy(&c->ws);
    sbi__adam_destroy(&c->adam);
    sbi__free(c->params);
    sbi__free(c->grad);
    sbi__free(c->xb);
    sbi__free(c->dout);
    sbi__free(c->perm);
}

/* One mini-batch: forward, loss, backward, L2 term, Adam step; returns the
 * batch loss (with the penalty, as sklearn reports it). */
static double train_batch(clf *c, const sbi__clf_options *o, int32_t dim, int64_t nb,
                          const double *x, const uint8_t *y, const int64_t *idx)
{
    for (int64_t i = 0; i < nb; i++)
        memcpy(c->xb + i * dim, x + idx[i] * dim, sizeof(double) * (size_t)dim);
    const double *z = sbi__mlp_forward(&c->mlp, c->params, nb, c->xb, &c->ws);
    double loss = 0.0;
    for (int64_t i = 0; i < nb; i++) {
        double t = (double)y[idx[i]];
        loss += softplus(z[i]) - t * z[i];
        c->dout[i] = (1.0 / (1.0 + exp(-z[i])) - t) / (double)nb;
    }
    loss /= (double)nb;
    sbi__mlp_backward(&c->mlp, c->params, nb, c->xb, &c->ws, c->dout, c->grad, 0, NULL);
    double ss = 0.0;
    for (int32_t l = 0; l < c->mlp.n_layers; l++) {
        const sbi__dense *d = &c->mlp.layers[l];
        int64_t nw = (int64_t)d->in * d->out;
        for (int64_t i = 0; i < nw; i++) {
            double w = c->params[d->w_off + i];
            ss += w * w;
            c->grad[d->w_off + i] += o->alpha * w / (double)nb;
        }
    }
    loss += 0.5 * o->alpha * ss / (double)nb;
    /* sklearn's Adam puts eps outside the bias correction of v:
     * lr_t = lr sqrt(1-b2^t)/(1-b1^t); p -= lr_t m / (sqrt(v) + eps). The nn
     * core's (PyTorch) form matches it with eps' = eps / sqrt(1 - b2^t). */
    double t_next = (double)(c->adam.t + 1);
    c->adam.eps = 1e-8 / sqrt(1.0 - pow(c->adam.beta2, t_next));
    sbi__adam_step(&c->adam, c->params, c->grad);
    return loss;
}

int sbi__clf_fit_score(const sbi__clf_options *o, int32_t dim, int64_t n_train,
                       const double *x_train, const uint8_t *y_train, int64_t n_test,
                       const double *x_test, const uint8_t *y_test, sbi_rng *rng,
                       double *accuracy, int64_t *epochs)
{
    clf c;
    memset(&c, 0, sizeof c);
    int32_t sizes[16];
    int32_t n_sizes = o->hidden_layers + 2;
    if (n_sizes > 16) return sbi__fail(SBI_EINVAL, "c2st: too many hidden layers");
    sizes[0] = dim;
    for (int32_t l = 1; l <= o->hidden_layers; l++) sizes[l] = o->hidden;
    sizes[n_sizes - 1] = 1;
    int64_t bs = o->batch_size < n_train ? o->batch_size : n_train;
    int64_t chunk = 1024; /* rows per forward pass when scoring */
    int rc = sbi__mlp_init(&c.mlp, n_sizes, sizes, SBI__ACT_RELU, SBI__ACT_IDENTITY, 0);
    if (rc != SBI_OK) return rc;
    int64_t np = c.mlp.n_params;
    c.params = sbi__malloc_array((size_t)np, sizeof(double));
    c.grad = sbi__malloc_array((size_t)np, sizeof(double));
    c.xb = sbi__malloc_array((size_t)(bs > chunk ? bs : chunk) * (size_t)dim, sizeof(double));
    c.dout = sbi__malloc_array((size_t)bs, sizeof(double));
    c.perm = sbi__malloc_array((size_t)n_train, sizeof(int64_t));
    if (!c.params || !c.grad || !c.xb || !c.dout || !c.perm) {
        rc = sbi__oom("c2st");
        goto done;
    }
    rc = sbi__mlp_ws_reserve(&c.ws, &c.mlp, bs > chunk ? bs : chunk);
    if (rc == SBI_OK) rc = sbi__adam_init(&c.adam, np, o->learning_rate);
    if (rc != SBI_OK) goto done;
    glorot_init(&c.mlp, c.params, rng);
    for (int64_t i = 0; i < n_train; i++) c.perm[i] = i;

    double best = INFINITY;
    int32_t no_improve = 0;
    int64_t epoch = 0;
    while (epoch < o->max_epochs) {
        /* Fisher-Yates reshuffle, as sklearn's shuffle=True. */
        for (int64_t i = n_train - 1; i > 0; i--) {
            int64_t j = (int64_t)(sbi__rng_u64(rng) % (uint64_t)(i + 1));
            int64_t t = c.perm[i];
            c.perm[i] = c.perm[j];
            c.perm[j] = t;
        }
        double acc = 0.0;
        for (int64_t s = 0; s < n_train; s += bs) {
            int64_t nb = n_train - s < bs ? n_train - s : bs;
            acc += train_batch(&c, o, dim, nb, x_train, y_train, c.perm + s) * (double)nb;
        }
        epoch++;
        double loss = acc / (double)n_train;
        if (!isfinite(loss)) {
            rc = sbi__fail(SBI_ENUMERIC, "c2st: classifier loss became %g at epoch %lld", loss,
                           (long long)epoch);
            goto done;
        }
        /* sklearn _update_no_improvement_count (early_stopping=False). */
        if (loss > best - o->tol) no_improve++;
        else no_improve = 0;
        if (loss < best) best = loss;
        if (no_improve > o->n_iter_no_change) break;
    }
    int64_t correct = 0;
    for (int64_t s = 0; s < n_test; s += chunk) {
        int64_t nb = n_test - s < chunk ? n_test - s : chunk;
        const double *z = sbi__mlp_forward(&c.mlp, c.params, nb, x_test + s * dim, &c.ws);
        for (int64_t i = 0; i < nb; i++) correct += (z[i] > 0.0) == (y_test[s + i] != 0);
    }
    *accuracy = (double)correct / (double)n_test;
    if (epochs) *epochs = epoch;
done:
    clf_free(&c);
    return rc;
}
