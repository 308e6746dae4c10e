/* Flows end to end through the public API: training on two-moons data
 * (simulated here) where the spline flow must beat the MDN's held-out NLL,
 * the trainer options reaching the flow's shape, and the posterior file round
 * trip (save -> load gives the same samples and densities bit for bit). */
#include <time.h>

#include "sbi_test.h"

enum { N_TRAIN = 1000, N_TEST = 1000 };

/* sbibm two_moons: theta ~ U[-1,1]^2, a ~ U(-pi/2, pi/2), r ~ N(0.1, 0.01^2),
 * x = (r cos a + 0.25 - |t0 + t1|/sqrt2, r sin a + (t1 - t0)/sqrt2). */
static void two_moons(sbi_rng *rng, int64_t n, double *theta, double *x)
{
    assert_ok(sbi_rng_uniform(rng, 2 * n, theta));
    for (int64_t i = 0; i < 2 * n; i++) theta[i] = 2.0 * theta[i] - 1.0;
    for (int64_t i = 0; i < n; i++) {
        double u, z;
        assert_ok(sbi_rng_uniform(rng, 1, &u));
        assert_ok(sbi_rng_normal(rng, 1, &z));
        double a = M_PI * (u - 0.5), r = 0.1 + 0.01 * z;
        double t0 = theta[2 * i], t1 = theta[2 * i + 1];
        x[2 * i] = r * cos(a) + 0.25 - fabs(t0 + t1) / sqrt(2.0);
        x[2 * i + 1] = r * sin(a) + (t1 - t0) / sqrt(2.0);
    }
}

static sbi_prior *box_prior(void)
{
    const double lo[2] = {-1, -1}, hi[2] = {1, 1};
    sbi_prior *p = NULL;
    assert_ok(sbi_prior_create_box_uniform(&p, 2, lo, hi));
    return p;
}

/* Train one estimator kind and return its posterior. */
static sbi_posterior *train(int32_t kind, const sbi_prior *prior, int64_t n, const double *theta,
                            const double *x, int64_t max_epochs, int64_t hidden,
                            int64_t transforms, double *seconds)
{
    sbi_trainer *t = NULL;
    assert_ok(sbi_trainer_create(&t, prior, kind));
    assert_ok(sbi_trainer_set_int(t, SBI_OPT_MAX_EPOCHS, max_epochs));
    assert_ok(sbi_trainer_set_int(t, SBI_OPT_HIDDEN_FEATURES, hidden));
    assert_ok(sbi_trainer_set_int(t, SBI_OPT_NUM_TRANSFORMS, transforms));
    assert_ok(sbi_trainer_append(t, n, theta, 2, x));
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    assert_ok(sbi_trainer_train(t, 7));
    clock_gettime(CLOCK_MONOTONIC, &b);
    if (seconds) *seconds = (double)(b.tv_sec - a.tv_sec) + 1e-9 * (double)(b.tv_nsec - a.tv_nsec);
    sbi_posterior *p = NULL;
    assert_ok(sbi_trainer_build_posterior(t, &p));
    int32_t k;
    assert_ok(sbi_posterior_estimator(p, &k));
    assert_int_equal(k, kind);
    sbi_trainer_free(t);
    return p;
}

static double test_nll(const sbi_posterior *p, const double *theta, const double *x)
{
    double s = 0.0;
    for (int i = 0; i < N_TEST; i++) {
        double lp;
        assert_ok(sbi_posterior_log_prob(p, NULL, x + 2 * i, 1, theta + 2 * i, &lp));
        s -= lp / N_TEST;
    }
    return s;
}

static void test_spline_flow_beats_mdn_on_two_moons(void **state)
{
    (void)state;
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, 11, 0));
    double *theta = malloc(sizeof(double) * 2 * (N_TRAIN + N_TEST));
    double *x = malloc(sizeof(double) * 2 * (N_TRAIN + N_TEST));
    two_moons(rng, N_TRAIN + N_TEST, theta, x);
    sbi_prior *prior = box_prior();
    const double *tt = theta + 2 * N_TRAIN, *tx = x + 2 * N_TRAIN;
    double sec[3], nll[3];
    const int32_t kinds[3] = {SBI_ESTIMATOR_MDN, SBI_ESTIMATOR_MAF, SBI_ESTIMATOR_NSF};
    for (int k = 0; k < 3; k++) {
        /* Epoch caps keep the test to seconds (MAF is only checked to work). */
        const int64_t cap = kinds[k] == SBI_ESTIMATOR_MAF ? 30 : 100;
        sbi_posterior *p = train(kinds[k], prior, N_TRAIN, theta, x, cap, 50, 5, &sec[k]);
        nll[k] = test_nll(p, tt, tx);
        print_message("%s: held-out NLL %.4f after %.2f s of training\n",
                      sbi_estimator_name(kinds[k]), nll[k], sec[k]);
        sbi_posterior_free(p);
    }
    /* The crescents need a flexible density: the spline flow must do clearly
     * better than the 10-component MDN (observed margin about 0.2 nats). */
    assert_true(nll[2] < nll[0] - 0.1);
    /* MAF is trained and usable (it is known to be weaker than NSF here: the
     * published C2ST of MAF on two_moons is 0.87 vs 0.73 for NSF at 10^3). */
    assert_true(isfinite(nll[1]) && nll[1] < 0.0);
    sbi_prior_free(prior);
    sbi_rng_free(rng);
    free(theta);
    free(x);
}

static void test_posterior_file_round_trip(void **state)
{
    (void)state;
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, 12, 0));
    double theta[2 * 300], x[2 * 300];
    two_moons(rng, 300, theta, x);
    sbi_prior *prior = box_prior();
    const int32_t kinds[2] = {SBI_ESTIMATOR_MAF, SBI_ESTIMATOR_NSF};
    for (int k = 0; k < 2; k++) {
        sbi_posterior *p = train(kinds[k], prior, 300, theta, x, 3, 8, 2, NULL);
        void *buf = NULL;
        size_t len = 0;
        assert_ok(sbi_posterior_save_mem(p, &buf, &len));
        sbi_posterior *q = NULL;
        assert_ok(sbi_posterior_load_mem(&q, buf, len));
        int32_t kind;
        assert_ok(sbi_posterior_estimator(q, &kind));
        assert_int_equal(kind, kinds[k]);
        double xo[2] = {0.1, -0.05}, s1[2 * 50], s2[2 * 50], l1[50], l2[50];
        sbi_rng *r1 = NULL, *r2 = NULL;
        assert_ok(sbi_rng_create(&r1, 5, 0));
        assert_ok(sbi_rng_create(&r2, 5, 0));
        assert_ok(sbi_posterior_sample(p, r1, xo, 50, s1));
        assert_ok(sbi_posterior_sample(q, r2, xo, 50, s2));
        assert_memory_equal(s1, s2, sizeof s1);
        assert_ok(sbi_posterior_log_prob(p, NULL, xo, 50, s1, l1));
        assert_ok(sbi_posterior_log_prob(q, NULL, xo, 50, s1, l2));
        assert_memory_equal(l1, l2, sizeof l1);
        /* Saving the loaded posterior gives the same bytes. */
        void *buf2 = NULL;
        size_t len2 = 0;
        assert_ok(sbi_posterior_save_mem(q, &buf2, &len2));
        assert_int_equal(len2, len);
        assert_memory_equal(buf, buf2, len);
        sbi_free(buf);
        sbi_free(buf2);
        sbi_rng_free(r1);
        sbi_rng_free(r2);
        sbi_posterior_free(p);
        sbi_posterior_free(q);
    }
    sbi_prior_free(prior);
    sbi_rng_free(rng);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_posterior_file_round_trip),
        cmocka_unit_test(test_spline_flow_beats_mdn_on_two_moons),
    };
    return cmocka_run_group_tests_name("flows_fit", tests, NULL, NULL);
}
