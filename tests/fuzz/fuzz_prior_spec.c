/* The prior-specification parser ("box:LOWS:HIGHS", "gaussian:MEANS:VARS")
 * on arbitrary strings; a prior that parses must be usable: its samples lie
 * in its support and have a finite log-density. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 20) return 0;
    char *spec = malloc(size + 1);
    if (!spec) return 0;
    memcpy(spec, data, size);
    spec[size] = '\0';
    sbi_prior *prior = NULL;
    int rc = sbi_prior_parse_spec(spec, &prior);
    FUZZ_CHECK((rc == SBI_OK) == (prior != NULL));
    FUZZ_CHECK(rc == SBI_OK || rc == SBI_EINVAL || rc == SBI_ENOMEM);
    if (prior) {
        int32_t dim = 0, kind = 0;
        FUZZ_CHECK(sbi_prior_dim(prior, &dim) == SBI_OK && dim >= 1);
        FUZZ_CHECK(sbi_prior_kind(prior, &kind) == SBI_OK);
        FUZZ_CHECK(kind == SBI_PRIOR_BOX_UNIFORM || kind == SBI_PRIOR_GAUSSIAN);
        enum { N = 4 };
        double *lo = malloc((size_t)dim * sizeof *lo), *hi = malloc((size_t)dim * sizeof *hi);
        double *mean = malloc((size_t)dim * sizeof *mean), *var = malloc((size_t)dim * sizeof *var);
        double *theta = malloc((size_t)N * (size_t)dim * sizeof *theta);
        double lp[N];
        int32_t in[N];
        sbi_rng *rng = NULL;
        if (lo && hi && mean && var && theta && sbi_rng_create(&rng, 3, 0) == SBI_OK) {
            FUZZ_CHECK(sbi_prior_bounds(prior, lo, hi) == SBI_OK);
            FUZZ_CHECK(sbi_prior_moments(prior, mean, var) == SBI_OK);
            for (int32_t i = 0; i < dim; i++) {
                FUZZ_CHECK(lo[i] < hi[i]);
                /* A box's variance w^2/12 may underflow to 0 or overflow
                 * to +inf (box:0:1e-200, box:-1e300:1e300): no NaN. */
                FUZZ_CHECK(isfinite(mean[i]) && var[i] >= 0 && !isnan(var[i]));
            }
            FUZZ_CHECK(sbi_prior_sample(prior, rng, N, theta) == SBI_OK);
            FUZZ_CHECK(sbi_prior_in_support(prior, N, theta, in) == SBI_OK);
            FUZZ_CHECK(sbi_prior_log_prob(prior, N, theta, lp) == SBI_OK);
            for (int r = 0; r < N; r++) {
                for (int32_t i = 0; i < dim; i++) {
                    const double v = theta[(size_t)r * (size_t)dim + (size_t)i];
                    FUZZ_CHECK(isfinite(v) && v >= lo[i] && v <= hi[i]);
                }
                FUZZ_CHECK(in[r] == 1);
                FUZZ_CHECK(!isnan(lp[r]) && lp[r] > -INFINITY);
            }
        }
        sbi_rng_free(rng);
        free(lo);
        free(hi);
        free(mean);
        free(var);
        free(theta);
    }
    sbi_prior_free(prior);
    free(spec);
    return 0;
}
