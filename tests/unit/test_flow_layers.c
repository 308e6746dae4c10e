/* Flow building blocks: the LU-parameterised linear layer (forward against an
 * explicit matrix product, inverse, log|det| against the determinant of the
 * explicit matrix, gradients against finite differences, identity
 * initialisation) and the fixed random permutations. */
#include "sbi_test.h"
#include "estimators/flow_util.h"
#include "estimators/lu_linear.h"
#include "estimators/permutation.h"
#include "rng/rng_internal.h"

static double softplus(double v) { return log1p(exp(v)); }

/* The explicit matrix W = L U (d <= 8), built independently of the layer. */
static void explicit_matrix(int32_t d, const double *p, double w[8][8])
{
    double l[8][8] = {{0}}, u[8][8] = {{0}};
    int64_t t = (int64_t)d * (d - 1) / 2, k = 0;
    for (int32_t i = 0; i < d; i++) {
        l[i][i] = 1.0;
        for (int32_t j = 0; j < i; j++) l[i][j] = p[k++];
    }
    k = t;
    for (int32_t i = 0; i < d; i++)
        for (int32_t j = i + 1; j < d; j++) u[i][j] = p[k++];
    for (int32_t i = 0; i < d; i++) u[i][i] = softplus(p[2 * t + i]) + 1e-3;
    for (int32_t i = 0; i < d; i++)
        for (int32_t j = 0; j < d; j++) {
            double s = 0.0;
            for (int32_t m = 0; m < d; m++) s += l[i][m] * u[m][j];
            w[i][j] = s;
        }
}

/* Determinant by Gaussian elimination with partial pivoting. */
static double det(int32_t d, double a[8][8])
{
    double m[8][8], r = 1.0;
    memcpy(m, a, sizeof m);
    for (int32_t c = 0; c < d; c++) {
        int32_t piv = c;
        for (int32_t i = c + 1; i < d; i++)
            if (fabs(m[i][c]) > fabs(m[piv][c])) piv = i;
        if (piv != c) {
            for (int32_t j = 0; j < d; j++) {
                double tmp = m[c][j];
                m[c][j] = m[piv][j];
                m[piv][j] = tmp;
            }
            r = -r;
        }
        r *= m[c][c];
        for (int32_t i = c + 1; i < d; i++) {
            double f = m[i][c] / m[c][c];
            for (int32_t j = c; j < d; j++) m[i][j] -= f * m[c][j];
        }
    }
    return r;
}

static void test_lu_forward_inverse_logdet(void **state)
{
    (void)state;
    struct sbi_rng r;
    sbi__rng_init(&r, 11, 0);
    for (int32_t d = 1; d <= 6; d++) {
        int64_t np = sbi__lu_num_params(d);
        assert_int_equal(np, d * d + d);
        double p[8 * 8 + 8], x[5 * 8], y[5 * 8], xb[5 * 8], w[8][8];
        for (int64_t i = 0; i < np; i++) p[i] = 0.7 * sbi__rng_normal(&r);
        for (int i = 0; i < 5 * d; i++) x[i] = sbi__rng_normal(&r);
        sbi__lu_forward(d, p, 5, x, y);
        explicit_matrix(d, p, w);
        const double *bias = p + d * (d - 1) + d;
        for (int row = 0; row < 5; row++)
            for (int32_t i = 0; i < d; i++) {
                double s = bias[i];
                for (int32_t j = 0; j < d; j++) s += w[i][j] * x[row * d + j];
                assert_close(y[row * d + i], s, 1e-12, 1e-12);
            }
        assert_close(sbi__lu_logdet(d, p), log(fabs(det(d, w))), 1e-10, 1e-12);
        sbi__lu_inverse(d, p, 5, y, xb);
        for (int i = 0; i < 5 * d; i++) assert_close(xb[i], x[i], 0.0, 1e-11);
        /* In place both ways. */
        memcpy(xb, x, sizeof(double) * (size_t)(5 * d));
        sbi__lu_forward(d, p, 5, xb, xb);
        for (int i = 0; i < 5 * d; i++) assert_true(xb[i] == y[i]);
        sbi__lu_inverse(d, p, 5, xb, xb);
        for (int i = 0; i < 5 * d; i++) assert_close(xb[i], x[i], 0.0, 1e-11);
    }
}

/* Wide layers (d above the layer's stack buffer) take the other diagonal
 * path: forward then inverse is still the identity, log|det| still the sum. */
static void test_lu_wide(void **state)
{
    (void)state;
    const int32_t d = 300;
    int64_t np = sbi__lu_num_params(d);
    double *p = malloc(sizeof(double) * (size_t)np), *x = malloc(sizeof(double) * 2 * d);
    double *y = malloc(sizeof(double) * 2 * d), *xb = malloc(sizeof(double) * 2 * d);
    struct sbi_rng r;
    sbi__rng_init(&r, 13, 0);
    for (int64_t i = 0; i < np; i++) p[i] = 0.02 * sbi__rng_normal(&r);
    for (int i = 0; i < 2 * d; i++) x[i] = sbi__rng_normal(&r);
    sbi__lu_forward(d, p, 2, x, y);
    sbi__lu_inverse(d, p, 2, y, xb);
    for (int i = 0; i < 2 * d; i++) assert_close(xb[i], x[i], 0.0, 1e-9);
    double ld = 0.0;
    for (int32_t i = 0; i < d; i++) ld += log(softplus(p[d * (d - 1) + i]) + 1e-3);
    assert_close(sbi__lu_logdet(d, p), ld, 1e-13, 0.0);
    free(p);
    free(x);
    free(y);
    free(xb);
}

static void test_lu_identity_init(void **state)
{
    (void)state;
    double p[5 * 5 + 5], x[10], y[10];
    sbi__lu_init_identity(5, p);
    for (int i = 0; i < 10; i++) x[i] = i - 4.5;
    sbi__lu_forward(5, p, 2, x, y);
    for (int i = 0; i < 10; i++) assert_close(y[i], x[i], 1e-15, 1e-15);
    assert_close(sbi__lu_logdet(5, p), 0.0, 0.0, 1e-15);
}

/* L = sum_r gy_r . y_r + gl * logdet (gl the same for every row). */
static double lu_loss(int32_t d, const double *p, int64_t n, const double *x, const double *gy,
                      double gl)
{
    double y[4 * 8];
    sbi__lu_forward(d, p, n, x, y);
    double s = 0.0;
    for (int64_t i = 0; i < n * d; i++) s += gy[i] * y[i];
    return s + (double)n * gl * sbi__lu_logdet(d, p);
}

static void test_lu_gradients(void **state)
{
    (void)state;
    struct sbi_rng r;
    sbi__rng_init(&r, 12, 0);
    const double h = 1e-6;
    for (int32_t d = 1; d <= 6; d++) {
        int64_t np = sbi__lu_num_params(d), n = 4;
        double p[8 * 8 + 8], gp[8 * 8 + 8], x[4 * 8], gy[4 * 8], gx[4 * 8], gx2[4 * 8];
        for (int64_t i = 0; i < np; i++) p[i] = 0.7 * sbi__rng_normal(&r);
        for (int64_t i = 0; i < n * d; i++) x[i] = sbi__rng_normal(&r);
        for (int64_t i = 0; i < n * d; i++) gy[i] = sbi__rng_normal(&r);
        double gl = sbi__rng_normal(&r);
        sbi__lu_backward(d, p, n, x, gy, (double)n * gl, gp, gx);
        for (int64_t i = 0; i < np; i++) {
            double save = p[i];
            p[i] = save + h;
            double lp = lu_loss(d, p, n, x, gy, gl);
            p[i] = save - h;
            double lm = lu_loss(d, p, n, x, gy, gl);
            p[i] = save;
            assert_close(gp[i], (lp - lm) / (2 * h), 1e-6, 1e-8);
        }
        for (int64_t i = 0; i < n * d; i++) {
            double save = x[i];
            x[i] = save + h;
            double lp = lu_loss(d, p, n, x, gy, gl);
            x[i] = save - h;
            double lm = lu_loss(d, p, n, x, gy, gl);
            x[i] = save;
            assert_close(gx[i], (lp - lm) / (2 * h), 1e-6, 1e-8);
        }
        /* Without parameter gradients, and in place (gx == gy). */
        memcpy(gx2, gy, sizeof gy);
        sbi__lu_backward(d, p, n, x, gx2, 0.0, NULL, gx2);
        for (int64_t i = 0; i < n * d; i++) assert_close(gx2[i], gx[i], 1e-14, 1e-14);
    }
}

static void test_permutations(void **state)
{
    (void)state;
    for (int32_t d = 1; d <= 9; d++) {
        int32_t p1[9], p2[9], seen[9] = {0};
        sbi__permutation_random(d, 123, 4, p1);
        sbi__permutation_random(d, 123, 4, p2);
        for (int32_t i = 0; i < d; i++) {
            assert_int_equal(p1[i], p2[i]); /* a pure function of (d, seed, stream) */
            assert_true(p1[i] >= 0 && p1[i] < d);
            seen[p1[i]]++;
        }
        for (int32_t i = 0; i < d; i++) assert_int_equal(seen[i], 1);
        double in[2 * 9], out[2 * 9], back[2 * 9];
        for (int i = 0; i < 2 * d; i++) in[i] = i;
        sbi__permutation_apply(d, p1, 2, in, out);
        for (int r = 0; r < 2; r++)
            for (int32_t i = 0; i < d; i++) assert_true(out[r * d + i] == in[r * d + p1[i]]);
        sbi__permutation_apply_inverse(d, p1, 2, out, back);
        for (int i = 0; i < 2 * d; i++) assert_true(back[i] == in[i]);
    }
    /* Different streams give different permutations (d = 6 has 720). */
    int32_t a[6], b[6], differ = 0;
    for (uint64_t s = 0; s < 4; s++) {
        sbi__permutation_random(6, 123, s, a);
        sbi__permutation_random(6, 123, s + 1, b);
        differ += memcmp(a, b, sizeof a) != 0;
    }
    assert_true(differ >= 3);
    /* Every position is hit roughly uniformly (chi-square-ish sanity). */
    int counts[4][4] = {{0}};
    for (uint64_t s = 0; s < 4000; s++) {
        sbi__permutation_random(4, 7, s, a);
        for (int i = 0; i < 4; i++) counts[i][a[i]]++;
    }
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) assert_true(counts[i][j] > 850 && counts[i][j] < 1150);
}

/* The fast helpers against libm: tanh within 2.5e-16 absolute and 3e-14
 * relative, softplus/sigmoid against their textbook forms, the branch-free
 * ReLU exactly. */
static void test_fast_helpers(void **state)
{
    (void)state;
    double worst_abs = 0.0, worst_rel = 0.0;
    for (int i = -400000; i <= 400000; i++) {
        double x = i * 6.1e-5, a = tanh(x), b = sbi__tanh_fast(x);
        worst_abs = fmax(worst_abs, fabs(a - b));
        if (a != 0.0) worst_rel = fmax(worst_rel, fabs(a - b) / fabs(a));
    }
    for (double x = 1e-300; x < 40.0; x *= 1.01) {
        double a = tanh(x), b = sbi__tanh_fast(x);
        worst_rel = fmax(worst_rel, fabs(a - b) / a);
        assert_true(sbi__tanh_fast(-x) == -b);
    }
    print_message("tanh_fast: worst abs %.3g, worst rel %.3g\n", worst_abs, worst_rel);
    assert_true(worst_abs <= 2.5e-16 && worst_rel <= 3e-14);
    assert_true(sbi__tanh_fast(0.0) == 0.0 && sbi__tanh_fast(INFINITY) == 1.0);
    const double vs[] = {-800, -30, -1, -1e-9, 0, 1e-9, 0.5, 3, 30, 800};
    for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++) {
        double v = vs[i];
        assert_close(sbi__softplus(v), v > 30 ? v : log1p(exp(v)), 1e-15, 0.0);
        assert_close(sbi__sigmoid(v), v < -700 ? 0.0 : 1.0 / (1.0 + exp(-v)), 1e-15, 0.0);
    }
    double z[6] = {-2.0, -0.0, 0.0, 1e-300, 3.5, -1e-300}, h[6], g[6] = {1, 2, 3, 4, 5, 6};
    sbi__relu_n(6, z, h);
    for (int i = 0; i < 6; i++) assert_true(h[i] == (z[i] > 0 ? z[i] : 0.0) && !signbit(h[i]));
    sbi__relu_backward_n(6, h, g);
    const double ge[6] = {0, 0, 0, 4, 5, 0};
    for (int i = 0; i < 6; i++) assert_true(g[i] == ge[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lu_forward_inverse_logdet),
        cmocka_unit_test(test_lu_identity_init),
        cmocka_unit_test(test_lu_wide),
        cmocka_unit_test(test_lu_gradients),
        cmocka_unit_test(test_permutations),
        cmocka_unit_test(test_fast_helpers),
    };
    return cmocka_run_group_tests_name("flow_layers", tests, NULL, NULL);
}
