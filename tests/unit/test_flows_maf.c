/* MAF estimator: NLL gradient and d log q / d theta against finite
 * differences, normalisation on a grid (1-D, 2-D), samples against the
 * grid's moments, the autoregressive structure, and the d = 1 case. */
#include "flow_testing.h"
#include "estimators/made.h"

static void test_maf_nll_gradient(void **state)
{
    (void)state;
    sbi__estimator_config cfg = flow_config(SBI_ESTIMATOR_MAF, 3, 2, 8, 2, 3, 10);
    sbi__estimator *e = flow_make(&sbi__maf_ops, &cfg, 1, 0.3);
    assert_true(flow_check_nll_grad(e, 7, 5, 1.5) < 1e-6);
    flow_free(e);
    /* d = 1: the MADE input mask is empty, the output depends on x only. */
    cfg = flow_config(SBI_ESTIMATOR_MAF, 1, 3, 6, 1, 2, 10);
    e = flow_make(&sbi__maf_ops, &cfg, 2, 0.3);
    assert_true(flow_check_nll_grad(e, 5, 6, 1.5) < 1e-6);
    flow_free(e);
}

static void test_maf_grad_theta(void **state)
{
    (void)state;
    sbi__estimator_config cfg = flow_config(SBI_ESTIMATOR_MAF, 4, 3, 10, 2, 3, 10);
    sbi__estimator *e = flow_make(&sbi__maf_ops, &cfg, 3, 0.3);
    assert_true(flow_check_grad_theta(e, 9, 4) < 1e-6);
    flow_free(e);
}

static void test_maf_normalised(void **state)
{
    (void)state;
    double x[2] = {0.3, -1.2}, mean[2], sec[4];
    sbi__estimator_config cfg = flow_config(SBI_ESTIMATOR_MAF, 1, 2, 12, 2, 3, 10);
    sbi__estimator *e = flow_make(&sbi__maf_ops, &cfg, 4, 0.15);
    double mass = flow_grid_moments(e, x, 30.0, 6000, mean, sec);
    print_message("maf 1-D mass %.6f\n", mass);
    assert_close(mass, 1.0, 0.0, 1e-4);
    flow_free(e);
    cfg = flow_config(SBI_ESTIMATOR_MAF, 2, 2, 12, 2, 3, 10);
    e = flow_make(&sbi__maf_ops, &cfg, 5, 0.15);
    mass = flow_grid_moments(e, x, 25.0, 500, mean, sec);
    print_message("maf 2-D mass %.6f\n", mass);
    assert_close(mass, 1.0, 0.0, 2e-3);
    flow_free(e);
}

static void test_maf_samples_match_density(void **state)
{
    (void)state;
    double x[2] = {-0.5, 0.8};
    sbi__estimator_config cfg = flow_config(SBI_ESTIMATOR_MAF, 2, 2, 12, 2, 3, 10);
    sbi__estimator *e = flow_make(&sbi__maf_ops, &cfg, 6, 0.15);
    flow_check_sample_moments(e, x, 40000, 25.0, 500, 5.0);
    flow_free(e);
    cfg = flow_config(SBI_ESTIMATOR_MAF, 1, 2, 12, 2, 3, 10);
    e = flow_make(&sbi__maf_ops, &cfg, 7, 0.15);
    flow_check_sample_moments(e, x, 40000, 30.0, 6000, 5.0);
    flow_free(e);
}

/* The MADE's outputs 2i, 2i+1 depend on u[0..i-1] (and x) only, and do
 * depend on each of them. */
static void test_made_is_autoregressive(void **state)
{
    (void)state;
    const int32_t d = 5, c = 2, hidden = 11;
    sbi__made_masks mk;
    sbi__made m;
    sbi__made_ws ws = {0};
    assert_ok(sbi__made_masks_create(&mk, d, hidden));
    assert_ok(sbi__made_init(&m, d, c, hidden, 2, &mk, 0));
    double *p = calloc((size_t)m.n_params, sizeof(double));
    struct sbi_rng r;
    sbi__rng_init(&r, 9, 0);
    sbi__made_init_params(&m, p, &r);
    assert_ok(sbi__made_ws_reserve(&ws, &m, 1));
    double u[5], x[2] = {0.1, -0.7}, base[10], out[10];
    for (int i = 0; i < d; i++) u[i] = sbi__rng_normal(&r);
    sbi__made_context(&m, p, 1, x, &ws);
    memcpy(base, sbi__made_forward(&m, p, 1, u, 0, &ws), sizeof base);
    for (int32_t j = 0; j < d; j++) {
        double save = u[j];
        u[j] = save + 0.5;
        memcpy(out, sbi__made_forward(&m, p, 1, u, 0, &ws), sizeof out);
        u[j] = save;
        for (int32_t i = 0; i < d; i++)
            for (int k = 0; k < 2; k++) {
                int changed = out[2 * i + k] != base[2 * i + k];
                assert_int_equal(changed, j < i);
            }
    }
    /* The context reaches every output but the first pair: in nflows' MADE
     * (d > 1) no hidden unit has degree 0, so dimension 0 of each transform
     * gets a constant scale and shift (the permutations mix it later). */
    x[1] += 0.5;
    sbi__made_context(&m, p, 1, x, &ws);
    memcpy(out, sbi__made_forward(&m, p, 1, u, 0, &ws), sizeof out);
    for (int i = 0; i < 2 * d; i++) assert_int_equal(out[i] != base[i], i >= 2);
    free(p);
    sbi__made_ws_destroy(&ws);
    sbi__made_destroy(&m);
    sbi__made_masks_destroy(&mk);
}

/* The structure seed fixes the permutations: a rebuilt estimator with the
 * same parameters samples the same values from the same stream; another
 * seed does not. */
static void test_maf_structure_seed(void **state)
{
    (void)state;
    sbi__estimator_config cfg = flow_config(SBI_ESTIMATOR_MAF, 4, 1, 9, 2, 2, 10);
    sbi__estimator *e = flow_make(&sbi__maf_ops, &cfg, 8, 0.5);
    sbi__estimator *e2 = flow_make(&sbi__maf_ops, &cfg, 8, 0.5);
    double x = 0.4, a[12], b[12];
    struct sbi_rng r;
    sbi__rng_init(&r, 1, 1);
    assert_ok(e->ops->sample(e, &x, 3, &r, a));
    sbi__rng_init(&r, 1, 1);
    assert_ok(e2->ops->sample(e2, &x, 3, &r, b));
    assert_memory_equal(a, b, sizeof a);
    flow_free(e2);
    cfg.structure_seed = 12345;
    e2 = flow_make(&sbi__maf_ops, &cfg, 8, 0.5);
    sbi__rng_init(&r, 1, 1);
    assert_ok(e2->ops->sample(e2, &x, 3, &r, b));
    assert_memory_not_equal(a, b, sizeof a);
    flow_free(e2);
    flow_free(e);
}

/* Batches of 32 rows or more run as two shards (optionally on two threads):
 * the gradient is still exact and does not depend on the thread count. */
static void test_maf_two_shards(void **state)
{
    (void)state;
    sbi__estimator_config cfg = flow_config(SBI_ESTIMATOR_MAF, 2, 3, 6, 2, 2, 4);
    sbi__estimator *e = flow_make(&sbi__maf_ops, &cfg, 31, 0.3);
    assert_true(flow_check_nll_grad(e, 40, 8, 1.5) < 1e-6);
    flow_check_threads(e, 40, 9);
    flow_check_threads(e, 201, 10);
    flow_free(e);
}

static void test_maf_allocation_failures(void **state)
{
    (void)state;
    flow_check_allocation_failures(SBI_ESTIMATOR_MAF, 1);
    flow_check_allocation_failures(SBI_ESTIMATOR_MAF, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_maf_allocation_failures),
        cmocka_unit_test(test_maf_two_shards),
        cmocka_unit_test(test_maf_nll_gradient),
        cmocka_unit_test(test_maf_grad_theta),
        cmocka_unit_test(test_maf_normalised),
        cmocka_unit_test(test_maf_samples_match_density),
        cmocka_unit_test(test_made_is_autoregressive),
        cmocka_unit_test(test_maf_structure_seed),
    };
    return cmocka_run_group_tests_name("flows_maf", tests, NULL, NULL);
}
