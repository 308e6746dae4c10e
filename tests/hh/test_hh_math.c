/* The HH kernels' arithmetic (lib/hh/hh_vecmath.h, one-lane build with
 * libm's fma): exp against NumPy's own outputs bit for bit, the division by
 * a known reciprocal against the division instruction, and pow(x, 3/4)
 * against libm's pow, each over many random arguments. */
#include "sbi_test.h"

#define HH_LANES 1
#include "hh_vecmath.h"
#include "np_exp_values.h"

/* xorshift64*: test inputs only */
static uint64_t rnd_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
    rnd_state ^= rnd_state >> 12;
    rnd_state ^= rnd_state << 25;
    rnd_state ^= rnd_state >> 27;
    return rnd_state * 2685821657736338717ull;
}
static double rnd_unit(void) { return (double)(rnd() >> 11) * 0x1.0p-53; }

static void test_exp_matches_numpy(void **state)
{
    (void)state;
    const size_t n = sizeof np_exp_values / sizeof np_exp_values[0];
    for (size_t i = 0; i < n; i++) {
        double got = vexp(np_exp_values[i][0]);
        if (memcmp(&got, &np_exp_values[i][1], sizeof got) != 0) {
            print_error("exp(%a) = %a, NumPy %a\n", np_exp_values[i][0], got, np_exp_values[i][1]);
            fail();
        }
    }
    /* Beyond SVML's fast range (|x| >= 707.7) the same formulas go on: inf,
     * 0, huge and subnormal values within an ulp of libm. */
    assert_true(isnan(vexp(NAN)));
    assert_close(vexp(INFINITY), INFINITY, 0, 0);
    assert_close(vexp(-INFINITY), 0.0, 0, 0);
    assert_close(vexp(709.8), INFINITY, 0, 0);
    assert_close(vexp(1e300), INFINITY, 0, 0);
    assert_close(vexp(-746.0), 0.0, 0, 0);
    assert_close(vexp(-1e300), 0.0, 0, 0);
    assert_close(vexp(708.0), exp(708.0), 3e-16, 0);
    assert_close(vexp(709.7), exp(709.7), 3e-16, 0);
    assert_close(vexp(-710.0), exp(-710.0), 3e-16, 0);
    assert_close(vexp(-740.0), exp(-740.0), 0.25, 0); /* subnormal: ~3 significant bits */
    assert_close(vexp(0.0), 1.0, 0, 0);
    /* Accuracy over the model's range: within 2 ulp of libm everywhere. */
    for (int i = 0; i < 200000; i++) {
        double x = -60.0 + 120.0 * rnd_unit(), e = exp(x);
        assert_close(vexp(x), e, 4.5e-16, 0);
    }
}

static void test_division_by_reciprocal(void **state)
{
    (void)state;
    /* Random quotients over 40 binades, and the model's constant divisors. */
    const double constants[] = {0.2, 18.0, 40.0, 0.1, 3.0, 7.0};
    for (int i = 0; i < 1000000; i++) {
        double a = ldexp(1.0 + rnd_unit(), (int)(rnd() % 40) - 20) * ((rnd() & 1) ? -1 : 1);
        double b = (i % 3 == 0) ? constants[rnd() % 6]
                                : ldexp(1.0 + rnd_unit(), (int)(rnd() % 40) - 20);
        double q = vdiv_recip(a, b, 1.0 / b), e = a / b;
        if (memcmp(&q, &e, sizeof q) != 0) {
            print_error("%a / %a: got %a, division %a\n", a, b, q, e);
            fail();
        }
    }
    /* Significands with many ones (the hard cases for reciprocals). */
    for (int i = 0; i < 100000; i++) {
        double b = ldexp(2.0 - ldexp(1.0, -(int)(rnd() % 52) - 1), (int)(rnd() % 10) - 5);
        double a = 1.0 + rnd_unit();
        double q = vdiv_recip(a, b, 1.0 / b), e = a / b;
        assert_true(memcmp(&q, &e, sizeof q) == 0);
    }
}

static void test_pow34(void **state)
{
    (void)state;
    for (int i = 0; i < 1000000; i++) {
        /* Gating variables lie in [0, 1]; small ones matter most. */
        double x = rnd_unit();
        if (i & 1) x = ldexp(x, -(int)(rnd() % 30));
        double p3 = vpow3(x), e3 = pow(x, 3.0), p4 = vpow4(x), e4 = pow(x, 4.0);
        if (memcmp(&p3, &e3, sizeof p3) != 0 || memcmp(&p4, &e4, sizeof p4) != 0) {
            print_error("x=%a: pow3 %a vs %a, pow4 %a vs %a\n", x, p3, e3, p4, e4);
            fail();
        }
    }
    assert_close(vpow3(0.0), 0.0, 0, 0);
    assert_close(vpow4(1.0), 1.0, 0, 0);
    assert_true(isnan(vpow3(NAN)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exp_matches_numpy),
        cmocka_unit_test(test_division_by_reciprocal),
        cmocka_unit_test(test_pow34),
    };
    return cmocka_run_group_tests_name("hh_math", tests, NULL, NULL);
}
