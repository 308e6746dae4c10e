/* Limits (issue 10, item 6; docs/reliability.md): huge dimensions, zero
 * samples, one simulation, a constant summary statistic, extreme prior boxes
 * and observations far outside the training data. Every case either works
 * or fails with a clear status and message -- never a crash, a hang, a NaN
 * sample or an absurd allocation. A counting allocator (installed before any
 * other call, as sbi_set_allocator requires) refuses requests above 1 GiB
 * and records the largest request, so an attempted absurd allocation shows
 * up instead of being overcommitted by the system. */
#include <stdatomic.h>

#include "sbi_test.h"

#define ALLOC_CAP ((size_t)1 << 30)

static atomic_size_t g_largest;
static atomic_long g_refused;

static void note(size_t size)
{
    size_t cur = atomic_load(&g_largest);
    while (size > cur && !atomic_compare_exchange_weak(&g_largest, &cur, size)) {
    }
}

static void *cap_malloc(void *ud, size_t size)
{
    (void)ud;
    note(size);
    if (size > ALLOC_CAP) {
        atomic_fetch_add(&g_refused, 1);
        return NULL;
    }
    return malloc(size);
}

static void *cap_realloc(void *ud, void *p, size_t size)
{
    (void)ud;
    note(size);
    if (size > ALLOC_CAP) {
        atomic_fetch_add(&g_refused, 1);
        return NULL;
    }
    return realloc(p, size);
}

static void cap_free(void *ud, void *p)
{
    (void)ud;
    free(p);
}

static void reset_alloc_stats(void)
{
    atomic_store(&g_largest, 0);
    atomic_store(&g_refused, 0);
}

/* No allocation request above the cap was made since the last reset. */
static void assert_no_absurd_allocation(const char *what)
{
    if (atomic_load(&g_refused) != 0) {
        print_error("%s: asked for %zu bytes (more than %zu) instead of refusing the size\n",
                    what, atomic_load(&g_largest), ALLOC_CAP);
        fail();
    }
}

/* A clear failure: one of the expected statuses and a message. */
#define assert_refused(call, status)                                                               \
    do {                                                                                           \
        assert_status(call, status);                                                               \
        assert_true(strlen(sbi_last_error()) > 10);                                                \
    } while (0)

enum { D = 2, XD = 3 };

static int lin_sim(void *ud, int64_t n, int32_t td, const double *theta, const uint64_t *seeds,
                   int32_t xd, double *x, int32_t *status)
{
    const double *scale = ud;
    (void)status;
    for (int64_t i = 0; i < n; i++) {
        const double u = (double)(seeds[i] >> 11) * 0x1.0p-53 - 0.5;
        const double *t = theta + i * td;
        x[i * xd + 0] = t[0] + 0.05 * u * scale[0];
        x[i * xd + 1] = t[1] - 0.05 * u * scale[0];
        x[i * xd + 2] = xd > 2 ? 7.0 : 0.0; /* a constant statistic */
    }
    return 0;
}

/* Simulate n rows from prior and train a small MDN; NULL if training
 * failed (status in *rc). */
static sbi_posterior *train_on(const sbi_prior *prior, int64_t n, double scale, int *rc,
                               sbi_trainer **keep)
{
    double sc[1] = {scale};
    sbi_simulator *sim = NULL;
    sbi_runner *r = NULL;
    sbi_dataset *ds = NULL;
    sbi_trainer *tr = NULL;
    sbi_posterior *post = NULL;
    assert_ok(sbi_simulator_create(&sim, D, XD, lin_sim, sc));
    assert_ok(sbi_runner_create(&r, sim));
    assert_ok(sbi_runner_run_prior(r, prior, n, 9, &ds));
    assert_ok(sbi_trainer_create(&tr, prior, SBI_ESTIMATOR_MDN));
    assert_ok(sbi_trainer_set_int(tr, SBI_OPT_HIDDEN_FEATURES, 10));
    assert_ok(sbi_trainer_set_int(tr, SBI_OPT_NUM_COMPONENTS, 2));
    assert_ok(sbi_trainer_set_int(tr, SBI_OPT_MAX_EPOCHS, 60));
    assert_ok(sbi_trainer_set_int(tr, SBI_OPT_BATCH_SIZE, 50));
    assert_ok(sbi_trainer_set_double(tr, SBI_OPT_LEARNING_RATE, 3e-3));
    assert_ok(sbi_trainer_append_dataset(tr, ds));
    *rc = sbi_trainer_train(tr, 3);
    if (*rc == SBI_OK) assert_ok(sbi_trainer_build_posterior(tr, &post));
    if (keep) *keep = tr;
    else sbi_trainer_free(tr);
    sbi_dataset_free(ds);
    sbi_runner_free(r);
    sbi_simulator_free(sim);
    return post;
}

static sbi_prior *box(double lo, double hi)
{
    const double low[D] = {lo, lo}, high[D] = {hi, hi};
    sbi_prior *p = NULL;
    assert_ok(sbi_prior_create_box_uniform(&p, D, low, high));
    return p;
}

/* ---- huge dimensions ------------------------------------------------------- */

static int never_called(void *ud, int64_t n, int32_t td, const double *theta,
                        const uint64_t *seeds, int32_t xd, double *x, int32_t *status)
{
    (void)ud, (void)n, (void)td, (void)theta, (void)seeds, (void)xd, (void)x, (void)status;
    return 1;
}

static void test_huge_dimensions(void **state)
{
    (void)state;
    reset_alloc_stats();
    sbi_simulator *sim = NULL;
    sbi_runner *r = NULL;
    sbi_dataset *ds = NULL;
    /* Rows x dimensions beyond any address space: refused by size, before
     * any allocation. */
    sbi_prior *prior = box(0, 1);
    assert_ok(sbi_simulator_create(&sim, D, INT32_MAX, never_called, NULL));
    assert_ok(sbi_runner_create(&r, sim));
    assert_refused(sbi_runner_run_prior(r, prior, INT64_MAX / 2, 1, &ds), SBI_EINVAL);
    assert_null(ds);
    assert_refused(sbi_dataset_create(&ds, INT64_MAX, 4, 4, NULL, NULL), SBI_EINVAL);
    assert_no_absurd_allocation("sizes that overflow");
    /* Representable but far beyond memory (2^20 rows of 2^31 values): the
     * runner asks for what the call needs and reports SBI_ENOMEM cleanly. */
    assert_refused(sbi_runner_run_prior(r, prior, 1 << 20, 1, &ds), SBI_ENOMEM);
    assert_null(ds);
    sbi_runner_free(r);
    sbi_simulator_free(sim);
    reset_alloc_stats();

    /* A file that declares huge dimensions is refused from its own size:
     * a .npy header of shape (2^40, 2^20) followed by 16 bytes. */
    static const char npy[] = "\x93NUMPY\x01\x00\x76\x00{'descr': '<f8', 'fortran_order': False, "
                              "'shape': (1099511627776, 1048576), }";
    char file[128 + 16];
    memset(file, ' ', sizeof file);
    memcpy(file, npy, sizeof npy - 1);
    file[127] = '\n';
    sbi_table *t = NULL;
    assert_refused(sbi_table_read_mem(&t, file, sizeof file, SBI_FORMAT_NPY), SBI_EFORMAT);
    assert_null(t);
    assert_no_absurd_allocation("a file declaring huge dimensions");

    /* The trainer bounds x_dim (2^20) before allocating anything for it. */
    sbi_trainer *tr = NULL;
    assert_ok(sbi_trainer_create(&tr, prior, SBI_ESTIMATOR_MDN));
    static double theta[D], xs[4];
    assert_refused(sbi_trainer_append(tr, 1, theta, (1 << 20) + 1, xs), SBI_EINVAL);
    /* Estimator shapes out of range. */
    assert_refused(sbi_trainer_set_int(tr, SBI_OPT_HIDDEN_FEATURES, (int64_t)1 << 40), SBI_EINVAL);
    assert_refused(sbi_trainer_set_int(tr, SBI_OPT_NUM_COMPONENTS, (int64_t)1 << 40), SBI_EINVAL);
    assert_refused(sbi_trainer_set_int(tr, SBI_OPT_BATCH_SIZE, 0), SBI_EINVAL);
    sbi_trainer_free(tr);
    sbi_prior_free(prior);

    /* A prior of more dimensions than a posterior file can hold (4096) is
     * refused by the trainer, not after training. */
    enum { BIG = 5000 };
    double *lo = calloc(BIG, sizeof *lo), *hi = calloc(BIG, sizeof *hi);
    assert_non_null(lo);
    assert_non_null(hi);
    for (int i = 0; i < BIG; i++) hi[i] = 1;
    sbi_prior *big = NULL;
    assert_ok(sbi_prior_create_box_uniform(&big, BIG, lo, hi));
    tr = NULL;
    assert_refused(sbi_trainer_create(&tr, big, SBI_ESTIMATOR_MDN), SBI_EINVAL);
    assert_null(tr);
    sbi_prior_free(big);
    free(lo);
    free(hi);

    /* Tables and figures. */
    assert_refused(sbi_table_write_mem(&(void *){NULL}, &(size_t){0}, INT64_MAX / 2, 2, theta,
                                       NULL, SBI_FORMAT_CSV),
                   SBI_EINVAL);
    assert_refused(sbi_table_write_mem(&(void *){NULL}, &(size_t){0}, 1, SBI_IO_MAX_COLS + 1,
                                       theta, NULL, SBI_FORMAT_NPY),
                   SBI_EINVAL);
    sbi_plot *plot = NULL;
    assert_refused(sbi_plot_create(&plot, 1000000, 100, 1, 1), SBI_EINVAL);
    assert_refused(sbi_plot_create(&plot, 400, 300, 100, 100), SBI_EINVAL);
    assert_null(plot);
    assert_no_absurd_allocation("huge dimensions");
}

/* ---- zero samples ---------------------------------------------------------- */

static void test_zero_samples(void **state)
{
    (void)state;
    reset_alloc_stats();
    sbi_prior *prior = box(-1, 1);
    double sc[1] = {1};
    sbi_simulator *sim = NULL;
    sbi_runner *r = NULL;
    sbi_dataset *ds = NULL;
    assert_ok(sbi_simulator_create(&sim, D, XD, lin_sim, sc));
    assert_ok(sbi_runner_create(&r, sim));
    assert_ok(sbi_runner_run_prior(r, prior, 0, 1, &ds));
    int64_t n = -1;
    assert_ok(sbi_dataset_shape(ds, &n, NULL, NULL));
    assert_int_equal(n, 0);

    sbi_trainer *tr = NULL;
    assert_ok(sbi_trainer_create(&tr, prior, SBI_ESTIMATOR_MDN));
    assert_ok(sbi_trainer_append_dataset(tr, ds));
    assert_ok(sbi_trainer_append(tr, 0, NULL, XD, NULL));
    assert_refused(sbi_trainer_train(tr, 1), SBI_ESTATE); /* no rows: says so */
    assert_refused(sbi_trainer_build_posterior(tr, &(sbi_posterior *){NULL}), SBI_ESTATE);
    sbi_trainer_free(tr);

    int rc;
    sbi_posterior *post = train_on(prior, 200, 1, &rc, NULL);
    assert_ok(rc);
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, 1, 0));
    const double x[XD] = {0, 0, 7};
    int64_t got = -1;
    double acc = -1;
    assert_ok(sbi_posterior_sample(post, rng, x, 0, NULL));
    assert_ok(sbi_posterior_sample_ex(post, rng, x, 0, 0, NULL, &got, &acc));
    assert_int_equal(got, 0);
    assert_ok(sbi_posterior_log_prob(post, NULL, x, 0, NULL, NULL));
    assert_ok(sbi_posterior_sample_batched(post, rng, 0, NULL, 10, NULL));
    assert_ok(sbi_prior_sample(prior, rng, 0, NULL));

    void *buf = NULL;
    size_t len = 0;
    sbi_table *t = NULL;
    const char *names[D] = {"a", "b"};
    for (int32_t f = SBI_FORMAT_CSV; f <= SBI_FORMAT_NPY; f++) {
        assert_ok(sbi_table_write_mem(&buf, &len, 0, D, NULL, f == SBI_FORMAT_CSV ? names : NULL, f));
        assert_ok(sbi_table_read_mem(&t, buf, len, f));
        int64_t rows = -1;
        assert_ok(sbi_table_shape(t, &rows, NULL));
        assert_int_equal(rows, 0);
        sbi_table_free(t);
        sbi_free(buf);
    }
    sbi_plot *plot = NULL;
    assert_ok(sbi_plot_create(&plot, 400, 300, 1, 1));
    assert_ok(sbi_plot_add_line(plot, 0, 0, NULL, NULL, NULL, NULL, 0, 0));
    assert_ok(sbi_plot_add_histogram(plot, 0, 0, NULL, 1, 0, 0, 1, NULL, NULL));
    assert_ok(sbi_plot_render(plot, &buf, &len));
    sbi_free(buf);
    sbi_plot_free(plot);

    sbi_rng_free(rng);
    sbi_posterior_free(post);
    sbi_dataset_free(ds);
    sbi_runner_free(r);
    sbi_simulator_free(sim);
    sbi_prior_free(prior);
    assert_no_absurd_allocation("zero samples");
}

/* ---- one simulation -------------------------------------------------------- */

static void test_few_simulations(void **state)
{
    (void)state;
    sbi_prior *prior = box(-1, 1);
    /* 1 and 2 rows cannot be split into training and validation rows. */
    for (int64_t n = 1; n <= 2; n++) {
        int rc;
        sbi_trainer *tr = NULL;
        assert_null(train_on(prior, n, 1, &rc, &tr));
        assert_int_equal(rc, SBI_EINVAL);
        assert_non_null(strstr(sbi_last_error(), "too few"));
        int64_t valid;
        assert_ok(sbi_trainer_counts(tr, &valid, NULL, NULL, NULL));
        assert_int_equal(valid, n);
        sbi_trainer_free(tr);
    }
    /* 3 rows: 2 to train, 1 to validate; a (poor) posterior comes out. */
    int rc;
    sbi_trainer *tr = NULL;
    sbi_posterior *post = train_on(prior, 3, 1, &rc, &tr);
    assert_ok(rc);
    int64_t n_train, n_val;
    assert_ok(sbi_trainer_counts(tr, NULL, NULL, &n_train, &n_val));
    assert_int_equal(n_train, 2);
    assert_int_equal(n_val, 1);
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, 1, 0));
    const double x[XD] = {0, 0, 7};
    double s[50 * D];
    assert_ok(sbi_posterior_sample(post, rng, x, 50, s));
    for (int i = 0; i < 50 * D; i++) assert_true(s[i] >= -1 && s[i] <= 1);
    sbi_rng_free(rng);
    sbi_posterior_free(post);
    sbi_trainer_free(tr);
    sbi_prior_free(prior);
}

/* ---- a constant summary statistic ------------------------------------------ */

static void test_constant_statistic(void **state)
{
    (void)state;
    sbi_prior *prior = box(-1, 1);
    int rc;
    sbi_trainer *tr = NULL;
    sbi_posterior *post = train_on(prior, 300, 1, &rc, &tr);
    assert_ok(rc);
    int32_t count = -1, flags[XD] = {-1, -1, -1};
    assert_ok(sbi_trainer_constant_x(tr, &count, flags));
    assert_int_equal(count, 1);
    assert_int_equal(flags[0], 0);
    assert_int_equal(flags[1], 0);
    assert_int_equal(flags[2], 1);
    /* The posterior is usable; the constant carries no information, so an
     * observation with another value there changes nothing much and breaks
     * nothing. */
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, 2, 0));
    const double x[XD] = {0.3, -0.2, 7}, x_other[XD] = {0.3, -0.2, 7.5};
    double s[200 * D], lp[1];
    assert_ok(sbi_posterior_sample(post, rng, x, 200, s));
    double m0 = 0;
    for (int i = 0; i < 200; i++) m0 += s[i * D] / 200;
    assert_close(m0, 0.3, 0, 0.15);
    int64_t got = 0;
    rc = sbi_posterior_sample_ex(post, rng, x_other, 20, 20000, s, &got, NULL);
    assert_true(rc == SBI_OK || rc == SBI_EBUDGET);
    for (int64_t i = 0; i < got * D; i++) assert_true(isfinite(s[i]) && fabs(s[i]) <= 1);
    assert_ok(sbi_posterior_log_prob(post, NULL, x, 1, s, lp));
    assert_false(isnan(lp[0]));
    sbi_rng_free(rng);
    sbi_posterior_free(post);
    sbi_trainer_free(tr);
    sbi_prior_free(prior);
}

/* ---- extreme prior boxes ---------------------------------------------------- */

static void check_box_prior(double lo, double hi, double scale)
{
    sbi_prior *prior = box(lo, hi);
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, 4, 0));
    double t[100 * D], lp[100];
    assert_ok(sbi_prior_sample(prior, rng, 100, t));
    assert_ok(sbi_prior_log_prob(prior, 100, t, lp));
    for (int i = 0; i < 100; i++) {
        assert_true(t[2 * i] >= lo && t[2 * i] <= hi && t[2 * i + 1] >= lo && t[2 * i + 1] <= hi);
        assert_true(isfinite(lp[i]));
        assert_close(lp[i], -2 * log(hi - lo), 1e-12, 0);
    }
    /* Train on it (x scaled like theta) and sample inside the box. */
    int rc;
    sbi_posterior *post = train_on(prior, 200, scale, &rc, NULL);
    if (rc == SBI_OK) {
        const double x[XD] = {0.5 * (lo + hi), 0.5 * (lo + hi), 7};
        double s[20 * D];
        int64_t got = 0;
        rc = sbi_posterior_sample_ex(post, rng, x, 20, 100000, s, &got, NULL);
        assert_true(rc == SBI_OK || rc == SBI_EBUDGET);
        for (int64_t i = 0; i < got * D; i++) assert_true(s[i] >= lo && s[i] <= hi);
    } else {
        assert_int_equal(rc, SBI_ENUMERIC); /* a clear refusal at worst */
    }
    sbi_posterior_free(post);
    sbi_rng_free(rng);
    sbi_prior_free(prior);
}

static void test_extreme_prior_boxes(void **state)
{
    (void)state;
    /* A box whose width overflows a double is refused with a message. */
    const double low[D] = {-1e308, 0}, high[D] = {1e308, 1};
    sbi_prior *p = NULL;
    assert_refused(sbi_prior_create_box_uniform(&p, D, low, high), SBI_EINVAL);
    assert_refused(sbi_prior_parse_spec("box:-1e308,0:1e308,1", &p), SBI_EINVAL);
    assert_refused(sbi_prior_parse_spec("box:0,0:1,1e400", &p), SBI_EINVAL);
    assert_null(p);
    check_box_prior(-1e300, 1e300, 1e300);   /* huge */
    check_box_prior(1.0, 1.0 + 1e-12, 1e-12); /* tiny */
    check_box_prior(1e-300, 3e-300, 1e-300); /* near underflow */
    check_box_prior(1e6, 1e6 + 1, 1);         /* far from zero */
    /* Gaussians with extreme variances. */
    const double mean[D] = {0, 1e10}, var[D] = {1e-300, 1e300};
    sbi_prior *g = NULL;
    assert_ok(sbi_prior_create_gaussian_diag(&g, D, mean, var));
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, 5, 0));
    double t[10 * D], lp[10];
    assert_ok(sbi_prior_sample(g, rng, 10, t));
    assert_ok(sbi_prior_log_prob(g, 10, t, lp));
    for (int i = 0; i < 10; i++) {
        assert_true(isfinite(t[2 * i]) && isfinite(t[2 * i + 1]));
        assert_false(isnan(lp[i]));
    }
    sbi_rng_free(rng);
    sbi_prior_free(g);
}

/* ---- observations far outside the training data ---------------------------- */

static void test_observation_far_outside(void **state)
{
    (void)state;
    sbi_prior *prior = box(-1, 1);
    int rc;
    sbi_posterior *post = train_on(prior, 300, 1, &rc, NULL);
    assert_ok(rc);
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, 6, 0));
    enum { N = 100 };
    double s[N * D];
    const double far[3][XD] = {{40, -40, 7}, {1e6, -1e6, 7}, {1e300, -1e300, 7}};
    for (int k = 0; k < 3; k++) {
        int64_t got = -1;
        double acc = -1;
        rc = sbi_posterior_sample_ex(post, rng, far[k], N, 5000, s, &got, &acc);
        print_message("x = %g: status %d, %lld of %d samples, acceptance %g\n", far[k][0], rc,
                      (long long)got, N, acc);
        /* Either it works, or the budget runs out with partial samples and
         * the acceptance says why. */
        assert_true(rc == SBI_OK || rc == SBI_EBUDGET);
        assert_true(acc >= 0 && acc <= 1);
        if (rc == SBI_EBUDGET) {
            assert_true(got < N);
            assert_non_null(strstr(sbi_last_error(), "budget"));
        } else {
            assert_int_equal(got, N);
        }
        for (int64_t i = 0; i < got * D; i++) assert_true(s[i] >= -1 && s[i] <= 1);
        double leak = -1;
        rc = sbi_posterior_leakage(post, rng, far[k], &leak);
        assert_true(rc == SBI_OK || rc == SBI_EBUDGET);
        assert_true(leak >= 0 && leak <= 1);
    }
    /* The default budget bounds the default call too (1e6 proposals). */
    rc = sbi_posterior_sample(post, rng, far[2], 5, s);
    assert_true(rc == SBI_OK || rc == SBI_EBUDGET);
    /* A non-finite observation is refused up front. */
    const double bad[XD] = {NAN, 0, 7};
    assert_refused(sbi_posterior_sample(post, rng, bad, 5, s), SBI_EINVAL);
    sbi_rng_free(rng);
    sbi_posterior_free(post);
    sbi_prior_free(prior);
}

int main(void)
{
    if (sbi_set_allocator(cap_malloc, cap_realloc, cap_free, NULL) != SBI_OK) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_huge_dimensions),
        cmocka_unit_test(test_zero_samples),
        cmocka_unit_test(test_few_simulations),
        cmocka_unit_test(test_constant_statistic),
        cmocka_unit_test(test_extreme_prior_boxes),
        cmocka_unit_test(test_observation_far_outside),
    };
    return cmocka_run_group_tests_name("limits", tests, NULL, NULL);
}
