/* Benchmark tasks: each simulator's output distribution against the analytic
 * one (moments with ~4-sigma tolerances from the sample sizes used), the
 * priors, per-row seeding, and the sbibm loader (the gaussian_linear
 * reference samples must follow the analytic posterior N(x/2, 0.05 I)). */
#include "sbi_test.h"
#include "sbi_tasks.h"

#include <sys/stat.h>

#define ROOT "../shared/data/sbibm"

static uint64_t *make_seeds(int64_t n, uint64_t seed)
{
    uint64_t *s = malloc(sizeof *s * (size_t)n);
    assert_non_null(s);
    for (int64_t i = 0; i < n; i++) s[i] = sbi_seed_for_index(seed, (uint64_t)i);
    return s;
}

static void test_gaussian_linear_moments(void **state)
{
    (void)state;
    enum { N = 20000, D = 10 };
    double *theta = malloc(sizeof(double) * N * D), *x = malloc(sizeof(double) * N * D);
    int32_t *st = calloc(N, sizeof *st);
    uint64_t *seeds = make_seeds(N, 11);
    for (int64_t i = 0; i < N; i++)
        for (int j = 0; j < D; j++) theta[i * D + j] = 0.1 * j - 0.45 + 0.01 * (double)(i % 7);
    assert_int_equal(sbi_tasks_gaussian_linear_simulate(NULL, N, D, theta, seeds, D, x, st), 0);
    /* eps = x - theta ~ N(0, 0.1 I). */
    double mean[D] = {0}, cov[D][D] = {{0}};
    for (int64_t i = 0; i < N; i++)
        for (int j = 0; j < D; j++) mean[j] += (x[i * D + j] - theta[i * D + j]) / N;
    for (int64_t i = 0; i < N; i++)
        for (int j = 0; j < D; j++)
            for (int k = 0; k < D; k++)
                cov[j][k] += (x[i * D + j] - theta[i * D + j] - mean[j]) *
                             (x[i * D + k] - theta[i * D + k] - mean[k]) / (N - 1);
    for (int j = 0; j < D; j++) {
        assert_close(mean[j], 0.0, 0, 4 * sqrt(0.1 / N));
        assert_close(cov[j][j], 0.1, 0, 4 * 0.1 * sqrt(2.0 / N));
        for (int k = 0; k < j; k++) assert_close(cov[j][k], 0.0, 0, 4 * 0.1 / sqrt((double)N));
    }
    free(theta), free(x), free(st), free(seeds);
}

static void test_two_moons_radius_and_angle(void **state)
{
    (void)state;
    enum { N = 20000 };
    double *theta = malloc(sizeof(double) * N * 2), *x = malloc(sizeof(double) * N * 2);
    int32_t *st = calloc(N, sizeof *st);
    uint64_t *seeds = make_seeds(N, 5);
    for (int64_t i = 0; i < N; i++) {
        theta[2 * i] = -0.9 + 1.8 * (double)(i % 13) / 12.0;
        theta[2 * i + 1] = 0.7 - 1.5 * (double)(i % 17) / 16.0;
    }
    assert_int_equal(sbi_tasks_two_moons_simulate(NULL, N, 2, theta, seeds, 2, x, st), 0);
    double rs = 0, rs2 = 0, as = 0, as2 = 0;
    for (int64_t i = 0; i < N; i++) {
        double t0 = theta[2 * i], t1 = theta[2 * i + 1];
        /* Undo the theta shift, then the moon's centre offset (0.25, 0). */
        double p0 = x[2 * i] + fabs(t0 + t1) / sqrt(2.0) - 0.25;
        double p1 = x[2 * i + 1] - (-t0 + t1) / sqrt(2.0);
        double r = hypot(p0, p1), a = atan2(p1, p0);
        assert_true(a > -M_PI / 2 && a < M_PI / 2);
        rs += r, rs2 += r * r, as += a, as2 += a * a;
    }
    double rm = rs / N, rsd = sqrt(rs2 / N - rm * rm), am = as / N, av = as2 / N - am * am;
    assert_close(rm, 0.1, 0, 4 * 0.01 / sqrt((double)N));
    assert_close(rsd, 0.01, 0, 4 * 0.01 / sqrt(2.0 * N));
    assert_close(am, 0.0, 0, 4 * (M_PI / sqrt(12.0)) / sqrt((double)N));
    /* Var of U(-pi/2, pi/2) is pi^2/12; sd of the sample variance ~ pi^2/sqrt(180 N). */
    assert_close(av, M_PI * M_PI / 12, 0, 4 * M_PI * M_PI / sqrt(180.0 * N));
    free(theta), free(x), free(st), free(seeds);
}

static void test_two_moons_symmetry(void **state)
{
    (void)state;
    /* theta and (-theta2, -theta1) give the same x with the same seed: the
     * source of the posterior's two modes. */
    double th[4] = {0.3, -0.7, 0.7, -0.3}, x[4];
    int32_t st[2] = {0, 0};
    uint64_t seeds[2] = {99, 99};
    assert_int_equal(sbi_tasks_two_moons_simulate(NULL, 2, 2, th, seeds, 2, x, st), 0);
    assert_close(x[2], x[0], 1e-14, 1e-15);
    assert_close(x[3], x[1], 1e-14, 1e-15);
}

static void test_slcp_covariance(void **state)
{
    (void)state;
    enum { N = 5000 };
    const double t[5] = {0.5, -1.0, 1.2, -0.8, 0.7};
    double *theta = malloc(sizeof(double) * N * 5), *x = malloc(sizeof(double) * N * 8);
    int32_t *st = calloc(N, sizeof *st);
    uint64_t *seeds = make_seeds(N, 3);
    for (int64_t i = 0; i < N; i++) memcpy(theta + 5 * i, t, sizeof t);
    assert_int_equal(sbi_tasks_slcp_simulate(NULL, N, 5, theta, seeds, 8, x, st), 0);
    double s1 = t[2] * t[2], s2 = t[3] * t[3], rho = tanh(t[4]);
    double c11 = s1 * s1 + 1e-6, c12 = rho * s1 * s2, c22 = s2 * s2 + 1e-6;
    /* The 4 points of each row pooled: 4N draws of N(m, Sigma). */
    const double P = 4.0 * N;
    double ma = 0, mb = 0, saa = 0, sab = 0, sbb = 0;
    for (int64_t i = 0; i < N; i++)
        for (int k = 0; k < 4; k++) ma += x[8 * i + 2 * k] / P, mb += x[8 * i + 2 * k + 1] / P;
    for (int64_t i = 0; i < N; i++)
        for (int k = 0; k < 4; k++) {
            double a = x[8 * i + 2 * k] - ma, b = x[8 * i + 2 * k + 1] - mb;
            saa += a * a / (P - 1), sab += a * b / (P - 1), sbb += b * b / (P - 1);
        }
    assert_close(ma, t[0], 0, 4 * s1 / sqrt(P));
    assert_close(mb, t[1], 0, 4 * s2 / sqrt(P));
    assert_close(saa, c11, 0, 4 * c11 * sqrt(2.0 / P));
    assert_close(sbb, c22, 0, 4 * c22 * sqrt(2.0 / P));
    assert_close(sab, c12, 0, 4 * sqrt((c11 * c22 + c12 * c12) / P));
    /* The 4 points are independent: a1 and a2 uncorrelated across rows. */
    double c = 0;
    for (int64_t i = 0; i < N; i++) c += (x[8 * i] - ma) * (x[8 * i + 2] - ma) / (N - 1);
    assert_close(c / c11, 0.0, 0, 4 / sqrt((double)N));
    free(theta), free(x), free(st), free(seeds);
}

static void test_rows_depend_only_on_seed(void **state)
{
    (void)state;
    /* Simulating rows one at a time gives the batch result, for every task. */
    for (int32_t k = 0; k < sbi_tasks_count(); k++) {
        const char *name = sbi_tasks_name(k);
        int32_t td, xd;
        assert_ok(sbi_tasks_dims(name, &td, &xd));
        enum { N = 9 };
        double theta[N * 10], xa[N * 10], xb[N * 10];
        int32_t st[N] = {0};
        uint64_t seeds[N];
        for (int i = 0; i < N * td; i++) theta[i] = 0.05 * (i % 11) - 0.2;
        for (int i = 0; i < N; i++) seeds[i] = sbi_seed_for_index(1, (uint64_t)i);
        sbi_simulate_fn fn = k == 0 ? sbi_tasks_gaussian_linear_simulate
                             : k == 1 ? sbi_tasks_two_moons_simulate
                                      : sbi_tasks_slcp_simulate;
        assert_int_equal(fn(NULL, N, td, theta, seeds, xd, xa, st), 0);
        for (int i = 0; i < N; i++)
            assert_int_equal(fn(NULL, 1, td, theta + i * td, seeds + i, xd, xb + i * xd, st), 0);
        assert_memory_equal(xa, xb, sizeof(double) * N * (size_t)xd);
        /* Wrong dimensions are refused. */
        assert_int_not_equal(fn(NULL, 1, td + 1, theta, seeds, xd, xb, st), 0);
    }
}

static void test_registry(void **state)
{
    (void)state;
    assert_int_equal(sbi_tasks_count(), 3);
    assert_string_equal(sbi_tasks_name(0), "gaussian_linear");
    assert_null(sbi_tasks_name(3));
    int32_t td, xd;
    assert_ok(sbi_tasks_dims("slcp", &td, &xd));
    assert_int_equal(td, 5);
    assert_int_equal(xd, 8);
    assert_status(sbi_tasks_dims("moons", &td, &xd), SBI_EINVAL);
    assert_non_null(strstr(sbi_tasks_last_error(), "moons"));
}

static void test_priors(void **state)
{
    (void)state;
    sbi_prior *p = NULL;
    int32_t dim, kind;
    double lo[10], hi[10], mean[10], var[10];
    assert_ok(sbi_tasks_prior_create("gaussian_linear", &p));
    assert_ok(sbi_prior_dim(p, &dim));
    assert_ok(sbi_prior_kind(p, &kind));
    assert_int_equal(dim, 10);
    assert_int_equal(kind, SBI_PRIOR_GAUSSIAN);
    assert_ok(sbi_prior_moments(p, mean, var));
    for (int j = 0; j < 10; j++) assert_close(mean[j], 0, 0, 0), assert_close(var[j], 0.1, 1e-15, 0);
    sbi_prior_free(p);
    const char *box[2] = {"two_moons", "slcp"};
    const double half[2] = {1.0, 3.0};
    const int32_t dims[2] = {2, 5};
    for (int b = 0; b < 2; b++) {
        assert_ok(sbi_tasks_prior_create(box[b], &p));
        assert_ok(sbi_prior_dim(p, &dim));
        assert_ok(sbi_prior_kind(p, &kind));
        assert_int_equal(dim, dims[b]);
        assert_int_equal(kind, SBI_PRIOR_BOX_UNIFORM);
        assert_ok(sbi_prior_bounds(p, lo, hi));
        for (int j = 0; j < dim; j++) assert_close(lo[j], -half[b], 0, 0), assert_close(hi[j], half[b], 0, 0);
        sbi_prior_free(p);
    }
    assert_status(sbi_tasks_prior_create("nope", &p), SBI_EINVAL);
}

static void test_simulator_handle(void **state)
{
    (void)state;
    sbi_simulator *sim = NULL;
    assert_ok(sbi_tasks_simulator_create("slcp", &sim));
    int32_t td, xd;
    assert_ok(sbi_simulator_dims(sim, &td, &xd));
    assert_int_equal(td, 5);
    assert_int_equal(xd, 8);
    double theta[5] = {1, 2, 0.5, -0.5, 0}, xa[8], xb[8];
    uint64_t seed = 17;
    int32_t st = 0;
    assert_ok(sbi_simulator_run(sim, 1, theta, &seed, xa, &st));
    assert_int_equal(st, SBI_ROW_OK);
    assert_int_equal(sbi_tasks_slcp_simulate(NULL, 1, 5, theta, &seed, 8, xb, &st), 0);
    assert_memory_equal(xa, xb, sizeof xa);
    sbi_simulator_free(sim);
}

static void test_loader_gaussian_linear_reference(void **state)
{
    (void)state;
    skip_without_shared();
    for (int32_t num = 1; num <= 10; num++) {
        double x[10], th[10];
        assert_ok(sbi_tasks_load_observation(ROOT, "gaussian_linear", num, x));
        assert_ok(sbi_tasks_load_true_parameters(ROOT, "gaussian_linear", num, th));
        int64_t n = 0;
        double *s = NULL;
        assert_ok(sbi_tasks_load_reference_samples(ROOT, "gaussian_linear", num, &n, &s));
        assert_int_equal(n, 10000);
        /* Reference samples ~ N(x/2, 0.05 I). */
        for (int j = 0; j < 10; j++) {
            double m = 0, v = 0;
            for (int64_t i = 0; i < n; i++) m += s[i * 10 + j] / (double)n;
            for (int64_t i = 0; i < n; i++) v += pow(s[i * 10 + j] - m, 2) / (double)(n - 1);
            assert_close(m, x[j] / 2, 0, 4 * sqrt(0.05 / (double)n));
            assert_close(v, 0.05, 0, 4 * 0.05 * sqrt(2.0 / (double)n));
        }
        sbi_tasks_free(s);
    }
}

static void test_loader_shapes_and_errors(void **state)
{
    (void)state;
    skip_without_shared();
    double x[8], th[5];
    assert_ok(sbi_tasks_load_observation(ROOT, "slcp", 1, x));
    assert_close(x[0], 2.3718784, 0, 0); /* the file's first value */
    assert_ok(sbi_tasks_load_true_parameters(ROOT, "slcp", 10, th));
    for (int j = 0; j < 5; j++) assert_true(th[j] >= -3 && th[j] <= 3);
    int64_t n;
    double *s = NULL;
    assert_ok(sbi_tasks_load_reference_samples(ROOT, "two_moons", 3, &n, &s));
    assert_int_equal(n, 10000);
    for (int64_t i = 0; i < 2 * n; i++) assert_true(s[i] >= -1 && s[i] <= 1);
    sbi_tasks_free(s);
    assert_status(sbi_tasks_load_observation(ROOT, "slcp", 11, x), SBI_EIO);
    assert_status(sbi_tasks_load_observation(ROOT, "slcp", 0, x), SBI_EINVAL);
    assert_status(sbi_tasks_load_observation(ROOT, "nope", 1, x), SBI_EINVAL);
    int32_t cols;
    assert_status(sbi_tasks_read_csv("../shared/README.md", &n, &cols, &s), SBI_EFORMAT);
}

static void test_loader_wrong_width(void **state)
{
    (void)state;
    /* A two_moons-shaped observation filed under slcp is refused. */
    char root[] = "/tmp/sbi_tasks_XXXXXX", path[256];
    assert_non_null(mkdtemp(root));
    snprintf(path, sizeof path, "%s/slcp", root);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/slcp/num_observation_1", root);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/slcp/num_observation_1/observation.csv", root);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("data_1,data_2\r\n0.5,-1e-3\r\n", f);
    fclose(f);
    double x[8];
    assert_status(sbi_tasks_load_observation(root, "slcp", 1, x), SBI_EFORMAT);
    int64_t n;
    int32_t cols;
    double *d = NULL;
    assert_ok(sbi_tasks_read_csv(path, &n, &cols, &d));
    assert_int_equal(n, 1);
    assert_int_equal(cols, 2);
    assert_close(d[1], -1e-3, 0, 0);
    sbi_tasks_free(d);
    remove(path);
    snprintf(path, sizeof path, "%s/slcp/num_observation_1", root);
    rmdir(path);
    snprintf(path, sizeof path, "%s/slcp", root);
    rmdir(path);
    rmdir(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gaussian_linear_moments),
        cmocka_unit_test(test_two_moons_radius_and_angle),
        cmocka_unit_test(test_two_moons_symmetry),
        cmocka_unit_test(test_slcp_covariance),
        cmocka_unit_test(test_rows_depend_only_on_seed),
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_priors),
        cmocka_unit_test(test_simulator_handle),
        cmocka_unit_test(test_loader_gaussian_linear_reference),
        cmocka_unit_test(test_loader_shapes_and_errors),
        cmocka_unit_test(test_loader_wrong_width),
    };
    return cmocka_run_group_tests_name("tasks", tests, NULL, NULL);
}
