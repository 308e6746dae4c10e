/* The estimators' one-condition op log_prob_at against their per-row
 * log_prob with the condition repeated on every row: the two compute the
 * same density in different orders (x's part once, or once per row), so
 * they agree to rounding, 1e-12 relative. Shapes cover d = 1, one mixture
 * component, one transform, odd d for NSF's alternating masks and batches
 * larger than the internal chunks (MDN 256 rows, flows 1024). Also the
 * allocation failures of the op. */
#include "sbi_fault.h"
#include "estimators/estimator.h"
#include "rng/rng_internal.h"

typedef struct shape {
    int32_t kind, d, x_dim, hidden, layers, components, transforms, bins;
    int64_t n;
} shape;

/* An estimator of the shape with every parameter moved by N(0, 0.1^2), so
 * the density is far from the near-symmetric initialisation. */
static sbi__estimator *make(const shape *s, uint64_t seed)
{
    sbi__estimator_config cfg;
    sbi__estimator_config_default(&cfg, s->kind, s->d, s->x_dim);
    cfg.hidden_features = s->hidden;
    cfg.hidden_layers = s->layers;
    if (s->components) cfg.num_components = s->components; /* 0: the kind's default */
    if (s->transforms) cfg.num_transforms = s->transforms;
    if (s->bins) cfg.num_bins = s->bins;
    struct sbi_rng r;
    sbi__rng_init(&r, seed, 0);
    sbi__estimator *e = NULL;
    assert_ok(sbi__estimator_create(&cfg, &r, &e));
    for (int64_t i = 0; i < e->n_params; i++) e->params[i] += 0.1 * sbi__rng_normal(&r);
    return e;
}

static void check_agrees(const shape *s)
{
    sbi__estimator *e = make(s, 17 + (uint64_t)s->n);
    const int32_t d = s->d, c = s->x_dim;
    const int64_t n = s->n;
    double *theta = malloc(sizeof(double) * (size_t)(n * d));
    double *xs = malloc(sizeof(double) * (size_t)(n * c));
    double *want = malloc(sizeof(double) * (size_t)n), *got = malloc(sizeof(double) * (size_t)n);
    assert_true(theta && xs && want && got);
    struct sbi_rng r;
    sbi__rng_init(&r, 5, 0);
    for (int64_t i = 0; i < n * d; i++) theta[i] = 1.5 * sbi__rng_normal(&r);
    for (int32_t j = 0; j < c; j++) xs[j] = sbi__rng_normal(&r);
    for (int64_t i = 1; i < n; i++) memcpy(xs + i * c, xs, sizeof(double) * (size_t)c);
    assert_ok(e->ops->log_prob(e, n, theta, xs, want));
    assert_ok(e->ops->log_prob_at(e, n, theta, xs, got));
    double worst = 0.0;
    for (int64_t i = 0; i < n; i++) {
        assert_close(got[i], want[i], 1e-12, 0.0);
        double rel = fabs(got[i] - want[i]) / fabs(want[i]);
        if (rel > worst) worst = rel;
    }
    assert_ok(e->ops->log_prob_at(e, 0, theta, xs, got)); /* no rows: nothing to do */
    print_message("%s d=%d x_dim=%d n=%lld: largest relative difference %.2g\n", e->ops->name,
                  (int)d, (int)c, (long long)n, worst);
    free(theta);
    free(xs);
    free(want);
    free(got);
    sbi__estimator_free(e);
}

static void test_mdn(void **state)
{
    (void)state;
    const shape shapes[] = {
        {SBI_ESTIMATOR_MDN, 1, 1, 8, 2, 1, 0, 0, 5},      /* d = 1, K = 1 */
        {SBI_ESTIMATOR_MDN, 1, 3, 8, 1, 3, 0, 0, 600},    /* beyond the 256-row chunk */
        {SBI_ESTIMATOR_MDN, 4, 2, 12, 2, 1, 0, 0, 300},   /* K = 1, full covariance */
        {SBI_ESTIMATOR_MDN, 3, 5, 20, 2, 10, 0, 0, 2500}, /* the default K */
    };
    for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++) check_agrees(&shapes[i]);
}

static void test_maf(void **state)
{
    (void)state;
    const shape shapes[] = {
        {SBI_ESTIMATOR_MAF, 1, 1, 8, 1, 0, 1, 0, 3},     /* d = 1, one transform */
        {SBI_ESTIMATOR_MAF, 3, 2, 10, 2, 0, 2, 0, 2500}, /* beyond the 1024-row chunk */
        {SBI_ESTIMATOR_MAF, 5, 4, 20, 2, 0, 5, 0, 1100},
    };
    for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++) check_agrees(&shapes[i]);
}

static void test_nsf(void **state)
{
    (void)state;
    const shape shapes[] = {
        {SBI_ESTIMATOR_NSF, 1, 2, 8, 1, 0, 1, 2, 7},     /* d = 1: context-only conditioner */
        {SBI_ESTIMATOR_NSF, 1, 1, 10, 2, 0, 3, 10, 2100}, /* d = 1 beyond the chunk */
        {SBI_ESTIMATOR_NSF, 2, 3, 10, 2, 0, 2, 4, 1500},
        {SBI_ESTIMATOR_NSF, 5, 2, 12, 1, 0, 3, 8, 300}, /* odd d: masks of two widths */
    };
    for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++) check_agrees(&shapes[i]);
}

/* log_prob_at of one estimator of each kind, built with the library's
 * allocator, over more rows than a flow's chunk. */
static int exercise(void *ctx)
{
    (void)ctx;
    enum { N = 1100 };
    static double theta[N * 2], lp[N];
    const double x[2] = {0.3, -0.2};
    for (int i = 0; i < N * 2; i++) theta[i] = 0.001 * i - 1.0;
    const int32_t kinds[3] = {SBI_ESTIMATOR_MDN, SBI_ESTIMATOR_MAF, SBI_ESTIMATOR_NSF};
    int rc = SBI_OK;
    for (int k = 0; k < 3 && rc == SBI_OK; k++) {
        sbi__estimator_config cfg;
        sbi__estimator_config_default(&cfg, kinds[k], 2, 2);
        cfg.hidden_features = 6;
        cfg.num_transforms = 2;
        sbi__estimator *e = NULL;
        rc = sbi__estimator_create(&cfg, NULL, &e);
        if (rc == SBI_OK) rc = e->ops->log_prob_at(e, N, theta, x, lp);
        sbi__estimator_free(e);
    }
    return rc;
}

static void test_allocation_failures(void **state)
{
    (void)state;
    sbi_test_fault_walk(exercise, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mdn),
        cmocka_unit_test(test_maf),
        cmocka_unit_test(test_nsf),
        cmocka_unit_test(test_allocation_failures),
    };
    return cmocka_run_group_tests_name("log_prob_at", tests, NULL, NULL);
}
