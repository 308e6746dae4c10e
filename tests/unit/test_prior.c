/* Priors: analytic log-densities, sample moments against the analytic mean
 * and covariance, support checks (bounds, NaN, Inf), clone and queries,
 * callback priors, and every bad-argument case. */
#include "sbi_test.h"
#include "sbi_fault.h"

static const double LOG_2PI = 1.8378770664093454836;

static void test_box_log_prob_and_support(void **state)
{
    (void)state;
    const double low[2] = {0.0, -1.0}, high[2] = {2.0, 3.0};
    sbi_prior *p = NULL;
    assert_ok(sbi_prior_create_box_uniform(&p, 2, low, high));
    /* Rows: inside, both corners (inclusive), outside, NaN, Inf. */
    const double th[7][2] = {{1.0, 0.5}, {0.0, -1.0}, {2.0, 3.0}, {2.0000001, 0.0},
                             {1.0, NAN}, {INFINITY, 0.0}, {-0.5, 1.0}};
    const double want[7] = {-log(8.0), -log(8.0), -log(8.0), -INFINITY,
                            -INFINITY, -INFINITY, -INFINITY};
    const int32_t want_in[7] = {1, 1, 1, 0, 0, 0, 0};
    double lp[7];
    int32_t in[7];
    assert_ok(sbi_prior_log_prob(p, 7, &th[0][0], lp));
    assert_ok(sbi_prior_in_support(p, 7, &th[0][0], in));
    for (int i = 0; i < 7; i++) {
        assert_close(lp[i], want[i], 1e-15, 0);
        assert_int_equal(in[i], want_in[i]);
    }
    /* n = 0 accepts NULL arrays. */
    assert_ok(sbi_prior_log_prob(p, 0, NULL, NULL));
    assert_ok(sbi_prior_in_support(p, 0, NULL, NULL));
    sbi_prior_free(p);
}

static void test_gaussian_2d_closed_form(void **state)
{
    (void)state;
    /* Closed form for 2x2: inverse via adjugate, log det = log(ad - bc). */
    const double mean[2] = {1.0, -1.0}, cov[4] = {2.0, 0.6, 0.6, 1.0};
    const double th[2] = {0.5, 0.2};
    const double det = 2.0 * 1.0 - 0.6 * 0.6;
    const double d0 = th[0] - mean[0], d1 = th[1] - mean[1];
    const double quad = (1.0 * d0 * d0 - 2 * 0.6 * d0 * d1 + 2.0 * d1 * d1) / det;
    const double want = -LOG_2PI - 0.5 * log(det) - 0.5 * quad;
    sbi_prior *p = NULL;
    assert_ok(sbi_prior_create_gaussian(&p, 2, mean, cov));
    double lp;
    assert_ok(sbi_prior_log_prob(p, 1, th, &lp));
    assert_close(lp, want, 1e-13, 0);
    /* At the mean only the normaliser remains. */
    assert_ok(sbi_prior_log_prob(p, 1, mean, &lp));
    assert_close(lp, -LOG_2PI - 0.5 * log(det), 1e-13, 0);
    sbi_prior_free(p);
}

static void test_gaussian_3d_reference(void **state)
{
    (void)state;
    /* Reference values from NumPy: -1.5 log 2pi - 0.5 slogdet(C) - 0.5 d'C^{-1}d. */
    const double mean[3] = {0.5, -1.0, 2.0};
    const double cov[9] = {2.0, 0.3, -0.4, 0.3, 1.0, 0.25, -0.4, 0.25, 0.5};
    const double th[6] = {1.0, 0.0, 1.5, -2.0, 3.0, 0.0};
    const double want[2] = {-3.7878436682148244, -38.15259776657548};
    sbi_prior *p = NULL;
    assert_ok(sbi_prior_create_gaussian(&p, 3, mean, cov));
    double lp[2];
    assert_ok(sbi_prior_log_prob(p, 2, th, lp));
    assert_close(lp[0], want[0], 1e-13, 0);
    assert_close(lp[1], want[1], 1e-13, 0);
    /* The support is all of R^3: finite rows inside, NaN/Inf rows outside. */
    const double odd[9] = {1e300, -1e300, 0.0, NAN, 0.0, 0.0, 0.0, -INFINITY, 0.0};
    int32_t in[3];
    double lpo[3];
    assert_ok(sbi_prior_in_support(p, 3, odd, in));
    assert_ok(sbi_prior_log_prob(p, 3, odd, lpo));
    assert_int_equal(in[0], 1);
    assert_int_equal(in[1], 0);
    assert_int_equal(in[2], 0);
    assert_true(lpo[1] == -INFINITY && lpo[2] == -INFINITY);
    double lo[3], hi[3];
    assert_ok(sbi_prior_bounds(p, lo, hi));
    for (int i = 0; i < 3; i++) assert_true(lo[i] == -INFINITY && hi[i] == INFINITY);
    sbi_prior_free(p);
}

static void test_gaussian_diag_is_product(void **state)
{
    (void)state;
    const double mean[3] = {1.0, 0.0, -2.0}, var[3] = {0.25, 4.0, 1.0};
    const double th[3] = {1.3, -1.0, 0.0};
    double want = 0.0;
    for (int i = 0; i < 3; i++)
        want += -0.5 * LOG_2PI - 0.5 * log(var[i]) - 0.5 * pow(th[i] - mean[i], 2) / var[i];
    sbi_prior *p = NULL;
    assert_ok(sbi_prior_create_gaussian_diag(&p, 3, mean, var));
    double lp;
    assert_ok(sbi_prior_log_prob(p, 1, th, &lp));
    assert_close(lp, want, 1e-14, 0);
    int32_t kind;
    assert_ok(sbi_prior_kind(p, &kind));
    assert_int_equal(kind, SBI_PRIOR_GAUSSIAN);
    double m[3], v[3];
    assert_ok(sbi_prior_moments(p, m, v));
    for (int i = 0; i < 3; i++) {
        assert_close(m[i], mean[i], 0, 0);
        assert_close(v[i], var[i], 0, 0);
    }
    sbi_prior_free(p);
}

/* Sample mean and covariance of n rows of dim 3 against the analytic ones.
 * Tolerance 5 standard errors: var(mean_i) = C_ii/n and
 * var(cov_ij) ~ (C_ii C_jj + C_ij^2)/n for a Gaussian; for the box
 * var(cov_ij) <= E[(a-ma)^2 (b-mb)^2]/n is bounded by (w_i w_j)^2/(16 n). */
static void check_moments(const double *s, int64_t n, const double *mean, const double *cov,
                          int gaussian, const double *width)
{
    double m[3] = {0}, c[9] = {0};
    for (int64_t r = 0; r < n; r++)
        for (int i = 0; i < 3; i++) m[i] += s[r * 3 + i];
    for (int i = 0; i < 3; i++) m[i] /= (double)n;
    for (int64_t r = 0; r < n; r++)
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) c[i * 3 + j] += (s[r * 3 + i] - m[i]) * (s[r * 3 + j] - m[j]);
    for (int i = 0; i < 9; i++) c[i] /= (double)(n - 1);
    for (int i = 0; i < 3; i++) {
        assert_close(m[i], mean[i], 0, 5 * sqrt(cov[i * 3 + i] / (double)n));
        for (int j = 0; j < 3; j++) {
            double se = gaussian
                            ? sqrt((cov[i * 3 + i] * cov[j * 3 + j] + cov[i * 3 + j] * cov[i * 3 + j]) / (double)n)
                            : width[i] * width[j] / (4.0 * sqrt((double)n));
            assert_close(c[i * 3 + j], cov[i * 3 + j], 0, 5 * se);
        }
    }
}

static void test_sample_moments(void **state)
{
    (void)state;
    enum { N = 200000 };
    double *s = malloc(sizeof(double) * N * 3);
    assert_non_null(s);
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, 2024, 0));

    const double mean[3] = {0.5, -1.0, 2.0};
    const double cov[9] = {2.0, 0.3, -0.4, 0.3, 1.0, 0.25, -0.4, 0.25, 0.5};
    sbi_prior *g = NULL;
    assert_ok(sbi_prior_create_gaussian(&g, 3, mean, cov));
    assert_ok(sbi_prior_sample(g, rng, N, s));
    check_moments(s, N, mean, cov, 1, NULL);

    const double low[3] = {-1.0, 0.0, 10.0}, high[3] = {1.0, 0.5, 20.0};
    const double bmean[3] = {0.0, 0.25, 15.0};
    const double width[3] = {2.0, 0.5, 10.0};
    double bcov[9] = {0};
    for (int i = 0; i < 3; i++) bcov[i * 3 + i] = width[i] * width[i] / 12.0;
    sbi_prior *b = NULL;
    assert_ok(sbi_prior_create_box_uniform(&b, 3, low, high));
    assert_ok(sbi_prior_sample(b, rng, N, s));
    for (int64_t r = 0; r < N; r++)
        for (int i = 0; i < 3; i++) assert_true(s[r * 3 + i] >= low[i] && s[r * 3 + i] <= high[i]);
    check_moments(s, N, bmean, bcov, 0, width);
    double m[3], v[3];
    assert_ok(sbi_prior_moments(b, m, v));
    for (int i = 0; i < 3; i++) {
        assert_close(m[i], bmean[i], 1e-15, 0);
        assert_close(v[i], bcov[i * 3 + i], 1e-15, 0);
    }
    sbi_prior_free(g);
    sbi_prior_free(b);
    sbi_rng_free(rng);
    free(s);
}

/* Drawing row by row equals drawing all rows at once (the runner relies on
 * rows being independent), and a stream gives the same rows every time. */
static void test_sample_is_row_by_row(void **state)
{
    (void)state;
    const double mean[3] = {0.5, -1.0, 2.0};
    const double cov[9] = {2.0, 0.3, -0.4, 0.3, 1.0, 0.25, -0.4, 0.25, 0.5};
    sbi_prior *g = NULL;
    assert_ok(sbi_prior_create_gaussian(&g, 3, mean, cov));
    double all[15], one[15];
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, 7, 3));
    assert_ok(sbi_prior_sample(g, rng, 5, all));
    assert_ok(sbi_rng_reset(rng, 7, 3));
    for (int r = 0; r < 5; r++) assert_ok(sbi_prior_sample(g, rng, 1, one + 3 * r));
    assert_memory_equal(all, one, sizeof all);
    /* Nothing is drawn for n = 0. */
    assert_ok(sbi_rng_reset(rng, 7, 3));
    assert_ok(sbi_prior_sample(g, rng, 0, NULL));
    assert_ok(sbi_prior_sample(g, rng, 5, one));
    assert_memory_equal(all, one, sizeof all);
    sbi_prior_free(g);
    sbi_rng_free(rng);
}

static void test_clone_and_queries(void **state)
{
    (void)state;
    const double low[2] = {-3.0, 1.0}, high[2] = {3.0, 2.0};
    sbi_prior *p = NULL, *c = NULL;
    assert_ok(sbi_prior_create_box_uniform(&p, 2, low, high));
    assert_ok(sbi_prior_clone(p, &c));
    sbi_prior_free(p); /* the clone is independent */
    int32_t dim = 0, kind = 0;
    assert_ok(sbi_prior_dim(c, &dim));
    assert_ok(sbi_prior_kind(c, &kind));
    assert_int_equal(dim, 2);
    assert_int_equal(kind, SBI_PRIOR_BOX_UNIFORM);
    double lo[2], hi[2];
    assert_ok(sbi_prior_bounds(c, lo, hi));
    assert_memory_equal(lo, low, sizeof lo);
    assert_memory_equal(hi, high, sizeof hi);
    const double th[2] = {0.0, 1.5};
    double lp;
    assert_ok(sbi_prior_log_prob(c, 1, th, &lp));
    assert_close(lp, -log(6.0), 1e-15, 0);
    sbi_prior_free(c);

    /* A cloned Gaussian gives the same samples and densities. */
    const double mean[2] = {1.0, 2.0}, cov[4] = {1.0, 0.5, 0.5, 2.0};
    assert_ok(sbi_prior_create_gaussian(&p, 2, mean, cov));
    assert_ok(sbi_prior_clone(p, &c));
    sbi_rng *rng = NULL;
    double a[20], b[20], la[10], lb[10];
    assert_ok(sbi_rng_create(&rng, 1, 1));
    assert_ok(sbi_prior_sample(p, rng, 10, a));
    assert_ok(sbi_rng_reset(rng, 1, 1));
    sbi_prior_free(p);
    assert_ok(sbi_prior_sample(c, rng, 10, b));
    assert_memory_equal(a, b, sizeof a);
    assert_ok(sbi_prior_create_gaussian(&p, 2, mean, cov));
    assert_ok(sbi_prior_log_prob(p, 10, a, la));
    assert_ok(sbi_prior_log_prob(c, 10, a, lb));
    assert_memory_equal(la, lb, sizeof la);
    sbi_prior_free(p);
    sbi_prior_free(c);
    sbi_rng_free(rng);
}

/* A callback prior: uniform on the unit square, written by the "user". */
typedef struct {
    int calls;
    int fail; /* make every callback return this */
} user_prior;

static int user_sample(void *ud, sbi_rng *rng, int64_t n, int32_t dim, double *out)
{
    user_prior *u = ud;
    u->calls++;
    if (u->fail) return u->fail;
    return sbi_rng_uniform(rng, n * dim, out);
}

static int user_log_prob(void *ud, int64_t n, int32_t dim, const double *theta, double *out)
{
    user_prior *u = ud;
    u->calls++;
    if (u->fail) return u->fail;
    for (int64_t r = 0; r < n; r++) {
        out[r] = 0.0;
        for (int32_t j = 0; j < dim; j++)
            if (!(theta[r * dim + j] >= 0.0 && theta[r * dim + j] <= 1.0)) out[r] = -INFINITY;
    }
    return 0;
}

static int user_support(void *ud, int64_t n, int32_t dim, const double *theta, int32_t *inside)
{
    user_prior *u = ud;
    u->calls++;
    if (u->fail) return u->fail;
    for (int64_t r = 0; r < n; r++) {
        inside[r] = 7; /* any non-zero value means inside */
        for (int32_t j = 0; j < dim; j++)
            if (!(theta[r * dim + j] >= 0.0 && theta[r * dim + j] <= 1.0)) inside[r] = 0;
    }
    return 0;
}

static int nan_log_prob(void *ud, int64_t n, int32_t dim, const double *theta, double *out)
{
    (void)ud; (void)dim; (void)theta;
    for (int64_t r = 0; r < n; r++) out[r] = NAN;
    return 0;
}

static void test_callback_prior(void **state)
{
    (void)state;
    user_prior u = {0, 0};
    const double th[8] = {0.5, 0.5, 1.5, 0.5, NAN, 0.5, 0.0, 1.0};
    for (int with_support = 0; with_support < 2; with_support++) {
        sbi_prior *p = NULL, *c = NULL;
        assert_ok(sbi_prior_create_callback(&p, 2, user_sample, user_log_prob,
                                            with_support ? user_support : NULL, &u));
        assert_ok(sbi_prior_clone(p, &c));
        int32_t kind;
        assert_ok(sbi_prior_kind(c, &kind));
        assert_int_equal(kind, SBI_PRIOR_CALLBACK);
        double s[10];
        sbi_rng *rng = NULL;
        assert_ok(sbi_rng_create(&rng, 3, 0));
        assert_ok(sbi_prior_sample(c, rng, 5, s));
        for (int i = 0; i < 10; i++) assert_true(s[i] > 0.0 && s[i] < 1.0);
        double lp[4];
        int32_t in[4];
        assert_ok(sbi_prior_log_prob(c, 4, th, lp));
        assert_ok(sbi_prior_in_support(c, 4, th, in));
        assert_true(lp[0] == 0.0 && lp[1] == -INFINITY && lp[2] == -INFINITY && lp[3] == 0.0);
        assert_int_equal(in[0], 1);
        assert_int_equal(in[1], 0);
        assert_int_equal(in[2], 0);
        assert_int_equal(in[3], 1);
        double m[2], v[2];
        assert_status(sbi_prior_moments(c, m, v), SBI_EINVAL);
        double lo[2], hi[2];
        assert_ok(sbi_prior_bounds(c, lo, hi));
        assert_true(lo[0] == -INFINITY && hi[1] == INFINITY);
        /* Callback failures surface as SBI_ECALLBACK. */
        u.fail = -5;
        assert_status(sbi_prior_sample(c, rng, 5, s), SBI_ECALLBACK);
        assert_non_null(strstr(sbi_last_error(), "-5"));
        assert_status(sbi_prior_log_prob(c, 4, th, lp), SBI_ECALLBACK);
        assert_status(sbi_prior_in_support(c, 4, th, in), SBI_ECALLBACK);
        u.fail = 0;
        sbi_rng_free(rng);
        sbi_prior_free(p);
        sbi_prior_free(c);
    }
    assert_true(u.calls > 0);
    /* A log_prob callback giving NaN for a valid row is an error. */
    sbi_prior *p = NULL;
    assert_ok(sbi_prior_create_callback(&p, 2, user_sample, nan_log_prob, NULL, &u));
    double lp[1];
    assert_status(sbi_prior_log_prob(p, 1, th, lp), SBI_ECALLBACK);
    assert_non_null(strstr(sbi_last_error(), "row 0"));
    sbi_prior_free(p);
}

/* Expect EINVAL and a message containing `text`. */
#define assert_einval(call, text)                                                                  \
    do {                                                                                           \
        assert_status(call, SBI_EINVAL);                                                           \
        if (!strstr(sbi_last_error(), text)) {                                                     \
            print_error("message \"%s\" lacks \"%s\"\n", sbi_last_error(), text);                  \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

static void test_bad_box_arguments(void **state)
{
    (void)state;
    sbi_prior *p = (sbi_prior *)&p; /* must be reset to NULL on failure */
    const double low[2] = {0.0, 5.0}, high[2] = {1.0, 2.0};
    assert_einval(sbi_prior_create_box_uniform(&p, 2, low, high),
                  "low[1]=5 is not below high[1]=2");
    assert_null(p);
    const double eq[2] = {0.0, 5.0};
    const double low_ok[2] = {0.0, 0.0};
    assert_einval(sbi_prior_create_box_uniform(&p, 2, eq, eq), "low[0]=0 is not below high[0]=0");
    assert_einval(sbi_prior_create_box_uniform(NULL, 2, low, high), "out is NULL");
    assert_einval(sbi_prior_create_box_uniform(&p, 0, low, high), "dim=0");
    assert_einval(sbi_prior_create_box_uniform(&p, -3, low, high), "dim=-3");
    assert_einval(sbi_prior_create_box_uniform(&p, 2, NULL, high), "low is NULL");
    assert_einval(sbi_prior_create_box_uniform(&p, 2, low, NULL), "high is NULL");
    const double nan_low[2] = {0.0, NAN}, inf_high[2] = {1.0, INFINITY};
    assert_einval(sbi_prior_create_box_uniform(&p, 2, nan_low, high), "low[1]=nan is not finite");
    assert_einval(sbi_prior_create_box_uniform(&p, 2, low_ok, inf_high),
                  "high[1]=inf is not finite");
    const double huge_low[1] = {-1e308}, huge_high[1] = {1e308};
    assert_einval(sbi_prior_create_box_uniform(&p, 1, huge_low, huge_high), "overflows");
    assert_null(p);
}

static void test_bad_gaussian_arguments(void **state)
{
    (void)state;
    sbi_prior *p = NULL;
    const double mean[2] = {0.0, 0.0}, cov[4] = {1.0, 0.5, 0.5, 1.0};
    assert_einval(sbi_prior_create_gaussian(NULL, 2, mean, cov), "out is NULL");
    assert_einval(sbi_prior_create_gaussian(&p, 0, mean, cov), "dim=0");
    assert_einval(sbi_prior_create_gaussian(&p, 2, NULL, cov), "mean is NULL");
    assert_einval(sbi_prior_create_gaussian(&p, 2, mean, NULL), "cov is NULL");
    const double nan_mean[2] = {0.0, NAN};
    assert_einval(sbi_prior_create_gaussian(&p, 2, nan_mean, cov), "mean[1]=nan is not finite");
    const double asym[4] = {1.0, 0.5, 0.4, 1.0};
    assert_einval(sbi_prior_create_gaussian(&p, 2, mean, asym), "not symmetric");
    const double not_pd[4] = {1.0, 2.0, 2.0, 1.0};
    assert_einval(sbi_prior_create_gaussian(&p, 2, mean, not_pd), "not positive definite");
    const double singular[4] = {1.0, 1.0, 1.0, 1.0};
    assert_einval(sbi_prior_create_gaussian(&p, 2, mean, singular), "not positive definite");
    const double zero_var[4] = {1.0, 0.0, 0.0, 0.0};
    assert_einval(sbi_prior_create_gaussian(&p, 2, mean, zero_var), "cov[1][1]=0 is not positive");
    const double inf_cov[4] = {1.0, INFINITY, INFINITY, 1.0};
    assert_einval(sbi_prior_create_gaussian(&p, 2, mean, inf_cov), "cov[0][1]=inf is not finite");
    /* Rounding-level asymmetry is accepted (and symmetrised). */
    const double near[4] = {1.0, 0.5, 0.5 + 1e-15, 1.0};
    assert_ok(sbi_prior_create_gaussian(&p, 2, mean, near));
    sbi_prior_free(p);
    p = NULL;

    const double var_neg[2] = {1.0, -1.0}, var_nan[2] = {NAN, 1.0}, var[2] = {1.0, 1.0};
    assert_einval(sbi_prior_create_gaussian_diag(NULL, 2, mean, var), "out is NULL");
    assert_einval(sbi_prior_create_gaussian_diag(&p, 0, mean, var), "dim=0");
    assert_einval(sbi_prior_create_gaussian_diag(&p, 2, NULL, var), "mean is NULL");
    assert_einval(sbi_prior_create_gaussian_diag(&p, 2, mean, NULL), "var is NULL");
    assert_einval(sbi_prior_create_gaussian_diag(&p, 2, nan_mean, var), "mean[1]=nan");
    assert_einval(sbi_prior_create_gaussian_diag(&p, 2, mean, var_neg), "var[1]=-1");
    assert_einval(sbi_prior_create_gaussian_diag(&p, 2, mean, var_nan), "var[0]=nan");
    assert_null(p);
}

static void test_bad_other_arguments(void **state)
{
    (void)state;
    sbi_prior *p = NULL;
    assert_einval(sbi_prior_create_callback(NULL, 2, user_sample, user_log_prob, NULL, NULL),
                  "out is NULL");
    assert_einval(sbi_prior_create_callback(&p, 0, user_sample, user_log_prob, NULL, NULL),
                  "dim=0");
    assert_einval(sbi_prior_create_callback(&p, 2, NULL, user_log_prob, NULL, NULL),
                  "sample callback is NULL");
    assert_einval(sbi_prior_create_callback(&p, 2, user_sample, NULL, NULL, NULL),
                  "log_prob callback is NULL");

    const double low[2] = {0.0, 0.0}, high[2] = {1.0, 1.0};
    assert_ok(sbi_prior_create_box_uniform(&p, 2, low, high));
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, 0, 0));
    double buf[4];
    int32_t ibuf[2];
    int32_t i32;
    sbi_prior *c = NULL;
    assert_einval(sbi_prior_clone(NULL, &c), "prior is NULL");
    assert_einval(sbi_prior_clone(p, NULL), "out is NULL");
    assert_einval(sbi_prior_dim(NULL, &i32), "prior is NULL");
    assert_einval(sbi_prior_dim(p, NULL), "dim is NULL");
    assert_einval(sbi_prior_kind(NULL, &i32), "prior is NULL");
    assert_einval(sbi_prior_kind(p, NULL), "kind is NULL");
    assert_einval(sbi_prior_bounds(NULL, buf, buf), "prior is NULL");
    assert_einval(sbi_prior_bounds(p, NULL, buf), "low is NULL");
    assert_einval(sbi_prior_bounds(p, buf, NULL), "high is NULL");
    assert_einval(sbi_prior_moments(NULL, buf, buf), "prior is NULL");
    assert_einval(sbi_prior_moments(p, NULL, buf), "mean is NULL");
    assert_einval(sbi_prior_moments(p, buf, NULL), "var is NULL");

    assert_einval(sbi_prior_sample(NULL, rng, 2, buf), "prior is NULL");
    assert_einval(sbi_prior_sample(p, NULL, 2, buf), "rng is NULL");
    assert_einval(sbi_prior_sample(p, rng, -1, buf), "n=-1 is negative");
    assert_einval(sbi_prior_sample(p, rng, 2, NULL), "output array is NULL");
    assert_einval(sbi_prior_sample(p, rng, INT64_MAX, buf), "overflow");
    assert_einval(sbi_prior_log_prob(NULL, 2, buf, buf), "prior is NULL");
    assert_einval(sbi_prior_log_prob(p, -1, buf, buf), "negative");
    assert_einval(sbi_prior_log_prob(p, 2, NULL, buf), "input array is NULL");
    assert_einval(sbi_prior_log_prob(p, 2, buf, NULL), "output array is NULL");
    assert_einval(sbi_prior_in_support(NULL, 2, buf, ibuf), "prior is NULL");
    assert_einval(sbi_prior_in_support(p, -1, buf, ibuf), "negative");
    assert_einval(sbi_prior_in_support(p, 2, NULL, ibuf), "input array is NULL");
    assert_einval(sbi_prior_in_support(p, 2, buf, NULL), "output array is NULL");
    sbi_prior_free(p);
    sbi_prior_free(NULL);
    sbi_rng_free(rng);
}

/* Every prior constructor and evaluation with each allocation failing. */
static int prior_scenario(void *ctx)
{
    const double low[2] = {0.0, 0.0}, high[2] = {1.0, 2.0};
    const double mean[2] = {0.0, 1.0}, cov[4] = {1.0, 0.3, 0.3, 2.0}, var[2] = {1.0, 2.0};
    const double th[4] = {0.5, 0.5, 2.0, 0.0};
    double lp[2];
    int32_t in[2];
    sbi_prior *p[4] = {NULL, NULL, NULL, NULL}, *c = NULL;
    int rc = sbi_prior_create_box_uniform(&p[0], 2, low, high);
    if (rc == SBI_OK) rc = sbi_prior_create_gaussian(&p[1], 2, mean, cov);
    if (rc == SBI_OK) rc = sbi_prior_create_gaussian_diag(&p[2], 2, mean, var);
    if (rc == SBI_OK) rc = sbi_prior_create_callback(&p[3], 2, user_sample, user_log_prob, NULL, ctx);
    for (int i = 0; i < 4 && rc == SBI_OK; i++) {
        rc = sbi_prior_clone(p[i], &c);
        if (rc == SBI_OK) rc = sbi_prior_log_prob(c, 2, th, lp);
        if (rc == SBI_OK) rc = sbi_prior_in_support(c, 2, th, in);
        sbi_prior_free(c);
        c = NULL;
    }
    for (int i = 0; i < 4; i++) sbi_prior_free(p[i]);
    return rc;
}

static void test_allocation_failures(void **state)
{
    (void)state;
    user_prior u = {0, 0};
    sbi_test_fault_walk(prior_scenario, &u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_box_log_prob_and_support),
        cmocka_unit_test(test_gaussian_2d_closed_form),
        cmocka_unit_test(test_gaussian_3d_reference),
        cmocka_unit_test(test_gaussian_diag_is_product),
        cmocka_unit_test(test_sample_moments),
        cmocka_unit_test(test_sample_is_row_by_row),
        cmocka_unit_test(test_clone_and_queries),
        cmocka_unit_test(test_callback_prior),
        cmocka_unit_test(test_bad_box_arguments),
        cmocka_unit_test(test_bad_gaussian_arguments),
        cmocka_unit_test(test_bad_other_arguments),
        cmocka_unit_test(test_allocation_failures),
    };
    return cmocka_run_group_tests_name("prior", tests, NULL, NULL);
}
