/* The trainer's handle: options with range checks, the rows it learns
 * from (invalid ones excluded and counted), results, and building the
 * posterior. The training loop itself is in train.c. */
#include <math.h>
#include <string.h>

#include "core/internal.h"
#include "inference/trainer_internal.h"
#include "posterior/posterior_internal.h"

/* ---- estimator names ---------------------------------------------------- */

const char *sbi_estimator_name(int32_t kind)
{
    switch (kind) {
    case SBI_ESTIMATOR_MDN: return "mdn";
    case SBI_ESTIMATOR_MAF: return "maf";
    case SBI_ESTIMATOR_NSF: return "nsf";
    default: return "unknown";
    }
}

int sbi_estimator_from_name(const char *name, int32_t *kind)
{
    SBI_CHECK_PTR(name, "sbi_estimator_from_name");
    SBI_CHECK_PTR(kind, "sbi_estimator_from_name");
    for (int32_t k = SBI_ESTIMATOR_MDN; k <= SBI_ESTIMATOR_NSF; k++) {
        if (strcmp(name, sbi_estimator_name(k)) == 0) {
            *kind = k;
            return SBI_OK;
        }
    }
    return sbi__fail(SBI_EINVAL, "sbi_estimator_from_name: unknown estimator \"%s\" (known: mdn, "
                                 "maf, nsf)", name);
}

/* ---- lifecycle ---------------------------------------------------------- */

int sbi_trainer_create(sbi_trainer **out, const sbi_prior *prior, int32_t estimator)
{
    static const char where[] = "sbi_trainer_create";
    SBI_CHECK_PTR(out, where);
    *out = NULL;
    SBI_CHECK_PTR(prior, where);
    SBI_CHECK_ARG(estimator >= SBI_ESTIMATOR_MDN && estimator <= SBI_ESTIMATOR_NSF,
                  "%s: estimator=%d is not one of SBI_ESTIMATOR_MDN/MAF/NSF", where,
                  (int)estimator);
    int32_t dim = 0;
    SBI_TRY(sbi_prior_dim(prior, &dim));
    /* The posterior file holds at most this many; refuse before training. */
    SBI_CHECK_ARG(dim <= SBI__MAX_THETA_DIM, "%s: the prior has %d dimensions, more than the %d "
                  "a posterior supports", where, (int)dim, SBI__MAX_THETA_DIM);
    sbi_trainer *t = sbi__calloc(1, sizeof *t);
    if (!t) return sbi__oom(where);
    int rc = sbi_prior_clone(prior, &t->prior);
    if (rc != SBI_OK) {
        sbi__free(t);
        return rc;
    }
    rc = sbi_prior_dim(prior, &t->theta_dim);
    if (rc != SBI_OK) {
        sbi_trainer_free(t);
        return rc;
    }
    t->kind = estimator;
    t->opt = (sbi__trainer_options){.batch_size = 200,
                                    .learning_rate = 5e-4,
                                    .validation_fraction = 0.1,
                                    .stop_after_epochs = 20,
                                    .max_epochs = 2147483647,
                                    .clip_max_norm = 5.0,
                                    .hidden_features = 50,
                                    .hidden_layers = 2,
                                    .num_components = 10,
                                    .num_transforms = 5,
                                    .num_bins = 10,
                                    .z_score_theta = 1,
                                    .z_score_x = 1,
                                    .threads = 1};
    atomic_init(&t->cancel, 0);
    *out = t;
    return SBI_OK;
}

void sbi__trainer_reset_result(sbi_trainer *t)
{
    sbi__estimator_free(t->est);
    t->est = NULL;
    sbi__free(t->theta_shift);
    sbi__free(t->theta_scale);
    sbi__free(t->x_shift);
    sbi__free(t->x_scale);
    sbi__free(t->x_constant);
    sbi__free(t->split);
    t->split = NULL;
    t->theta_shift = t->theta_scale = t->x_shift = t->x_scale = NULL;
    t->x_constant = NULL;
    t->trained = 0;
    t->n_train = t->n_validation = t->epochs = 0;
    t->best_validation_loss = INFINITY;
}

void sbi_trainer_free(sbi_trainer *t)
{
    if (!t) return;
    sbi__trainer_reset_result(t);
    sbi_prior_free(t->prior);
    sbi__free(t->theta);
    sbi__free(t->x);
    sbi__free(t);
}

/* ---- options ------------------------------------------------------------ */

typedef struct option_info {
    int32_t key;
    const char *name;
    int is_double;
    int64_t min, max; /* integer options */
} option_info;

static const option_info k_options[] = {
    {SBI_OPT_BATCH_SIZE, "batch_size", 0, 1, INT32_MAX},
    {SBI_OPT_LEARNING_RATE, "learning_rate", 1, 0, 0},
    {SBI_OPT_VALIDATION_FRACTION, "validation_fraction", 1, 0, 0},
    {SBI_OPT_STOP_AFTER_EPOCHS, "stop_after_epochs", 0, 1, INT64_MAX},
    {SBI_OPT_MAX_EPOCHS, "max_epochs", 0, 1, INT64_MAX},
    {SBI_OPT_CLIP_MAX_NORM, "clip_max_norm", 1, 0, 0},
    {SBI_OPT_HIDDEN_FEATURES, "hidden_features", 0, 1, SBI__MAX_HIDDEN_FEATURES},
    {SBI_OPT_HIDDEN_LAYERS, "hidden_layers", 0, 1, SBI__MAX_HIDDEN_LAYERS},
    {SBI_OPT_NUM_COMPONENTS, "num_components", 0, 1, SBI__MAX_COMPONENTS},
    {SBI_OPT_NUM_TRANSFORMS, "num_transforms", 0, 1, SBI__MAX_TRANSFORMS},
    {SBI_OPT_NUM_BINS, "num_bins", 0, 2, SBI__MAX_BINS},
    {SBI_OPT_Z_SCORE_THETA, "z_score_theta", 0, 0, 1},
    {SBI_OPT_Z_SCORE_X, "z_score_x", 0, 0, 1},
    {SBI_OPT_THREADS, "threads", 0, 1, SBI__MAX_TRAIN_THREADS},
};

static const option_info *find_option(int32_t key)
{
    for (size_t i = 0; i < sizeof k_options / sizeof k_options[0]; i++)
        if (k_options[i].key == key) return &k_options[i];
    return NULL;
}

static int64_t *int_slot(sbi__trainer_options *o, int32_t key)
{
    switch (key) {
    case SBI_OPT_BATCH_SIZE: return &o->batch_size;
    case SBI_OPT_STOP_AFTER_EPOCHS: return &o->stop_after_epochs;
    case SBI_OPT_MAX_EPOCHS: return &o->max_epochs;
    case SBI_OPT_HIDDEN_FEATURES: return &o->hidden_features;
    case SBI_OPT_HIDDEN_LAYERS: return &o->hidden_layers;
    case SBI_OPT_NUM_COMPONENTS: return &o->num_components;
    case SBI_OPT_NUM_TRANSFORMS: return &o->num_transforms;
    case SBI_OPT_NUM_BINS: return &o->num_bins;
    case SBI_OPT_Z_SCORE_THETA: return &o->z_score_theta;
    case SBI_OPT_Z_SCORE_X: return &o->z_score_x;
    case SBI_OPT_THREADS: return &o->threads;
    default: return NULL;
    }
}

static double *double_slot(sbi__trainer_options *o, int32_t key)
{
    switch (key) {
    case SBI_OPT_LEARNING_RATE: return &o->learning_rate;
    case SBI_OPT_VALIDATION_FRACTION: return &o->validation_fraction;
    case SBI_OPT_CLIP_MAX_NORM: return &o->clip_max_norm;
    default: return NULL;
    }
}

static int lookup(int32_t key, int want_double, const char *where, const option_info **info)
{
    *info = find_option(key);
    SBI_CHECK_ARG(*info != NULL, "%s: unknown option %d", where, (int)key);
    SBI_CHECK_ARG((*info)->is_double == want_double,
                  "%s: option %d (%s) is %s option; use sbi_trainer_%s_%s", where, (int)key,
                  (*info)->name, (*info)->is_double ? "a double" : "an integer",
                  strstr(where, "get") ? "get" : "set", (*info)->is_double ? "double" : "int");
    return SBI_OK;
}

int sbi_trainer_set_int(sbi_trainer *t, int32_t option, int64_t value)
{
    static const char where[] = "sbi_trainer_set_int";
    SBI_CHECK_PTR(t, where);
    const option_info *info;
    SBI_TRY(lookup(option, 0, where, &info));
    SBI_CHECK_ARG(value >= info->min && value <= info->max,
                  "%s: %s=%lld is out of range [%lld, %lld]", where, info->name, (long long)value,
                  (long long)info->min, (long long)info->max);
    *int_slot(&t->opt, option) = value;
    return SBI_OK;
}

int sbi_trainer_set_double(sbi_trainer *t, int32_t option, double value)
{
    static const char where[] = "sbi_trainer_set_double";
    SBI_CHECK_PTR(t, where);
    const option_info *info;
    SBI_TRY(lookup(option, 1, where, &info));
    switch (option) {
    case SBI_OPT_LEARNING_RATE:
        SBI_CHECK_ARG(isfinite(value) && value > 0.0,
                      "%s: learning_rate=%g must be finite and positive", where, value);
        break;
    case SBI_OPT_VALIDATION_FRACTION:
        SBI_CHECK_ARG(value > 0.0 && value < 1.0,
                      "%s: validation_fraction=%g must lie strictly between 0 and 1", where, value);
        break;
    default: /* SBI_OPT_CLIP_MAX_NORM: <= 0 disables clipping */
        SBI_CHECK_ARG(isfinite(value), "%s: clip_max_norm=%g must be finite (<= 0 disables "
                                       "clipping)", where, value);
        break;
    }
    *double_slot(&t->opt, option) = value;
    return SBI_OK;
}

int sbi_trainer_get_int(const sbi_trainer *t, int32_t option, int64_t *value)
{
    static const char where[] = "sbi_trainer_get_int";
    SBI_CHECK_PTR(t, where);
    SBI_CHECK_PTR(value, where);
    const option_info *info;
    SBI_TRY(lookup(option, 0, where, &info));
    sbi__trainer_options o = t->opt;
    *value = *int_slot(&o, option);
    return SBI_OK;
}

int sbi_trainer_get_double(const sbi_trainer *t, int32_t option, double *value)
{
    static const char where[] = "sbi_trainer_get_double";
    SBI_CHECK_PTR(t, where);
    SBI_CHECK_PTR(value, where);
    const option_info *info;
    SBI_TRY(lookup(option, 1, where, &info));
    sbi__trainer_options o = t->opt;
    *value = *double_slot(&o, option);
    return SBI_OK;
}

int sbi_trainer_set_progress(sbi_trainer *t, sbi_train_progress_fn fn, void *user_data)
{
    SBI_CHECK_PTR(t, "sbi_trainer_set_progress");
    t->progress = fn;
    t->progress_data = user_data;
    return SBI_OK;
}

/* ---- data --------------------------------------------------------------- */

static int row_finite(const double *v, int32_t n)
{
    for (int32_t j = 0; j < n; j++)
        if (!isfinite(v[j])) return 0;
    return 1;
}

/* Room for `more` rows. */
static int reserve(sbi_trainer *t, int64_t more, const char *where)
{
    if (t->n + more <= t->cap) return SBI_OK;
    SBI_CHECK_ARG(more <= INT64_MAX / 2 - t->n, "%s: too many rows", where);
    int64_t cap = t->cap ? t->cap : 256;
    while (cap < t->n + more) cap *= 2;
    const size_t d = (size_t)t->theta_dim, xd = (size_t)t->x_dim;
    if ((size_t)cap > SIZE_MAX / sizeof(double) / (d > xd ? d : xd))
        return sbi__oom(where);
    double *th = sbi__realloc(t->theta, (size_t)cap * d * sizeof(double));
    if (!th) return sbi__oom(where);
    t->theta = th;
    double *x = sbi__realloc(t->x, (size_t)cap * xd * sizeof(double));
    if (!x) return sbi__oom(where);
    t->x = x;
    t->cap = cap;
    return SBI_OK;
}

int sbi_trainer_append(sbi_trainer *t, int64_t n, const double *theta, int32_t x_dim,
                       const double *x)
{
    static const char where[] = "sbi_trainer_append";
    SBI_CHECK_PTR(t, where);
    SBI_CHECK_ARG(n >= 0, "%s: n=%lld is negative", where, (long long)n);
    SBI_CHECK_ARG(x_dim >= 1 && x_dim <= SBI__MAX_X_DIM, "%s: x_dim=%d is out of range [1, %d]",
                  where, (int)x_dim, SBI__MAX_X_DIM);
    SBI_CHECK_ARG(t->x_dim == 0 || t->x_dim == x_dim,
                  "%s: x_dim=%d differs from the x_dim=%d of earlier rows", where, (int)x_dim,
                  (int)t->x_dim);
    if (n > 0) {
        SBI_CHECK_PTR(theta, where);
        SBI_CHECK_PTR(x, where);
    }
    t->x_dim = x_dim;
    int64_t valid = 0;
    const int32_t d = t->theta_dim;
    for (int64_t i = 0; i < n; i++)
        valid += row_finite(theta + i * d, d) && row_finite(x + i * x_dim, x_dim);
    SBI_TRY(reserve(t, valid, where));
    for (int64_t i = 0; i < n; i++) {
        if (!(row_finite(theta + i * d, d) && row_finite(x + i * x_dim, x_dim))) continue;
        memcpy(t->theta + t->n * d, theta + i * d, (size_t)d * sizeof(double));
        memcpy(t->x + t->n * x_dim, x + i * x_dim, (size_t)x_dim * sizeof(double));
        t->n++;
    }
    t->n_excluded += n - valid;
    return SBI_OK;
}

int sbi_trainer_append_dataset(sbi_trainer *t, const sbi_dataset *ds)
{
    static const char where[] = "sbi_trainer_append_dataset";
    SBI_CHECK_PTR(t, where);
    SBI_CHECK_PTR(ds, where);
    int64_t n;
    int32_t d, xd;
    const double *theta, *x;
    const int32_t *status;
    SBI_TRY(sbi_dataset_shape(ds, &n, &d, &xd));
    SBI_CHECK_ARG(d == t->theta_dim, "%s: the dataset's theta_dim=%d differs from the prior's %d",
                  where, (int)d, (int)t->theta_dim);
    SBI_TRY(sbi_dataset_theta(ds, &theta));
    SBI_TRY(sbi_dataset_x(ds, &x));
    SBI_TRY(sbi_dataset_status(ds, &status));
    /* Append runs of SBI_ROW_OK rows; count the rest as excluded. */
    int64_t other = 0;
    for (int64_t i = 0; i < n;) {
        if (status[i] != SBI_ROW_OK) {
            other++;
            i++;
            continue;
        }
        int64_t j = i;
        while (j < n && status[j] == SBI_ROW_OK) j++;
        SBI_TRY(sbi_trainer_append(t, j - i, theta + i * d, xd, x + i * xd));
        i = j;
    }
    if (n == 0) {
        SBI_CHECK_ARG(xd >= 1 && (t->x_dim == 0 || t->x_dim == xd),
                      "%s: the dataset's x_dim=%d differs from the x_dim=%d of earlier rows",
                      where, (int)xd, (int)t->x_dim);
    }
    t->n_excluded += other;
    return SBI_OK;
}

int sbi_trainer_dims(const sbi_trainer *t, int32_t *theta_dim, int32_t *x_dim)
{
    SBI_CHECK_PTR(t, "sbi_trainer_dims");
    if (theta_dim) *theta_dim = t->theta_dim;
    if (x_dim) *x_dim = t->x_dim;
    return SBI_OK;
}

/* ---- training, results -------------------------------------------------- */

int sbi_trainer_train(sbi_trainer *t, uint64_t seed)
{
    SBI_CHECK_PTR(t, "sbi_trainer_train");
    return sbi__trainer_run(t, seed);
}

int sbi_trainer_cancel(sbi_trainer *t)
{
    SBI_CHECK_PTR(t, "sbi_trainer_cancel");
    atomic_store(&t->cancel, 1);
    return SBI_OK;
}

int sbi_trainer_counts(const sbi_trainer *t, int64_t *n_valid, int64_t *n_excluded,
                       int64_t *n_train, int64_t *n_validation)
{
    SBI_CHECK_PTR(t, "sbi_trainer_counts");
    if (n_valid) *n_valid = t->n;
    if (n_excluded) *n_excluded = t->n_excluded;
    if (n_train) *n_train = t->n_train;
    if (n_validation) *n_validation = t->n_validation;
    return SBI_OK;
}

int sbi_trainer_result(const sbi_trainer *t, int64_t *epochs, double *best_validation_loss)
{
    SBI_CHECK_PTR(t, "sbi_trainer_result");
    if (!t->trained)
        return sbi__fail(SBI_ESTATE, "sbi_trainer_result: the trainer has not been trained");
    if (epochs) *epochs = t->epochs;
    if (best_validation_loss) *best_validation_loss = t->best_validation_loss;
    return SBI_OK;
}

int sbi_trainer_constant_x(const sbi_trainer *t, int32_t *count, int32_t *flags)
{
    SBI_CHECK_PTR(t, "sbi_trainer_constant_x");
    if (!t->trained || !t->x_constant)
        return sbi__fail(SBI_ESTATE, "sbi_trainer_constant_x: the trainer has not been trained");
    int32_t c = 0;
    for (int32_t j = 0; j < t->x_dim; j++) {
        c += t->x_constant[j];
        if (flags) flags[j] = t->x_constant[j];
    }
    if (count) *count = c;
    return SBI_OK;
}

int sbi_trainer_build_posterior(const sbi_trainer *t, sbi_posterior **out)
{
    static const char where[] = "sbi_trainer_build_posterior";
    SBI_CHECK_PTR(out, where);
    *out = NULL;
    SBI_CHECK_PTR(t, where);
    if (!t->trained || !t->est)
        return sbi__fail(SBI_ESTATE, "%s: the trainer has not been trained", where);
    sbi__estimator *est = NULL;
    sbi_prior *prior = NULL;
    SBI_TRY(sbi__estimator_clone(t->est, &est));
    int rc = sbi_prior_clone(t->prior, &prior);
    if (rc != SBI_OK) {
        sbi__estimator_free(est);
        return rc;
    }
    return sbi__posterior_assemble(out, est, prior, t->theta_shift, t->theta_scale, t->x_shift,
                                   t->x_scale, t->epochs, t->n_train, t->best_validation_loss);
}
