/* Round trip: for every input that loads (after fixing checksums),
 * save(p) must load again, saving that gives the same bytes, and both
 * posteriors must behave identically (log-probabilities and samples, bit for
 * bit). The zstd simple_round_trip idea, from the loader's side. */
#include "posterior_util.h"

static void compare_behaviour(const sbi_posterior *a, const sbi_posterior *b)
{
    int32_t d = 0, xd = 0, d2 = 0, xd2 = 0, k1 = 0, k2 = 0;
    FUZZ_CHECK(sbi_posterior_dims(a, &d, &xd) == SBI_OK);
    FUZZ_CHECK(sbi_posterior_dims(b, &d2, &xd2) == SBI_OK);
    FUZZ_CHECK(d == d2 && xd == xd2);
    FUZZ_CHECK(sbi_posterior_estimator(a, &k1) == SBI_OK);
    FUZZ_CHECK(sbi_posterior_estimator(b, &k2) == SBI_OK);
    FUZZ_CHECK(k1 == k2);
    int64_t e1, e2, n1, n2;
    double l1, l2;
    FUZZ_CHECK(sbi_posterior_training_summary(a, &e1, &n1, &l1) == SBI_OK);
    FUZZ_CHECK(sbi_posterior_training_summary(b, &e2, &n2, &l2) == SBI_OK);
    FUZZ_CHECK(e1 == e2 && n1 == n2 && fuzz_same_double(l1, l2));

    enum { N = 3 };
    double *x = calloc((size_t)xd, sizeof *x);
    double *theta = calloc((size_t)N * (size_t)d, sizeof *theta);
    double *s1 = calloc((size_t)N * (size_t)d, sizeof *s1);
    double *s2 = calloc((size_t)N * (size_t)d, sizeof *s2);
    sbi_rng *r1 = NULL, *r2 = NULL;
    const sbi_prior *prior = NULL;
    if (x && theta && s1 && s2 && sbi_rng_create(&r1, 7, 0) == SBI_OK &&
        sbi_rng_create(&r2, 7, 0) == SBI_OK && sbi_posterior_prior(a, &prior) == SBI_OK) {
        double lp1[N], lp2[N];
        (void)sbi_prior_sample(prior, r1, N, theta);
        int rc1 = sbi_posterior_log_prob(a, NULL, x, N, theta, lp1);
        int rc2 = sbi_posterior_log_prob(b, NULL, x, N, theta, lp2);
        FUZZ_CHECK(rc1 == rc2);
        if (rc1 == SBI_OK) FUZZ_CHECK(fuzz_same_doubles(lp1, lp2, N));
        sbi_rng_reset(r1, 9, 1);
        sbi_rng_reset(r2, 9, 1);
        int64_t m1 = -1, m2 = -1;
        rc1 = sbi_posterior_sample_ex(a, r1, x, N, 64, s1, &m1, NULL);
        rc2 = sbi_posterior_sample_ex(b, r2, x, N, 64, s2, &m2, NULL);
        FUZZ_CHECK(rc1 == rc2);
        if (rc1 == SBI_OK || rc1 == SBI_EBUDGET) {
            FUZZ_CHECK(m1 == m2 && m1 >= 0 && m1 <= N);
            FUZZ_CHECK(fuzz_same_doubles(s1, s2, (size_t)m1 * (size_t)d));
        }
    }
    sbi_rng_free(r1);
    sbi_rng_free(r2);
    free(x);
    free(theta);
    free(s1);
    free(s2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *fixed = malloc(size ? size : 1);
    if (!fixed) return 0;
    memcpy(fixed, data, size);
    fuzz_fix_checksums(fixed, size);
    sbi_posterior *p = NULL, *q = NULL, *r = NULL;
    void *b1 = NULL, *b2 = NULL;
    size_t n1 = 0, n2 = 0;
    if (sbi_posterior_load_mem(&p, fixed, size) == SBI_OK) {
        FUZZ_CHECK(sbi_posterior_save_mem(p, &b1, &n1) == SBI_OK);
        FUZZ_CHECK(sbi_posterior_load_mem(&q, b1, n1) == SBI_OK);
        FUZZ_CHECK(sbi_posterior_save_mem(q, &b2, &n2) == SBI_OK);
        FUZZ_CHECK(n1 == n2 && memcmp(b1, b2, n1) == 0);
        /* A file the writer made reads back to itself. */
        FUZZ_CHECK(sbi_posterior_load_mem(&r, b2, n2) == SBI_OK);
        compare_behaviour(p, q);
        compare_behaviour(q, r);
    }
    sbi_posterior_free(p);
    sbi_posterior_free(q);
    sbi_posterior_free(r);
    sbi_free(b1);
    sbi_free(b2);
    free(fixed);
    return 0;
}
