/* NSF estimator: the residual conditioner's gradients, the NLL gradient and
 * d log q / d theta against finite differences (d = 1, 2, 3), normalisation
 * on a grid (1-D, 2-D), samples against the grid's moments, the coupling
 * structure and the identity start of the LU layers. */
#include "flow_testing.h"
#include "estimators/resnet.h"

typedef struct resnet_ctx {
    const sbi__resnet *r;
    sbi__resnet_ws *ws;
    int64_t n;
    double *u;
    const double *x, *wout;
    const double *params;
} resnet_ctx;

/* f = sum_k wout_k out_k, as a function of the parameters or of u. */
static int resnet_value(void *vctx, const double *v, double *value)
{
    resnet_ctx *c = vctx;
    (void)v;
    const double *out = sbi__resnet_forward(c->r, c->params, c->n, c->u, c->x, 0, c->ws);
    double s = 0.0;
    for (int64_t k = 0; k < c->n * c->r->out; k++) s += c->wout[k] * out[k];
    *value = s;
    return SBI_OK;
}

static void test_resnet_gradients(void **state)
{
    (void)state;
    for (int32_t c = 0; c <= 3; c += 3) {
        sbi__resnet r;
        sbi__resnet_ws ws = {0};
        const int64_t n = 5;
        assert_ok(sbi__resnet_init(&r, 2, c, 7, 2, 4, 3)); /* param_off 3: offsets respected */
        int64_t np = r.param_off + r.n_params;
        double *p = calloc((size_t)np, sizeof(double)), *g = calloc((size_t)np, sizeof(double));
        double u[5 * 2], x[5 * 3], wout[5 * 4], du[5 * 2];
        struct sbi_rng rng;
        sbi__rng_init(&rng, 21, 0);
        sbi__resnet_init_params(&r, p, &rng);
        for (int64_t i = r.param_off; i < np; i++) p[i] += 0.3 * sbi__rng_normal(&rng);
        for (int i = 0; i < 10; i++) u[i] = sbi__rng_normal(&rng);
        for (int i = 0; i < 15; i++) x[i] = sbi__rng_normal(&rng);
        for (int i = 0; i < 20; i++) wout[i] = sbi__rng_normal(&rng);
        assert_ok(sbi__resnet_ws_reserve(&ws, &r, n));
        sbi__resnet_forward(&r, p, n, u, x, 0, &ws);
        sbi__resnet_backward(&r, p, n, x, &ws, wout, g, du);
        resnet_ctx ctx = {&r, &ws, n, u, x, wout, p};
        double e1 = sbi__gradcheck(resnet_value, &ctx, p + r.param_off, r.n_params,
                                   g + r.param_off, 1e-6, NULL, NULL);
        double e2 = sbi__gradcheck(resnet_value, &ctx, u, n * 2, du, 1e-6, NULL, NULL);
        print_message("resnet (x_dim %d): parameter gradient error %.3g, input %.3g\n", (int)c, e1,
                      e2);
        assert_true(e1 < 1e-7 && e2 < 1e-7);
        /* A broadcast context equals the context repeated per row. */
        double xr[5 * 3], o1[5 * 4];
        for (int k = 0; k < 5; k++) memcpy(xr + 3 * k, x, sizeof(double) * 3);
        memcpy(o1, sbi__resnet_forward(&r, p, n, u, xr, 0, &ws), sizeof o1);
        const double *o2 = sbi__resnet_forward(&r, p, n, u, x, 1, &ws);
        for (int i = 0; i < 20; i++) assert_close(o2[i], o1[i], 1e-15, 1e-15);
        free(p);
        free(g);
        sbi__resnet_ws_destroy(&ws);
        sbi__resnet_destroy(&r);
    }
}

static void test_nsf_nll_gradient(void **state)
{
    (void)state;
    /* theta_scale 2: rows fall both inside the spline interval and in the tails. */
    const int32_t dims[] = {1, 2, 3};
    for (int k = 0; k < 3; k++) {
        sbi__estimator_config cfg = flow_config(SBI_ESTIMATOR_NSF, dims[k], 2, 8, 2, 3, 5);
        sbi__estimator *e = flow_make(&sbi__nsf_ops, &cfg, 10 + (uint64_t)k, 0.3);
        assert_true(flow_check_nll_grad(e, 7, 5, 2.0) < 1e-6);
        flow_free(e);
    }
}

static void test_nsf_grad_theta(void **state)
{
    (void)state;
    const int32_t dims[] = {1, 4};
    for (int k = 0; k < 2; k++) {
        sbi__estimator_config cfg = flow_config(SBI_ESTIMATOR_NSF, dims[k], 3, 10, 2, 3, 8);
        sbi__estimator *e = flow_make(&sbi__nsf_ops, &cfg, 3, 0.3);
        assert_true(flow_check_grad_theta(e, 9, 4) < 1e-6);
        flow_free(e);
    }
}

static void test_nsf_normalised(void **state)
{
    (void)state;
    double x[2] = {0.3, -1.2}, mean[2], sec[4];
    sbi__estimator_config cfg = flow_config(SBI_ESTIMATOR_NSF, 1, 2, 12, 2, 3, 10);
    sbi__estimator *e = flow_make(&sbi__nsf_ops, &cfg, 4, 0.5);
    double mass = flow_grid_moments(e, x, 30.0, 12000, mean, sec);
    print_message("nsf 1-D mass %.6f\n", mass);
    assert_close(mass, 1.0, 0.0, 1e-4);
    flow_free(e);
    cfg = flow_config(SBI_ESTIMATOR_NSF, 2, 2, 12, 2, 3, 10);
    e = flow_make(&sbi__nsf_ops, &cfg, 5, 0.3);
    mass = flow_grid_moments(e, x, 25.0, 600, mean, sec);
    print_message("nsf 2-D mass %.6f\n", mass);
    assert_close(mass, 1.0, 0.0, 2e-3);
    flow_free(e);
}

static void test_nsf_samples_match_density(void **state)
{
    (void)state;
    double x[2] = {-0.5, 0.8};
    sbi__estimator_config cfg = flow_config(SBI_ESTIMATOR_NSF, 2, 2, 12, 2, 3, 10);
    sbi__estimator *e = flow_make(&sbi__nsf_ops, &cfg, 6, 0.3);
    flow_check_sample_moments(e, x, 40000, 25.0, 600, 5.0);
    flow_free(e);
    cfg = flow_config(SBI_ESTIMATOR_NSF, 1, 2, 12, 2, 3, 10);
    e = flow_make(&sbi__nsf_ops, &cfg, 7, 0.5);
    flow_check_sample_moments(e, x, 40000, 30.0, 12000, 5.0);
    flow_free(e);
}

/* Outside [-3, 3]^d every spline is the identity (linear tails) and a fresh
 * LU layer is the identity, so a fresh NSF's log q there is exactly the
 * standard normal's: a known answer. Inside, the splines already bend (the
 * conditioner's default init gives random knots, as in nflows). */
static void test_nsf_identity_outside_tails(void **state)
{
    (void)state;
    sbi__estimator_config cfg = flow_config(SBI_ESTIMATOR_NSF, 3, 2, 50, 2, 5, 10);
    sbi__estimator *e = flow_make(&sbi__nsf_ops, &cfg, 8, 0.0);
    double theta[3 * 4] = {3.5, -4, 3.01, -3.2, 7, 5, 4, 4, -9, 3.3, -3.3, 3.3};
    double x[2 * 4] = {0.3, 1, -2, 0.5, 0, 0, 1, 1}, lp[4];
    assert_ok(e->ops->log_prob(e, 4, theta, x, lp));
    for (int k = 0; k < 4; k++) {
        double ref = 0.0;
        for (int i = 0; i < 3; i++) ref += -0.5 * theta[3 * k + i] * theta[3 * k + i];
        ref -= 1.5 * log(2 * M_PI);
        assert_close(lp[k], ref, 1e-13, 1e-13);
    }
    /* A point inside is moved: not the standard normal any more. */
    double in[3] = {0.5, -0.2, 1.0}, lpi;
    assert_ok(e->ops->log_prob(e, 1, in, x, &lpi));
    assert_true(fabs(lpi - (-0.5 * 1.29 - 1.5 * log(2 * M_PI))) > 1e-6);
    flow_free(e);
}

/* Batches of 32 rows or more run as two shards (optionally on two threads):
 * the gradient is still exact and does not depend on the thread count. */
static void test_nsf_two_shards(void **state)
{
    (void)state;
    sbi__estimator_config cfg = flow_config(SBI_ESTIMATOR_NSF, 2, 3, 6, 2, 2, 4);
    sbi__estimator *e = flow_make(&sbi__nsf_ops, &cfg, 31, 0.3);
    assert_true(flow_check_nll_grad(e, 40, 8, 1.5) < 1e-6);
    flow_check_threads(e, 40, 9);
    flow_check_threads(e, 201, 10);
    flow_free(e);
}

static void test_nsf_allocation_failures(void **state)
{
    (void)state;
    flow_check_allocation_failures(SBI_ESTIMATOR_NSF, 1);
    flow_check_allocation_failures(SBI_ESTIMATOR_NSF, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nsf_allocation_failures),
        cmocka_unit_test(test_nsf_two_shards),
        cmocka_unit_test(test_resnet_gradients),
        cmocka_unit_test(test_nsf_nll_gradient),
        cmocka_unit_test(test_nsf_grad_theta),
        cmocka_unit_test(test_nsf_normalised),
        cmocka_unit_test(test_nsf_samples_match_density),
        cmocka_unit_test(test_nsf_identity_outside_tails),
    };
    return cmocka_run_group_tests_name("flows_nsf", tests, NULL, NULL);
}
