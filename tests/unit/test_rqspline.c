/* Rational-quadratic spline: inverse(forward(x)) == x, log|det| against
 * finite differences of the map, parameter and input gradients against
 * finite differences, identity tails with a continuous slope, the identity
 * spline as a known answer, monotonicity and the knot end points. */
#include "sbi_test.h"
#include "estimators/rqspline.h"
#include "rng/rng_internal.h"

enum { K = 10 };
#define BOUND 3.0

/* Random unnormalised parameters of a fairly wiggly spline. */
static void random_params(struct sbi_rng *r, int32_t np, double scale, double *p)
{
    for (int32_t i = 0; i < np; i++) p[i] = scale * sbi__rng_normal(r);
}

static double fwd_y(const sbi__rqs *s, const double *p, double x)
{
    double y, l;
    sbi__rqs_forward(s, p, x, &y, &l);
    return y;
}

static void test_inverse_of_forward(void **state)
{
    (void)state;
    sbi__rqs s;
    sbi__rqs_default(&s, K, BOUND);
    struct sbi_rng r;
    sbi__rng_init(&r, 1, 0);
    double p[3 * K - 1];
    /* The inverse is ill-conditioned where f' is tiny (dx = dy / f'), so the
     * error is also measured in y units: |x' - x| f'(x). */
    double worst = 0.0, worst_y = 0.0, worst_ld = 0.0;
    for (int trial = 0; trial < 50; trial++) {
        random_params(&r, 3 * K - 1, 2.0, p);
        for (int i = 0; i <= 400; i++) {
            double x = -4.0 + 8.0 * i / 400.0, y, ld, xb, ldb;
            sbi__rqs_forward(&s, p, x, &y, &ld);
            sbi__rqs_inverse(&s, p, y, &xb, &ldb);
            if (fabs(xb - x) > worst) worst = fabs(xb - x);
            if (fabs(xb - x) * exp(ld) > worst_y) worst_y = fabs(xb - x) * exp(ld);
            if (fabs(ld + ldb) > worst_ld) worst_ld = fabs(ld + ldb);
        }
    }
    print_message("max |inverse(forward(x)) - x| = %.3g (%.3g in y units), "
                  "max |ld_f + ld_inv| = %.3g\n",
                  worst, worst_y, worst_ld);
    assert_true(worst < 1e-9);
    assert_true(worst_y < 1e-12);
    assert_true(worst_ld < 1e-10);
}

static void test_logdet_matches_finite_differences(void **state)
{
    (void)state;
    sbi__rqs s;
    sbi__rqs_default(&s, K, BOUND);
    struct sbi_rng r;
    sbi__rng_init(&r, 2, 0);
    double p[3 * K - 1];
    for (int trial = 0; trial < 20; trial++) {
        random_params(&r, 3 * K - 1, 1.5, p);
        for (int i = 0; i < 50; i++) {
            double x = -3.5 + 7.0 * sbi__rng_uniform(&r), y, ld;
            sbi__rqs_forward(&s, p, x, &y, &ld);
            double h = 1e-6;
            /* The spline is C1, so a central difference is accurate even
             * across a knot (error O(h) there, O(h^2) elsewhere). */
            double fd = (fwd_y(&s, p, x + h) - fwd_y(&s, p, x - h)) / (2.0 * h);
            assert_close(ld, log(fd), 0.0, 1e-6);
        }
    }
}

/* Random upstream gradients; L = gy*y + gl*logdet. */
static double loss(const sbi__rqs *s, const double *p, double x, double gy, double gl)
{
    double y, ld;
    sbi__rqs_forward(s, p, x, &y, &ld);
    return gy * y + gl * ld;
}

static void test_gradients_match_finite_differences(void **state)
{
    (void)state;
    sbi__rqs s;
    sbi__rqs_default(&s, K, BOUND);
    struct sbi_rng r;
    sbi__rng_init(&r, 3, 0);
    double p[3 * K - 1], gp[3 * K - 1], pp[3 * K - 1];
    double worst = 0.0;
    for (int trial = 0; trial < 40; trial++) {
        random_params(&r, 3 * K - 1, 1.5, p);
        double x = -3.3 + 6.6 * sbi__rng_uniform(&r);
        double gy = sbi__rng_normal(&r), gl = sbi__rng_normal(&r);
        double gx = sbi__rqs_backward(&s, p, x, gy, gl, gp);
        double h = 1e-6;
        double fdx = (loss(&s, p, x + h, gy, gl) - loss(&s, p, x - h, gy, gl)) / (2 * h);
        assert_close(gx, fdx, 1e-6, 1e-7);
        for (int j = 0; j < 3 * K - 1; j++) {
            memcpy(pp, p, sizeof p);
            pp[j] = p[j] + h;
            double lp = loss(&s, pp, x, gy, gl);
            pp[j] = p[j] - h;
            double lm = loss(&s, pp, x, gy, gl);
            double fd = (lp - lm) / (2 * h);
            double err = fabs(gp[j] - fd) / (1e-7 + fabs(fd));
            if (fabs(gp[j] - fd) > 1e-8 && err > worst) worst = err;
            assert_close(gp[j], fd, 1e-5, 1e-8);
        }
    }
    print_message("worst relative gradient error (above 1e-8 absolute): %.3g\n", worst);
}

/* The cached pair gives exactly the uncached results. */
static void test_cached_equals_uncached(void **state)
{
    (void)state;
    sbi__rqs s;
    sbi__rqs_default(&s, K, BOUND);
    struct sbi_rng r;
    sbi__rng_init(&r, 8, 0);
    double p[3 * K - 1], g1[3 * K - 1], g2[3 * K - 1], cache[2 * K + 8];
    assert_int_equal(sbi__rqs_cache_size(&s), 2 * K + 8);
    for (int trial = 0; trial < 200; trial++) {
        random_params(&r, 3 * K - 1, 1.5, p);
        double x = -4.0 + 8.0 * sbi__rng_uniform(&r), y1, l1, y2, l2;
        double gy = sbi__rng_normal(&r), gl = sbi__rng_normal(&r);
        sbi__rqs_forward(&s, p, x, &y1, &l1);
        sbi__rqs_forward_cached(&s, p, x, &y2, &l2, cache);
        assert_true(y1 == y2 && l1 == l2);
        double a = sbi__rqs_backward(&s, p, x, gy, gl, g1);
        double b = sbi__rqs_backward_cached(&s, p, x, cache, gy, gl, g2);
        assert_true(a == b);
        assert_memory_equal(g1, g2, sizeof g1);
    }
}

static void test_tails_are_identity(void **state)
{
    (void)state;
    sbi__rqs s;
    sbi__rqs_default(&s, K, BOUND);
    struct sbi_rng r;
    sbi__rng_init(&r, 4, 0);
    double p[3 * K - 1], gp[3 * K - 1];
    random_params(&r, 3 * K - 1, 2.0, p);
    const double xs[] = {-100.0, -3.0000001, 3.0000001, 7.5};
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        double y, ld, xb, ldb;
        sbi__rqs_forward(&s, p, xs[i], &y, &ld);
        assert_true(y == xs[i] && ld == 0.0);
        sbi__rqs_inverse(&s, p, xs[i], &xb, &ldb);
        assert_true(xb == xs[i] && ldb == 0.0);
        assert_true(sbi__rqs_backward(&s, p, xs[i], 0.7, 0.3, gp) == 0.7);
        for (int j = 0; j < 3 * K - 1; j++) assert_true(gp[j] == 0.0);
    }
    /* The knots end at (+-B, +-B) with slope 1: value and slope continuous. */
    double y, ld;
    sbi__rqs_forward(&s, p, -BOUND, &y, &ld);
    assert_close(y, -BOUND, 0.0, 1e-12);
    assert_close(ld, 0.0, 0.0, 1e-9);
    sbi__rqs_forward(&s, p, BOUND, &y, &ld);
    assert_close(y, BOUND, 0.0, 1e-12);
    assert_close(ld, 0.0, 0.0, 1e-9);
}

static void test_identity_spline_known_answer(void **state)
{
    (void)state;
    /* Equal widths and heights and interior derivatives softplus^-1(1 - 1e-3)
     * + 1e-3 = 1 give the identity map. */
    sbi__rqs s;
    sbi__rqs_default(&s, K, BOUND);
    double p[3 * K - 1];
    for (int j = 0; j < 2 * K; j++) p[j] = 0.25;
    for (int j = 2 * K; j < 3 * K - 1; j++) p[j] = log(expm1(1.0 - 1e-3));
    for (int i = 0; i <= 60; i++) {
        double x = -3.0 + 6.0 * i / 60.0, y, ld;
        sbi__rqs_forward(&s, p, x, &y, &ld);
        assert_close(y, x, 0.0, 1e-12);
        assert_close(ld, 0.0, 0.0, 1e-12);
    }
}

static void test_monotone_and_other_bins(void **state)
{
    (void)state;
    struct sbi_rng r;
    sbi__rng_init(&r, 5, 0);
    const int32_t bins[] = {2, 3, 8, 10, 20};
    for (size_t b = 0; b < sizeof bins / sizeof bins[0]; b++) {
        sbi__rqs s;
        sbi__rqs_default(&s, bins[b], 2.0);
        double p[3 * 20 - 1];
        int32_t np = sbi__rqs_num_params(&s);
        assert_int_equal(np, 3 * bins[b] - 1);
        random_params(&r, np, 3.0, p);
        double prev = -INFINITY;
        for (int i = 0; i <= 2000; i++) {
            double x = -2.5 + 5.0 * i / 2000.0, y, ld, xb, ldb;
            sbi__rqs_forward(&s, p, x, &y, &ld);
            assert_true(y > prev);
            prev = y;
            sbi__rqs_inverse(&s, p, y, &xb, &ldb);
            assert_close(xb, x, 0.0, 1e-11);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inverse_of_forward),
        cmocka_unit_test(test_logdet_matches_finite_differences),
        cmocka_unit_test(test_gradients_match_finite_differences),
        cmocka_unit_test(test_cached_equals_uncached),
        cmocka_unit_test(test_tails_are_identity),
        cmocka_unit_test(test_identity_spline_known_answer),
        cmocka_unit_test(test_monotone_and_other_bins),
    };
    return cmocka_run_group_tests_name("rqspline", tests, NULL, NULL);
}
