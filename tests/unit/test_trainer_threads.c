/* SBI_OPT_THREADS: range checks and read-back, the trainer hands the value to
 * the estimator it trains, and training with 1 or 2 threads gives the same
 * posterior byte for byte (MAF and NSF shard every batch of >= 32 rows and
 * run shard 1 on a second thread; the MDN ignores the option). */
#include "sbi_test.h"
#include "inference/trainer_internal.h"
#include "rng/rng_internal.h"

static sbi_prior *gauss_prior2(void)
{
    const double mean[2] = {0.0, 0.0}, var[2] = {1.0, 1.0};
    sbi_prior *p = NULL;
    assert_ok(sbi_prior_create_gaussian_diag(&p, 2, mean, var));
    return p;
}

/* A small trainer on n rows theta ~ N(0, I_2), x = (theta, theta_0 theta_1) + noise. */
static sbi_trainer *small_trainer(int32_t kind, int64_t n, int64_t threads)
{
    sbi_prior *prior = gauss_prior2();
    sbi_trainer *t = NULL;
    assert_ok(sbi_trainer_create(&t, prior, kind));
    sbi_prior_free(prior);
    assert_ok(sbi_trainer_set_int(t, SBI_OPT_HIDDEN_FEATURES, 16));
    assert_ok(sbi_trainer_set_int(t, SBI_OPT_NUM_COMPONENTS, 2));
    assert_ok(sbi_trainer_set_int(t, SBI_OPT_NUM_TRANSFORMS, 2));
    assert_ok(sbi_trainer_set_int(t, SBI_OPT_NUM_BINS, 4));
    assert_ok(sbi_trainer_set_int(t, SBI_OPT_BATCH_SIZE, 50)); /* two shards of 25 */
    assert_ok(sbi_trainer_set_int(t, SBI_OPT_MAX_EPOCHS, 3));
    assert_ok(sbi_trainer_set_int(t, SBI_OPT_THREADS, threads));
    double *th = malloc(sizeof(double) * 2 * (size_t)n), *x = malloc(sizeof(double) * 3 * (size_t)n);
    assert_non_null(th);
    assert_non_null(x);
    struct sbi_rng r;
    sbi__rng_init(&r, 11, 0);
    for (int64_t i = 0; i < n; i++) {
        th[2 * i] = sbi__rng_normal(&r);
        th[2 * i + 1] = sbi__rng_normal(&r);
        x[3 * i] = th[2 * i] + 0.3 * sbi__rng_normal(&r);
        x[3 * i + 1] = th[2 * i + 1] + 0.3 * sbi__rng_normal(&r);
        x[3 * i + 2] = th[2 * i] * th[2 * i + 1] + 0.3 * sbi__rng_normal(&r);
    }
    assert_ok(sbi_trainer_append(t, n, th, 3, x));
    free(th);
    free(x);
    return t;
}

static void test_option_range_and_getter(void **state)
{
    (void)state;
    sbi_prior *prior = gauss_prior2();
    sbi_trainer *t = NULL;
    assert_ok(sbi_trainer_create(&t, prior, SBI_ESTIMATOR_NSF));
    sbi_prior_free(prior);
    int64_t v = 0;
    assert_ok(sbi_trainer_get_int(t, SBI_OPT_THREADS, &v));
    assert_int_equal(v, 1); /* the default */
    assert_ok(sbi_trainer_set_int(t, SBI_OPT_THREADS, 2));
    assert_ok(sbi_trainer_get_int(t, SBI_OPT_THREADS, &v));
    assert_int_equal(v, 2);
    assert_ok(sbi_trainer_set_int(t, SBI_OPT_THREADS, 64));
    assert_ok(sbi_trainer_get_int(t, SBI_OPT_THREADS, &v));
    assert_int_equal(v, 64);
    assert_ok(sbi_trainer_set_int(t, SBI_OPT_THREADS, 1));
    const int64_t bad[] = {0, -1, 65, INT64_MAX};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_status(sbi_trainer_set_int(t, SBI_OPT_THREADS, bad[i]), SBI_EINVAL);
        assert_non_null(strstr(sbi_last_error(), "threads="));
        assert_non_null(strstr(sbi_last_error(), "out of range [1, 64]"));
    }
    /* A rejected value leaves the old one. */
    assert_ok(sbi_trainer_get_int(t, SBI_OPT_THREADS, &v));
    assert_int_equal(v, 1);
    /* An integer option: the double accessors refuse it. */
    double d;
    assert_status(sbi_trainer_set_double(t, SBI_OPT_THREADS, 2.0), SBI_EINVAL);
    assert_non_null(strstr(sbi_last_error(), "threads"));
    assert_status(sbi_trainer_get_double(t, SBI_OPT_THREADS, &d), SBI_EINVAL);
    sbi_trainer_free(t);
}

/* Train the same rows with 1 and 2 threads: the trained estimator carries the
 * option, and the saved posteriors and samples are identical. */
static void check_same_for_threads(int32_t kind)
{
    sbi_trainer *a = small_trainer(kind, 300, 1), *b = small_trainer(kind, 300, 2);
    assert_ok(sbi_trainer_train(a, 5));
    assert_ok(sbi_trainer_train(b, 5));
    assert_int_equal(a->est->threads, 1);
    assert_int_equal(b->est->threads, 2); /* the option reached the estimator */
    double la, lb;
    assert_ok(sbi_trainer_result(a, NULL, &la));
    assert_ok(sbi_trainer_result(b, NULL, &lb));
    assert_true(la == lb);

    sbi_posterior *pa = NULL, *pb = NULL;
    assert_ok(sbi_trainer_build_posterior(a, &pa));
    assert_ok(sbi_trainer_build_posterior(b, &pb));
    void *ba = NULL, *bb = NULL;
    size_t na = 0, nb = 0;
    assert_ok(sbi_posterior_save_mem(pa, &ba, &na));
    assert_ok(sbi_posterior_save_mem(pb, &bb, &nb));
    assert_int_equal(na, nb);
    assert_memory_equal(ba, bb, na);

    sbi_rng *ra = NULL, *rb = NULL;
    assert_ok(sbi_rng_create(&ra, 9, 0));
    assert_ok(sbi_rng_create(&rb, 9, 0));
    const double x[3] = {0.5, -0.5, -0.25};
    double sa[2 * 200], sb[2 * 200];
    assert_ok(sbi_posterior_sample(pa, ra, x, 200, sa));
    assert_ok(sbi_posterior_sample(pb, rb, x, 200, sb));
    assert_memory_equal(sa, sb, sizeof sa);

    /* Another seed trains other weights: the comparison above can fail. */
    assert_ok(sbi_trainer_train(b, 6));
    sbi_posterior *pc = NULL;
    void *bc = NULL;
    size_t nc = 0;
    assert_ok(sbi_trainer_build_posterior(b, &pc));
    assert_ok(sbi_posterior_save_mem(pc, &bc, &nc));
    assert_true(nc != na || memcmp(ba, bc, na) != 0);

    sbi_free(ba);
    sbi_free(bb);
    sbi_free(bc);
    sbi_rng_free(ra);
    sbi_rng_free(rb);
    sbi_posterior_free(pa);
    sbi_posterior_free(pb);
    sbi_posterior_free(pc);
    sbi_trainer_free(a);
    sbi_trainer_free(b);
}

static void test_nsf_two_threads_equal_one(void **state)
{
    (void)state;
    check_same_for_threads(SBI_ESTIMATOR_NSF);
}

static void test_maf_two_threads_equal_one(void **state)
{
    (void)state;
    check_same_for_threads(SBI_ESTIMATOR_MAF);
}

static void test_mdn_two_threads_equal_one(void **state)
{
    (void)state;
    check_same_for_threads(SBI_ESTIMATOR_MDN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_option_range_and_getter),
        cmocka_unit_test(test_nsf_two_threads_equal_one),
        cmocka_unit_test(test_maf_two_threads_equal_one),
        cmocka_unit_test(test_mdn_two_threads_equal_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
