/* SBC and expected coverage on gaussian_linear with its analytic posterior
 * N(x/2, 0.05 I): exact draws must pass the uniformity tests (no significant
 * non-uniformity at a Bonferroni-corrected 1 % level over the 10 marginals)
 * and give calibrated coverage; an overconfident and a biased posterior must
 * be caught. M = 200 test pairs, L = 100 samples each. */
#include "sbi_test.h"
#include "sbi_tasks.h"

enum { M = 200, L = 100, D = 10 };
#define ALPHA (0.01 / D) /* Bonferroni over the 10 marginals */

typedef struct pairs {
    double theta[M * D], x[M * D];
} pairs;

/* M pairs theta* ~ N(0, 0.1 I), x* ~ gaussian_linear(theta*). */
static void draw_pairs(pairs *p, uint64_t seed)
{
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, seed, 0));
    assert_ok(sbi_rng_normal(rng, M * D, p->theta));
    for (int i = 0; i < M * D; i++) p->theta[i] *= sqrt(0.1);
    uint64_t seeds[M];
    int32_t st[M] = {0};
    for (int i = 0; i < M; i++) seeds[i] = sbi_seed_for_index(seed, (uint64_t)i);
    assert_int_equal(sbi_tasks_gaussian_linear_simulate(NULL, M, D, p->theta, seeds, D, p->x, st), 0);
    sbi_rng_free(rng);
}

/* L draws per pair of N(x/2 + bias, var I), and their log densities under
 * the same Gaussian (the "posterior" being checked), plus log q(theta*). */
static void posterior_draws(const pairs *p, double var, double bias, uint64_t seed,
                            double *samples, double *lq_true, double *lq_samples)
{
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, seed, 1));
    assert_ok(sbi_rng_normal(rng, (int64_t)M * L * D, samples));
    for (int i = 0; i < M; i++) {
        double lt = 0;
        for (int k = 0; k < D; k++) {
            double m = p->x[i * D + k] / 2 + bias, d = p->theta[i * D + k] - m;
            lt += -0.5 * d * d / var;
        }
        lq_true[i] = lt;
        for (int j = 0; j < L; j++) {
            double ls = 0;
            for (int k = 0; k < D; k++) {
                double *s = &samples[((size_t)i * L + j) * D + k];
                *s = p->x[i * D + k] / 2 + bias + sqrt(var) * *s;
                double d = *s - (p->x[i * D + k] / 2 + bias);
                ls += -0.5 * d * d / var;
            }
            lq_samples[(size_t)i * L + j] = ls;
        }
    }
    sbi_rng_free(rng);
}

typedef struct result {
    double min_ks_p, min_chi2_p, coverage[9];
} result;

static void check(const pairs *p, double var, double bias, result *r)
{
    double *samples = malloc(sizeof(double) * M * L * D);
    double *lqs = malloc(sizeof(double) * M * L), lqt[M];
    int32_t ranks[M * D], hpd[M];
    posterior_draws(p, var, bias, 77, samples, lqt, lqs);
    assert_ok(sbi_sbc_ranks(M, L, D, p->theta, samples, ranks));
    double ks[D], pk[D], c2[D], pc[D];
    assert_ok(sbi_sbc_ks(M, D, ranks, L, ks, pk));
    assert_ok(sbi_sbc_chi2(M, D, ranks, L, 0, c2, pc));
    r->min_ks_p = r->min_chi2_p = 1.0;
    for (int k = 0; k < D; k++) {
        if (pk[k] < r->min_ks_p) r->min_ks_p = pk[k];
        if (pc[k] < r->min_chi2_p) r->min_chi2_p = pc[k];
    }
    assert_ok(sbi_coverage_ranks(M, L, lqt, lqs, hpd));
    double levels[9];
    for (int l = 0; l < 9; l++) levels[l] = 0.1 * (l + 1);
    assert_ok(sbi_coverage_curve(M, hpd, L, 9, levels, r->coverage));
    free(samples);
    free(lqs);
}

static void test_exact_posterior_is_calibrated(void **state)
{
    (void)state;
    static pairs p;
    draw_pairs(&p, 2024);
    result r;
    check(&p, 0.05, 0.0, &r);
    print_message("exact posterior: min KS p %.3g, min chi2 p %.3g, coverage at 0.5: %.3f\n",
                  r.min_ks_p, r.min_chi2_p, r.coverage[4]);
    assert_true(r.min_ks_p > ALPHA);
    assert_true(r.min_chi2_p > ALPHA);
    /* Coverage within 3 binomial sd of the level (sd <= 0.5/sqrt(M) = 0.035),
     * plus the 1/(2(L+1)) discretisation. */
    for (int l = 0; l < 9; l++) {
        double a = 0.1 * (l + 1);
        assert_close(r.coverage[l], a, 0, 3 * sqrt(a * (1 - a) / M) + 0.5 / (L + 1));
    }
}

static void test_overconfident_posterior_is_caught(void **state)
{
    (void)state;
    static pairs p;
    draw_pairs(&p, 2024);
    result r;
    check(&p, 0.02, 0.0, &r); /* variance 0.02 instead of 0.05 */
    print_message("overconfident: min KS p %.3g, coverage at 0.5: %.3f\n", r.min_ks_p,
                  r.coverage[4]);
    assert_true(r.min_ks_p < ALPHA);
    assert_true(r.min_chi2_p < ALPHA);
    /* Too narrow: the HPD regions hold theta* less often than claimed. */
    assert_true(r.coverage[4] < 0.5 - 3 * sqrt(0.25 / M));
}

static void test_biased_posterior_is_caught(void **state)
{
    (void)state;
    static pairs p;
    draw_pairs(&p, 2024);
    result r;
    check(&p, 0.05, 0.15, &r); /* mean shifted by 0.67 posterior sd */
    print_message("biased: min KS p %.3g\n", r.min_ks_p);
    assert_true(r.min_ks_p < ALPHA);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_posterior_is_calibrated),
        cmocka_unit_test(test_overconfident_posterior_is_caught),
        cmocka_unit_test(test_biased_posterior_is_caught),
    };
    return cmocka_run_group_tests_name("sbc analytic", tests, NULL, NULL);
}
