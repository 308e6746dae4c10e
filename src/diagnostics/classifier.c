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
    sbi__mlp mlp;         /* the layout: layers and their parameter offsets */
    sbi__adam adam;
    double *params, *grad, *xb, *dout;
    double *h[16];        /* h[l]: output of layer l, [cap][out_l] */
    double *d0, *d1;      /* gradient ping-pong buffers [cap][max_width] */
    int64_t *perm;
} clf;

/* ReLU in place as (z + |z|) / 2: exact (z or +0), keeps NaN, and has no
 * comparison for the compiler to turn into a mispredicted branch. */
static void relu_forward(int64_t n, double *h)
{
    for (int64_t i = 0; i < n; i++) h[i] = (h[i] + fabs(h[i])) * 0.5;
}

/* d *= [h > 0] for h >= +0 (a ReLU output): h > 0 exactly when its bit
 * pattern is not zero; integer masking keeps the loop branch-free. */
static void relu_backward(int64_t n, const double *h, double *d)
{
    for (int64_t i = 0; i < n; i++) {
        uint64_t hb, db;
        memcpy(&hb, &h[i], sizeof hb);
        memcpy(&db, &d[i], sizeof db);
        db &= -((hb | (0 - hb)) >> 63);
        memcpy(&d[i], &db, sizeof db);
    }
}

/* Forward pass of nb rows through the dense layers of the nn core, ReLU
 * after each hidden layer; returns the logits [nb]. */
static const double *forward(clf *c, int64_t nb, const double *x)
{
    const int32_t nl = c->mlp.n_layers;
    const double *in = x;
    for (int32_t l = 0; l < nl; l++) {
        const sbi__dense *d = &c->mlp.layers[l];
        sbi__dense_forward(d, c->params, nb, in, c->h[l], NULL);
        if (l + 1 < nl) relu_forward(nb * d->out, c->h[l]);
        in = c->h[l];
    }
    return c->h[nl - 1];
}

/* Backward pass after forward(nb, x): parameter gradients into c->grad. */
static void backward(clf *c, int64_t nb, const double *x, const double *dout)
{
    const int32_t nl = c->mlp.n_layers;
    const double *dy = dout;
    for (int32_t l = nl - 1; l >= 0; l--) {
        const sbi__dense *d = &c->mlp.layers[l];
        const double *in = l > 0 ? c->h[l - 1] : x;
        double *dx = l > 0 ? ((dy == c->d0) ? c->d1 : c->d0) : NULL;
        sbi__dense_backward(d, c->params, nb, in, dy, c->grad, 0, dx, NULL);
        if (dx) relu_backward(nb * d->in, c->h[l - 1], dx);
        dy = dx;
    }
}

static void clf_free(clf *c)
{
    for (int32_t l = 0; l < 16; l++) sbi__free(c->h[l]);
    sbi__free(c->d0);
    sbi__free(c->d1);
    sbi__mlp_destroy(&c->mlp);
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
    const double *z = forward(c, nb, c->xb);
    double loss = 0.0;
    for (int64_t i = 0; i < nb; i++) {
        double t = (double)y[idx[i]];
        loss += softplus(z[i]) - t * z[i];
        c->dout[i] = (1.0 / (1.0 + exp(-z[i])) - t) / (double)nb;
    }
    loss /= (double)nb;
    backward(c, nb, c->xb, c->dout);
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
    /* The layout only: activations are applied here, not by the MLP. */
    int rc = sbi__mlp_init(&c.mlp, n_sizes, sizes, SBI__ACT_IDENTITY, SBI__ACT_IDENTITY, 0);
    if (rc != SBI_OK) return rc;
    const int64_t cap = bs > chunk ? bs : chunk;
    for (int32_t l = 0; l < c.mlp.n_layers; l++) {
        c.h[l] = sbi__malloc_array((size_t)cap * (size_t)c.mlp.layers[l].out, sizeof(double));
        if (!c.h[l]) {
            clf_free(&c);
            return sbi__oom("c2st");
        }
    }
    c.d0 = sbi__malloc_array((size_t)cap * (size_t)c.mlp.max_width, sizeof(double));
    c.d1 = sbi__malloc_array((size_t)cap * (size_t)c.mlp.max_width, sizeof(double));
    int64_t np = c.mlp.n_params;
    c.params = sbi__malloc_array((size_t)np, sizeof(double));
    c.grad = sbi__malloc_array((size_t)np, sizeof(double));
    c.xb = sbi__malloc_array((size_t)cap * (size_t)dim, sizeof(double));
    c.dout = sbi__malloc_array((size_t)bs, sizeof(double));
    c.perm = sbi__malloc_array((size_t)n_train, sizeof(int64_t));
    if (!c.params || !c.grad || !c.xb || !c.dout || !c.perm || !c.d0 || !c.d1) {
        rc = sbi__oom("c2st");
        goto done;
    }
    rc = sbi__adam_init(&c.adam, np, o->learning_rate);
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
        const double *z = forward(&c, nb, x_test + s * dim);
        for (int64_t i = 0; i < nb; i++) correct += (z[i] > 0.0) == (y_test[s + i] != 0);
    }
    *accuracy = (double)correct / (double)n_test;
    if (epochs) *epochs = epoch;
done:
    clf_free(&c);
    return rc;
}
