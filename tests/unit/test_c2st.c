/* C2ST known answers: two samples of one distribution score 0.5; N(0, I) vs
 * N(delta, I) score the Bayes accuracy Phi(|delta|/2), within 0.02.
 * Sample sizes are 5000 vs 5000, half the benchmark's 10k vs 10k, to keep the
 * test at seconds: the held-out accuracy (10 000 pooled test rows) then has a
 * standard error of at most 0.005. In 5-D the sbibm classifier (2 x 50 ReLU
 * units, no early stopping on held-out data) overfits 8000 training rows and
 * loses ~0.02 against Bayes when the classes overlap much (Bayes ~0.73;
 * scikit-learn's MLPClassifier does the same on the same data), so the 5-D
 * cases (tests/diagnostics/test_c2st_5d.c) use shifts with Bayes accuracy
 * 0.84 and 0.89, where it loses ~0.01; sbi_bench_accuracy --validate runs
 * the overlapping cases at full size. */
#include "sbi_test.h"
#include "diagnostics/stats.h"

/* n rows of N(shift, I_dim) from stream (seed, 0). */
static double *gaussian(int64_t n, int32_t dim, const double *shift, uint64_t seed)
{
    double *x = malloc(sizeof(double) * (size_t)(n * dim));
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, seed, 0));
    assert_ok(sbi_rng_normal(rng, n * dim, x));
    for (int64_t i = 0; i < n; i++)
        for (int32_t k = 0; k < dim; k++) x[i * dim + k] += shift ? shift[k] : 0.0;
    sbi_rng_free(rng);
    return x;
}

static double run_c2st(int64_t n, int32_t dim, const double *shift, uint64_t seed)
{
    double *x = gaussian(n, dim, NULL, seed), *y = gaussian(n, dim, shift, seed + 1000);
    double acc = -1, folds[5];
    assert_ok(sbi_c2st_ex(n, x, n, y, dim, seed, 5, 10000, 1, folds, &acc));
    double mean = 0;
    for (int f = 0; f < 5; f++) mean += folds[f] / 5;
    assert_close(acc, mean, 1e-12, 0);
    free(x);
    free(y);
    return acc;
}

static void test_same_distribution(void **state)
{
    (void)state;
    /* 2-D, 5000 vs 5000: the held-out accuracy has sd ~ 0.5/sqrt(10000) = 0.005. */
    double acc = run_c2st(5000, 2, NULL, 1);
    print_message("same distribution, 2-D: %.4f\n", acc);
    assert_close(acc, 0.5, 0, 0.02);
}

static void test_shift_1d(void **state)
{
    (void)state;
    const double delta[1] = {1.0};
    double bayes = sbi__normal_cdf(0.5);
    double acc = run_c2st(5000, 1, delta, 2);
    print_message("1-D shift 1: %.4f (Bayes %.4f)\n", acc, bayes);
    assert_close(acc, bayes, 0, 0.02);
}

static void test_reproducible_and_errors(void **state)
{
    (void)state;
    double *x = gaussian(300, 2, NULL, 7), *y = gaussian(300, 2, NULL, 8);
    double a = 0, b = 1;
    assert_ok(sbi_c2st_ex(300, x, 300, y, 2, 5, 5, 50, 1, NULL, &a));
    assert_ok(sbi_c2st_ex(300, x, 300, y, 2, 5, 5, 50, 1, NULL, &b));
    assert_true(a == b);
    assert_status(sbi_c2st(300, x, 300, y, 0, 5, &a), SBI_EINVAL);
    assert_status(sbi_c2st(1, x, 300, y, 2, 5, &a), SBI_EINVAL);
    assert_status(sbi_c2st_ex(300, x, 300, y, 2, 5, 1, 50, 1, NULL, &a), SBI_EINVAL);
    for (int i = 0; i < 300; i++) x[2 * i + 1] = 3.0; /* constant column */
    assert_status(sbi_c2st(300, x, 300, y, 2, 5, &a), SBI_EINVAL);
    assert_non_null(strstr(sbi_last_error(), "constant"));
    y[3] = NAN;
    assert_status(sbi_c2st(300, y, 300, y, 2, 5, &a), SBI_EINVAL);
    free(x);
    free(y);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_distribution),
        cmocka_unit_test(test_shift_1d),
        cmocka_unit_test(test_reproducible_and_errors),
    };
    return cmocka_run_group_tests_name("c2st", tests, NULL, NULL);
}
