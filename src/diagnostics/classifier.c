/* scikit-learn's MLPClassifier (solver "adam", binary, early_stopping off)
 * in float32, as sbibm runs it (it passes float32 arrays, and scikit-learn
 * >= 0.24 keeps float32 through the MLP): Glorot-uniform initialisation,
 * mini-batches reshuffled every epoch, log-loss plus 0.5 * alpha * ||W||^2 /
 * batch, sklearn's Adam, and its stopping rule on the epoch's mean training
 * loss. Losses and the penalty's sum of squares are accumulated in double.
 *
 * The shapes are small (batches of 200, layers of 10 * dim units, one
 * output), so the code avoids the generic nn core: weights are stored as
 * sklearn's coefs_, W[in][out], so every product is a plain or transposed
 * sgemm; the width-1 output layer is done with matrix-vector products; bias
 * and ReLU are fused. The element-wise loops are written so that GCC can
 * vectorise them (src/CMakeLists.txt compiles this file at -O3). */
#include <cblas.h>
#include <math.h>
#include <string.h>

#include "core/internal.h"
#include "diagnostics/classifier.h"
#include "rng/rng_internal.h"

#define CLF_MAX_LAYERS 17 /* hidden_layers + 1 dense layers */
#define CLF_SCORE_CHUNK 1024 /* rows per forward pass when scoring */

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

/* One dense layer: W[in][out] then b[out] at off in the flat arrays (the
 * parameters, their gradients and Adam's two moments share the layout). */
typedef struct clf_layer {
    int32_t in, out;
    int64_t off;
} clf_layer;

typedef struct clf {
    int32_t n_layers; /* dense layers; the last has out == 1 */
    clf_layer layer[CLF_MAX_LAYERS];
    int64_t np;             /* parameters */
    float *p, *g, *m, *v;   /* [np] each, one block */
    int64_t t;              /* Adam steps taken */
    float *xb;              /* the batch's rows [cap][dim] */
    float *h[CLF_MAX_LAYERS]; /* h[l]: output of layer l [cap][out_l] */
    float *d0, *d1;         /* backward ping-pong buffers [cap][max hidden] */
    int64_t *perm;          /* training row order [n_train] */
} clf;

/* sklearn _init_coef: W and b uniform in +-sqrt(6 / (fan_in + fan_out)) for
 * ReLU networks (its factor 2 is for logistic hidden units only), drawn in
 * double and rounded to float as sklearn's astype(float32). W is drawn in
 * [out][in] order (the order libsbi always used) into W[in][out]. */
static void glorot_init(clf *c, sbi_rng *rng)
{
    for (int32_t l = 0; l < c->n_layers; l++) {
        const clf_layer *L = &c->layer[l];
        float *w = c->p + L->off, *b = w + (int64_t)L->in * L->out;
        double bound = sqrt(6.0 / (double)(L->in + L->out));
        for (int32_t o = 0; o < L->out; o++)
            for (int32_t i = 0; i < L->in; i++)
                w[(int64_t)i * L->out + o] = (float)((2.0 * sbi__rng_uniform(rng) - 1.0) * bound);
        for (int32_t o = 0; o < L->out; o++)
            b[o] = (float)((2.0 * sbi__rng_uniform(rng) - 1.0) * bound);
    }
}

/* The rows idx[0..nb) of x (double [n][dim]) as one contiguous float batch:
 * the gather and the conversion in one pass. idx NULL: rows 0..nb. */
static void gather(int64_t nb, int32_t dim, const double *x, const int64_t *idx, float *xb)
{
    for (int64_t i = 0; i < nb; i++) {
        const double *row = x + (idx ? idx[i] : i) * dim;
        for (int32_t k = 0; k < dim; k++) xb[i * dim + k] = (float)row[k];
    }
}

/* h = ReLU(h + b) over [nb][out], as (z + |z|) / 2: exact, keeps NaN, and
 * has no comparison to become a mispredicted branch. */
static void bias_relu(int64_t nb, int32_t out, const float *b, float *h)
{
    for (int64_t i = 0; i < nb; i++)
        for (int32_t o = 0; o < out; o++) {
            float z = h[i * out + o] + b[o];
            h[i * out + o] = (z + fabsf(z)) * 0.5f;
        }
}

/* Forward pass of nb rows; returns the logits [nb] (the last layer's h). */
static const float *forward(clf *c, int64_t nb, const float *x)
{
    const float *in = x;
    for (int32_t l = 0; l + 1 < c->n_layers; l++) {
        const clf_layer *L = &c->layer[l];
        const float *w = c->p + L->off;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (blasint)nb, L->out, L->in, 1.0f,
                    in, L->in, w, L->out, 0.0f, c->h[l], L->out);
        bias_relu(nb, L->out, w + (int64_t)L->in * L->out, c->h[l]);
        in = c->h[l];
    }
    /* Width-1 output: z = H w + b, one matrix-vector product. */
    const clf_layer *L = &c->layer[c->n_layers - 1];
    const float *w = c->p + L->off;
    float *z = c->h[c->n_layers - 1];
    cblas_sgemv(CblasRowMajor, CblasNoTrans, (blasint)nb, L->in, 1.0f, in, L->in, w, 1, 0.0f, z,
                1);
    for (int64_t i = 0; i < nb; i++) z[i] += w[L->in];
    return z;
}

/* Mean log-loss of logits z[nb] against labels y[idx[i]] (double), and its
 * gradient dz = (sigmoid(z) - t) / nb. Both from e = exp(-|z|), which
 * cannot overflow: log(1 + exp(z)) - t z = max(z, 0) - t z + log1p(e). */
static double log_loss(int64_t nb, const float *z, const uint8_t *y, const int64_t *idx,
                       float *dz)
{
    double sum = 0.0;
    const float inv = 1.0f / (float)nb;
    for (int64_t i = 0; i < nb; i++) {
        float t = (float)y[idx[i]], e = expf(-fabsf(z[i]));
        float p = z[i] >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
        sum += (double)(fmaxf(z[i], 0.0f) - t * z[i]) + (double)log1pf(e);
        dz[i] = (p - t) * inv;
    }
    return sum / (double)nb;
}

/* db[out] = column sums of d[nb][out]. */
static void column_sums(int64_t nb, int32_t out, const float *d, float *db)
{
    memset(db, 0, sizeof(float) * (size_t)out);
    for (int64_t i = 0; i < nb; i++)
        for (int32_t o = 0; o < out; o++) db[o] += d[i * out + o];
}

/* d *= [h > 0] over n values (h a ReLU output). */
static void relu_backward(int64_t n, const float *h, float *d)
{
    for (int64_t i = 0; i < n; i++) d[i] = h[i] > 0.0f ? d[i] : 0.0f;
}

/* Backward pass after forward(nb, x) with the logits' gradient dz[nb]:
 * the data part of every parameter gradient into c->g. */
static void backward(clf *c, int64_t nb, const float *x, const float *dz)
{
    const int32_t nl = c->n_layers;
    /* Width-1 output layer: gw = H^T dz (sgemv), gb = sum dz, and the
     * gradient at its input dh[i] = dz[i] w, masked by the ReLU. */
    const clf_layer *L = &c->layer[nl - 1];
    const float *hin = c->h[nl - 2], *w = c->p + L->off;
    float *gw = c->g + L->off;
    cblas_sgemv(CblasRowMajor, CblasTrans, (blasint)nb, L->in, 1.0f, hin, L->in, dz, 1, 0.0f, gw,
                1);
    float gb = 0.0f;
    for (int64_t i = 0; i < nb; i++) gb += dz[i];
    gw[L->in] = gb;
    float *dy = c->d0;
    for (int64_t i = 0; i < nb; i++) {
        const float *h = hin + i * L->in;
        float *d = dy + i * L->in;
        for (int32_t k = 0; k < L->in; k++) {
            float dk = dz[i] * w[k];
            d[k] = h[k] > 0.0f ? dk : 0.0f;
        }
    }
    for (int32_t l = nl - 2; l >= 0; l--) {
        L = &c->layer[l];
        const float *in = l > 0 ? c->h[l - 1] : x;
        gw = c->g + L->off;
        /* gW[in][out] = X^T dY; gb = column sums of dY. */
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, L->in, L->out, (blasint)nb, 1.0f,
                    in, L->in, dy, L->out, 0.0f, gw, L->out);
        column_sums(nb, L->out, dy, gw + (int64_t)L->in * L->out);
        if (l == 0) break; /* no gradient for the data */
        /* dX = dY W^T, masked by the ReLU that produced X. */
        float *dx = dy == c->d0 ? c->d1 : c->d0;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (blasint)nb, L->in, L->out, 1.0f, dy,
                    L->out, c->p + L->off, L->out, 0.0f, dx, L->in);
        relu_backward(nb * L->in, in, dx);
        dy = dx;
    }
}

/* sum p^2 in double, over 8 partial sums so that the loop vectorises. */
static double sum_squares(int64_t n, const float *p)
{
    double part[8] = {0};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; j++) part[j] += (double)p[i + j] * (double)p[i + j];
    for (; i < n; i++) part[0] += (double)p[i] * (double)p[i];
    double ss = 0.0;
    for (int j = 0; j < 8; j++) ss += part[j];
    return ss;
}

/* sklearn's Adam over n values, with the L2 term l2 * p added to the
 * gradient first (l2 = alpha / batch for weights, 0 for biases):
 * m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= lr_t m / (sqrt(v) + eps),
 * eps outside the bias correction (lr_t carries it). */
static void adam_l2(int64_t n, float *p, const float *g, float *m, float *v, float l2,
                    float lr_t)
{
    const float b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
    for (int64_t i = 0; i < n; i++) {
        float gi = g[i] + l2 * p[i];
        m[i] = b1 * m[i] + (1.0f - b1) * gi;
        v[i] = b2 * v[i] + (1.0f - b2) * gi * gi;
        p[i] -= lr_t * m[i] / (sqrtf(v[i]) + eps);
    }
}

/* One mini-batch: gather, forward, loss, backward, L2 term and Adam step;
 * returns the batch loss (with the penalty, as sklearn reports it). */
static double train_batch(clf *c, const sbi__clf_options *o, int32_t dim, int64_t nb,
                          const double *x, const uint8_t *y, const int64_t *idx)
{
    gather(nb, dim, x, idx, c->xb);
    const float *z = forward(c, nb, c->xb);
    float *dz = c->h[c->n_layers - 1]; /* the logits are not needed after this */
    double loss = log_loss(nb, z, y, idx, dz);
    backward(c, nb, c->xb, dz);
    c->t++;
    double lr_t = o->learning_rate * sqrt(1.0 - pow(0.999, (double)c->t)) /
                  (1.0 - pow(0.9, (double)c->t));
    const float l2 = (float)(o->alpha / (double)nb);
    double ss = 0.0;
    for (int32_t l = 0; l < c->n_layers; l++) {
        const clf_layer *L = &c->layer[l];
        int64_t nw = (int64_t)L->in * L->out, ob = L->off + nw;
        ss += sum_squares(nw, c->p + L->off); /* the weights this batch used */
        adam_l2(nw, c->p + L->off, c->g + L->off, c->m + L->off, c->v + L->off, l2, (float)lr_t);
        adam_l2(L->out, c->p + ob, c->g + ob, c->m + ob, c->v + ob, 0.0f, (float)lr_t);
    }
    return loss + 0.5 * o->alpha * ss / (double)nb;
}

static void clf_free(clf *c)
{
    for (int32_t l = 0; l < CLF_MAX_LAYERS; l++) sbi__free(c->h[l]);
    sbi__free(c->d0);
    sbi__free(c->d1);
    sbi__free(c->p);
    sbi__free(c->xb);
    sbi__free(c->perm);
}

/* Layout and buffers for batches of up to cap rows; SBI_ENOMEM. */
static int clf_alloc(clf *c, const sbi__clf_options *o, int32_t dim, int64_t cap,
                     int64_t n_train)
{
    c->n_layers = o->hidden_layers + 1;
    int64_t off = 0;
    for (int32_t l = 0; l < c->n_layers; l++) {
        clf_layer *L = &c->layer[l];
        L->in = l == 0 ? dim : o->hidden;
        L->out = l + 1 < c->n_layers ? o->hidden : 1;
        L->off = off;
        off += ((int64_t)L->in + 1) * L->out;
        c->h[l] = sbi__malloc_array((size_t)cap * (size_t)L->out, sizeof(float));
        if (!c->h[l]) return sbi__oom("c2st");
    }
    c->np = off;
    c->p = sbi__calloc(4 * (size_t)off, sizeof(float)); /* p, g, m, v: moments start at 0 */
    c->d0 = sbi__malloc_array((size_t)cap * (size_t)o->hidden, sizeof(float));
    c->d1 = sbi__malloc_array((size_t)cap * (size_t)o->hidden, sizeof(float));
    c->xb = sbi__malloc_array((size_t)cap * (size_t)dim, sizeof(float));
    c->perm = sbi__malloc_array((size_t)n_train, sizeof(int64_t));
    if (!c->p || !c->d0 || !c->d1 || !c->xb || !c->perm) return sbi__oom("c2st");
    c->g = c->p + off;
    c->m = c->g + off;
    c->v = c->m + off;
    return SBI_OK;
}

int sbi__clf_fit_score(const sbi__clf_options *o, int32_t dim, int64_t n_train,
                       const double *x_train, const uint8_t *y_train, int64_t n_test,
                       const double *x_test, const uint8_t *y_test, sbi_rng *rng,
                       double *accuracy, int64_t *epochs)
{
    if (o->hidden_layers < 1 || o->hidden_layers + 1 > CLF_MAX_LAYERS)
        return sbi__fail(SBI_EINVAL, "c2st: %d hidden layers (1..%d)", (int)o->hidden_layers,
                         CLF_MAX_LAYERS - 1);
    clf c;
    memset(&c, 0, sizeof c);
    const int64_t bs = o->batch_size < n_train ? o->batch_size : n_train;
    const int64_t cap = bs > CLF_SCORE_CHUNK ? bs : CLF_SCORE_CHUNK;
    int rc = clf_alloc(&c, o, dim, cap, n_train);
    if (rc != SBI_OK) goto done;
    glorot_init(&c, rng);
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
    for (int64_t s = 0; s < n_test; s += CLF_SCORE_CHUNK) {
        int64_t nb = n_test - s < CLF_SCORE_CHUNK ? n_test - s : CLF_SCORE_CHUNK;
        gather(nb, dim, x_test + s * dim, NULL, c.xb);
        const float *z = forward(&c, nb, c.xb);
        for (int64_t i = 0; i < nb; i++) correct += (z[i] > 0.0f) == (y_test[s + i] != 0);
    }
    *accuracy = (double)correct / (double)n_test;
    if (epochs) *epochs = epoch;
done:
    clf_free(&c);
    return rc;
}
