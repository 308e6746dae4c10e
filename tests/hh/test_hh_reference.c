/* The HH model against the reference implementation's outputs
 * (../shared/data/hh, produced by NumPy 1.24): the 7 statistics of 64
 * parameter sets and the whole trace without noise, and with NumPy's seed-0
 * noise fed through the noise hook. Every kernel this CPU supports is
 * checked. Tolerances are the specification's (1e-8 relative for statistics,
 * spike counts exact; 1e-9 relative per trace sample); the largest deviation
 * seen is printed (the port reproduces the reference's arithmetic, so it is
 * expected to be 0). */
#include "sbi_test.h"
#include "sbi_hh.h"
#include "numpy_randn.h"

#define DATA SBI_SHARED_DIR "/data/hh/"

static sbi_hh_model *model_for(int32_t kernel, int noise)
{
    sbi_hh_model *m = NULL;
    assert_int_equal(sbi_hh_model_create(&m), SBI_OK);
    assert_int_equal(sbi_hh_model_set(m, SBI_HH_NOISE, noise), SBI_OK);
    assert_int_equal(sbi_hh_model_set_kernel(m, kernel), SBI_OK);
    return m;
}

static double rel_err(double a, double e)
{
    if (a == e) return 0.0;
    return fabs(a - e) / fabs(e);
}

static void check_stats_row(const double *x, const double *ref, double *worst)
{
    assert_int_equal((long)x[0], (long)ref[0]); /* spike count exactly */
    assert_close(x[0], ref[0], 0, 0);
    for (int j = 1; j < 7; j++) {
        assert_close(x[j], ref[j], 1e-8, 0);
        double e = rel_err(x[j], ref[j]);
        if (e > *worst) *worst = e;
    }
}

static void test_stats_noise_off(void **state)
{
    (void)state;
    skip_without_shared();
    int cols;
    double *ref = NULL;
    long rows = sbi_test_read_csv(DATA "stats_noise_off.csv", &cols, &ref);
    assert_int_equal(rows, 64);
    assert_int_equal(cols, 9);
    double *theta = malloc(sizeof(double) * 2 * 64), *x = malloc(sizeof(double) * 7 * 64);
    uint64_t seeds[64] = {0};
    int32_t status[64];
    for (long i = 0; i < rows; i++) {
        theta[2 * i] = ref[i * cols];
        theta[2 * i + 1] = ref[i * cols + 1];
    }
    for (int32_t k = SBI_HH_KERNEL_GENERIC; k <= SBI_HH_KERNEL_AVX512; k++) {
        if (!sbi_hh_kernel_supported(k)) continue;
        sbi_hh_model *m = model_for(k, 0);
        /* Batched through the kernel's lanes... */
        assert_int_equal(sbi_hh_model_simulate(m, rows, theta, seeds, x, status), SBI_OK);
        double worst = 0.0;
        for (long i = 0; i < rows; i++) {
            assert_int_equal(status[i], 0);
            check_stats_row(x + 7 * i, ref + i * cols + 2, &worst);
        }
        /* ...and one at a time through the trace and the statistics. */
        int64_t n;
        assert_int_equal(sbi_hh_model_num_samples(m, &n), SBI_OK);
        double *v = malloc(sizeof(double) * (size_t)n), xs[7];
        for (long i = 0; i < rows; i += 9) {
            assert_int_equal(sbi_hh_model_simulate_trace(m, theta + 2 * i, 0, n, v), SBI_OK);
            assert_int_equal(sbi_hh_model_stats(m, n, v, xs), SBI_OK);
            check_stats_row(xs, ref + i * cols + 2, &worst);
        }
        print_message("kernel %-8s: 64 rows, largest relative deviation %.3g\n",
                      sbi_hh_kernel_name(k), worst);
        free(v);
        sbi_hh_model_free(m);
    }
    free(theta);
    free(x);
    free(ref);
}

static void check_trace(int32_t kernel, const double *theta, const double *xi, const char *file)
{
    int cols;
    double *ref = NULL;
    long rows = sbi_test_read_csv(file, &cols, &ref);
    assert_int_equal(rows, 12001);
    sbi_hh_model *m = model_for(kernel, xi != NULL);
    double *v = malloc(sizeof(double) * 12001);
    if (xi)
        assert_int_equal(sbi_hh_model_simulate_trace_noise(m, theta, xi, 12001, v), SBI_OK);
    else
        assert_int_equal(sbi_hh_model_simulate_trace(m, theta, 0, 12001, v), SBI_OK);
    double worst = 0.0;
    for (long i = 0; i < rows; i++) {
        assert_close(v[i], ref[i], 1e-9, 0);
        double e = rel_err(v[i], ref[i]);
        if (e > worst) worst = e;
    }
    print_message("kernel %-8s: %s, largest relative deviation %.3g\n", sbi_hh_kernel_name(kernel),
                  strrchr(file, '/') + 1, worst);
    free(v);
    free(ref);
    sbi_hh_model_free(m);
}

static void test_trace_noise_off(void **state)
{
    (void)state;
    skip_without_shared();
    const double theta[2] = {50, 5};
    for (int32_t k = SBI_HH_KERNEL_GENERIC; k <= SBI_HH_KERNEL_AVX512; k++)
        if (sbi_hh_kernel_supported(k)) check_trace(k, theta, NULL, DATA "trace_50_5_noise_off.csv");
}

static void test_numpy_randn(void **state)
{
    (void)state;
    /* RandomState(0).randn(6), printed by NumPy 1.24. */
    const double expect[6] = {1.764052345967664, 0.4001572083672233, 0.9787379841057392,
                              2.240893199201458, 1.8675579901499675, -0.977277879876411};
    struct np_randomstate s;
    np_seed(&s, 0);
    for (int i = 0; i < 6; i++) assert_close(np_randn(&s), expect[i], 0, 0);
}

static double *seed0_noise(void)
{
    double *xi = malloc(sizeof(double) * 12000);
    struct np_randomstate s;
    np_seed(&s, 0);
    for (int i = 0; i < 12000; i++) xi[i] = np_randn(&s);
    return xi;
}

static void test_seed0(void **state)
{
    (void)state;
    skip_without_shared();
    double *xi = seed0_noise();
    const double theta[2] = {50, 5};
    for (int32_t k = SBI_HH_KERNEL_GENERIC; k <= SBI_HH_KERNEL_AVX512; k++)
        if (sbi_hh_kernel_supported(k)) check_trace(k, theta, xi, DATA "trace_50_5_seed0.csv");
    /* The four seed-0 statistics rows (the tutorial before 2021 passed
     * seed=0 to every simulation: the same noise for every theta). */
    int cols;
    double *ref = NULL;
    long rows = sbi_test_read_csv(DATA "stats_seed0.csv", &cols, &ref);
    assert_int_equal(rows, 4);
    sbi_hh_model *m = model_for(SBI_HH_KERNEL_AUTO, 1);
    double *v = malloc(sizeof(double) * 12001), x[7], worst = 0.0;
    for (long i = 0; i < rows; i++) {
        assert_int_equal(sbi_hh_model_simulate_trace_noise(m, ref + i * cols, xi, 12001, v), SBI_OK);
        assert_int_equal(sbi_hh_model_stats(m, 12001, v, x), SBI_OK);
        check_stats_row(x, ref + i * cols + 2, &worst);
    }
    print_message("seed 0 statistics: largest relative deviation %.3g\n", worst);
    free(v);
    free(ref);
    free(xi);
    sbi_hh_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numpy_randn),
        cmocka_unit_test(test_stats_noise_off),
        cmocka_unit_test(test_trace_noise_off),
        cmocka_unit_test(test_seed0),
    };
    return cmocka_run_group_tests_name("hh_reference", tests, NULL, NULL);
}
