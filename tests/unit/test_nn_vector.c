/* The vectorised loops of the nn core (AVX-512 where the CPU has it: Adam,
 * ReLU forward and backward, the bias gradient) give exactly the bits of
 * the plain element-by-element formulas, written out again here, for every
 * length (vector body and scalar tail) and for NaN, signed zeros, infinities
 * and subnormals. Training results must not depend on the CPU's vector
 * width. */
#include "sbi_test.h"
#include "nn/nn.h"
#include "rng/rng_internal.h"

static const double specials[] = {0.0, -0.0, NAN, INFINITY, -INFINITY, 4.9e-324, -4.9e-324,
                                  1e-310, -1e-310, 1.0, -1.0};
#define N_SPECIALS (sizeof specials / sizeof specials[0])

static void fill(sbi_rng *rng, int64_t n, double *v, int with_specials)
{
    for (int64_t i = 0; i < n; i++) {
        v[i] = 4.0 * sbi__rng_uniform(rng) - 2.0;
        if (with_specials && sbi__rng_uniform(rng) < 0.3)
            v[i] = specials[(size_t)(sbi__rng_uniform(rng) * N_SPECIALS) % N_SPECIALS];
    }
}

static int same_bits(const double *a, const double *b, int64_t n)
{
    return memcmp(a, b, sizeof(double) * (size_t)n) == 0;
}

static double relu_ref(double key, double x)
{
    return !(key <= 0.0) ? x : 0.0; /* +0.0 when masked */
}

static void test_relu_bits(void **state)
{
    (void)state;
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, 11, 0));
    double z[80], h[80], e[80], d[80], d2[80];
    for (int64_t n = 0; n <= 75; n++) {
        fill(rng, n, z, 1);
        sbi__act_forward(SBI__ACT_RELU, n, z, h);
        for (int64_t i = 0; i < n; i++) e[i] = relu_ref(z[i], z[i]);
        assert_true(same_bits(h, e, n));
        fill(rng, n, d, 1);
        memcpy(d2, d, sizeof d);
        sbi__act_backward(SBI__ACT_RELU, n, h, d);
        for (int64_t i = 0; i < n; i++) e[i] = relu_ref(h[i], d2[i]);
        assert_true(same_bits(d, e, n));
    }
    sbi_rng_free(rng);
}

static void test_adam_bits(void **state)
{
    (void)state;
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, 12, 0));
    for (int64_t n = 1; n <= 41; n += 4) {
        sbi__adam a;
        assert_ok(sbi__adam_init(&a, n, 3e-3));
        double p[48], g[48], pe[48], me[48] = {0}, ve[48] = {0};
        fill(rng, n, p, 0);
        memcpy(pe, p, sizeof p);
        for (int t = 1; t <= 5; t++) {
            fill(rng, n, g, t == 5); /* the last step with NaN and infinities */
            sbi__adam_step(&a, p, g);
            const double bc1 = 1.0 - pow(0.9, (double)t);
            const double bc2_sqrt = sqrt(1.0 - pow(0.999, (double)t));
            const double step = 3e-3 / bc1, w1 = 1.0 - 0.9, w2 = 1.0 - 0.999;
            for (int64_t i = 0; i < n; i++) {
                me[i] += w1 * (g[i] - me[i]);
                ve[i] = ve[i] * 0.999 + w2 * g[i] * g[i];
                pe[i] -= step * (me[i] / (sqrt(ve[i]) / bc2_sqrt + 1e-8));
            }
            assert_true(same_bits(p, pe, n));
            assert_true(same_bits(a.m, me, n));
            assert_true(same_bits(a.v, ve, n));
        }
        sbi__adam_destroy(&a);
    }
    sbi_rng_free(rng);
}

static void test_bias_gradient_bits(void **state)
{
    (void)state;
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, 13, 0));
    enum { IN = 3 };
    for (int32_t out = 1; out <= 19; out++)
        for (int64_t n = 1; n <= 9; n += 4)
            for (int acc = 0; acc < 2; acc++) {
                const sbi__dense l = {IN, out, 0, (int64_t)IN * out, SBI__ACT_IDENTITY, NULL};
                const int64_t np = (int64_t)IN * out + out;
                double params[80], grad[80], x[40], dy[200], e[20];
                fill(rng, np, params, 0);
                fill(rng, n * IN, x, 0);
                fill(rng, n * out, dy, 1);
                fill(rng, np, grad, 0);
                for (int32_t o = 0; o < out; o++) {
                    double s = acc ? grad[l.b_off + o] : 0.0;
                    for (int64_t r = 0; r < n; r++) s += dy[r * out + o];
                    e[o] = s;
                }
                sbi__dense_backward(&l, params, n, x, dy, grad, acc, NULL, NULL);
                assert_true(same_bits(grad + l.b_off, e, out));
            }
    sbi_rng_free(rng);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_relu_bits),
        cmocka_unit_test(test_adam_bits),
        cmocka_unit_test(test_bias_gradient_bits),
    };
    return cmocka_run_group_tests_name("nn_vector", tests, NULL, NULL);
}
