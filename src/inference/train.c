/* The NPE training loop, as the reference does it (spec B.3): one random
 * split, z-scoring from the training split, mini-batch Adam with gradient
 * clipping, early stopping on the validation loss with the best weights
 * restored. Deterministic for a seed: the split, the initialisation and the
 * batch order come from three streams of the library's generator. */
#include <math.h>
#include <string.h>

#include "core/internal.h"
#include "inference/trainer_internal.h"
#include "nn/nn.h"
#include "posterior/posterior_internal.h"
#include "rng/rng_internal.h"

/* Streams of the training seed. */
enum { STREAM_SPLIT = 0, STREAM_INIT = 1, STREAM_SHUFFLE = 2, INDEX_STRUCTURE = 3 };

#define THETA_MIN_STD 1e-14 /* the reference's floor for the theta transform */
#define X_MIN_STD 1e-7      /* ... and for the x standardising layer */
#define CONSTANT_STD 1e-14  /* the reference warns below this */

/* Uniform integer in [0, n), unbiased (Lemire's multiply-and-reject). */
static uint64_t below(struct sbi_rng *rng, uint64_t n)
{
    uint64_t x = sbi__rng_u64(rng);
    __uint128_t m = (__uint128_t)x * n;
    uint64_t lo = (uint64_t)m;
    if (lo < n) {
        const uint64_t threshold = (0 - n) % n;
        while (lo < threshold) {
            x = sbi__rng_u64(rng);
            m = (__uint128_t)x * n;
            lo = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

/* Fisher-Yates shuffle of idx[0..n). */
static void shuffle(struct sbi_rng *rng, int64_t *idx, int64_t n)
{
    for (int64_t i = n - 1; i > 0; i--) {
        const int64_t j = (int64_t)below(rng, (uint64_t)i + 1);
        const int64_t tmp = idx[i];
        idx[i] = idx[j];
        idx[j] = tmp;
    }
}

/* Per-dimension mean and unbiased std of the rows idx[0..n) of data[][dim],
 * floored at min_std; constant[j] (may be NULL) flags std < CONSTANT_STD. */
static void zscore_stats(const double *data, int32_t dim, const int64_t *idx, int64_t n,
                         double min_std, double *mean, double *std, int32_t *constant)
{
    for (int32_t j = 0; j < dim; j++) {
        double s = 0.0;
        for (int64_t i = 0; i < n; i++) s += data[idx[i] * dim + j];
        const double m = s / (double)n;
        double ss = 0.0;
        for (int64_t i = 0; i < n; i++) {
            const double dv = data[idx[i] * dim + j] - m;
            ss += dv * dv;
        }
        const double sd = sqrt(ss / (double)(n - 1));
        if (constant) constant[j] = sd < CONSTANT_STD;
        mean[j] = m;
        std[j] = sd < min_std ? min_std : sd;
    }
}

/* Gather rows idx[0..n) of data[][dim], z-scored, into out[n][dim]. */
static void gather_z(const double *data, int32_t dim, const int64_t *idx, int64_t n,
                     const double *shift, const double *scale, double *out)
{
    for (int64_t i = 0; i < n; i++) {
        const double *src = data + idx[i] * dim;
        double *dst = out + i * dim;
        for (int32_t j = 0; j < dim; j++) dst[j] = (src[j] - shift[j]) / scale[j];
    }
}

static void gather_rows(const double *data, int32_t dim, const int64_t *idx, int64_t n,
                        double *out)
{
    for (int64_t i = 0; i < n; i++)
        memcpy(out + i * dim, data + idx[i] * dim, (size_t)dim * sizeof(double));
}

/* Mean -log q over the first nb*bs validation rows, in batches of bs. */
static int validation_loss(const sbi__estimator *e, const double *vt, const double *vx,
                           int64_t nb, int64_t bs, double *lp, double *loss)
{
    const int32_t d = e->config.theta_dim, xd = e->config.x_dim;
    double total = 0.0;
    for (int64_t b = 0; b < nb; b++) {
        SBI_TRY(e->ops->log_prob(e, bs, vt + b * bs * d, vx + b * bs * xd, lp));
        for (int64_t i = 0; i < bs; i++) total -= lp[i];
    }
    *loss = total / (double)(nb * bs);
    return SBI_OK;
}

typedef struct work {
    int64_t *perm, *order;
    double *tr_t, *tr_x, *va_t, *va_x; /* z-scored splits */
    double *bt, *bx;                   /* one batch */
    double *grad, *best, *lp;
    sbi__adam adam;
    struct sbi_rng rng;
} work;

static void work_free(work *w)
{
    sbi__free(w->perm);
    sbi__free(w->order);
    sbi__free(w->tr_t);
    sbi__free(w->tr_x);
    sbi__free(w->va_t);
    sbi__free(w->va_x);
    sbi__free(w->bt);
    sbi__free(w->bx);
    sbi__free(w->grad);
    sbi__adam_destroy(&w->adam);
    sbi__free(w->best);
    sbi__free(w->lp);
}

static int check_data(const sbi_trainer *t, int64_t *n_train, int64_t *n_val)
{
    static const char where[] = "sbi_trainer_train";
    if (t->n == 0) {
        if (t->n_excluded > 0)
            return sbi__fail(SBI_ESTATE, "%s: all %lld appended rows were invalid (NaN or Inf, "
                                         "or failed simulations): nothing to train on",
                             where, (long long)t->n_excluded);
        return sbi__fail(SBI_ESTATE, "%s: no rows: append simulations first", where);
    }
    /* The reference's int((1 - fraction) * N), in the same double arithmetic. */
    *n_train = (int64_t)((1.0 - t->opt.validation_fraction) * (double)t->n);
    *n_val = t->n - *n_train;
    if (*n_train < 2 || *n_val < 1)
        return sbi__fail(SBI_EINVAL,
                         "%s: %lld valid rows (%lld excluded) are too few to split with "
                         "validation_fraction=%g: that gives %lld training and %lld validation "
                         "rows; at least 2 and 1 are needed",
                         where, (long long)t->n, (long long)t->n_excluded,
                         t->opt.validation_fraction, (long long)*n_train, (long long)*n_val);
    return SBI_OK;
}

int sbi__trainer_run(sbi_trainer *t, uint64_t seed)
{
    int64_t n_train = 0, n_val = 0;
    SBI_TRY(check_data(t, &n_train, &n_val));
    sbi__trainer_reset_result(t);
    atomic_store(&t->cancel, 0);

    const int32_t d = t->theta_dim, xd = t->x_dim;
    const int64_t N = t->n;
    work w;
    memset(&w, 0, sizeof w);
    int rc = SBI_OK;
    sbi__estimator *est = NULL;

    t->theta_shift = sbi__malloc_array((size_t)d, sizeof(double));
    t->theta_scale = sbi__malloc_array((size_t)d, sizeof(double));
    t->x_shift = sbi__malloc_array((size_t)xd, sizeof(double));
    t->x_scale = sbi__malloc_array((size_t)xd, sizeof(double));
    t->x_constant = sbi__calloc((size_t)xd, sizeof(int32_t));
    w.perm = sbi__malloc_array((size_t)N, sizeof(int64_t));
    w.order = sbi__malloc_array((size_t)n_train, sizeof(int64_t));
    w.tr_t = sbi__malloc_array((size_t)n_train * (size_t)d, sizeof(double));
    w.tr_x = sbi__malloc_array((size_t)n_train * (size_t)xd, sizeof(double));
    w.va_t = sbi__malloc_array((size_t)n_val * (size_t)d, sizeof(double));
    w.va_x = sbi__malloc_array((size_t)n_val * (size_t)xd, sizeof(double));
    if (!t->theta_shift || !t->theta_scale || !t->x_shift || !t->x_scale || !t->x_constant ||
        !w.perm || !w.order || !w.tr_t || !w.tr_x || !w.va_t || !w.va_x) {
        rc = sbi__oom("sbi_trainer_train");
        goto fail;
    }

    /* Split: one permutation, the first floor((1 - f) N) rows train. */
    sbi__rng_init(&w.rng, seed, STREAM_SPLIT);
    for (int64_t i = 0; i < N; i++) w.perm[i] = i;
    shuffle(&w.rng, w.perm, N);
    const int64_t *tr_idx = w.perm, *va_idx = w.perm + n_train;

    /* z-scoring from the training split only. */
    zscore_stats(t->theta, d, tr_idx, n_train, THETA_MIN_STD, t->theta_shift, t->theta_scale,
                 NULL);
    zscore_stats(t->x, xd, tr_idx, n_train, X_MIN_STD, t->x_shift, t->x_scale, t->x_constant);
    if (!t->opt.z_score_theta)
        for (int32_t j = 0; j < d; j++) t->theta_shift[j] = 0.0, t->theta_scale[j] = 1.0;
    if (!t->opt.z_score_x)
        for (int32_t j = 0; j < xd; j++) t->x_shift[j] = 0.0, t->x_scale[j] = 1.0;
    gather_z(t->theta, d, tr_idx, n_train, t->theta_shift, t->theta_scale, w.tr_t);
    gather_z(t->x, xd, tr_idx, n_train, t->x_shift, t->x_scale, w.tr_x);
    gather_z(t->theta, d, va_idx, n_val, t->theta_shift, t->theta_scale, w.va_t);
    gather_z(t->x, xd, va_idx, n_val, t->x_shift, t->x_scale, w.va_x);
    double log_scale = 0.0; /* losses are reported in theta space, as the reference's */
    for (int32_t j = 0; j < d; j++) log_scale += log(t->theta_scale[j]);

    /* The estimator. */
    sbi__estimator_config cfg;
    sbi__estimator_config_default(&cfg, t->kind, d, xd);
    cfg.hidden_features = (int32_t)t->opt.hidden_features;
    cfg.hidden_layers = (int32_t)t->opt.hidden_layers;
    cfg.num_components = (int32_t)t->opt.num_components;
    cfg.num_transforms = (int32_t)t->opt.num_transforms;
    cfg.num_bins = (int32_t)t->opt.num_bins;
    cfg.structure_seed = sbi_seed_for_index(seed, INDEX_STRUCTURE);
    sbi__rng_init(&w.rng, seed, STREAM_INIT);
    rc = sbi__estimator_create(&cfg, &w.rng, &est);
    if (rc != SBI_OK) goto fail;
    est->threads = (int32_t)t->opt.threads; /* results do not depend on it */

    const int64_t P = est->n_params;
    const int64_t bs = t->opt.batch_size < n_train ? t->opt.batch_size : n_train;
    const int64_t n_batches = n_train / bs; /* the incomplete last batch is dropped */
    const int64_t vbs = t->opt.batch_size < n_val ? t->opt.batch_size : n_val;
    const int64_t n_vbatches = n_val / vbs;
    w.bt = sbi__malloc_array((size_t)bs * (size_t)d, sizeof(double));
    w.bx = sbi__malloc_array((size_t)bs * (size_t)xd, sizeof(double));
    w.grad = sbi__malloc_array((size_t)P, sizeof(double));
    w.best = sbi__memdup(est->params, (size_t)P, sizeof(double));
    w.lp = sbi__malloc_array((size_t)vbs, sizeof(double));
    if (!w.bt || !w.bx || !w.grad || !w.best || !w.lp) {
        rc = sbi__oom("sbi_trainer_train");
        goto fail;
    }
    rc = sbi__adam_init(&w.adam, P, t->opt.learning_rate);
    if (rc != SBI_OK) goto fail;

    sbi__rng_init(&w.rng, seed, STREAM_SHUFFLE);
    for (int64_t i = 0; i < n_train; i++) w.order[i] = i;
    double best = INFINITY;
    int64_t since = 0, epoch = 0;
    int canceled = 0;
    while (epoch < t->opt.max_epochs) {
        /* One epoch over reshuffled mini-batches. */
        shuffle(&w.rng, w.order, n_train);
        double train_sum = 0.0;
        for (int64_t b = 0; b < n_batches; b++) {
            gather_rows(w.tr_t, d, w.order + b * bs, bs, w.bt);
            gather_rows(w.tr_x, xd, w.order + b * bs, bs, w.bx);
            double loss;
            rc = est->ops->nll_grad(est, bs, w.bt, w.bx, &loss, w.grad);
            if (rc != SBI_OK) goto fail;
            const double norm = sbi__clip_grad_norm(w.grad, P, t->opt.clip_max_norm);
            if (!isfinite(loss) || !isfinite(norm)) {
                rc = sbi__fail(SBI_ENUMERIC,
                               "sbi_trainer_train: the training loss became non-finite (loss %g, "
                               "gradient norm %g) in epoch %lld, batch %lld; try a smaller "
                               "learning rate or check the data's scale",
                               loss, norm, (long long)epoch + 1, (long long)b + 1);
                goto fail;
            }
            sbi__adam_step(&w.adam, est->params, w.grad);
            train_sum += loss;
            if (atomic_load(&t->cancel)) {
                canceled = 1;
                break;
            }
        }
        if (canceled) break;
        double val;
        rc = validation_loss(est, w.va_t, w.va_x, n_vbatches, vbs, w.lp, &val);
        if (rc != SBI_OK) goto fail;
        val += log_scale;
        const double train_loss = train_sum / (double)n_batches + log_scale;
        epoch++;
        if (!isfinite(val)) {
            rc = sbi__fail(SBI_ENUMERIC,
                           "sbi_trainer_train: the validation loss became non-finite (%g) in "
                           "epoch %lld; try a smaller learning rate or check the data's scale",
                           val, (long long)epoch);
            goto fail;
        }
        if (val < best) {
            best = val;
            since = 0;
            memcpy(w.best, est->params, (size_t)P * sizeof(double));
        } else {
            since++;
        }
        if (t->progress && t->progress(t->progress_data, epoch, train_loss, val) != 0) {
            canceled = 1;
            break;
        }
        if (atomic_load(&t->cancel)) {
            canceled = 1;
            break;
        }
        if (since >= t->opt.stop_after_epochs) break;
    }
    /* Best-validation weights (also when the epoch cap or a cancel ends it). */
    memcpy(est->params, w.best, (size_t)P * sizeof(double));
    t->est = est;
    t->n_train = n_train;
    t->n_validation = n_val;
    t->epochs = epoch;
    t->best_validation_loss = best;
    t->trained = isfinite(best);
    t->split = w.perm;
    w.perm = NULL;
    work_free(&w);
    if (canceled)
        return sbi__fail(SBI_ECANCELED, "sbi_trainer_train: cancelled after %lld epochs%s",
                         (long long)epoch,
                         isfinite(best) ? " (the best weights so far are kept)" : "");
    return SBI_OK;

fail:
    sbi__estimator_free(est);
    work_free(&w);
    sbi__trainer_reset_result(t);
    return rc;
}

int sbi__trainer_validation_loss(const sbi_trainer *t, double *loss)
{
    if (!t->est || !t->split) return sbi__fail(SBI_ESTATE, "trainer: not trained");
    const int32_t d = t->theta_dim, xd = t->x_dim;
    const int64_t n_val = t->n_validation;
    const int64_t vbs = t->opt.batch_size < n_val ? t->opt.batch_size : n_val;
    double *vt = sbi__malloc_array((size_t)n_val * (size_t)d, sizeof(double));
    double *vx = sbi__malloc_array((size_t)n_val * (size_t)xd, sizeof(double));
    double *lp = sbi__malloc_array((size_t)vbs, sizeof(double));
    int rc = (vt && vx && lp) ? SBI_OK : sbi__oom("trainer");
    if (rc == SBI_OK) {
        const int64_t *va_idx = t->split + t->n_train;
        gather_z(t->theta, d, va_idx, n_val, t->theta_shift, t->theta_scale, vt);
        gather_z(t->x, xd, va_idx, n_val, t->x_shift, t->x_scale, vx);
        rc = validation_loss(t->est, vt, vx, n_val / vbs, vbs, lp, loss);
        double log_scale = 0.0;
        for (int32_t j = 0; j < d; j++) log_scale += log(t->theta_scale[j]);
        *loss += log_scale;
    }
    sbi__free(vt);
    sbi__free(vx);
    sbi__free(lp);
    return rc;
}
