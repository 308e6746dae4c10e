/* The moments are summed with eight partial sums per pairwise leaf kept in
 * one 8-wide vector (AVX-512 where the CPU has it), all powers in one pass.
 * They must give exactly the bits of the plain scalar algorithm (NumPy's
 * pairwise order, one pass per power), written out again here, for every
 * length (leaf sizes, tails, the pairwise split) and for awkward values. */
#include "sbi_test.h"
#include "stats/stats_internal.h"

enum { BLOCK = 128 };

/* d^k of the reference: d = v - mean, d2 = d*d, d3 = d2*d, d4 = d2*d2. */
static double term(double v, double mean, int k)
{
    const double d = v - mean, d2 = d * d;
    return k == 1 ? d : k == 2 ? d2 : k == 3 ? d2 * d : d2 * d2;
}

static double leaf(const double *v, int64_t n, double mean, int k)
{
    double res = 0.0;
    if (n < 8) {
        for (int64_t i = 0; i < n; i++) res += term(v[i], mean, k);
        return res;
    }
    double r[8];
    for (int j = 0; j < 8; j++) r[j] = term(v[j], mean, k);
    int64_t i;
    for (i = 8; i < n - (n % 8); i += 8)
        for (int j = 0; j < 8; j++) r[j] += term(v[i + j], mean, k);
    res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; i++) res += term(v[i], mean, k);
    return res;
}

static double pairwise(const double *v, int64_t n, double mean, int k)
{
    if (n <= BLOCK) return leaf(v, n, mean, k);
    int64_t n2 = n / 2;
    n2 -= n2 % 8;
    return pairwise(v, n2, mean, k) + pairwise(v + n2, n - n2, mean, k);
}

static void reference(const double *v, int64_t n, double out[5])
{
    const double mean = pairwise(v, n, 0.0, 1) / (double)n;
    const double m2 = pairwise(v, n, mean, 2) / (double)n, sd = sqrt(m2);
    out[0] = mean;
    out[1] = m2;
    out[2] = sd;
    out[3] = (pairwise(v, n, mean, 3) / (double)n) / pow(sd, 3.0);
    out[4] = (pairwise(v, n, mean, 4) / (double)n) / pow(sd, 4.0);
}

static void test_moments_same_bits(void **state)
{
    (void)state;
    enum { MAX = 12001 };
    double *v = malloc(sizeof(double) * (MAX + 2)); /* starts at offsets 0..2 */
    assert_non_null(v);
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, 21, 0));
    assert_ok(sbi_rng_normal(rng, MAX + 2, v));
    /* A membrane-potential-like scale and offset, and some spikes. */
    for (int64_t i = 0; i < MAX + 2; i++) v[i] = -65.0 + 3.0 * v[i] + (i % 97 == 0 ? 80.0 : 0.0);
    const int64_t lengths[] = {1, 2, 7, 8, 9, 15, 16, 17, 63, 64, 127, 128, 129, 130, 255, 256,
                               257, 1000, 1001, 9999, 12001};
    for (size_t t = 0; t < sizeof lengths / sizeof lengths[0]; t++) {
        const int64_t n = lengths[t];
        double got[5], want[5];
        for (int off = 0; off < 3; off++) { /* unaligned starts too */
            assert_ok(sbi_stats_moments(v + off, n, 31, got));
            reference(v + off, n, want);
            assert_memory_equal(got, want, sizeof got);
            assert_ok(sbi_stats_mean(v + off, n, &got[0]));
            assert_memory_equal(&got[0], &want[0], sizeof(double));
        }
    }
    /* Non-finite values propagate the same way. */
    v[300] = NAN;
    v[5000] = INFINITY;
    double got[5], want[5];
    assert_ok(sbi_stats_moments(v, 1000, 31, got));
    reference(v, 1000, want);
    for (int k = 0; k < 5; k++) assert_true(isnan(got[k]) && isnan(want[k]));
    assert_ok(sbi_stats_moments(v + 400, 8000, 31, got));
    reference(v + 400, 8000, want);
    assert_memory_equal(got, want, sizeof got);
    sbi_rng_free(rng);
    free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_moments_same_bits),
    };
    return cmocka_run_group_tests_name("moments_bits", tests, NULL, NULL);
}
