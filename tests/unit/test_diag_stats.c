/* Diagnostics' statistics: tail probabilities against closed forms and
 * tabulated values; SBC ranks, KS and chi-square on constructed ranks;
 * coverage ranks and curves. */
#include "sbi_test.h"
#include "diagnostics/stats.h"

static void test_normal_cdf(void **state)
{
    (void)state;
    assert_close(sbi__normal_cdf(0.0), 0.5, 1e-15, 0);
    assert_close(sbi__normal_cdf(1.959963984540054), 0.975, 1e-12, 0);
    assert_close(sbi__normal_cdf(-3.0), 0.0013498980316301, 1e-10, 0);
}

static void test_chi2_sf(void **state)
{
    (void)state;
    /* Closed forms: df=1: erfc(sqrt(x/2)); df=2: exp(-x/2);
     * df=4: exp(-x/2) (1 + x/2). */
    const double xs[] = {0.01, 0.5, 1.0, 3.84, 7.0, 20.0, 60.0};
    for (int i = 0; i < 7; i++) {
        double x = xs[i];
        assert_close(sbi__chi2_sf(x, 1), erfc(sqrt(x / 2)), 1e-12, 1e-300);
        assert_close(sbi__chi2_sf(x, 2), exp(-x / 2), 1e-12, 1e-300);
        assert_close(sbi__chi2_sf(x, 4), exp(-x / 2) * (1 + x / 2), 1e-12, 1e-300);
    }
    /* Tabulated critical values: chi2_{0.05}(19) = 30.1435, chi2_{0.01}(10) = 23.2093. */
    assert_close(sbi__chi2_sf(30.1435, 19), 0.05, 1e-4, 0);
    assert_close(sbi__chi2_sf(23.2093, 10), 0.01, 1e-4, 0);
    assert_close(sbi__chi2_sf(0.0, 5), 1.0, 0, 0);
}

static void test_kolmogorov(void **state)
{
    (void)state;
    /* Asymptotic critical values (4 digits, hence rtol 1e-3): P(K > 1.3581) = 0.05, P(K > 1.6276) = 0.01,
     * P(K > 1.2238) = 0.10. */
    assert_close(sbi__kolmogorov_sf(1.3581), 0.05, 1e-3, 0);
    assert_close(sbi__kolmogorov_sf(1.6276), 0.01, 1e-3, 0);
    assert_close(sbi__kolmogorov_sf(1.2238), 0.10, 1e-3, 0);
    assert_close(sbi__kolmogorov_sf(0.1), 1.0, 0, 1e-12);
    assert_close(sbi__kolmogorov_sf(5.0), 0.0, 0, 1e-20);
    /* Stephens: n = 100, D = 0.134 is about the 5 % point (tables: 0.1340). */
    assert_close(sbi__ks_pvalue(0.1340, 100), 0.05, 0.06, 0);
}

static void test_sbc_ranks(void **state)
{
    (void)state;
    /* 2 tests, 4 samples, 2 dims. */
    const double theta[4] = {0.5, -1.0, 10.0, 0.0};
    const double samples[2 * 4 * 2] = {0.1, -2, 0.7, 0, 0.4, -3, 0.5, 1, /* test 0 */
                                       1, 0, 2, 0, 3, 0, 4, -0.5};       /* test 1 */
    int32_t r[4];
    assert_ok(sbi_sbc_ranks(2, 4, 2, theta, samples, r));
    assert_int_equal(r[0], 2); /* 0.1, 0.4 < 0.5; 0.5 is not strictly below */
    assert_int_equal(r[1], 2); /* -2, -3 */
    assert_int_equal(r[2], 4);
    assert_int_equal(r[3], 1);
    assert_status(sbi_sbc_ranks(0, 4, 2, theta, samples, r), SBI_EINVAL);
    assert_status(sbi_sbc_ranks(2, 4, 2, NULL, samples, r), SBI_EINVAL);
}

static void test_sbc_uniformity_tests(void **state)
{
    (void)state;
    enum { M = 1000, L = 99 };
    int32_t *ranks = malloc(sizeof(int32_t) * M * 2);
    /* Column 0 exactly uniform (each rank 10 times); column 1 piled in the
     * middle (an overdispersed posterior). */
    for (int i = 0; i < M; i++) {
        ranks[2 * i] = i % (L + 1);
        ranks[2 * i + 1] = 40 + i % 20;
    }
    double d[2], p[2], c2[2], pc[2];
    assert_ok(sbi_sbc_ks(M, 2, ranks, L, d, p));
    /* Uniform column: the two CDFs agree at every step: D = 0. */
    assert_close(d[0], 0.0, 0, 1e-12);
    assert_close(p[0], 1.0, 0, 1e-12);
    /* Middle column: F_M(39) = 0 vs 40/100: D = 0.4. */
    assert_close(d[1], 0.4, 0, 1e-12);
    assert_true(p[1] < 1e-20);
    assert_ok(sbi_sbc_chi2(M, 2, ranks, L, 10, c2, pc));
    assert_close(c2[0], 0.0, 0, 1e-12);
    assert_close(pc[0], 1.0, 0, 1e-12);
    /* Middle: bins 4 and 5 hold 500 each, expected 100 everywhere:
     * chi2 = 8*100 + 2*400^2/100 = 4000. */
    assert_close(c2[1], 4000.0, 1e-12, 0);
    assert_true(pc[1] < 1e-100);
    int64_t counts[2 * 10];
    assert_ok(sbi_sbc_histogram(M, 2, ranks, L, 10, counts));
    for (int b = 0; b < 10; b++) assert_int_equal(counts[b], 100);
    assert_int_equal(counts[10 + 4], 500);
    /* Out-of-range ranks and bad bin counts are refused. */
    ranks[5] = L + 1;
    assert_status(sbi_sbc_ks(M, 2, ranks, L, d, p), SBI_EINVAL);
    ranks[5] = 0;
    assert_status(sbi_sbc_chi2(M, 2, ranks, L, 1, c2, pc), SBI_EINVAL);
    assert_status(sbi_sbc_chi2(M, 2, ranks, L, L + 2, c2, pc), SBI_EINVAL);
    free(ranks);
}

static void test_sbc_chi2_unequal_bins(void **state)
{
    (void)state;
    /* L = 4: ranks 0..4 in 2 bins: {0,1,2} and {3,4} (bin = floor(2r/5)).
     * Uniform ranks (each 20 times out of 100) give expected 60 / 40: chi2 = 0. */
    int32_t ranks[100];
    for (int i = 0; i < 100; i++) ranks[i] = i % 5;
    double c2, p;
    assert_ok(sbi_sbc_chi2(100, 1, ranks, 4, 2, &c2, &p));
    assert_close(c2, 0.0, 0, 1e-12);
}

static void test_coverage(void **state)
{
    (void)state;
    const double lt[3] = {-1.0, -5.0, 0.0};
    const double ls[3 * 4] = {0, -2, -0.5, -1, /* 2 above -1 (ties are not above) */
                              -1, -2, -3, -4,  /* all above -5 */
                              -1, -2, -3, -4}; /* none above 0 */
    int32_t r[3];
    assert_ok(sbi_coverage_ranks(3, 4, lt, ls, r));
    assert_int_equal(r[0], 2);
    assert_int_equal(r[1], 4);
    assert_int_equal(r[2], 0);
    /* (r + 0.5) / 5 = 0.5, 0.9, 0.1. */
    const double lv[4] = {0.05, 0.2, 0.5, 0.95};
    double cov[4];
    assert_ok(sbi_coverage_curve(3, r, 4, 4, lv, cov));
    assert_close(cov[0], 0.0, 0, 0);
    assert_close(cov[1], 1.0 / 3, 1e-15, 0);
    assert_close(cov[2], 1.0 / 3, 1e-15, 0); /* 0.5 is not below 0.5 */
    assert_close(cov[3], 1.0, 0, 0);
    /* Uniform HPD ranks give coverage = level up to 1/(2(L+1)). */
    enum { M = 1000, L = 99 };
    int32_t ru[M];
    for (int i = 0; i < M; i++) ru[i] = i % (L + 1);
    double levels[9], c9[9];
    for (int l = 0; l < 9; l++) levels[l] = 0.1 * (l + 1);
    assert_ok(sbi_coverage_curve(M, ru, L, 9, levels, c9));
    for (int l = 0; l < 9; l++) assert_close(c9[l], levels[l], 0, 0.5 / (L + 1) + 1e-12);
    double bad = 1.5;
    assert_status(sbi_coverage_curve(3, r, 4, 1, &bad, cov), SBI_EINVAL);
    double nanv[4] = {0, NAN, 0, 0};
    assert_status(sbi_coverage_ranks(1, 4, lt, nanv, r), SBI_EINVAL);
}

static void test_plots(void **state)
{
    (void)state;
    enum { M = 200, L = 50 };
    int32_t ranks[M * 3];
    for (int i = 0; i < M * 3; i++) ranks[i] = (i * 7) % (L + 1);
    char path[] = "/tmp/sbi_diag_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    const char *labels[3] = {"a<b", "g_Na", "E&K"};
    assert_ok(sbi_sbc_plot_svg(path, M, 3, ranks, L, 0, labels));
    FILE *f = fopen(path, "r");
    char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    assert_non_null(strstr(buf, "<svg"));
    assert_non_null(strstr(buf, "a&lt;b"));
    assert_non_null(strstr(buf, "SBC rank histograms"));
    assert_non_null(strstr(buf, "E&amp;K"));
    assert_non_null(strstr(buf, "</svg>"));
    double lv[5] = {0, 0.25, 0.5, 0.75, 1}, cv[5] = {0, 0.2, 0.45, 0.8, 1};
    assert_ok(sbi_coverage_plot_svg(path, 5, lv, cv, 100));
    f = fopen(path, "r");
    n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    assert_non_null(strstr(buf, "credibility level"));
    assert_non_null(strstr(buf, "100 test pairs"));
    assert_non_null(strstr(buf, "</svg>"));
    remove(path);
    double bad[5] = {0, 0.5, 0.4, 0.75, 1};
    assert_status(sbi_coverage_plot_svg(path, 5, bad, cv, 100), SBI_EINVAL);
    assert_status(sbi_coverage_plot_svg("/nonexistent/dir/x.svg", 5, lv, cv, 100), SBI_EIO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normal_cdf),
        cmocka_unit_test(test_chi2_sf),
        cmocka_unit_test(test_kolmogorov),
        cmocka_unit_test(test_sbc_ranks),
        cmocka_unit_test(test_sbc_uniformity_tests),
        cmocka_unit_test(test_sbc_chi2_unequal_bins),
        cmocka_unit_test(test_coverage),
        cmocka_unit_test(test_plots),
    };
    return cmocka_run_group_tests_name("diagnostics statistics", tests, NULL, NULL);
}
